"""List pages without selectors: posting rows by structure and title, their facts, and next pages."""

from __future__ import annotations

from datetime import date

import pytest
from scrapy.http import HtmlResponse, Request

from crawler.strategies.listing import is_page_step, next_pages, posting_rows, section_postings
from tests.crawler.test_strategies_common import fixture_bytes

BASE = "https://www.hassberge.example"


def page(name: str, path: str) -> HtmlResponse:
    url = BASE + path
    return HtmlResponse(url=url, body=fixture_bytes("auto", name), encoding="utf-8", request=Request(url))


def html(body: str, path: str = "/stellen/") -> HtmlResponse:
    return HtmlResponse(url=BASE + path, body=body.encode(), encoding="utf-8")


def on_site(url: str) -> bool:
    return url.startswith(BASE)


def rows_of(response: HtmlResponse, on_vacancy_page: bool = True) -> dict[str, object]:
    return {row.url.removeprefix(BASE): row for row in posting_rows(response, on_site, on_vacancy_page)}


def test_table_rows_with_their_columns():
    rows = rows_of(page("table_list.html", "/karriere/stellenangebote/"))
    assert list(rows) == [f"/karriere/stellenangebote/stelle.php?id={n}" for n in (4711, 4712, 4713)]
    first = rows["/karriere/stellenangebote/stelle.php?id=4711"].hints
    assert (first.title, first.reference, first.deadline) == (
        "Sachbearbeiter (m/w/d) für das Bauamt",
        "2026/31",
        date(2026, 12, 15),
    )
    assert (first.postal_code, first.city) == ("97437", "Haßfurt")
    assert rows["/karriere/stellenangebote/stelle.php?id=4712"].hints.city == "Ebern"


def test_a_row_whose_link_says_mehr_takes_its_title_from_the_first_cell():
    row = rows_of(page("table_list.html", "/karriere/stellenangebote/"))[
        "/karriere/stellenangebote/stelle.php?id=4713"
    ]
    assert (row.title, row.hints.deadline) == ("Ingenieur Tiefbau (m/w/d)", date(2026, 12, 20))


def test_teaser_cards_take_the_heading_not_the_more_link():
    rows = rows_of(page("teaser_cards.html", "/karriere/stellenausschreibungen/"))
    assert [row.title for row in rows.values()] == [
        "Erzieherin / Erzieher (m/w/d) Kita Sonnenschein",
        "Leitung des Sachgebiets IT-Service (m/w/d)",
        "Ausbildung zur/zum Verwaltungsfachangestellten 2027",
    ]
    it = rows["/aktuelles/detail/leitung-it-service/"].hints  # heading without a link: "Weiterlesen" leads
    assert (it.deadline, it.date_posted, it.reference) == (
        date(2026, 12, 31),
        date(2026, 11, 28),
        "IT-2026-07",
    )
    kita = rows["/aktuelles/detail/erzieherin-kita-sonnenschein/"].hints
    assert (kita.deadline, kita.date_posted) == (date(2027, 1, 9), date(2026, 12, 1))


def test_side_menus_and_pagination_are_no_rows():
    rows = rows_of(page("teaser_cards.html", "/karriere/stellenausschreibungen/"))
    assert not [url for url in rows if "duales-studium" in url or "currentPage" in url]


def test_list_items_with_labelled_facts():
    rows = rows_of(page("list_items.html", "/stellen/"))
    assert list(rows) == ["/stellen/kfz-zulassung-2026-40/", "/stellen/gesundheitsamt-arzt-2026-41/"]
    kfz = rows["/stellen/kfz-zulassung-2026-40/"].hints
    assert kfz.title == "Sachbearbeiterin / Sachbearbeiter Kfz-Zulassung (w/m/d)"
    assert (kfz.deadline, kfz.date_posted, kfz.postal_code, kfz.city) == (
        date(2026, 12, 12),
        date(2026, 11, 20),
        "97437",
        "Haßfurt",
    )


