"""Query parameters of a search (shared by the JSON API, the pages and the feeds) -> SearchQuery."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api.problems import ProblemError
from vacancies.geo import Gazetteer
from vacancies.model import EmploymentStatus, PayScale, PostingType, Remote, WorkingTime
from vacancies.normalize import canonical_pay_grade
from vacancies.search.contract import MAX_PER_PAGE, MAX_RESULT_WINDOW, GeoPoint, SearchQuery, Sort

WINDOW_TEXT = f"{MAX_RESULT_WINDOW:,}".replace(",", ".")  # German: 10.000
DISTANCE_NEEDS_PLACE = "Nach Entfernung sortieren geht nur mit einem Ort oder einer PLZ (near)"


class SearchParams:
    """FastAPI dependency: declares, documents and validates the search parameters."""

    def __init__(
        self,
        q: Annotated[
            str,
            Query(
                max_length=200,
                description="Suchbegriffe, z. B. `Verwaltung Erzieherin`; eine bayerische PLZ darin "
                "(`Verwaltung 85354`) gilt als Ort, wenn `near` fehlt",
            ),
        ] = "",
        district: Annotated[
            list[str], Query(description="Landkreis-Kürzel (mehrfach möglich), z. B. `miltenberg`")
        ] = [],  # noqa: B006
        posting_type: Annotated[
            list[PostingType], Query(description="Art der Stelle (mehrfach möglich)")
        ] = [],  # noqa: B006
        category: Annotated[list[str], Query(description="Berufsfeld (mehrfach möglich)")] = [],  # noqa: B006
        working_time: Annotated[list[WorkingTime], Query(description="Arbeitszeit")] = [],  # noqa: B006
        fixed_term: Annotated[
            bool | None, Query(description="true = nur befristete, false = nur unbefristete")
        ] = None,
        pay_scale: Annotated[
            list[PayScale], Query(description="Tarif bzw. Besoldungsordnung (mehrfach möglich), z. B. `TVöD`")
        ] = [],  # noqa: B006
        pay_grade_min: Annotated[
            str | None, Query(max_length=40, description="z. B. `E9a`, `A 9`, `EG 10`")
        ] = None,
        pay_grade_max: Annotated[str | None, Query(max_length=40, description="z. B. `E13`, `A13`")] = None,
        min_monthly_pay: Annotated[
            int | None,
            Query(
                ge=0,
                le=50_000,
                description="Mindestgehalt in Euro brutto/Monat: Stellen, deren genannte oder nach "
                "Entgelttabelle erreichbare Monatsvergütung mindestens so hoch ist "
                "(Stellen ohne Angabe fallen weg)",
            ),
        ] = None,
        career_level: Annotated[list[int], Query(description="Qualifikationsebene 1–4")] = [],  # noqa: B006
        status: Annotated[list[EmploymentStatus], Query(description="Tarifbeschäftigte / Beamte")] = [],  # noqa: B006
        remote: Annotated[list[Remote], Query(description="Homeoffice")] = [],  # noqa: B006
        near: Annotated[
            str | None, Query(max_length=100, description="PLZ oder Ort, z. B. `63897` oder `Miltenberg`")
        ] = None,
        radius_km: Annotated[
            float, Query(gt=0, le=300, allow_inf_nan=False, description="Umkreis in km")
        ] = 25,
        include_expired: Annotated[bool, Query(description="auch abgelaufene Stellen")] = False,
        sort: Annotated[
            Sort, Query(description="Sortierung; `distance` (nächste zuerst) nur zusammen mit `near`")
        ] = Sort.relevance,
        page: Annotated[int, Query(ge=1, le=MAX_RESULT_WINDOW, description="Seite, ab 1")] = 1,
        per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description="Treffer pro Seite")] = 20,
    ) -> None:
        self.values = dict(locals())
        self.values.pop("self")

    def to_query(self, gazetteer: Gazetteer) -> SearchQuery:
        v = self.values
        errors: list[dict] = []
        grades = {name: _grade(v[name], name, errors) for name in ("pay_grade_min", "pay_grade_max")}
        near, text = None, v["q"]
        # set when a postal code typed into q became the place: the page says so
        self.place_from_text: GeoPoint | None = None
        if v["near"] and v["near"].strip():
            near = gazetteer.lookup(v["near"])
            if near is None:
                errors.append({"field": "near", "message": f"„{v['near']}“ ist nicht bekannt"})
        else:
            text, near = gazetteer.postal_code_in(text)
            self.place_from_text = near
        if v["sort"] == Sort.distance and near is None and not v["near"]:
            errors.append({"field": "sort", "message": DISTANCE_NEEDS_PLACE})
        for level in v["career_level"]:
            if not 1 <= level <= 4:
                errors.append({"field": "career_level", "message": "muss 1 bis 4 sein"})
        if v["page"] * v["per_page"] > MAX_RESULT_WINDOW:
            errors.append(
                {
                    "field": "page",
                    "message": f"Es können höchstens {WINDOW_TEXT} Treffer durchblättert werden",
                }
            )
        if errors:
            raise ProblemError(422, "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors)
        return SearchQuery(
            text=text,
            districts=v["district"],
            posting_types=v["posting_type"],
            categories=v["category"],
            working_time=v["working_time"],
            fixed_term=v["fixed_term"],
            pay_scales=v["pay_scale"],
            pay_grade_min=grades["pay_grade_min"],
            pay_grade_max=grades["pay_grade_max"],
            min_monthly_pay=v["min_monthly_pay"] or None,
            career_levels=v["career_level"],
            status=v["status"],
            remote=v["remote"],
            near=near,
            radius_km=v["radius_km"],
            include_expired=v["include_expired"],
            sort=v["sort"],
            page=v["page"],
            per_page=v["per_page"],
        )


def _grade(value: str | None, name: str, errors: list[dict]) -> str | None:
    if not value or not value.strip():
        return None
    grade = canonical_pay_grade(value)
    if grade is None:
        errors.append(
            {"field": name, "message": f"„{value}“ ist keine Entgelt- oder Besoldungsgruppe (z. B. E9a, A13)"}
        )
    return grade
