"""FastAPI application factory: nothing is created at import time."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api import guards, problems
from api.routes import health, vacancies
from vacancies.service import Board, open_board
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
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.board = board or open_board(settings)
    problems.install(app)
    app.include_router(vacancies.router)
    app.include_router(health.router)
    _mount_parts(app)
    guards.install(app)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET"])
    return app


def _mount_parts(app: FastAPI) -> None:
    """The factory is the composition root: public API extras, the pages (web/, which build on api/) and
    the HR portal. Imported here, not at module level, so that web/ may import api/ without a cycle."""
    from api import hr, public
    from web import routes as web_routes

    public.install(app)
    web_routes.install(app)
    hr.install(app)
