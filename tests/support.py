"""Test support shared by the suites: real services that CI must provide, and an app served over HTTP.

Elasticsearch and Chromium are required in CI (STELLEN_REQUIRE_ELASTICSEARCH=1 / STELLEN_REQUIRE_BROWSER=1
set by .ci/run and tests/run.sh): a missing one FAILS the tests there. Only on a developer machine without
it are those tests skipped — `unavailable` is the one place that decides.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import pytest

CHROMIUM = os.environ.get("STELLEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def unavailable(problem: str, required_by: str) -> NoReturn:
    """Fail when the environment variable `required_by` is "1" (CI), else skip."""
    if os.environ.get(required_by) == "1":
        pytest.fail(f"required here ({required_by}=1): {problem}")
    pytest.skip(problem)


def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)", "STELLEN_REQUIRE_BROWSER")
    try:
        import playwright.sync_api  # noqa: F401
    except ModuleNotFoundError as exc:
        unavailable(f"playwright is not installed: {exc}", "STELLEN_REQUIRE_BROWSER")
    return CHROMIUM


@contextmanager
def launched_chromium() -> Iterator:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # Analysis processes forked while the browser ran hold copies of the Playwright driver's
            # pipe: the driver would never see it close, and leaving sync_playwright() waited forever.
            from vacancies.search.document import shutdown_pools

            shutdown_pools()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(app, timeout: float = 15) -> Iterator[str]:
    """The ASGI app served by uvicorn in a background thread on a free 127.0.0.1 port; yields its URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def engine_at_revision(path, revision: str):
    """A SQLite store whose schema stops at `revision`: a database written by an older release."""
    from alembic import command
    from alembic.config import Config

    from vacancies.store import MIGRATIONS_DIR, make_engine

    engine = make_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    return engine


def wait_until_answering(url: str, process, seconds: float = 60) -> None:
    """Until `url` answers 200 (a server started as `process`); fails when the process ends first."""
    import httpx2

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "server ended"
        try:
            if httpx2.get(url, timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("server did not answer")
