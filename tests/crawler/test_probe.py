"""`stellenboerse probe` shows what a crawl would store: the crawl's own stages, over real HTTP.

Crawls run in subprocesses (Scrapy's reactor cannot restart); the local site is the `site` fixture of
test_strategies_spider.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.probe import handler_name
from tests.crawler.test_strategies_common import REPO_ROOT
from tests.crawler.test_strategies_pdf import LINES, make_pdf
from tests.crawler.test_strategies_spider import probe_cli, site, write  # noqa: F401 (site: a fixture)
from vacancies.service import open_board
from vacancies.settings import Settings

FACTS = (
    "<p>Die Stelle ist nach Entgeltgruppe 9b TVöD bewertet. Sie ist in Vollzeit und Teilzeit besetzbar "
    "und auf 24 Monate befristet. Voraussetzung ist die Qualifikation für die 3. Qualifikationsebene.</p>"
)


def jobposting(title: str, **extra: object) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": title,
        "description": FACTS,
        "identifier": {"@type": "PropertyValue", "value": title[:20]},
        "datePosted": "2026-11-02",
        "validThrough": "2026-12-15",
        "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "postalCode": "63897"}},
        **extra,
    }


def page(*postings: dict, title: str = "Landratsamt") -> str:
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(p)}</script>' for p in postings)
    return f'<html><head><meta charset="utf-8"><title>{title}</title>{scripts}</head><body></body></html>'


def records(done: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in done.stdout.splitlines()]


# -- probe = crawl ------------------------------------------------------------------------------------------

DISTRICTS = """
districts:
  - slug: miltenberg
    key: "09676"
    name: Miltenberg
    lat: 49.70
    lon: 9.26
    member: true
    sources:
      - key: miltenberg-web
        strategy: structured
        start_urls: ["{url}"]
