"""structured: schema.org JobPosting in JSON-LD and microdata, on saved pages."""

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

BASE = "https://www.landkreis-miltenberg.de"


def parse(name: str, url: str = f"{BASE}/stellen/seite", handler: str = "parse_detail", **options):
    spider = make_spider("structured", f"{BASE}/stellen", **options)
    results = run(spider, response_for(url, fixture_bytes("structured", name), handler))
    return spider, results


@pytest.fixture
def plain():
    return postings(parse("jsonld_plain.html")[1])[0]


def test_plain_title(plain):
    assert plain.title == "Sachbearbeiter (m/w/d) im Bauamt"


def test_plain_url_is_the_postings_own(plain):
    assert plain.url == f"{BASE}/stellen/sachbearbeiter-bauamt"


def test_plain_identifier_is_source_id_and_reference(plain):
    assert (plain.source_id, plain.reference) == ("2026-BA-07", "2026-BA-07")


def test_plain_employer_and_department(plain):
    assert (plain.employer, plain.department) == ("Landratsamt Miltenberg", "Bauamt")


def test_plain_dates(plain):
    assert (plain.date_posted, plain.deadline) == (date(2026, 11, 2), date(2026, 12, 15))


def test_plain_location(plain):
    assert (plain.street, plain.postal_code, plain.city, plain.lat, plain.lon) == (
        "Brückenstraße 1", "63897", "Miltenberg", 49.7036, 9.2645,
    )  # fmt: skip


def test_plain_pay_text_and_amount(plain):
    assert plain.pay_text == "Entgeltgruppe 9b TVöD"
    assert plain.structured["salary"] == {"currency": "EUR", "value": 3900, "unit": "MONTH"}


def test_plain_working_time(plain):
    assert plain.working_time_text == "Vollzeit, Teilzeit"


def test_plain_description_html_kept(plain):
    assert plain.description_html.startswith("<p>Wir suchen Verstärkung.</p><ul>")


def test_plain_application_contact(plain):
    assert (plain.contact_name, plain.contact_phone, plain.contact_email) == (
        "Frau Huber", "09371 501-123", "bewerbung@lra-mil.de",
    )  # fmt: skip
    assert plain.apply_url == f"{BASE}/bewerben?stelle=2026-BA-07"
    assert plain.structured["direct_apply"] is True


def test_graph_finds_the_job_posting_only():
    found = postings(parse("jsonld_graph.html")[1])
    assert [p.title for p in found] == ["Erzieher (m/w/d) für die Kreiskita"]


def test_graph_address_from_hiring_organization():
    posting = postings(parse("jsonld_graph.html")[1])[0]
    assert (posting.employer, posting.postal_code, posting.city) == (
        "Landratsamt Aschaffenburg", "63739", "Aschaffenburg",
    )  # fmt: skip


def test_graph_identifier_string():
    assert postings(parse("jsonld_graph.html")[1])[0].source_id == "KITA-12"


@pytest.fixture
def array():
    return postings(parse("jsonld_array.html", url=f"{BASE}/stellen/strassenwaerter")[1])


def test_array_yields_every_posting(array):
    assert [p.title for p in array] == ["Straßenwärter (m/w/d)", "Kreisbaumeister (m/w/d)"]


def test_array_salary_range(array):
    assert array[0].structured["salary"] == {"currency": "EUR", "min": 2900, "max": 3400.0, "unit": "MONTH"}
    assert array[0].pay_text is None


def test_array_first_location_with_address(array):
    first = array[0]
    assert (first.postal_code, first.city, first.lat, first.lon) == (
        "97616",
        "Bad Neustadt a.d.Saale",
        50.3219,
        10.2161,
    )


def test_array_employment_type_temporary(array):
    assert (array[0].working_time_text, array[0].term_text) == ("Vollzeit", "befristet")


def test_array_organisation_as_plain_string(array):
    assert array[1].employer == "Landratsamt Rhön-Grabfeld"


def test_array_source_id_from_url_without_identifier(array):
    assert array[1].source_id == "/stellen/kreisbaumeister"


@pytest.fixture
def microdata():
    return postings(parse("microdata.html")[1])[0]


def test_microdata_title(microdata):
    assert microdata.title == "Verwaltungsfachangestellte (m/w/d) Jugendamt"


def test_microdata_organisation_and_place(microdata):
    assert (microdata.employer, microdata.postal_code, microdata.city) == (
        "Landratsamt Main-Spessart", "97753", "Karlstadt",
    )  # fmt: skip


def test_microdata_dates_and_reference(microdata):
    assert (microdata.date_posted, microdata.deadline, microdata.reference) == (
        date(2026, 11, 10), date(2026, 12, 1), "JA-2026-3",
    )  # fmt: skip


