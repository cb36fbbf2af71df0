"""The operations page of the HR portal (issue 19, item 1): the nightly crawl at a glance, for admins.

`/hr/betrieb` lists every source with its state (vacancies.operations: ok, degraded, failing), last run,
postings found and a small SVG chart of its last 30 runs, drawn here on the server (no script: the
portal's CSP allows none inline). `/hr/betrieb/<source>` shows one source's runs with failed pages,
robots.txt refusals, drop reasons and the strategy. A source no longer in districts.yaml keeps its
history, marked "entfernt". District HR accounts get 403; the login and session rules are the portal's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.hr import auth
from api.hr.auth import NOT_FOUND, CurrentUser, PageError
from vacancies.accounts import User
from vacancies.operations import (
    STATE_LABELS,
    STATUS_LABELS,
    SourceHealth,
    TrendPoint,
    UnknownSource,
    source_runs,
    sources_health,
)
from web.hr.pages import render

router = APIRouter(prefix="/hr", include_in_schema=False)
ADMINS_ONLY = "Die Betriebsübersicht des Crawlers ist nur für die Administration zugänglich."


def require_admin(user: CurrentUser) -> User:
    if not user.is_admin:
        raise PageError(403, ADMINS_ONLY)
    return user


AdminUser = Annotated[User, Depends(require_admin)]


# -- the trend chart -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    key: str  # CSS class and legend entry: found | new | expired | dropped
    label: str
    points: str  # SVG polyline points
    dots: list[tuple[float, float]]  # a marker per run (shape differs per series: not colour alone)


@dataclass(frozen=True)
class TrendChart:
    id: str
    width: int
    height: int
    title: str
    desc: str
    series: list[Series]
    failed_x: list[float]  # runs that failed: a mark under the axis
    baseline: float


SERIES = (("found", "gefunden"), ("new", "neu"), ("expired", "abgelaufen"), ("dropped", "verworfen"))


def trend_chart(health: SourceHealth, width: int = 240, height: int = 64) -> TrendChart:
    """The last runs' found/new/expired/dropped as four lines on one scale (0 … the largest value)."""
    trend, pad, mark = health.trend, 4.0, 8.0
    top = max((max(p.found, p.new, p.expired, p.dropped) for p in trend), default=0) or 1
    plot_h = height - 2 * pad - mark
    step = (width - 2 * pad) / max(len(trend) - 1, 1)

    def x(index: int) -> float:
        return round(pad + index * step, 1)

    def y(value: int) -> float:
        return round(pad + plot_h - value / top * plot_h, 1)

    series = []
    for key, label in SERIES:
        dots = [(x(i), y(getattr(point, key))) for i, point in enumerate(trend)]
        series.append(Series(key, label, " ".join(f"{a},{b}" for a, b in dots), dots))
    failed = [x(i) for i, point in enumerate(trend) if point.status != "success"]
    return TrendChart(
        id=f"verlauf-{health.source}",
        width=width,
        height=height,
        title=f"Verlauf {_runs_phrase(len(trend))} von {health.source}",
        desc=describe(trend),
        series=series,
        failed_x=failed,
        baseline=pad + plot_h,
    )


def _runs_phrase(count: int) -> str:
    return "des letzten Laufs" if count == 1 else f"der letzten {count} Läufe"


def describe(trend: list[TrendPoint]) -> str:
    """The chart in words (its desc): first and last value and the largest of each line, failed runs."""
    if not trend:
        return "Noch kein abgeschlossener Lauf."
    parts = []
    for key, label in SERIES:
        values = [getattr(point, key) for point in trend]
        parts.append(f"{label}: zuletzt {values[-1]}, zuerst {values[0]}, höchstens {max(values)}")
    failed = sum(point.status != "success" for point in trend)
    ending = f"{failed} von {len(trend)} Läufen fehlgeschlagen" if failed else "kein Lauf fehlgeschlagen"
    return "; ".join(parts) + f"; {ending}."


# -- pages ------------------------------------------------------------------------------------------------


@router.get("/betrieb")
def operations(request: Request, user: AdminUser) -> Response:
    items = sources_health(auth.hr(request).board.store.engine)
    counts = {state: sum(h.state == state for h in items) for state in STATE_LABELS}
    charts = {h.source: trend_chart(h) for h in items}
    context = {"items": items, "charts": charts, "counts": counts, "state_names": STATE_LABELS}
    return render(request, "hr/operations.html", context)


@router.get("/betrieb/{source}")
def source_page(request: Request, source: str, user: AdminUser) -> Response:
    engine = auth.hr(request).board.store.engine
    try:
        details = source_runs(engine, source)
    except UnknownSource:
        raise PageError(404, NOT_FOUND) from None
    (health,) = sources_health(engine, source=source)
    context = {
        "health": health,
        "details": details,
        "chart": trend_chart(health, width=480, height=120),
        "status_labels": STATUS_LABELS,
    }
    return render(request, "hr/operations_source.html", context)
