"""The sample district sites: served over real HTTP, reproducible, with the traps the crawler must handle."""

from __future__ import annotations

import html as html_module
import io
import json
import re
import time
import xml.etree.ElementTree as ET
from datetime import date
from urllib.parse import urlsplit

import httpx2
import pypdf
import pytest
import yaml
from parsel import Selector

from crawler.config import STRATEGIES, DistrictsConfig, load_districts
from crawler.samplesites import SITES, SampleSites, render_all
from vacancies.sample_data import landkreise

TODAY = date(2026, 1, 15)
SEED = 2026


@pytest.fixture(scope="module")
def sites():
    with SampleSites(seed=SEED, slow_delay=0.05, today=TODAY) as running:
        yield running


@pytest.fixture(scope="module")
def client():
    with httpx2.Client(timeout=10) as http:
        yield http


def get(client: httpx2.Client, url: str) -> httpx2.Response:
    return client.get(url)


NEW_SHAPES = ("cham", "deggendorf", "straubing-bogen", "landshut", "forchheim", "ansbach")


def test_at_least_300_postings_across_33_member_districts(sites):
    truth = sites.expected(1)
    assert len(SITES) == 33
    assert len(truth) == 34  # one source per district, two for the twin district (augsburg)
    assert sum(len(postings) for postings in truth.values()) >= 380
    # the first 26 sites keep their places (and addresses); the new shapes come after them
    assert [spec.slug for spec in SITES[:2]] == ["miltenberg", "aschaffenburg"]
    assert SITES[25].slug == "lindau"
    assert [spec.slug for spec in SITES[26:32]] == list(NEW_SHAPES)
    slugs = {spec.slug for spec in SITES}
    assert {
        "miltenberg",
        "aschaffenburg",
        "bad-toelz-wolfratshausen",
        "starnberg",
        "fuerstenfeldbruck",
    } <= slugs
    assert slugs <= set(landkreise())
    assert truth.failing == {"weilheim-schongau-web": "error"}
    kinds = [p.posting_type for postings in truth.values() for p in postings]
    assert {"job", "apprenticeship", "dual_study"} <= set(kinds)


def test_every_site_answers_on_its_own_address(sites, client):
    hosts = set()
    for spec in SITES:
        base = sites.base_url(spec.slug)
        parts = urlsplit(base)
        assert parts.port == sites.port
        hosts.add(parts.hostname)
        home = get(client, base + "/")
        assert home.status_code == 200
        text = home.content.decode("cp1252" if spec.variant in ("latin1", "cms1252") else "utf-8")
        assert f"Landratsamt {landkreise()[spec.slug].name}" in text
        for word in ("Bürgerservice", "Karriere", "Impressum"):
            assert word in text
    assert hosts == {f"127.0.0.{i}" for i in range(2, 35)}


def test_same_seed_gives_identical_bytes(sites, client):
    first = render_all(SEED, TODAY, 1, sites.port)
    second = render_all(SEED, TODAY, 1, sites.port)
    for slug in first:
        assert first[slug].pages == second[slug].pages
        assert first[slug].vendor_pages == second[slug].vendor_pages
    # what the server sends is exactly what was rendered
    for slug in ("miltenberg", "fuerstenfeldbruck", "landsberg-am-lech", "erding", "cham", "straubing-bogen"):
        for path, page in list(first[slug].pages.items())[:40]:
            response = get(client, sites.base_url(slug) + path)
            assert response.content == page.body, (slug, path)
    for slug in ("landshut", "augsburg"):
        for path, page in first[slug].vendor_pages.items():
            assert get(client, sites.vendor_url + path).content == page.body, (slug, path)
    other = render_all(SEED + 1, TODAY, 1, sites.port)
    assert other["miltenberg"].pages != first["miltenberg"].pages


def test_scaled_sites_extend_the_sample_set(sites):
    """Benchmarks may scale the sites: more postings per site, the unscaled ones unchanged among them."""
    from crawler.samplesites.sites import expected_of

    base = expected_of(render_all(SEED, TODAY, 1, sites.port))
    scaled = expected_of(render_all(SEED, TODAY, 1, sites.port, scale=3))
    assert scaled.failing == base.failing
    for source, postings in base.items():
        if source in base.failing:
            continue
        assert len(scaled[source]) >= 2 * len(postings), source
        assert {p.url for p in postings} <= {p.url for p in scaled[source]}, source


