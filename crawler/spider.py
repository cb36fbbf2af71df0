"""The one spider: crawls one configured source with its extraction strategy and keeps the books.

Bookkeeping for the run recorder (read after the crawl):
- ``pages``: responses parsed;
- ``parse_errors``: (url, reason) for pages that were fetched but could not be read;
- ``fetch_errors``: (url, reason) for HTTP >= 400 after retries, timeouts, DNS/connection errors and
  robots.txt denials;
- ``list_failed``: a start/list/feed/API page failed or was unreadable, so the run is not complete;
- ``error_urls``: posting URLs whose page failed, so their postings must not expire.

Politeness (robots.txt, throttling, user agent, timeouts, size caps, cache) is the runner's business:
``custom_settings`` stays empty on purpose.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError as TxConnectionRefused
from twisted.internet.error import DNSLookupError, TCPTimedOutError
from twisted.internet.error import TimeoutError as TxTimeoutError
from twisted.python.failure import Failure

from crawler.config import SourceConfig
from crawler.items import RawPosting
from crawler.strategies import STRATEGIES
from crawler.strategies.common import DETAIL, LIST

logger = logging.getLogger(__name__)


class DistrictSpider(scrapy.Spider):
    name = "district"
    custom_settings: dict[str, Any] = {}

    def __init__(self, source: SourceConfig | dict[str, Any] | None = None, **kwargs: Any) -> None:
        if source is None:
            raise ValueError("DistrictSpider braucht source=SourceConfig(...)")
        if isinstance(source, dict):
            source = SourceConfig.model_validate(source)
        super().__init__(**kwargs)
        self.source = source
        self.start_urls = list(source.start_urls)
        self.strategy = STRATEGIES[source.strategy](source, self)
        self.allowed_domains = source.allowed_domains or default_domains(source)
        self.pages = 0
        self.parse_errors: list[tuple[str, str]] = []
        self.fetch_errors: list[tuple[str, str]] = []
        self.list_failed = False
        self.error_urls: set[str] = set()
        self._seen_ids: set[str] = set()

    async def start(self) -> AsyncIterator[Any]:
        for request in self.strategy.start_requests():
            yield request

    # ------------------------------------------------------------------------------- callbacks

    def dispatch(self, response: scrapy.http.Response) -> Iterator[Any]:
        """Every response of every strategy comes here: count it, run its handler, catch its errors."""
        self.pages += 1
        role = response.meta.get("role", LIST)
        handler = getattr(self.strategy, response.meta.get("handler", "parse_list"))
        errors_before, found = self._errors_for(response.url), 0
        try:
            for result in handler(response):
                if isinstance(result, RawPosting):
                    found += 1
                    result = self._stamp(result, response.url)
                if result is not None:
                    yield result
        except Exception as exc:  # a broken page of any kind must not stop the crawl
            self.record_parse_error(response.url, _reason(exc))
        if role == DETAIL and not found and self._errors_for(response.url) == errors_before:
            self.record_parse_error(response.url, "keine Stellenanzeige auf der Seite gefunden")
        # A list page with any error may have hidden postings; a posting page only if it gave none.
        if self._errors_for(response.url) > errors_before and (role == LIST or not found):
            self._page_failed(response.request or response, role, response.url)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        """Errback of every request: record, mark, and carry on (a fallback posting if there is one)."""
        request = failure.request
        reason = describe_failure(failure)
        self.fetch_errors.append((request.url, reason))
        logger.warning("Abruf fehlgeschlagen: %s (%s)", request.url, reason)
        fallback = request.meta.get("fallback")
        if fallback is not None and request.meta.get("fallback_on_error"):
            if (stamped := self._stamp(fallback, request.url)) is not None:
                yield stamped
            return
        self._page_failed(request, request.meta.get("role", LIST), request.url)

    # ----------------------------------------------------------------------------- bookkeeping

    def record_parse_error(self, url: str, reason: str) -> None:
        logger.warning("Seite nicht lesbar: %s (%s)", url, reason)
        self.parse_errors.append((url, reason[:500]))

    def is_allowed(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in (x.lower() for x in self.allowed_domains))

    def _page_failed(self, request: Any, role: str, url: str) -> None:
        if role == LIST:
            self.list_failed = True
            return
        self.error_urls.add(url)
        self.error_urls.add(request.url)
        fallback = request.meta.get("fallback") if hasattr(request, "meta") else None
        if fallback is not None:
            self.error_urls.add(fallback.url)

    def _errors_for(self, url: str) -> int:
        # Counted per URL: Scrapy interleaves callbacks, so a global count could include other pages.
        return sum(1 for u, _ in self.parse_errors if u == url)

    def _stamp(self, posting: RawPosting, url: str) -> RawPosting | None:
        if not posting.title.strip():
            self.record_parse_error(url, "Stellenanzeige ohne Titel")
            return None
        if posting.source_id in self._seen_ids:
            return None  # the same posting reached twice (list page and detail page)
        self._seen_ids.add(posting.source_id)
        posting.source, posting.district = self.source.key, self.source.district
        return posting


def default_domains(source: SourceConfig) -> list[str]:
    """The hosts of the start URLs and of a configured feed/API URL."""
    urls = [*source.start_urls, source.options.get("feed_url"), source.options.get("api_url")]
    hosts = {urlsplit(u).hostname for u in urls if isinstance(u, str) and u}
    return sorted(h for h in hosts if h)


def describe_failure(failure: Failure) -> str:
    """A short German reason for the run report."""
    error = failure.value
    if isinstance(error, HttpError):
        return f"HTTP {error.response.status}"
    if isinstance(error, IgnoreRequest):
        if "robots" in str(error).lower():
            return "robots.txt verbietet den Abruf"
        return f"Abruf verworfen: {error}"
    if isinstance(error, TxTimeoutError | TCPTimedOutError) or "timeout" in type(error).__name__.lower():
        return "Zeitüberschreitung"
    if isinstance(error, DNSLookupError):
        return "Name nicht auflösbar (DNS)"
    if isinstance(error, TxConnectionRefused):
        return "Verbindung abgelehnt"
    return _reason(error)


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]
