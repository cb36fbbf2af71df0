"""feed: RSS 2.0 and Atom, items followed to their posting pages."""

from __future__ import annotations

from datetime import date

import pytest
from scrapy.http import Response, XmlResponse

from tests.crawler.test_strategies_common import (
    fixture_bytes,
    make_spider,
    postings,
    requests,
    response_for,
    run,
)

BASE = "https://www.kitzingen.example"


def feed_results(name: str, url: str = f"{BASE}/stellen.rss"):
    spider = make_spider("feed", url)
    return spider, run(spider, response_for(url, fixture_bytes("feed", name), "parse_feed", kind=XmlResponse))


def item_meta(request):
    return {k: v for k, v in request.meta.items() if k not in ("handler", "role")}


def test_rss_items_lead_to_detail_pages():
    _, results = feed_results("rss.xml")
    assert [(r.url, r.meta["role"]) for r in requests(results)] == [
        (f"{BASE}/stellen/sozpaed-17", "detail"),
        (f"{BASE}/stellen/azubi", "detail"),
    ]


@pytest.fixture
def rss_item():
    return requests(feed_results("rss.xml")[1])[0].meta["fallback"]


def test_rss_item_title(rss_item):
    assert rss_item.title == "Sozialpädagoge (m/w/d) Jugendamt"


def test_rss_item_guid_is_source_id(rss_item):
    assert rss_item.source_id == "stelle-17"


def test_rss_item_pub_date(rss_item):
    assert rss_item.date_posted == date(2026, 11, 2)


def test_rss_item_description(rss_item):
    assert rss_item.description_html == "<p>Kurztext Jugendamt</p>"


def test_rss_item_without_guid_gets_url_id():
    assert requests(feed_results("rss.xml")[1])[1].meta["fallback"].source_id == "/stellen/azubi"


def test_atom_entry():
    spider, results = feed_results("atom.xml", "https://www.landkreis-wuerzburg.example/stellen.atom")
    item = requests(results)[0].meta["fallback"]
    assert (item.title, item.source_id, item.date_posted, item.url) == (
        "IT-Administrator (m/w/d)", "urn:lra-wue:stelle:88", date(2026, 11, 4),
        "https://www.landkreis-wuerzburg.example/karriere/it-admin",
    )  # fmt: skip


def test_offsite_item_is_taken_from_the_feed():
    _, results = feed_results("rss.xml", "https://feeds.other.example/stellen.rss")
    assert [p.title for p in postings(results)][0] == "Sozialpädagoge (m/w/d) Jugendamt"


@pytest.fixture
def detail_posting():
    spider, results = feed_results("rss.xml")
    request = requests(results)[0]
    body = fixture_bytes("feed", "detail_structured.html")
    response = response_for(request.url, body, "parse_detail", "detail", **item_meta(request))
    return postings(run(spider, response))[0]


def test_detail_structured_data_wins(detail_posting):
    assert (detail_posting.title, detail_posting.deadline, detail_posting.employer) == (
        "Sozialpädagoge (m/w/d) im Jugendamt", date(2026, 12, 20), "Landratsamt Kitzingen",
    )  # fmt: skip


def test_detail_keeps_the_feed_id_and_date(detail_posting):
    assert (detail_posting.source_id, detail_posting.date_posted) == ("stelle-17", date(2026, 11, 2))


def test_detail_without_structured_data_falls_back_to_item():
    spider, results = feed_results("rss.xml")
    request = requests(results)[1]
    body = b"<html><body><p>Seite</p></body></html>"
    response = response_for(request.url, body, "parse_detail", "detail", **item_meta(request))
    assert postings(run(spider, response))[0].title == "Auszubildende (m/w/d) Verwaltungsfachangestellte"


def test_a_detail_link_that_answers_with_a_pdf_falls_back_to_the_item():
    """A binary answer (application/pdf) has no page to read schema.org from: the feed's item stands."""
    spider, results = feed_results("rss.xml")
    request = requests(results)[1]
    body = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    response = response_for(request.url, body, "parse_detail", "detail", kind=Response, **item_meta(request))
    (posting,) = postings(run(spider, response))
    assert posting.title == "Auszubildende (m/w/d) Verwaltungsfachangestellte"
    assert spider.parse_errors == []


def test_broken_feed_is_a_parse_error_and_fails_the_list():
    spider = make_spider("feed", f"{BASE}/stellen.rss")
    body = fixture_bytes("feed", "rss.xml")[:300]
    assert run(spider, response_for(f"{BASE}/stellen.rss", body, "parse_feed", kind=XmlResponse)) == []
    assert spider.parse_errors and spider.list_failed


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        # charset only in the header: the XML declaration says nothing
        (b"application/rss+xml; charset=ISO-8859-1", "<?xml version='1.0'?>"),
        # a server that calls everything UTF-8: the document's own declaration is tried next
        (b"application/rss+xml; charset=utf-8", "<?xml version='1.0' encoding='ISO-8859-1'?>"),
    ],
)
def test_a_latin1_feed_is_read_whichever_place_names_its_charset(content_type, body):
    rss = body + "<rss version='2.0'><channel><item><title>Gärtner (m/w/d) für Grünflächen</title>"
    rss += "<link>https://anderswo.example/x</link><guid>g1</guid></item></channel></rss>"
    url = f"{BASE}/stellen.rss"
    spider = make_spider("feed", url)
    request = response_for(url, b"", "parse_feed").request
    response = XmlResponse(
        url=url, body=rss.encode("latin-1"), headers={"Content-Type": content_type}, request=request
    )
    found = postings(run(spider, response))
    assert [p.title for p in found] == ["Gärtner (m/w/d) für Grünflächen"] and not spider.parse_errors