def test_windows_1252_site_declares_no_charset(sites, client):
    truth = sites.expected(1)["miesbach-web"]
    response = get(client, truth[0].url)
    assert response.headers["content-type"] == "text/html"
    raw = response.content
    assert b"charset" not in raw.lower()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "€" in text and "Landratsamt Miesbach" in text
    assert re.search("[äöüß]", text)
    assert truth[0].title in text


def test_robots_txt_disallows_intern_pages_that_the_list_links(sites, client):
    base = sites.base_url("rosenheim")
    robots = get(client, base + "/robots.txt").text
    assert "Disallow: /intern/" in robots
    listing = get(client, base + "/karriere/stellenangebote/").text
    intern = re.findall(r'href="(/intern/[^"]+)"', listing)
    assert len(intern) == 3
    assert get(client, base + intern[0]).status_code == 200  # exists, but a polite crawler never asks
    expected_urls = {p.url for p in sites.expected(1)["rosenheim-web"]}
    assert not any("/intern/" in url for url in expected_urls)


def test_error_site_answers_500_for_its_list(sites, client):
    config = DistrictsConfig.model_validate(sites.districts_config())
    source = config.sources(source="weilheim-schongau-web")[0]
    assert get(client, source.start_urls[0]).status_code == 500
    assert sites.expected(1)["weilheim-schongau-web"] == []


def test_slow_site_delay_is_configurable(sites, client):
    url = sites.base_url("garmisch-partenkirchen") + "/karriere/stellenangebote/"
    sites.slow_delay = 0.4
    try:
        started = time.monotonic()
        assert get(client, url).status_code == 200
        assert time.monotonic() - started >= 0.4
    finally:
        sites.slow_delay = 0.05
    started = time.monotonic()
    get(client, sites.base_url("miltenberg") + "/")
    assert time.monotonic() - started < 0.4


def test_state_2_removes_changes_and_adds_postings(sites, client):
    one, two = sites.expected(1), sites.expected(2)
    removed = changed = added = 0
    for source, before in one.items():
        if source in two.failing:
            continue
        old = {p.url: p for p in before}
        new = {p.url: p for p in two[source]}
        removed += len(old.keys() - new.keys())
        added += len(new.keys() - old.keys())
        changed += sum(
            1
            for url in old.keys() & new.keys()
            if (old[url].title, old[url].deadline) != (new[url].title, new[url].deadline)
        )
    assert removed > 0 and changed > 0 and added > 0
    assert two.failing == {
        "weilheim-schongau-web": "error",
        "ebersberg-web": "error",
        "dachau-web": "suspicious",
    }
    assert len(two["dachau-web"]) == 1 < len(one["dachau-web"])

    list_url = sites.base_url("ebersberg") + "/karriere/stellenangebote/"
    removed_url = one["miltenberg-web"][0].url
    retitled = one["miltenberg-web"][1]
    assert get(client, list_url).status_code == 200
    sites.set_state(2)
    try:
        assert get(client, list_url).status_code == 500
        assert get(client, removed_url).status_code == 404
        page = get(client, retitled.url).text
        assert "Wiederausschreibung" in page
        added_url = next(
            p.url for p in two["miltenberg-web"] if p.url not in {q.url for q in one["miltenberg-web"]}
        )
        assert get(client, added_url).status_code == 200
    finally:
        sites.set_state(1)
    assert get(client, list_url).status_code == 200


def test_districts_config_validates_and_round_trips(sites, tmp_path):
    raw = sites.districts_config()
    config = DistrictsConfig.model_validate(raw)
    assert len(config.members) == 33
    assert config.defaults.schedule == "30 2 * * *" and config.defaults.jitter_minutes == 30
    used = {s.strategy for s in config.sources()}
    assert used == {"structured", "html", "pdf", "feed", "interamt", "auto"} and used <= set(STRATEGIES)
    for district in config.districts:
        assert district.profile and district.website
        source = district.sources[0]
        assert len(district.sources) == (2 if district.slug == "augsburg" else 1)
        assert source.key == f"{district.slug}-web"
        host = urlsplit(sites.base_url(district.slug)).hostname
        assert source.allowed_domains == [host]
        assert all(urlsplit(url).hostname == host for url in source.start_urls)
    path = sites.write_districts_yaml(tmp_path / "districts.yaml")
    assert load_districts(path) == config
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == raw


