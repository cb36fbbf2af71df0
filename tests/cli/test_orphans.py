"""No process outlives its command (issue 13): the analysis workers of `import` and `serve` end with them,
and a stopped `serve` frees its port. Real processes, signals and sockets on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import uuid
from datetime import date

import httpx2
import pytest

from api.hr.api import EXAMPLE
from tests.crawler.processes import children, cli, kill, read, still_running, wait_for
from tests.support import free_port
from vacancies.sample_data import generate_vacancies, write_jsonl
from vacancies.service import open_board
from vacancies.settings import Settings

TODAY = date(2026, 11, 27)


def base_env(tmp_path, **extra: str) -> dict[str, str]:
    return {**os.environ, "STELLEN_DATABASE_URL": f"sqlite:///{tmp_path / 'board.db'}",
            "STELLEN_SEARCH_BACKEND": "sqlite", "STELLEN_INDEX_WORKERS": "1", **extra}  # fmt: skip


def test_a_killed_import_leaves_no_analysis_worker(tmp_path):
    write_jsonl(tmp_path / "big.jsonl", 3000, today=TODAY)
    importing = cli("import", str(tmp_path / "big.jsonl"), env=base_env(tmp_path), output=tmp_path / "import")
    workers = wait_for(lambda: children(importing.pid), timeout=15)
    assert workers, read(tmp_path / "import")
    kill(importing, signal.SIGKILL)
    assert still_running(workers, timeout=5) == []


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as a server binds; TIME_WAIT is no owner
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def es_board(tmp_path, es_url):
    """A board in Elasticsearch mode with a backlog of 600 index writes (as after an outage)."""
    alias = f"test-orphans-{uuid.uuid4().hex[:8]}"
    url = f"sqlite:///{tmp_path / 'board.db'}"
    board = open_board(Settings(database_url=url, search_backend="sqlite"))
    vacancies = list(generate_vacancies(600, today=TODAY))
    board.save(vacancies)
    with board.store.engine.begin() as conn:
        board.store.enqueue(conn, [v.id for v in vacancies])
    env = base_env(tmp_path, STELLEN_SEARCH_BACKEND="elasticsearch", STELLEN_ELASTICSEARCH_URL=es_url,
                   STELLEN_ELASTICSEARCH_ALIAS=alias)  # fmt: skip
    yield env
    httpx2.delete(f"{es_url}/{alias}*", params={"expand_wildcards": "all"}, timeout=30)


def test_sigterm_of_serve_in_elasticsearch_mode_ends_its_worker_and_frees_the_port(tmp_path, es_board):
    token = cli("tokens", "create", "--district", "miltenberg", env=es_board, output=tmp_path / "token")
    assert token.wait(timeout=30) == 0, read(tmp_path / "token")
    secret = read(tmp_path / "token")[0].split()[-1]
    port = free_port()
    serve = cli("serve", "--port", str(port), env=es_board, output=tmp_path / "serve")
    try:
        assert wait_for(lambda: listening(port), timeout=20), read(tmp_path / "serve")
        # An HR write pushes the backlog to the index: 600 postings are analysed in a worker process.
        response = httpx2.put(f"http://127.0.0.1:{port}/api/v1/hr/vacancies/4711", json=EXAMPLE,
                              headers={"Authorization": f"Bearer {secret}"}, timeout=60)  # fmt: skip
        assert response.status_code == 201, response.text
        workers = children(serve.pid)
        assert workers, "serve hat keinen Analyse-Prozess gestartet"
        assert kill(serve, signal.SIGTERM, timeout=15) is not None
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(timeout=5)
    assert still_running(workers, timeout=5) == []
    assert port_free(port)
