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
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from scrapy.http import Request
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from vacancies.schema import page_validators_table as validators_t
from vacancies.schema import vacancies_table
from vacancies.store import utcnow

NOT_MODIFIED = 304


@dataclass(frozen=True)
class Validator:
    etag: str | None
    last_modified: str | None
    postings: tuple[str, ...]  # vacancy ids the page gave

    @classmethod
    def of(cls, headers: Any, postings: set[str]) -> Validator | None:
        """The validators a full answer carries (Scrapy headers), or None when it has neither."""
        etag, modified = _header(headers, b"ETag"), _header(headers, b"Last-Modified")
        if not (etag or modified) or not postings:
            return None
        return cls(etag, modified, tuple(sorted(postings)))


def _header(headers: Any, name: bytes) -> str | None:
    value = headers.get(name) if headers is not None else None
    text = value.decode("latin-1").strip() if value else ""
    return text or None


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


class ValidatorStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self, source: str, fingerprint: str) -> dict[str, Validator]:
        """URL -> validators usable now: same fingerprint, and every posting of the page still published
        (a posting expired or hidden since must come back through a full read, not stay as it is)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(validators_t).where(
                    validators_t.c.source == source, validators_t.c.fingerprint == fingerprint
                )
            ).all()
            published = {
                row.id
                for row in conn.execute(
                    select(vacancies_table.c.id).where(
                        vacancies_table.c.source == source, vacancies_table.c.state == "published"
                    )
                )
            }
        found: dict[str, Validator] = {}
        for row in rows:
            postings = tuple(json.loads(row.postings))
            if postings and published.issuperset(postings):
                found[row.url] = Validator(row.etag, row.last_modified, postings)
        return found

    def save(self, source: str, fingerprint: str, pages: dict[str, Validator], forget: set[str],
             complete: bool) -> None:  # fmt: skip
        """Store `pages` (URL -> validators) of this run, drop the rows of `forget` (pages answered
        without validators or failed), and after a complete run every row of a page it did not ask."""
        now = utcnow()
        with self.engine.begin() as conn:
            of_source = validators_t.c.source == source
            if forget:
                conn.execute(delete(validators_t).where(of_source, validators_t.c.url.in_(forget)))
            if complete:
                known = set(conn.scalars(select(validators_t.c.url).where(of_source)))
                if gone := known - set(pages):
                    conn.execute(delete(validators_t).where(of_source, validators_t.c.url.in_(gone)))
            for url, page in pages.items():
                values = dict(etag=page.etag, last_modified=page.last_modified, fingerprint=fingerprint,
                              postings=json.dumps(list(page.postings)), checked_at=now)  # fmt: skip
                statement = sqlite_insert(validators_t).values(source=source, url=url, **values)
                conn.execute(statement.on_conflict_do_update(index_elements=["source", "url"], set_=values))

    def touch(self, ids: set[str], now: datetime | None = None) -> None:
        """The postings of unchanged pages were seen now, as a full read would have recorded."""
        if not ids:
            return
        with self.engine.begin() as conn:
            ordered = sorted(ids)
            for start in range(0, len(ordered), 500):
                chunk = ordered[start : start + 500]
                conn.execute(
                    update(vacancies_table)
                    .where(vacancies_table.c.id.in_(chunk))
                    .values(last_seen=now or utcnow())
                )


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
