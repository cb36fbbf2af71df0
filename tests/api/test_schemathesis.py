"""Schemathesis over the public OpenAPI document: no request a client can send gives a server error.

Every GET operation (HR operations excluded) gets a bounded number of generated requests, valid ones and
invalid ones, so the run stays well under two minutes.

Schemathesis' own pytest integration (`@schema.parametrize()`) needs the schema at import time or, lazily
through a fixture, a pytest internal that pytest 9 removed; so the operations are driven with Hypothesis
here, which also keeps the app inside a fixture.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from server.app import create_app
from tests.search.corpus import corpus
from tests.search.helpers import make_board
from vacancies.settings import Settings

EXAMPLES = {GenerationMode.POSITIVE: 30, GenerationMode.NEGATIVE: 15}
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


@pytest.fixture(scope="module")
def public_schema(tmp_path_factory):
    directory = tmp_path_factory.mktemp("schemathesis")
    board = make_board("sqlite", directory, corpus())
    settings = Settings(database_url=f"sqlite:///{directory / 'board.db'}", environment="test")
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(settings, board))
    return schema.include(method="GET").exclude(path_regex=r"^/api/v1/hr(/|$)")


def _operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(operation, mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        case.call_and_validate(checks=[not_a_server_error])

    run()


def test_every_public_get_operation_is_fuzzed(public_schema):
    labels = {operation.label for operation in _operations(public_schema)}
    assert labels >= EXPECTED
    assert not any("/hr" in label for label in labels)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_no_server_errors(public_schema, mode):
    failures = []
    for operation in _operations(public_schema):
        try:
            _fuzz(operation, mode)
        except Unsatisfiable:
            # Nothing to get wrong: no parameters, or a path parameter that accepts any string.
            assert mode is GenerationMode.NEGATIVE, operation.label
        except Exception as exc:  # collect all operations' failures, then report them together
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