def test_pdf_postings_have_extractable_facts(sites, client):
    for source in ("fuerstenfeldbruck-web", "muehldorf-am-inn-web", "bamberg-web"):
        for posting in sites.expected(1)[source]:
            response = get(client, posting.url)
            assert response.headers["content-type"] == "application/pdf"
            reader = pypdf.PdfReader(io.BytesIO(response.content))
            text = "\n".join(page.extract_text() for page in reader.pages)
            assert posting.title.split(" (")[0] in text
            assert f"Kennziffer: {posting.reference}" in text
            if posting.deadline:
                assert f"Bewerbungsfrist: {posting.deadline:%d.%m.%Y}" in text
            assert re.search(r"(Entgeltgruppe|Besoldungsgruppe|entgelt|Unterhaltsbeihilfe)", text)
            assert re.search(r"Vollzeit|Teilzeit", text)
    all_text = ""
    for posting in sites.expected(1)["fuerstenfeldbruck-web"]:
        reader = pypdf.PdfReader(io.BytesIO(get(client, posting.url).content))
        all_text += reader.pages[0].extract_text()
    assert "TVöD" in all_text and re.search(r"befristet auf \d+ (Jahre?|Monate)|unbefristet", all_text)


def _json_ld(html: str) -> list:
    blocks = Selector(text=html).css('script[type="application/ld+json"]::text').getall()
    return [json.loads(block) for block in blocks]


def _job_postings(data) -> list[dict]:
    if isinstance(data, list):
        return [p for item in data for p in _job_postings(item)]
    if isinstance(data, dict):
        if data.get("@type") == "JobPosting":
            return [data]
        return _job_postings(data.get("@graph", []))
    return []


@pytest.mark.parametrize(
    "slug", ["miltenberg", "aschaffenburg", "bad-toelz-wolfratshausen", "altoetting", "erding", "traunstein"]
)
def test_json_ld_detail_pages(sites, client, slug):
    for posting in sites.expected(1)[f"{slug}-web"]:
        found = [p for data in _json_ld(get(client, posting.url).text) for p in _job_postings(data)]
        assert len(found) == 1
        assert found[0]["title"] == posting.title
        if posting.deadline:
            assert found[0]["validThrough"].startswith(posting.deadline.isoformat())


def test_shapes_and_traps(sites, client):
    truth = sites.expected(1)
    # several job locations, MonetaryAmount, FULL_TIME + PART_TIME somewhere
    pages = [get(client, p.url).text for p in truth["bad-toelz-wolfratshausen-web"]]
    btw = [posting for html in pages for data in _json_ld(html) for posting in _job_postings(data)]
    assert all(isinstance(p["jobLocation"], list) and len(p["jobLocation"]) == 2 for p in btw)
    assert any(p.get("baseSalary", {}).get("value", {}).get("minValue") for p in btw)
    # one-page site: all postings in one @graph on the list page
    neu_ulm = truth["neu-ulm-web"]
    page = get(client, neu_ulm[0].url.split("#")[0]).text
    assert len([p for d in _json_ld(page) for p in _job_postings(d)]) == len(neu_ulm)
    # the malformed page is there, but its JSON-LD is broken
    traunstein = sites.renders(1)["traunstein"].pages
    broken = [path for path, pg in traunstein.items() if b",, " in pg.body]
    assert len(broken) == 1
    assert sites.base_url("traunstein") + broken[0] not in {p.url for p in truth["traunstein-web"]}
    # unsafe descriptions and a duplicate link
    listing = get(client, sites.base_url("miltenberg") + "/karriere/stellenangebote/").text
    links = re.findall(r'href="(/karriere/stellenangebote/stelle-\d+\.html)"', listing)
    assert len(links) == len(set(links)) + 1
    unsafe = get(client, truth["miltenberg-web"][1].url).text
    assert "javascript:alert" in unsafe and "onclick=" in unsafe and "<\\/script>" in unsafe
    # microdata
    microdata = get(client, truth["dachau-web"][0].url).text
    assert 'itemtype="https://schema.org/JobPosting"' in microdata and 'itemprop="validThrough"' in microdata


