"""Vendor portals: detection on a district's pages, the Personio and d.vinci readers, interamt's single
answers, routing of vendor responses in the spider, per-source vendor hosts and named refusals.

Fixtures are written from the field names the public integrations read (Personio: the ``/xml`` feed's
``workzag-jobs/position`` as parsed by several public job scrapers; d.vinci: ``jobPublication/list.json``
as read by public integrations; interamt: rrze-jobs ``includes/Provider/Interamt.php``), in our words.
"""

from __future__ import annotations

from datetime import date

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.spider import SourceCrawl, refusal
from crawler.strategies.vendors import dvinci_list_url, personio_feed_url, vendor_requests
from tests.crawler.test_strategies_common import (
    fixture_bytes,
    make_spider,
    postings,
    requests,
    response_for,
    run,
)

HOME = "https://www.landkreis-muster.example/karriere/stellen.html"


def page(body: str, url: str = HOME) -> HtmlResponse:
    return HtmlResponse(url=url, body=f"<html><body>{body}</body></html>".encode(), encoding="utf-8")


def found(body: str, url: str = HOME) -> list[Request]:
    return vendor_requests(make_spider("auto", url).strategy, page(body, url))


def routes(body: str) -> list[tuple[str, str, str]]:
    return [(r.url, r.meta["delegate"], r.meta["handler"]) for r in found(body)]


# ------------------------------------------------------------------------------------------ detection

WIDGET = "https://interamt.de/koop/app/webservice_v2?partner=4711"


@pytest.mark.parametrize(
    "body",
    [
        '<iframe src="https://interamt.de/koop/app/trefferliste?partner=4711&amp;hideSearch=1"></iframe>',
        '<script src="https://interamt.de/koop/app/webservice_v2?partner=4711"></script>',
        '<a href="https://interamt.de/koop/app/stellensuche?partner=4711">Unsere Stellen bei interamt</a>',
        '<div data-src="https://interamt.de/koop/app/trefferliste?Partner=4711"></div>',
        '<script>widget.load("https://interamt.de/koop/app/trefferliste?partner=4711");</script>',
    ],
    ids=["iframe", "script", "link", "data-src", "inline-script"],
)
def test_interamt_partner_widget_is_found_in_every_form(body):
    assert routes(body) == [(WIDGET, "interamt", "parse_api")]


def test_interamt_widget_stays_on_the_host_and_scheme_found():
    body = '<iframe src="http://127.0.0.250:8123/koop/app/trefferliste?partner=9"></iframe>'
    assert routes(body) == [
        ("http://127.0.0.250:8123/koop/app/webservice_v2?partner=9", "interamt", "parse_api")
    ]


def test_interamt_single_posting_link_asks_its_single_answer():
    body = '<a href="https://www.interamt.de/koop/app/stelle?id=880101&amp;utm_source=x">Sachbearbeiter</a>'
    assert routes(body) == [
        ("https://www.interamt.de/koop/app/webservice_v2?id=880101", "interamt", "parse_single")
    ]
    (request,) = found(body)
    assert (request.meta["role"], request.meta["posting_url"]) == (
        "candidate", "https://www.interamt.de/koop/app/stelle?id=880101",
    )  # fmt: skip


def test_vendor_requests_are_list_pages_of_this_source():
    (request,) = found('<iframe src="https://interamt.de/koop/app/trefferliste?partner=4711"></iframe>')
    assert (request.meta["role"], request.meta["source"]) == ("list", "test")


def test_personio_iframe_and_job_links_give_one_feed():
    body = (
        '<iframe src="https://lra-muster.jobs.personio.de/?language=de&amp;display=en"></iframe>'
        '<a href="https://lra-muster.jobs.personio.de/job/1472583">Sozialpädagoge</a>'
    )
    assert routes(body) == [
        ("https://lra-muster.jobs.personio.de/xml?language=de", "personio", "parse_personio")
    ]


def test_personio_dot_com_host():
    body = '<a href="https://lra-muster.jobs.personio.com/">Karriere</a>'
    assert routes(body) == [
        ("https://lra-muster.jobs.personio.com/xml?language=de", "personio", "parse_personio")
    ]


def test_dvinci_job_link_gives_the_customer_list():
    body = '<a href="https://lk-muster.dvinci-hr.com/de/jobs/4021/intro">Ingenieur</a>'
    assert routes(body) == [
        ("https://lk-muster.dvinci-hr.com/jobPublication/list.json", "dvinci", "parse_dvinci")
    ]


