"""The crawl at a glance for operators (issue 19): every source's state, its recent runs, and the crawl's
part of the health check. Plain dataclasses over `crawl_runs`, shared by the operations page
(web/hr/operations.py), `stellenboerse runs` (cli/runs.py) and `/api/v1/health`.

A source's state comes from its finished runs (a run still going counts for nothing yet), newest first.
"Usually" is the median postings of the USUAL_RUNS (5) successful runs before the last one, as the
operator alerts (vacancies.operator_alerts) count it, so page, command and mails agree:

- **failing** (gestört): the last run failed (its flag says why), or it found no posting although the
  source usually finds some (median at least 1);
- **degraded** (eingeschränkt): the last run found less than half of the usual postings (with at least
  MIN_HISTORY earlier successful runs and a median of at least MIN_USUAL; below that a drop is noise),
  or some of its pages failed (fetch errors, robots.txt refusals, unreadable pages);
- **ok** (in Ordnung): otherwise;
- **unknown** (noch kein Lauf): no finished run yet (a new source, a fresh installation).

A source with runs that is no longer in districts.yaml keeps its history and is marked removed; it
counts for neither failing nor stale in the health check, nor does a source switched off (enabled: false).
"""

from __future__ import annotations

import functools
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import yaml
from sqlalchemy import Engine, select

from vacancies.districts import districts_file, read_file
from vacancies.operator_alerts import MIN_HISTORY, MIN_USUAL, USUAL_RUNS
from vacancies.runs import CrawlRun, RunPages, run_of, run_pages
from vacancies.schema import crawl_runs_table as runs

TREND_RUNS = 30  # runs in a source's trend and on its page
STATES = ("failing", "degraded", "ok", "unknown")  # worst first: the order of the overview
STATE_LABELS = {
    "ok": "in Ordnung",
    "degraded": "eingeschränkt",
    "failing": "gestört",
    "unknown": "noch kein Lauf",
}
STATUS_LABELS = {"success": "erfolgreich", "failed": "fehlgeschlagen", "running": "läuft"}


@dataclass(frozen=True)
class ConfiguredSource:
    key: str
    district: str
    strategy: str
    enabled: bool


@dataclass(frozen=True)
class TrendPoint:
    started_at: datetime
    status: str
    found: int
    new: int
    expired: int
    dropped: int


@dataclass(frozen=True)
class SourceHealth:
    source: str
    district: str
    state: str  # one of STATES
    reason: str  # German: why this state ("" for ok)
    last_run: datetime | None  # start of the last finished run
    last_status: str | None
    last_success: datetime | None  # end of the last successful run
    found: int | None  # postings the last finished run found
    trend: list[TrendPoint]  # the last TREND_RUNS finished runs, oldest first
    removed: bool  # no longer in districts.yaml: history only
    enabled: bool
    running: bool  # a run of it is open right now
    strategy: str | None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class RunDetail:
    run: CrawlRun
    pages: RunPages
    strategy: str | None  # as the run recorded it, else the configured one

    @property
    def failed(self) -> bool:
        pages = self.pages
        return self.run.status == "failed" or bool(pages.failed or pages.robots or pages.unreadable)


class UnknownSource(LookupError):
    """A source key that neither districts.yaml nor any recorded run knows."""


# -- districts.yaml --------------------------------------------------------------------------------------


def configured_sources(path: Path | None = None) -> dict[str, ConfiguredSource]:
    """The sources districts.yaml names (enabled or not), read without the crawler's validation: the
    operations view must work even with a file the crawler refuses."""
    target = Path(path or districts_file())
    try:
        stamp = target.stat().st_mtime_ns
    except OSError:
        return {}
    return dict(_read_sources(str(target), stamp))


@functools.lru_cache(maxsize=4)
def _read_sources(path: str, stamp: int) -> tuple[tuple[str, ConfiguredSource], ...]:
    try:
        raw = read_file(Path(path)) or {}  # the one reader of districts.yaml, without its validation
    except (OSError, yaml.YAMLError):
        return ()
    found = []
    for district in raw.get("districts") or []:
        for source in (district or {}).get("sources") or []:
            if isinstance(source, dict) and source.get("key"):
                key = str(source["key"])
                entry = ConfiguredSource(key, str(district.get("slug", "")), str(source.get("strategy", "")),
                                         source.get("enabled", True) is not False)  # fmt: skip
                found.append((key, entry))
    return tuple(found)