def test_html_sites_paginate_and_fields_select(sites, client):
    config = DistrictsConfig.model_validate(sites.districts_config())
    for slug in ("starnberg", "ebersberg", "pfaffenhofen-an-der-ilm", "wuerzburg", "miesbach", "freising"):
        source = config.sources(source=f"{slug}-web")[0]
        expected = sites.expected(1)[source.key]
        if source.strategy == "html":
            url, linked, pages = source.start_urls[0], set(), 0
            while url:
                sel = Selector(text=get(client, url).text)
                pages += 1
                hrefs = sel.css(source.options["link_selector"]).xpath("@href").getall()
                linked |= {str(httpx2.URL(url).join(href)) for href in hrefs}
                nxt = sel.css(source.options["next_selector"]).xpath("@href").get()
                url = str(httpx2.URL(url).join(nxt)) if nxt else None
            assert linked == {p.url for p in expected}
            assert pages >= 3 or slug == "miesbach"
        for posting in expected[:3]:
            response = get(client, posting.url)
            sel = Selector(text=response.content.decode("cp1252" if slug == "miesbach" else "utf-8"))
            values = {}
            for name, query in source.options["fields"].items():
                nodes = sel.xpath(query[6:]) if query.startswith("xpath:") else sel.css(query)
                values[name] = " ".join(nodes.xpath("string()").getall()).strip()
            assert values["title"] == posting.title
            assert values["reference"] == posting.reference
            assert values["deadline"] == (
                f"{posting.deadline:%d.%m.%Y}" if posting.deadline else "bis zur Besetzung der Stelle"
            )
            assert re.search(r"gruppe|entgelt|beihilfe", values["pay"], re.I)
            assert re.match(r"\d{5} ", values["location"].split(", ")[-1])


def test_feeds_link_the_detail_pages(sites, client):
    config = DistrictsConfig.model_validate(sites.districts_config())
    for slug in ("erding", "regensburg", "freising"):
        source = config.sources(source=f"{slug}-web")[0]
        root = ET.fromstring(get(client, source.options["feed_url"]).content)
        if root.tag == "rss":
            links = [item.findtext("link") for item in root.iter("item")]
        else:
            ns = "{http://www.w3.org/2005/Atom}"
            links = [e.find(f"{ns}link").get("href") for e in root.iter(f"{ns}entry")]
        assert links == [p.url for p in sites.expected(1)[source.key]]


def test_interamt_widget_and_json(sites, client):
    base = sites.base_url("landsberg-am-lech")
    assert "/api/stellen.json" in get(client, base + "/karriere/stellenangebote/").text
    items = get(client, base + "/api/stellen.json").json()
    truth = sites.expected(1)["landsberg-am-lech-web"]
    assert [str(item["Id"]) for item in items] == [p.source_id for p in truth]
    first = items[0]
    assert {"Id", "StellenBezeichnung", "Behoerde", "Bezahlung", "StellenangebotOrt", "Daten",
            "BeschaeftigungDauer", "Teilzeit", "Beschreibung", "Url"} <= first.keys()  # fmt: skip
    assert {"Entgelt", "Besoldung"} == first["Bezahlung"].keys()
    assert {"PLZ", "Ort", "Breite", "Laenge"} <= first["StellenangebotOrt"][0].keys()
    assert get(client, first["Url"]).status_code == 200


def test_auto_site_needs_two_hops(sites, client):
    base = sites.base_url("berchtesgadener-land")
    home = get(client, base + "/").text
    assert "/karriere/stellenangebote/" not in home and 'href="/karriere/"' in home
    assert 'href="/karriere/stellenangebote/"' in get(client, base + "/karriere/").text
    listing = get(client, base + "/karriere/stellenangebote/").text
    assert all(urlsplit(p.url).path in listing for p in sites.expected(1)["berchtesgadener-land-web"])


