"""Public API: facet counts of a search, without its items."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import BoardDep
from api.problems import problem_responses
from api.schemas import FacetsPublic
from vacancies.search.facets import FACETS
from vacancies.search.filters import SearchFilters

router = APIRouter(prefix="/api/v1", tags=["Stellen"])

# Filters only: a parameter that is accepted and then ignored (page, sort) would mislead API users.
FacetParams = Annotated[SearchFilters, Query()]


EXAMPLE = {
    "total": 128,
    "facets": {
        "district": [{"value": "miltenberg", "count": 42}, {"value": "aschaffenburg", "count": 31}],
        "posting_type": [{"value": "job", "count": 101}, {"value": "apprenticeship", "count": 27}],
        "working_time": [{"value": "full_time", "count": 97}, {"value": "part_time", "count": 64}],
        "fixed_term": [{"value": "false", "count": 88}, {"value": "true", "count": 40}],
    },
}


@router.get(
    "/facets",
    summary="Facetten einer Suche",
    description=f"Die Trefferzahl und die Facetten ({', '.join(f.legend for f in FACETS)}) für beliebige "
    "Suchparameter – dieselben wie bei `/api/v1/vacancies`, ohne Seite und Sortierung, und ohne die "
    "Stellen selbst.",
    response_model=FacetsPublic,
    responses={
        200: {"content": {"application/json": {"example": EXAMPLE}}},
        **problem_responses({422: "Ungültige Parameter"}),
    },
)
def search_facets(board: BoardDep, params: FacetParams) -> FacetsPublic:
    page = board.search(params.to_query(board.gazetteer, page=1, per_page=1)).to_public()
    return FacetsPublic(total=page["total"], facets=page["facets"])
