"""Per page of a source: the validators (ETag, Last-Modified) of its last full answer and the postings it
gave (table page_validators, migration 0015), so the crawler's conditional re-crawls (crawler/freshness.py)
can keep an unchanged page's postings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from vacancies.batching import batched
from vacancies.schema import page_validators_table as validators_t
from vacancies.schema import vacancies_table
from vacancies.store import utcnow


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
            for chunk in batched(sorted(ids), 500):
                conn.execute(
                    update(vacancies_table)
                    .where(vacancies_table.c.id.in_(chunk))
                    .values(last_seen=now or utcnow())
                )
