"""What the rest of the application may ask of a search index, capability by capability.

Every backend implements `SearchBackend`: searching, health, a rebuild and a refresh (`SearchIndex`),
and writes outside the store's transaction (`OutboxIndex`). Whether it can also write *inside* the
store's transaction is asked by `transactional_index()`, which each backend answers explicitly: the
embedded SQLite FTS5 index returns itself (its rows live in the store's database and commit with it),
Elasticsearch returns None (it is fed from the store's outbox after the commit, eventually consistent).
Likewise `alert_percolation()`: Elasticsearch matches saved searches by percolation, the embedded index
leaves it to the in-memory matcher. Callers (vacancies.service.Board, the vocabulary, alerts) use these
methods only, so no code outside a
backend module needs to know which engine runs, and mypy checks every call.

The query semantics both backends share are in vacancies/search/contract.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from sqlalchemy import Connection

from vacancies.model import Vacancy
from vacancies.search.analysis import GermanAnalyzer
from vacancies.search.contract import SearchPage, SearchQuery
from vacancies.search.document import StartedAnalysis


class SearchIndex(Protocol):
    """Reading side and maintenance of a search index derived from the store."""

    name: str
    analyzer: GermanAnalyzer  # the Python analysis its documents and queries go through

    def search(self, query: SearchQuery) -> SearchPage: ...

    def health(self) -> dict[str, Any]:
        """{"ok": bool, "backend": name, "documents": int, ...}"""
        ...

    def reindex(self, vacancies: Iterable[Vacancy]) -> int:
        """Rebuild the whole index from these postings (streamed) without downtime; returns the count."""
        ...

    def refresh_now(self) -> None:
        """Make every confirmed write searchable now (raises IndexUnavailable when it is down); a no-op
        where a committed write is searchable at once."""
        ...

    def generation(self) -> int | None:
        """A counter every index write changes (cheap change detection for caches built on the index),
        or None where the index keeps none: the caller then derives a signature from the store."""
        ...


class OutboxIndex(Protocol):
    """Writes of their own, outside any store transaction: how the outbox feeds an external index."""

    def index(self, vacancies: list[Vacancy]) -> None:
        """Add or replace these postings in the index."""
        ...

    def delete(self, ids: list[str]) -> None:
        """Remove postings from the index (unknown ids are ignored)."""
        ...


class TransactionalIndex(Protocol):
    """Writes inside the store's transaction: they commit or roll back with the store rows."""

    def start_analysis(self, vacancies: list[Vacancy]) -> StartedAnalysis | None:
        """Analyse a batch ahead of writing it (Board.save_batches); None: write() analyses it."""
        ...

    def documents(self, vacancies: list[Vacancy]) -> Iterator[dict[str, Any]]:
        """The index documents of `vacancies`, to pass to write()."""
        ...

    def write(
        self, conn: Connection, vacancies: list[Vacancy], documents: Iterable[dict[str, Any]] | None = None
    ) -> None:
        """Add or replace these postings on the caller's connection (documents: prepared ones)."""
        ...

    def remove(self, conn: Connection, ids: list[str]) -> None:
        """Remove postings on the caller's connection (unknown ids are ignored)."""
        ...


class AlertPercolation(Protocol):
    """Saved searches matched against new postings by the engine itself (Elasticsearch's percolator)."""

    def match_alerts(self, queries: dict[str, SearchQuery], vacancies: list[Vacancy]) -> dict[str, list[str]]:
        """Query key -> ids of the `vacancies` (already visible ones) it matches, in their order; raises
        IndexUnavailable when the engine cannot percolate now (the caller then matches in memory)."""
        ...


class SearchBackend(SearchIndex, OutboxIndex, Protocol):
    """A search backend: every capability above; the optional ones are asked for, never probed."""

    def transactional_index(self) -> TransactionalIndex | None:
        """The index's writes inside the store's transaction, or None when it is fed from the outbox
        after the commit (then the Board queues ids there and a drainer pushes them)."""
        ...

    def alert_percolation(self) -> AlertPercolation | None:
        """The engine's own alert matcher, or None: vacancies.alerts.matching matches in memory."""
        ...