# -- queries -----------------------------------------------------------------------------------------------


def _latest_rows(engine: Engine, limit: int, source: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Per source its `limit` newest runs (newest first) as row mappings. One small query per source
    along the index (source, started_at): a window over all of crawl_runs sorted the whole history
    (0.8 s at two years of 71 sources, on every health check); this takes milliseconds."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        keys = [source] if source is not None else list(conn.scalars(select(runs.c.source).distinct()))
        for key in keys:
            query = (
                select(runs)
                .where(runs.c.source == key)
                .order_by(runs.c.started_at.desc(), runs.c.id.desc())
                .limit(limit)
            )
            found = [dict(row._mapping) for row in conn.execute(query)]
            if found:
                grouped[key] = found
    return grouped


def sources_health(
    engine: Engine, configured: dict[str, ConfiguredSource] | None = None, source: str | None = None
) -> list[SourceHealth]:
    """Every source that districts.yaml names or that has runs, worst state first, then by key."""
    configured = configured_sources() if configured is None else configured
    rows = _latest_rows(engine, TREND_RUNS + 1, source)
    keys = set(rows) | ({source} & set(configured) if source else set(configured))
    found = [_health(key, rows.get(key, []), configured.get(key)) for key in keys]
    return sorted(found, key=lambda h: (STATES.index(h.state), h.source))


@dataclass(frozen=True, slots=True)
class _Brief:
    """What the state and the trend need of a run: cheaper than a CrawlRun (no JSON decoded), which
    matters for the health check reading ~31 runs of each of 71 sources every 30 seconds."""

    status: str
    found: int
    new: int
    expired: int
    dropped: int
    flag: str | None
    started_at: datetime
    finished_at: datetime | None
    district: str


def _brief(row: dict[str, Any]) -> _Brief:
    finished = row.get("finished_at")
    return _Brief(row["status"], row["found"], row["new"], row["expired"], row["dropped"], row.get("flag"),
                  _utc(row["started_at"]), _utc(finished) if finished else None, row["district"])  # fmt: skip


def _health(key: str, rows: list[dict[str, Any]], config: ConfiguredSource | None) -> SourceHealth:
    all_runs = [_brief(row) for row in rows]
    done = [(run, row) for run, row in zip(all_runs, rows, strict=True) if run.status != "running"]
    finished = [run for run, _ in done]
    last = finished[0] if finished else None
    state, reason = classify(finished, run_pages(done[0][1]) if done else None)
    success = next((run for run in finished if run.status == "success"), None)
    trend = [TrendPoint(r.started_at, r.status, r.found, r.new, r.expired, r.dropped)
             for r in reversed(finished[:TREND_RUNS])]  # fmt: skip
    district = config.district if config else (all_runs[0].district if all_runs else "")
    recorded = run_pages(rows[0]).strategy if rows else None
    return SourceHealth(
        source=key,
        district=district,
        state=state,
        reason=reason,
        last_run=last.started_at if last else None,
        last_status=last.status if last else None,
        last_success=(success.finished_at or success.started_at) if success else None,
        found=last.found if last else None,
        trend=trend,
        removed=config is None,
        enabled=config.enabled if config else False,
        running=any(run.status == "running" for run in all_runs),
        strategy=recorded or (config.strategy if config else None),
    )


class RunFacts(Protocol):
    """What classify reads of a run (a CrawlRun has it too)."""

    @property
    def status(self) -> str: ...
    @property
    def found(self) -> int: ...
    @property
    def flag(self) -> str | None: ...


def classify(finished: Sequence[RunFacts], pages: RunPages | None) -> tuple[str, str]:
    """(state, German reason) of a source from its finished runs, newest first (see the module docstring)."""
    if not finished:
        return "unknown", ""  # the state label says it: "noch kein Lauf"
    last = finished[0]
    earlier = [run.found for run in finished[1:] if run.status == "success"][:USUAL_RUNS]
    usual = statistics.median(earlier) if earlier else 0
    if last.status != "success":
        return "failing", last.flag or "Lauf fehlgeschlagen"
    if last.found == 0 and usual >= 1:
        return "failing", f"keine Stelle gefunden (sonst {_number(usual)})"
    if len(earlier) >= MIN_HISTORY and usual >= MIN_USUAL and last.found < usual / 2:
        return "degraded", f"nur {last.found} Stellen gefunden (sonst {_number(usual)})"
    bad = (len(pages.failed) + len(pages.robots) + len(pages.unreadable)) if pages else 0
    if bad:
        return "degraded", f"{bad} {'Seite' if bad == 1 else 'Seiten'} nicht abgerufen oder nicht lesbar"
    return "ok", ""


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def source_runs(
    engine: Engine,
    source: str,
    configured: dict[str, ConfiguredSource] | None = None,
    limit: int = TREND_RUNS,
    failed_only: bool = False,
) -> list[RunDetail]:
    """A source's newest runs (newest first) with their pages; UnknownSource for a key nobody knows.
    `failed_only`: only runs that failed or had pages fail."""
    configured = configured_sources() if configured is None else configured
    rows = _latest_rows(engine, limit, source).get(source, [])
    if not rows and source not in configured:
        raise UnknownSource(source)
    configured_strategy = configured[source].strategy if source in configured else None
    details = []
    for row in rows:
        pages = run_pages(row)
        details.append(RunDetail(_aware(run_of(row)), pages, pages.strategy or configured_strategy))
    return [d for d in details if d.failed] if failed_only else details


# -- health (/api/v1/health) -------------------------------------------------------------------------------


def crawl_health(engine: Engine, max_age: timedelta, now: datetime | None = None,
                 configured: dict[str, ConfiguredSource] | None = None) -> dict[str, Any]:  # fmt: skip
    """The crawl's part of the health check.

    status: "ok"; "stale" when the oldest last success of the enabled configured sources that ever
    succeeded lies more than `max_age` back (the service is up but shows old postings); "no_runs" when
    no enabled source has finished a run yet — a fresh installation before its first night is not
    stale. A source that has runs but never succeeded is listed (failing, never_succeeded) without
    making the crawl stale: it has no old postings to show. A source whose last success is older than
    `max_age` does make it stale, broken or not: switch it off (enabled: false) once that is known."""
    now = now or datetime.now(UTC)
    configured = configured_sources() if configured is None else configured
    active = [h for h in sources_health(engine, configured) if not h.removed and h.enabled]
    failing = sorted(h.source for h in active if h.state == "failing")
    succeeded = [h for h in active if h.last_success is not None]
    oldest = min(succeeded, key=lambda h: h.last_success or now) if succeeded else None
    if oldest is None or oldest.last_success is None:
        ran = any(h.last_run is not None for h in active)
        status = "ok" if ran else "no_runs"
        oldest_report = None
    else:
        status = "stale" if now - oldest.last_success > max_age else "ok"
        age = (now - oldest.last_success).total_seconds() / 3600
        at = oldest.last_success.isoformat()
        oldest_report = {"source": oldest.source, "at": at, "age_hours": round(age, 1)}
    never = sorted(h.source for h in active if h.last_success is None and h.last_run is not None)
    return {
        "status": status,
        "sources": len(active),
        "failing": {"count": len(failing), "sources": failing},
        "never_succeeded": never,
        "oldest_success": oldest_report,
        "max_age_hours": max_age.total_seconds() / 3600,
    }


def _aware(run: CrawlRun) -> CrawlRun:
    """The run with UTC-aware times: SQLite gives them back naive (they are stored in UTC)."""
    finished = _utc(run.finished_at) if run.finished_at else None
    return replace(run, started_at=_utc(run.started_at), finished_at=finished)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_json(items: Iterable[SourceHealth]) -> list[dict[str, Any]]:
    """SourceHealth as JSON-ready dicts (ISO times)."""
    return [
        {
            "source": h.source,
            "district": h.district,
            "state": h.state,
            "reason": h.reason,
            "last_run": h.last_run.isoformat() if h.last_run else None,
            "last_status": h.last_status,
            "last_success": h.last_success.isoformat() if h.last_success else None,
            "found": h.found,
            "removed": h.removed,
            "enabled": h.enabled,
            "running": h.running,
            "strategy": h.strategy,
            "trend": [
                {
                    "started_at": p.started_at.isoformat(),
                    "status": p.status,
                    "found": p.found,
                    "new": p.new,
                    "expired": p.expired,
                    "dropped": p.dropped,
                }  # fmt: skip
                for p in h.trend
            ],
        }
        for h in items
    ]