def test_dvinci_widget_data_url_keeps_its_portal_but_not_the_short_fields():
    body = (
        '<script src="https://static.dvinci-easy.com/files/job-widget-v1/widget.min.js"></script>'
        '<div class="dvinci-job-widget" '
        'data-url="https://lk-muster.dvinci-hr.com/portal/extern/jobPublication/list.json?fields=small&amp;lang=de">'
        "</div>"
    )
    assert routes(body) == [
        (
            "https://lk-muster.dvinci-hr.com/portal/extern/jobPublication/list.json?lang=de",
            "dvinci",
            "parse_dvinci",
        )
    ]


def test_dvinci_list_on_the_customers_own_host_is_found_by_its_path():
    body = '<div class="dvinci-job-widget" data-url="https://karriere.lra-muster.example/jobPublication/list.json?fields=small"></div>'
    assert routes(body) == [
        ("https://karriere.lra-muster.example/jobPublication/list.json", "dvinci", "parse_dvinci")
    ]


@pytest.mark.parametrize(
    "body",
    [
        '<a href="/stellen/sachbearbeiter.html">Sachbearbeiter (m/w/d)</a><iframe src="/karte"></iframe>',
        '<a href="https://www.interamt.de/">Stellenbörse interamt</a>',
        '<a href="https://www.interamt.de/koop/app/stellensuche">Alle Stellen im öffentlichen Dienst</a>',
        '<a href="https://www.personio.de/">Personio</a>',
        '<script src="https://static.dvinci-easy.com/files/job-widget-v1/widget.min.js"></script>',
        "<p>Wir nutzen interamt.de und personio für unsere Stellen.</p>",
    ],
    ids=["own-site", "interamt-home", "interamt-search", "personio-marketing", "dvinci-static", "prose"],
)
def test_no_vendor_portal_gives_nothing(body):
    assert found(body) == []


def test_json_answer_has_no_portals():
    response = TextResponse(
        url=HOME, body=b'{"a": "https://interamt.de/koop/app/x?partner=1"}', encoding="utf-8"
    )
    assert vendor_requests(make_spider("auto", HOME).strategy, response) == []


def test_feed_url_helpers_keep_a_given_feed():
    assert (
        personio_feed_url("https://x.jobs.personio.de/xml?language=en")
        == "https://x.jobs.personio.de/xml?language=en"
    )
    assert (
        dvinci_list_url("https://x.dvinci-hr.com/portal/p/")
        == "https://x.dvinci-hr.com/portal/p/jobPublication/list.json"
    )


# ----------------------------------------------------------------------------- hosts, per source only


def test_a_found_vendor_host_is_allowed_for_that_source_only():
    district, other = make_spider("auto", HOME), make_spider("auto", "https://www.nachbarkreis.example/")
    vendor_requests(
        district.strategy, page('<iframe src="http://127.0.0.250:8123/koop/app/x?partner=9"></iframe>')
    )
    url = "http://127.0.0.250:8123/koop/app/webservice_v2?partner=9"
    assert district.may_fetch(url) and not other.may_fetch(url)


def test_links_into_the_vendors_pages_are_not_the_sources_site():
    district = make_spider("auto", HOME)
    vendor_requests(
        district.strategy, page('<iframe src="https://interamt.de/koop/app/x?partner=9"></iframe>')
    )
    assert not district.is_allowed("https://interamt.de/koop/app/stelle?id=1") and district.is_allowed(HOME)


def test_interamt_may_answer_from_www_or_without():
    district = make_spider("auto", HOME)
    vendor_requests(
        district.strategy, page('<iframe src="https://www.interamt.de/koop/app/x?partner=9"></iframe>')
    )
    assert district.may_fetch("https://interamt.de/koop/app/webservice_v2?partner=9")
    assert district.is_vendor_host("https://www.interamt.de/") and not district.is_vendor_host(HOME)


def test_personio_company_may_answer_from_de_or_com():
    district = make_spider("auto", HOME)
    vendor_requests(district.strategy, page('<a href="https://lra-muster.jobs.personio.de/">Jobs</a>'))
    assert district.may_fetch("https://lra-muster.jobs.personio.com/xml?language=de")


def test_a_vendor_host_allows_exactly_that_host():
    district = make_spider("auto", HOME)
    vendor_requests(district.strategy, page('<a href="https://lra-muster.jobs.personio.de/">Jobs</a>'))
    assert not district.may_fetch("https://anderer.jobs.personio.de/xml")


