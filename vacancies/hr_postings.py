"""Vacancies posted by HR offices: input validation (German messages), lifecycle, PDF attachment.

Every HR write is ONE transaction: the posting row, its index entry (FTS5 rows in the same transaction, or
the Elasticsearch outbox), the HR extras (schedule, attachment) and the audit entry commit together, so a
crash never leaves e.g. a published posting without its audit entry. The writes use the Board's store and
index steps on the transaction's connection; after the commit the outbox is pushed and an Elasticsearch
index refreshed once, so that the change is searchable at once instead of after the next refresh interval.

Scheduled publication: the posting stays a draft with `publish_at` in hr_postings; `promote_due` publishes
what is due and expires HR postings past their deadline. The HR app runs it on requests (at most every
few seconds, see api/hr) and `stellenboerse hr-due` runs it from cron, so a due posting appears even when
nobody uses the site. Public search hides postings past their deadline by itself in the meantime.
"""

from __future__ import annotations

import io
import logging
import os
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, overload

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator
from sqlalchemy import Connection, insert, select, update

from vacancies.audit import AuditLog
from vacancies.districts import by_slug
from vacancies.html import sanitise_html
from vacancies.model import (
    CONTENT_FIELDS,
    EmploymentStatus,
    Origin,
    PayScale,
    PostingType,
    Remote,
    State,
    Vacancy,
    WorkingTime,
)
from vacancies.normalize import canonical_pay_grade, pay_grade_rank
from vacancies.schema import hr_postings_table as extras_t
from vacancies.schema import vacancies_table as vacancies_t
from vacancies.search.contract import BERLIN
from vacancies.service import Board, BoardWrite
from vacancies.store import utcnow
from vacancies.visibility import in_time, lapsed_clause

log = logging.getLogger(__name__)

MAX_PDF_BYTES = 10 * 1024 * 1024
# \Z, not $: "$" also matches before a final newline, and "abc\n" would become the id of "abc"
EXTERNAL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}\Z")
EMAIL_RE = r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$"

NO_APPLY_CHANNEL = "Bitte eine Bewerbungsadresse (Web) oder eine Bewerbungs-E-Mail angeben"
PUBLISHED_BUT_SCHEDULED = (
    'Der Veröffentlichungstermin liegt in der Zukunft, aber "state" ist "published" '
    "(sofort veröffentlichen). "
    'Für eine geplante Veröffentlichung "state" weglassen oder "draft" angeben, zum sofortigen '
    "Veröffentlichen publish_at weglassen"
)
GERMAN_DATE_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})\Z")
MIN_YEAR, MAX_YEAR = 1900, 2100  # dates and times HR may set (deadline, start, scheduled publication)
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]


def year_problem(moment: date) -> str | None:
    """German reason why a date or time lies outside MIN_YEAR..MAX_YEAR, or None."""
    if MIN_YEAR <= moment.year <= MAX_YEAR:
        return None
    return f"muss zwischen den Jahren {MIN_YEAR} und {MAX_YEAR} liegen"


def _filled(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _none_if_blank(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class LocationInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return _none_if_blank(value)

    street: Short | None = None
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{5}$")] | None = None
    city: Short | None = None


class ContactInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return _none_if_blank(value)

    name: Short | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] | None = None
    email: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=254, pattern=EMAIL_RE)] | None
    ) = None


