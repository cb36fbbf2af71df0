"""Schemathesis over the OpenAPI document: no request a client can send gives a server error, and every
answer is what the document says it is (status code, media type, headers and the body's schema; issue 17,
item 5) for the public API and, with a district's token, for the HR API.

Every operation gets a bounded number of generated requests, valid ones and invalid ones, so the run stays
under a minute.

Schemathesis' own pytest integration (`@schema.parametrize()`) needs the schema at import time or, lazily
through a fixture, a pytest internal that pytest 9 removed; so the operations are driven with Hypothesis
here, which also keeps the app inside a fixture.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from server.app import create_app
from tests.hr.conftest import vacancy_body
from tests.search.corpus import corpus
from tests.search.helpers import make_board
from vacancies.settings import Settings

EXAMPLES = {GenerationMode.POSITIVE: 30, GenerationMode.NEGATIVE: 15}
# Every check of Schemathesis except the two that judge which requests the API accepts, not its answers:
# a value the schema allows may still be refused by the search's rules (a pay grade, a place name), which
# the schema cannot fully say; and a repeated query parameter sent once is no invalid request, though
# Schemathesis counts "array became string" as one. Both refusals and acceptances are documented answers.
NOT_ABOUT_ANSWERS = [positive_data_acceptance, negative_data_rejection]
EXPECTED = {
    "GET /api/v1/vacancies",
    "GET /api/v1/vacancies/{vacancy_id}",
    "GET /api/v1/districts",
    "GET /api/v1/districts/{slug}",
    "GET /api/v1/facets",
    "GET /api/v1/feed.rss",
    "GET /api/v1/feed.atom",
    "GET /api/v1/health",
}
EXPECTED_HR = {
    "GET /api/v1/hr/vacancies",
    "GET /api/v1/hr/vacancies/{external_id}",
    "PUT /api/v1/hr/vacancies/{external_id}",
    "DELETE /api/v1/hr/vacancies/{external_id}",
}


@dataclass
class Api:
    schema: object
    headers: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, set[int]] = field(default_factory=dict)  # what each operation answered


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    directory = tmp_path_factory.mktemp("schemathesis")
    board = make_board("sqlite", directory, corpus())
    settings = Settings(database_url=f"sqlite:///{directory / 'board.db'}", environment="test")
    return create_app(settings, board)


@pytest.fixture(scope="module")
def public_schema(app):
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    return schema.include(method="GET").exclude(path_regex=r"^/api/v1/hr(/|$)")


@pytest.fixture(scope="module")
def hr_api(app):
    token = app.state.hr.accounts.create_token("miltenberg", "ATS (Schemathesis)", "test")[1]
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    return Api(schema.include(path_regex=r"^/api/v1/hr/"), {"Authorization": f"Bearer {token}"})


def _operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(operation, mode: GenerationMode, api: Api) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        response = case.call_and_validate(headers=api.headers, excluded_checks=NOT_ABOUT_ANSWERS)
        api.statuses.setdefault(operation.label, set()).add(response.status_code)

    run()


def _failures(api: Api, mode: GenerationMode) -> list[str]:
    failures = []
    for operation in _operations(api.schema):
        try:
            _fuzz(operation, mode, api)
        except Unsatisfiable:
            # Nothing to get wrong: no parameters, or a path parameter that accepts any string.
            assert mode is GenerationMode.NEGATIVE, operation.label
        except Exception as exc:  # collect all operations' failures, then report them together
            failures.append(f"{operation.label}: {exc}")
    return failures


def test_every_public_get_operation_is_fuzzed(public_schema):
    labels = {operation.label for operation in _operations(public_schema)}
    assert labels >= EXPECTED
    assert not any("/hr" in label for label in labels)


def test_every_hr_operation_is_fuzzed(hr_api):
    assert {operation.label for operation in _operations(hr_api.schema)} == EXPECTED_HR


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_public_answers_match_the_schema(public_schema, mode):
    api = Api(public_schema)
    failures = _failures(api, mode)
    assert not failures, "\n\n".join(failures)
    if mode is GenerationMode.POSITIVE:  # the records themselves were checked, not only problems
        assert 200 in api.statuses["GET /api/v1/vacancies"] and 200 in api.statuses["GET /api/v1/facets"]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_hr_answers_match_the_schema(hr_api, mode):
    failures = _failures(hr_api, mode)
    assert not failures, "\n\n".join(failures)


def _checked(schema, method: str, path: str, headers: dict[str, str] | None = None, **case) -> int:
    """One request of our choosing, checked by the same Schemathesis checks; returns the status."""
    operation = schema[path][method]
    response = operation.Case(**case).call_and_validate(headers=headers, excluded_checks=NOT_ABOUT_ANSWERS)
    return response.status_code


def test_chosen_public_records_match_the_schema(public_schema):
    """Records with every optional part (highlights, distance, pay by table and by the posting itself)."""
    search = {"q": "Verwaltung", "near": "63897", "radius": 50}
    assert _checked(public_schema, "GET", "/api/v1/vacancies", query=search) == 200
    for vacancy_id in [v.id for v in corpus()]:
        status = _checked(
            public_schema, "GET", "/api/v1/vacancies/{vacancy_id}", path_parameters={"vacancy_id": vacancy_id}
        )
        assert status in (200, 404)
    assert _checked(public_schema, "GET", "/api/v1/health") == 200


def test_chosen_hr_records_match_the_schema(hr_api):
    """Create, change (the stored first_seen is read back), schedule, read, list and withdraw."""
    one = "/api/v1/hr/vacancies/{external_id}"
    ids = {"external_id": "ST-1"}
    later = "2030-07-01T08:00:00+02:00"
    put = {"path_parameters": ids, "media_type": "application/json", "headers": hr_api.headers}
    assert _checked(hr_api.schema, "PUT", one, body=vacancy_body(), **put) == 201
    assert _checked(hr_api.schema, "PUT", one, body=vacancy_body(title="Kassierer (m/w/d)"), **put) == 200
    assert _checked(hr_api.schema, "PUT", one, body=vacancy_body(publish_at=later), **put) == 200
    assert _checked(hr_api.schema, "GET", one, hr_api.headers, path_parameters=ids) == 200
    assert _checked(hr_api.schema, "GET", "/api/v1/hr/vacancies", hr_api.headers) == 200
    assert _checked(hr_api.schema, "DELETE", one, hr_api.headers, path_parameters=ids) == 204
