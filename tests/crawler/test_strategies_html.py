"""html: list and detail pages read with configured selectors."""

from __future__ import annotations

from datetime import date

import pytest

from tests.crawler.test_strategies_common import (
    fixture_bytes,
    make_spider,
    postings,
    requests,
    response_for,
    run,
)

BASE = "https://www.landkreis-schweinfurt.example"
FIELDS = {
    "title": "h1.titel",
    "description": "div.text",
    "department": "dd.amt",
    "deadline": "dd.frist",
    "date_posted": "xpath://dt[.='Veröffentlicht']/following-sibling::dd[1]",
    "pay": "dd.entgelt",
    "working_time": "dd.zeit",
    "term": "dd.befr",
    "reference": "dd.kz",
    "location": "dd.ort",
    "contact": "div.kontakt",
    "apply_url": "a.bewerben",
    "attachments": "a.pdf",
}


def spider(**options):
    return make_spider("html", f"{BASE}/stellen/liste.html", **{"link_selector": "a.stelle", **options})


@pytest.fixture
def detail():
    response = response_for(
        f"{BASE}/stellen/detail.html?id=1", fixture_bytes("html", "detail.html"), "parse_detail", "detail"
    )
    return postings(run(spider(fields=FIELDS), response))[0]


def test_list_links_and_next_page():
    response = response_for(f"{BASE}/stellen/liste.html", fixture_bytes("html", "list.html"), "parse_list")
    found = [
        (r.url, r.meta["role"]) for r in requests(run(spider(next_selector=".pager a[rel=next]"), response))
    ]
    assert found == [
        (f"{BASE}/stellen/detail.html?id=1", "detail"),
        (f"{BASE}/stellen/detail.html?id=2", "detail"),
        (f"{BASE}/stellen/liste.html?seite=2", "list"),
    ]


def test_title(detail):
    assert detail.title == "Sachbearbeiter (m/w/d) Kfz-Zulassungsstelle"


def test_description_keeps_inner_html(detail):
    assert detail.description_html == "<p>Ihre Aufgaben: <b>Zulassung</b></p><p>Ihr Profil</p>"


def test_department(detail):
    assert detail.department == "Zulassungsstelle"


def test_deadline(detail):
    assert detail.deadline == date(2026, 12, 31)


def test_date_posted_by_xpath(detail):
    assert detail.date_posted == date(2026, 11, 1)


def test_text_hints(detail):
    assert (detail.pay_text, detail.working_time_text, detail.term_text) == (
        "EG 8 TVöD", "Vollzeit, teilzeitfähig", "unbefristet",
    )  # fmt: skip


def test_reference(detail):
    assert detail.reference == "KFZ-26-04"


def test_location(detail):
    assert (detail.street, detail.postal_code, detail.city) == ("Hauptstraße 5", "97421", "Schweinfurt")


def test_contact(detail):
    assert (detail.contact_name, detail.contact_phone, detail.contact_email) == (
        "Herr Maier", "09721 55-123", "maier@lrasw.de",
    )  # fmt: skip


def test_apply_url(detail):
    assert detail.apply_url == "https://bewerbung.lrasw.de/apply/4"


def test_attachments(detail):
    assert detail.attachments == [f"{BASE}/media/ausschreibung-kfz.pdf"]


def test_source_id_from_url(detail):
    assert detail.source_id == "/stellen/detail.html?id=1"


def test_title_defaults_to_first_h1():
    response = response_for(f"{BASE}/s/1", fixture_bytes("html", "detail.html"), "parse_detail", "detail")
    assert postings(run(spider(), response))[0].title == "Sachbearbeiter (m/w/d) Kfz-Zulassungsstelle"


def test_truncated_page_is_a_parse_error_not_an_exception():
    crawl = spider(fields=FIELDS)
    url = f"{BASE}/stellen/detail.html?id=9"
    assert (
        run(crawl, response_for(url, fixture_bytes("html", "truncated.html"), "parse_detail", "detail")) == []
    )
    assert [u for u, _ in crawl.parse_errors] == [url]
    assert url in crawl.error_urls and not crawl.list_failed


def test_unknown_field_is_a_config_error():
    with pytest.raises(ValueError, match="gehalt"):
        spider(fields={"gehalt": ".x"})
