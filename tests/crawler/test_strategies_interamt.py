"""interamt: the vendor's JSON widget."""

from __future__ import annotations

from datetime import date

import pytest
from scrapy.http import TextResponse

from tests.crawler.test_strategies_common import fixture_bytes, make_spider, postings, response_for, run

API = "https://www.landkreis-bad-kissingen.example/api/stellen.json"


def parse(name: str, **options):
    spider = make_spider("interamt", API, **options)
    return spider, run(
        spider, response_for(API, fixture_bytes("interamt", name), "parse_api", kind=TextResponse)
    )


@pytest.fixture
def found():
    return postings(parse("stellen.json", detail_url_template="https://www.interamt.example/stelle/{Id}")[1])


def test_every_valid_entry_is_a_posting(found):
    assert [p.title for p in found] == ["Sachbearbeiter (m/w/d) Ausländerbehörde", "Hausmeister (m/w/d)"]


def test_id_is_source_id(found):
    assert [p.source_id for p in found] == ["1043210", "1043299"]


def test_url_from_template_or_own_url(found):
    assert [p.url for p in found] == [
        "https://www.interamt.example/stelle/1043210",
        "https://www.interamt.example/koop/app/stelle?id=1043299",
    ]


def test_employer(found):
    assert found[0].employer == "Landratsamt Bad Kissingen"


def test_pay_text(found):
    assert found[0].pay_text == "EG 9a TVöD, A 9"


def test_location_with_coordinates(found):
    assert (found[0].postal_code, found[0].city, found[0].lat, found[0].lon) == (
        "97688",
        "Bad Kissingen",
        50.2002,
        10.0779,
    )


def test_dates_iso_and_german(found):
    assert (found[0].date_posted, found[0].deadline, found[1].date_posted) == (
        date(2026, 11, 3), date(2026, 11, 30), date(2026, 11, 1),
    )  # fmt: skip


def test_term_and_part_time(found):
    assert (found[0].term_text, found[0].working_time_text) == ("unbefristet", "Vollzeit, Teilzeit möglich")


def test_description_text_becomes_paragraphs(found):
    assert (
        found[0].description_html == "<p>Aufgaben:<br>Aufenthaltsrecht</p>\n<p>Profil:<br>Verwaltungswirt</p>"
    )


def test_entry_without_id_is_a_parse_error_and_the_others_are_kept():
    spider, results = parse("stellen.json")
    assert len(spider.parse_errors) == 1 and len(postings(results)) == 2


def test_a_list_with_an_unreadable_entry_is_incomplete():
    # The unreadable entry may be a known posting: nothing may expire on such a night.
    assert parse("stellen.json")[0].list_failed


def test_url_without_template_names_api_and_id():
    assert postings(parse("stellen.json")[1])[0].url == f"{API}#1043210"


def test_invalid_json_is_a_parse_error_and_fails_the_list():
    spider, results = parse("broken.json")
    assert results == [] and len(spider.parse_errors) == 1 and spider.list_failed