def test_head_request_gets_the_headers_of_the_page_without_its_body(sites, client):
    url = sites.base_url("miltenberg") + "/"
    full = get(client, url)
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(full.content))
    assert head.headers["content-type"] == full.headers["content-type"]
    assert head.headers["server"] == "Apache"


def test_unknown_path_is_404_and_the_query_string_picks_the_page(sites, client):
    base = sites.base_url("wuerzburg")
    assert get(client, base + "/gibt/es/nicht").status_code == 404
    pages = [path for path in sites.renders(1)["wuerzburg"].pages if "?" in path]
    assert pages, "a paginated list is addressed by its query string"
    assert get(client, base + pages[0]).content == sites.renders(1)["wuerzburg"].pages[pages[0]].body
    assert ("wuerzburg", pages[0]) in sites.requests


def test_sequential_requests_on_one_connection_do_not_wait_for_delayed_acks(sites, client):
    # A header write and a small body write on a socket with Nagle's algorithm waited for the client's
    # delayed ACK: 40 ms per request.
    import statistics

    url = sites.base_url("miltenberg") + "/"
    get(client, url)
    took = []
    for _ in range(21):
        started = time.monotonic()
        assert get(client, url).status_code == 200
        took.append(time.monotonic() - started)
    assert statistics.median(took) < 0.02


def test_stop_frees_the_port_and_start_serves_again(tmp_path):
    first = SampleSites(port=0, today=TODAY, slow_delay=0.0).start()
    port = first.port
    first.stop()
    again = SampleSites(port=port, today=TODAY, slow_delay=0.0).start()
    try:
        assert httpx2.get(again.base_url("miltenberg") + "/", timeout=5).status_code == 200
    finally:
        again.stop()


# ------------------------------------------------------------------------------------ new shapes (issue 14)


def _links(html: str, base: str) -> list[tuple[str, str]]:
    """(absolute URL, link text) of every <a> of a page."""
    sel = Selector(text=html)
    return [
        (str(httpx2.URL(base).join(a.attrib.get("href", ""))), " ".join(a.xpath("string()").get().split()))
        for a in sel.css("a")
    ]


def test_new_shapes_start_at_the_home_page_with_auto_and_no_options(sites, client):
    config = DistrictsConfig.model_validate(sites.districts_config())
    for slug in NEW_SHAPES:
        (source,) = config.sources(source=f"{slug}-web")
        assert source.strategy == "auto" and source.options == {}
        assert source.start_urls == [sites.base_url(slug) + "/"]
        assert source.district == slug
        assert len(sites.expected(1)[source.key]) >= 7
        home = get(client, source.start_urls[0])
        text = home.content.decode("cp1252" if slug == "cham" else "utf-8")
        # "Stellen" in passing: services, not vacancies; both pages exist
        assert "Beratungsstellen" in text and "Zulassungsstelle" in text
        for path in ("/soziales/beratungsstellen/", "/buergerservice/zulassungsstelle/"):
            assert f"'{path}'" in text
            assert get(client, sites.base_url(slug) + path).status_code == 200


def test_windows_1252_cms_declares_its_charset_only_in_a_meta_tag(sites, client):
    base = sites.base_url("cham")
    truth = sites.expected(1)["cham-web"]
    home = get(client, base + "/")
    assert home.headers["content-type"] == "text/html"
    assert 'href="/karriere/"' in home.content.decode("cp1252")
    karriere = get(client, base + "/karriere/").content.decode("cp1252")
    (list_href,) = re.findall(r'href="([^"]+)">Stellenangebote<', karriere)
    url, linked, pages = base + list_href, set(), 0
    while url:  # the only way on is a link whose text is "weiter »"
        response = get(client, url)
        raw = response.content
        assert response.headers["content-type"] == "text/html"
        assert raw.lower().count(b"charset") == 1
        assert b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">' in raw
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        html = raw.decode("cp1252")
        assert 'rel="next"' not in html and "seite=" not in html and "page=" not in html
        links = _links(html, url)
        linked |= {href for href, _ in links if "/ausschreibung-" in href}
        pages += 1
        url = next((href for href, label in links if label == "weiter »"), None)
    assert pages == 3
    assert linked == {p.url for p in truth}
    assert re.search("[äöüÄÖÜß]", "".join(p.title for p in truth))
    detail = get(client, truth[1].url).content.decode("cp1252")
    assert "itemtype" not in detail and "ld+json" not in detail
    rows = Selector(text=detail).xpath('//table[@class="fakten"]//tr')
    facts = {row.xpath("string(th)").get(): row.xpath("string(td)").get() for row in rows}
    assert {"Bewerbungsfrist", "Entgeltgruppe", "Arbeitszeit", "Kennziffer", "Dienstort"} <= facts.keys()
    assert facts["Kennziffer"] == truth[1].reference
    assert re.fullmatch(r".+, \d{5} .+", facts["Dienstort"])
    assert Selector(text=detail).css("h1::text").get() == truth[1].title


