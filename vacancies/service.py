"""The board: the store of record plus its derived search index, kept in step.

Writes go to the store first. The embedded index is written in the same transaction; an external index
(Elasticsearch) is fed from an outbox after the commit, so an unreachable cluster loses nothing: the
outbox keeps the ids until the index confirms them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection

from vacancies import addresses, visibility
from vacancies.enrich import enrich
from vacancies.geo import Gazetteer, get_gazetteer
from vacancies.model import State, Vacancy
from vacancies.search.contract import IndexUnavailable, SearchPage, SearchQuery
from vacancies.search.document import StartedAnalysis
from vacancies.search.protocols import SearchBackend, TransactionalIndex
from vacancies.settings import Settings
from vacancies.store import UpsertResult, VacancyStore, make_engine, migrate, utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")
OUTBOX_WAIT = 30.0  # seconds a command waits for another process's drain before leaving its writes queued


class Board:
    def __init__(self, store: VacancyStore, backend: SearchBackend, gazetteer: Gazetteer | None = None):
        self.store = store
        self.backend = backend
        self.gazetteer = gazetteer or get_gazetteer()
        # The index's writes inside the store's transaction (embedded), or None: fed from the outbox.
        self.transactional: TransactionalIndex | None = backend.transactional_index()
        self.drainer: OutboxDrainer | None = None  # set while a server runs (api.app lifespan)
        self.index_down = False

    # -- writes -------------------------------------------------------------------------------------

    def save(self, vacancies: list[Vacancy]) -> UpsertResult:
        """Upsert postings into the store and the index; returns new/changed/unchanged ids."""
        for vacancy in vacancies:
            enrich(vacancy, self.gazetteer)
        return self._save(vacancies, None)

    def save_batches(self, batches: Iterable[list[Vacancy]]) -> Iterator[UpsertResult]:
        """save() for a stream of batches (import): the embedded index analyses the next batch in its
        worker processes while this one is written and committed, so neither side waits.

        The analysis runs before it is known which postings changed; for a re-import of unchanged
        postings that work is thrown away, which is why save() (crawls, HR) does not do it.
        (Serialising the next batch in a thread as well was slower: the writer then waited for the
        GIL after each SQLite step.)"""
        stream = iter(batches)
        current = next(stream, None)
        prepared = self._prepare(current)
        try:
            with self.store.background_checkpoints():
                while current is not None:
                    upcoming = next(stream, None)
                    upcoming_prepared = self._prepare(upcoming)
                    result = self._save(current, prepared, bulk=True)
                    current, prepared = upcoming, upcoming_prepared
                    yield result
        finally:
            if prepared:  # the caller stopped early: drop the next batch's analysis nobody will collect
                prepared.cancel()

    def _prepare(self, vacancies: list[Vacancy] | None) -> StartedAnalysis | None:
        """Enrich a batch and, for the embedded index, start its analysis (None: done later)."""
        if not vacancies:
            return None
        for vacancy in vacancies:
            enrich(vacancy, self.gazetteer)
        return self.transactional.start_analysis(vacancies) if self.transactional else None

    def _save(
        self, vacancies: list[Vacancy], started: StartedAnalysis | None, bulk: bool = False
    ) -> UpsertResult:
        try:
            with self.store.transaction(bulk) as conn:
                result = self._upsert_in(conn, vacancies, started)
        finally:
            if started:
                started.cancel()
        self._after_commit()
        return result

    def _upsert_in(
        self, conn: Connection, vacancies: list[Vacancy], started: StartedAnalysis | None = None
    ) -> UpsertResult:
        """Store rows and index entries of enriched postings, in the caller's transaction."""
        plan = self.store.plan_upsert(conn, vacancies)
        documents = None
        if self.transactional:
            # Started earlier (or now, for this batch alone): the analysis runs in worker processes
            # while the store rows are written.
            documents = (
                started.documents(plan.written) if started else self.transactional.documents(plan.written)
            )
        self.store.apply_upsert(conn, plan)
        self._index_in(conn, plan.written, documents)
        return plan.result

    def set_state(self, ids: list[str], state: State) -> int:
        with self.writing() as write:
            return write.set_state(ids, state)

    def set_hidden(self, vacancy_id: str, hidden: bool) -> bool:
        with self.writing() as write:
            return write.set_hidden(vacancy_id, hidden)

    @contextmanager
    def writing(self, visible_at_once: bool = False) -> Iterator[BoardWrite]:
        """One store transaction for several writes and the caller's own rows (HR extras, audit):
        they commit together with their index entries, or not at all. After the commit the external
        index is fed; `visible_at_once` (HR, who look for their posting right away) also refreshes it
        when no drainer does that."""
        with self.store.transaction() as conn:
            yield BoardWrite(self, conn)
        self._after_commit()
        if visible_at_once:
            self.make_visible()

    def make_visible(self) -> None:
        """Committed writes searchable now, unless a drainer does that after its push."""
        if not self.transactional and self.drainer is None:
            self._refresh_index()

    def _refresh_index(self) -> None:
        try:
            self.backend.refresh_now()
        except IndexUnavailable as exc:  # the write is safe in the store and outbox; search catches up
            log.warning("Suchindex nicht aufgefrischt: %s", exc)

    def _index_in(
        self, conn: Connection, vacancies: list[Vacancy], documents: Iterable[dict[str, Any]] | None = None
    ) -> None:
        if not vacancies:
            return
        if self.transactional is None:
            self.store.enqueue(conn, [v.id for v in vacancies])
            return
        self.transactional.write(conn, vacancies, documents)
        hidden = self.store.hidden_ids([v.id for v in vacancies], conn)
        if hidden:  # hidden by HR: kept out of the index (rare, so written and taken out again)
            self.transactional.remove(conn, sorted(hidden))

    def _after_commit(self) -> None:
        if self.transactional:
            return
        if self.drainer is not None:  # a server: its background drainer pushes, the request returns
            self.drainer.wake()
        else:  # a command (import, crawl): push now, before it exits
            self.sync_index(wait=OUTBOX_WAIT)

    def sync_index(self, wait: float = 0.0) -> int:
        """Push queued writes to an external index; returns how many were confirmed (0 if it is down).

        Sets `index_down` when the index refused; the drainer backs off on it."""
        done = 0
        with self.store.outbox_turn(wait) as turn:
            if not turn:
                return 0  # another process drains right now and takes these along
            self.index_down = False
            while batch := self.store.pending(limit=1000):
                ids = list(dict.fromkeys(vacancy_id for _, vacancy_id in batch))
                try:
                    self._push(ids)
                except IndexUnavailable as exc:
                    log.warning("Suchindex nicht erreichbar, %d Änderungen warten: %s", len(batch), exc)
                    self.index_down = True
                    return done
                self.store.acknowledge(batch[-1][0])
                done += len(ids)
        return done

    def _push(self, ids: list[str]) -> None:
        found = self.store.get_many(ids)
        hidden = self.store.hidden_ids(ids)
        visible = [v for i, v in found.items() if i not in hidden]
        gone = [i for i in ids if i not in found or i in hidden]
        if visible:
            self.backend.index(visible)
        if gone:
            self.backend.delete(gone)

    def reindex(self) -> int:
        """Rebuild the index from the store (the store is the truth)."""
        started = utcnow()
        pending = self.store.pending(limit=1_000_000)
        count = self.backend.reindex(self._indexable())
        if pending:
            self.store.acknowledge(pending[-1][0])
        if not self.transactional:
            # Writes during the rebuild went to the old index; the store read may have missed them.
            late = self.store.ids_updated_since(started)
            if late:
                self._push(late)
        return count

    def _indexable(self) -> Iterator[Vacancy]:
        for vacancy, hidden in self.store.iter_all():
            if not hidden:
                yield vacancy

    # -- reads --------------------------------------------------------------------------------------

    def get(self, vacancy_id: str) -> Vacancy | None:
        return self.store.get(vacancy_id)

    def get_public(self, vacancy_id: str) -> Vacancy | None:
        """A posting the public may see (page and API alike): not a draft, not withdrawn, not hidden by
        an operator. Expired ones stay readable: old links and bookmarks keep working."""
        vacancy = self.store.get(vacancy_id)
        if vacancy is None or not visibility.is_readable(vacancy):
            return None
        if not visibility.is_readable(vacancy, hidden=bool(self.store.hidden_ids([vacancy_id]))):
            return None
        return vacancy

    def get_public_at(self, address: str) -> Vacancy | None:
        """The public posting a page address names: `<title slug>-<short id>`, or (old links) its id.
        Should two postings share a short id, the one whose title gives the slug wins."""
        if parsed := addresses.parse(address):
            slug, short = parsed
            found = [v for i in self.store.ids_for_short_id(short) if (v := self.get_public(i)) is not None]
            if found:
                return next((v for v in found if addresses.title_slug(v.title) == slug), found[0])
        return self.get_public(address)

    def search(self, query: SearchQuery) -> SearchPage:
        return self.backend.search(query)

    def health(self) -> dict[str, Any]:
        store_ok = _safely(self.store.ping, False)
        index = _safely(self.backend.health, {"ok": False, "backend": self.backend.name})
        pending = _safely(self.store.pending_count, 0) if store_ok else 0
        index["pending_writes"] = pending
        index["behind"] = pending > 0 or not index.get("ok", False)
        ok = store_ok and index.get("ok", False) and not index["behind"]
        return {"status": "ok" if ok else "degraded", "store": {"ok": store_ok}, "index": index}