def test_a_menu_is_no_list_of_postings():
    assert rows_of(page("home_nav.html", "/")) == {}
    assert rows_of(page("home_nav.html", "/"), on_vacancy_page=False) == {}


def test_off_a_vacancy_page_only_rows_that_name_a_post_count():
    body = """<ul><li><a href="/a">Sachbearbeiter (m/w/d) Kämmerei</a></li><li><a href="/b">Kämmerer</a></li>
    <li><a href="/c">Abfallkalender</a></li></ul>"""
    assert list(rows_of(html(body, "/"), on_vacancy_page=False)) == ["/a"]
    # On a vacancy page a group that mostly names posts is taken whole ("Kämmerer" names no job noun).
    body = body.replace("Abfallkalender", "Ingenieur (m/w/d)")
    assert list(rows_of(html(body))) == ["/a", "/b", "/c"]


def test_rows_are_sure_with_a_gender_marker_a_deadline_or_a_reference():
    body = """<ul><li><a href="/a">Sachbearbeiter (m/w/d)</a></li><li><a href="/b">Hausmeister Schule</a></li>
    <li><a href="/c">Hausmeister Kreisbauhof</a> Bewerbungsfrist: 01.02.2027</li></ul>"""
    rows = rows_of(html(body))
    assert {url: row.is_sure for url, row in rows.items()} == {"/a": True, "/b": False, "/c": True}


def test_pdf_rows_are_marked_as_pdf():
    body = """<table><tr><th>Stelle</th><th>Bewerbungsschluss</th></tr>
    <tr><td><a href="/media/bau.pdf">Bauingenieur (m/w/d) (PDF, 120 KB)</a></td><td>03.01.2027</td></tr>
    <tr><td><a href="/media/kaemmerei.pdf">Kämmerei (m/w/d)</a></td><td>10.01.2027</td></tr></table>"""
    rows = list(rows_of(html(body)).values())
    assert [(row.is_pdf, row.hints.deadline) for row in rows] == [
        (True, date(2027, 1, 3)),
        (True, date(2027, 1, 10)),
    ]


# ------------------------------------------------------------------------------------- pagination


def test_weiter_to_the_next_page_but_not_to_an_unrelated_page():
    found = next_pages(page("table_list.html", "/karriere/stellenangebote/"), on_site)
    assert found == [f"{BASE}/karriere/stellenangebote/?seite=2"]


def test_rel_next_link_element():
    assert next_pages(page("list_items.html", "/stellen/"), on_site) == [f"{BASE}/stellen/seite/2/"]


def test_typo3_paginator_with_nested_query_key():
    found = next_pages(page("teaser_cards.html", "/karriere/stellenausschreibungen/"), on_site)
    assert found == [
        f"{BASE}/karriere/stellenausschreibungen/?tx_news_pi1%5B%40widget_0%5D%5BcurrentPage%5D=2"
    ]


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        ('<a href="?page=2">›</a>', True),
        ('<a href="?start=10">»</a>', True),
        ('<a href="?p=3">3</a>', True),
        ('<a href="?seite=2">Seite 2</a>', True),
        ('<a href="?seite=2" title="nächste Seite"><span class="icon"></span></a>', True),
        ('<a href="/stellen/?seite=2&amp;sort=datum">weiter</a>', False),  # sorting is another list
        ('<a href="/aktuelles/">weiter</a>', False),
        ('<a href="/stellen/?id=7">weiter</a>', False),
        ('<a href="?seite=2">Archiv</a>', False),
    ],
)
def test_next_page_links(anchor, expected):
    found = next_pages(html(f"<html><body><p>{anchor}</p></body></html>"), on_site)
    assert bool(found) is expected