# ---------------------------------------------------------------------------------- spider routing


def test_vendor_response_goes_to_the_vendors_strategy_of_the_source():
    crawl = make_spider("auto", HOME, max_depth=1)
    response = response_for(
        "https://lra-muster.jobs.personio.de/xml?language=de", fixture_bytes("vendors", "personio.xml"),
        "parse_personio", delegate="personio", kind=TextResponse,
    )  # fmt: skip
    results = postings(run(crawl, response))
    assert [p.source_id for p in results] == ["1472583", "1472590"]
    assert {p.source for p in results} == {"test"} and crawl.strategy_for(
        {"delegate": "personio"}
    ).options == {}


def test_vendor_strategy_object_is_kept_per_source():
    crawl = make_spider("auto", HOME)
    assert crawl.strategy_for({"delegate": "dvinci"}) is crawl.strategy_for({"delegate": "dvinci"})
    assert crawl.strategy_for({}) is crawl.strategy


def test_a_failed_vendor_list_makes_the_run_incomplete():
    crawl = make_spider("auto", HOME)
    response = response_for(
        "https://lk-muster.dvinci-hr.com/jobPublication/list.json", b"<html>Wartung</html>", "parse_dvinci",
        delegate="dvinci", kind=TextResponse,
    )  # fmt: skip
    assert run(crawl, response) == [] and crawl.list_failed and "d.vinci-JSON" in crawl.parse_errors[0][1]


# ------------------------------------------------------------------------------------------ Personio


@pytest.fixture
def personio():
    crawl = make_spider("personio", "https://lra-muster.jobs.personio.de/")
    url = "https://lra-muster.jobs.personio.de/xml?language=de"
    results = run(
        crawl,
        response_for(url, fixture_bytes("vendors", "personio.xml"), "parse_personio", kind=TextResponse),
    )
    return crawl, postings(results)


def test_personio_start_is_the_xml_feed():
    crawl = make_spider("personio", "https://lra-muster.jobs.personio.de/")
    (request,) = list(crawl.start_requests())
    assert (request.url, request.meta["handler"]) == (
        "https://lra-muster.jobs.personio.de/xml?language=de",
        "parse_personio",
    )


def test_personio_id_title_and_job_page(personio):
    first = personio[1][0]
    assert (first.source_id, first.title, first.url, first.apply_url) == (
        "1472583", "Sozialpädagoge (m/w/d) Allgemeiner Sozialdienst",
        "https://lra-muster.jobs.personio.de/job/1472583", "https://lra-muster.jobs.personio.de/job/1472583",
    )  # fmt: skip


def test_personio_description_sections_with_headings(personio):
    assert personio[1][0].description_html == (
        "<h3>Ihre Aufgaben</h3>\n<ul><li>Beratung von Familien</li><li>Hilfeplanung</li></ul>\n"
        "<h3>Ihr Profil</h3>\n<p>Abschluss Soziale Arbeit (B.A.), Vergütung nach S 12 TVöD SuE</p>"
    )


def test_personio_plain_text_section_becomes_a_paragraph(personio):
    assert personio[1][1].description_html == (
        "<h3>Was Sie erwartet</h3>\n<p>Drei Jahre Ausbildung in allen Bereichen des Amtes.</p>"
    )


def test_personio_employer_department_and_office(personio):
    first = personio[1][0]
    assert (first.employer, first.department, first.street, first.postal_code, first.city) == (
        "Landratsamt Musterkreis", "Sachgebiet 41 Jugendamt", "Schlossplatz 3", "91522", "Ansbach",
    )  # fmt: skip
    assert first.structured["offices"] == ["Schlossplatz 3, 91522 Ansbach", "Rothenburg ob der Tauber"]


def test_personio_office_without_postal_code_is_the_city(personio):
    assert (personio[1][1].postal_code, personio[1][1].city) == (None, "Ansbach")


def test_personio_schedule_and_employment_type(personio):
    first, second = personio[1]
    assert (first.working_time_text, first.term_text, second.working_time_text, second.term_text) == (
        "Vollzeit oder Teilzeit", "unbefristet", "Vollzeit", None,
    )  # fmt: skip


def test_personio_trainee_is_an_apprenticeship(personio):
    assert (personio[1][0].posting_type_text, personio[1][1].posting_type_text) == (
        None, "Ausbildung: Ausbildung Verwaltungsfachangestellte (m/w/d) 2027",
    )  # fmt: skip


