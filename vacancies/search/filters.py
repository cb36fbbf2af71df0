"""The search filters: one validated model for the JSON API, the pages, the feeds, the alerts and the CLI.

Names, types, bounds, German messages and the OpenAPI descriptions of every search parameter live here,
so a client of the API, a visitor of the page and a user of `stellenboerse search` are refused the same
things in the same words. FastAPI reads the model as query parameters (api/routes); nothing here knows
about HTTP.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from types import GenericAlias
from typing import TYPE_CHECKING, Annotated, Any, Optional, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic_core import PydanticCustomError

from vacancies import messages
from vacancies.geo import Gazetteer
from vacancies.model import EmploymentStatus
from vacancies.normalize import canonical_pay_grade
from vacancies.search.contract import MAX_PER_PAGE, MAX_RESULT_WINDOW, GeoPoint, SearchQuery, Sort
from vacancies.search.facets import FACETS, Facet

WINDOW_TEXT = f"{MAX_RESULT_WINDOW:,}".replace(",", ".")  # German: 10.000
DISTANCE_NEEDS_PLACE = "Nach Entfernung sortieren geht nur mit einem Ort oder einer PLZ (near)"
PAGING = ("sort", "page", "per_page")


class FilterError(ValueError):
    """The filters were refused; `errors` names each field with a German message."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(messages.joined(errors))
        self.errors = errors


def _pay_grade(value: str | None) -> str | None:
    """A grade as people write it ("EG 9a", "A 13") becomes the canonical one ("E9a"); blank is none."""
    if value is None or not value.strip():
        return None
    grade = canonical_pay_grade(value)
    if grade is None:
        raise PydanticCustomError(
            "pay_grade",
            "„{value}“ ist keine Entgelt- oder Besoldungsgruppe (z. B. E9a, A13)",
            {"value": value},
        )
    return grade


PayGrade = Annotated[str | None, Field(max_length=40), AfterValidator(_pay_grade)]


class _Text(BaseModel):
    # Unknown parameters are ignored, as they always were: links carry page-only ones (view, page).
    model_config = ConfigDict(extra="ignore")

    q: str = Field(
        "",
        max_length=200,
        description="Suchbegriffe, z. B. `Verwaltung Erzieherin`; eine bayerische PLZ darin "
        "(`Verwaltung 85354`) gilt als Ort, wenn `near` fehlt",
    )


def _facet_field(facet: Facet) -> tuple[Any, Any]:
    """A yes/no facet is one optional value; the others are repeatable (district=a&district=b)."""
    if facet.yes_no:
        return (Optional[facet.kind], Field(None, description=facet.description))  # noqa: UP045 (a runtime type)
    return (GenericAlias(list, (facet.kind,)), Field(default_factory=list, description=facet.description))


# The facets' parameters come from the registry; mypy sees a plain model (they are read via getattr).
if TYPE_CHECKING:
    _Facets = _Text
else:
    _Facets = create_model("_Facets", __base__=_Text, **{facet.name: _facet_field(facet) for facet in FACETS})


