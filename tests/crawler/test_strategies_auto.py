"""auto: finding vacancy pages from a start URL, and reading them with what fits."""

from __future__ import annotations

from tests.crawler.test_strategies_common import fixture_bytes, make_spider, requests, response_for, run

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
