"""Public API: the Landkreise with their open postings."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import BoardDep
from api.problems import ProblemError, problem_responses
from vacancies import districts
from vacancies.search.contract import SearchQuery

router = APIRouter(prefix="/api/v1", tags=["Landkreise"])


class DistrictPublic(BaseModel):
    slug: str = Field(description="Kürzel, wie im Parameter `district` der Suche")
    key: str = Field(description="Amtlicher Gemeindeschlüssel des Landkreises (AGS)")
    name: str
    lat: float = Field(description="Mittelpunkt (Breite)")
    lon: float = Field(description="Mittelpunkt (Länge)")
    member: bool = Field(description="Mitglied im Bayerischen Innovationsring")
    website: str | None = None
    profile: str | None = Field(default=None, description="Kurzprofil")
    open_postings: int = Field(description="offene Stellen (wie die Standardsuche sie zeigt)")


EXAMPLE = {
    "slug": "miltenberg",
    "key": "09676",
    "name": "Miltenberg",
    "lat": 49.7778,
    "lon": 9.2368,
    "member": True,
    "website": "https://www.landkreis-miltenberg.de",
    "profile": "Landkreis am Untermain zwischen Spessart und Odenwald.",
    "open_postings": 42,
}


def _public(district: districts.District, open_postings: int) -> DistrictPublic:
    return DistrictPublic(**district.__dict__, open_postings=open_postings)


@router.get(
    "/districts",
    summary="Alle Landkreise",
    description="Alle Landkreise der Stellenbörse mit amtlichem Schlüssel, Lage, Mitgliedschaft, Kurzprofil "
    "und der Zahl offener Stellen (Stellen, die die Standardsuche zeigt).",
    response_model=list[DistrictPublic],
    responses={200: {"content": {"application/json": {"example": [EXAMPLE]}}}},
)
def list_districts(board: BoardDep) -> list[DistrictPublic]:
    # One search for all counts: the district facet of the unfiltered search.
    page = board.search(SearchQuery(per_page=1))
    counts = {facet.value: facet.count for facet in page.facets.get("district", [])}
    return [_public(d, counts.get(d.slug, 0)) for d in districts.load()]


@router.get(
    "/districts/{slug}",
    summary="Ein Landkreis",
    description="Ein Landkreis mit der Zahl seiner offenen Stellen.",
    response_model=DistrictPublic,
    responses={
        200: {"content": {"application/json": {"example": EXAMPLE}}},
        **problem_responses({404: "Unbekannter Landkreis", 422: "Ungültige Anfrage"}),
    },
)
def get_district(slug: str, board: BoardDep) -> DistrictPublic:
    district = districts.by_slug().get(slug)
    if district is None:
        raise ProblemError(404, f"Den Landkreis „{slug}“ gibt es nicht.")
    total = board.search(SearchQuery(districts=[slug], per_page=1)).total
    return _public(district, total)