def test_teaser_cards_lead_to_pages_in_running_text(sites, client):
    base = sites.base_url("deggendorf")
    truth = sites.expected(1)["deggendorf-web"]
    home = get(client, base + "/").text
    listing_url = next(href for href, text in _links(home, base + "/") if text == "Jobs beim Landratsamt")
    cards = Selector(text=get(client, listing_url).text).css("div.teaser")
    assert [card.css("h3::text").get() for card in cards] == [p.title for p in truth]
    assert all(card.css("p::text").get() and card.css("a::text").get() == "mehr" for card in cards)
    hrefs = [str(httpx2.URL(listing_url).join(card.css("a::attr(href)").get())) for card in cards]
    assert hrefs == [p.url for p in truth]
    for posting in truth:
        page = get(client, posting.url).text
        assert "<table" not in page.split('<main id="content">')[1] and "<dl" not in page
        assert "ld+json" not in page and "itemtype" not in page
        text = Selector(text=page).css("main").xpath("string()").get()
        if posting.deadline:
            assert f"Bitte bewerben Sie sich bis zum {posting.deadline:%d.%m.%Y}" in text
        assert f"Kennziffer {posting.reference}" in text
        if "pay_grade_max" in posting.fields:
            assert re.search(r"(Entgelt|Besoldungs)gruppe [ESAP]?\d", text)


def test_pdf_postings_behind_aktuelles_with_adorned_links_and_a_letterhead(sites, client):
    base = sites.base_url("straubing-bogen")
    truth = sites.expected(1)["straubing-bogen-web"]
    home = get(client, base + "/").text
    assert ("/aktuelles/", "Aktuelles") in [(urlsplit(h).path, t) for h, t in _links(home, base + "/")]
    news = get(client, base + "/aktuelles/").text
    section = news.split("<h2>Stellenausschreibungen</h2>")[1]
    links = [(h, t) for h, t in _links(section, base + "/aktuelles/") if h.endswith(".pdf")]
    assert [h for h, _ in links] == [p.url for p in truth]
    texts = [t for _, t in links]
    assert any(re.fullmatch(r".+ \(PDF, \d+ KB\)", t) for t in texts)
    assert any(t.startswith("[PDF] ") for t in texts) and any(t.startswith("Download: ") for t in texts)
    office = f"Landratsamt {landkreise()['straubing-bogen'].name}"
    for posting, label in zip(truth, texts, strict=True):
        assert posting.title in label and label != posting.title
        response = get(client, posting.url)
        assert response.headers["content-type"] == "application/pdf"
        text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        code, city = posting.fields["postal_code"], posting.fields["city"]
        assert lines[0].startswith(f"{office} · ") and lines[0].endswith(f" · {code} {city}")
        assert lines[1] == "Stellenausschreibung"
        assert posting.title.startswith(lines[2])  # the heading (long titles wrap)
        assert "Dienstort" not in text  # the place is only in the letterhead


