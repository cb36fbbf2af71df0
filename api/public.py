"""The public API beyond search and detail: districts, facets, feeds, sitemap, robots.txt, HTTP caching.

api.app.install calls `install(app)` (the composition root, server.app.create_app, builds the app).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request

from api.caching import PUBLIC_MAX_AGE, CachingMiddleware
from api.problems import UNEXPECTED, problem
from api.routes import districts, facets, feeds, site

log = logging.getLogger(__name__)

API_NOTES = f"""

**Zwischenspeichern:** GET-Antworten tragen ein `ETag`; mit `If-None-Match` antwortet der Server `304 Not
Modified` ohne Inhalt. Öffentliche Antworten dürfen {PUBLIC_MAX_AGE} Sekunden zwischengespeichert werden
(`Cache-Control: public, max-age={PUBLIC_MAX_AGE}`). `Server-Timing: app;dur=…` nennt die Zeit im Server.

**CORS:** Browser-Anwendungen anderer Herkunft dürfen die API per GET nutzen, wenn ihre Herkunft in
`STELLEN_CORS_ORIGINS` steht (JSON-Liste, z. B. `["https://www.landkreis-miltenberg.de"]`).

**Feeds:** Jede Suche gibt es als RSS 2.0 (`/api/v1/feed.rss`) und Atom 1.0 (`/api/v1/feed.atom`)."""


def install(app: FastAPI) -> None:
    app.description = (app.description or "") + API_NOTES
    app.include_router(districts.router)
    app.include_router(facets.router)
    app.include_router(feeds.api_router)
    app.include_router(feeds.site_router)
    app.include_router(site.router)
    app.add_middleware(CachingMiddleware)
    app.add_exception_handler(Exception, _unexpected)


async def _unexpected(request: Request, exc: Exception):
    # The log gets the traceback; the client gets no internals (no message, no class name).
    log.exception("Unerwarteter Fehler bei %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        500,
        UNEXPECTED,
        instance=request.url.path,
    )
