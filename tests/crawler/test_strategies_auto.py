"""auto: finding vacancy pages from a start URL, and reading them with what fits."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.items import RawPosting
from crawler.runner import fail_empty_vacancy_page
from tests.crawler.test_strategies_common import (
    REPO_ROOT,
    fixture_bytes,
    make_spider,
    postings,
    requests,
    response_for,
    run,
)
from vacancies.model import State
from vacancies.runs import RunStore
from vacancies.service import open_board
from vacancies.settings import Settings

BASE = "https://www.hassberge.example"


def crawl(name: str, url: str, **meta):
    spider = make_spider("auto", f"{BASE}/")
    return requests(run(spider, response_for(url, fixture_bytes("auto", name), "parse_list", **meta)))


def test_home_page_links_to_vacancy_pages():
    found = {(r.url, r.meta["handler"]) for r in crawl("home.html", f"{BASE}/")}
    assert found == {
        (f"{BASE}/landratsamt/karriere/", "parse_list"),
        (f"{BASE}/landratsamt/stellenangebote.html", "parse_list"),
    }


def test_home_page_pdfs_that_are_no_postings_are_ignored():
    assert not [r for r in crawl("home.html", f"{BASE}/") if r.url.endswith(".pdf")]


def test_discovery_stops_at_max_depth():
    url = f"{BASE}/landratsamt/stellenangebote.html"
    assert not [r for r in crawl("home.html", url, depth_auto=2) if r.meta["handler"] == "parse_list"]


def test_vacancy_page_feed_pdfs_and_posting_pages():
    url = f"{BASE}/landratsamt/stellenangebote.html"
    found = {
        (r.url.removeprefix(BASE), r.meta["handler"])
        for r in crawl("stellenangebote.html", url, depth_auto=1)
    }
    assert found == {
        ("/stellen.rss", "parse_feed"),
        ("/media/ausschreibung-ingenieur.pdf", "parse_pdf"),
        ("/landratsamt/stelle-sachbearbeiter.html", "parse_detail"),
    }


# ------------------------------------------------------------------------- discovery and sitemaps


def by_path(found) -> dict[str, tuple[str, str]]:
    return {r.url.removeprefix(BASE): (r.meta["handler"], r.meta["role"]) for r in found}


def test_start_asks_robots_txt_and_sitemap_once_as_optional_pages():
    spider = make_spider("auto", f"{BASE}/landratsamt/")
    found = list(spider.start_requests())
    assert by_path(found) == {
        "/landratsamt/": ("parse_list", "list"),
        "/robots.txt": ("parse_robots", "candidate"),
        "/sitemap.xml": ("parse_sitemap", "candidate"),
    }
    optional = [r.meta["handle_httpstatus_list"] for r in found if r.meta["role"] == "candidate"]
    assert all(404 in statuses and 301 not in statuses for statuses in optional)  # redirects still followed


@pytest.mark.parametrize("status", [404, 403, 500])
def test_a_missing_sitemap_is_no_error(status):
    spider = make_spider("auto", f"{BASE}/")
    request = Request(f"{BASE}/sitemap.xml", meta={"handler": "parse_sitemap", "role": "candidate"})
    response = TextResponse(url=request.url, status=status, body=b"<html>Fehler</html>", request=request)
    assert run(spider, response) == []
    assert (spider.parse_errors, spider.fetch_errors, spider.list_failed) == ([], [], False)


def test_robots_txt_sitemaps_are_read():
    spider = make_spider("auto", f"{BASE}/")
    body = fixture_bytes("auto", "robots.txt")
    found = run(
        spider, response_for(f"{BASE}/robots.txt", body, "parse_robots", "candidate", kind=TextResponse)
    )
    assert by_path(found) == {
        "/sitemaps/sitemap-index.xml": ("parse_sitemap", "candidate"),
        "/sitemaps/sitemap-seiten.xml": ("parse_sitemap", "candidate"),
    }


def test_sitemap_vacancy_pages_and_posting_candidates_on_the_site_only():
    spider = make_spider("auto", f"{BASE}/")
    body = fixture_bytes("auto", "sitemap.xml")
    found = run(
        spider, response_for(f"{BASE}/sitemap.xml", body, "parse_sitemap", "candidate", kind=TextResponse)
    )
    assert by_path(found) == {
        "/karriere/stellenangebote/": ("parse_list", "candidate"),
        "/karriere/stellenangebote/sachbearbeiter-m-w-d-bauamt.html": ("parse_detail", "candidate"),
        "/karriere/stellenangebote/ausbildung-verwaltungsfachangestellte.html": ("parse_detail", "candidate"),
        "/media/stellenausschreibung-hausmeister.pdf": ("parse_pdf", "candidate"),
    }


def test_home_page_menu_before_footer_and_no_passing_mentions():
    found = crawl("home_nav.html", f"{BASE}/")
    pages = [(r.url.removeprefix(BASE), r.priority) for r in found if r.meta["handler"] == "parse_list"]
    assert pages == [("/landratsamt/arbeiten-beim-landratsamt/", 7), ("/karriere/stellenangebote/", 5)]
    assert not [r for r in found if r.meta["handler"] != "parse_list"]  # Haltestellen & Co. are no postings


def test_a_karriere_hub_is_discovered_not_taken_for_postings():
    found = by_path(crawl("karriere.html", f"{BASE}/landratsamt/arbeiten-beim-landratsamt/", depth_auto=1))
    assert found["/karriere/stellenangebote/"] == ("parse_list", "list")
    assert found["/karriere/ausbildung/"] == ("parse_list", "list")
    # Info pages whose names sound like posts are candidates at most: empty is fine there.
    assert all(role == "candidate" for handler, role in found.values() if handler == "parse_detail")


# --------------------------------------------------------------------------------- list pages


def test_table_rows_go_to_their_detail_pages_with_the_row_as_hints_and_fallback():
    found = crawl("table_list.html", f"{BASE}/karriere/stellenangebote/", depth_auto=1)
    details = {r.url.removeprefix(BASE): r for r in found if r.meta["handler"] == "parse_detail"}
    assert sorted(details) == [f"/karriere/stellenangebote/stelle.php?id={n}" for n in (4711, 4712, 4713)]
    request = details["/karriere/stellenangebote/stelle.php?id=4711"]
    assert request.meta["role"] == "detail" and request.meta["fallback_on_error"] is True
    assert request.meta["fallback"] is request.meta["hints"]
    assert (request.meta["hints"].deadline, request.meta["hints"].reference) == (
        date(2026, 12, 15),
        "2026/31",
    )


def test_weiter_leads_to_the_next_list_page_counted_per_chain():
    url = f"{BASE}/karriere/stellenangebote/"
    found = [r for r in crawl("table_list.html", url, depth_auto=1) if "seite=" in r.url]
    assert [(r.url, r.meta["handler"], r.meta["list_page"]) for r in found] == [
        (f"{url}?seite=2", "parse_list", 2)
    ]
    assert not [r for r in crawl("table_list.html", url, depth_auto=1) if r.url.endswith("/buergerservice/")]


def test_pagination_stops_after_20_list_pages():
    url = f"{BASE}/karriere/stellenangebote/?seite=20"
    found = crawl("table_list.html", url, depth_auto=1, list_page=20)
    assert not [r for r in found if "seite=" in r.url]


def test_one_page_list_yields_a_posting_per_section():
    found = postings(
        run(
            make_spider("auto", f"{BASE}/"),
            response_for(
                f"{BASE}/stellenausschreibungen/", fixture_bytes("auto", "sections.html"), "parse_list"
            ),
        )
    )
    assert [(p.url.removeprefix(BASE), p.deadline) for p in found] == [
        ("/stellenausschreibungen/#kaemmerei", date(2027, 1, 8)),
        ("/stellenausschreibungen/#hausmeisterin-hausmeister-m-w-d-berufsschule", date(2027, 1, 22)),
    ]
    assert found[0].reference == "K-2026-04" and "Haushaltsplanung" in found[0].description_html


# ------------------------------------------------------------------------------- detail pages

ROW_URL = f"{BASE}/karriere/stellenangebote/stelle.php?id=4711"


def row_hints() -> RawPosting:
    return RawPosting(
        source_id="/karriere/stellenangebote/stelle.php?id=4711",
        url=ROW_URL,
        title="Sachbearbeiter (m/w/d) für das Bauamt",
        deadline=date(2026, 12, 15),
        reference="2026/31",
    )


def test_plain_detail_page_read_and_completed_by_its_row():
    spider = make_spider("auto", f"{BASE}/")
    hints = row_hints()
    body = fixture_bytes("auto", "detail_plain.html")
    meta = {"hints": hints, "fallback": hints, "fallback_on_error": True}
    (posting,) = postings(run(spider, response_for(ROW_URL, body, "parse_detail", "detail", **meta)))
    assert posting is not hints and "Bauanträgen" in posting.description_html  # read from the page
    assert (posting.deadline, posting.reference, posting.city) == (date(2026, 12, 15), "2026/31", "Haßfurt")
    assert spider.parse_errors == []


def test_a_broken_detail_page_keeps_the_stored_posting_instead_of_the_thin_row():
    spider = make_spider("auto", f"{BASE}/")
    hints = row_hints()
    body = b'<html><head><script type="application/ld+json">{"@type": "JobPosting",, }</script></head></html>'
    meta = {"hints": hints, "fallback": hints, "fallback_on_error": True}
    assert postings(run(spider, response_for(ROW_URL, body, "parse_detail", "detail", **meta))) == []
    assert spider.parse_errors and ROW_URL in spider.error_urls  # not expired, and reported


def row_request_4711() -> Request:
    """The detail request the table list makes for its row 4711 (it carries the row as fallback)."""
    return next(r for r in crawl("table_list.html", f"{BASE}/karriere/stellenangebote/") if "4711" in r.url)


def test_a_detail_page_that_cannot_be_fetched_falls_back_to_its_row():
    spider = make_spider("auto", f"{BASE}/")
    request = row_request_4711()
    response = HtmlResponse(url=request.url, status=503, body=b"", request=request)
    failure = Failure(HttpError(response))
    failure.request = request  # as Scrapy hands it to an errback
    (posting,) = postings(list(spider.on_error(failure)))
    assert (posting.title, posting.deadline) == ("Sachbearbeiter (m/w/d) für das Bauamt", date(2026, 12, 15))


def test_a_candidate_that_is_no_posting_is_no_error():
    spider = make_spider("auto", f"{BASE}/")
    body = fixture_bytes("auto", "karriere.html")
    assert run(spider, response_for(f"{BASE}/karriere/praktikum/", body, "parse_detail", "candidate")) == []
    assert spider.parse_errors == [] and spider.error_urls == set()


# ----------------------------------------------------------------------------------- bad input


def test_a_vacancy_page_without_postings_fails_the_run_with_a_german_reason():
    spider = make_spider("auto", f"{BASE}/")
    run(
        spider,
        response_for(f"{BASE}/karriere/", fixture_bytes("auto", "karriere.html"), "parse_list", depth_auto=1),
    )
    assert fail_empty_vacancy_page(spider) is True
    assert spider.list_failed
    url, reason = spider.parse_errors[0]
    assert url == f"{BASE}/karriere/"
    assert reason == (
        f"Stellenseite gefunden ({BASE}/karriere/), aber keine Stellenanzeige erkannt"
        " – hat sich die Seite geändert?"
    )


def test_a_vacancy_page_that_says_there_are_none_is_no_failure():
    spider = make_spider("auto", f"{BASE}/")
    run(
        spider,
        response_for(f"{BASE}/stellenangebote/", fixture_bytes("auto", "no_vacancies.html"), "parse_list"),
    )
    assert fail_empty_vacancy_page(spider) is False and not spider.list_failed


def test_postings_found_or_no_vacancy_page_reached_is_no_failure():
    spider = make_spider("auto", f"{BASE}/")
    run(spider, response_for(f"{BASE}/karriere/", fixture_bytes("auto", "karriere.html"), "parse_list"))
    spider.seen_ids.add("test:/karriere/stellenangebote/stelle.php?id=4711")
    assert fail_empty_vacancy_page(spider) is False
    home_only = make_spider("auto", f"{BASE}/")
    run(home_only, response_for(f"{BASE}/", fixture_bytes("auto", "home_nav.html"), "parse_list"))
    assert fail_empty_vacancy_page(home_only) is False


# ------------------------------------------------------------------ a real crawl over loopback HTTP

DETAIL_PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>{title} | Landratsamt</title></head><body>
<nav class="hauptmenue"><a href="/">Startseite</a> <a href="/karriere/">Karriere</a></nav>
<div id="inhalt"><h1>{title}</h1><p>Das Landratsamt besetzt zum nächstmöglichen Zeitpunkt die Stelle
{title} in Vollzeit, unbefristet.</p><h2>Ihre Aufgaben</h2><ul><li>Sachbearbeitung im Sachgebiet</li>
<li>Beratung der Bürgerinnen und Bürger</li></ul><h2>Wir bieten</h2><p>Vergütung nach Entgeltgruppe 9a TVöD.
</p><p>Bewerbungen an personal@lra.example.</p></div></body></html>"""
HOME = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Landratsamt – Startseite</title></head><body><header><ul class="menu">
<li><a href="/buergerservice/">Bürgerservice</a></li><li><a href="/karriere/">Karriere</a></li></ul></header>
<main><h1>Willkommen</h1><p>Unsere <a href="/soziales/beratungsstellen/">Beratungsstellen</a> helfen.</p>
</main></body></html>"""
KARRIERE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Karriere</title></head><body>
<h1>Karriere beim Landratsamt</h1><p><a href="/karriere/stellen/index.php">Aktuelle Stellenangebote</a></p>
</body></html>"""
TABLE_PAGE = """<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><title>Stellenangebote</title>
</head><body><h1>Stellenangebote</h1><table class="liste">
<tr><th>Bezeichnung</th><th>Bewerbungsfrist</th></tr>{rows}</table><p>{more}</p></body></html>"""
ROW = '<tr><td><a href="stelle.php?id={n}">{title}</a></td><td>{deadline}</td></tr>'
TITLES = {
    1: "Sachbearbeiter (m/w/d) Ausländerbehörde",
    2: "Straßenwärter (m/w/d) Kreisbauhof",
    3: "Bauingenieur (m/w/d) Tiefbau",
    4: "Sozialpädagoge (m/w/d) Jugendamt",
    5: "Verwaltungsfachangestellte (m/w/d) Kämmerei",
}
CHANGED = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Stellenangebote</title></head><body>
<h1>Stellenangebote</h1><div id="jobs" data-src="/neues-portal/"></div>
<script>/* Die Stellen lädt jetzt ein neues Portal. */</script></body></html>"""


def table_site(night: int) -> dict[str, tuple[int, str, bytes]]:
    """Home → menu "Karriere" → a table in windows-1252 over two pages ("weiter »" only, no rel=next) →
    plain detail pages without schema.org. Night 2: the list page changed shape and shows nothing."""

    def rows(numbers: range) -> str:
        return "".join(ROW.format(n=n, title=TITLES[n], deadline=f"{10 + n}.12.2026") for n in numbers)

    page_1 = TABLE_PAGE.format(rows=rows(range(1, 4)), more='<a href="index.php?seite=2">weiter »</a>')
    page_2 = TABLE_PAGE.format(rows=rows(range(4, 6)), more='<a href="index.php?seite=1">« zurück</a>')
    pages = {
        "/": HOME,
        "/karriere/": KARRIERE,
        "/karriere/stellen/index.php": CHANGED if night == 2 else page_1,
        "/karriere/stellen/index.php?seite=2": page_2,
    }
    site = {path: (200, "text/html", body.encode("cp1252")) for path, body in pages.items()}
    for n, title in TITLES.items():
        site[f"/karriere/stellen/stelle.php?id={n}"] = (
            200,
            "text/html",
            DETAIL_PAGE.format(title=title).encode(),
        )
    return site


def sitemap_site(night: int) -> dict[str, tuple[int, str, bytes]]:
    """A home page that links no vacancies; its postings are only in the sitemap robots.txt declares."""
    numbers = (1, 2) if night == 1 else (1,)
    urls = "".join(f"<url><loc>{{base}}/stellen/stelle-{n}.html</loc></url>" for n in numbers)
    sitemap = (
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )
    site = {
        "/": (200, "text/html", HOME.replace('<li><a href="/karriere/">Karriere</a></li>', "").encode()),
        "/robots.txt": (
            200,
            "text/plain",
            b"User-agent: *\nDisallow: /intern/\nSitemap: /sitemaps/main.xml\n",
        ),
        "/sitemaps/main.xml": (200, "application/xml", sitemap.encode()),
    }
    for n in (1, 2):
        site[f"/stellen/stelle-{n}.html"] = (200, "text/html", DETAIL_PAGE.format(title=TITLES[n]).encode())
    return site


def empty_site(night: int) -> dict[str, tuple[int, str, bytes]]:
    body = fixture_bytes("auto", "no_vacancies.html")
    return {"/": (200, "text/html", HOME.replace("/karriere/", "/stellenangebote/").encode()),
            "/stellenangebote/": (200, "text/html", body)}  # fmt: skip


class LoopbackSite:
    """One site on its own loopback address; `night` switches what it serves."""

    def __init__(self, host: str, pages) -> None:
        self.pages, self.night = pages, 1
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                base = f"http://{self.headers['Host']}"
                status, kind, body = site.pages(site.night).get(
                    self.path, (404, "text/html", b"nicht gefunden")
                )
                body = body.replace(b"{base}", base.encode())
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sites():
    started = {
        "tabelle": LoopbackSite("127.0.4.1", table_site),
        "sitemap": LoopbackSite("127.0.4.2", sitemap_site),
        "keine": LoopbackSite("127.0.4.3", empty_site),
    }
    yield started
    for site in started.values():
        site.close()


def _crawl(tmp_path: Path, sites: dict[str, LoopbackSite]) -> subprocess.CompletedProcess:
    sources = [
        {"key": key, "strategy": "auto", "start_urls": [f"{site.url}/"]} for key, site in sites.items()
    ]
    district = {"slug": "hassberge", "key": "09674", "name": "Haßberge", "lat": 50.03, "lon": 10.51,
                "member": True, "sources": sources}  # fmt: skip
    districts = tmp_path / "districts.yaml"
    districts.write_text(yaml.safe_dump({"districts": [district]}, allow_unicode=True), encoding="utf-8")
    env = {**os.environ, "STELLEN_DATABASE_URL": f"sqlite:///{tmp_path / 'board.db'}",
           "STELLEN_SEARCH_BACKEND": "sqlite"}  # fmt: skip
    command = [sys.executable, "-m", "cli.main", "crawl", "--districts-file", str(districts), "--impolite"]
    return subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)


def test_real_crawl_from_home_pages_and_a_changed_site_that_fails_instead_of_expiring(tmp_path, sites):
    first = _crawl(tmp_path, sites)
    assert first.returncode == 0, first.stdout + first.stderr
    board = open_board(Settings(database_url=f"sqlite:///{tmp_path / 'board.db'}", search_backend="sqlite"))
    table = {v.title: v for v in (board.get(i) for i in board.store.ids_for_source("tabelle"))}
    assert sorted(table) == sorted(TITLES.values())  # both list pages, read on their plain detail pages
    bau = table["Bauingenieur (m/w/d) Tiefbau"]
    assert bau.deadline == date(2026, 12, 13)  # the row's deadline column: the page states none
    assert "Beratung der Bürgerinnen und Bürger" in bau.description
    assert bau.source_url == f"{sites['tabelle'].url}/karriere/stellen/stelle.php?id=3"
    from_sitemap = sorted(board.get(i).title for i in board.store.ids_for_source("sitemap"))
    assert from_sitemap == [TITLES[1], TITLES[2]]
    runs = RunStore(board.store.engine)
    assert runs.latest("keine").status == "success" and runs.latest("keine").found == 0
    assert all("sitemap" not in url for url, _ in runs.latest("tabelle").errors)  # a 404 sitemap is no error

    for site in sites.values():
        site.night = 2
    second = _crawl(tmp_path, sites)
    assert second.returncode == 1
    run = runs.latest("tabelle")
    assert run.status == "failed" and run.expired == 0
    list_url = f"{sites['tabelle'].url}/karriere/stellen/index.php"
    assert run.flag == (
        f"Stellenliste nicht lesbar: Stellenseite gefunden ({list_url}), "
        "aber keine Stellenanzeige erkannt – hat sich die Seite geändert?"
    )
    states = {board.get(i).state for i in board.store.ids_for_source("tabelle")}
    assert states == {State.published}  # a failed run expires nothing
    assert runs.latest("sitemap").status == "success" and runs.latest("sitemap").expired == 1


def test_a_list_a_script_loads_from_the_sites_own_json_goes_to_the_interamt_reader():
    body = b"""<html><head><title>Stellenangebote</title></head><body><h1>Stellenangebote</h1>
    <div id="stellen" data-api="/api/stellen.json"></div>
    <script>fetch("/api/stellen.json").then(function (r) { return r.json(); });</script>
    <div class="slider" data-src="/bilder/slider/"></div></body></html>"""
    found = crawl_body(body, f"{BASE}/karriere/stellenangebote/")
    feeds = [
        (r.url, r.meta["handler"], r.meta["role"], r.meta["delegate"]) for r in found if "delegate" in r.meta
    ]
    assert feeds == [(f"{BASE}/api/stellen.json", "parse_api", "list", "interamt")]


def test_script_json_on_a_page_that_is_no_vacancy_page_is_left_alone():
    body = b"""<html><head><title>Abfallkalender</title></head><body>
    <div data-api="/api/termine.json"></div></body></html>"""
    assert not [r for r in crawl_body(body, f"{BASE}/abfall/") if "delegate" in r.meta]


def crawl_body(body: bytes, url: str, **meta):
    spider = make_spider("auto", f"{BASE}/")
    return requests(run(spider, response_for(url, body, "parse_list", **meta)))


def test_a_home_page_teaser_about_a_post_is_only_a_candidate():
    body = """<html><head><title>Landratsamt – Startseite</title></head><body><h1>Willkommen</h1>
    <div class="news"><div class="news-item"><h3><a href="/aktuelles/wir-suchen-sachbearbeiter/">Wir suchen
    Sachbearbeiter (m/w/d) für das Bauamt</a></h3><p>Bewerbungsfrist: 15.12.2026</p></div>
    <div class="news-item"><h3><a href="/aktuelles/kreistag/">Sitzung des Kreistags</a></h3></div></div>
    </body></html>""".encode()
    found = [r for r in crawl_body(body, f"{BASE}/") if r.meta["handler"] == "parse_detail"]
    assert [(r.url, r.meta["role"], "fallback" in r.meta) for r in found] == [
        (f"{BASE}/aktuelles/wir-suchen-sachbearbeiter/", "candidate", False)
    ]


def test_a_vacancy_link_that_serves_a_binary_file_is_no_list_failure():
    spider = make_spider("auto", f"{BASE}/")
    url = f"{BASE}/karriere/stellenangebote.php?download=1"
    request = Request(url, meta={"handler": "parse_list", "role": "list"})
    response = Response(url=url, body=b"GIF89a\x01\x00", request=request)
    assert run(spider, response) == [] and not spider.list_failed and spider.parse_errors == []


def test_a_schema_org_detail_page_keeps_the_sites_own_id_and_takes_the_rows_missing_facts():
    spider = make_spider("auto", f"{BASE}/")
    hints = row_hints()
    body = b"""<html><head><script type="application/ld+json">{"@context": "https://schema.org",
    "@type": "JobPosting", "title": "Sachbearbeiter (m/w/d) f\\u00fcr das Bauamt", "identifier": "8686",
    "description": "<p>Ihre Aufgaben: Bauantr\\u00e4ge.</p>"}</script></head><body></body></html>"""
    meta = {"hints": hints, "fallback": hints, "fallback_on_error": True}
    (posting,) = postings(run(spider, response_for(ROW_URL, body, "parse_detail", "detail", **meta)))
    # What the page states wins (its identifier is also its reference); the row fills the deadline.
    assert (posting.source_id, posting.deadline, posting.reference) == ("8686", date(2026, 12, 15), "8686")


def test_a_row_fallback_keeps_the_pages_stored_posting_from_expiring():
    spider = make_spider("auto", f"{BASE}/")
    request = row_request_4711()
    failure = Failure(HttpError(HtmlResponse(url=request.url, status=503, body=b"", request=request)))
    failure.request = request
    assert postings(list(spider.on_error(failure)))
    assert request.url in spider.error_urls  # stored earlier under the site's own id: not expired tonight


def test_a_page_robots_txt_forbids_is_not_published_from_its_row():
    spider = make_spider("auto", f"{BASE}/")
    request = row_request_4711()
    failure = Failure(IgnoreRequest("Forbidden by robots.txt"))
    failure.request = request
    assert postings(list(spider.on_error(failure))) == []
    assert spider.fetch_errors == [(request.url, "robots.txt verbietet den Abruf")]
