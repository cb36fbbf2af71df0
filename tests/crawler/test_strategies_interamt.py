"""interamt: the vendor's JSON widget."""

from __future__ import annotations

from datetime import date

import pytest
from scrapy.http import TextResponse

from crawler.items import RawPosting
from tests.crawler.test_strategies_common import (
    fixture_bytes,
    make_spider,
    postings,
    requests,
    response_for,
    run,
)

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


# The real partner widget. Fixture written from the field names the public integrations read
# (RRZE-Webteam/rrze-jobs includes/Provider/Interamt.php, WSBusch/interamt_connect
# Classes/Command/FallbackCommand.php), not from our sample site; its second entry uses the names of
# the single answer (?id=), which some widgets mix into the list.
PARTNER_API = "https://interamt.de/koop/app/webservice_v2?partner=4711"


def parse_partner(name: str, url: str = PARTNER_API, **options):
    spider = make_spider("interamt", url, **options)
    return spider, run(
        spider, response_for(url, fixture_bytes("interamt", name), "parse_api", kind=TextResponse)
    )


def listed(results) -> list:
    """The partner list's postings, in list order: a posting the list does not describe rides as
    fallback on the request of its single answer."""
    return [r if isinstance(r, RawPosting) else r.meta["fallback"] for r in results]


def test_only_undescribed_postings_ask_their_single_answer():
    results = parse_partner("webservice_v2.json")[1]
    assert [r.url for r in requests(results)] == ["https://interamt.de/koop/app/webservice_v2?id=880104"]


@pytest.fixture
def real():
    return listed(parse_partner("webservice_v2.json")[1])


def test_real_envelope_every_readable_entry(real):
    assert [p.source_id for p in real] == ["880101", "880102", "880104"]


def test_real_title_under_either_name(real):
    assert [p.title for p in real][:2] == [
        "Verwaltungsfachangestellte (m/w/d) Kfz-Zulassung",
        "Bauingenieur (m/w/d) Hochbau",
    ]


def test_real_kennung_is_the_reference(real):
    assert [p.reference for p in real] == ["ZUL-2026-17", "BAU-2026-03", None]


def test_real_teilzeit_beides_moeglich_is_full_and_part_time(real):
    assert [p.working_time_text for p in real] == [
        "Vollzeit, Teilzeit möglich", "Vollzeit, 39 Wochenstunden", "Teilzeit",
    ]  # fmt: skip


def test_real_detail_url_is_derived_next_to_the_api(real):
    assert real[0].url == "https://interamt.de/koop/app/stelle?id=880101"


def test_real_employer_under_either_name(real):
    assert {p.employer for p in real} == {"Landratsamt Rhön-Grabfeld"}


def test_real_flat_place(real):
    assert (real[0].postal_code, real[0].city) == ("97616", "Bad Neustadt a.d.Saale")


def test_real_einsatzort_with_coordinates(real):
    assert (real[1].street, real[1].postal_code, real[1].lat, real[1].lon) == (
        "Spörleinstraße 11", "97616", 50.3219, 10.2161,
    )  # fmt: skip


def test_real_dates_under_either_name(real):
    assert (real[0].date_posted, real[0].deadline, real[1].date_posted, real[1].deadline) == (
        date(2026, 11, 14), date(2026, 12, 8), date(2026, 11, 20), date(2026, 12, 18),
    )  # fmt: skip


def test_real_start_as_published(real):
    assert real[1].start_date == "baldmöglichst"


def test_real_pay_from_bezahlung_or_grade_spans(real):
    assert (real[0].pay_text, real[1].pay_text) == ("TVöD E 6", "E 11 - E 12, A 11")


def test_real_term_with_months(real):
    assert real[1].term_text == "befristet (24 Monate)"


def test_real_contact_and_application(real):
    p = real[1]
    assert (p.contact_name, p.contact_phone, p.contact_email, p.apply_url) == (
        "Carla Beispiel", "09771 94-0", "personal@rhoen-grabfeld.example",
        "https://karriere.rhoen-grabfeld.example/bewerben/bau-2026-03",
    )  # fmt: skip


def test_real_entry_without_title_is_a_parse_error_and_the_others_are_kept():
    spider, results = parse_partner("webservice_v2.json")
    assert len(spider.parse_errors) == 1 and len(listed(results)) == 3 and spider.list_failed


def test_template_wins_over_the_derived_url():
    found = listed(parse_partner("webservice_v2.json", detail_url_template="https://x.example/{Id}")[1])
    assert found[0].url == "https://x.example/880101"


def test_derived_url_keeps_scheme_and_path_before_koop():
    url = "http://127.0.0.5:8000/interamt/koop/app/webservice_v2?partner=1"
    found = listed(parse_partner("webservice_v2.json", url=url)[1])
    assert found[0].url == "http://127.0.0.5:8000/interamt/koop/app/stelle?id=880101"


def test_old_bare_list_still_read():
    (found,) = postings(parse_partner("list_only.json", url=API)[1])
    assert (found.source_id, found.reference, found.working_time_text, found.url) == (
        "5501", "F-1", "Vollzeit", "https://www.forst.example/stelle/5501",
    )  # fmt: skip


def test_no_vacancy_today_is_an_empty_list_not_an_error():
    spider, results = parse_partner("no_vacancy.json")
    assert results == [] and spider.parse_errors == [] and not spider.list_failed


def test_unknown_envelope_is_a_german_parse_error_and_fails_the_list():
    spider, results = parse_partner("no_envelope.json")
    assert results == [] and spider.list_failed
    (error,) = spider.parse_errors
    assert "keine Liste" in str(error) and "Stellenangebote" in str(error)
