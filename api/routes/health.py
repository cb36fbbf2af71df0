"""Health of the store, the search index and the nightly crawl (is the index behind the store, are the
postings current?).

HTTP 503 tells a container health check that something needs a look: the store is unreachable
(status "degraded"), or the crawl is stale (status "stale": up and serving, but some source's last
successful crawl lies more than STELLEN_HEALTH_MAX_CRAWL_AGE_HOURS back). A fresh installation without
any finished crawl is not stale (crawl status "no_runs", HTTP 200). See vacancies.operations.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.deps import BoardDep
from api.schemas import HealthReport
from vacancies.operations import crawl_health

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["Betrieb"])


@router.get(
    "/health",
    summary="Zustand von Datenbank, Suchindex und Crawl",
    response_model=HealthReport,
    responses={
        503: {
            "model": HealthReport,
            "description": "Datenbank nicht erreichbar (status „degraded“) oder Crawl veraltet "
            "(status „stale“): eine Container-Prüfung meldet „unhealthy“",
        }
    },
)
def health(board: BoardDep, request: Request) -> Any:
    report = board.health()
    if not report["store"]["ok"]:
        return JSONResponse(report, status_code=503)
    hours = request.app.state.settings.health_max_crawl_age_hours
    try:
        report["crawl"] = crawl_health(board.store.engine, timedelta(hours=hours))
    except Exception as exc:  # an unreadable crawl record must not hide the store's and index's state
        log.warning("Crawl-Läufe für /api/v1/health nicht lesbar: %s", exc)
        report["crawl"] = {"status": "unknown", "error": f"Crawl-Läufe nicht lesbar: {type(exc).__name__}"}
    if report["crawl"]["status"] == "stale":
        report["status"] = "stale"
        return JSONResponse(report, status_code=503)
    return JSONResponse(report, status_code=200)
