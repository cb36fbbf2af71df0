"""api/guards.py: HEAD like GET, redirects that ignore the Host header, German 500s with the security
headers — through TestClient and, where the server matters (HEAD, Host), over real HTTP with uvicorn."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import httpx2
import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from tests.search.helpers import make_board
from tests.support import served
from vacancies.settings import Settings

PUBLIC = "https://stellen.example"
SECURITY = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options")


class Broken(Exception):
    """What a bug in a route raises."""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    directory = tmp_path_factory.mktemp("guards")
    settings = Settings(
        database_url=f"sqlite:///{directory / 'board.db'}", environment="test", public_base_url=PUBLIC
    )
    app = create_app(settings, make_board("sqlite", directory))

    @app.get("/api/v1/kaputt")  # only in this test app: a bug in a route
    def broken_api():
        raise Broken("geheimes Detail")

    @app.get("/kaputt")
    def broken_page():
        raise Broken("geheimes Detail")

    return app


@pytest.fixture(scope="module")
def url(app):
    with served(app) as base:
        yield base


def _raw(url: str, method: str, path: str, host: str) -> http.client.HTTPResponse:
    """A request with exactly the Host header given (httpx would not send a wrong one on its own)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.putrequest(method, path, skip_host=True)
    connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


# -- HEAD --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/api/v1/vacancies", "/api/v1/health", "/hr/anmelden", "/robots.txt"])
def test_head_answers_wherever_get_does_without_a_body(app, path):
    client = TestClient(app)
    get, head = client.get(path), client.head(path)
    assert get.status_code == 200
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-security-policy"]


def test_head_over_http_sends_no_body_and_the_length_of_the_get(url):
    get = httpx2.get(url + "/", timeout=10)
    head = _raw(url, "HEAD", "/", urlsplit(url).netloc)
    assert head.status == 200 and head.body == b""
    assert int(head.getheader("content-length")) == len(get.content)
    # the connection is still usable: no stray body bytes were left in it
    assert httpx2.head(url + "/api/v1/health", timeout=10).status_code == 200


def test_head_of_a_missing_page_is_still_404(app):
    assert TestClient(app).head("/gibt/es/nicht").status_code == 404


# -- Host header and redirects ------------------------------------------------------------------------------


def test_trailing_slash_redirect_ignores_a_forged_host_header(url):
    response = _raw(url, "GET", "/hr", "evil.example")
    assert response.status in (307, 308)
    assert response.getheader("location") == f"{PUBLIC}/hr/"


def test_trailing_slash_redirect_uses_the_public_base_url(app):
    response = TestClient(app, follow_redirects=False).get("/landkreise/", headers={"Host": "evil.example"})
    assert response.status_code in (307, 308)
    assert response.headers["location"] == f"{PUBLIC}/landkreise"


@pytest.mark.parametrize("host", ["evil.example/x@", "evil example", "a@b", "evil.example:80/"])
def test_a_host_header_that_is_no_host_is_refused(url, host):
    response = _raw(url, "GET", "/hr", host)
    assert response.status == 400
    assert "Host-Header" in response.body.decode()
    assert response.getheader("content-security-policy")


# -- a 500 is German and carries the security headers --------------------------------------------------------


def test_a_500_of_the_api_is_german_problem_json_with_security_headers(app):
    response = TestClient(app, raise_server_exceptions=False).get("/api/v1/kaputt")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "unerwarteter Fehler" in response.json()["detail"]
    assert "geheimes Detail" not in response.text and "Broken" not in response.text
    for name in SECURITY:
        assert response.headers.get(name), name


def test_a_500_of_a_page_is_a_german_html_page_with_security_headers(url):
    response = httpx2.get(url + "/kaputt", headers={"Accept": "text/html"}, timeout=10)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Das hat nicht geklappt" in response.text and "geheimes Detail" not in response.text
    for name in SECURITY:
        assert response.headers.get(name), name


def test_a_500_over_http_carries_the_security_headers(url):
    response = httpx2.get(url + "/api/v1/kaputt", timeout=10)
    assert response.status_code == 500
    assert response.headers["x-frame-options"] == "DENY"
    assert response.json()["title"] == "Interner Fehler"
