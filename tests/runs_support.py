"""Crawl runs for the operations tests, recorded through the crawler's own API (vacancies.runs.RunStore:
start, then finish), as `stellenboerse crawl` records them. Only the clock is moved: a run may be
recorded as having happened `ago` before now."""

from __future__ import annotations

from datetime import timedelta

from vacancies.runs import CrawlRun, RunStore
from vacancies.store import utcnow


def record(
    store: RunStore,
    source: str,
    district: str,
    *,
    ago: timedelta = timedelta(hours=1),
    status: str = "success",
    flag: str | None = None,
    found: int = 10,
    new: int = 0,
    expired: int = 0,
    drop_reasons: dict[str, int] | None = None,
    errors: list[list[str]] | None = None,
    pages: int = 5,
) -> CrawlRun:
    run = store.start(source, district)
    assert run is not None, f"{source}: a live run holds it"
    run.started_at = utcnow() - ago
    run.finished_at = run.started_at + timedelta(minutes=3)
    run.status, run.flag, run.pages = status, flag, pages
    run.found, run.new, run.expired = found, new, expired
    run.drop_reasons = drop_reasons or {}
    run.dropped = sum(run.drop_reasons.values())
    run.errors = errors or []
    store.finish(run)
    return run


def nightly(store: RunStore, source: str, district: str, founds: list[int], **kwargs) -> list[CrawlRun]:
    """One run a night, oldest first: the last of `founds` was last night (one hour ago)."""
    count = len(founds)
    return [
        record(store, source, district, ago=timedelta(days=count - 1 - n, hours=1), found=found, **kwargs)
        for n, found in enumerate(founds)
    ]
