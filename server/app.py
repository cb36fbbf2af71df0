"""The application factory: nothing is created at import time.

`create_app` puts the parts together in their order: the JSON API (api.app.install), the pages
(web.routes.install), the HR portal (its API from api.hr, its pages and static files from web.hr), then
the guards that wrap every response.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

import api.app
import api.hr
import web.hr
import web.routes
from api import guards, metrics
from vacancies.alerts import Alerts
from vacancies.search.contract import IndexUnavailable, SearchQuery
from vacancies.service import Board, OutboxDrainer, open_board
from vacancies.settings import Settings, get_settings

log = logging.getLogger(__name__)
SERVER_THREADS = 8  # A/B at 20 clients, one worker: p99 397–448 ms against 506–526 ms with 40


def create_app(settings: Settings | None = None, board: Board | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(**api.app.METADATA, lifespan=_lifespan)
    app.state.settings = settings
    app.state.board = board or open_board(settings)
    # Suchaufträge (issue 18) live in the board's database and mail through settings.smtp_url.
    app.state.alerts = Alerts(app.state.board.store.engine, app.state.board, settings)
    app.state.outbox_timing = (2.0, 30.0)  # drainer: seconds between looks, longest backoff (tests shorten)
    api.app.install(app)
    web.routes.install(app)
    api.hr.install(app)
    web.hr.install(app)
    metrics.install(app)  # /metrics and the request counters (issue 19)
    guards.install(app)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET"])
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """While the server runs: warm the search before the first request, drain the index outbox."""
    board: Board = app.state.board
    # Requests run in threads that share one GIL: 40 of them (anyio's default) interleave their CPU work
    # so that every one finishes late; fewer threads, the rest waiting in order, finish sooner.
    anyio.to_thread.current_default_thread_limiter().total_tokens = SERVER_THREADS
    await run_in_threadpool(_warm, board)
    interval, max_backoff = app.state.outbox_timing
    drainer = None if board.transactional else OutboxDrainer(board, interval, max_backoff).start()
    try:
        yield
    finally:
        if drainer:
            await run_in_threadpool(drainer.stop)


def _warm(board: Board) -> None:
    """One search loads the embedded index's column cache (1.8 s at 100,000 postings) and the
    analyzer's data, so the first job seeker does not wait for it; a worker accepts requests after."""
    try:
        board.search(SearchQuery(text="verwaltung", per_page=1))
    except IndexUnavailable as exc:
        log.warning("Suchindex beim Start nicht erreichbar: %s", exc)
