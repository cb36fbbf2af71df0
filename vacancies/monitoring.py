"""What the operator's monitoring reads from the database at each scrape (api/metrics.py shows it).

The numbers several server processes must agree on: the index outbox, each source's last successful
crawl run, the mail outbox by kind and state, the open operator incidents. No personal data: sources,
districts, kinds and counts only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, case, func, select
from sqlalchemy.exc import SQLAlchemyError

from vacancies.schema import crawl_runs_table as runs
from vacancies.schema import index_outbox_table, mail_outbox_table
from vacancies.schema import operator_incidents_table as incidents
from vacancies.store import utcnow

MAIL_KINDS = ("confirm", "digest", "operator")
MAIL_STATES = ("queued", "sent", "failed")


@dataclass(frozen=True)
class SourceSuccess:
    source: str
    district: str
    finished_at: datetime | None  # aware UTC
    found: int


@dataclass
class Snapshot:
    outbox_backlog: int = 0
    outbox_oldest_seconds: float = 0.0  # 0: nothing waits
    sources: list[SourceSuccess] = field(default_factory=list)
    mails: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, state) -> count, all listed
    open_incidents: list[tuple[str, str]] = field(default_factory=list)  # (source, kind)


class StoreUnavailable(RuntimeError):
    """The database did not answer."""


def read_snapshot(engine: Engine) -> Snapshot:
    try:
        with engine.connect() as conn:
            backlog, oldest = _index_outbox(conn)
            return Snapshot(backlog, oldest, _sources(conn), _mails(conn), _incidents(conn))
    except SQLAlchemyError as exc:
        raise StoreUnavailable(str(exc)) from exc


def _index_outbox(conn: Connection) -> tuple[int, float]:
    count, oldest = conn.execute(
        select(func.count(), func.min(index_outbox_table.c.queued_at)).select_from(index_outbox_table)
    ).one()
    return count or 0, _age(oldest)


def _age(moment: datetime | None) -> float:
    return 0.0 if moment is None else max(0.0, (utcnow() - _aware(moment)).total_seconds())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def _sources(conn: Connection) -> list[SourceSuccess]:
    """Per source its latest successful run: when it finished and how many postings it found."""
    latest = (
        select(runs.c.source, func.max(runs.c.id).label("id"))
        .where(runs.c.status == "success")
        .group_by(runs.c.source)
        .subquery()
    )
    rows = conn.execute(
        select(runs.c.source, runs.c.district, runs.c.finished_at, runs.c.found).join(
            latest, runs.c.id == latest.c.id
        )
    )
    return [
        SourceSuccess(
            row.source, row.district, _aware(row.finished_at) if row.finished_at else None, row.found
        )
        for row in rows
    ]


def _mails(conn: Connection) -> dict[tuple[str, str], int]:
    """The mail outbox by kind and state. Finished rows are kept seven days (vacancies.alerts.service
    KEEP_MAIL_LOG), so "sent" and "failed" count that window; "queued" is everything still to send."""
    table = mail_outbox_table
    state = case(
        (table.c.sent_at.is_not(None), "sent"), (table.c.gave_up_at.is_not(None), "failed"), else_="queued"
    )
    rows = conn.execute(
        select(table.c.kind, state.label("state"), func.count()).group_by(table.c.kind, state)
    ).all()
    counts = {(kind, st): count for kind, st, count in rows}
    kinds = sorted({kind for kind, _ in counts} | set(MAIL_KINDS))
    return {(kind, st): counts.get((kind, st), 0) for kind in kinds for st in MAIL_STATES}


def _incidents(conn: Connection) -> list[tuple[str, str]]:
    rows = conn.execute(select(incidents.c.source, incidents.c.kind).where(incidents.c.closed_at.is_(None)))
    return [(row.source, row.kind) for row in rows]


class Monitoring:
    """The database's part of the metrics, for callers above vacancies/ (they hold no engine type)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def snapshot(self) -> Snapshot:
        return read_snapshot(self.engine)
