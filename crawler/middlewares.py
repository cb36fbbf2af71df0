"""Downloader middlewares of the crawl (see runner.scrapy_settings for where they sit)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, but each retry waits longer (1 s, 2 s, 4 s … capped): a sick site is not hammered.

    A 429 or 503 with ``Retry-After`` (seconds or an HTTP date) waits at least that long before the
    retry, capped by RETRY_AFTER_MAX: a host that asks for a pause gets it, one that asks for an hour
    does not stall the crawl (the retries run out and the page fails with its reason).
    """

    RETRY_AFTER_CODES = (429, 503)

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)
        self.after_cap = settings.getfloat("RETRY_AFTER_MAX", 60.0)

    async def process_request(self, request, spider=None):
        retries = request.meta.get("retry_times", 0)
        if retries:
            await asyncio.sleep(self.delay(request))
        return None

    def delay(self, request: Request) -> float:
        """Seconds to wait before this retry: the back-off, or longer if the host asked for it."""
        wait = min(self.cap, self.base * 2 ** (request.meta.get("retry_times", 1) - 1))
        asked = request.meta.get("retry_after")
        return max(wait, min(self.after_cap, asked)) if asked is not None else wait

    def process_response(self, request, response, spider=None):
        result = super().process_response(request, response)
        if isinstance(result, Request):
            asked = retry_after(response) if response.status in self.RETRY_AFTER_CODES else None
            # The copy carries the meta of the last try: a stale pause must not outlive its answer.
            result.meta.pop("retry_after", None)
            if asked is not None:
                result.meta["retry_after"] = asked
        return result


def retry_after(response: Response, now: datetime | None = None) -> float | None:
    """The pause a ``Retry-After`` header asks for, in seconds (>= 0), or None if absent or unreadable."""
    value = (response.headers.get(b"Retry-After") or b"").decode("latin-1").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class SourceOffsiteMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter, but with the allowed domains of the request's own source (its site and
    the vendor portals found on it, `SourceCrawl.may_fetch`).

    A request filtered when it is scheduled (a redirect off the site) never reaches its errback, so the
    spider is told: for its source that page failed.
    """

    def should_follow(self, request: Request, spider: Any) -> bool:
        crawl = spider.crawl_of(request) if hasattr(spider, "crawl_of") else None
        if crawl is not None:
            return crawl.may_fetch(request.url)
        # A request of no source (robots.txt of a vendor host a source may cross to) must pass, or the
        # vendor's robots.txt would go unread and count as "allow all".
        if hasattr(spider, "allows_anywhere") and spider.allows_anywhere(request.url):
            return True
        return super().should_follow(request, spider)

    def request_scheduled(self, request: Request, spider: Any) -> None:
        try:
            super().request_scheduled(request, spider)
        except IgnoreRequest:
            if hasattr(spider, "request_offsite"):
                spider.request_offsite(request)
            raise


class WesternFallbackEncodingMiddleware:
    """A page that declares no encoding and is not UTF-8 is read as windows-1252.

    That is what browsers in a German locale do (the HTML standard's fallback), and it spares Scrapy's
    statistical charset detection, which costs tens of milliseconds per page. Pages that declare
    their encoding (header, BOM, meta or XML declaration) or are valid UTF-8 are left alone.
    """

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if not isinstance(response, TextResponse) or _declares_encoding(response):
            return response
        try:
            response.body.decode("utf-8")
        except UnicodeDecodeError:
            # Not response.replace(): it reads response.encoding and so runs the detection anyway.
            kept = {name: getattr(response, name) for name in response.attributes if name != "encoding"}
            return type(response)(**kept, encoding="cp1252")
        return response


def _declares_encoding(response: TextResponse) -> bool:
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    if http_content_type_encoding(content_type):
        return True
    return bool(read_bom(response.body)[0] or html_body_declared_encoding(response.body))