def test_vendor_host_serves_the_interamt_envelope(sites, client):
    base = sites.base_url("landshut")
    truth = sites.expected(1)["landshut-web"]
    listing = get(client, base + "/karriere/stellenangebote/").text
    (frame,) = Selector(text=listing).css("iframe::attr(src)").getall()
    widget = urlsplit(frame)
    assert f"{widget.scheme}://{widget.netloc}" == sites.vendor_url != base
    assert widget.path == "/koop/app/trefferliste" and re.fullmatch(r"partner=\d+", widget.query)
    assert frame in [h for h, _ in _links(listing, base + "/")]  # also linked, as districts do
    hits = Selector(text=get(client, frame).text).css("tr.ia-e-table__row a::attr(href)").getall()
    assert [str(httpx2.URL(frame).join(h)) for h in hits] == [p.url for p in truth]
    api = get(client, f"{sites.vendor_url}/koop/app/webservice_v2?{widget.query}")
    assert api.headers["content-type"].startswith("application/json")
    data = api.json()
    assert set(data) == {"Anzahltreffer", "Stellenangebote"}
    assert data["Anzahltreffer"] == len(data["Stellenangebote"]) == len(truth)
    for item, posting in zip(data["Stellenangebote"], truth, strict=True):
        assert {"Id", "StellenBezeichnung", "Behoerde", "Kennung", "Bezahlung", "Einsatzort", "Daten",
                "BeschaeftigungDauer", "Teilzeit", "Beschreibung"} <= item.keys()  # fmt: skip
        assert "Kennziffer" not in item and "Url" not in item  # the real widget names neither
        assert item["Teilzeit"] in ("Vollzeit", "Teilzeit", "beides möglich")
        assert posting.url == f"{sites.vendor_url}/koop/app/stelle?id={item['Id']}"
        assert posting.source_id == str(item["Id"]) and item["Kennung"] == posting.reference
        assert item["Einsatzort"]["EinsatzortPLZ"] == posting.fields["postal_code"]
        page = get(client, posting.url)
        assert page.status_code == 200 and posting.title in page.text
    assert get(client, sites.vendor_url + "/robots.txt").status_code == 200
    assert (
        get(client, base + "/koop/app/stelle?id=" + str(data["Stellenangebote"][0]["Id"])).status_code == 404
    )


def test_json_ld_with_pay_only_in_the_text_and_a_double_escaped_description(sites, client):
    base = sites.base_url("forchheim")
    truth = sites.expected(1)["forchheim-web"]
    home = get(client, base + "/").text
    assert ("/karriere/", "Karriere") in [(urlsplit(h).path, t) for h, t in _links(home, base + "/")]
    karriere = get(client, base + "/karriere/").text
    listing_url = next(h for h, t in _links(karriere, base + "/karriere/") if t == "Stellenangebote")
    listing = get(client, listing_url).text
    assert all(urlsplit(p.url).path in listing for p in truth)
    ranges = 0
    for posting in truth:
        (found,) = [p for d in _json_ld(get(client, posting.url).text) for p in _job_postings(d)]
        assert found["title"] == posting.title
        assert not {"baseSalary", "salaryCurrency", "incentiveCompensation", "estimatedSalary"} & found.keys()
        assert found["description"].startswith("&lt;p&gt;") and "<p>" not in found["description"]
        decoded = html_module.unescape(found["description"])
        assert decoded.startswith("<p>") and "&lt;" not in decoded
        if "pay_grade_max" in posting.fields:
            assert re.search(r"(Entgelt|Besoldungs)gruppe ", decoded)
        ranges += bool(re.search(r"Entgeltgruppe \d+[a-c]? bis \d+[a-c]? TVöD\b", decoded))
    assert ranges >= 1


def test_postings_found_only_through_the_sitemap(sites, client):
    base = sites.base_url("ansbach")
    truth = sites.expected(1)["ansbach-web"]
    robots = get(client, base + "/robots.txt").text
    (sitemap_url,) = re.findall(r"(?m)^Sitemap: (\S+)$", robots)
    root = ET.fromstring(get(client, sitemap_url).content)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    listed = [loc.text for loc in root.iter(f"{ns}loc")]
    assert {p.url for p in truth} < set(listed)
    posting_paths = {urlsplit(p.url).path for p in truth}
    # no page of the site links a posting or a list of them
    for path, page in sites.renders(1)["ansbach"].pages.items():
        if page.content_type.startswith("text/html") and path not in posting_paths:
            html = page.body.decode("utf-8")
            assert "/landratsamt/ausschreibungen/" not in html, path
    assert get(client, base + "/landratsamt/ausschreibungen/").status_code == 404
    page = get(client, truth[0].url).text
    assert "ld+json" not in page and "itemtype" not in page and f"Az.:</strong> {truth[0].reference}" in page


