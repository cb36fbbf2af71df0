"""Who sees a posting: the one definition of "visible to the public", for SQL, Python and both indexes.

- Listed (search, lists, counts, sitemap, alerts): state `published`, not hidden by an operator, and the
  Bewerbungsfrist not passed — no deadline, or a deadline on or after today (a Berlin date: visible
  through the whole last day).
- The search's archive switch (`include_expired`): also `expired` postings and published ones past their
  deadline. Drafts and withdrawn postings never appear.
- Readable at its address (`is_readable`): anything but a draft or a withdrawn posting, unless hidden;
  expired postings stay readable, so old links and bookmarks keep working.

Each engine states the rule in its own language, all from the names below: SQL (`visible_clause`),
Python (`is_public`), the embedded index's column masks (sqlite_backend._Search._visible) and the
Elasticsearch query (elasticsearch_backend.visibility_clause); tests/vacancies/test_visibility.py checks
that they agree on every combination of state, deadline and hidden flag. Hidden postings are kept out
of both indexes when they are written (vacancies.service.Board), so the indexes test state and deadline.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Table, and_, or_

from vacancies.model import State, Vacancy

LISTED_STATES = (State.published,)
ARCHIVE_STATES = (State.published, State.expired)  # include_expired: the deadline does not count
UNREADABLE_STATES = (State.draft, State.withdrawn)


def listed_states(include_expired: bool = False) -> tuple[State, ...]:
    return ARCHIVE_STATES if include_expired else LISTED_STATES


def deadline_counts(include_expired: bool = False) -> bool:
    """Whether a passed Bewerbungsfrist takes a posting out (not in the archive view)."""
    return not include_expired


def in_time(deadline: date | None, today: date) -> bool:
    """The Bewerbungsfrist has not passed on `today`."""
    return deadline is None or deadline >= today


def is_public(vacancy: Vacancy, today: date, hidden: bool = False, include_expired: bool = False) -> bool:
    """Listed on `today` (pass `hidden` from the store when it may be set: the record does not hold it)."""
    if hidden or vacancy.state not in listed_states(include_expired):
        return False
    return in_time(vacancy.deadline, today) or not deadline_counts(include_expired)


def is_readable(vacancy: Vacancy, hidden: bool = False) -> bool:
    """Its page and API record may be shown (expired ones too)."""
    return not hidden and vacancy.state not in UNREADABLE_STATES


def visible_clause(table: Table, today: date, include_expired: bool = False) -> ColumnElement[bool]:
    """`is_public` as a WHERE clause on the vacancies table."""
    states = table.c.state.in_([s.value for s in listed_states(include_expired)])
    clause = and_(states, table.c.hidden.is_(False))
    if deadline_counts(include_expired):
        clause = and_(clause, or_(table.c.deadline.is_(None), table.c.deadline >= today))
    return clause


def lapsed_clause(table: Table, today: date) -> ColumnElement[bool]:
    """Published but past the Bewerbungsfrist on `today`: no longer listed (HR postings then expire)."""
    return and_(table.c.state.in_([s.value for s in LISTED_STATES]), table.c.deadline < today)
