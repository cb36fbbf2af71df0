"""Downloader middlewares of the crawl (see runner.scrapy_settings for where they sit)."""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, but each retry waits longer (1 s, 2 s, 4 s … capped): a sick site is not hammered."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    async def process_request(self, request, spider=None):
        retries = request.meta.get("retry_times", 0)
        if retries:
            await asyncio.sleep(min(self.cap, self.base * 2 ** (retries - 1)))
        return None


class SourceOffsiteMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter, but with the allowed domains of the request's own source.

    A request filtered when it is scheduled (a redirect off the site) never reaches its errback, so the
    spider is told: for its source that page failed.
    """

    def should_follow(self, request: Request, spider: Any) -> bool:
        crawl = spider.crawl_of(request) if hasattr(spider, "crawl_of") else None
        if crawl is None:
            return super().should_follow(request, spider)
        return crawl.is_allowed(request.url)

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
