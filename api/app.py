"""The JSON API's parts: its OpenAPI metadata and `install(app)`, called by the composition root
(server.app.create_app). Nothing here knows the pages (web/) or the HR portal's pages."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api import docs, problems, public
from api.routes import health, vacancies
from api.routes.alerts import router as alerts_router

DESCRIPTION = """Die Stellenbörse des Bayerischen Innovationsrings: Stellenangebote der Landratsämter,
durchsuchbar auf Deutsch. Fehler werden als `application/problem+json` (RFC 9457) gemeldet."""

METADATA: dict[str, Any] = {
    "title": "Stellenbörse API",
    "version": "1",
    "description": DESCRIPTION,
    "openapi_url": "/api/v1/openapi.json",
    "docs_url": None,  # self-hosted: api.docs
    "redoc_url": None,
}


def install(app: FastAPI) -> None:
    """Problem responses, the self-hosted docs, search and detail, alerts, health, then the public
    extras (districts, facets, feeds, sitemap, caching)."""
    problems.install(app)
    docs.install(app)
    app.include_router(vacancies.router)
    app.include_router(alerts_router)
    app.include_router(health.router)
    public.install(app)