"""
# Where the two runs differ by design: the probe's ad-hoc source and the store's own bookkeeping.
BOOKKEEPING = {"id", "source", "district", "first_seen", "last_seen", "updated_at", "content_hash", "state"}


def crawled_records(tmp: Path, url: str) -> list[dict]:
    """`stellenboerse crawl` of one source into a fresh SQLite board; the stored records."""
    (tmp / "districts.yaml").write_text(DISTRICTS.format(url=url), encoding="utf-8")
    env = {
        **os.environ,
        "STELLEN_DATABASE_URL": f"sqlite:///{tmp / 'board.db'}",
        "STELLEN_SEARCH_BACKEND": "sqlite",
        "STELLEN_DISTRICTS_FILE": str(tmp / "districts.yaml"),
    }
    command = [sys.executable, "-m", "cli.main", "crawl", "--impolite", "--http-cache", str(tmp / "cache")]
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    board = open_board(Settings(database_url=env["STELLEN_DATABASE_URL"], search_backend="sqlite"))
    return [json.loads(vacancy.record_json()) for vacancy, _hidden in board.store.iter_all()]


@pytest.fixture
def probed_and_crawled(site, tmp_path_factory):  # noqa: F811 (the fixture imported above)
    root, base, _ = site
    write(root, "/stellen/index.html", page(jobposting("Sachbearbeiter (m/w/d) im Jugendamt")))
    url = f"{base}/stellen/index.html"
    done = probe_cli(url, "--strategy", "structured")
    assert done.returncode == 0, done.stderr
    (probed,) = records(done)
    (crawled,) = crawled_records(tmp_path_factory.mktemp("crawl"), url)
    return probed, crawled


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("pay_grade_min", "E9b"),
        ("pay_scale", "TVöD"),
        ("working_time", ["full_time", "part_time"]),
        ("fixed_term", True),
        ("term_months", 24),
        ("career_level", 3),
    ],
)
def test_probe_shows_the_facts_the_crawl_stores(probed_and_crawled, field, expected):
    probed, crawled = probed_and_crawled
    assert probed.get(field) == crawled.get(field) == expected


def test_probe_and_crawl_store_the_same_record(probed_and_crawled):
    probed, crawled = probed_and_crawled
    strip = lambda record: {k: v for k, v in record.items() if k not in BOOKKEEPING}  # noqa: E731
    assert strip(probed) == strip(crawled)
    assert probed["location"]["lat"] is not None  # enriched from the postal code, as Board.save does


# -- drops, strategies, empty vacancy pages -----------------------------------------------------------------


def test_probe_reports_a_posting_the_crawl_would_drop_with_its_reason(site):  # noqa: F811
    root, base, _ = site
    good, too_long = jobposting("Erzieher (m/w/d)"), jobposting("Sachbearbeiter " + "x" * 600)
    write(root, "/stellen/index.html", page(good, too_long))
    done = probe_cli(f"{base}/stellen/index.html", "--strategy", "structured")
    assert [r["title"] for r in records(done)] == ["Erzieher (m/w/d)"]
    assert "[structured] Erzieher (m/w/d)" in done.stderr and "gespeichert" in done.stderr
    assert "verworfen: ungültig: title" in done.stderr
    assert "1 würde(n) gespeichert, 1 verworfen" in done.stderr
    assert done.returncode == 0


def test_probe_names_the_handler_auto_chose(site):  # noqa: F811
    root, base, _ = site
    write(root, "/index.html", '<a href="/karriere/stellen.html">Karriere</a>')
    write(root, "/karriere/stellen.html", '<a href="/karriere/kaemmerei.pdf">Sachbearbeiter (m/w/d)</a>')
    write(root, "/karriere/kaemmerei.pdf", make_pdf(LINES))
    done = probe_cli(f"{base}/", "--strategy", "auto")
    assert done.returncode == 0, done.stderr
    assert "[auto → pdf]" in done.stderr and len(records(done)) == 1


def test_probe_names_the_plain_reader_for_a_page_without_schema_org(site):  # noqa: F811
    root, base, _ = site
    write(root, "/index.html", '<nav><a href="/stellenangebote/">Stellenangebote</a></nav>')
    write(
        root,
        "/stellenangebote/index.html",
        '<h1>Stellenangebote</h1><ul><li><a href="/stellenangebote/kaemmerei.html">'
        "Sachbearbeiter Kämmerei (m/w/d)</a> – Bewerbungsfrist 15.01.2027</li>"
        '<li><a href="/stellenangebote/bauamt.html">Ingenieur Hochbau (m/w/d)</a></li></ul>',
    )
    body = (
        '<html><head><meta charset="utf-8"><title>{0} – Landratsamt</title></head><body>'
        "<h1>{0}</h1><h2>Ihre Aufgaben</h2><p>Haushalt und Kasse.</p><h2>Wir bieten</h2>"
        "<p>Entgeltgruppe 9b TVöD, Vollzeit, unbefristet.</p><p>Bewerbungsfrist: 15.01.2027</p></body></html>"
    )
    write(root, "/stellenangebote/kaemmerei.html", body.format("Sachbearbeiter Kämmerei (m/w/d)"))
    write(root, "/stellenangebote/bauamt.html", body.format("Ingenieur Hochbau (m/w/d)"))
    done = probe_cli(f"{base}/", "--strategy", "auto")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("[auto → plain]") == 2
    assert {r["pay_grade_max"] for r in records(done)} == {"E9b"}


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"handler": "parse_list"}, "auto → structured"),
        ({"handler": "parse_feed"}, "auto → feed"),
        ({"handler": "parse_detail", "fallback": object(), "fallback_on_error": True}, "auto → feed"),
        ({"handler": "parse_detail"}, "auto → structured"),
        ({"handler": "parse_sitemap"}, "auto → sitemap"),
        ({"handler": "parse_api", "delegate": "interamt"}, "auto → interamt"),
    ],
)
def test_handler_names_follow_autos_delegation(meta, expected):
    assert handler_name("auto", meta) == expected
    assert handler_name("html", meta) == "html"


@pytest.mark.parametrize(
    ("path", "title"),
    [("/stellenangebote/index.html", "Landratsamt"), ("/seite.html", "Karriere beim Landratsamt")],
)
def test_a_vacancy_page_with_nothing_on_it_exits_1_with_a_hint(site, path, title):  # noqa: F811
    root, base, _ = site
    write(root, path, page(title=title))
    done = probe_cli(f"{base}{path}", "--strategy", "structured")
    assert done.returncode == 1
    assert "Die Seite sieht wie eine Stellenseite aus, aber es wurden keine Stellen gefunden" in done.stderr
    assert done.stdout == ""


def test_an_empty_page_that_does_not_look_like_vacancies_keeps_exit_0(site):  # noqa: F811
    root, base, _ = site
    write(root, "/seite.html", page(title="Abfallkalender"))
    done = probe_cli(f"{base}/seite.html", "--strategy", "structured")
    assert done.returncode == 0 and "Stellenseite" not in done.stderr
