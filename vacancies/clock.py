"""The board's one idea of "today": the Berlin calendar date, which a test can pin.

Deadlines are German dates, so "today" is always the date in Europe/Berlin, never the machine's
local date. Every module that asks "has this Bewerbungsfrist passed?" asks `today()` here, so a
test that pins the date (``STELLEN_TODAY=2026-12-01``, also in subprocesses such as the CLI) pins it
for the search, the pages, the feeds and the sitemap alike. Production refuses the variable
(`vacancies.settings`), so the live board can never be frozen by a stray environment.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
PIN_VARIABLE = "STELLEN_TODAY"


def pinned_today() -> date | None:
    """The date a test pinned, or None. Read on each call: tests set and clear it at run time."""
    value = os.environ.get(PIN_VARIABLE, "").strip()
    return date.fromisoformat(value) if value else None


def today() -> date:
    return pinned_today() or datetime.now(BERLIN).date()


def utcnow() -> datetime:
    return datetime.now(UTC)