def test_personio_created_at_is_date_posted(personio):
    assert [p.date_posted for p in personio[1]] == [date(2026, 11, 9), date(2026, 10, 30)]


def test_personio_position_without_name_is_a_parse_error_and_the_list_incomplete(personio):
    crawl, found_postings = personio
    assert len(found_postings) == 2 and len(crawl.parse_errors) == 1 and crawl.list_failed


def test_personio_feed_served_as_bytes_is_read():
    crawl = make_spider("personio", "https://lra-muster.jobs.personio.de/")
    url = "https://lra-muster.jobs.personio.de/xml"
    response = response_for(url, fixture_bytes("vendors", "personio.xml"), "parse_personio", kind=Response)
    assert [p.title for p in postings(run(crawl, response))][
        1
    ] == "Ausbildung Verwaltungsfachangestellte (m/w/d) 2027"


def test_personio_other_xml_is_a_german_parse_error():
    crawl = make_spider("personio", "https://lra-muster.jobs.personio.de/")
    response = response_for(
        "https://lra-muster.jobs.personio.de/xml",
        b"<rss><channel/></rss>",
        "parse_personio",
        kind=TextResponse,
    )
    assert run(crawl, response) == [] and crawl.list_failed and "workzag-jobs" in crawl.parse_errors[0][1]


# ------------------------------------------------------------------------------------------- d.vinci

DVINCI = "https://lk-muster.dvinci-hr.com/jobPublication/list.json"


@pytest.fixture
def dvinci():
    crawl = make_spider("dvinci", "https://lk-muster.dvinci-hr.com/de/jobs")
    results = run(
        crawl,
        response_for(DVINCI, fixture_bytes("vendors", "dvinci.json"), "parse_dvinci", kind=TextResponse),
    )
    return crawl, postings(results)


def test_dvinci_start_is_the_customer_list():
    (request,) = list(make_spider("dvinci", "https://lk-muster.dvinci-hr.com/de/jobs").start_requests())
    assert request.url == DVINCI


def test_dvinci_id_title_url_and_apply_url(dvinci):
    first = dvinci[1][0]
    assert (first.source_id, first.title, first.url, first.apply_url) == (
        "4021", "Ingenieur (m/w/d) Tiefbau",
        "https://lk-muster.dvinci-hr.com/de/jobs/4021/ingenieur-mwd-tiefbau",
        "https://lk-muster.dvinci-hr.com/de/jobs/4021/ingenieur-mwd-tiefbau/apply",
    )  # fmt: skip


def test_dvinci_without_publication_url_names_the_job_page(dvinci):
    assert dvinci[1][1].url == "https://lk-muster.dvinci-hr.com/de/jobs/4030"


def test_dvinci_description_from_its_sections(dvinci):
    first, second = dvinci[1][:2]
    assert first.description_html == (
        "<p>Der Landkreis sucht Verstärkung für den Straßenbau.</p>\n"
        "<ul><li>Planung von Kreisstraßen</li></ul>\n"
        "<ul><li>Bauingenieurwesen (Diplom/Bachelor)</li></ul>\n<p>Entgeltgruppe 11 TVöD</p>"
    )
    assert second.description_html == "<p>Sachbearbeitung im Aufenthaltsrecht</p>"


def test_dvinci_reference_department_employer(dvinci):
    first, second = dvinci[1][:2]
    assert (first.reference, first.department, first.employer, second.department) == (
        "TB-2026-08", "Tiefbau", "Landratsamt Musterkreis", "Ausländeramt",
    )  # fmt: skip


def test_dvinci_structured_location_or_its_name(dvinci):
    first, second = dvinci[1][:2]
    assert (first.street, first.postal_code, first.city) == ("Bahnhofstraße 9", "84130", "Dingolfing")
    assert (second.postal_code, second.city) == (None, "Landau a.d.Isar")


def test_dvinci_working_times_and_contract_period(dvinci):
    first, second = dvinci[1][:2]
    assert (first.working_time_text, first.term_text, second.working_time_text, second.term_text) == (
        "Vollzeit, Teilzeit", "befristet auf 2 Jahre", "Teilzeit", None,
    )  # fmt: skip


def test_dvinci_publication_start_is_date_posted(dvinci):
    assert [p.date_posted for p in dvinci[1]][:2] == [date(2026, 11, 12), date(2026, 11, 20)]


