"""Audit log of the HR portal and API: who changed what and when (append-only)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert, select

from vacancies.schema import audit_log_table as table
from vacancies.store import utcnow

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

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


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
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    return AuditEntry(
        at, row.actor, row.district, row.action, row.vacancy_id, json.loads(row.fields), row.detail
    )
