"""The store of record: SQLAlchemy 2 over a SQLite file by default (WAL), PostgreSQL-ready.

Upsert by id with change detection (content hash), lifecycle state, and an outbox of index writes that an
external index (Elasticsearch) has not confirmed yet.
"""

from __future__ import annotations

import fcntl
import functools
import json
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError

from vacancies import addresses
from vacancies.model import State, Vacancy
from vacancies.schema import index_outbox_table as outbox
from vacancies.schema import vacancies_table as table

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BULK_CACHE_KIB = 64 * 1024
WAL_AUTOCHECKPOINT = 4000  # pages
SQLITE_POOL_SIZE = 10
_BATCH = 500  # SQLite allows 32k bound parameters; 500 ids per IN () keeps statements small


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        # Connections beyond the pool are opened and closed per request, each with a cold page cache
        # and its PRAGMAs: a server under load read every result page's records from the OS again.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=2 * SQLITE_POOL_SIZE,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_path(url: str) -> str | None:
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[-1]
    return path if path and path != ":memory:" else None


def _flock(handle, wait: float) -> bool:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


def _ensure_sqlite_dir(url: str) -> None:
    path = _sqlite_path(url)
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers (the web) never block the nightly writer, and a crash loses nothing committed.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Checkpoint every ~16 MB of WAL instead of 4 MB: bulk writes rewrite the same FTS pages several
    # times, and each checkpoint copies (and syncs) them again.
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT}")
    # After a bulk import (checkpoints in a thread, so the WAL grows meanwhile) give the space back.
    cursor.execute(f"PRAGMA journal_size_limit={64 * 1024 * 1024}")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema in place (Alembic).

    A database already at the newest revision is recognised without importing Alembic, which would
    cost every command about 0.25 s of start-up for nothing."""
    if _revisions(engine) == {head_revision()}:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


_REVISION_RE = re.compile(r"""^(down_revision|revision)\s*=\s*(?:["']([^"']+)["']|None)""", re.MULTILINE)


@functools.cache
def head_revision() -> str:
    """The newest migration: the revision that no other migration builds on (read from the files)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict(_REVISION_RE.findall(path.read_text(encoding="utf-8")))
        revisions.add(found["revision"])
        parents.add(found.get("down_revision"))
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"Migrationen ohne eindeutigen Kopf: {sorted(heads)}")
    return heads.pop()


def _revisions(engine: Engine) -> set[str]:
    """The revisions the database is at; empty when it has no schema yet."""
    try:
        with engine.connect() as conn:
            return set(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    except DBAPIError:  # no such table: a new database (or none at all: Alembic will say so)
        return set()


@dataclass
class UpsertResult:
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def written(self) -> list[str]:
        return self.new + self.changed


@dataclass
class UpsertPlan:
    now: datetime
    result: UpsertResult = field(default_factory=UpsertResult)
    written: list[Vacancy] = field(default_factory=list)  # new and changed, in input order
    inserts: list[Vacancy] = field(default_factory=list)
    updates: list[Vacancy] = field(default_factory=list)
    touches: list[str] = field(default_factory=list)
    content: dict[int, bytes] = field(default_factory=dict)  # content JSON of written postings, by id()


def _row_values(vacancy: Vacancy, content_json: bytes | None = None) -> dict:
    return {
        "id": vacancy.id,
        "origin": vacancy.origin._value_,  # _value_: the .value property is a Python call per access
        "source": vacancy.source,
        "district": vacancy.district,
        "state": vacancy.state._value_,
        "title": vacancy.title,
        "source_url": vacancy.source_url,
        "date_posted": vacancy.date_posted,
        "deadline": vacancy.deadline,
        "content_hash": vacancy.content_hash,
        "data": vacancy.record_json(content_json),
        "first_seen": vacancy.first_seen,
        "last_seen": vacancy.last_seen,
        "updated_at": vacancy.updated_at,
        "short_id": addresses.short_id(vacancy.id),
    }


def _insert_rows(conn: Connection, rows: list[dict]) -> None:
    """executemany INSERT; on SQLite straight to the driver with the column types' own conversions
    (SQLAlchemy's per-row parameter handling cost as much as SQLite's insert itself)."""
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), rows)
        return
    names = list(rows[0])
    # dialect_impl: the SQLite DATETIME conversion, the same text SQLAlchemy's own statements write.
    # (The generic type's bind_processor is None, and sqlite3's default adapter appends "+00:00".)
    convert = [
        _memoised(table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect))
        for name in names
    ]
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    params = [tuple(c(row[n]) if c else row[n] for n, c in zip(names, convert, strict=True)) for row in rows]
    conn.exec_driver_sql(sql, params)


