"""Shared helpers of the strategy tests, and tests of crawler.strategies.common.

Responses are built inside fixtures from files under fixtures/<strategy>/, never at import time.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request, Response, TextResponse

from crawler.config import SourceConfig
from crawler.items import RawPosting
from crawler.spider import SourceCrawl
from crawler.strategies.common import parse_place, to_date, url_source_id

FIXTURES = Path(__file__).parent / "fixtures"
REPO_ROOT = Path(__file__).resolve().parents[2]


def make_spider(strategy: str, url: str, **options: Any) -> SourceCrawl:
    """The spider's bookkeeping for one source (what a real crawl keeps per source)."""
    source = SourceConfig(
        key="test", district="testkreis", strategy=strategy, start_urls=[url], options=options
    )
    return SourceCrawl(source)


def response_for(
    url: str, body: bytes, handler: str, role: str = "list", kind: type[Response] = HtmlResponse, **meta: Any
) -> Response:
    request = Request(url, meta={"handler": handler, "role": role, **meta})
    if issubclass(kind, TextResponse):
        return kind(url=url, body=body, encoding="utf-8", request=request)
    return kind(url=url, body=body, request=request)


def fixture_bytes(strategy: str, name: str) -> bytes:
    return (FIXTURES / strategy / name).read_bytes()


def run(spider: SourceCrawl, response: Response) -> list[Any]:
    """Everything the spider yields for one response, through its real bookkeeping."""
    return list(spider.dispatch(response))


def postings(results: list[Any]) -> list[RawPosting]:
    return [r for r in results if isinstance(r, RawPosting)]


def requests(results: list[Any]) -> list[Request]:
    return [r for r in results if isinstance(r, Request)]


def test_source_id_is_path_and_query_without_tracking():
    assert url_source_id("https://www.lra.de/stellen/x?utm_source=nl&id=4#top") == "/stellen/x?id=4"


def test_source_id_ignores_scheme_host_and_query_order():
    assert url_source_id("http://lra.de/s/?b=2&a=1") == url_source_id("https://www.lra.de/s?a=1&b=2")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Brückenstraße 1, 63897 Miltenberg", ("Brückenstraße 1", "63897", "Miltenberg")),
        ("97616 Bad Neustadt a.d.Saale (Dienstsitz)", (None, "97616", "Bad Neustadt a.d.Saale")),
        ("kein Ort", (None, None, None)),
        ("84130 Dingolfing.", (None, "84130", "Dingolfing")),  # the sentence's full stop
        ("94405 Landau a.d.Isar.", (None, "94405", "Landau a.d.Isar")),
        ("97616 Bad Neustadt a.d.", (None, "97616", "Bad Neustadt a.d.")),  # an abbreviation keeps its dot
    ],
)
def test_parse_place(text, expected):
    assert parse_place(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-12-15T23:59:00+01:00", date(2026, 12, 15)),
        ("15.12.2026", date(2026, 12, 15)),
        ("bis 3. März 2027", date(2027, 3, 3)),
        ("demnächst", "demnächst"),
        ("", None),
        (1796083200, date(2026, 12, 1)),  # Unix seconds, as vendor JSON gives them (Berlin day)
        ("/Date(1796083200000)/", date(2026, 12, 1)),  # a .NET JSON date
    ],
)
def test_to_date(value, expected):
    assert to_date(value) == expected


def test_spider_stamps_source_and_district():
    spider = make_spider("structured", "https://www.landkreis-miltenberg.de/stellen")
    url = "https://www.landkreis-miltenberg.de/stellen/sachbearbeiter-bauamt"
    found = postings(
        run(spider, response_for(url, fixture_bytes("structured", "jsonld_plain.html"), "parse_detail"))
    )
    assert (found[0].source, found[0].district) == ("test", "testkreis")


def test_spider_allowed_domains_default_to_start_host():
    assert make_spider("html", "https://www.lra-kg.de/x", link_selector="a").allowed_domains == [
        "www.lra-kg.de"
    ]


def test_html_strategy_without_link_selector_is_a_config_error():
    with pytest.raises(ValueError, match="link_selector"):
        make_spider("html", "https://www.lra-kg.de/x")


def test_a_broken_link_or_attribute_costs_that_link_only():
    from crawler.strategies.common import same_site_links

    body = (
        b'<a href="http://[broken">kaputt</a><a title="a\x01b" href="/stellen/1">Stelle eins</a>'
        b'<a href="/stellen/2">Stelle zwei</a>'
    )
    spider = make_spider("auto", "https://lra.example/")
    response = HtmlResponse("https://lra.example/", body=body, encoding="utf-8")
    assert [url for url, _ in same_site_links(response, spider)] == [
        "https://lra.example/stellen/1",
        "https://lra.example/stellen/2",
    ]


def test_relative_links_resolve_against_the_pages_base_href():
    from crawler.strategies.common import same_site_links

    body = (
        b'<html><head><base href="https://lra.example/"></head><body>'
        b'<a href="stellenausschreibungen/hausmeister.html">Hausmeister (m/w/d)</a></body></html>'
    )
    spider = make_spider("auto", "https://lra.example/")
    response = HtmlResponse("https://lra.example/landratsamt/stellen.html", body=body, encoding="utf-8")
    assert [url for url, _ in same_site_links(response, spider)] == [
        "https://lra.example/stellenausschreibungen/hausmeister.html"
    ]
