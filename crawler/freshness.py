"""Conditional re-crawls (issue 19, item 7): a page that has not changed since the last run costs a 304.

After a full answer (200) that carries an ETag or a Last-Modified, the page's validators and the
postings it gave are stored per source and URL (table page_validators, migration 0015). The next crawl
sends them back (If-None-Match / If-Modified-Since, `ConditionalRequestMiddleware`); a 304 keeps the
postings the page gave last time as they are: they count as seen (not expired as missing) and unchanged.

Why not Scrapy's HttpCacheMiddleware (RFC 2616 policy) alone: it keeps a full copy of every page on disk
only to hand the old body to the parser again, and its heuristic freshness (a tenth of the time since
Last-Modified) serves a page from disk without asking the site at all, so a page changed yesterday may
go unread for days. Our store already holds what a page gave, so a validator and a list of posting ids
per page are enough, and every page is asked every night.

Only pages that lead nowhere are asked conditionally: posting pages, PDFs, feeds and APIs that give
postings and no further requests. A list page is always read in full — a posting page linked from an
unchanged list may still have changed, and only the list says which links to follow.
A page's validators are used only while every posting it gave is still published and the source's
configuration and the crawler's code are those of the run that stored them (`fingerprint`).
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

from scrapy.http import Request

from vacancies.page_validators import Validator, ValidatorStore

__all__ = ["ConditionalRequestMiddleware", "Validator", "ValidatorStore", "fingerprint"]

NOT_MODIFIED = 304


def fingerprint(source: Any) -> str:
    """The source's configuration and the code that reads and normalises pages: when either changes,
    every page is read in full again (a fixed extraction must not wait for the site to change)."""
    config = source.model_dump_json() if hasattr(source, "model_dump_json") else json.dumps(source)
    return hashlib.sha256(f"{code_version()}\n{config}".encode()).hexdigest()[:32]


@functools.cache
def code_version() -> str:
    """The package version and a hash of the crawler's and the store's Python files (a few ms): a release
    that changes extraction or normalisation without a version bump still counts as new."""
    try:
        version = metadata.version("stellenboerse")
    except metadata.PackageNotFoundError:
        version = "dev"
    digest = hashlib.sha256(version.encode())
    root = Path(__file__).resolve().parent.parent
    for path in sorted((*root.joinpath("crawler").rglob("*.py"), *root.joinpath("vacancies").rglob("*.py"))):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class ConditionalRequestMiddleware:
    """Adds If-None-Match / If-Modified-Since to a GET request of a page whose validators the source
    has (`SourceCrawl.validators`), and lets its 304 through to the spider (`SourceCrawl` keeps the
    page's postings). A redirected request keeps the headers of the link it came from."""

    def __init__(self, crawler: Any = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ConditionalRequestMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        # Scrapy ≥ 2.13 no longer passes the spider to downloader middlewares: the crawler knows it.
        spider = spider if spider is not None else getattr(self.crawler, "spider", None)
        crawl = spider.crawl_of(request) if hasattr(spider, "crawl_of") else None
        if crawl is None or request.method != "GET" or request.meta.get("redirect_urls"):
            return None
        page = crawl.validators.get(request.url)
        if page is None:
            return None
        if page.etag:
            request.headers[b"If-None-Match"] = page.etag.encode("latin-1")
        if page.last_modified:
            request.headers[b"If-Modified-Since"] = page.last_modified.encode("latin-1")
        allowed = list(request.meta.get("handle_httpstatus_list", ()))
        request.meta["handle_httpstatus_list"] = [*allowed, NOT_MODIFIED]
        return None
