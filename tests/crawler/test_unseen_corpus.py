"""The held-out corpus (tests/crawler/fixtures/unseen) is sound, and bench/extraction.py runs on it.

Structure only: every truth URL is served and states its posting, each home page reaches its vacancy
page through links a person would click, truth.json holds the record's value spellings. How well the
extractors read the corpus is measured by the benchmark, not asserted here.
"""

from __future__ import annotations

import importlib.util
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.request import urlopen

import pytest
from parsel import Selector

from crawler.config import DistrictConfig
from crawler.samplesites.catalog import SITES
from vacancies.model import PayScale, WorkingTime
from vacancies.normalize import canonical_pay_grade

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "crawler" / "fixtures" / "unseen"
TRUTH = json.loads((CORPUS / "truth.json").read_text(encoding="utf-8"))
FACT_KEYS = {"url", "title", "deadline", "reference", "postal_code", "city", "pay_scale", "pay_grade_max",
             "working_time", "fixed_term", "career_level"}  # fmt: skip


def _bench():
    spec = importlib.util.spec_from_file_location("bench_extraction", REPO / "bench" / "extraction.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = _bench()


@pytest.fixture(scope="module")
def sites():
    with bench.UnseenSites(CORPUS) as served:
        yield served


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except OSError as exc:  # HTTPError (404) is an OSError too
        return getattr(exc, "code", 0), "", b""


def text_of(body: bytes, content_type: str) -> str:
    """The page as a person reads it: HTML decoded by its declared charset, PDF text extracted."""
    if content_type.startswith("application/pdf"):
        from pypdf import PdfReader

        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    from w3lib.encoding import html_to_unicode

    _, html = html_to_unicode(content_type, body)
    return " ".join(Selector(text=html).css("body ::text").getall())


def flat(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------------------------------ truth.json


def test_truth_json_holds_five_varied_sites_in_the_records_spellings():
    assert len(TRUTH["sites"]) >= 5
    for slug, site in TRUTH["sites"].items():
        DistrictConfig(**site["district"], member=True)  # a valid districts.yaml entry
        assert site["district"]["slug"] == slug
        assert 2 <= len(site["postings"]) <= 6, slug
        # Postings share a URL only on a one-page list without anchors (then they are matched by title).
        urls = [p["url"] for p in site["postings"] if p["url"] != site["list_path"]]
        assert len(set(urls)) == len(urls), slug
        for posting in site["postings"]:
            assert set(posting) <= FACT_KEYS and {"url", "title"} <= set(posting), posting
            date.fromisoformat(posting["deadline"])
            if "working_time" in posting:
                assert posting["working_time"] == sorted(posting["working_time"])
                assert {WorkingTime(v) for v in posting["working_time"]}
            if "pay_scale" in posting:
                PayScale(posting["pay_scale"])
                assert canonical_pay_grade(posting["pay_grade_max"]) == posting["pay_grade_max"]
            if "postal_code" in posting:
                assert len(posting["postal_code"]) == 5 and posting["postal_code"].isdigit()
            assert posting.get("career_level", 1) in (1, 2, 3, 4)
            assert isinstance(posting.get("fixed_term", False), bool)


def test_held_out_districts_are_none_of_the_sample_sites():
    """The extractors are written against the sample sites: the held-out ones must be other districts
    (one districts.yaml holds both in the benchmark)."""
    assert not set(TRUTH["sites"]) & {spec.slug for spec in SITES}


def test_committed_corpus_is_what_its_builder_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("unseen_build", CORPUS / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    build.main(tmp_path)
    written = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    committed = {p.relative_to(CORPUS): p.read_bytes() for p in CORPUS.rglob("*")
                 if p.is_file() and p.name != "build.py" and "__pycache__" not in p.parts}  # fmt: skip
    assert written.keys() == committed.keys()
    assert [name for name in written if written[name] != committed[name]] == []


# ------------------------------------------------------------------------------------------ serving


def test_every_truth_url_is_served_and_states_its_posting(sites):
    expected = sites.expected()
    assert sum(len(p) for p in expected.values()) >= 15
    for postings in expected.values():
        for posting in postings:
            url, fragment = urldefrag(posting["url"])
            status, content_type, body = fetch(url)
            assert status == 200, posting["url"]
            text = flat(text_of(body, content_type))
            assert flat(posting["title"]) in text, posting["url"]
            if "deadline" in posting:
                day = date.fromisoformat(posting["deadline"])
                assert any(form in text for form in (day.strftime("%d.%m.%Y"), f"{day.day}. ")), posting[
                    "url"
                ]
            if fragment:  # one-page sites: the section the fragment names exists
                assert Selector(text=body.decode("utf-8")).css(f"[id='{fragment}']"), posting["url"]


def test_unknown_paths_answer_404_and_stay_inside_the_corpus(sites):
    base = sites.base_url("regen")
    assert fetch(base + "/gibt-es-nicht/")[0] == 404
    assert fetch(base + "/../truth.json")[0] == 404
    assert sites.file_for("regen", "/../hassberge/index.html") is None


def test_windows_1252_site_declares_its_charset_only_in_a_meta_tag(sites):
    status, content_type, body = fetch(sites.base_url("hassberge") + "/landratsamt/stellenangebote/")
    assert status == 200 and "charset" not in content_type
    assert b'charset=windows-1252"' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "Haßberge" in body.decode("cp1252")


def test_vendors_answer_on_other_hosts_in_their_real_shapes(sites):
    vendor = sites.base_url("vendor-interamt")
    assert (
        urlsplit(vendor).hostname != urlsplit(sites.base_url("neustadt-an-der-aisch-bad-windsheim")).hostname
    )
    status, content_type, body = fetch(vendor + "/koop/app/webservice_v2?partner=1187")
    answer = json.loads(body)
    assert status == 200 and content_type.startswith("application/json")
    assert answer["Anzahltreffer"] == len(answer["Stellenangebote"]) == 3
    detail = json.loads(fetch(vendor + f"/koop/app/webservice_v2?id={answer['Stellenangebote'][0]['Id']}")[2])
    assert detail["Kennung"] == "LRA-NEA-2026-31" and detail["Teilzeit"] == "beides möglich"
    # d.vinci: a bare array; each publication names its page on the vendor's host and its opening's facts.
    dvinci = sites.base_url("vendor-dvinci")
    status, content_type, body = fetch(dvinci + "/jobPublication/list.json")
    publications = json.loads(body)
    assert status == 200 and isinstance(publications, list) and len(publications) == 3
    assert all(p["jobPublicationURL"].startswith(dvinci + "/de/jobs/") for p in publications)
    assert publications[0]["jobOpening"]["reference"] == "2026-117"
    karriere = fetch(sites.base_url("neumarkt-in-der-oberpfalz") + "/karriere")[2].decode()
    assert f'data-url="{dvinci}/jobPublication/list.json?fields=small"' in karriere


def test_pages_mention_beratungsstellen_and_zulassungsstelle_in_passing(sites):
    """Words with "stelle" in them on pages that are no vacancy page (a trap for discovery)."""
    _, content_type, body = fetch(sites.base_url("regen") + "/buergerservice/gesundheit/beratungsstellen/")
    text = text_of(body, content_type)
    assert "Beratungsstellen" in text and "Zulassungsstelle" in text
    _, content_type, body = fetch(sites.base_url("freyung-grafenau") + "/")
    assert "Zulassungsstelle" in text_of(body, content_type)


# ------------------------------------------------------------------------------------------ navigation


def clicks(sites, start: str, limit: int = 4) -> dict[str, int]:
    """URL -> clicks from `start`, following links with a visible text (what a person clicks) and the
    frames a page embeds, within the corpus' hosts; fragments dropped."""
    hosts = {urlsplit(base).netloc for base in sites.bases.values()}
    depth, frontier = {start: 0}, [start]
    while frontier:
        url = frontier.pop(0)
        if depth[url] >= limit:
            continue
        status, content_type, body = fetch(url)
        if status != 200 or "html" not in content_type:
            continue
        from w3lib.encoding import html_to_unicode

        page = Selector(text=html_to_unicode(content_type, body)[1])
        base = urljoin(url, page.css("base::attr(href)").get() or url)  # relative links resolve against it
        targets = [a.attrib["href"] for a in page.css("a[href]") if flat(" ".join(a.css("::text").getall()))]
        targets += page.css("iframe::attr(src)").getall()
        for target in targets:
            target = urldefrag(urljoin(base, target))[0]
            if urlsplit(target).netloc in hosts and target not in depth:
                depth[target] = depth[url] + 1
                frontier.append(target)
    return depth


@pytest.mark.parametrize("slug", list(TRUTH["sites"]))
def test_home_page_reaches_the_vacancy_page_and_every_posting_by_clicks(sites, slug):
    base = sites.base_url(slug)
    reached = clicks(sites, base + "/")
    list_url = base + TRUTH["sites"][slug]["list_path"]
    assert 1 <= reached.get(list_url, 99) <= 2, f"{slug}: vacancy page not within two clicks"
    for posting in sites.expected()[slug]:
        assert urldefrag(posting["url"])[0] in reached, posting["url"]


# ------------------------------------------------------------------------------------------ the benchmark


def test_scoring_matches_by_url_then_title_and_counts_false_and_duplicate_records():
    truth = [
        {"url": "http://a.test/stelle/1", "title": "Sachbearbeiter (m/w/d)", "deadline": "2027-01-15",
         "postal_code": "94209", "working_time": ["full_time", "part_time"]},
        {"url": "http://a.test/liste/#zwei", "title": "Hausmeister (m/w/d)", "reference": "H-2"},
        {"url": "http://a.test/stelle/3", "title": "Tierarzt (m/w/d)"},
    ]  # fmt: skip
    records = [
        {"source_url": "http://A.test/stelle/1", "title": "Sachbearbeiter (m/w/d) (PDF, 120 KB)",
         "deadline": "2027-01-15", "location": {"postal_code": "94209"},
         "working_time": ["part_time", "full_time"]},
        {"source_url": "http://a.test/liste/#stelle-2", "title": "Hausmeister  (m/w/d)", "reference": "H 2"},
        {"source_url": "http://a.test/stelle/1?print=1", "title": "Sachbearbeiter (m/w/d)"},
        {"source_url": "http://a.test/karriere/", "title": "Karriere"},
    ]  # fmt: skip
    score = bench.score_site("a", "unseen", truth, records)
    assert (score.truth, score.found) == (3, 2)
    assert score.missed == [{"title": "Tierarzt (m/w/d)", "url": "http://a.test/stelle/3"}]
    assert [f["title"] for f in score.false] == ["Karriere"]
    assert [d["url"] for d in score.duplicates] == ["http://a.test/stelle/1?print=1"]
    # Title wrong (adorned) on the first, reference wrong on the second; the rest right.
    assert score.stated == {**dict.fromkeys(bench.FIELDS, 0), "title": 2, "deadline": 1, "postal_code": 1,
                            "working_time": 1, "reference": 1}  # fmt: skip
    assert score.right == {**dict.fromkeys(bench.FIELDS, 0), "title": 1, "deadline": 1, "postal_code": 1,
                           "working_time": 1}  # fmt: skip
    assert {(w["field"], w["got"]) for w in score.wrong} == {
        ("title", "Sachbearbeiter (m/w/d) (PDF, 120 KB)"), ("reference", "H 2")}  # fmt: skip


def test_postings_sharing_one_url_are_matched_by_title():
    truth = [{"url": "http://a.test/stellen/", "title": f"Stelle {n}"} for n in (1, 2, 3)]
    records = [{"source_url": "http://a.test/stellen/", "title": f"Stelle {n}"} for n in (3, 1)]
    score = bench.score_site("a", "unseen", truth, records)
    assert (score.found, len(score.duplicates), len(score.false)) == (2, 0, 0)
    assert score.missed == [{"title": "Stelle 2", "url": "http://a.test/stellen/"}]
    assert score.right["title"] == 2


def test_benchmark_runs_on_one_site_and_prints_the_documented_json():
    done = subprocess.run([sys.executable, "bench/extraction.py", "--site", "regen", "--json"], cwd=REPO,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    doc = json.loads(done.stdout)
    assert set(doc) >= {"overall", "corpora", "sites"} and set(doc["corpora"]) == {"unseen"}
    assert set(doc["overall"]) >= {"truth", "found", "missed", "false", "duplicates", "found_pct",
                                   "fields_pct", "fields", "targets", "meets_targets"}  # fmt: skip
    assert doc["overall"]["targets"] == {"found_pct": 98.0, "fields_pct": 95.0, "false": 0}
    assert set(doc["overall"]["fields"]) == set(bench.FIELDS)
    [site] = doc["sites"]
    assert (site["site"], site["corpus"], site["truth"]) == ("regen", "unseen", 4)
    assert site["run_status"] is not None  # the crawl ran this source
    assert site["found"] + site["missed"] == 4
    assert set(site) >= {"false", "duplicates", "fields", "missed_postings", "false_postings", "wrong_fields"}


def test_benchmark_rejects_an_unknown_site_as_a_usage_error():
    done = subprocess.run([sys.executable, "bench/extraction.py", "--site", "atlantis"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2 and "unknown site" in done.stderr


def test_sample_districts_are_read_from_their_home_pages_and_a_twin_counts_once():
    from crawler.samplesites.sites import districts_config, expected_of, render_all

    rendered = render_all(2026, date(2026, 12, 2), 1, port=8000)
    config = districts_config(rendered, 8000)
    districts = bench.sample_districts(config)
    kept = 0
    for district, original in zip(districts, config["districts"], strict=True):
        website = district["website"].rstrip("/")
        for source, before in zip(district["sources"], original["sources"], strict=True):
            if source["start_urls"] == [website + "/"]:
                assert source == {"key": before["key"], "strategy": "auto", "start_urls": [website + "/"]}
            else:  # a vendor account on another host stays as configured
                assert urlsplit(source["start_urls"][0]).netloc != urlsplit(website).netloc
                assert source == before
                kept += 1
    assert kept == sum(len(d["sources"]) - 1 for d in config["districts"])
    expected = expected_of(rendered)
    truth = bench.sample_truth(expected, config)
    assert set(truth) == {d["slug"] for d in config["districts"]}
    for first, second in expected.twins:
        [twin] = [p for postings in truth.values() for p in postings if p.get("alt_urls")]
        assert (twin["url"], twin["alt_urls"]) == (first.url, [second.url])
    # A record of either copy matches the twin; both copies stored are one found posting and a duplicate.
    if expected.twins:
        first, second = expected.twins[0]
        slug = next(d["slug"] for d in config["districts"] for s in d["sources"] if s["key"] == first.source)
        records = [
            {"source_url": first.url, "title": first.title},
            {"source_url": second.url, "title": first.title},
        ]
        score = bench.score_site(slug, "sample", [p for p in truth[slug] if p.get("alt_urls")], records)
        assert (score.found, len(score.duplicates), len(score.false)) == (1, 1, 0)