@pytest.mark.parametrize(
    ("current", "target", "expected"),
    [
        ("/stellen/", "/stellen/?seite=2", True),
        ("/stellen/", "/stellen/index.php?seite=2", True),  # the directory's index page
        ("/stellen/index.php", "/stellen/index.php?pi=2", True),  # a CMS's own short key
        ("/stellen/", "/stellen/?uid=2", False),
        ("/stellen/?seite=2", "/stellen/?seite=3", True),
        ("/stellen/", "/stellen/seite/2/", True),
        ("/stellen/seite/2/", "/stellen/seite/3/", True),
        ("/stellen/liste_1.html", "/stellen/liste_2.html", True),
        ("/stellen/", "/buergerservice/", False),
        ("/stellen/", "/stellen/sachbearbeiter-bauamt/", False),
        ("/stellen/", "https://www.anderswo.example/stellen/?seite=2", False),
    ],
)
def test_page_steps(current, target, expected):
    assert is_page_step(BASE + current, target if target.startswith("http") else BASE + target) is expected


def test_a_lone_entry_on_the_last_list_page_is_still_a_row():
    body = """<h1>Stellenangebote</h1><div class="news-list-view"><div class="news-list-item stellen-eintrag">
    <h3><a href="/stellen/detail/2864/">Ärztin / Arzt (m/w/d) im Gesundheitsamt</a></h3>
    <p>Gesundheitsamt · Entgeltgruppe 14 TV-L · Bewerbungsfrist: 08.12.2026</p></div></div>"""
    rows = rows_of(html(body, "/stellen/?seite=3"))
    assert [(url, row.hints.deadline) for url, row in rows.items()] == [
        ("/stellen/detail/2864/", date(2026, 12, 8))
    ]


def test_a_heading_that_links_to_its_own_page_is_no_section_posting():
    body = """<h1>Stellenangebote</h1><div><h3><a href="/stellen/detail/2864/">Ärztin / Arzt (m/w/d)</a></h3>
    <p>Entgeltgruppe 14 TV-L · Bewerbungsfrist: 08.12.2026. Ihre Aufgaben: Untersuchungen.</p></div>
    <h2>Amtstierärztin / Amtstierarzt (m/w/d)</h2><p>Besoldungsgruppe A 14. Bewerbungsschluss: 1.2.2027</p>"""
    found = section_postings(html(body))
    assert [(p.title, p.url) for p in found] == [
        ("Amtstierärztin / Amtstierarzt (m/w/d)", f"{BASE}/stellen/#amtstieraerztin-amtstierarzt-m-w-d")
    ]


def test_an_apply_link_is_no_posting_link():
    body = """<h1>Stellenangebote</h1><section><article class="stellenangebot">
    <h2>Netzwerkadministrator (m/w/d)</h2><p>Bewerbungsfrist: 01.01.2027</p>
    <a href="/karriere/bewerben/?kennziffer=26-ITU-121">Jetzt online bewerben</a></article></section>"""
    assert rows_of(html(body)) == {}


ACCORDION = """<html><body><main><h1>Stellenangebote</h1><div class="accordion">
<details id="wohngeld"><summary>Sachbearbeiterin / Sachbearbeiter (m/w/d) Wohngeld</summary>
<div><p>Kennziffer: DGF-140</p><p>Teilzeit (50 %), Entgeltgruppe 8 TVöD. Dienstort: 84130 Dingolfing.</p>
<p>Ihre Aufgaben: Beratung. Ihr Profil: Ausbildung.</p><p>Bewerbungsfrist: 22.01.2027</p></div></details>
<details><summary>So bewerben Sie sich</summary><div><p>Bitte per E-Mail.</p></div></details>
</div></main></body></html>"""


def test_accordion_sections_of_one_page_are_postings():
    from scrapy.http import HtmlResponse

    from crawler.strategies.listing import section_postings

    url = "https://lra.example/jobs/stellenangebote"
    response = HtmlResponse(url, body=ACCORDION.encode(), encoding="utf-8")
    (posting,) = section_postings(response)
    assert (posting.url, posting.title) == (
        f"{url}#wohngeld",
        "Sachbearbeiterin / Sachbearbeiter (m/w/d) Wohngeld",
    )
    assert (posting.reference, posting.postal_code, posting.city) == ("DGF-140", "84130", "Dingolfing")
    assert "Entgeltgruppe 8" in posting.description_html
