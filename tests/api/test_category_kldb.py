"""A vacancy's JSON carries its category's KldB 2010 Berufsbereich (issue 15, item 1)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from tests.search.corpus import corpus
from tests.search.helpers import make_board
from vacancies.settings import Settings


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    directory = tmp_path_factory.mktemp("api-kldb")
    board = make_board("sqlite", directory, corpus())
    settings = Settings(database_url=f"sqlite:///{directory / 'board.db'}", environment="test")
    with TestClient(create_app(settings, board)) as test_client:
        yield test_client


def test_vacancy_names_its_kldb_berufsbereich(client):
    body = client.get("/api/v1/vacancies/v07").json()  # Bauingenieur, Bauen & Technik
    assert body["category"] == "Bauen & Technik"
    assert body["category_kldb"] == {"code": "3", "name": "Bau, Architektur, Vermessung und Gebäudetechnik"}


def test_jurist_is_recht_und_verwaltung(client):
    body = client.get("/api/v1/vacancies/v20").json()
    assert body["category"] == "Recht"
    assert body["category_kldb"]["code"] == "7"
