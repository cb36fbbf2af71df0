"""Fixtures for the Suchaufträge pages and API (issue 18): a real board, a real local SMTP server
(aiosmtpd, the domain tests' own) that the app mails to, the app, a test client per client address,
and a live server.

Each test module gets its own board and SMTP server, so the alerts, the rate limits and the mailbox of
one module never leak into another.
"""

from __future__ import annotations

import itertools
import time
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from tests.alerts.support import SmtpServer, link, parts
from tests.search.helpers import make_board
from tests.support import free_port, served
from tests.web.conftest import shifted_corpus
from vacancies.settings import Settings

_addresses = itertools.count(1)


class Mailbox:
    """The domain tests' real SMTP server (tests/alerts/support.py), waited on per recipient."""

    def __init__(self, server: SmtpServer) -> None:
        self.server, self.port = server, server.port

    def to(self, address: str) -> list[EmailMessage]:
        return self.server.inbox.to(address)

    def wait_for(self, address: str, count: int = 1, timeout: float = 10) -> list[EmailMessage]:
        """The messages to `address` once there are `count` of them (the app sends after answering)."""
        deadline = time.monotonic() + timeout
        while len(self.to(address)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{count} Mail(s) an {address} erwartet, da sind {len(self.to(address))}"
                )
            time.sleep(0.02)
        return self.to(address)


def text_of(message: EmailMessage) -> str:
    return parts(message)[0]


def link_in(message: EmailMessage, path: str) -> str:
    """The link of the message's plain text part that leads to `path` (e.g. /suchauftrag/bestaetigen)."""
    return link(message, path)


def local(url: str) -> str:
    """A mailed link (public base URL) as a path for the test client or the live server."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture(scope="module")
def mailbox():
    server = SmtpServer(free_port()).start()
    try:
        yield Mailbox(server)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def alert_board(tmp_path_factory):
    return make_board("sqlite", tmp_path_factory.mktemp("alert-board"), shifted_corpus())


@pytest.fixture(scope="module")
def alert_settings(mailbox, tmp_path_factory) -> Settings:
    return Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path_factory.mktemp('unused')}/unused.db",
        public_base_url="https://stellen.example",
        smtp_url=f"smtp://127.0.0.1:{mailbox.port}",
        mail_from="Stellenbörse <noreply@stellen.example>",
        alert_mails_per_client_hour=3,
    )


@pytest.fixture(scope="module")
def alert_app(alert_board, alert_settings):
    return create_app(alert_settings, alert_board)


@pytest.fixture
def client_address() -> str:
    """A client address of its own for each test: the per-client limit must not carry over."""
    n = next(_addresses)
    return f"10.18.{n // 250}.{n % 250 + 1}"


@pytest.fixture
def client(alert_app, client_address) -> TestClient:
    return TestClient(alert_app, headers={"Accept": "text/html"}, client=(client_address, 50000))


@pytest.fixture
def unique_email() -> str:
    return f"person{next(_addresses)}@example.de"


@pytest.fixture(scope="module")
def alert_server(alert_app):
    with served(alert_app, timeout=10) as url:
        yield url
