"""HR portal fixtures: a real SQLite board, the app, accounts of two districts and an admin, a browser.

Browser tests (marked `browser`) need Debian's /usr/bin/chromium: they FAIL when STELLEN_REQUIRE_BROWSER=1
(CI) and it is missing, and are skipped otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from tests.search.helpers import make_board
from tests.support import served
from vacancies.model import Vacancy
from vacancies.settings import Settings
from vacancies.store import utcnow

PASSWORD = "Korrekt-Pferd-Batterie-Heftklammer"
DISTRICT_A, DISTRICT_B = "miltenberg", "aschaffenburg"
EMAILS = {
    "own": "hr@lra-miltenberg.de",
    "other": "hr@lra-aschaffenburg.de",
    "admin": "admin@innovationsring.de",
}


class Clock:
    """A movable clock for the HR app (sessions, throttling, schedules)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, **kwargs) -> None:
        self.offset += timedelta(**kwargs)


@dataclass
class Portal:
    app: object
    board: object
    clock: Clock
    directory: Path

    @property
    def hr(self):
        return self.app.state.hr

    def client(self, actor: str | None = None) -> TestClient:
        """A client logged in as `actor` ("own", "other", "admin") or anonymous (None)."""
        client = TestClient(self.app, follow_redirects=False)
        if actor:
            response = login(client, EMAILS[actor], PASSWORD)
            assert response.status_code == 303, response.text
        return client


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


def login(client: TestClient, email: str, password: str, extra_headers: dict | None = None):
    page = client.get("/hr/anmelden")
    token = csrf_of(page.text.split('action="/hr/anmelden"', 1)[1])
    data = {"csrf_token": token, "email": email, "password": password, "next": "/hr/"}
    return client.post("/hr/anmelden", data=data, headers=extra_headers or {})


def crawled(vacancy_id: str, district: str, title: str) -> Vacancy:
    return Vacancy.model_validate(
        {
            "id": vacancy_id,
            "origin": "crawled",
            "source": f"{district}-web",
            "source_url": f"https://www.example.org/{district}/{vacancy_id}",
            "district": district,
            "title": title,
            "description": "<p>Gefunden auf der Website des Landkreises.</p>",
            "location": {"postal_code": "63897" if district == DISTRICT_A else "63739"},
        }
    )


def build_portal(directory: Path, backend: str = "sqlite", es_url: str = "") -> Portal:
    board = make_board(backend, directory, es_url=es_url)
    settings = Settings(
        database_url=f"sqlite:///{directory / 'board.db'}", environment="test", cookie_secure=False
    )
    app = create_app(settings, board)
    clock = Clock()
    app.state.hr.clock = clock
    accounts = app.state.hr.accounts
    accounts.add_user(EMAILS["own"], PASSWORD, "hr", DISTRICT_A)
    accounts.add_user(EMAILS["other"], PASSWORD, "hr", DISTRICT_B)
    accounts.add_user(EMAILS["admin"], PASSWORD, "admin")
    return Portal(app, board, clock, directory)


@pytest.fixture
def portal(tmp_path) -> Portal:
    return build_portal(tmp_path)


def vacancy_body(**overrides) -> dict:
    body = {
        "title": "Sachbearbeiter (m/w/d) Kämmerei",
        "department": "Kämmerei",
        "description": "<p>Sie betreuen die Haushaltsplanung.</p>",
        "working_time": ["full_time", "part_time"],
        "pay_scale": "TVöD",
        "pay_grade_min": "EG 9a",
        "location": {"postal_code": "63897"},
        "apply_url": "https://karriere.example.org/4711",
    }
    body.update(overrides)
    return body


# -- a real browser ------------------------------------------------------------------------------------------


@pytest.fixture
def live_portal(portal):
    """The portal served by uvicorn on a free port in a background thread; yields (portal, base_url)."""
    with served(portal.app) as url:
        yield portal, url
