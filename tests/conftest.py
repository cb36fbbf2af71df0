"""Shared fixtures.

Elasticsearch: tests marked `elasticsearch` use the server at STELLEN_TEST_ELASTICSEARCH_URL (started by
`tests/elasticsearch/run_es.sh start`). When STELLEN_REQUIRE_ELASTICSEARCH=1 (set by .ci/run) a missing or
unreachable server FAILS those tests; only on a developer machine without it are they skipped.
"""

from __future__ import annotations

import os
import uuid

import httpx2
import pytest

from tests.support import unavailable

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _es_problem(url: str | None) -> str | None:
    if not url:
        return (
            "STELLEN_TEST_ELASTICSEARCH_URL is not set (start one with tests/elasticsearch/run_es.sh start)"
        )
    try:
        httpx2.get(f"{url}/_cluster/health", timeout=5).raise_for_status()
    except httpx2.HTTPError as exc:
        return f"Elasticsearch at {url} is not reachable: {exc}"
    return None


@pytest.fixture(scope="session")
def es_url() -> str:
    url = os.environ.get("STELLEN_TEST_ELASTICSEARCH_URL")
    problem = _es_problem(url)
    if problem:
        unavailable(problem, "STELLEN_REQUIRE_ELASTICSEARCH")
    return url


@pytest.fixture
def es_index_prefix(es_url: str) -> str:
    """A unique alias prefix per test so tests never see each other's indices."""
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    yield prefix
    httpx2.delete(f"{es_url}/{prefix}*", params={"expand_wildcards": "all"}, timeout=30)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run: Playwright's sync API cannot run twice at once in a process, so
    a second browser fixture beside a session-scoped one failed. Each test opens its own context."""
    from tests.support import launched_chromium

    with launched_chromium() as instance:
        yield instance
