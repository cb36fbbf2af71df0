"""Crawl runs recorded per source: what the nightly crawl did, for operators and the lifecycle rules."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, insert, select, update

from vacancies.schema import crawl_runs_table as runs
from vacancies.store import utcnow

# A "running" row older than this belongs to a crashed process and no longer blocks a new run.
STALE_RUN = timedelta(hours=6)


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

    def row(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "id"}
        data["drop_reasons"] = json.dumps(self.drop_reasons, ensure_ascii=False)
        data["errors"] = json.dumps(self.errors[:200], ensure_ascii=False)  # bounded: a broken site has many
        return data


class RunStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def start(self, source: str, district: str) -> CrawlRun | None:
        """Open a run, or None when another run of this source is still going (never two at once)."""
        now = utcnow()
        with self.engine.begin() as conn:
            busy = conn.execute(
                select(runs.c.id).where(
                    runs.c.source == source, runs.c.status == "running", runs.c.started_at > now - STALE_RUN
                )
            ).first()
            if busy:
                return None
            run = CrawlRun(source=source, district=district, started_at=now)
            run.id = conn.execute(insert(runs).values(**run.row())).inserted_primary_key[0]
        return run

    def finish(self, run: CrawlRun) -> None:
        run.finished_at = run.finished_at or utcnow()
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run.id).values(**run.row()))

    def last_success(self, source: str) -> CrawlRun | None:
        return self._one(select(runs).where(runs.c.source == source, runs.c.status == "success"))

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


def _from_row(row) -> CrawlRun:
    data = row._asdict()
    data["drop_reasons"] = json.loads(data["drop_reasons"] or "{}")
    data["errors"] = json.loads(data["errors"] or "[]")
    return CrawlRun(**data)
