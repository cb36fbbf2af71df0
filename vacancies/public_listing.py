"""What the public sees, read straight from the store for pages that list rather than search.

The sitemap and the vocabulary of did-you-mean and title autocomplete need every visible posting, not
a page of search hits; they read the store through this class. `visible_clause` is the one rule for
"visible to the public" is `vacancies.visibility.visible_clause` (published, not hidden by an operator,
Bewerbungsfrist not passed), the same rule as both search engines'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Engine, func, select

from vacancies import clock
from vacancies.model import State
from vacancies.schema import vacancies_table
from vacancies.visibility import visible_clause


@dataclass(frozen=True)
class ListedPosting:
    id: str
    title: str
    updated_at: datetime | None  # as stored: UTC, without its zone on SQLite


class PublicListing:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def published_count(self, today: date | None = None) -> int:
        query = select(func.count()).select_from(vacancies_table).where(self._visible(today))
        with self.engine.connect() as conn:
            return conn.scalar(query) or 0

    def published_page(self, offset: int, limit: int, today: date | None = None) -> list[ListedPosting]:
        """Visible postings in id order (stable across requests), `limit` of them from `offset`."""
        if limit <= 0:
            return []
        t = vacancies_table
        query = select(t.c.id, t.c.title, t.c.updated_at).where(self._visible(today)).order_by(t.c.id)
        with self.engine.connect() as conn:
            rows = conn.execute(query.offset(offset).limit(limit)).all()
        return [ListedPosting(row.id, row.title, row.updated_at) for row in rows]

    def published_titles(self, today: date | None = None) -> list[str]:
        query = select(vacancies_table.c.title).where(self._visible(today))
        with self.engine.connect() as conn:
            return list(conn.scalars(query))

    def change_signature(self) -> tuple[int, int, int, datetime | None]:
        """(postings, published, hidden, last update): changes whenever what the public sees may have.
        One aggregate query; it scans the table, so callers check it only now and then."""
        t = vacancies_table
        query = select(
            func.count(),
            func.count().filter(t.c.state == State.published.value),
            func.count().filter(t.c.hidden.is_(True)),
            func.max(t.c.updated_at),
        )
        with self.engine.connect() as conn:
            count, published, hidden, updated = conn.execute(query).one()
        return count, published, hidden, updated

    @staticmethod
    def _visible(today: date | None) -> ColumnElement[bool]:
        return visible_clause(vacancies_table, today or clock.today())
