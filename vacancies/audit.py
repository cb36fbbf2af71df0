"""Audit log of the HR portal and API: who changed what and when (append-only).

Repeated events (failed logins) are summarised: the same actor, action and detail within an hour count
up one row (`repeats`, `last_at`) instead of adding rows, so an attack cannot flood the log.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import overload
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, insert, select, update

from vacancies.schema import audit_log_table as table
from vacancies.store import utcnow

REPEAT_WINDOW = timedelta(hours=1)
BERLIN = ZoneInfo("Europe/Berlin")

ACTION_LABELS = {
    "create": "angelegt",
    "update": "geändert",
    "publish": "veröffentlicht",
    "schedule": "Veröffentlichung geplant",
    "unpublish": "Veröffentlichung zurückgenommen",
    "withdraw": "zurückgezogen",
    "expire": "nach Bewerbungsfrist abgelaufen",
    "hide": "ausgeblendet",
    "unhide": "wieder eingeblendet",
    "attach": "PDF angehängt",
    "detach": "PDF entfernt",
    "token_create": "API-Zugang erstellt",
    "token_revoke": "API-Zugang widerrufen",
    "login": "angemeldet",
    "login_failed": "Anmeldung fehlgeschlagen",
    "logout": "abgemeldet",
}


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    district: str | None
    action: str
    vacancy_id: str | None
    fields: list[str]
    detail: str | None
    repeats: int = 1
    last_at: datetime | None = None

    @property
    def label(self) -> str:
        label = ACTION_LABELS.get(self.action, self.action)
        if self.repeats > 1 and self.last_at is not None:
            label += f", {self.repeats}-mal bis {self.last_at.astimezone(BERLIN):%H:%M} Uhr"
        return label


class AuditLog:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.clock = clock

    def record(
        self,
        actor: str,
        action: str,
        district: str | None,
        vacancy_id: str | None = None,
        fields: Iterable[str] = (),
        detail: str | None = None,
        conn: Connection | None = None,
    ) -> None:
        values = dict(at=self.clock(), actor=actor[:300], district=district, action=action)
        values.update(vacancy_id=vacancy_id, fields=json.dumps(sorted(fields)), detail=detail)
        if conn is not None:
            conn.execute(insert(table).values(**values))
            return
        with self.engine.begin() as own:
            own.execute(insert(table).values(**values))

    def record_repeated(self, actor: str, action: str, detail: str, district: str | None = None) -> None:
        """Record an event, or count it up in its row when it already happened within REPEAT_WINDOW."""
        now = self.clock()
        same = (table.c.actor == actor[:300]) & (table.c.action == action) & (table.c.detail == detail)
        query = select(table.c.id).where(same, table.c.at > now - REPEAT_WINDOW).order_by(table.c.id.desc())
        with self.engine.begin() as conn:
            row_id = conn.scalar(query.limit(1))
            if row_id is None:
                self.record(actor, action, district, detail=detail, conn=conn)
                return
            counted = dict(repeats=table.c.repeats + 1, last_at=now)
            conn.execute(update(table).where(table.c.id == row_id).values(**counted))

    def entries(
        self, district: str | None = None, vacancy_id: str | None = None, limit: int = 500
    ) -> list[AuditEntry]:
        """Newest first; `district` None means every district (admins)."""
        query = select(table).order_by(table.c.id.desc()).limit(limit)
        if district is not None:
            query = query.where(table.c.district == district)
        if vacancy_id is not None:
            query = query.where(table.c.vacancy_id == vacancy_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [_entry(row) for row in rows]


def _entry(row) -> AuditEntry:
    return AuditEntry(
        _aware(row.at), row.actor, row.district, row.action, row.vacancy_id, json.loads(row.fields),
        row.detail, row.repeats, _aware(row.last_at),
    )  # fmt: skip


@overload
def _aware(moment: datetime) -> datetime: ...
@overload
def _aware(moment: datetime | None) -> datetime | None: ...
def _aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; the log is written in UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
