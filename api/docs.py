"""The interactive API documentation (Swagger UI) at /api/docs, served entirely from our own origin.

FastAPI's default page loads Swagger UI from a CDN and starts it with an inline script: blank where the
CDN is unreachable, a third-party load for every reader, and no fit for our CSP without inline script.
Here the Swagger UI files come from the `fastapi-offline` package (a PyPI dependency, so every install
has them), the start-up is a small script of ours, and the page's CSP allows only 'self'.
The OpenAPI document stays at /api/v1/openapi.json; /openapi.json, where generic clients look first,
answers the same document.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

DOCS_URL = "/api/docs"
ASSETS_URL = "/api/docs/assets"
# Only what the page needs: the bundle's other files (ReDoc, a favicon) are not served.
ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}
CACHE = {"Cache-Control": "public, max-age=86400"}

START = """"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapi,
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
  });
});
"""

PAGE = """<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Dokumentation</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<main id="swagger-ui" data-openapi="{openapi}"><noscript>Die interaktive Dokumentation braucht
JavaScript. Die Schnittstelle ist in <a href="{openapi}">{openapi}</a> (OpenAPI) beschrieben.
</noscript></main>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/start.js"></script>
</body>
</html>
"""


def asset_dir():
    return files("fastapi_offline") / "static"


def install(app: FastAPI) -> None:
    """Call with a FastAPI app created with docs_url=None and redoc_url=None."""
    openapi_url = app.openapi_url
    page = PAGE.format(title=app.title, assets=ASSETS_URL, openapi=openapi_url)

    @app.get(DOCS_URL, include_in_schema=False)
    def docs_page() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get(ASSETS_URL + "/start.js", include_in_schema=False)
    def docs_start() -> Response:
        return Response(START, media_type="text/javascript", headers=CACHE)

    @app.get(ASSETS_URL + "/{name}", include_in_schema=False)
    def docs_asset(name: str) -> Response:
        if name not in ASSETS:
            raise HTTPException(404)
        path = asset_dir() / name
        return FileResponse(str(path), media_type=ASSETS[name], headers=CACHE)

    if openapi_url != "/openapi.json":

        @app.get("/openapi.json", include_in_schema=False)
        def openapi_alias(request: Request) -> JSONResponse:
            return JSONResponse(request.app.openapi())
