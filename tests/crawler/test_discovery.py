"""Discovery: which links lead to vacancy pages (menus above passing mentions), robots.txt and sitemaps."""

from __future__ import annotations

import gzip

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.responsetypes import responsetypes

from crawler.strategies.discovery import (
    is_vacancy_page,
    link_score,
    read_sitemap,
    says_no_vacancies,
    sitemap_urls,
    vacancy_links,
)
from tests.crawler.test_strategies_common import fixture_bytes

BASE = "https://www.hassberge.example"


def page(name: str, url: str = f"{BASE}/") -> HtmlResponse:
    return HtmlResponse(url=url, body=fixture_bytes("auto", name), encoding="utf-8", request=Request(url))


def text(body: bytes, url: str) -> TextResponse:
    return TextResponse(url=url, body=body, encoding="utf-8", request=Request(url))


def on_site(url: str) -> bool:
    return url.startswith(BASE)


def test_home_page_menu_and_footer_links_lead_to_vacancy_pages_menu_first():
    found = [
        (link.url.removeprefix(BASE), link.text) for link in vacancy_links(page("home_nav.html"), on_site)
    ]
    assert found == [
        ("/landratsamt/arbeiten-beim-landratsamt/", "Arbeiten beim Landratsamt"),
        ("/karriere/stellenangebote/", "Stellenangebote"),
    ]


@pytest.mark.parametrize(
    "words",
    ["Beratungsstellen", "Haltestellen", "Stellungnahme des Landrats", "Zulassungsstelle",
     "Fachstellen für pflegende Angehörige", "Ausbildungsförderung (BAföG)", "Geschäftsstelle"],
)  # fmt: skip
def test_words_that_only_contain_stellen_lead_nowhere(words):
    url = f"{BASE}/service/{words.split()[0].lower()}/"
    assert link_score(url, words, in_menu=True) < 3


@pytest.mark.parametrize(
    ("url", "words", "in_menu", "expected"),
    [
        ("/karriere/", "Karriere", True, 7),  # text, path and menu
        ("/stellen/", "Offene Stellen", False, 5),
        ("/landratsamt/job-boerse/", "Jobbörse", False, 5),
        ("/landratsamt/service/", "Jobbörse", False, 3),
        ("/karriere/", "Mehr erfahren", True, 4),  # a menu entry whose path says it
        ("/karriere/", "Mehr erfahren", False, 2),  # the same in running text: not enough
        ("/pflege/", "Alles zu Ausbildung und Jobs in der Pflege finden Sie hier", False, 1),
        ("/landratsamt/", "Arbeitgeber Landratsamt", True, 5),
        ("/ausbildung/", "Ausbildung", False, 4),
    ],
)  # fmt: skip
def test_link_scores(url, words, in_menu, expected):
    assert link_score(BASE + url, words, in_menu) == expected


def test_vacancy_page_by_url_title_or_heading_not_by_passing_mentions():
    assert is_vacancy_page(page("table_list.html", f"{BASE}/seite.php?id=9"))  # title "Stellenangebote"
    assert is_vacancy_page(page("home.html", f"{BASE}/karriere/"))  # the path
    assert not is_vacancy_page(page("home_nav.html"))  # Haltestellen, Beratungsstellen, Zulassungsstelle


def test_a_page_that_says_it_has_no_vacancies_right_now():
    assert says_no_vacancies(page("no_vacancies.html", f"{BASE}/stellenangebote/"))
    assert not says_no_vacancies(page("table_list.html", f"{BASE}/stellenangebote/"))


@pytest.mark.parametrize(
    "sentence",
    ["Zurzeit haben wir keine offenen Stellen.", "Aktuell sind keine Stellenangebote vorhanden.",
     "Momentan gibt es keine Ausschreibungen.", "Es sind keine Stellen ausgeschrieben."],
)  # fmt: skip
def test_no_vacancies_wordings(sentence):
    body = f"<html><body><h1>Stellenangebote</h1><p>{sentence}</p></body></html>".encode()
    assert says_no_vacancies(HtmlResponse(url=f"{BASE}/stellen/", body=body, encoding="utf-8"))


def test_robots_txt_sitemap_lines_are_absolute():
    response = text(fixture_bytes("auto", "robots.txt"), f"{BASE}/robots.txt")
    assert sitemap_urls(response) == [
        f"{BASE}/sitemaps/sitemap-index.xml",
        f"{BASE}/sitemaps/sitemap-seiten.xml",
    ]


def test_sitemap_urls_that_say_stellen_are_vacancy_pages_or_posting_candidates():
    entries = read_sitemap(text(fixture_bytes("auto", "sitemap.xml"), f"{BASE}/sitemap.xml"))
    assert entries.sitemaps == []
    # The foreign host is the caller's to refuse (SourceCrawl.is_allowed).
    assert entries.vacancy_pages == [
        f"{BASE}/karriere/stellenangebote/",
        "https://www.anderswo.example/karriere/jobs/",
    ]
    assert entries.candidates == [
        f"{BASE}/karriere/stellenangebote/sachbearbeiter-m-w-d-bauamt.html",
        f"{BASE}/karriere/stellenangebote/ausbildung-verwaltungsfachangestellte.html",
        f"{BASE}/media/stellenausschreibung-hausmeister.pdf",
    ]


def test_sitemap_index_names_its_sitemaps():
    entries = read_sitemap(text(fixture_bytes("auto", "sitemap_index.xml"), f"{BASE}/sitemap.xml"))
    assert entries.sitemaps == [f"{BASE}/sitemaps/sitemap-seiten.xml", f"{BASE}/sitemaps/sitemap-news.xml"]
    assert entries.vacancy_pages == entries.candidates == []


def test_gzipped_sitemap_is_read():
    body = gzip.compress(fixture_bytes("auto", "sitemap.xml"))
    entries = read_sitemap(text(body, f"{BASE}/sitemap.xml.gz"))
    assert entries.vacancy_pages[0] == f"{BASE}/karriere/stellenangebote/" and len(entries.candidates) == 3


def test_a_gzipped_sitemap_served_as_application_gzip_is_read():
    """Scrapy makes a binary Response of application/gzip: it has no text to look for a <base> in."""
    body = gzip.compress(fixture_bytes("auto", "sitemap.xml"))
    url = f"{BASE}/sitemap.xml.gz"
    response_type = responsetypes.from_args(headers={"Content-Type": "application/gzip"}, url=url)
    entries = read_sitemap(response_type(url=url, body=body, request=Request(url)))
    assert entries.vacancy_pages[0] == f"{BASE}/karriere/stellenangebote/" and len(entries.candidates) == 3


def test_an_html_page_served_as_sitemap_gives_nothing():
    entries = read_sitemap(text(b"<!-- --> not found", f"{BASE}/sitemap.xml"))
    entries2 = read_sitemap(text(b"Seite nicht gefunden", f"{BASE}/sitemap.xml"))
    assert (entries.vacancy_pages, entries.candidates, entries2.candidates) == ([], [], [])


def test_a_sentence_that_says_where_the_vacancies_are_makes_its_short_link_count():
    body = """<html><body><main><h1>Karriere beim Landratsamt</h1>
    <p>Unsere Stellenausschreibungen veröffentlichen wir unter <a href="/aktuelles/">Aktuelles</a>.</p>
    <p>Fragen beantwortet die <a href="/personal/">Personalstelle</a> gern.</p></main></body></html>"""
    response = HtmlResponse(url=f"{BASE}/karriere/", body=body.encode(), encoding="utf-8")
    assert [link.url for link in vacancy_links(response, on_site)] == [f"{BASE}/aktuelles/"]