class BoardWrite:
    """The writes of one Board.writing() transaction, on its connection."""

    def __init__(self, board: Board, conn: Connection) -> None:
        self.board, self.conn = board, conn

    def save(self, vacancies: list[Vacancy]) -> UpsertResult:
        for vacancy in vacancies:
            enrich(vacancy, self.board.gazetteer)
        return self.board._upsert_in(self.conn, vacancies)

    def set_state(self, ids: list[str], state: State) -> int:
        changed = self.board.store.set_state(self.conn, ids, state)
        self._reindex(ids)
        return changed

    def set_hidden(self, vacancy_id: str, hidden: bool) -> bool:
        found = self.board.store.set_hidden(self.conn, vacancy_id, hidden)
        self._reindex([vacancy_id])
        return found

    def _reindex(self, ids: list[str]) -> None:
        self.board._index_in(self.conn, list(self.board.store.get_many(ids, self.conn).values()))


class OutboxDrainer:
    """Drains the outbox to an external index in a background thread while a server runs.

    Requests only commit to the store and wake the drainer: an index that is down or slow never holds
    a request (one HR write used to wait 14.6 s on Elasticsearch's retries, and every other request
    waited with it). It also wakes every `interval` seconds, so writes of other processes and a
    cluster that comes back are caught up while the server is idle; after a failure it waits twice
    as long each time, up to `max_backoff`."""

    def __init__(self, board: Board, interval: float = 2.0, max_backoff: float = 30.0) -> None:
        self.board, self.interval, self.max_backoff = board, interval, max_backoff
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-drainer", daemon=True)

    def start(self) -> OutboxDrainer:
        self.board.drainer = self
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        self.board.drainer = None

    def _run(self) -> None:
        delay = self.interval
        while not self._stop.is_set():
            self._wake.wait(delay)
            self._wake.clear()
            if self._stop.is_set():
                return
            backoff = min(max(delay, self.interval) * 2, self.max_backoff)
            delay = self.interval if self._drain_once() else backoff

    def _drain_once(self) -> bool:
        try:
            if self.board.sync_index(wait=0.0):
                self.board._refresh_index()  # HR expect their posting in search right away
        except Exception:  # the store itself failed: keep the thread alive and try again later
            log.exception("Abgleich mit dem Suchindex fehlgeschlagen")
            return False
        return not self.board.index_down


def _safely(call: Callable[[], T], fallback: T) -> T:
    try:
        return call()
    except Exception as exc:  # health must answer even when a part is broken
        log.warning("Gesundheitsprüfung: %s", exc)
        return fallback


def open_board(settings: Settings) -> Board:
    """Connect the store and the configured search backend, upgrading the schema in place."""
    engine = make_engine(settings.database_url)
    migrate(engine)
    store = VacancyStore(engine)
    from vacancies.search.analysis import get_analyzer

    analyzer = get_analyzer(str(settings.config_dir / "search"))
    backend: SearchBackend
    if settings.search_backend == "elasticsearch":
        from vacancies.search.elasticsearch_backend import ElasticsearchBackend

        backend = ElasticsearchBackend(settings.elasticsearch_url, settings.elasticsearch_alias, analyzer)
    else:
        if not settings.database_url.startswith("sqlite"):
            raise ValueError("Die eingebettete Suche braucht eine SQLite-Datenbank (STELLEN_DATABASE_URL)")
        from vacancies.search.sqlite_backend import SqliteBackend

        backend = SqliteBackend(engine, analyzer)
    return Board(store, backend, get_gazetteer(str(settings.config_dir / "geo" / "plz_de.csv")))