def test_dvinci_publication_end_is_the_deadline(dvinci):
    assert [p.deadline for p in dvinci[1]] == [date(2026, 12, 31), None, None]


def test_dvinci_salary_range_is_the_pay(dvinci):
    assert [p.pay_text for p in dvinci[1]] == ["Entgeltgruppe 11 TVöD", None, None]


def test_dvinci_location_address_and_org_unit(dvinci):
    third = dvinci[1][2]
    assert (third.street, third.postal_code, third.city, third.employer, third.date_posted) == (
        "Schulstraße 4", "84137", "Vilsbiburg", "Landratsamt Musterkreis", date(2026, 11, 18),
    )  # fmt: skip


def test_dvinci_entry_without_position_is_a_parse_error(dvinci):
    crawl, found_postings = dvinci
    assert len(found_postings) == 3 and len(crawl.parse_errors) == 1 and crawl.list_failed


def test_dvinci_wrapped_list_is_read():
    crawl = make_spider("dvinci", DVINCI)
    body = b'{"jobPublications": [{"id": 1, "position": "Hausmeister (m/w/d)"}]}'
    assert [
        p.title for p in postings(run(crawl, response_for(DVINCI, body, "parse_dvinci", kind=TextResponse)))
    ] == ["Hausmeister (m/w/d)"]


# ------------------------------------------------------------------------- interamt: single answers

PARTNER = "https://interamt.de/koop/app/webservice_v2?partner=4711"
SINGLE = "https://interamt.de/koop/app/webservice_v2?id=880101"


def listed_requests(crawl: SourceCrawl) -> list[Request]:
    body = fixture_bytes("interamt", "webservice_v2_short.json")
    return requests(run(crawl, response_for(PARTNER, body, "parse_api", kind=TextResponse)))


def answer(crawl: SourceCrawl, request: Request, body: bytes, status: int = 200) -> list:
    response = TextResponse(url=request.url, status=status, body=body, encoding="utf-8", request=request)
    return run(crawl, response)


def test_partner_list_asks_the_single_answer_of_each_posting():
    crawl = make_spider("interamt", PARTNER)
    assert [r.url for r in listed_requests(crawl)] == [
        SINGLE,
        "https://interamt.de/koop/app/webservice_v2?id=880102",
    ]
    assert [r.meta["role"] for r in listed_requests(crawl)] == ["candidate", "candidate"]


def test_single_answer_completes_the_list_posting():
    crawl = make_spider("interamt", PARTNER)
    request = listed_requests(crawl)[0]
    (posting,) = postings(answer(crawl, request, fixture_bytes("interamt", "single_880101.json")))
    assert (posting.source_id, posting.url, posting.contact_name, posting.apply_email) == (
        "880101", "https://interamt.de/koop/app/stelle?id=880101", "Jonas Muster",
        "bewerbung@rhoen-grabfeld.example",
    )  # fmt: skip
    assert posting.description_html.startswith("<p>Sie bearbeiten Zulassungen, Umschreibungen")
    assert (posting.street, posting.working_time_text) == (
        "Spörleinstraße 11",
        "Vollzeit, Teilzeit möglich, 39 Wochenstunden",
    )
    assert posting.date_posted == date(2026, 11, 14) and posting.source == "test"


def test_single_answer_keeps_what_only_the_list_said():
    crawl = make_spider("interamt", PARTNER)
    request = listed_requests(crawl)[0]
    single = fixture_bytes("interamt", "single_880101.json").replace(b'"Kennung": "ZUL-2026-17",', b"")
    (posting,) = postings(answer(crawl, request, single))
    assert posting.reference == "ZUL-2026-17"


def test_unreadable_single_answer_keeps_the_list_posting():
    crawl = make_spider("interamt", PARTNER)
    request = listed_requests(crawl)[0]
    (posting,) = postings(answer(crawl, request, b"<html>Fehler</html>"))
    assert (posting.source_id, posting.title, posting.reference) == (
        "880101", "Verwaltungsfachangestellte (m/w/d) Kfz-Zulassung", "ZUL-2026-17",
    )  # fmt: skip
    assert not crawl.list_failed


def test_failed_single_answer_keeps_the_list_posting():
    crawl = make_spider("interamt", PARTNER)
    request = listed_requests(crawl)[0]
    error = HttpError(Response(url=request.url, status=404, request=request))
    failure = Failure(error)
    failure.request = request
    (posting,) = postings(list(crawl.on_error(failure)))
    assert posting.source_id == "880101" and not crawl.list_failed


