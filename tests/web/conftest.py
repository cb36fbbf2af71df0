"""Fixtures for the page tests: a real board (SQLite file + the contract corpus), the app, a live server,
and Debian's Chromium for browser tests.

Browser tests (marked `browser`) need /usr/bin/chromium. When STELLEN_REQUIRE_BROWSER=1 (CI) a missing
browser FAILS them; on a developer machine without it they are skipped.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from tests.search.corpus import TODAY, corpus
from tests.search.helpers import make_board
from tests.support import served
from vacancies.model import Vacancy
from vacancies.search.contract import BERLIN
from vacancies.settings import Settings

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
XSS = '<script>alert("x")</script>'


def today() -> date:
    from datetime import datetime

    return datetime.now(BERLIN).date()


def shifted_corpus() -> list[Vacancy]:
    """The contract corpus with its dates moved so that its 'today' is the real today (pages use it)."""
    delta = today() - TODAY
    out = []
    for vacancy in corpus():
        for name in ("date_posted", "deadline", "start_date"):
            value = getattr(vacancy, name)
            if value is not None:
                setattr(vacancy, name, value + delta)
        out.append(vacancy)
    return out


def extra_postings() -> list[Vacancy]:
    """A posting with everything filled in, hostile markup in title and description, and a hidden one."""
    full = Vacancy.model_validate(
        {
            "id": "web:full",
            "source": "web-tests",
            "source_url": "https://www.landkreis-miltenberg.de/stellen/4711",
            "district": "miltenberg",
            "employer": "Landratsamt Miltenberg",
            "department": "Kreiskasse",
            "title": f"Kassierer (m/w/d) {XSS}",
            "description": f"<h2>Ihre Aufgaben</h2><p>Führung der Kasse.</p>{XSS}"
            '<p><img src="x" onerror="alert(1)">Buchhaltung</p>',
            "category": "Finanzen & Steuern",
            "working_time": ["full_time", "part_time"],
            "weekly_hours": 39,
            "fixed_term": True,
            "term_months": 24,
            "status": ["employee"],
            "pay_scale": "TVöD",
            "pay_grade_min": "E9a",
            "pay_grade_max": "E9a",
            "career_level": 3,
            "location": {"street": "Brückenstraße 1", "postal_code": "63897", "city": "Miltenberg"},
            "date_posted": (today() - timedelta(days=2)).isoformat(),
            "deadline": (today() + timedelta(days=5)).isoformat(),
            "reference": "KK-2026-17",
            "apply_url": "https://www.landkreis-miltenberg.de/bewerben/4711",
            "contact": {"name": "Frau Muster", "phone": "09371 501-0", "email": "personal@lra-mil.de"},
            "attachments": ["https://www.landkreis-miltenberg.de/stellen/4711.pdf"],
        }
    )
    hidden = Vacancy.model_validate(
        {
            "id": "web:hidden",
            "source": "web-tests",
            "district": "miltenberg",
            "title": "Geheime Stelle",
            "date_posted": today().isoformat(),
        }  # fmt: skip
    )
    return [full, hidden]


@pytest.fixture(scope="session")
def board(tmp_path_factory):
    board = make_board("sqlite", tmp_path_factory.mktemp("web-board"), shifted_corpus() + extra_postings())
    board.set_hidden("web:hidden", True)
    return board


@pytest.fixture(scope="session")
def app(board, tmp_path_factory):
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path_factory.mktemp('unused')}/unused.db",
        public_base_url="https://stellen.example",
    )
    return create_app(settings, board)


@pytest.fixture(scope="session")
def client(app) -> TestClient:
    return TestClient(app, headers={"Accept": "text/html"})


@pytest.fixture(scope="session")
def live_server(app):
    """The app served by uvicorn in a background thread on a free 127.0.0.1 port."""
    with served(app, timeout=10) as url:
        yield url


@pytest.fixture
def page(browser, live_server):
    """A fresh page that records every request leaving 127.0.0.1 (there must be none)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    page = context.new_page()
    page.outside_requests = []

    def check(request):
        if not request.url.startswith(live_server) and not request.url.startswith("data:"):
            page.outside_requests.append(request.url)

    page.on("request", check)
    page.csp_errors = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_errors.append(m.text))
    page.base = live_server
    yield page
    context.close()
    assert page.outside_requests == [], f"requests left 127.0.0.1: {page.outside_requests}"
    assert page.csp_errors == [], f"blocked by the Content Security Policy: {page.csp_errors}"
