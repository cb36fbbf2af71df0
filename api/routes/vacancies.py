"""Public JSON API: search and detail."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import BoardDep
from api.problems import ProblemError, problem_responses
from api.schemas import SearchPagePublic, VacancyDetail
from vacancies import clock
from vacancies.categories import KLDB_BERUFSBEREICH
from vacancies.pay import pay_euros
from vacancies.search.filters import SearchParameters

router = APIRouter(prefix="/api/v1", tags=["Stellen"])

SEARCH_EXAMPLE = {
    "total": 1,
    "page": 1,
    "per_page": 20,
    "items": [
        {
            "id": "miltenberg-web:4711",
            "title": "Sachbearbeiter (m/w/d) Jugendamt",
            "district": "miltenberg",
            "distance_km": 3.2,
            "highlights": {"title": "<mark>Sachbearbeiter</mark> (m/w/d) Jugendamt"},
        }
    ],
    "facets": {"district": [{"value": "miltenberg", "count": 1}]},
}


@router.get(
    "/vacancies",
    summary="Stellen suchen",
    description="Volltextsuche (deutsch) mit Filtern, Facetten, Umkreis und Sortierung. Abgelaufene, "
    "zurückgezogene und nach Bewerbungsfrist beendete Stellen fehlen, außer `include_expired=true`.",
    response_model=SearchPagePublic,
    responses={
        200: {"content": {"application/json": {"example": SEARCH_EXAMPLE}}},
        **problem_responses({422: "Ungültige Parameter"}),
    },
)
def search_vacancies(board: BoardDep, params: Annotated[SearchParameters, Query()]) -> dict[str, Any]:
    return board.search(params.to_query(board.gazetteer)).to_public()


@router.get(
    "/vacancies/{vacancy_id:path}",  # crawled ids hold the source URL path: "bamberg-web:/a/b.pdf"
    summary="Eine Stelle",
    description="Alle Angaben einer veröffentlichten (auch abgelaufenen) Stelle; Entwürfe und "
    "zurückgezogene Stellen gibt es nicht.",
    response_model=VacancyDetail,
    responses=problem_responses({404: "Unbekannte Stelle", 422: "Ungültige Kennung"}),
)
def get_vacancy(vacancy_id: str, board: BoardDep) -> dict[str, Any]:
    vacancy = board.get_public(vacancy_id)
    if vacancy is None:
        raise ProblemError(404, f"Die Stelle „{vacancy_id}“ gibt es nicht.")
    body = vacancy.model_dump(mode="json")
    # The category's Berufsbereich of the KldB 2010, so that other portals can map it (issue 15).
    if kldb := KLDB_BERUFSBEREICH.get(vacancy.category or ""):
        body["category_kldb"] = {"code": kldb[0], "name": kldb[1]}
    # Euros: the posting's own figures, else the range of its grades by the pay tables (issue 15).
    body["pay_euros"] = pay_euros(vacancy, clock.today())
    return body
