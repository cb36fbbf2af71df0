"""The facet registry: one declaration per facet, from which everything else about facets derives.

A facet is a filter whose values are counted beside the results. From `FACETS` come: the query
parameter and its validation (vacancies.search.filters), the chosen values of a query
(contract.facet_selection: both backends and the alert matcher), the values of a posting's index
document (document.facet_values), the embedded backend's columns and the Elasticsearch mapping, the
API's facet counts and the page's facet lists with their German labels. Adding a facet is one entry
here and its SearchQuery attribute (contract.py); an index built before needs `stellenboerse reindex`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated, Any

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from vacancies.model import PayScale, PostingType, Remote, Vacancy, WorkingTime

POSTING_TYPES = {
    "job": "Arbeitsstelle",  # as the Bundesagentur's Jobbörse: "Arbeit" next to Ausbildung, Praktikum
    "apprenticeship": "Ausbildung",
    "dual_study": "Duales Studium",
    "internship": "Praktikum",
    "trainee": "Anwärterstelle (Beamtenausbildung)",
}
WORKING_TIME = {"full_time": "Vollzeit", "part_time": "Teilzeit"}
FIXED_TERM = {"true": "befristet", "false": "unbefristet"}
CAREER_LEVELS = {str(n): f"{n}. Qualifikationsebene" for n in range(1, 5)}
REMOTE = {"none": "kein Homeoffice", "hybrid": "Homeoffice teilweise", "remote": "ortsunabhängig"}
START = {"true": "sofort zu besetzen", "false": "später oder ohne Angabe"}


def _career_level(level: int) -> int:
    if not 1 <= level <= 4:
        raise PydanticCustomError("career_level", "muss 1 bis 4 sein")
    return level


CareerLevel = Annotated[
    int, AfterValidator(_career_level), WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 4})
]


@dataclass(frozen=True)
class Facet:
    """One facet. `name` is the query parameter, the index field and the key of the counts."""

    name: str
    attribute: str  # of SearchQuery: the chosen values (a list, or bool | None for a yes/no facet)
    legend: str  # German heading on the page
    description: str  # of the query parameter (OpenAPI)
    values: Callable[[Vacancy], list[str]]  # a posting's values in the index document
    kind: Any = str  # type of one chosen value (an Enum, str, int, bool); the filter model checks it
    labels: Mapping[str, str] | None = None  # value -> German label on the page (None: the value)
    yes_no: bool = False  # one choice, true or false (a radio group), instead of a list
    # A posting may have several values (working_time): the embedded backend keeps a bit set of these.
    several: tuple[str, ...] = field(default=())

    def selection(self, chosen: Any) -> list[str]:
        """The chosen values as strings, as the index documents hold them."""
        if chosen is None:
            return []
        if isinstance(chosen, bool):
            return ["true" if chosen else "false"]
        return [str(v.value if isinstance(v, Enum) else v) for v in chosen]


def _yes_no(value: bool | None) -> list[str]:
    return [] if value is None else ["true" if value else "false"]


# In the order the page lists them.
FACETS: tuple[Facet, ...] = (
    Facet(
        "posting_type",
        "posting_types",
        "Art der Stelle",
        "Art der Stelle (mehrfach möglich)",
        lambda v: [v.posting_type._value_],  # _value_: the .value property costs a call per posting
        kind=PostingType,
        labels=POSTING_TYPES,
    ),
    Facet(
        "district",
        "districts",
        "Landkreis",
        "Landkreis-Kürzel (mehrfach möglich), z. B. `miltenberg`",
        lambda v: [v.district] if v.district else [],
    ),
    Facet(
        "category",
        "categories",
        "Berufsfeld",
        "Berufsfeld (mehrfach möglich)",
        lambda v: [v.category] if v.category else [],
    ),
    Facet(
        "working_time",
        "working_time",
        "Arbeitszeit",
        "Arbeitszeit",
        lambda v: [w._value_ for w in v.working_time],
        kind=WorkingTime,
        labels=WORKING_TIME,
        several=tuple(w.value for w in WorkingTime),
    ),
    Facet(
        "fixed_term",
        "fixed_term",
        "Befristung",
        "true = nur befristete, false = nur unbefristete",
        lambda v: _yes_no(v.fixed_term),
        kind=bool,
        labels=FIXED_TERM,
        yes_no=True,
    ),
    Facet(
        "career_level",
        "career_levels",
        "Qualifikationsebene",
        "Qualifikationsebene 1–4",
        lambda v: [] if v.career_level is None else [str(v.career_level)],
        kind=CareerLevel,
        labels=CAREER_LEVELS,
    ),
    Facet(
        "remote",
        "remote",
        "Homeoffice",
        "Homeoffice",
        lambda v: [v.remote._value_],
        kind=Remote,
        labels=REMOTE,
    ),
    Facet(
        "start_asap",
        "start_asap",
        "Beginn",
        "true = nur Stellen, die ab sofort zu besetzen sind; false = nur die übrigen",
        lambda v: ["true" if v.start_asap else "false"],
        kind=bool,
        labels=START,
        yes_no=True,
    ),
    Facet(
        "pay_scale",
        "pay_scales",
        "Tarif / Besoldungsordnung",
        "Tarif bzw. Besoldungsordnung (mehrfach möglich), z. B. `TVöD`",
        lambda v: [v.pay_scale._value_] if v.pay_scale else [],
        kind=PayScale,
    ),
)
FACET_FIELDS = tuple(f.name for f in FACETS)
BY_NAME = {f.name: f for f in FACETS}
