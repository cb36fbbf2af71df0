"""The domain's search-filter model: the one place that decides what a search may ask for."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from vacancies.geo import get_gazetteer
from vacancies.model import PostingType
from vacancies.search.contract import Sort
from vacancies.search.filters import FilterError, SearchFilters, SearchParameters, check


@pytest.fixture(scope="module")
def gazetteer():
    return get_gazetteer()


@pytest.mark.parametrize(
    ("pairs", "field", "message"),
    [
        ([("per_page", "-3")], "per_page", "muss mindestens 1 sein"),
        ([("radius_km", "1e9")], "radius_km", "darf höchstens 300 sein"),
        ([("radius_km", "nan")], "radius_km", "muss eine Zahl sein"),
        ([("posting_type", "astronaut")], "posting_type", "erlaubt sind: 'job', "),
        ([("career_level", "7")], "career_level", "muss 1 bis 4 sein"),
        ([("pay_grade_max", "Z99")], "pay_grade_max", "„Z99“ ist keine Entgelt- oder Besoldungsgruppe"),
        ([("near", "Atlantis")], "near", "„Atlantis“ ist nicht bekannt"),
        ([("sort", "distance")], "sort", "Nach Entfernung sortieren geht nur mit einem Ort"),
        ([("page", "101"), ("per_page", "100")], "page", "höchstens 10.000 Treffer"),
    ],
)
def test_refused_values_name_their_field_in_german(gazetteer, pairs, field, message):
    checked = check(pairs, gazetteer)
    assert checked.query is None
    assert [e["field"] for e in checked.errors] == [field]
    assert message in checked.errors[0]["message"]


def test_every_mistake_shows_at_once(gazetteer):
    checked = check([("per_page", "0"), ("near", "Atlantis"), ("career_level", "9")], gazetteer)
    assert {e["field"] for e in checked.errors} == {"per_page", "near", "career_level"}


def test_a_valid_search_becomes_its_query(gazetteer):
    pairs = [
        ("q", "Verwaltung 85354"),
        ("district", "freising"),
        ("district", "miltenberg"),
        ("posting_type", "job"),
        ("pay_grade_min", "EG 9a"),
        ("sort", "distance"),
        ("per_page", "5"),
        ("radius_km", ""),  # an empty form field is not given
    ]
    checked = check(pairs, gazetteer)
    assert checked.errors == [] and checked.query is not None
    query = checked.query
    assert query.text == "Verwaltung" and query.near is not None and query.near.label.startswith("85354")
    assert checked.resolved is not None and checked.resolved.place_from_text == query.near
    assert query.districts == ["freising", "miltenberg"] and query.posting_types == [PostingType.job]
    assert query.pay_grade_min == "E9a" and query.sort == Sort.distance and query.per_page == 5
    assert query.radius_km == 25


def test_filters_without_paging_take_the_callers_paging(gazetteer):
    filters = SearchFilters.model_validate({"q": "x", "page": 7, "sort": "deadline"})
    assert not {"page", "per_page", "sort"} & set(SearchFilters.model_fields)
    query = filters.to_query(gazetteer, sort=Sort.newest, per_page=50)
    assert (query.sort, query.page, query.per_page) == (Sort.newest, 1, 50)
    with pytest.raises(FilterError) as caught:
        filters.to_query(gazetteer, sort=Sort.distance)
    assert caught.value.errors[0]["field"] == "sort"


def test_the_model_knows_nothing_of_http():
    """The domain sits below the API and the pages (issue 17): no fastapi, starlette or web import."""
    tree = ast.parse(Path(SearchParameters.__module__.replace(".", "/") + ".py").read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in imported if m.split(".")[0] in {"fastapi", "starlette", "web", "api"}}
