"""Pages of the Suchaufträge (job alerts by e-mail, issue 18): subscribe from the results page, confirm,
manage and leave through the signed links of the mails. Without JavaScript, German, never indexed.

- `POST /suchauftrag`: the form under the results. Bad input shows the results page again with the
  message next to the field (nothing typed is lost); success redirects (303) to "Bitte bestätigen".
- `GET /suchauftrag/bestaetigen?t=…`: the double-opt-in link; confirms and says so.
- `GET|POST /suchauftrag/verwalten?t=…`: the search in words, its frequency, delete it or every alert
  of the address.
- `GET /suchauftrag/abmelden?t=…` shows a button; `POST` deletes at once. The mails' List-Unsubscribe
  header points here, and mail providers post `List-Unsubscribe=One-Click` to it (RFC 8058).

Forged, expired or used links answer with a German page (400), never a traceback. CSRF: see
web/alert_forms.py. Store work runs in the thread pool; mails leave after the answer (background task).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, QueryParams

from api import client
from vacancies.alerts import AlertError, AlertLinkError, AlertRateLimited, Alerts
from vacancies.search.contract import BERLIN, IndexUnavailable
from web import alert_forms, views
from web.params import PageSearch, parse

router = APIRouter(prefix="/suchauftrag", include_in_schema=False)
SEARCH_FIELD = "search"  # the search as one query string: its own names would clash with the search form's
MISSING_LINK = "Der Link ist unvollständig. Bitte öffnen Sie ihn genau so, wie er in der E-Mail steht."
RATE_LIMIT_RETRY_SECONDS = 3600
NOTICES = {"gespeichert": "Die Änderung ist gespeichert."}
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def alerts_of(request: Request) -> Alerts:
    return request.app.state.alerts


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """An alert page: its links hold secrets and the pages personal data, so nothing caches or indexes
    them."""
    from web.routes import render  # web.routes imports this module to install it: import at call time

    response = render(request, name, {"frequencies": alert_forms.FREQUENCIES, **context}, status)
    response.headers.update(PRIVATE_HEADERS)
    return response


def link_error(request: Request, message: str) -> HTMLResponse:
    return page(request, "alerts/link_error.html", {"message": message}, 400)


# -- the subscribe form (on the results page) -----------------------------------------------------------


def form_context(request: Request, search: PageSearch, **given: Any) -> dict[str, Any]:
    """What the results page needs for the form: a fresh token, the search as one query string, what a
    failed attempt had typed and why it failed (`email`, `frequency`, `errors`, `message`)."""
    return {
        "token": alert_forms.subscribe_token(request),
        "search": urlencode(alert_forms.kept_pairs(search.raw)),
        "email": given.get("email", ""),
        "frequency": given.get("frequency") if given.get("frequency") in alert_forms.FREQUENCIES else "daily",
        "errors": given.get("errors", {}),
        "message": given.get("message", ""),
    }


def _results_again(request: Request, form: FormData, status: int, **failure: Any) -> HTMLResponse:
    """The results page of the posted search again, the form filled in as it was sent, with the error."""
    from web.routes import render

    board, vocabulary = request.app.state.board, request.app.state.vocabulary
    query = _search_of(form)
    try:
        context, _ = views.search_view(board, vocabulary, query)
    except IndexUnavailable:
        context = {"search": parse(query, board.gazetteer), "page": None, "hints": []}
    given = {"email": _field(form, "email"), "frequency": _field(form, "frequency"), **failure}
    context["alert"] = form_context(request, context["search"], **given)
    response = render(request, "search.html", context, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _search_of(form: FormData) -> QueryParams:
    return QueryParams(_field(form, SEARCH_FIELD, 4000))


def _field(form: FormData, name: str, limit: int = 254) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


@router.post("")
async def subscribe(request: Request, background: BackgroundTasks) -> Response:
    form = await request.form(max_files=0, max_fields=10)

    async def again(status: int, **failure: Any) -> HTMLResponse:  # searches: off the event loop
        return await run_in_threadpool(_results_again, request, form, status, **failure)

    if not alert_forms.subscribe_token_ok(request, _field(form, "csrf_token", 100)):
        return await again(403, message=alert_forms.FORM_FAILED)
    search = parse(_search_of(form), request.app.state.board.gazetteer)
    if search.errors:  # a hand-made form; ours only carries searches that ran
        return await again(422, message="Diese Suche enthält ungültige Angaben.")
    params = alert_forms.as_params(alert_forms.kept_pairs(search.raw))
    email, frequency = _field(form, "email"), _field(form, "frequency", 20)
    address = client.client_address(request, request.app.state.settings)
    alerts = alerts_of(request)
    try:
        await run_in_threadpool(alerts.subscribe, email, params, frequency, address)
    except AlertRateLimited as exc:
        response = await again(429, message=exc.message)
        response.headers["Retry-After"] = str(RATE_LIMIT_RETRY_SECONDS)
        return response
    except AlertError as exc:
        if exc.field in ("email", "frequency"):
            return await again(422, errors={exc.field: exc.message})
        return await again(422, message=exc.message)
    background.add_task(alerts.deliver)  # after the answer, in the thread pool
    # A fragment of its own: without one the browser would keep the form's "#suchauftrag" (RFC 9110, 10.2.2)
    return RedirectResponse("/suchauftrag/bitte-bestaetigen#inhalt", status_code=303)


@router.get("")
def subscribe_get() -> RedirectResponse:
    """A bookmarked or reloaded form address: the form lives under every search."""
    return RedirectResponse("/", status_code=303)


@router.get("/bitte-bestaetigen", response_class=HTMLResponse)
def pending(request: Request) -> HTMLResponse:
    return page(request, "alerts/pending.html", {})


# -- the links of the mails ----------------------------------------------------------------------------


@router.get("/bestaetigen", response_class=HTMLResponse)
def confirm(request: Request, t: str = "") -> HTMLResponse:
    if not t:
        return link_error(request, MISSING_LINK)
    alerts = alerts_of(request)
    try:
        alert = alerts.confirm(t)
    except AlertLinkError as exc:
        return link_error(request, exc.message)
    context = {"alert": alert, "lines": alert_forms.describe(alert.params)}
    return page(
        request, "alerts/confirmed.html", {**context, "manage_url": _manage_path(alerts.manage_token(alert))}
    )


def _manage_path(token: str) -> str:
    return f"/suchauftrag/verwalten?{urlencode({'t': token})}"


@router.get("/verwalten", response_class=HTMLResponse)
def manage(request: Request, t: str = "", hinweis: str = "") -> HTMLResponse:
    if not t:
        return link_error(request, MISSING_LINK)
    try:
        return _manage_page(request, t, notice=NOTICES.get(hinweis, ""))
    except AlertLinkError as exc:
        return link_error(request, exc.message)


def _manage_page(request: Request, token: str, status: int = 200, **extra: Any) -> HTMLResponse:
    alert, others = alerts_of(request).by_manage_token(token)
    context = {
        "alert": alert,
        "lines": alert_forms.describe(alert.params),
        "others": [(other, alert_forms.describe(other.params)) for other in others if other.id != alert.id],
        "created": _berlin_date(alert.created_at),
        "action_url": _manage_path(token),
        "csrf": alert_forms.manage_token(request, token),
        **extra,
    }
    return page(request, "alerts/manage.html", context, status)


def _berlin_date(moment: datetime) -> date:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives naive UTC back
    return aware.astimezone(BERLIN).date()


@router.post("/verwalten")
async def manage_action(request: Request, t: str = "") -> Response:
    form = await request.form(max_files=0, max_fields=10)
    if not t:
        return link_error(request, MISSING_LINK)
    action = _field(form, "action", 20)
    try:
        if not alert_forms.manage_token_ok(request, t, _field(form, "csrf_token", 100)):
            return await run_in_threadpool(_manage_page, request, t, 403, error=alert_forms.FORM_FAILED)
        return await run_in_threadpool(_manage_action, request, t, action, _field(form, "frequency", 20))
    except AlertLinkError as exc:
        return link_error(request, exc.message)


def _manage_action(request: Request, token: str, action: str, frequency: str) -> Response:
    alerts = alerts_of(request)
    if action == "delete":
        alerts.delete(token)
        return page(request, "alerts/deleted.html", {"count": 1})
    if action == "delete_all":
        return page(request, "alerts/deleted.html", {"count": alerts.delete_all(token), "all": True})
    try:
        alerts.set_frequency(token, frequency)
    except AlertError as exc:
        return _manage_page(request, token, 422, error=exc.message)
    return RedirectResponse(_manage_path(token) + "&hinweis=gespeichert", status_code=303)


@router.get("/abmelden", response_class=HTMLResponse)
def unsubscribe_page(request: Request, t: str = "") -> HTMLResponse:
    """A page with a button, not a GET that deletes: mail scanners open links before people do."""
    if not t:
        return link_error(request, MISSING_LINK)
    action = f"/suchauftrag/abmelden?{urlencode({'t': t})}"
    return page(request, "alerts/unsubscribe.html", {"action_url": action})


@router.post("/abmelden", response_class=HTMLResponse)
async def unsubscribe(request: Request, t: str = "") -> HTMLResponse:
    """RFC 8058 one-click: the body is `List-Unsubscribe=One-Click`, posted by the mail provider or by
    our own button; no CSRF token (there is no session to ride on, the signed link is the authority)."""
    if not t:
        return link_error(request, MISSING_LINK)
    try:
        existed = await run_in_threadpool(alerts_of(request).unsubscribe, t)
    except AlertLinkError as exc:
        return link_error(request, exc.message)
    return page(request, "alerts/unsubscribed.html", {"existed": existed})