class VacancyInput(BaseModel):
    """What HR sets on a vacancy (the form and the JSON API share it; unknown fields are refused)."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    department: Short | None = None
    employer: Short | None = None
    description: Annotated[str, StringConstraints(max_length=100_000)] = ""
    posting_type: PostingType = PostingType.job
    category: Short | None = None
    working_time: list[WorkingTime] = Field(default_factory=list)
    weekly_hours: float | None = Field(default=None, gt=0, le=60)
    fixed_term: bool = False
    term_months: int | None = Field(default=None, ge=1, le=120)
    status: list[EmploymentStatus] = Field(default_factory=list)
    pay_scale: PayScale | None = None
    pay_grade_min: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    pay_grade_max: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    career_level: int | None = Field(default=None, ge=1, le=4)
    # Euros per month the posting states (they win over the pay tables); leave out to show the table's range.
    salary_min: float | None = Field(default=None, ge=100, le=100_000)
    salary_max: float | None = Field(default=None, ge=100, le=100_000)
    remote: Remote = Remote.none
    location: LocationInput = Field(default_factory=LocationInput)
    deadline: date | None = None
    start_date: date | None = None
    reference: Short | None = None
    apply_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    apply_email: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=254, pattern=EMAIL_RE)] | None
    ) = None
    contact: ContactInput | None = None
    # JSON API only: the state to put the posting in, and an optional scheduled publication. `state` left
    # out means "published", or "scheduled" when publish_at lies ahead (HrPostings.parse decides).
    state: Literal["draft", "published"] | None = None
    publish_at: datetime | None = None

    @field_validator(
        "department", "employer", "category", "weekly_hours", "term_months", "pay_scale", "pay_grade_min",
        "pay_grade_max", "career_level", "salary_min", "salary_max", "deadline", "start_date", "reference",
        "apply_url", "apply_email", "publish_at", mode="before",
    )  # fmt: skip
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return _none_if_blank(value)

    @field_validator("publish_at")
    @classmethod
    def _berlin_if_naive(cls, value: datetime | None) -> datetime | None:
        """A time without offset is a German wall-clock time, as in the portal's form (not UTC)."""
        return value.replace(tzinfo=BERLIN) if value is not None and value.tzinfo is None else value

    @field_validator("deadline", "start_date", "publish_at")
    @classmethod
    def _plausible_year(cls, value: date | None) -> date | None:
        """Year 9999 with a negative offset overflowed datetime on the way to UTC (a 500 after the draft
        was written); no posting plans for another century either."""
        if value is not None and year_problem(value):
            raise ValueError(year_problem(value))
        return value

    @field_validator("apply_url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value and not re.match(r"^https?://[^\s]+\Z", value, re.I):
            raise ValueError("muss eine Web-Adresse sein, die mit https:// oder http:// beginnt")
        return value

    @field_validator("pay_grade_min", "pay_grade_max")
    @classmethod
    def _grade(cls, value: str | None) -> str | None:
        if not value:
            return None
        grade = canonical_pay_grade(value)
        if grade is None:
            raise ValueError(f"„{value}“ ist keine Entgelt- oder Besoldungsgruppe (z. B. E9a, S11b, A13)")
        return grade

    @field_validator("deadline", "start_date", mode="before")
    @classmethod
    def _german_date(cls, value: Any) -> Any:
        """TT.MM.JJJJ, as the error message offers and German ATS exports write it, besides ISO dates."""
        if isinstance(value, str) and (match := GERMAN_DATE_RE.match(value.strip())):
            day, month, year = match.groups()
            return f"{year}-{int(month):02d}-{int(day):02d}"
        return value


# -- German validation messages ------------------------------------------------------------------------------

_MESSAGES = {
    "missing": "Pflichtangabe",
    "string_too_short": "darf nicht leer sein",
    "string_too_long": "ist zu lang (höchstens {max_length} Zeichen)",
    "too_long": "zu viele Einträge",
    "string_type": "muss Text sein",
    "int_parsing": "muss eine ganze Zahl sein",
    "int_parsing_size": "ist viel zu groß",
    "int_type": "muss eine ganze Zahl sein",
    "int_from_float": "muss eine ganze Zahl sein",
    "float_parsing": "muss eine Zahl sein",
    "float_type": "muss eine Zahl sein",
    "bool_parsing": "muss ja oder nein sein",
    "bool_type": "muss ja oder nein sein",
    "enum": "erlaubt sind: {expected}",
    "literal_error": "erlaubt sind: {expected}",
    "greater_than": "muss größer als {gt} sein",
    "greater_than_equal": "muss mindestens {ge} sein",
    "less_than_equal": "darf höchstens {le} sein",
    "date_parsing": "ist kein gültiges Datum (TT.MM.JJJJ oder JJJJ-MM-TT)",
    "date_from_datetime_parsing": "ist kein gültiges Datum (TT.MM.JJJJ oder JJJJ-MM-TT)",
    "date_type": "ist kein gültiges Datum",
    "datetime_parsing": "ist kein gültiger Zeitpunkt (JJJJ-MM-TTTHH:MM)",
    "datetime_from_date_parsing": "ist kein gültiger Zeitpunkt (JJJJ-MM-TTTHH:MM)",
    "datetime_type": "ist kein gültiger Zeitpunkt",
    "extra_forbidden": "ist kein bekanntes Feld",
    "list_type": "muss eine Liste sein",
    "model_type": "muss ein Objekt sein",
    "model_attributes_type": "muss ein Objekt sein",
    "dict_type": "muss ein Objekt sein",
}
_PATTERN_MESSAGES = {
    "location.postal_code": "muss eine fünfstellige Postleitzahl sein",
    "apply_email": "ist keine gültige E-Mail-Adresse",
    "contact.email": "ist keine gültige E-Mail-Adresse",
}


def german_errors(exc: ValidationError) -> dict[str, str]:
    """Field path ('location.postal_code') → German message; the first problem per field wins."""
    errors: dict[str, str] = {}
    for item in exc.errors():
        path = ".".join(str(p) for p in item.get("loc", ()) if not isinstance(p, int)) or "(Angaben)"
        kind, ctx = item.get("type", ""), item.get("ctx", {}) or {}
        if kind == "string_type" and item.get("input") is None:
            message = "Pflichtangabe"
        elif kind == "value_error":
            message = str(ctx.get("error", item.get("msg", "ungültig")))
        elif kind == "string_pattern_mismatch":
            message = _PATTERN_MESSAGES.get(path, "hat nicht das erwartete Format")
        else:
            message = _MESSAGES.get(kind, "ungültig").format(**ctx).replace("' or '", "' oder '")
        errors.setdefault(path, message)
    return errors


class InvalidInput(ValueError):
    """Field path → German message for every field that is wrong."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFound(LookupError):
    """The posting does not exist or belongs to a district the caller may not see (same answer)."""


# -- PDF attachment ------------------------------------------------------------------------------------------


def pdf_problem(data: bytes) -> str | None:
    """Why an upload is not accepted as the PDF attachment (German), or None."""
    if not data:
        return "Die Datei ist leer."
    if len(data) > MAX_PDF_BYTES:
        return "Die Datei ist größer als 10 MB. Bitte eine kleinere PDF-Datei hochladen."
    if not data.startswith(b"%PDF-"):
        return "Die Datei ist kein PDF-Dokument. Bitte eine PDF-Datei hochladen."
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=True)
        if len(reader.pages) < 1:
            return "Das PDF-Dokument hat keine Seiten."
    except Exception:  # pypdf raises many kinds of errors for broken input; all mean the same here
        return "Die Datei ist kein lesbares PDF-Dokument (beschädigt oder getarnt)."
    return None


def safe_filename(name: str) -> str:
    stem = Path(name or "").name.rsplit(".", 1)[0]
    stem = re.sub(r"[^\wäöüÄÖÜß .-]+", "_", stem).strip(" ._")[:80] or "Ausschreibung"
    return f"{stem}.pdf"


# -- the service ---------------------------------------------------------------------------------------------


@dataclass
class Listed:
    vacancy: Vacancy
    hidden: bool = False
    publish_at: datetime | None = None
    attachment_name: str | None = None


def berlin_today(now: datetime) -> date:
    return now.astimezone(BERLIN).date()


@overload
def _aware(moment: datetime) -> datetime: ...
@overload
def _aware(moment: None) -> None: ...
def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


class HrPostings:
    def __init__(
        self,
        board: Board,
        audit: AuditLog,
        uploads_dir: Path,
        base_url: str = "",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.board = board
        self.audit = audit
        self.uploads_dir = uploads_dir
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.engine = board.store.engine

    # -- reading ------------------------------------------------------------------------------------------

    def get(self, vacancy_id: str, scope: str | None, origin: Origin | None = Origin.hr) -> Vacancy:
        """The posting if it lies in `scope` (a district; None = every district), else NotFound."""
        return self._get_in(None, vacancy_id, scope, origin)

    def _get_in(
        self, conn: Connection | None, vacancy_id: str, scope: str | None, origin: Origin | None = Origin.hr
    ) -> Vacancy:
        vacancy = self.board.store.get(vacancy_id, conn)
        if vacancy is None or (scope is not None and vacancy.district != scope):
            raise NotFound(vacancy_id)
        if origin is not None and vacancy.origin != origin:
            raise NotFound(vacancy_id)
        return vacancy

    def listing(self, scope: str | None, origin: Origin) -> list[Listed]:
        query = (
            select(
                vacancies_t.c.data, vacancies_t.c.hidden, extras_t.c.publish_at, extras_t.c.attachment_name
            )
            .select_from(vacancies_t.outerjoin(extras_t, extras_t.c.vacancy_id == vacancies_t.c.id))
            .where(vacancies_t.c.origin == origin.value)
            .order_by(vacancies_t.c.district, vacancies_t.c.updated_at.desc())
        )
        if scope is not None:
            query = query.where(vacancies_t.c.district == scope)
        with self.engine.connect() as conn:
            rows = conn.execute(query.limit(2000)).all()
        return [
            Listed(
                Vacancy.model_validate_json(r.data), bool(r.hidden), _aware(r.publish_at), r.attachment_name
            )
            for r in rows
        ]

    def extras(self, vacancy_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(select(extras_t).where(extras_t.c.vacancy_id == vacancy_id)).first()
        if row is None:
            return {}
        data = row._asdict()
        data["publish_at"] = _aware(data["publish_at"])
        return data

    def is_hidden(self, vacancy_id: str) -> bool:
        return bool(self.board.store.hidden_ids([vacancy_id]))

    # -- validation ---------------------------------------------------------------------------------------

    def parse(self, data: dict[str, Any]) -> VacancyInput:
        """Validate input; raises InvalidInput with every wrong field and a German message."""
        try:
            value = VacancyInput.model_validate(data)
        except ValidationError as exc:
            errors = german_errors(exc)
            if not (_filled(data.get("apply_url")) or _filled(data.get("apply_email"))):
                errors.setdefault("apply_url", NO_APPLY_CHANNEL)  # report it together with the rest
            raise InvalidInput(errors) from exc
        errors = self._semantic_errors(value)
        if errors:
            raise InvalidInput(errors)
        return self._with_state(value)

    def _with_state(self, value: VacancyInput) -> VacancyInput:
        """The state the caller means: without `state`, a publish_at ahead schedules (a draft until
        then) and one that has passed publishes now (an ATS sending its unchanged record again)."""
        if value.state is not None:
            return value
        ahead = value.publish_at is not None and _aware(value.publish_at) > self.clock()
        if ahead:
            return value.model_copy(update={"state": "draft"})
        return value.model_copy(update={"state": "published", "publish_at": None})

    def _semantic_errors(self, value: VacancyInput) -> dict[str, str]:
        errors: dict[str, str] = {}
        today = berlin_today(self.clock())
        if not (value.apply_url or value.apply_email):
            errors["apply_url"] = NO_APPLY_CHANNEL
        code = value.location.postal_code
        if code and self.board.gazetteer.place_for_code(code) is None:
            errors["location.postal_code"] = f"Die Postleitzahl {code} ist nicht bekannt"
        if not in_time(value.deadline, today):
            errors["deadline"] = "Die Bewerbungsfrist liegt in der Vergangenheit"
        if value.term_months and not value.fixed_term:
            errors["term_months"] = "Eine Befristungsdauer gibt es nur bei befristeten Stellen"
        low, high = value.pay_grade_min, value.pay_grade_max
        if low and high and pay_grade_rank(low) > pay_grade_rank(high):
            errors["pay_grade_max"] = "Die höchste Gruppe liegt unter der niedrigsten"
        if value.salary_min and value.salary_max and value.salary_min > value.salary_max:
            errors["salary_max"] = "Das Gehalt „bis“ liegt unter dem Gehalt „von“"
        errors.update(self._schedule_errors(value))
        return errors

    def _schedule_errors(self, value: VacancyInput) -> dict[str, str]:
        if value.publish_at is None:
            return {}
        ahead = _aware(value.publish_at) > self.clock()
        if not ahead and value.state == "draft":
            return {"publish_at": "Der Veröffentlichungstermin liegt in der Vergangenheit"}
        if ahead and value.state == "published":  # "live now" and "live later" at once: refuse, not guess
            return {"publish_at": PUBLISHED_BUT_SCHEDULED}
        return {}

    # -- writing ------------------------------------------------------------------------------------------
    #
    # Every HR write is one transaction: the posting row, its index entry (FTS5 rows, or the outbox for
    # Elasticsearch), the HR extras and the audit entry commit together or not at all. A crash in between
    # used to leave e.g. a published posting without its audit entry.

    @contextmanager
    def _write(self, settle: bool = True) -> Iterator[Connection]:
        """One transaction (Board.writing); `settle`: the change is searchable right after it."""
        with self.board.writing(visible_at_once=settle) as write:
            yield write.conn

    def _save_in(self, conn: Connection, vacancy: Vacancy) -> None:
        BoardWrite(self.board, conn).save([vacancy])

    def _store_state(self, conn: Connection, vacancy_id: str, state: State) -> None:
        BoardWrite(self.board, conn).set_state([vacancy_id], state)

    def new_id(self, district: str) -> str:
        return f"hr-{district}-{secrets.token_hex(5)}"

    def create(
        self, value: VacancyInput, district: str, actor: str, vacancy_id: str | None = None
    ) -> Vacancy:
        with self._write() as conn:
            return self._create_in(conn, value, district, actor, vacancy_id)

    def _create_in(
        self, conn: Connection, value: VacancyInput, district: str, actor: str, vacancy_id: str | None
    ) -> Vacancy:
        vacancy = self._build(value, vacancy_id or self.new_id(district), district, None)
        vacancy.state = State.draft
        self._save_in(conn, vacancy)
        conn.execute(
            insert(extras_t).values(
                vacancy_id=vacancy.id, district=district, created_by=actor, created_at=self.clock()
            )
        )
        self.audit.record(actor, "create", district, vacancy.id, conn=conn)
        return vacancy

    def update(self, vacancy_id: str, value: VacancyInput, scope: str | None, actor: str) -> list[str]:
        """Apply new content (the state stays); returns the names of the fields that changed."""
        with self._write() as conn:
            return self._update_in(conn, vacancy_id, value, scope, actor)

    def _update_in(
        self, conn: Connection, vacancy_id: str, value: VacancyInput, scope: str | None, actor: str
    ) -> list[str]:
        old = self._get_in(conn, vacancy_id, scope)
        vacancy = self._build(value, old.id, old.district, old)
        self._save_in(conn, vacancy)
        changed = _changed_fields(old, vacancy)  # after the save: enrichment fills derived fields
        if changed:
            self.audit.record(actor, "update", old.district, old.id, changed, conn=conn)
        return changed

    def put(self, vacancy_id: str, value: VacancyInput, district: str, actor: str) -> bool:
        """The HR API's create-or-update, then the state it asks for, in one transaction; True if new.

        NotFound when the id belongs to another district's (or a crawled) posting."""
        with self._write() as conn:
            existing = self.board.store.get(vacancy_id, conn)
            if existing is None:
                self._create_in(conn, value, district, actor, vacancy_id)
            elif existing.district != district or existing.origin != Origin.hr:
                raise NotFound(vacancy_id)
            else:
                self._update_in(conn, vacancy_id, value, district, actor)
            self._apply_state_in(conn, vacancy_id, value, district, actor)
        return existing is None

    def _apply_state_in(
        self, conn: Connection, vacancy_id: str, value: VacancyInput, district: str, actor: str
    ) -> None:
        current = self._get_in(conn, vacancy_id, district).state
        if value.state == "published" and current != State.published:
            self._publish_in(conn, vacancy_id, district, actor)
        elif value.state == "draft" and value.publish_at is not None:
            self._schedule_in(conn, vacancy_id, value.publish_at, district, actor)
        elif value.state == "draft" and current == State.published:
            self._set_state_in(conn, vacancy_id, State.draft, district, actor, "unpublish")

    def _build(self, value: VacancyInput, vacancy_id: str, district: str, old: Vacancy | None) -> Vacancy:
        data = value.model_dump(exclude={"state", "publish_at"}, exclude_none=True)
        data["description"] = sanitise_html(value.description)
        data["employer"] = value.employer or f"Landratsamt {by_slug()[district].name}"
        data["contact"] = data.get("contact") or None
        if value.salary_min or value.salary_max:
            data["salary_unit"] = "MONTH"  # the form and the API take monthly amounts
        data.update(id=vacancy_id, origin=Origin.hr.value, district=district)
        if old is not None:
            data.update(state=old.state, date_posted=old.date_posted, attachments=old.attachments)
            data["first_seen"] = old.first_seen
        return Vacancy.model_validate(data)

    def publish(self, vacancy_id: str, scope: str | None, actor: str) -> Vacancy:
        with self._write() as conn:
            return self._publish_in(conn, vacancy_id, scope, actor)

    def _publish_in(self, conn: Connection, vacancy_id: str, scope: str | None, actor: str) -> Vacancy:
        vacancy = self._get_in(conn, vacancy_id, scope)
        today = berlin_today(self.clock())
        if not in_time(vacancy.deadline, today):  # it would be listed nowhere
            raise InvalidInput(
                {"deadline": "Die Bewerbungsfrist ist vorbei – bitte erst eine neue Frist setzen"}
            )
        vacancy.state = State.published
        vacancy.date_posted = vacancy.date_posted or today
        self._save_in(conn, vacancy)
        self._set_publish_at(conn, vacancy_id, None)
        self.audit.record(actor, "publish", vacancy.district, vacancy_id, conn=conn)
        return vacancy

    def schedule(self, vacancy_id: str, at: datetime, scope: str | None, actor: str) -> None:
        with self._write() as conn:
            self._schedule_in(conn, vacancy_id, at, scope, actor)

    def _schedule_in(
        self, conn: Connection, vacancy_id: str, at: datetime, scope: str | None, actor: str
    ) -> None:
        vacancy = self._get_in(conn, vacancy_id, scope)
        if year_problem(at):  # the form's field comes here unparsed by VacancyInput
            raise InvalidInput({"publish_at": f"Der Veröffentlichungstermin {year_problem(at)}"})
        if _aware(at) <= self.clock():
            raise InvalidInput({"publish_at": "Der Veröffentlichungstermin liegt in der Vergangenheit"})
        if vacancy.state != State.draft:  # only drafts are promoted: a withdrawn or expired one too
            self._store_state(conn, vacancy_id, State.draft)
        self._set_publish_at(conn, vacancy_id, _aware(at).astimezone(UTC))  # SQLite keeps no offset: UTC
        local = _aware(at).astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
        self.audit.record(actor, "schedule", vacancy.district, vacancy_id, detail=f"ab {local}", conn=conn)

    def set_state(self, vacancy_id: str, state: State, scope: str | None, actor: str, action: str) -> None:
        with self._write() as conn:
            self._set_state_in(conn, vacancy_id, state, scope, actor, action)

    def _set_state_in(
        self, conn: Connection, vacancy_id: str, state: State, scope: str | None, actor: str, action: str
    ) -> None:
        vacancy = self._get_in(conn, vacancy_id, scope)
        self._store_state(conn, vacancy_id, state)
        self._set_publish_at(conn, vacancy_id, None)
        self.audit.record(actor, action, vacancy.district, vacancy_id, conn=conn)

    def set_hidden(self, vacancy_id: str, hidden: bool, scope: str | None, actor: str) -> None:
        """Hide a wrongly crawled posting (kept in the store; crawls do not touch the hidden flag)."""
        with self._write() as conn:
            vacancy = self._get_in(conn, vacancy_id, scope, origin=Origin.crawled)
            BoardWrite(self.board, conn).set_hidden(vacancy_id, hidden)
            self.audit.record(actor, "hide" if hidden else "unhide", vacancy.district, vacancy_id, conn=conn)

    def _set_publish_at(self, conn: Connection, vacancy_id: str, at: datetime | None) -> None:
        conn.execute(update(extras_t).where(extras_t.c.vacancy_id == vacancy_id).values(publish_at=at))

    # -- scheduled publication and expiry -----------------------------------------------------------------

    def promote_due(self) -> tuple[list[str], list[str]]:
        """Publish scheduled drafts that are due; expire published HR postings past their deadline.

        One transaction per posting (with its audit entry), the index fed once at the end."""
        now = self.clock()
        with self.engine.connect() as conn:
            due = list(
                conn.scalars(
                    select(extras_t.c.vacancy_id)
                    .join(vacancies_t, vacancies_t.c.id == extras_t.c.vacancy_id)
                    .where(extras_t.c.publish_at <= now, vacancies_t.c.state == State.draft.value)
                )
            )
            late = list(
                conn.scalars(
                    select(vacancies_t.c.id).where(
                        vacancies_t.c.origin == Origin.hr.value, lapsed_clause(vacancies_t, berlin_today(now))
                    )
                )
            )
        published = [v for v in due if self._publish_due(v)]
        late = [v for v in late if self._expire_due(v)]
        if published or late:
            self.board.make_visible()
        return published, late

    # Several server workers run this at once: each posting is checked again inside its own write
    # transaction (which holds the write lock), so only one of them publishes or expires it.

    def _expire_due(self, vacancy_id: str) -> bool:
        with self._write(settle=False) as conn:
            vacancy = self.board.store.get(vacancy_id, conn)
            if vacancy is None or vacancy.state != State.published:
                return False  # another worker was first
            self._store_state(conn, vacancy_id, State.expired)
            self.audit.record("system", "expire", vacancy.district, vacancy_id, conn=conn)
        return True

    def _publish_due(self, vacancy_id: str) -> bool:
        try:
            with self._write(settle=False) as conn:
                current = self.board.store.get(vacancy_id, conn)
                if current is None or current.state != State.draft:
                    return False  # another worker was first
                self._publish_in(conn, vacancy_id, None, "system")
        except (InvalidInput, NotFound) as exc:  # e.g. deadline passed before the date: stays a draft
            with self._write(settle=False) as conn:
                self._set_publish_at(conn, vacancy_id, None)
            log.info("Geplante Veröffentlichung von %s entfällt: %s", vacancy_id, exc)
            return False
        return True

    # -- attachment ---------------------------------------------------------------------------------------

    def attach_pdf(self, vacancy_id: str, filename: str, data: bytes, scope: str | None, actor: str) -> None:
        self.get(vacancy_id, scope)
        problem = pdf_problem(data)
        if problem:
            raise InvalidInput({"attachment": problem})
        attachment_id, name = self._store_file(data), safe_filename(filename)
        try:
            with self._write() as conn:
                vacancy = self._get_in(conn, vacancy_id, scope)
                previous = self._attach_in(conn, vacancy, (attachment_id, name, len(data)))
                self.audit.record(
                    actor, "attach", vacancy.district, vacancy_id, ["attachments"], name, conn=conn
                )
        except BaseException:
            self._remove_file(attachment_id)  # nothing refers to it: the transaction did not commit
            raise
        self._remove_file(previous)

    def detach_pdf(self, vacancy_id: str, scope: str | None, actor: str) -> None:
        with self._write() as conn:
            vacancy = self._get_in(conn, vacancy_id, scope)
            previous = self._attach_in(conn, vacancy, (None, None, None))
            self.audit.record(actor, "detach", vacancy.district, vacancy_id, ["attachments"], conn=conn)
        self._remove_file(previous)  # after the commit: a failed write keeps the old file it refers to

    def _store_file(self, data: bytes) -> str:
        attachment_id = secrets.token_urlsafe(24)
        self.uploads_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.uploads_dir / f"{attachment_id}.pdf"
        temporary = path.with_suffix(".tmp")
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
        return attachment_id

    def _attach_in(
        self, conn: Connection, vacancy: Vacancy, attachment: tuple[str | None, str | None, int | None]
    ) -> str | None:
        """Point the posting at an attachment (id, name, size; all None: none); returns the previous id."""
        attachment_id, name, size = attachment
        query = select(extras_t.c.attachment_id).where(extras_t.c.vacancy_id == vacancy.id)
        previous = conn.scalar(query)
        conn.execute(
            update(extras_t)
            .where(extras_t.c.vacancy_id == vacancy.id)
            .values(attachment_id=attachment_id, attachment_name=name, attachment_size=size)
        )
        vacancy.attachments = [self.attachment_url(attachment_id)] if attachment_id else []
        self._save_in(conn, vacancy)
        return previous

    def attachment_url(self, attachment_id: str) -> str:
        return f"{self.base_url}/hr/dokumente/{attachment_id}.pdf"

    def attachment(self, attachment_id: str) -> tuple[Path, str, Vacancy] | None:
        """(file, download name, posting) for an attachment id, or None."""
        if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", attachment_id):
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(extras_t).where(extras_t.c.attachment_id == attachment_id)).first()
        if row is None:
            return None
        vacancy = self.board.get(row.vacancy_id)
        path = self.uploads_dir / f"{attachment_id}.pdf"
        if vacancy is None or not path.is_file():
            return None
        return path, row.attachment_name or "Ausschreibung.pdf", vacancy

    def _remove_file(self, attachment_id: str | None) -> None:
        if attachment_id:
            (self.uploads_dir / f"{attachment_id}.pdf").unlink(missing_ok=True)


def _changed_fields(old: Vacancy, new: Vacancy) -> list[str]:
    before = old.model_dump(mode="json", include=set(CONTENT_FIELDS))
    after = new.model_dump(mode="json", include=set(CONTENT_FIELDS))
    return sorted(name for name in CONTENT_FIELDS if before.get(name) != after.get(name))


def external_id_of(vacancy: Vacancy) -> str:
    prefix = f"hr-{vacancy.district}-"
    return vacancy.id[len(prefix) :] if vacancy.id.startswith(prefix) else vacancy.id


def to_input_dict(vacancy: Vacancy) -> dict[str, Any]:
    """The editable fields of a stored posting, shaped like VacancyInput (for forms and API output)."""
    data = vacancy.model_dump(mode="json", include=set(VacancyInput.model_fields) - {"state", "publish_at"})
    data["location"] = {k: data.get("location", {}).get(k) for k in ("street", "postal_code", "city")}
    return data
