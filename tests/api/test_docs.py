"""The API documentation at /api/docs comes from our own origin (issue 16, item 12).

The page in a real browser (Swagger UI renders, no request leaves 127.0.0.1, no CSP error) is tested in
tests/web/test_browser_authority.py.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from tests.search.helpers import make_board
from vacancies.settings import Settings


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    directory = tmp_path_factory.mktemp("docs")
    board = make_board("sqlite", directory, [])
    settings = Settings(database_url=f"sqlite:///{directory / 'board.db'}", environment="test")
    with TestClient(create_app(settings, board)) as test_client:
        yield test_client


def test_docs_page_loads_only_files_of_our_own_origin(client):
    response = client.get("/api/docs")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "<script>" not in html  # no inline script: the strict CSP applies to this page too
    assert 'data-openapi="/api/v1/openapi.json"' in html


def test_docs_page_has_the_strict_content_security_policy(client):
    policy = client.get("/api/docs").headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy and "https:" not in policy


@pytest.mark.parametrize(
    ("name", "media_type", "marker"),
    [("swagger-ui-bundle.js", "text/javascript", b"SwaggerUIBundle"),
     ("swagger-ui.css", "text/css", b".swagger-ui"),
     ("start.js", "text/javascript", b"SwaggerUIBundle(")],
)  # fmt: skip
def test_docs_assets_are_served_by_us(client, name, media_type, marker):
    response = client.get(f"/api/docs/assets/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert marker in response.content


def test_only_the_files_the_page_needs_are_served(client):
    for name in ("redoc.standalone.js", "..%2F__init__.py", "favicon.png"):
        assert client.get(f"/api/docs/assets/{name}").status_code == 404


def test_openapi_stays_where_clients_look(client):
    versioned = client.get("/api/v1/openapi.json")
    assert versioned.status_code == 200 and versioned.json()["info"]["title"] == "Stellenbörse API"
    root = client.get("/openapi.json")
    assert root.status_code == 200 and root.json() == versioned.json()
    assert "/openapi.json" not in versioned.json()["paths"]
