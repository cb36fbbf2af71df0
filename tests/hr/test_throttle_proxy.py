"""The client address behind proxies: X-Forwarded-For is believed only from settings.trusted_proxies."""

from __future__ import annotations

import threading
import time

import pytest
import requests
import uvicorn
from fastapi.testclient import TestClient

from api.client import forwarded_client
from cli.main import server_options
from tests.hr.conftest import EMAILS, PASSWORD, csrf_of, login
from tests.support import free_port

WRONG = "falsches-passwort-123"
PROXIES = ["10.0.0.0/8", "2001:db8:ffff::1"]


@pytest.mark.parametrize(
    ("peer", "header", "expected"),
    [
        ("203.0.113.9", ["6.6.6.6"], "203.0.113.9"),  # not our proxy: its header is anybody's text
        ("127.0.0.1", ["6.6.6.6"], "127.0.0.1"),  # loopback is not trusted by default either
        ("testclient", ["6.6.6.6"], "testclient"),
        ("", [], "unbekannt"),
        ("10.1.2.3", ["198.51.100.7"], "198.51.100.7"),
        ("10.1.2.3", ["6.6.6.6, 198.51.100.7"], "198.51.100.7"),  # forged left part ignored
        ("10.1.2.3", ["6.6.6.6", "198.51.100.7, 10.9.9.9"], "198.51.100.7"),  # two headers, two proxies
        ("10.1.2.3", ["198.51.100.7, ::ffff:10.0.0.8"], "198.51.100.7"),  # IPv4-mapped proxy address
        ("2001:db8:ffff::1", ["2001:db8:1::5"], "2001:db8:1::5"),
        ("10.1.2.3", ["6.6.6.6, unknown"], "10.1.2.3"),  # garbage where our proxy writes: the proxy
        ("10.1.2.3", [], "10.1.2.3"),
        ("10.1.2.3", ["10.4.4.4, 10.5.5.5"], "10.4.4.4"),  # from inside our own network
    ],
)
def test_forwarded_client(peer, header, expected):
    assert forwarded_client(peer, header, PROXIES) == expected


def _trust(portal, proxies: list[str]) -> None:
    portal.hr.settings = portal.hr.settings.model_copy(update={"trusted_proxies": proxies})


def _failed_login_addresses(portal) -> set[str]:
    return {entry.detail for entry in portal.hr.audit.entries() if entry.action == "login_failed"}


def test_forged_forwarded_for_from_loopback_neither_escapes_the_guard_nor_reaches_the_log(portal):
    sprayer = TestClient(portal.app, follow_redirects=False, client=("127.0.0.1", 40000))
    for number in range(20):
        forged = {"X-Forwarded-For": f"6.6.6.{number}"}  # a new "address" for every try
        assert login(sprayer, f"nutzer{number}@example.org", WRONG, forged).status_code == 400
    assert login(sprayer, EMAILS["own"], PASSWORD, {"X-Forwarded-For": "6.6.6.99"}).status_code == 429
    assert _failed_login_addresses(portal) == {"127.0.0.1"}


def test_behind_a_trusted_proxy_the_reported_client_is_throttled_and_logged(portal):
    _trust(portal, PROXIES)
    proxy = TestClient(portal.app, follow_redirects=False, client=("10.0.0.2", 40000))
    attacker = {"X-Forwarded-For": "6.6.6.6, 203.0.113.66"}  # forged part, then what our proxy saw
    for _ in range(5):
        assert login(proxy, EMAILS["own"], WRONG, attacker).status_code == 400
    assert (
        login(proxy, EMAILS["own"], PASSWORD, {"X-Forwarded-For": "7.7.7.7, 203.0.113.66"}).status_code == 429
    )
    owner = {"X-Forwarded-For": "198.51.100.7"}  # the same proxy, another client: not held up
    assert login(proxy, EMAILS["own"], PASSWORD, owner).status_code == 303
    assert _failed_login_addresses(portal) == {"203.0.113.66"}


def test_over_real_http_the_header_from_loopback_is_not_believed(portal):
    """uvicorn as `stellenboerse serve` must start it: proxy_headers=False, so the peer stays the peer."""
    port = free_port()
    config = uvicorn.Config(portal.app, **server_options("127.0.0.1", port))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        with requests.Session() as browser:
            page = browser.get(f"http://127.0.0.1:{port}/hr/anmelden", timeout=10)
            data = {"csrf_token": csrf_of(page.text), "email": EMAILS["own"], "password": WRONG}
            forged = {"X-Forwarded-For": "6.6.6.6"}
            response = browser.post(page.url, data=data, headers=forged, allow_redirects=False, timeout=10)
            assert response.status_code == 400
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert _failed_login_addresses(portal) == {"127.0.0.1"}
