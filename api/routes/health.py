"""Health of the store and the search index (is the index behind the store?)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import BoardDep
from api.schemas import HealthReport

router = APIRouter(prefix="/api/v1", tags=["Betrieb"])


@router.get(
    "/health",
    summary="Zustand von Datenbank und Suchindex",
    response_model=HealthReport,
    responses={503: {"model": HealthReport, "description": "Die Datenbank antwortet nicht"}},
)
def health(board: BoardDep) -> Any:
    report = board.health()
    status = 200 if report["store"]["ok"] else 503
    return JSONResponse(report, status_code=status)