_TWIN_SQL = (
    "SELECT source FROM vacancies WHERE district = ? AND title = ? AND deadline IS ? AND source != ?"
    " AND origin = 'crawled' AND state = 'published' LIMIT 1"
)


def _memoised(convert):
    """A bind processor that converts each distinct value once: the timestamps of a batch are all the
    same `now`, and formatting a datetime costs more than looking it up."""
    if convert is None:
        return None
    done: dict = {}

    def cached(value):
        try:
            return done[value]
        except KeyError:
            done[value] = result = convert(value)
            return result
        except TypeError:  # unhashable
            return convert(value)

    return cached


def _chunks(items: list, size: int = _BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class VacancyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._outbox_lock = threading.Lock()

    @contextmanager
    def transaction(self, bulk: bool = False) -> Iterator[Connection]:
        """One write transaction; `bulk` (imports) gives SQLite a larger page cache for its duration.

        Bulk inserts touch B-tree pages all over the id and FTS indexes; with SQLite's default 2 MB
        cache they are read again and again from the OS (import at 100,000 postings: ~20 % slower).
        The web server's connections keep the small default, so its memory stays flat."""
        with self.engine.begin() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # The write lock from the start: the driver would begin only at the first INSERT/UPDATE,
                # so what a write read before it (is it still a draft? its old content?) could be
                # changed by another process in between — two server workers publishing one posting.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            if bulk and sqlite:
                connection.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
                # Checkpoints run in background_checkpoints()' thread, not inside this commit.
                connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
            try:
                yield connection
            finally:
                if bulk and sqlite:
                    connection.exec_driver_sql("PRAGMA cache_size=-2000")  # SQLite's default
                    connection.exec_driver_sql(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT}")

    @contextmanager
    def background_checkpoints(self, interval: float = 0.5) -> Iterator[None]:
        """While a stream of bulk transactions runs, copy the WAL into the database from a thread.

        A commit that crosses the autocheckpoint size copies the WAL (and syncs) before it returns, so
        the writer waited ~0.1 ms per posting; SQLite does the copy with the GIL released, so a thread
        overlaps it with the writer's Python work. PASSIVE never blocks the writer."""
        if self.engine.dialect.name != "sqlite":
            yield
            return
        stop = threading.Event()

        def run() -> None:
            try:
                with self.engine.connect() as conn:
                    raw = _raw(conn)
                    while not stop.wait(interval):
                        raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except Exception:  # the next ordinary commit checkpoints instead; nothing is lost
                log.exception("WAL-Checkpoint im Hintergrund fehlgeschlagen")

        thread = threading.Thread(target=run, name="wal-checkpoint", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    # -- writes -------------------------------------------------------------------------------------

    def upsert(self, conn: Connection, vacancies: list[Vacancy], now: datetime | None = None) -> UpsertResult:
        """Insert new postings, update changed ones, touch last_seen of unchanged ones.

        Returns the classification; the vacancies passed in get their bookkeeping fields filled.
        """
        plan = self.plan_upsert(conn, vacancies, now)
        self.apply_upsert(conn, plan)
        return plan.result

    def plan_upsert(
        self, conn: Connection, vacancies: list[Vacancy], now: datetime | None = None
    ) -> UpsertPlan:
        """Classify postings as new/changed/unchanged (reads only); `apply_upsert` writes the plan.

        Two steps so that the caller knows which postings will be written, and can start indexing
        them, before the rows are sent.
        """
        now = now or utcnow()
        known = self._known(conn, [v.id for v in vacancies])
        plan = UpsertPlan(now=now)
        for vacancy in vacancies:
            content = vacancy.content_json()
            kind = self._classify(vacancy, content, known.get(vacancy.id), now)
            getattr(plan.result, kind).append(vacancy.id)
            if kind != "unchanged":
                plan.written.append(vacancy)
                plan.content[id(vacancy)] = content  # the stored record reuses it
            if kind == "new":
                plan.inserts.append(vacancy)
            elif kind == "changed":
                plan.updates.append(vacancy)
            else:
                plan.touches.append(vacancy.id)
        return plan

    def apply_upsert(self, conn: Connection, plan: UpsertPlan) -> None:
        # executemany batches: per-row statements cost more than the rows.
        if plan.inserts:
            _insert_rows(conn, [_row_values(v, plan.content.get(id(v))) for v in plan.inserts])
        if plan.updates:
            rows = [{"_id": v.id, **_row_values(v, plan.content.get(id(v)))} for v in plan.updates]
            values: dict[str, Any] = {c: bindparam(c) for c in rows[0] if c not in ("_id", "id")}
            conn.execute(update(table).where(table.c.id == bindparam("_id")).values(values), rows)
        if plan.touches:
            stmt = (
                update(table).where(table.c.id == bindparam("_id")).values(last_seen=bindparam("last_seen"))
            )
            conn.execute(stmt, [{"_id": i, "last_seen": plan.now} for i in plan.touches])

    @staticmethod
    def _classify(vacancy: Vacancy, content: bytes, known: dict | None, now: datetime) -> str:
        vacancy.content_hash = vacancy.compute_content_hash(content)
        vacancy.last_seen = now
        if known is None:
            vacancy.first_seen = vacancy.first_seen or now
            vacancy.updated_at = now
            return "new"
        vacancy.first_seen = known["first_seen"]
        if known["content_hash"] == vacancy.content_hash and known["state"] == vacancy.state.value:
            return "unchanged"
        vacancy.updated_at = now
        return "changed"

    def _known(self, conn: Connection, ids: list[str]) -> dict[str, dict]:
        known: dict[str, dict] = {}
        cols = (table.c.id, table.c.content_hash, table.c.state, table.c.first_seen)
        for chunk in _chunks(ids):
            for row in conn.execute(select(*cols).where(table.c.id.in_(chunk))):
                known[row.id] = row._asdict()
        return known

    def set_state(self, conn: Connection, ids: list[str], state: State, now: datetime | None = None) -> int:
        """Change the lifecycle state (expire, withdraw, republish) of postings; returns rows changed."""
        now = now or utcnow()
        changed = 0
        for chunk in _chunks(ids):
            rows = conn.execute(select(table.c.id, table.c.data).where(table.c.id.in_(chunk))).all()
            for row in rows:
                data = json.loads(row.data)
                data["state"] = state.value
                data["updated_at"] = now.isoformat()
                conn.execute(
                    update(table)
                    .where(table.c.id == row.id)
                    .values(state=state.value, data=json.dumps(data, ensure_ascii=False), updated_at=now)
                )
                changed += 1
        return changed

    def set_hidden(self, conn: Connection, vacancy_id: str, hidden: bool) -> bool:
        res = conn.execute(update(table).where(table.c.id == vacancy_id).values(hidden=hidden))
        return res.rowcount > 0

    # -- reads --------------------------------------------------------------------------------------

    def get(self, vacancy_id: str, conn: Connection | None = None) -> Vacancy | None:
        found = self.get_many([vacancy_id], conn)
        return found.get(vacancy_id)

    def get_many(self, ids: Iterable[str], conn: Connection | None = None) -> dict[str, Vacancy]:
        ids = list(ids)
        out: dict[str, Vacancy] = {}
        with self._reader(conn) as reader:
            for chunk in _chunks(ids):
                for row in reader.execute(select(table.c.id, table.c.data).where(table.c.id.in_(chunk))):
                    out[row.id] = Vacancy.model_validate_json(row.data)
        return out

    def hidden_ids(self, ids: Iterable[str], conn: Connection | None = None) -> set[str]:
        ids = list(ids)
        hidden: set[str] = set()
        with self._reader(conn) as reader:
            for chunk in _chunks(ids):
                query = select(table.c.id).where(table.c.id.in_(chunk), table.c.hidden.is_(True))
                hidden.update(reader.scalars(query))
        return hidden

    def iter_all(self, batch: int = 2000) -> Iterator[tuple[Vacancy, bool]]:
        """Every posting with its hidden flag, in id order (for reindex)."""
        last = ""
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(table.c.id, table.c.data, table.c.hidden)
                    .where(table.c.id > last)
                    .order_by(table.c.id)
                    .limit(batch)
                ).all()
            if not rows:
                return
            for row in rows:
                yield Vacancy.model_validate_json(row.data), bool(row.hidden)
            last = rows[-1].id

    def ids_for_source(self, source: str, states: tuple[State, ...] = (State.published,)) -> set[str]:
        with self.engine.connect() as conn:
            query = select(table.c.id).where(
                table.c.source == source, table.c.state.in_([s.value for s in states])
            )
            return set(conn.scalars(query))

    def ids_updated_since(self, moment: datetime) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.scalars(select(table.c.id).where(table.c.updated_at >= moment)))

    def hr_owned(self, ids: list[str]) -> set[str]:
        owned: set[str] = set()
        with self.engine.connect() as conn:
            for chunk in _chunks(ids):
                query = select(table.c.id).where(table.c.id.in_(chunk), table.c.origin == "hr")
                owned.update(conn.scalars(query))
        return owned

    def find_twin(self, vacancy: Vacancy) -> str | None:
        """The source of a published posting of another source with the same district, title and deadline.

        Asked once per crawled posting: on SQLite one prepared statement on the driver (SQLAlchemy's
        statement building and caching cost ~1 ms a call, a tenth of a whole crawled posting)."""
        with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                # The Date column's text form is the ISO date.
                deadline = vacancy.deadline.isoformat() if vacancy.deadline else None
                params = (vacancy.district, vacancy.title, deadline, vacancy.source)
                row = _raw(conn).execute(_TWIN_SQL, params).fetchone()
                return row[0] if row else None
        query = select(table.c.source).where(
            table.c.district == vacancy.district,
            table.c.title == vacancy.title,
            table.c.deadline.is_(None) if vacancy.deadline is None else table.c.deadline == vacancy.deadline,
            table.c.source != vacancy.source,
            table.c.origin == "crawled",
            table.c.state == State.published.value,
        )
        with self.engine.connect() as conn:
            return conn.scalars(query.limit(1)).first()

    def ids_for_urls(self, source: str, urls: set[str]) -> set[str]:
        found: set[str] = set()
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(urls)):
                query = select(table.c.id).where(table.c.source == source, table.c.source_url.in_(chunk))
                found.update(conn.scalars(query))
        return found

    def ids_for_short_id(self, short: str) -> list[str]:
        """The postings behind a readable address's short id: one, or none (a clash is possible)."""
        with self.engine.connect() as conn:
            query = select(table.c.id).where(table.c.short_id == short).order_by(table.c.id)
            return list(conn.scalars(query))

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(table)) or 0

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            return conn.scalar(select(1)) == 1

    @contextmanager
    def _reader(self, conn: Connection | None) -> Iterator[Connection]:
        if conn is not None:
            yield conn
        else:
            with self.engine.connect() as own:
                yield own

    # -- index outbox -------------------------------------------------------------------------------

    def enqueue(self, conn: Connection, ids: list[str], now: datetime | None = None) -> None:
        if ids:
            now = now or utcnow()
            conn.execute(insert(outbox), [{"vacancy_id": i, "queued_at": now} for i in ids])

    def pending(self, limit: int = 1000) -> list[tuple[int, str]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(outbox.c.seq, outbox.c.vacancy_id).order_by(outbox.c.seq).limit(limit))
            return [(row.seq, row.vacancy_id) for row in rows]

    def pending_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(outbox)) or 0

    @contextmanager
    def outbox_turn(self, wait: float) -> Iterator[bool]:
        """Whether this process may drain the outbox now (one drainer at a time, across processes).

        Two drainers pushing the same postings could land an older state after a newer one (each reads
        the store, then writes the index), so they take turns: an advisory lock on a file beside the
        SQLite database (flock is released by the kernel when a process dies, so a crash blocks
        nothing). Other databases fall back to one drainer per process. Yields False when the turn
        did not come within `wait` seconds: the holder drains what is queued."""
        path = _sqlite_path(str(self.engine.url))
        with self._outbox_lock:
            if path is None:
                yield True
                return
            with open(f"{path}.outbox.lock", "a+b") as handle:
                got = _flock(handle, wait)
                try:
                    yield got
                finally:
                    if got:
                        fcntl.flock(handle, fcntl.LOCK_UN)

    def acknowledge(self, up_to_seq: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(outbox).where(outbox.c.seq <= up_to_seq))


def _raw(conn: Connection) -> sqlite3.Connection:
    """The DB-API connection under SQLAlchemy's, for statements that skip its statement layer."""
    raw = conn.connection.driver_connection
    assert raw is not None, "a checked-out connection has a driver connection"
    return raw
