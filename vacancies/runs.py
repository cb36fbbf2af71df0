"""Crawl runs recorded per source: what the nightly crawl did, for operators and the lifecycle rules.

Never two runs of a source at once: a source with a live "running" row is skipped. Whether a row is
live is decided by the process that opened it (host, pid and start time, see vacancies.lifeline), not
by its age, so a crawl killed with SIGKILL or by a power cut blocks nothing:

1. On the same host the process itself is asked: gone (or a zombie, or a reused pid) means the run is
   dead at once. It is closed as failed, "abgebrochen: Prozess … beendet", and the source runs again.
2. From another host (several machines on one database) only the heartbeat tells: the running crawl
   renews `heartbeat_at` every HEARTBEAT (`Heartbeat`); a row silent for HEARTBEAT_TIMEOUT is dead.
3. Rows written before migration 0009 have neither and keep the old rule, STALE_RUN after the start.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, update

from vacancies import lifeline
from vacancies.schema import crawl_runs_table as runs
from vacancies.store import utcnow

log = logging.getLogger(__name__)
HEARTBEAT = timedelta(seconds=15)  # how often a crawl marks its open runs as alive
HEARTBEAT_TIMEOUT = timedelta(minutes=2)  # eight missed heartbeats: the run's process is gone
STALE_RUN = timedelta(hours=6)  # only for "running" rows without process identity (before 0009)


@dataclass
class CrawlRun:
    source: str
    district: str
    started_at: datetime
    id: int | None = None
    finished_at: datetime | None = None
    status: str = "running"
    flag: str | None = None
    pages: int = 0
    found: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    expired: int = 0
    dropped: int = 0
    drop_reasons: dict[str, int] = field(default_factory=dict)
    errors: list[list[str]] = field(default_factory=list)
    host: str | None = None
    pid: int | None = None
    pid_started: str | None = None
    heartbeat_at: datetime | None = None
    not_modified: int = 0  # pages that answered 304: unchanged since the last run, their postings kept
    note: str | None = None  # a successful run's problems (German): robots.txt refusals, unreadable pages
    # For the operations page (migration 0015), JSON in the row:
    # {"strategy": "auto",                 the source's configured strategy
    #  "readers": {"auto → structured": 9, "auto → interamt": 3},  postings read in full, by reader: the
    #                                      strategy, a vendor portal it handed over to, auto's reader
    #  "requests": 41,                     answers received (pages, 304s, HTTP errors)
    #  "bytes": 183204,                    bytes of the answers' bodies
    #  "failed_pages": [{"url": ..., "reason": German, "kind": KIND}, ...]   (at most 200)
    #  "counts": {KIND: n, ...}}          all failed pages by kind, also beyond the 200 listed
    # KIND: dns | refused | timeout | http | robots | offsite | unreadable | other. Drop reasons stay in
    # `drop_reasons`, the 304s in `not_modified`.
    detail: dict = field(default_factory=dict)

    def row(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "id"}
        data["drop_reasons"] = json.dumps(self.drop_reasons, ensure_ascii=False)
        data["detail"] = json.dumps(self.detail, ensure_ascii=False)
        data["errors"] = json.dumps(self.errors[:200], ensure_ascii=False)  # bounded: a broken site has many
        return data


class RunStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def start(self, source: str, district: str) -> CrawlRun | None:
        """Open a run owned by this process, or None when a live run of this source holds it (never two
        at once). Dead runs of the source are closed first (see the module docstring)."""
        now = utcnow()
        pid = os.getpid()
        with self.engine.begin() as conn:
            for row in conn.execute(select(runs).where(runs.c.source == source, runs.c.status == "running")):
                other = _from_row(row)
                reason = gone(other, now)
                if reason is None:
                    return None
                log.warning("Quelle %s: Lauf %s %s", source, other.id, reason)
                conn.execute(
                    update(runs)
                    .where(runs.c.id == other.id, runs.c.status == "running")
                    .values(status="failed", flag=reason, finished_at=now)
                )
            run = CrawlRun(source=source, district=district, started_at=now, heartbeat_at=now, pid=pid,
                           host=lifeline.host_name(), pid_started=lifeline.process_start(pid))  # fmt: skip
            inserted = conn.execute(insert(runs).values(**run.row())).inserted_primary_key
            run.id = None if inserted is None else inserted[0]
        return run

    def holder(self, source: str) -> CrawlRun | None:
        """The live run that keeps `source` from starting now, if any."""
        now = utcnow()
        with self.engine.connect() as conn:
            rows = conn.execute(select(runs).where(runs.c.source == source, runs.c.status == "running"))
            return next((run for run in map(_from_row, rows) if gone(run, now) is None), None)

    def beat(self, ids: list[int]) -> None:
        """Mark these runs (of this process) as alive now."""
        with self.engine.begin() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.id.in_(ids), runs.c.status == "running")
                .values(heartbeat_at=utcnow())
            )

    def finish(self, run: CrawlRun) -> None:
        run.finished_at = run.finished_at or utcnow()
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run.id).values(**run.row()))

    def last_success(self, source: str) -> CrawlRun | None:
        return self._one(select(runs).where(runs.c.source == source, runs.c.status == "success"))

    def finished(self, source: str, limit: int) -> list[CrawlRun]:
        """The source's latest `limit` finished runs (success or failed), oldest first."""
        query = (
            select(runs)
            .where(runs.c.source == source, runs.c.status.in_(("success", "failed")))
            .order_by(runs.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_from_row(row) for row in conn.execute(query)][::-1]

    def latest(self, source: str) -> CrawlRun | None:
        return self._one(select(runs).where(runs.c.source == source))

    def recent(self, limit: int = 100, district: str | None = None) -> list[CrawlRun]:
        query = select(runs).order_by(runs.c.started_at.desc(), runs.c.id.desc()).limit(limit)
        if district:
            query = query.where(runs.c.district == district)
        with self.engine.connect() as conn:
            return [_from_row(row) for row in conn.execute(query)]

    def _one(self, query) -> CrawlRun | None:
        with self.engine.connect() as conn:
            row = conn.execute(query.order_by(runs.c.started_at.desc(), runs.c.id.desc()).limit(1)).first()
        return _from_row(row) if row else None


def gone(run: CrawlRun, now: datetime) -> str | None:
    """Why a "running" run is dead (German, for its flag), or None while its process may still run it."""
    if run.pid is not None and run.host == lifeline.host_name():
        if lifeline.running(run.pid, run.pid_started):
            return None
        return f"abgebrochen: Prozess {run.pid} beendet"
    if run.heartbeat_at is not None:
        last = _utc(run.heartbeat_at)
        if now - last <= HEARTBEAT_TIMEOUT:
            return None
        silent = f"kein Lebenszeichen seit {last:%H:%M} UTC"
        return f"abgebrochen: Prozess {run.pid} auf {run.host} beendet ({silent})"
    if now - _utc(run.started_at) <= STALE_RUN:
        return None
    return "abgebrochen: Lauf seit über sechs Stunden ohne Abschluss"


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Heartbeat:
    """Renews `heartbeat_at` of this process's open runs every `every` seconds, in a daemon thread.

    Start it after forking workers, never before: a thread that holds a database or logging lock at the
    moment of a fork leaves that lock held forever in the child."""

    def __init__(self, store: RunStore, ids: list[int], every: float = HEARTBEAT.total_seconds()) -> None:
        self.store, self.ids, self.every = store, ids, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="crawl-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        if self.ids:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)  # a beat stuck on a locked database must not hold up the exit

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.store.beat(self.ids)
            except Exception as exc:  # a locked or lost database: the next beat tries again
                log.warning("Lebenszeichen der Crawl-Läufe nicht gespeichert: %s", exc)


def _from_row(row) -> CrawlRun:
    data = row._asdict()
    data["drop_reasons"] = json.loads(data["drop_reasons"] or "{}")
    data["errors"] = json.loads(data["errors"] or "[]")
    data["detail"] = json.loads(data.get("detail") or "{}")
    return CrawlRun(**data)


# -- what a run's pages came to, for operators (issue 19) -------------------------------------------------

ROBOTS_MARK = "robots.txt"  # both the spider's reasons for a robots.txt denial name it (crawler.spider)
JSON_FIELDS = {"drop_reasons": "{}", "errors": "[]", "detail": "{}"}  # stored as JSON text


def run_of(data: Mapping[str, Any]) -> CrawlRun:
    """A CrawlRun from a row's mapping (the operations queries read whole rows). Columns without a field
    in CrawlRun are left out, JSON columns decoded."""
    known = {name: data[name] for name in CrawlRun.__dataclass_fields__ if name in data}
    for name, empty in JSON_FIELDS.items():
        if name in known and (known[name] is None or isinstance(known[name], str)):
            known[name] = json.loads(known[name] or empty)
    return CrawlRun(**known)


@dataclass(frozen=True)
class RunPages:
    """A run's pages that came to nothing, by kind: failed (fetch or other), refused by robots.txt,
    fetched but unreadable; and the strategy that read the source, when the run recorded it."""

    failed: list[tuple[str, str]]
    robots: list[tuple[str, str]]
    unreadable: list[tuple[str, str]]
    strategy: str | None


def run_pages(row: Mapping[str, Any]) -> RunPages:
    """The one reader of a run's per-page detail, defensive about what it finds.

    A run of a schema with the `detail` column (JSON, see CrawlRun) lists its failed pages there with
    their kind (robots, unreadable, dns, http, ...) and names its strategy and the readers that read its
    postings ("auto → structured": 9). Older runs have only `errors` ([[url, reason], ...]): robots.txt
    refusals are told apart by their reason, the rest count as failed. Anything malformed is skipped."""
    detail = _json(row.get("detail"), {})
    listed = detail.get("failed_pages") if isinstance(detail, dict) else None
    if isinstance(listed, list) and listed:
        kinds = [(str(p.get("kind", "")), (str(p.get("url", "")), str(p.get("reason", ""))))
                 for p in listed if isinstance(p, dict)]  # fmt: skip
        failed = [page for kind, page in kinds if kind not in ("robots", "unreadable")]
        robots = [page for kind, page in kinds if kind == "robots"]
        unreadable = [page for kind, page in kinds if kind == "unreadable"]
    else:
        errors = _pairs(row.get("errors"))
        robots = [e for e in errors if ROBOTS_MARK in e[1]]
        failed = [e for e in errors if ROBOTS_MARK not in e[1]]
        unreadable = []
    return RunPages(failed, robots, unreadable, _strategy(detail if isinstance(detail, dict) else {}))


def _strategy(detail: dict) -> str | None:
    """The configured strategy and who read the postings ("auto (auto → structured: 9)"), if recorded."""
    strategy = detail.get("strategy")
    if not isinstance(strategy, str) or not strategy:
        return None
    readers = detail.get("readers")
    if isinstance(readers, dict) and readers:
        return f"{strategy} ({', '.join(f'{name}: {count}' for name, count in readers.items())})"
    return strategy


def _json(value: Any, empty: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value or "null") or empty
        except ValueError:
            return empty
    return empty if value is None else value


def _pairs(value: Any) -> list[tuple[str, str]]:
    """[[url, reason], ...] from JSON text or a list; entries that are not pairs are skipped."""
    value = _json(value, [])
    if not isinstance(value, list):
        return []
    return [(str(e[0]), str(e[1])) for e in value if isinstance(e, list | tuple) and len(e) >= 2]