def test_broken_json_ld_records_a_parse_error_and_keeps_the_rest():
    spider, results = parse("broken_jsonld.html")
    assert [p.title for p in postings(results)] == ["Hausmeister (m/w/d)"]
    assert len(spider.parse_errors) == 1
    assert "JSON-LD" in spider.parse_errors[0][1]


def test_broken_json_ld_on_a_list_page_marks_the_list_failed():
    spider, _ = parse("broken_jsonld.html", url=f"{BASE}/stellen", handler="parse_list")
    assert spider.list_failed


def test_list_follows_same_site_links_only():
    _, results = parse("list.html", url=f"{BASE}/stellen", handler="parse_list", link_pattern=r"/stellen/")
    urls = [r.url for r in requests(results)]
    assert urls == [
        f"{BASE}/stellen/sachbearbeiter-bauamt",
        f"{BASE}/stellen/erzieher?id=4&utm_source=newsletter",
    ]


def test_list_link_selector_and_next_page():
    _, results = parse(
        "list.html",
        url=f"{BASE}/stellen",
        handler="parse_list",
        link_selector="ul.jobs a",
        next_selector="a.next",
    )
    roles = [(r.url.removeprefix(BASE), r.meta["role"]) for r in requests(results)]
    assert roles == [
        ("/stellen/sachbearbeiter-bauamt", "detail"),
        ("/stellen/erzieher?id=4&utm_source=newsletter", "detail"),
        ("/stellen?page=2", "list"),
    ]


def test_detail_page_without_posting_is_a_parse_error_when_links_were_configured():
    spider = make_spider("structured", f"{BASE}/stellen", link_selector="a")
    run(
        spider,
        response_for(f"{BASE}/stellen/leer", b"<html><body>Nichts</body></html>", "parse_detail", "detail"),
    )
    assert spider.parse_errors and f"{BASE}/stellen/leer" in spider.error_urls


def test_a_location_in_plain_text_and_nan_coordinates_keep_the_posting():
    from crawler.strategies.structured import posting_from_schema

    data = {"@type": "JobPosting", "title": "Sachbearbeiter (m/w/d)", "jobLocation": "63897 Miltenberg"}
    posting = posting_from_schema(data, f"{BASE}/stellen/1")
    assert (posting.postal_code, posting.city) == ("63897", "Miltenberg")
    place = {"@type": "Place", "geo": {"latitude": "NaN", "longitude": "inf"}, "address": "63897 Miltenberg"}
    posting = posting_from_schema({**data, "jobLocation": [place]}, f"{BASE}/stellen/1")
    assert posting.lat is None and posting.lon is None and posting.postal_code == "63897"


# -- facts the schema leaves out come from the description (issue 14, item 5) -----------------------


def record_of(name: str) -> dict:
    from crawler.pipelines import to_record

    return to_record(postings(parse(name)[1])[0], today=date(2026, 12, 1))


@pytest.fixture
def pay_in_text():
    return record_of("jsonld_pay_in_text.html")


def test_pay_grade_only_in_the_description_reaches_the_record(pay_in_text):
    assert (pay_in_text["pay_grade_min"], pay_in_text["pay_grade_max"]) == ("E11", "E12")


def test_pay_scale_only_in_the_description_reaches_the_record(pay_in_text):
    assert pay_in_text["pay_scale"] == "TVöD"


def test_weekly_hours_from_the_description_next_to_the_schemas_full_time(pay_in_text):
    assert (pay_in_text["working_time"], pay_in_text["weekly_hours"]) == (["full_time"], 39.0)


def test_term_length_from_the_description_next_to_the_schemas_temporary(pay_in_text):
    assert (pay_in_text["fixed_term"], pay_in_text["term_months"]) == (True, 24)


def test_career_level_from_the_description_when_the_schemas_education_is_unreadable(pay_in_text):
    assert pay_in_text["career_level"] == 3


def test_pay_grade_after_a_long_introduction_is_found():
    from crawler.pipelines import to_record
    from crawler.strategies.structured import posting_from_schema

    intro = "<p>" + "Der Landkreis Miltenberg liegt am Main zwischen Spessart und Odenwald. " * 60 + "</p>"
    data = {"title": "Bauingenieur (m/w/d)", "description": intro + "<p>Entgeltgruppe 11 TVöD</p>"}
    record = to_record(posting_from_schema(data, f"{BASE}/stellen/bau"))
    assert (record["pay_grade_min"], record["pay_grade_max"]) == ("E11", "E11")


@pytest.fixture
def schema_wins():
    return record_of("jsonld_schema_wins.html")


def test_schema_pay_grade_wins_over_the_description(schema_wins):
    assert (schema_wins["pay_grade_min"], schema_wins["pay_grade_max"]) == ("E9a", "E9a")


def test_schema_working_time_and_hours_win_over_the_description(schema_wins):
    assert (schema_wins["working_time"], schema_wins["weekly_hours"]) == (["part_time"], 19.5)


def test_schema_temporary_wins_over_an_unbefristet_description(schema_wins):
    assert schema_wins["fixed_term"] is True