class SearchFilters(_Facets):
    """What a search is narrowed to: every parameter but paging and order (facets and feeds fix those)."""

    pay_grade_min: PayGrade = Field(None, description="z. B. `E9a`, `A 9`, `EG 10`")
    pay_grade_max: PayGrade = Field(None, description="z. B. `E13`, `A13`")
    min_monthly_pay: int | None = Field(
        None,
        ge=0,
        le=50_000,
        description="Mindestgehalt in Euro brutto/Monat: Stellen, deren genannte oder nach "
        "Entgelttabelle erreichbare Monatsvergütung mindestens so hoch ist (Stellen ohne Angabe fallen weg)",
    )
    status: list[EmploymentStatus] = Field(default_factory=list, description="Tarifbeschäftigte / Beamte")
    near: str | None = Field(
        None, max_length=100, description="PLZ oder Ort, z. B. `63897` oder `Miltenberg`"
    )
    radius_km: float = Field(25, gt=0, le=300, allow_inf_nan=False, description="Umkreis in km")
    include_expired: bool = Field(False, description="auch abgelaufene Stellen")

    @classmethod
    def list_fields(cls) -> set[str]:
        """Parameters that may be repeated (district=a&district=b)."""
        return {
            name for name, f in cls.model_fields.items() if getattr(f.annotation, "__origin__", None) is list
        }

    @classmethod
    def parse(cls, pairs: list[tuple[str, str]], **fixed: Any) -> tuple[Self, list[dict[str, str]]]:
        """Validate a query string's pairs (a repeated single value: the last counts, as in the API).
        Returns the filters and the German errors; the filters leave out fields with errors, so a caller
        can still check the rest (e.g. the place) and show every mistake at once."""
        data = cls._data([(k, v) for k, v in pairs if v.strip()])  # an empty form field is not given
        data.update(fixed)
        try:
            return cls.model_validate(data), []
        except ValidationError as exc:
            bad = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
            errors = messages.field_errors(exc.errors())
            # the fields without errors passed already; they validate again with the bad ones left out
            return cls.model_validate({k: v for k, v in data.items() if k not in bad}), errors

    @classmethod
    def _data(cls, pairs: list[tuple[str, str]]) -> dict[str, Any]:
        many = cls.list_fields()
        data: dict[str, Any] = {}
        for key, value in pairs:
            if key in many:
                data.setdefault(key, []).append(value)
            elif key in cls.model_fields:
                data[key] = value
        return data

    def resolve(self, gazetteer: Gazetteer, **paging: Any) -> Resolved:
        """The SearchQuery of these filters, with the place looked up (else a postal code in q becomes
        the place); raises FilterError naming each field the gazetteer or the paging refuses."""
        errors: list[dict[str, str]] = []
        near, text, from_text = None, self.q, None
        if self.near and self.near.strip():
            near = gazetteer.lookup(self.near)
            if near is None:
                errors.append({"field": "near", "message": f"„{self.near}“ ist nicht bekannt"})
        else:
            text, near = gazetteer.postal_code_in(text)
            from_text = near
        query = SearchQuery(
            text=text,
            **{facet.attribute: getattr(self, facet.name) for facet in FACETS},
            pay_grade_min=self.pay_grade_min,
            pay_grade_max=self.pay_grade_max,
            min_monthly_pay=self.min_monthly_pay or None,
            status=self.status,
            near=near,
            radius_km=self.radius_km,
            include_expired=self.include_expired,
            **paging,
        )
        if query.sort == Sort.distance and near is None and not self.near:
            errors.append({"field": "sort", "message": DISTANCE_NEEDS_PLACE})
        if query.page * query.per_page > MAX_RESULT_WINDOW:
            message = f"Es können höchstens {WINDOW_TEXT} Treffer durchblättert werden"
            errors.append({"field": "page", "message": message})
        if errors:
            raise FilterError(errors)
        return Resolved(query, from_text)

    def to_query(self, gazetteer: Gazetteer, **paging: Any) -> SearchQuery:
        """The SearchQuery; `paging` fixes sort, page or per_page where the caller decides them."""
        return self.resolve(gazetteer, **paging).query


class SearchParameters(SearchFilters):
    """Every search parameter: the filters plus order and paging (the search itself, API and page)."""

    sort: Sort = Field(
        Sort.relevance, description="Sortierung; `distance` (nächste zuerst) nur zusammen mit `near`"
    )
    page: int = Field(1, ge=1, le=MAX_RESULT_WINDOW, description="Seite, ab 1")
    per_page: int = Field(20, ge=1, le=MAX_PER_PAGE, description="Treffer pro Seite")

    def resolve(self, gazetteer: Gazetteer, **paging: Any) -> Resolved:
        own = {"sort": self.sort, "page": self.page, "per_page": self.per_page}
        return super().resolve(gazetteer, **{**own, **paging})


@dataclass
class Resolved:
    query: SearchQuery
    place_from_text: GeoPoint | None  # set when a postal code typed into q became the place


@dataclass
class Checked:
    """A query string checked completely: the filters as applied, and the query or every error."""

    filters: SearchFilters
    errors: list[dict[str, str]]
    resolved: Resolved | None = None

    @property
    def query(self) -> SearchQuery | None:
        return self.resolved.query if self.resolved else None


def check(
    pairs: list[tuple[str, str]],
    gazetteer: Gazetteer,
    model: type[SearchFilters] = SearchParameters,
    **fixed: Any,
) -> Checked:
    """Validate a query string's pairs and resolve the place: the pages, the alerts and the CLI."""
    filters, errors = model.parse(pairs, **fixed)
    try:
        resolved = filters.resolve(gazetteer)
    except FilterError as exc:
        return Checked(filters, errors + exc.errors)
    return Checked(filters, errors, None if errors else resolved)


def applied_pairs(
    raw: list[tuple[str, str]], validated: SearchFilters, bad: Collection[str] = ()
) -> list[tuple[str, str]]:
    """The query string as the search applied it, for the form and its links: "fixed_term=1" is the
    "befristet" choice ("true"), "career_level=02" is "2", and of a repeated single value only the last
    counts. Fields with errors keep what was typed, to show it again."""
    many = SearchFilters.list_fields()
    last = {key: index for index, (key, _) in enumerate(raw) if key not in many}
    out = []
    for index, (key, value) in enumerate(raw):
        if key in bad:
            out.append((key, value))
        elif key not in many:
            if last[key] == index:
                out.append((key, _form_value(getattr(validated, key), value)))
        elif key == "career_level":
            out.append((key, _form_value(_int_or_none(value), value)))
        else:
            out.append((key, value))
    return out


def _form_value(applied: Any, typed: str) -> str:
    if isinstance(applied, bool):
        return "true" if applied else "false"
    if isinstance(applied, int):
        return str(applied)
    return typed


def _int_or_none(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None
