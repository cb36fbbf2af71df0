"""Fixtures for the Suchaufträge pages and API (issue 18): a real board, a real local SMTP server
(aiosmtpd) that the app mails to, the app, a test client per client address, and a live server.

Each test module gets its own board and SMTP server, so the alerts, the rate limits and the mailbox of
one module never leak into another.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import re
import threading
import time
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.search.helpers import make_board
from tests.support import free_port, served
from tests.web.conftest import shifted_corpus
from vacancies.settings import Settings

LINK_RE = re.compile(r"https?://[^\s\"'<>]+")
_addresses = itertools.count(1)


class Mailbox:
    """aiosmtpd handler: keeps every message it is given, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        with self.changed:
            self.messages.append(message)
            self.changed.notify_all()
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def wait_for(self, address: str, count: int = 1, timeout: float = 10) -> list[EmailMessage]:
        """The messages to `address` once there are `count` of them (the app sends after answering)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while len(self.to(address)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{count} Mail(s) an {address} erwartet, da sind {len(self.to(address))}"
                    )
                self.changed.wait(left)
            return self.to(address)


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message: EmailMessage, path: str) -> str:
    """The link of the message's plain text part that leads to `path` (e.g. /suchauftrag/bestaetigen)."""
    links = [link for link in LINK_RE.findall(text_of(message)) if path in link]
    assert links, f"kein Link auf {path} in: {text_of(message)}"
    return links[0]


def local(link: str) -> str:
    """A mailed link (public base URL) as a path for the test client or the live server."""
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture(scope="module")
def mailbox():
    from aiosmtpd.controller import Controller

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    try:
        yield box
    finally:
        controller.stop()


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
