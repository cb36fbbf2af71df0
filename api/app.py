"""FastAPI application factory: nothing is created at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from api import docs, guards, metrics, problems
from api.routes import health, vacancies
from api.routes.alerts import router as alerts_router
from vacancies.alerts import Alerts
from vacancies.search.contract import IndexUnavailable, SearchQuery
from vacancies.service import Board, OutboxDrainer, open_board
from vacancies.settings import Settings, get_settings

DESCRIPTION = """Die Stellenbörse des Bayerischen Innovationsrings: Stellenangebote der Landratsämter,
durchsuchbar auf Deutsch. Fehler werden als `application/problem+json` (RFC 9457) gemeldet."""


def create_app(settings: Settings | None = None, board: Board | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Stellenbörse API",
        version="1",
        description=DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # self-hosted: api.docs
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.board = board or open_board(settings)
    # Suchaufträge (issue 18) live in the board's database and mail through settings.smtp_url.
    app.state.alerts = Alerts(app.state.board.store.engine, app.state.board, settings)
    app.state.outbox_timing = (2.0, 30.0)  # drainer: seconds between looks, longest backoff (tests shorten)
    problems.install(app)
    docs.install(app)
    app.include_router(vacancies.router)
    app.include_router(alerts_router)
    app.include_router(health.router)
    _mount_parts(app)
    metrics.install(app)  # /metrics and the request counters (issue 19)
    guards.install(app)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET"])
    return app


log = logging.getLogger(__name__)
SERVER_THREADS = 8  # A/B at 20 clients, one worker: p99 397–448 ms against 506–526 ms with 40


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


def _mount_parts(app: FastAPI) -> None:
    """The factory is the composition root: public API extras, the pages (web/, which build on api/) and
    the HR portal. Imported here, not at module level, so that web/ may import api/ without a cycle."""
    from api import hr, public
    from web import routes as web_routes

    public.install(app)
    web_routes.install(app)
    hr.install(app)