def test_schema_career_level_wins_over_the_description(schema_wins):
    assert schema_wins["career_level"] == 2


@pytest.fixture
def double_escaped():
    from vacancies.html import sanitise_html

    record = record_of("jsonld_double_escaped.html")
    return record, sanitise_html(record["description"])


def test_double_escaped_description_is_decoded_to_markup(double_escaped):
    _, description = double_escaped
    assert "<p><strong>Ihre Aufgaben</strong></p>" in description
    assert "<li>Beratung von Familien</li>" in description


def test_double_escaped_description_is_sanitised_after_decoding(double_escaped):
    _, description = double_escaped
    assert "<script" not in description and "alert" not in description


def test_double_escaped_description_is_decoded_once_only(double_escaped):
    # The site's own "&amp;lt;" is the text "<", still escaped: not a tag, not a doubled "&amp;lt;".
    _, description = double_escaped
    assert "PDF &lt; 5 MB" in description


def test_pay_grade_in_a_double_escaped_description_is_read(double_escaped):
    record, _ = double_escaped
    assert (record["pay_scale"], record["pay_grade_min"]) == ("TVöD-SuE", "S12")


def test_a_description_mentioning_lt_as_text_keeps_it():
    from crawler.strategies.structured import posting_from_schema

    description = "<p>Kenntnisse in &lt;div&gt; und Dateien &lt; 5 MB</p>"
    data = {"title": "IT-Administrator (m/w/d)", "description": description}
    posting = posting_from_schema(data, f"{BASE}/stellen/it")
    assert posting.description_html == description


def test_the_kennziffer_the_description_shows_is_the_reference_and_the_identifier_the_id():
    from crawler.strategies.structured import posting_from_schema

    data = {
        "@type": "JobPosting",
        "title": "Sachbearbeiter Kfz-Zulassung (m/w/d)",
        "identifier": "6823",
        "description": "<p>Wir suchen Verstärkung.</p><p>Kennziffer: 26-KAE-216</p>",
    }
    posting = posting_from_schema(data, f"{BASE}/stellen/6823")
    assert (posting.source_id, posting.reference) == ("6823", "26-KAE-216")
    without = posting_from_schema({**data, "description": "<p>Wir suchen Verstärkung.</p>"}, f"{BASE}/x")
    assert without.reference == "6823"


FACTS_PAGE = """<html><head><meta charset="utf-8"><script type="application/ld+json">
{"@type": "JobPosting", "title": "Bauingenieur (m/w/d)", "identifier": "5068",
 "description": "<p>Sie planen Kreisstraßen.</p>", "employmentType": "FULL_TIME"}</script></head>
<body><nav><ul><li>Qualifikationsebene: 1. Qualifikationsebene</li></ul></nav>
<article><h1>Bauingenieur (m/w/d)</h1><ul class="fakten">
<li><strong>Qualifikationsebene:</strong> 3. Qualifikationsebene</li>
<li><strong>Vergütung:</strong> Entgeltgruppe 11 TVöD</li>
<li><strong>Bewerbungsfrist:</strong> 15.12.2026</li></ul></article></body></html>"""


@pytest.mark.parametrize("strategy", ["structured", "auto"])
def test_facts_the_page_shows_beside_its_json_ld_complete_the_posting(strategy):
    from crawler.pipelines import to_record

    spider = make_spider(strategy, f"{BASE}/stellen")
    response = response_for(f"{BASE}/stellen/5068", FACTS_PAGE.encode(), "parse_detail", "detail")
    (posting,) = postings(run(spider, response))
    record = to_record(posting)
    assert (record["career_level"], record["pay_grade_max"]) == (3, "E11")  # not the menu's level 1
    assert (posting.deadline, posting.working_time_text) == (date(2026, 12, 15), "Vollzeit")


def test_a_place_without_postal_code_is_completed_from_the_description():
    from crawler.strategies.structured import posting_from_schema

    data = {
        "@type": "JobPosting",
        "title": "Sachbearbeiter Bauordnungsrecht (m/w/d)",
        "jobLocation": {"@type": "Place", "address": "Bad Neustadt a.d.Saale"},
        "description": "<p>Personalstelle, Spörleinstraße 11, 97616 Bad Neustadt a.d.Saale</p>"
        "<p>Dienstort: Am Schlosspark 2, 97616 Bad Neustadt a.d.Saale</p>",
    }
    posting = posting_from_schema(data, f"{BASE}/stelle/1")
    assert (posting.street, posting.postal_code, posting.city) == (
        "Am Schlosspark 2",
        "97616",
        "Bad Neustadt a.d.Saale",
    )
    elsewhere = {**data, "description": "<p>Bewerbungen an: Hauptstraße 1, 80331 München</p>"}
    assert posting_from_schema(elsewhere, f"{BASE}/stelle/1").postal_code is None  # another place's address