def test_single_link_without_list_is_read_alone():
    crawl = make_spider("auto", HOME)
    (request,) = vendor_requests(
        crawl.strategy, page('<a href="https://interamt.de/koop/app/stelle?id=880101">Stelle</a>')
    )
    (posting,) = postings(answer(crawl, request, fixture_bytes("interamt", "single_880101.json")))
    assert (posting.title, posting.url, posting.reference) == (
        "Verwaltungsfachangestellte (m/w/d) Kfz-Zulassung", "https://interamt.de/koop/app/stelle?id=880101",
        "ZUL-2026-17",
    )  # fmt: skip


def single_link(crawl: SourceCrawl) -> Request:
    body = '<a href="https://interamt.de/koop/app/stelle?id=880101">Stelle</a>'
    (request,) = vendor_requests(crawl.strategy, page(body))
    return request


def test_single_link_of_a_posting_that_is_gone_is_no_error():
    crawl = make_spider("auto", HOME)
    assert postings(answer(crawl, single_link(crawl), b"{}")) == []
    assert crawl.parse_errors == [] and not crawl.list_failed and not crawl.error_urls


def test_failed_single_link_keeps_the_posting_stored_under_its_page():
    crawl = make_spider("auto", HOME)
    request = single_link(crawl)
    failure = Failure(http_error(request.url, 503))
    failure.request = request
    assert list(crawl.on_error(failure)) == [] and not crawl.list_failed
    assert "https://interamt.de/koop/app/stelle?id=880101" in crawl.error_urls


def test_unreadable_single_link_is_a_parse_error_and_keeps_the_posting():
    crawl = make_spider("auto", HOME)
    assert postings(answer(crawl, single_link(crawl), b"<html>Wartung</html>")) == []
    assert (
        len(crawl.parse_errors) == 1 and "https://interamt.de/koop/app/stelle?id=880101" in crawl.error_urls
    )


def test_interamt_start_page_that_embeds_the_widget_reads_the_widget():
    crawl = make_spider("interamt", HOME)
    body = b'<html><body><iframe src="http://127.0.0.250:8123/koop/app/trefferliste?partner=9"></iframe></body></html>'
    results = run(crawl, response_for(HOME, body, "parse_api", kind=HtmlResponse))
    assert [r.url for r in requests(results)] == ["http://127.0.0.250:8123/koop/app/webservice_v2?partner=9"]
    assert crawl.may_fetch("http://127.0.0.250:8123/x") and not crawl.list_failed


# ---------------------------------------------------------------------------------------- refusals


def failure_for(url: str, error: Exception) -> Failure:
    failure = Failure(error)
    failure.request = Request(url)
    return failure


def http_error(url: str, status: int) -> HttpError:
    return HttpError(Response(url=url, status=status, request=Request(url)))


def test_too_many_requests_names_the_host():
    url = "https://www.interamt.de/koop/app/webservice_v2?partner=1"
    assert (
        refusal(failure_for(url, http_error(url, 429)), vendor=False)
        == "HTTP 429 (zu viele Anfragen) von interamt.de"
    )


def test_vendor_forbidden_and_robots_name_the_host():
    url = "https://interamt.de/koop/app/webservice_v2?partner=1"
    assert (
        refusal(failure_for(url, http_error(url, 403)), vendor=True)
        == "interamt.de verweigert den Abruf: HTTP 403"
    )
    robots = IgnoreRequest("Forbidden by robots.txt")
    assert refusal(failure_for(url, robots), vendor=True) == "interamt.de verweigert den Abruf: robots.txt"


def test_district_site_keeps_its_plain_reasons():
    url = "https://www.landkreis-muster.example/stellen"
    assert refusal(failure_for(url, http_error(url, 403)), vendor=False) is None


def test_refused_vendor_list_is_recorded_per_source_and_fails_the_list():
    crawl = make_spider("auto", HOME)
    (request,) = vendor_requests(
        crawl.strategy, page('<iframe src="https://interamt.de/koop/app/x?partner=1"></iframe>')
    )
    failure = Failure(IgnoreRequest("Forbidden by robots.txt"))
    failure.request = request
    assert list(crawl.on_error(failure)) == []
    assert (
        crawl.fetch_errors == [(request.url, "interamt.de verweigert den Abruf: robots.txt")]
        and crawl.list_failed
    )
