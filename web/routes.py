"""Pages for job seekers (German, server-rendered, usable without JavaScript) and title/place suggest.

`install(app)` is called by api.app.create_app. Handlers stay thin: parsing lives in web.params,
wording in web.present, the page views in web.views.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.problems import RETRY_AFTER_SECONDS
from vacancies import legal
from vacancies.search.contract import IndexUnavailable
from web import alert_pages, present, svgmap, views
from web.vocabulary import Vocabulary

HERE = Path(__file__).resolve().parent
pages = APIRouter(include_in_schema=False)
suggest_router = APIRouter(prefix="/api/v1", tags=["Stellen"])


def make_templates() -> Jinja2Templates:
    """The app's one Jinja environment: public pages, the HR portal and its preview (which renders the
    public posting.html) share it, so filters and settings cannot drift apart (issue 17, item 7)."""
    # auto_reload=False: templates ship with the release; checking each file's mtime on every render cost
    # ~2 % of a search page under load.
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True, auto_reload=False)  # fmt: skip
    env.filters["german_date"] = present.german_date
    env.filters["german_time"] = present.german_time
    env.filters["german_number"] = present.german_number
    env.filters["lines"] = legal.lines
    env.globals.update(
        posting_url=views.posting_url,
        badges=present.badges,
        place=present.place,
        district_name=present.district_name,
        facet_label=present.facet_label,
        sorts=present.SORTS,
        radii=present.RADII,
        status_labels=present.STATUS,
        field_labels=present.FIELD_LABELS,
    )
    return Jinja2Templates(env=env)


def install(app: FastAPI) -> None:
    app.state.templates = make_templates()
    app.state.vocabulary = Vocabulary(app.state.board)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages)
    app.include_router(alert_pages.router)
    if not _has_route(app, "/api/v1/suggest"):
        app.include_router(suggest_router)
    _html_errors(app)
    # Feeds belong to the public API (api.public); the search page links them when they exist.
    app.state.web_feeds = _has_route(app, "/feed.rss")


def _has_route(app: FastAPI, path: str) -> bool:
    scope = {"type": "http", "path": path, "method": "GET", "root_path": "", "headers": []}
    return any(route.matches(scope)[0] == Match.FULL for route in app.router.routes)


def render(request: Request, name: str, context: dict, status: int = 200) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status)


def not_found(request: Request, message: str = "") -> HTMLResponse:
    return render(request, "404.html", {"message": message}, 404)


def _html_errors(app: FastAPI) -> None:
    """Browsers get a German HTML page for a wrong address; the API keeps its problem+json."""
    api_handler = app.exception_handlers.get(StarletteHTTPException)

    async def handler(request: Request, exc: StarletteHTTPException):
        wants_html = "text/html" in request.headers.get("accept", "")
        if request.url.path.startswith("/api/") or not wants_html or api_handler is None:
            if api_handler is not None:
                answer = api_handler(request, exc)  # Starlette allows sync and async handlers
                return await answer if inspect.isawaitable(answer) else answer
            raise exc
        if exc.status_code == 404:
            return not_found(request)
        return render(request, "error.html", {"status": exc.status_code}, exc.status_code)

    app.exception_handlers[StarletteHTTPException] = handler


def _unavailable(request: Request) -> HTMLResponse:
    response = render(request, "error.html", {"status": 503}, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# -- pages --------------------------------------------------------------------------------------------


@pages.get("/", response_class=HTMLResponse)
def search_page(request: Request) -> Response:
    if (clean := without_empty_parameters(request)) is not None:
        return clean
    try:
        context, status = views.search_view(request.app.state.board, request.app.state.vocabulary,
                                            request.query_params)  # fmt: skip
    except IndexUnavailable:
        return _unavailable(request)
    if context["search"].query is not None:  # a search that ran can become a Suchauftrag (issue 18)
        context["alert"] = alert_pages.form_context(request, context["search"])
    return render(request, "search.html", context, status)


@pages.get("/stellen/{address:path}", response_class=HTMLResponse)
def posting_page(request: Request, address: str) -> Response:
    board = request.app.state.board
    vacancy = board.get_public_at(address)
    if vacancy is None:
        return not_found(request, "Diese Stelle gibt es nicht (mehr).")
    base = request.app.state.settings.public_base_url
    path = views.posting_url(vacancy)
    if request.url.path != path:
        # an old address (/stellen/<id>) or a title changed since: one permanent home per posting
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"{base}{path}{query}", status_code=301)
    back = request.query_params.get(views.BACK_PARAM)
    try:
        context = views.posting_view(board, vacancy, base, back)
    except IndexUnavailable:
        return _unavailable(request)
    return render(request, "posting.html", context)


@pages.get("/landkreise", response_class=HTMLResponse)
def districts_page(request: Request) -> HTMLResponse:
    try:
        context = views.districts_view(request.app.state.board)
    except IndexUnavailable:
        return _unavailable(request)
    return render(request, "districts.html", context)


@pages.get("/landkreise/{slug}", response_class=HTMLResponse)
def district_page(request: Request, slug: str) -> HTMLResponse:
    board = request.app.state.board
    try:
        found = views.district_view(board, slug, request.query_params)
    except IndexUnavailable:
        return _unavailable(request)
    if found is None:
        return not_found(request, "Diesen Landkreis kennt die Stellenbörse nicht.")
    context, status = found
    return render(request, "district.html", context, status)


@pages.get("/karte.svg")
def map_svg(request: Request) -> Response:
    try:
        svg = views.map_svg(request.app.state.board, standalone=True)
    except IndexUnavailable:
        return Response(status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "max-age=300"})


@pages.get("/ueber", response_class=HTMLResponse)
def about_page(request: Request) -> HTMLResponse:
    return render(request, "ueber.html", {})


# -- pages every public authority's site needs: filled from the operator's settings (vacancies.legal) --


def _legal(request: Request, name: str, **extra) -> HTMLResponse:
    settings = request.app.state.settings
    return render(request, name, {"legal": settings, "contact_url": settings.contact_url, **extra})


@pages.get("/impressum", response_class=HTMLResponse)
def imprint_page(request: Request) -> HTMLResponse:
    return _legal(request, "impressum.html", map_attribution=svgmap.attribution())


@pages.get("/datenschutz", response_class=HTMLResponse)
def privacy_page(request: Request) -> HTMLResponse:
    from vacancies.geo import ATTRIBUTION

    return _legal(request, "datenschutz.html", attribution=ATTRIBUTION)


@pages.get("/barrierefreiheit", response_class=HTMLResponse)
def accessibility_page(request: Request) -> HTMLResponse:
    return _legal(request, "barrierefreiheit.html")


@pages.get("/leichte-sprache", response_class=HTMLResponse)
def easy_language_page(request: Request) -> HTMLResponse:
    return _legal(request, "leichte_sprache.html")


@pages.get("/gebaerdensprache", response_class=HTMLResponse)
def sign_language_page(request: Request) -> HTMLResponse:
    return _legal(request, "gebaerdensprache.html")


# -- autocomplete -------------------------------------------------------------------------------------


@suggest_router.get(
    "/suggest",
    summary="Vorschläge beim Tippen",
    description="Stellentitel (`kind=title`, aus den veröffentlichten Stellen) oder Orte mit PLZ "
    "(`kind=place`, GeoNames) für die Autovervollständigung.",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "query": "Erz",
                        "kind": "title",
                        "suggestions": [{"value": "Erzieher Kindertagesstätte", "label": "Erzieher …"}],
                    }
                }
            }
        }
    },
)
def suggest(
    request: Request,
    q: Annotated[str, Query(max_length=100, description="bisher getippter Text")] = "",
    kind: Annotated[Literal["title", "place"], Query(description="Titel oder Ort")] = "title",
) -> JSONResponse:
    if kind == "place":
        places = request.app.state.board.gazetteer.suggest(q, limit=8)
        items = [{"value": f"{p.postal_code} {p.name}", "label": f"{p.name} ({p.postal_code})"}
                 for p in places]  # fmt: skip
    else:
        titles = request.app.state.vocabulary.suggest_titles(q, limit=8)
        items = [{"value": t, "label": t} for t in titles]
    body = {"query": q, "kind": kind, "suggestions": items}
    return JSONResponse(body, headers={"Cache-Control": "max-age=60"})


# -- icon and clean search addresses (issue 16, item 14) ----------------------------------------------

ICON_CACHE = {"Cache-Control": "public, max-age=604800"}


@pages.get("/favicon.ico")
def favicon_ico() -> Response:
    from web import favicon

    return Response(favicon.ico(), media_type="image/x-icon", headers=ICON_CACHE)


@pages.get("/favicon.svg")
def favicon_svg() -> Response:
    from web import favicon

    return Response(favicon.svg(), media_type="image/svg+xml", headers=ICON_CACHE)


def without_empty_parameters(request: Request) -> Response | None:
    """A redirect to the same search without `?q=&near=&…`: a GET form sends every field, filled or not,
    and one search should have one address (bookmarks, shared links, caches). None when all are filled."""
    items = request.query_params.multi_items()
    kept = [(name, value) for name, value in items if value.strip()]
    if len(kept) == len(items):
        return None
    query = urlencode(kept)  # relative, as the portal's redirects: never towards the request's Host
    return RedirectResponse(request.url.path + (f"?{query}" if query else ""), status_code=302)
