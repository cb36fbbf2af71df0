"""The search contract: a query object in, a page of results with facets out.

Both backends (embedded SQLite FTS5 and Elasticsearch) implement `SearchBackend` and must return the
same members, totals and facet counts for the same query; only the order among equal-relevance hits may
differ. The shared behaviour is tested on both in `tests/search/test_contract.py`; the backend protocols
are in `vacancies/search/protocols.py`.

Semantics every backend follows:
- Visibility: only `state == published` and (no deadline or deadline >= today). With `include_expired`
  also `expired` postings and published ones past their deadline. Drafts and withdrawn postings never
  appear in public search.
- Text: the analysed query is a list of groups; a document matches when every group matches; a group
  matches when the document's tokens contain one of its `terms` or a token starting with one of its
  `prefixes`.
- List filters (districts, posting types, ...) match any of the given values; different filters combine
  with AND. `working_time`/`status` match when the posting's list shares a value with the filter.
- Pay grades: a posting spans [rank(min), rank(max)] (one end may be missing: then both are that end);
  it matches the filter range when the spans overlap. Postings without a grade do not match a grade filter.
- Radius: great-circle distance (R = 6371.0088 km) <= radius_km; postings without coordinates are out.
- Facets are disjunctive: the counts of facet F apply every filter except F's own, so a user sees what
  choosing another value of F would give. Values without a posting are not listed. Order: count desc,
  value asc.
- Sorting: relevance (score desc; an empty query sorts as newest), newest (date_posted desc, missing
  last), deadline (deadline asc, missing last), distance (great-circle distance from `near` asc, then
  newest; only with a place: without one it sorts as newest); ties always broken by id asc so paging
  is stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from vacancies import clock
from vacancies.model import EmploymentStatus, PayScale, PostingType, Remote, Vacancy, WorkingTime

FACET_FIELDS = (
    "district",
    "posting_type",
    "category",
    "working_time",
    "fixed_term",
    "pay_scale",
    "career_level",
    "remote",
)

EARTH_RADIUS_KM = 6371.0088
BERLIN = ZoneInfo("Europe/Berlin")
MAX_PER_PAGE = 100
# Deep paging is refused: nobody reads page 500, and it protects both engines (ES max_result_window).
MAX_RESULT_WINDOW = 10_000


class Sort(StrEnum):
    relevance = "relevance"
    newest = "newest"
    deadline = "deadline"
    distance = "distance"


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lon: float
    label: str = ""


@dataclass
class SearchQuery:
    text: str = ""
    districts: list[str] = field(default_factory=list)
    posting_types: list[PostingType] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    working_time: list[WorkingTime] = field(default_factory=list)
    fixed_term: bool | None = None
    pay_scales: list[PayScale] = field(default_factory=list)  # TVöD, BayBesG, … (a facet like district)
    pay_grade_min: str | None = None  # canonical grade, e.g. "E9a"
    pay_grade_max: str | None = None
    min_monthly_pay: int | None = None  # euros: the posting's upper monthly figure reaches it (vacancies.pay)
    career_levels: list[int] = field(default_factory=list)
    status: list[EmploymentStatus] = field(default_factory=list)
    remote: list[Remote] = field(default_factory=list)
    near: GeoPoint | None = None
    radius_km: float = 25.0
    include_expired: bool = False
    sort: Sort = Sort.relevance
    page: int = 1
    per_page: int = 20
    today: date | None = None  # None: today in Europe/Berlin; tests pin it

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def effective_today(self) -> date:
        """Deadlines are Berlin dates: a posting is visible through the whole last day."""
        return self.today or clock.today()


@dataclass
class FacetValue:
    value: str
    count: int


@dataclass
class SearchHit:
    vacancy: Vacancy
    score: float = 0.0
    distance_km: float | None = None
    highlights: dict[str, str] = field(default_factory=dict)  # field -> safe HTML with <mark>

    def to_public(self) -> dict[str, Any]:
        data = self.vacancy.model_dump(mode="json")
        data["distance_km"] = self.distance_km
        data["highlights"] = self.highlights
        return data


@dataclass
class SearchPage:
    total: int
    page: int
    per_page: int
    items: list[SearchHit]
    facets: dict[str, list[FacetValue]]

    def to_public(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "items": [hit.to_public() for hit in self.items],
            "facets": {
                name: [{"value": f.value, "count": f.count} for f in values]
                for name, values in self.facets.items()
            },
        }


# The backend protocols (SearchIndex, OutboxIndex, TransactionalIndex, SearchBackend) are in
# vacancies/search/protocols.py.


class IndexUnavailable(RuntimeError):
    """The search index could not be reached or refused the write."""


def facet_selection(query: SearchQuery) -> dict[str, list[str]]:
    """The chosen values of every facet with a selection, as strings, in FACET_FIELDS order: one map
    for both backends and the alert matcher, so a new facet cannot be forgotten in one of them."""
    wanted = {
        "district": list(query.districts),
        "posting_type": [p.value for p in query.posting_types],
        "category": list(query.categories),
        "working_time": [w.value for w in query.working_time],
        "fixed_term": [] if query.fixed_term is None else ["true" if query.fixed_term else "false"],
        "pay_scale": [s.value for s in query.pay_scales],
        "career_level": [str(level) for level in query.career_levels],
        "remote": [r.value for r in query.remote],
    }
    return {name: values for name, values in wanted.items() if values}
