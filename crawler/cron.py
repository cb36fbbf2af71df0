"""Cron expressions as the scheduler reads them; apart from crawler.scheduler so that validating a
districts file (every `stellenboerse crawl` does) does not load the scheduler itself."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def crontab_trigger(expression: str, timezone: str, jitter: int | None = None) -> CronTrigger:
    """A crontab line as cron users read it. APScheduler counts weekdays from Monday = 0, crontab from
    Sunday = 0, so numeric weekdays are turned into names first ("1-5" -> "mon-fri")."""
    minute, hour, day, month, day_of_week = expression.split()
    day_of_week = re.sub(r"\d", lambda m: WEEKDAYS[int(m.group())], day_of_week)
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week,
                       timezone=ZoneInfo(timezone), jitter=jitter)  # fmt: skip
