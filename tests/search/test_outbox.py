"""Every store write reaches Elasticsearch; when it is down nothing is lost and health says so."""

from __future__ import annotations

import socket
import uuid

import pytest

from tests.search.corpus import TODAY, corpus
from vacancies.search.contract import SearchQuery
from vacancies.search.elasticsearch_backend import ElasticsearchBackend
from vacancies.service import Board
from vacancies.store import VacancyStore, make_engine, migrate

pytestmark = pytest.mark.elasticsearch


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens here once the socket is closed


@pytest.fixture
def store(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    migrate(engine)
    return VacancyStore(engine)


def backend(url: str, alias: str) -> ElasticsearchBackend:
    return ElasticsearchBackend(url, alias, refresh="wait_for", retries=1, initial_backoff=0.01)


def test_writes_survive_an_outage_and_reach_the_index_later(store, es_url):
    alias = f"test-outbox-{uuid.uuid4().hex[:8]}"
    down = Board(store, backend(closed_port_url(), alias))
    result = down.save(corpus()[:5])  # the cluster is unreachable: the store still takes the write
    assert len(result.new) == 5 and store.count() == 5
    health = down.health()
    assert health["index"]["behind"] is True and health["index"]["pending_writes"] == 5
    assert health["status"] == "degraded"

    # The cluster is back (same alias, reachable URL): the next write drains the outbox first-in first-out.
    up = Board(store, backend(es_url, alias))
    try:
        up.save(corpus()[5:6])
        page = up.search(SearchQuery(today=TODAY, include_expired=True, per_page=50))
        assert {h.vacancy.id for h in page.items} == {"v01", "v02", "v03", "v04", "v05", "v06"}
        assert up.health()["index"]["behind"] is False
    finally:
        up.backend.drop()


def test_reindex_catches_up_and_clears_the_queue(store, es_url):
    alias = f"test-outbox-{uuid.uuid4().hex[:8]}"
    Board(store, backend(closed_port_url(), alias)).save(corpus())
    up = Board(store, backend(es_url, alias))
    try:
        assert up.reindex() == len(corpus())
        assert store.pending_count() == 0
        assert up.health()["index"]["documents"] == len(corpus())
    finally:
        up.backend.drop()


def test_state_changes_reach_the_index(store, es_url):
    alias = f"test-outbox-{uuid.uuid4().hex[:8]}"
    board = Board(store, backend(es_url, alias))
    try:
        board.save(corpus())
        from vacancies.model import State

        board.set_state(["v07"], State.withdrawn)
        page = board.search(SearchQuery(text="Hochbau", today=TODAY))
        assert page.total == 0
    finally:
        board.backend.drop()
