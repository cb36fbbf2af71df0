"""The public JSON API over a real SQLite file (in-process ASGI client)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from tests.search.corpus import VISIBLE, corpus
from tests.search.helpers import make_board
from vacancies.settings import Settings


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    directory = tmp_path_factory.mktemp("api")
    board = make_board("sqlite", directory, corpus())
    settings = Settings(database_url=f"sqlite:///{directory / 'board.db'}", environment="test")
    with TestClient(create_app(settings, board)) as test_client:
        yield test_client


def test_search_returns_page_with_items_and_facets(client):
    body = client.get("/api/v1/vacancies", params={"include_expired": "true", "per_page": 100}).json()
    assert set(body) == {"total", "page", "per_page", "items", "facets"}
    assert body["total"] == len(VISIBLE) + 2
    assert {
        "district",
        "posting_type",
        "category",
        "working_time",
        "fixed_term",
        "pay_scale",
        "career_level",
        "remote",
        "start_asap",
    } == set(body["facets"])


def test_search_text_is_highlighted(client):
    body = client.get("/api/v1/vacancies", params={"q": "Erzieherin"}).json()
    assert [item["id"] for item in body["items"]] == ["v03"]
    assert "<mark>Erzieher</mark>" in body["items"][0]["highlights"]["title"]


def test_repeated_district_parameter(client):
    body = client.get("/api/v1/vacancies?district=aschaffenburg&district=starnberg&per_page=50").json()
    assert {item["district"] for item in body["items"]} == {"aschaffenburg", "starnberg"}


def test_near_accepts_postal_code_and_reports_distance(client):
    body = client.get("/api/v1/vacancies", params={"near": "63739", "radius_km": 1}).json()
    assert {item["id"] for item in body["items"]} == {"v02", "v07"}
    assert all(item["distance_km"] == 0.0 for item in body["items"])


def test_sort_by_distance_puts_the_nearest_first(client):
    params = {"near": "63897", "radius_km": 100, "sort": "distance", "per_page": 100}
    items = client.get("/api/v1/vacancies", params=params).json()["items"]
    distances = [item["distance_km"] for item in items]
    assert len(items) > 3 and distances == sorted(distances) and distances[0] == 0.0


def test_a_postal_code_in_q_searches_near_that_place(client):
    typed = client.get("/api/v1/vacancies", params={"q": "Verwaltung 63897", "per_page": 100}).json()
    meant = client.get(
        "/api/v1/vacancies", params={"q": "Verwaltung", "near": "63897", "per_page": 100}
    ).json()
    assert typed["total"] == meant["total"] > 0
    assert [(i["id"], i["distance_km"]) for i in typed["items"]] == [
        (i["id"], i["distance_km"]) for i in meant["items"]
    ]
    # with a place given, a code in q stays a search word
    assert (
        client.get("/api/v1/vacancies", params={"q": "Verwaltung 63897", "near": "63739"}).json()["total"]
        == 0
    )


def test_pay_scale_filter_takes_one_or_more_scales(client):
    query = "pay_scale=BayBesG&pay_scale=TV%C3%B6D-SuE&include_expired=true&per_page=50"
    body = client.get(f"/api/v1/vacancies?{query}").json()
    assert {item["id"] for item in body["items"]} == {"v03", "v05", "v14", "v15", "v17"}
    unfiltered = client.get("/api/v1/vacancies?include_expired=true").json()
    assert body["facets"]["pay_scale"] == unfiltered["facets"]["pay_scale"]  # disjunctive: all scales shown


def test_loose_pay_grade_spelling_is_understood(client):
    loose = client.get("/api/v1/vacancies", params={"pay_grade_min": "EG 11"}).json()
    exact = client.get("/api/v1/vacancies", params={"pay_grade_min": "E11"}).json()
    assert loose["total"] == exact["total"] > 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"per_page": 0}, "per_page"),
        ({"per_page": 1000}, "per_page"),
        ({"page": "abc"}, "page"),
        ({"page": 0}, "page"),
        ({"sort": "beliebt"}, "sort"),
        ({"near": "Atlantis"}, "near"),
        ({"pay_grade_min": "Gehaltsstufe XYZ"}, "pay_grade_min"),
        ({"career_level": 7}, "career_level"),
        ({"fixed_term": "vielleicht"}, "fixed_term"),
        ({"radius_km": -5}, "radius_km"),
        ({"posting_type": "astronaut"}, "posting_type"),
        ({"pay_scale": "TVAöD"}, "pay_scale"),
        ({"page": 500, "per_page": 100}, "page"),
        ({"sort": "distance"}, "sort"),
    ],
)
def test_invalid_parameters_are_422_problems_naming_the_field(client, params, field):
    response = client.get("/api/v1/vacancies", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 422 and body["title"] == "Ungültige Angaben"
    assert field in [error["field"] for error in body["errors"]]
    assert field in body["detail"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sort": "beliebt"}, "erlaubt sind: 'relevance', 'newest', 'deadline' oder 'distance'"),
        ({"sort": "distance"}, "Nach Entfernung sortieren geht nur mit einem Ort oder einer PLZ (near)"),
        ({"radius_km": "nan"}, "muss eine Zahl sein"),
        ({"radius_km": "inf"}, "muss eine Zahl sein"),
        ({"radius_km": 0}, "muss größer als 0 sein"),
        ({"radius_km": 500}, "darf höchstens 300 sein"),
        ({"career_level": 7}, "muss 1 bis 4 sein"),
    ],
)
def test_validation_messages_are_plain_german(client, params, message):
    errors = client.get("/api/v1/vacancies", params=params).json()["errors"]
    assert [error["message"] for error in errors] == [message]


def test_query_syntax_in_q_is_harmless(client):
    response = client.get("/api/v1/vacancies", params={"q": '" * ( : ! ~ ^ \\ / ['})
    assert response.status_code == 200


def test_detail_of_known_posting(client):
    body = client.get("/api/v1/vacancies/v07").json()
    assert body["title"] == "Bauingenieur (m/w/d) Hochbau"
    assert body["location"]["lat"] is not None  # geocoded offline from the postal code


def test_unknown_id_is_404_problem(client):
    response = client.get("/api/v1/vacancies/gibt-es-nicht")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "gibt-es-nicht" in response.json()["detail"]


def test_drafts_and_withdrawn_postings_are_not_public(client):
    assert client.get("/api/v1/vacancies/v13").status_code == 404  # draft
    assert client.get("/api/v1/vacancies/v12").status_code == 404  # withdrawn: its page is 404 too
    assert client.get("/stellen/v12").status_code == 404
    assert client.get("/api/v1/vacancies/v10").status_code == 200  # expired: old links keep working


def test_a_crawled_id_with_slashes_is_found(tmp_path):
    """Crawled ids hold the path of their source URL; the page route took them, the API did not."""
    posting = corpus()[0].model_copy(update={"id": "bamberg-web:/fileadmin/stellen/ausschreibung-4436.pdf"})
    board = make_board("sqlite", tmp_path, [posting])
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'board.db'}", environment="test")
    with TestClient(create_app(settings, board)) as client:
        for path in (posting.id, posting.id.replace("/", "%2F")):
            response = client.get(f"/api/v1/vacancies/{path}")
            assert response.status_code == 200 and response.json()["id"] == posting.id
        assert client.get(f"/stellen/{posting.id}").status_code == 200


def test_health_reports_store_and_index(client):
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert body["store"]["ok"] is True
    assert body["index"]["backend"] == "sqlite" and body["index"]["documents"] == 20
    assert body["index"]["behind"] is False


def test_openapi_documents_every_search_parameter(client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/vacancies"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {
        "q",
        "district",
        "posting_type",
        "category",
        "working_time",
        "fixed_term",
        "pay_scale",
        "pay_grade_min",
        "pay_grade_max",
        "min_monthly_pay",
        "career_level",
        "status",
        "remote",
        "start_asap",
        "near",
        "radius_km",
        "include_expired",
        "sort",
        "page",
        "per_page",
    }
    assert "/api/v1/vacancies/{vacancy_id}" in spec["paths"] and "/api/v1/health" in spec["paths"]


def test_start_asap_filters_and_is_counted(client):
    """The facet from the registry: a filter, a facet count, documented, refused in German."""
    body = client.get("/api/v1/vacancies", params={"start_asap": "true"}).json()
    assert {item["id"] for item in body["items"]} == {"v02", "v03", "v07"}
    everything = client.get("/api/v1/facets").json()
    counts = everything["facets"]["start_asap"]
    assert counts == [{"value": "false", "count": everything["total"] - 3}, {"value": "true", "count": 3}]
    refused = client.get("/api/v1/vacancies", params={"start_asap": "vielleicht"})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "start_asap", "message": "muss true oder false sein"}]
    spec = client.get("/api/v1/openapi.json").json()
    facets = {p["name"]: p for p in spec["paths"]["/api/v1/facets"]["get"]["parameters"]}
    assert "ab sofort" in facets["start_asap"]["description"]
