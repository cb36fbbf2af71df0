"""Typed API records (issue 17, item 5): the OpenAPI document describes every field of the JSON answers, and
the answers stay byte for byte what they were before the models existed.

The expected bodies are written out here field by field, in the order the API has always written them, and
rendered the way the routes rendered their dicts before (Starlette's JSONResponse: compact, UTF-8). Only
the bookkeeping times come from the store, since they are the moment of the save.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.schemas import VacancyPublic
from crawler.config import load_districts
from server.app import create_app
from tests.search.helpers import make_board
from vacancies.model import Vacancy
from vacancies.service import Board
from vacancies.settings import Settings

TODAY = "2026-12-01"  # the pay table in force decides pay_euros
TVOED_SOURCE = (
    "GitHub monildomadiya/-bruttonettocalculator, data/tvoed.ts @ 5d9f6195a7720e02eba05c201fc369255005b1d7 "
    "(const TVOED_VKA_2026, 'gültig 01.05.2026 – 31.03.2027', Datenstand 21.08.2026; its author checked it "
    "against oeffentlichen-dienst.de and tarifrechner-info.de)"
)

KAEMMEREI = {
    "id": "miltenberg-web:4711",
    "source": "miltenberg-web",
    "source_url": "https://www.landkreis-miltenberg.de/stellen/4711",
    "district": "miltenberg",
    "employer": "Landratsamt Miltenberg",
    "department": "Kämmerei",
    "title": "Sachbearbeiter (m/w/d) Kämmerei",
    "description": "<p>Sie betreuen die Haushaltsplanung des Landkreises.</p>",
    "category": "Verwaltung",
    "working_time": ["full_time", "part_time"],
    "weekly_hours": 39.0,
    "fixed_term": True,
    "term_months": 24,
    "status": ["employee"],
    "pay_scale": "TVöD",
    "pay_grade_min": "E9a",
    "pay_grade_max": "E9b",
    "career_level": 3,
    "remote": "hybrid",
    "location": {"street": "Brückenstraße 1", "postal_code": "63897", "city": "Miltenberg"},
    "date_posted": "2026-11-20",
    "deadline": "2030-01-31",
    "reference": "K-2026-17",
    "apply_url": "https://karriere.example.org/4711",
    "contact": {"name": "Erika Mustermann", "phone": "09371 501-0"},
    "attachments": ["https://www.landkreis-miltenberg.de/stellen/4711.pdf"],
}
HAUSMEISTER = {
    "id": "aschaffenburg-web:12",
    "source": "aschaffenburg-web",
    "district": "aschaffenburg",
    "title": "Hausmeister (m/w/d) Berufsschule",
    "working_time": ["part_time"],
    "salary_min": 2800.0,
    "salary_max": 3100.5,
    "start_asap": True,
    "location": {"postal_code": "63739", "city": "Aschaffenburg"},
    "apply_email": "bewerbung@example.org",
}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    directory = tmp_path_factory.mktemp("records")
    postings = [Vacancy.model_validate(record) for record in (KAEMMEREI, HAUSMEISTER)]
    board = make_board("sqlite", directory, postings)
    settings = Settings(database_url=f"sqlite:///{directory / 'board.db'}", environment="test")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STELLEN_TODAY", TODAY)
        with TestClient(create_app(settings, board)) as client:
            yield client, board


def rendered(body: Any) -> bytes:
    """How the routes rendered their dicts before the models: Starlette's JSONResponse."""
    return json.dumps(body, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


def _stamps(board: Board, vacancy_id: str) -> dict[str, Any]:
    stored = board.get_public(vacancy_id)
    assert stored is not None and stored.first_seen and stored.last_seen and stored.updated_at
    return {
        "first_seen": stored.first_seen.isoformat().replace("+00:00", "Z"),
        "last_seen": stored.last_seen.isoformat().replace("+00:00", "Z"),
        "updated_at": stored.updated_at.isoformat().replace("+00:00", "Z"),
        "content_hash": stored.content_hash,
    }


def kaemmerei(board: Board) -> dict[str, Any]:
    return {
        "id": "miltenberg-web:4711",
        "origin": "crawled",
        "source": "miltenberg-web",
        "source_url": "https://www.landkreis-miltenberg.de/stellen/4711",
        "district": "miltenberg",
        "employer": "Landratsamt Miltenberg",
        "department": "Kämmerei",
        "title": "Sachbearbeiter (m/w/d) Kämmerei",
        "description": "<p>Sie betreuen die Haushaltsplanung des Landkreises.</p>",
        "posting_type": "job",
        "category": "Verwaltung",
        "working_time": ["full_time", "part_time"],
        "weekly_hours": 39.0,
        "fixed_term": True,
        "term_months": 24,
        "status": ["employee"],
        "pay_scale": "TVöD",
        "pay_grade_min": "E9a",
        "pay_grade_max": "E9b",
        "career_level": 3,
        "remote": "hybrid",
        # lat/lon: the board fills them from the postal code (vacancies.geo)
        "location": {
            "street": "Brückenstraße 1",
            "postal_code": "63897",
            "city": "Miltenberg",
            "lat": 49.7045,
            "lon": 9.2673,
        },
        "date_posted": "2026-11-20",
        "deadline": "2030-01-31",
        "start_date": None,
        "start_asap": False,
        "salary_min": None,
        "salary_max": None,
        "salary_unit": None,
        "reference": "K-2026-17",
        "apply_url": "https://karriere.example.org/4711",
        "apply_email": None,
        "contact": {"name": "Erika Mustermann", "phone": "09371 501-0", "email": None},
        "attachments": ["https://www.landkreis-miltenberg.de/stellen/4711.pdf"],
        "state": "published",
        **_stamps(board, "miltenberg-web:4711"),
    }


def hausmeister(board: Board) -> dict[str, Any]:
    return {
        "id": "aschaffenburg-web:12",
        "origin": "crawled",
        "source": "aschaffenburg-web",
        "source_url": None,
        "district": "aschaffenburg",
        "employer": None,
        "department": None,
        "title": "Hausmeister (m/w/d) Berufsschule",
        "description": "",
        "posting_type": "job",
        "category": "Handwerk & Betrieb",  # the board's category rules (vacancies.categories)
        "working_time": ["part_time"],
        "weekly_hours": None,
        "fixed_term": None,
        "term_months": None,
        "status": [],
        "pay_scale": None,
        "pay_grade_min": None,
        "pay_grade_max": None,
        "career_level": None,
        "remote": "none",
        "location": {
            "street": None,
            "postal_code": "63739",
            "city": "Aschaffenburg",
            "lat": 49.9757,
            "lon": 9.1478,
        },
        "date_posted": None,
        "deadline": None,
        "start_date": None,
        "start_asap": True,
        "salary_min": 2800.0,
        "salary_max": 3100.5,
        "salary_unit": None,
        "reference": None,
        "apply_url": None,
        "apply_email": "bewerbung@example.org",
        "contact": None,
        "attachments": [],
        "state": "published",
        **_stamps(board, "aschaffenburg-web:12"),
    }


def test_detail_with_pay_table_and_kldb_is_unchanged(served):
    client, board = served
    expected = {
        **kaemmerei(board),
        "category_kldb": {"code": "7", "name": "Unternehmensorganisation, Buchhaltung, Recht und Verwaltung"},
        "pay_euros": {
            "min": 3658.61,
            "max": 5313.37,
            "unit": "MONTH",
            "currency": "EUR",
            "source": "pay_table",
            "approximate": True,
            "steps": {"from": 1, "to": 6},
            "table": {
                "name": "TVöD VKA Entgelttabelle",
                "valid_from": "2026-05-01",
                "valid_until": "2027-03-31",
                "expired": False,
                "source": TVOED_SOURCE,
            },
        },
    }
    response = client.get("/api/v1/vacancies/miltenberg-web:4711")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.content == rendered(expected)


def test_detail_with_the_postings_own_pay_leaves_out_the_table_fields(served):
    client, board = served
    expected = {
        **hausmeister(board),
        "category_kldb": {"code": "2", "name": "Rohstoffgewinnung, Produktion und Fertigung"},
        "pay_euros": {"min": 2800.0, "max": 3100.5, "unit": "MONTH", "currency": "EUR", "source": "posting"},
    }
    assert client.get("/api/v1/vacancies/aschaffenburg-web:12").content == rendered(expected)


FACETS_OF_KAEMMEREI = {  # in the facet registry's order (vacancies.search.facets), start_asap added there
    "posting_type": [{"value": "job", "count": 1}],
    "district": [{"value": "miltenberg", "count": 1}],
    "category": [{"value": "Verwaltung", "count": 1}],
    "working_time": [{"value": "full_time", "count": 1}, {"value": "part_time", "count": 1}],
    "fixed_term": [{"value": "true", "count": 1}],
    "career_level": [{"value": "3", "count": 1}],
    "remote": [{"value": "hybrid", "count": 1}],
    "start_asap": [{"value": "false", "count": 1}],
    "pay_scale": [{"value": "TVöD", "count": 1}],
}


def test_search_page_is_unchanged(served):
    client, board = served
    hit = {
        **kaemmerei(board),
        "distance_km": 0.0,
        "highlights": {
            "title": "Sachbearbeiter (m/w/d) <mark>Kämmerei</mark>",
            "description": "Sie betreuen die Haushaltsplanung des Landkreises.",
        },
    }
    expected = {"total": 1, "page": 1, "per_page": 20, "items": [hit], "facets": FACETS_OF_KAEMMEREI}
    response = client.get("/api/v1/vacancies", params={"q": "Kämmerei", "near": "63897", "radius": 25})
    assert response.content == rendered(expected)


def test_facets_districts_health_and_suggest_are_unchanged(served):
    client, _ = served
    answers = {
        "/api/v1/facets?q=Kämmerei": {"total": 1, "facets": FACETS_OF_KAEMMEREI},
        "/api/v1/districts/miltenberg": {
            "slug": "miltenberg",
            "key": "09676",
            "name": "Miltenberg",
            "lat": 49.7778,
            "lon": 9.2368,
            "member": True,
            "website": "https://www.landkreis-miltenberg.de",
            "profile": "Landkreis am Untermain zwischen Spessart und Odenwald.",
            "open_postings": 1,
        },
        "/api/v1/health": {
            "status": "ok",
            "store": {"ok": True},
            "index": {"ok": True, "backend": "sqlite", "documents": 2, "pending_writes": 0, "behind": False},
            # issue 19: the crawl's state beside store and index (no run yet: not stale)
            "crawl": {
                "status": "no_runs",
                "sources": sum(1 for d in load_districts().districts for s in d.sources if s.enabled),
                "failing": {"count": 0, "sources": []},
                "never_succeeded": [],
                "oldest_success": None,
                "max_age_hours": 36.0,
            },
        },
        "/api/v1/suggest?q=Haus": {
            "query": "Haus",
            "kind": "title",
            "suggestions": [{"value": "Hausmeister Berufsschule", "label": "Hausmeister Berufsschule"}],
        },
    }
    for url, expected in answers.items():
        assert client.get(url).content == rendered(expected), url


def test_problems_are_unchanged(served):
    client, _ = served
    missing = client.get("/api/v1/vacancies/nix")
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.content == rendered(
        {
            "type": "about:blank",
            "title": "Nicht gefunden",
            "status": 404,
            "detail": "Die Stelle „nix“ gibt es nicht.",
            "instance": "/api/v1/vacancies/nix",
        }
    )
    refused = client.get("/api/v1/vacancies", params={"per_page": 500})
    assert refused.content == rendered(
        {
            "type": "about:blank",
            "title": "Ungültige Angaben",
            "status": 422,
            "detail": "per_page: darf höchstens 100 sein",
            "instance": "/api/v1/vacancies",
            "errors": [{"field": "per_page", "message": "darf höchstens 100 sein"}],
        }
    )


# -- the OpenAPI document ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openapi(served) -> dict[str, Any]:
    client, _ = served
    return client.get("/api/v1/openapi.json").json()


def _json_answers(openapi: dict[str, Any]):
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                for media_type, content in answer.get("content", {}).items():
                    if "json" in media_type:
                        yield f"{method.upper()} {path} {status} {media_type}", content.get("schema", {})


def _resolve(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_every_json_answer_has_a_described_schema(openapi):
    loose = []
    for label, schema in _json_answers(openapi):
        resolved = _resolve(openapi, schema)
        if not resolved or resolved.get("additionalProperties") is True or resolved == {"type": "object"}:
            loose.append(label)
    assert not loose, loose
    assert "HTTPValidationError" not in openapi["components"]["schemas"]  # FastAPI's default 422 shape


def test_problems_are_documented_as_problem_json_only(openapi):
    for label, schema in _json_answers(openapi):
        status = int(label.split()[2])
        if status >= 400 and "/health" not in label:
            assert "application/problem+json" in label, label
            assert schema["title"] == "Problem" and schema["required"] == [
                "type",
                "title",
                "status",
                "detail",
            ]


def test_the_public_records_describe_every_field(openapi):
    schemas = openapi["components"]["schemas"]
    for name in (
        "VacancyHit",
        "VacancyDetail",
        "SearchPagePublic",
        "PayEuros",
        "HrVacancy",
        "LocationPublic",
    ):
        undescribed = [f for f, s in schemas[name]["properties"].items() if not s.get("description")]
        assert not undescribed, (name, undescribed)
    search = openapi["paths"]["/api/v1/vacancies"]["get"]["responses"]["200"]["content"]["application/json"]
    assert search["schema"] == {"$ref": "#/components/schemas/SearchPagePublic"}
    put = openapi["paths"]["/api/v1/hr/vacancies/{external_id}"]["put"]
    assert (
        put["requestBody"]["content"]["application/json"]["schema"]["properties"]["title"]["maxLength"] == 300
    )
    assert put["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/HrVacancy")


def test_the_public_record_has_the_vacancys_fields_in_its_order():
    """A field added to the domain record must be added (and described) in the API record too: the API
    writes the record's fields in this order."""
    assert list(VacancyPublic.model_fields) == list(Vacancy.model_fields)


def test_a_changed_posting_keeps_its_first_seen_with_its_offset(tmp_path):
    """The store read first_seen back without an offset when a posting changed, and the API then wrote a
    time that is no RFC 3339 date-time (Schemathesis' schema check found it on the HR PUT)."""
    first = Vacancy.model_validate(HAUSMEISTER)
    board = make_board("sqlite", tmp_path, [first])
    board.save([Vacancy.model_validate({**HAUSMEISTER, "title": "Hausmeisterin (m/w/d) Berufsschule"})])
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'board.db'}", environment="test")
    with TestClient(create_app(settings, board)) as client:
        body = client.get("/api/v1/vacancies/aschaffenburg-web:12").json()
    assert body["title"] == "Hausmeisterin (m/w/d) Berufsschule" and body["updated_at"] != body["first_seen"]
    assert body["first_seen"].endswith("Z"), body["first_seen"]


def test_alert_subscription_answer_is_unchanged(served):
    client, _ = served
    body = {"email": "erika.mustermann@example.de", "query": {"q": "Kämmerei"}, "frequency": "weekly"}
    response = client.post("/api/v1/alerts", json=body)
    assert response.status_code == 202
    assert response.content == rendered(
        {
            "status": "pending",
            "detail": "Wenn die Adresse gültig ist, erhält sie eine E-Mail mit einem Bestätigungslink "
            "(48 Stunden gültig). Erst nach der Bestätigung kommen Benachrichtigungen.",
        }
    )


def test_a_stored_time_without_offset_is_answered_as_utc(tmp_path):
    """Rows written before the store fix hold a first_seen without offset: the API writes it as the UTC
    time it is, so the answer keeps to the schema's date-time."""
    board = make_board("sqlite", tmp_path, [Vacancy.model_validate(HAUSMEISTER)])
    with sqlite3.connect(tmp_path / "board.db") as db:
        (data,) = db.execute("SELECT data FROM vacancies WHERE id = ?", ("aschaffenburg-web:12",)).fetchone()
        record = {**json.loads(data), "first_seen": "2026-11-01T08:00:00.250000"}
        db.execute("UPDATE vacancies SET data = ? WHERE id = ?", (json.dumps(record), "aschaffenburg-web:12"))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'board.db'}", environment="test")
    with TestClient(create_app(settings, board)) as client:
        detail = client.get("/api/v1/vacancies/aschaffenburg-web:12").json()
        hit = client.get("/api/v1/vacancies", params={"q": "Hausmeister"}).json()["items"][0]
    assert detail["first_seen"] == hit["first_seen"] == "2026-11-01T08:00:00.250000Z"
