"""One spider for all sources: each source is finished on its own, with its own domains and books.

The end-to-end crawl (runs finishing, lifecycle, failures over real HTTP) is in test_crawl_e2e.py; here
the spider's bookkeeping is driven directly, with Scrapy's signals sent by hand.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.config import SourceConfig
from crawler.middlewares import SourceOffsiteMiddleware, WesternFallbackEncodingMiddleware
from crawler.runner import crawl_sources
from crawler.spider import DistrictSpider, SourceCrawl
from tests.crawler.test_strategies_common import fixture_bytes, postings, requests, response_for

LIST_URL = "https://www.lra-a.example/stellen"


def source(key: str, host: str, **options: Any) -> SourceConfig:
    return SourceConfig(key=key, district=key, strategy="structured", start_urls=[f"https://{host}/stellen"],
                        options=options)  # fmt: skip


class Spider:
    """A DistrictSpider on a test crawler, recording every `finish(crawl, reason)` call."""

    def __init__(self, *sources: SourceConfig) -> None:
        self.finished: list[tuple[str, str]] = []
        self.crawls = [SourceCrawl(s) for s in sources]
        self.crawler = get_crawler(DistrictSpider)
        self.spider = DistrictSpider.from_crawler(
            self.crawler, crawls=self.crawls, finish=lambda c, r: self.finished.append((c.key, r))
        )
        self.crawler.spider = self.spider

    def send(self, signal, **kwargs: Any) -> None:
        self.crawler.signals.send_catch_log(signal, spider=self.spider, **kwargs)

    def start(self, crawl: SourceCrawl) -> list[Request]:
        return list(crawl.start_requests())


def list_response(request: Request) -> HtmlResponse:
    body = fixture_bytes("structured", "list.html")
    return response_for(request.url, body, "parse_list", source=request.meta["source"])


def test_requests_carry_their_source():
    test = Spider(source("a", "www.lra-a.example"), source("b", "www.lra-b.example"))
    assert [r.meta["source"] for c in test.crawls for r in test.start(c)] == ["a", "b"]


def test_a_source_is_finished_when_its_requests_and_postings_came_back():
    test = Spider(source("a", "www.lra-a.example"), source("b", "www.lra-b.example"))
    a, b = test.crawls
    (start,) = test.start(a)
    test.start(b)
    results = list(a.dispatch(list_response(start)))
    found, followed = postings(results), requests(results)
    assert found or followed
    for posting in found:
        test.send(signals.item_scraped, item=posting, response=None)
    for request in followed[:-1]:
        test.send(signals.request_dropped, request=request)
    assert test.finished == []  # one request of "a" is still out
    test.send(signals.request_dropped, request=followed[-1])
    assert test.finished == [("a", "finished")]  # "b" is still waiting for its list page


def test_a_dropped_posting_counts_as_back():
    test = Spider(source("a", "www.lra-a.example"))
    (crawl,) = test.crawls
    (start,) = test.start(crawl)
    body = fixture_bytes("structured", "jsonld_plain.html")
    found = postings(list(crawl.dispatch(response_for(start.url, body, "parse_detail", source="a"))))
    assert found and test.finished == []  # the postings are still in the pipelines
    for posting in found:
        test.send(signals.item_dropped, item=posting, response=None, exception=Exception("ungültig"))
    assert test.finished == [("a", "finished")]


def test_spider_close_finishes_open_sources_with_its_reason():
    test = Spider(source("a", "www.lra-a.example"), source("b", "www.lra-b.example"))
    a, b = test.crawls
    (start_a,) = test.start(a)
    test.start(b)
    list(a.on_error(_failure(start_a)))
    test.send(signals.spider_closed, reason="shutdown")
    assert test.finished == [("a", "finished"), ("b", "shutdown")]


def test_a_source_whose_strategy_cannot_start_is_done_with_an_error():
    test = Spider(source("a", "www.lra-a.example"))
    (crawl,) = test.crawls
    crawl.strategy.start_requests = _raise
    assert test.start(crawl) == []
    assert crawl.parse_errors and "Start nicht möglich" in crawl.parse_errors[0][1]
    assert test.finished == [("a", "finished")] and crawl.pages == 0


def test_offsite_filter_uses_the_domains_of_the_request_source():
    test = Spider(source("a", "www.lra-a.example"), source("b", "www.lra-b.example"))
    offsite = SourceOffsiteMiddleware.from_crawler(test.crawler)
    offsite.spider_opened(test.spider)
    a, _ = test.crawls
    test.start(a)
    own = Request("https://www.lra-a.example/stellen/1", meta={"source": "a"})
    foreign = Request("https://www.lra-b.example/stellen/1", meta={"source": "a"})
    assert offsite.process_request(own) is None
    with pytest.raises(IgnoreRequest):
        offsite.process_request(foreign)
    # Filtered when scheduled (a redirect off the site): the request is gone, so "a" is done.
    a.pending = 1
    with pytest.raises(IgnoreRequest):
        offsite.request_scheduled(foreign, test.spider)
    assert test.finished == [("a", "finished")]


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        (b"text/html", "<p>Bürokauffrau für Straßenbau</p>".encode("cp1252"), "cp1252"),
        (b"text/html", "<p>Bürokauffrau</p>".encode(), "utf-8"),
        (b"text/html; charset=iso-8859-2", "<p>Bürokauffrau</p>".encode("iso-8859-2"), "iso8859-2"),
        (b"text/html", b"<meta charset='koi8-r'><p>\xe2</p>", "koi8-r"),
    ],
)
def test_pages_without_declared_encoding_fall_back_to_windows_1252(content_type, body, expected, monkeypatch):
    monkeypatch.setattr("scrapy.http.response.text.from_bytes", _no_charset_detection)
    response = HtmlResponse("https://www.lra-a.example/", body=body, headers={"Content-Type": content_type})
    seen = WesternFallbackEncodingMiddleware().process_response(Request(response.url), response)
    assert seen.encoding == expected
    assert "\ufffd" not in seen.text


def test_a_source_that_cannot_start_fails_alone(tmp_path):
    from crawler.config import DistrictsConfig
    from vacancies.service import open_board
    from vacancies.settings import Settings

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'board.db'}", search_backend="sqlite")
    # Loading districts.yaml refuses this (options.link_selector missing); a strategy that still cannot
    # start, whatever the reason, must fail its own source only.
    broken = SourceConfig.model_construct(key="kaputt", district="testkreis", strategy="html", options={},
                                          start_urls=["http://127.0.0.1:9/stellen"], allowed_domains=[],
                                          enabled=True, schedule=None)  # fmt: skip
    (run,) = crawl_sources(DistrictsConfig(districts=[]), [broken], settings, board=open_board(settings))
    assert run.status == "failed" and run.expired == 0
    assert "link_selector" in run.errors[0][1]


def _no_charset_detection(*_args, **_kwargs):
    raise AssertionError("charset detection costs tens of milliseconds per page")


def _raise():
    raise ValueError("options.api_url fehlt")


def _failure(request: Request):
    from twisted.python.failure import Failure

    failure = Failure(IgnoreRequest("robots.txt"))
    failure.request = request
    return failure


class ClaimingSpider(Spider):
    """A spider that takes its sources from `bundles` (as from a BundleQueue), `max_active` at a time.

    The test crawler has no engine; a stand-in with the parts the spider looks at says whether anything
    is in flight (the real engine is exercised by the two-worker crawl in test_crawl_e2e)."""

    def __init__(self, bundles: list[list[str]], max_active: int, *sources: SourceConfig) -> None:
        self.finished = []
        self.crawls = [SourceCrawl(s) for s in sources]
        self.crawler = get_crawler(DistrictSpider)
        queue = iter(bundles)
        self.spider = DistrictSpider.from_crawler(
            self.crawler, crawls=self.crawls, finish=lambda c, r: self.finished.append((c.key, r)),
            claim=lambda: next(queue, None), max_active=max_active,
        )  # fmt: skip
        self.crawler.spider = self.spider
        self.in_flight = True
        scraper = SimpleNamespace(slot=SimpleNamespace(is_idle=lambda: not self.in_flight))
        scheduler = SimpleNamespace(has_pending_requests=lambda: self.in_flight)
        self.crawler.engine = SimpleNamespace(
            scraper=scraper,
            downloader=SimpleNamespace(active=set()),
            _slot=SimpleNamespace(scheduler=scheduler),
        )


async def _source_of(pending: asyncio.Future, timeout: float) -> str | None:
    """The source of the start request `pending` resolves to, or None while the spider still waits."""
    done, _ = await asyncio.wait({pending}, timeout=timeout)
    return pending.result().meta["source"] if done else None


def _start_requests(test: ClaimingSpider):
    starting = test.spider.start()
    return starting, lambda: asyncio.ensure_future(anext(starting))


def test_claimed_sources_start_a_few_at_a_time():
    test = ClaimingSpider([["a"], ["b", "c"], ["d"]], 2, *(source(k, f"www.lra-{k}.example") for k in "abcd"))

    async def scenario() -> None:
        starting, next_request = _start_requests(test)
        assert [await _source_of(next_request(), 1) for _ in range(3)] == ["a", "b", "c"]
        waiting = next_request()
        assert await _source_of(waiting, 0.3) is None  # three unfinished, two allowed: d waits
        test.spider._close_source(test.spider.crawls["a"], "finished")
        assert await _source_of(waiting, 0.3) is None  # still two unfinished
        test.spider._close_source(test.spider.crawls["b"], "finished")
        assert await _source_of(waiting, 1) == "d"
        test.spider._close_source(test.spider.crawls["c"], "finished")
        with pytest.raises(StopAsyncIteration):  # a free slot, but nothing left to claim: start() ends
            await asyncio.wait_for(anext(starting), 1)

    asyncio.run(scenario())
    assert set(test.spider.crawls) == {"a", "b", "c", "d"}


def test_sources_stuck_with_nothing_in_flight_do_not_hold_back_the_rest():
    """Should a source's count of pending requests go wrong, the next bundle starts once nothing moves."""
    test = ClaimingSpider([["a"], ["b"]], 1, *(source(k, f"www.lra-{k}.example") for k in "ab"))

    async def scenario() -> None:
        _, next_request = _start_requests(test)
        assert await _source_of(next_request(), 1) == "a"
        waiting = next_request()
        assert await _source_of(waiting, 0.3) is None  # "a" unfinished and requests in flight
        test.in_flight = False  # "a" never reports back, but nothing is downloading or queued
        assert await _source_of(waiting, 1) == "b"

    asyncio.run(scenario())


def test_scrapy_builds_no_records_below_the_crawl_log_level():
    import logging

    from scrapy.settings import Settings as ScrapySettings
    from scrapy.utils.log import install_scrapy_root_handler

    from crawler.runner import quiet_scrapy

    before = logging.getLogger("scrapy").level, logging.root.level, logging.root.handlers[:]
    try:
        quiet_scrapy("WARNING")
        install_scrapy_root_handler(ScrapySettings({"LOG_LEVEL": "WARNING"}))  # as each crawler does
        assert logging.root.level == logging.NOTSET
        assert not logging.getLogger("scrapy.core.engine").isEnabledFor(logging.DEBUG)
        assert logging.getLogger("scrapy.core.engine").isEnabledFor(logging.WARNING)
        quiet_scrapy("DEBUG")  # an operator debugging a source gets everything
        assert logging.getLogger("scrapy.core.scraper").isEnabledFor(logging.DEBUG)
    finally:
        logging.getLogger("scrapy").setLevel(before[0])
        logging.root.setLevel(before[1])
        logging.root.handlers[:] = before[2]
