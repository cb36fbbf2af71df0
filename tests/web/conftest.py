"""Fixtures for the page tests: a real board (SQLite file + the contract corpus), the app, a live server,
and Debian's Chromium for browser tests.

Browser tests (marked `browser`) need /usr/bin/chromium. When STELLEN_REQUIRE_BROWSER=1 (CI) a missing
browser FAILS them; on a developer machine without it they are skipped.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from api.app import create_app
from tests.search.corpus import TODAY, corpus
from tests.search.helpers import make_board
from vacancies.model import Vacancy
from vacancies.search.contract import BERLIN
from vacancies.settings import Settings

CHROMIUM = os.environ.get("STELLEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
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
            "category": "Finanzen",
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(app):
    """The app served by uvicorn in a background thread on a free 127.0.0.1 port."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return CHROMIUM
    problem = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("STELLEN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"A browser is required here (STELLEN_REQUIRE_BROWSER=1): {problem}")
    pytest.skip(problem)


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ModuleNotFoundError as exc:
        if os.environ.get("STELLEN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"playwright is required here (STELLEN_REQUIRE_BROWSER=1): {exc}")
        pytest.skip(f"playwright is not installed: {exc}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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