def test_twin_district_publishes_one_posting_through_both_of_its_sources(sites, client):
    config = DistrictsConfig.model_validate(sites.districts_config())
    web, vendor = config.sources(district="augsburg")
    assert (web.key, web.strategy) == ("augsburg-web", "structured")
    assert (vendor.key, vendor.strategy) == ("augsburg-interamt", "interamt")
    assert vendor.start_urls[0].startswith(sites.vendor_url + "/koop/app/webservice_v2?partner=")
    assert vendor.allowed_domains == [urlsplit(sites.vendor_url).hostname]
    truth = sites.expected(1)
    ((own, other),) = truth.twins
    assert (own.source, other.source) == ("augsburg-web", "augsburg-interamt")
    assert (own.title, own.deadline) == (other.title, other.deadline) and own.url != other.url
    # neither source's truth holds the twin: the crawl keeps whichever copy is stored first
    assert own.title not in {p.title for p in truth["augsburg-web"] + truth["augsburg-interamt"]}
    assert truth["augsburg-web"] and truth["augsburg-interamt"]
    items = get(client, vendor.start_urls[0]).json()["Stellenangebote"]
    assert [i["StellenBezeichnung"] for i in items].count(own.title) == 1
    assert len(items) == len(truth["augsburg-interamt"]) + 1
    listing = get(client, web.start_urls[0]).text
    assert urlsplit(own.url).path in listing and own.title in get(client, own.url).text
    # state 2 keeps the twin in both
    assert [(a.title, b.title) for a, b in sites.expected(2).twins] == [(own.title, other.title)]


def _page_text(site, vendor: dict, url: str) -> str:
    """What a reader of the posting's page sees (the partner JSON item for the district-hosted interamt)."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    page = site.pages.get(path) or vendor.get(path)
    if page.content_type == "application/pdf":
        return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(page.body)).pages)
    body = page.body.decode("utf-8" if b'charset="utf-8"' in page.body else "cp1252")
    return html_module.unescape(re.sub(r"<[^>]+>", " ", body))


def test_expected_fields_are_what_each_page_publishes(sites):
    from crawler.samplesites.sites import expected_of
    from vacancies.normalize import canonical_pay_grade

    renders = render_all(SEED, TODAY, 1, sites.port)
    vendor = {path: page for site in renders.values() for path, page in site.vendor_pages.items()}
    truth = expected_of(renders)
    keys = {"title", "deadline", "reference", "postal_code", "city", "pay_scale", "pay_grade_max",
            "working_time", "fixed_term", "career_level"}  # fmt: skip
    careers = 0
    for source, postings in truth.items():
        slug = source.rsplit("-", 1)[0]
        for posting in postings:
            fields = posting.fields
            assert fields.keys() <= keys and fields["title"] == posting.title, source
            assert fields.get("deadline") == (posting.deadline.isoformat() if posting.deadline else None)
            assert fields.get("reference") == posting.reference
            assert fields["working_time"] == sorted(fields["working_time"]) != []
            if "pay_grade_max" in fields:
                assert canonical_pay_grade(fields["pay_grade_max"]) == fields["pay_grade_max"]
                assert fields["pay_scale"] in ("TVöD", "TVöD-SuE", "TV-L", "BayBesG")
            if renders[slug].strategy == "interamt":  # the crawler reads the partner JSON, not the page
                continue
            text = " ".join(_page_text(renders[slug], vendor, posting.url).split())
            assert fields["title"] in text or fields["title"][:60] in text, (source, posting.url)
            assert fields["postal_code"] in text and posting.reference in text, (source, posting.url)
            if posting.deadline:
                assert f"{posting.deadline:%d.%m.%Y}" in text, (source, posting.url)
            if "pay_grade_max" in fields:
                assert re.search(rf"(?<!\d){fields['pay_grade_max'][1:]}(?!\d)", text), posting.url
            if "career_level" in fields:
                careers += 1
                assert f"{fields['career_level']}. Qualifikationsebene" in text, (source, posting.url)
    assert careers > 20
