"""HR portal pages: login, district overview, vacancy editor with preview, API tokens, audit log.

Every page checks the district on the server (`scope_of`); another district's posting answers 404 like
a missing one. Every POST checks the CSRF token before it changes anything.

Handlers that touch the store are plain `def` (FastAPI runs them in its thread pool). A POST handler is
`async` only to read its form; the store work after that runs in `run_in_threadpool`, so a slow database
or search index never holds the event loop (and with it every other request).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.types import Message

from api.hr import auth
from api.hr.auth import NOT_FOUND, CurrentSession, CurrentUser, PageError, scope_of
from api.hr.context import HrContext
from vacancies.accounts import AccountError, Session, User
from vacancies.audit import ACTION_LABELS
from vacancies.districts import by_slug
from vacancies.hr_postings import MAX_PDF_BYTES, InvalidInput, NotFound, berlin_today
from vacancies.model import Origin, State, Vacancy
from vacancies.search.contract import BERLIN
from web import views
from web.hr import forms

router = APIRouter(prefix="/hr", include_in_schema=False)
MAX_SQL_INT = 2**63 - 1

NOTICES = {
    "gespeichert": "Gespeichert.",
    "unveraendert": "Keine Änderungen.",
    "veroeffentlicht": "Die Stelle ist veröffentlicht und in der Suche zu finden.",
    "geplant": "Die Veröffentlichung ist geplant.",
    "zurueckgenommen": "Die Veröffentlichung ist zurückgenommen; die Stelle ist wieder ein Entwurf.",
    "zurueckgezogen": "Die Stelle ist zurückgezogen und nicht mehr in der Suche.",
    "anhang": "Das PDF ist angehängt.",
    "anhang-entfernt": "Das PDF ist entfernt.",
    "ausgeblendet": "Die gefundene Stelle ist ausgeblendet.",
    "eingeblendet": "Die gefundene Stelle ist wieder sichtbar.",
    "widerrufen": "Der API-Zugang ist widerrufen.",
    "abgemeldet": "Sie sind abgemeldet.",
}


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    session: Session | None = auth.current_session(request)
    base = {
        "user": session.user if session else None,
        "csrf": session.csrf_token if session else "",
        "districts": by_slug(),
        "state_labels": forms.STATE_LABELS,
        "labels": forms.LABELS,
        "action_labels": ACTION_LABELS,
        "notice": NOTICES.get(request.query_params.get("hinweis", "")),
        "today": berlin_today(auth.hr(request).now()),
    }
    templates: Jinja2Templates = request.app.state.templates  # the app's one environment (web.routes)
    response = templates.TemplateResponse(request, name, {**base, **context}, status_code=status)
    response.headers["Cache-Control"] = "no-store"  # HR pages show drafts and secrets: never cache them
    return response


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def checked_form(request: Request, session: Session, **limits: int):
    form = await request.form(**limits)
    token = form.get("csrf_token")
    auth.check_csrf(request, session, token if isinstance(token, str) else None)
    return form


def _district_of(user: User, form: FormData) -> str:
    """An HR user's own district; an admin's choice in the form ("" when none: refused downstream)."""
    return str(form.get("district") or "") if user.is_admin else user.district or ""


def _own(request: Request, user: User, vacancy_id: str, origin: Origin | None = Origin.hr) -> Vacancy:
    try:
        return auth.hr(request).postings.get(vacancy_id, scope_of(user), origin)
    except NotFound:
        raise PageError(404, NOT_FOUND) from None


# -- login and logout --------------------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    """Only our own HR pages are redirect targets (no open redirect)."""
    if target and target.startswith("/hr/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/hr/"


def _login_page(request: Request, context: dict[str, Any], status: int = 200) -> Response:
    token, new_cookie = auth.pre_login_token(request)
    response = render(request, "hr/login.html", {"login_csrf": token, **context}, status)
    if new_cookie:
        auth.set_pre_login_cookie(request, response, new_cookie)
    return response


@router.get("/anmelden")
def login_page(request: Request, weiter: str = "") -> Response:
    # Shown also when signed in (to switch accounts); the new login ends the current session.
    return _login_page(request, {"next": _safe_next(weiter), "email": ""})


@router.post("/anmelden")
async def login(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=10)
    token = form.get("csrf_token")
    auth.check_pre_login_token(request, token if isinstance(token, str) else None)
    email, password = str(form.get("email") or "")[:254], str(form.get("password") or "")
    ctx = auth.hr(request)
    # Argon2 takes ~30 ms of CPU: off the event loop, so other requests are not held up meanwhile
    client, known = auth.client_address(request), auth.known_device(request, email)
    result = await run_in_threadpool(ctx.accounts.authenticate, email, password, client, known)
    context = {"next": _safe_next(str(form.get("next") or "")), "email": email}
    if result.throttled:  # refused unchecked: costs nothing, writes nothing
        response = await run_in_threadpool(_login_page, request, {**context, "error": result.message}, 429)
        response.headers["Retry-After"] = str(result.retry_after)
        return response
    if result.user is None:  # audited by authenticate
        return await run_in_threadpool(_login_page, request, {**context, "error": result.message}, 400)
    old = request.cookies.get(auth.cookie_name(request, auth.SESSION_COOKIE))
    session_id = await run_in_threadpool(_start_session, ctx, result.user, client, old)
    response = see_other(context["next"])
    auth.set_session_cookie(request, response, session_id)
    auth.set_device_cookie(request, response, result.user.email)
    return response


def _start_session(ctx: HrContext, user: User, client: str, replaces: str | None) -> str:
    session_id, _ = ctx.accounts.start_session(user, client, replaces=replaces)  # audited there
    return session_id


@router.get("/abmelden")
def logout_page(request: Request, session: CurrentSession) -> Response:
    return render(request, "hr/logout.html", {})


@router.post("/abmelden")
async def logout(request: Request, session: CurrentSession) -> Response:
    await checked_form(request, session, max_files=0)
    await run_in_threadpool(_end_session, request)
    response = see_other("/hr/anmelden?hinweis=abgemeldet")
    auth.clear_session_cookie(request, response)
    return response


def _end_session(request: Request) -> None:
    session_id = request.cookies.get(auth.cookie_name(request, auth.SESSION_COOKIE), "")
    auth.hr(request).accounts.logout(session_id)  # audited there, in the same transaction


# -- overview ----------------------------------------------------------------------------------------------


@router.get("/")
def overview(request: Request, user: CurrentUser) -> Response:
    postings = auth.hr(request).postings
    own = postings.listing(scope_of(user), Origin.hr)
    crawled = postings.listing(scope_of(user), Origin.crawled)
    return render(request, "hr/overview.html", {"own": own, "crawled": crawled})


@router.post("/gefunden/{aktion}")
async def hide_crawled(request: Request, aktion: str, session: CurrentSession) -> Response:
    if aktion not in ("ausblenden", "einblenden"):
        raise PageError(404, NOT_FOUND)
    form = await checked_form(request, session, max_files=0)
    hidden = aktion == "ausblenden"
    await run_in_threadpool(_set_hidden, request, session.user, str(form.get("vacancy_id") or ""), hidden)
    return see_other(f"/hr/?hinweis={'ausgeblendet' if hidden else 'eingeblendet'}")


def _set_hidden(request: Request, user: User, vacancy_id: str, hidden: bool) -> None:
    vacancy = _own(request, user, vacancy_id, Origin.crawled)
    auth.hr(request).postings.set_hidden(vacancy.id, hidden, scope_of(user), user.actor)


# -- the editor --------------------------------------------------------------------------------------------


def _editor(request: Request, user: User, context: dict[str, Any], status: int = 200) -> Response:
    vacancy: Vacancy | None = context.get("vacancy")
    ctx = auth.hr(request)
    extras = ctx.postings.extras(vacancy.id) if vacancy else {}
    history = ctx.audit.entries(vacancy_id=vacancy.id, limit=50) if vacancy else []
    defaults: dict[str, Any] = {"errors": {}, "sections": forms.SECTIONS, "extras": extras,
                                "history": history, "field_labels": forms.FIELD_LABELS}  # fmt: skip
    defaults["max_mb"] = MAX_PDF_BYTES // (1024 * 1024)
    defaults["notes"] = {"description": forms.description_note(vacancy)}
    return render(request, "hr/editor.html", {**defaults, **context}, status)


@router.get("/stellen/neu")
def new_vacancy(request: Request, user: CurrentUser) -> Response:
    values = {"posting_type": "job", "remote": "none", "district": user.district or ""}
    return _editor(request, user, {"values": values, "vacancy": None})


@router.post("/stellen/neu")
async def create_vacancy(request: Request, session: CurrentSession) -> Response:
    form = await checked_form(request, session, max_files=0)
    return await run_in_threadpool(_create_vacancy, request, session.user, form)


def _create_vacancy(request: Request, user: User, form: FormData) -> Response:
    ctx = auth.hr(request)
    district = _district_of(user, form)
    values = {**forms.form_values(form), "district": district}
    errors: dict[str, str] = {}
    if district not in by_slug():
        errors["district"] = "Bitte einen Landkreis wählen"
    try:
        value = ctx.postings.parse(forms.form_to_data(form))
    except InvalidInput as exc:
        errors.update(forms.field_errors(exc.errors))
    if errors:
        return _editor(request, user, {"values": values, "vacancy": None, "errors": errors}, 422)
    vacancy = ctx.postings.create(value, district, user.actor)
    return see_other(f"/hr/stellen/{vacancy.id}?hinweis=gespeichert")


@router.get("/stellen/{vacancy_id}")
def edit_vacancy(request: Request, vacancy_id: str, user: CurrentUser) -> Response:
    vacancy = _own(request, user, vacancy_id)
    return _editor(request, user, {"values": forms.values_of(vacancy), "vacancy": vacancy})


@router.post("/stellen/{vacancy_id}")
async def update_vacancy(request: Request, vacancy_id: str, session: CurrentSession) -> Response:
    vacancy = await run_in_threadpool(_own, request, session.user, vacancy_id)
    form = await checked_form(request, session, max_files=0)
    return await run_in_threadpool(_update_vacancy, request, session.user, vacancy, form)


def _update_vacancy(request: Request, user: User, vacancy: Vacancy, form: FormData) -> Response:
    ctx = auth.hr(request)
    try:
        value = ctx.postings.parse(forms.form_to_data(form, vacancy.description))
    except InvalidInput as exc:
        context = {
            "values": forms.form_values(form),
            "vacancy": vacancy,
            "errors": forms.field_errors(exc.errors),
        }
        return _editor(request, user, context, 422)
    try:
        changed = ctx.postings.update(vacancy.id, value, scope_of(user), user.actor)
    except NotFound:  # removed or moved meanwhile
        raise PageError(404, NOT_FOUND) from None
    vacancy_id = vacancy.id
    return see_other(f"/hr/stellen/{vacancy_id}?hinweis={'gespeichert' if changed else 'unveraendert'}")


@router.get("/stellen/{vacancy_id}/vorschau")
def preview(request: Request, vacancy_id: str, user: CurrentUser) -> Response:
    """The public posting page itself (web.views.posting_view, posting.html), as it will look once
    published: one template for both, so the preview cannot drift from what job seekers see."""
    vacancy = _own(request, user, vacancy_id)
    label = forms.STATE_LABELS[vacancy.state.value]
    if vacancy.state != State.published:
        today = berlin_today(auth.hr(request).now())
        update = {"state": State.published, "date_posted": vacancy.date_posted or today}
        vacancy = vacancy.model_copy(update=update)
    board, base = request.app.state.board, request.app.state.settings.public_base_url
    context = {**views.posting_view(board, vacancy, base), "jsonld": None, "preview_state": label}
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(request, "hr/preview.html", context)
    response.headers["Cache-Control"] = "no-store"  # drafts: never cached
    return response


# -- the PDF attachment ------------------------------------------------------------------------------------


MAX_UPLOAD_BODY = MAX_PDF_BYTES + 64 * 1024  # the PDF and the form around it


class _BodyTooLarge(Exception):
    pass


def _capped(request: Request, limit: int) -> Request:
    """The request with a body that stops at `limit` bytes: a chunked upload has no Content-Length to
    refuse it by, and Starlette would spool all of it to a temporary file before the size check."""
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise _BodyTooLarge
        return message

    return Request(request.scope, receive)


@router.post("/stellen/{vacancy_id}/anhang")
async def upload(request: Request, vacancy_id: str, session: CurrentSession) -> Response:
    vacancy = await run_in_threadpool(_own, request, session.user, vacancy_id)
    too_large = "Die Datei ist größer als 10 MB."
    declared = request.headers.get("content-length", "")

    async def refuse(message: str, status: int = 422) -> Response:
        return await run_in_threadpool(_upload_error, request, session.user, vacancy, message, status)

    if declared.isdigit() and int(declared) > MAX_UPLOAD_BODY:  # refuse before reading the body
        return await refuse(too_large, 413)
    try:
        form = await checked_form(_capped(request, MAX_UPLOAD_BODY), session, max_files=1, max_fields=5)
    except _BodyTooLarge:
        return await refuse(too_large, 413)
    upload_file = form.get("attachment")
    if upload_file is None or isinstance(upload_file, str) or not upload_file.filename:
        return await refuse("Bitte eine PDF-Datei auswählen.")
    data = await upload_file.read(MAX_PDF_BYTES + 1)
    if len(data) > MAX_PDF_BYTES:
        return await refuse(too_large, 413)
    return await run_in_threadpool(_attach, request, session.user, vacancy, upload_file.filename, data)


def _attach(request: Request, user: User, vacancy: Vacancy, filename: str, data: bytes) -> Response:
    """PDF check (pypdf), file and transaction: blocking work, run in a thread."""
    try:
        auth.hr(request).postings.attach_pdf(vacancy.id, filename, data, scope_of(user), user.actor)
    except InvalidInput as exc:
        return _upload_error(request, user, vacancy, exc.errors["attachment"])
    return see_other(f"/hr/stellen/{vacancy.id}?hinweis=anhang")


def _upload_error(
    request: Request, user: User, vacancy: Vacancy, message: str, status: int = 422
) -> Response:
    context = {"values": forms.values_of(vacancy), "vacancy": vacancy, "errors": {"attachment": message}}
    return _editor(request, user, context, status)


@router.post("/stellen/{vacancy_id}/anhang-entfernen")
async def remove_upload(request: Request, vacancy_id: str, session: CurrentSession) -> Response:
    await run_in_threadpool(_own, request, session.user, vacancy_id)
    await checked_form(request, session, max_files=0)
    user = session.user
    await run_in_threadpool(auth.hr(request).postings.detach_pdf, vacancy_id, scope_of(user), user.actor)
    return see_other(f"/hr/stellen/{vacancy_id}?hinweis=anhang-entfernt")


ACTIONS = {
    "veroeffentlichen": "veroeffentlicht",
    "planen": "geplant",
    "zuruecknehmen": "zurueckgenommen",
    "zurueckziehen": "zurueckgezogen",
}


@router.post("/stellen/{vacancy_id}/{aktion}")
async def change_state(request: Request, vacancy_id: str, aktion: str, session: CurrentSession) -> Response:
    if aktion not in ACTIONS:
        raise PageError(404, NOT_FOUND)
    vacancy = await run_in_threadpool(_own, request, session.user, vacancy_id)
    form = await checked_form(request, session, max_files=0)
    return await run_in_threadpool(_change_state, request, session.user, vacancy, aktion, form)


def _change_state(request: Request, user: User, vacancy: Vacancy, aktion: str, form: FormData) -> Response:
    postings, vacancy_id = auth.hr(request).postings, vacancy.id
    try:
        if aktion == "veroeffentlichen":
            postings.publish(vacancy_id, scope_of(user), user.actor)
        elif aktion == "planen":
            postings.schedule(
                vacancy_id, _berlin_time(str(form.get("publish_at") or "")), scope_of(user), user.actor
            )
        elif aktion == "zuruecknehmen":
            postings.set_state(vacancy_id, State.draft, scope_of(user), user.actor, "unpublish")
        else:
            postings.set_state(vacancy_id, State.withdrawn, scope_of(user), user.actor, "withdraw")
    except InvalidInput as exc:
        context = {"values": forms.values_of(vacancy), "vacancy": vacancy, "errors": exc.errors}
        return _editor(request, user, context, 422)
    return see_other(f"/hr/stellen/{vacancy_id}?hinweis={ACTIONS[aktion]}")


def _berlin_time(text: str) -> datetime:
    """A datetime-local value (Berlin wall clock) → aware datetime."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput({"publish_at": "Bitte Datum und Uhrzeit der Veröffentlichung angeben"}) from None
    return moment.replace(tzinfo=BERLIN) if moment.tzinfo is None else moment


@router.get("/dokumente/{attachment_id}.pdf")
def document(request: Request, attachment_id: str) -> Response:
    """The PDF of a posting: public once the posting is; before that only for its district's HR."""
    ctx = auth.hr(request)
    found = ctx.postings.attachment(attachment_id)
    if found is None:
        raise PageError(404, NOT_FOUND)
    path, name, vacancy = found
    public = vacancy.state == State.published and not ctx.postings.is_hidden(vacancy.id)
    session = auth.current_session(request)
    if not public and (session is None or not session.user.may_access(vacancy.district)):
        raise PageError(404, NOT_FOUND)
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; sandbox",
        "Cache-Control": "public, max-age=300" if public else "private, no-store",
    }
    return FileResponse(
        path,
        media_type="application/pdf",
        filename=name,
        content_disposition_type="attachment",
        headers=headers,
    )


# -- API tokens --------------------------------------------------------------------------------------------


def _tokens_page(request: Request, user: User, context: dict[str, Any], status: int = 200) -> Response:
    tokens = auth.hr(request).accounts.list_tokens(scope_of(user))
    return render(request, "hr/tokens.html", {"tokens": tokens, "errors": {}, **context}, status)


@router.get("/zugaenge")
def tokens(request: Request, user: CurrentUser) -> Response:
    return _tokens_page(request, user, {})


@router.post("/zugaenge")
async def create_token(request: Request, session: CurrentSession) -> Response:
    form = await checked_form(request, session, max_files=0)
    return await run_in_threadpool(_create_token, request, session.user, form)


def _create_token(request: Request, user: User, form: FormData) -> Response:
    ctx = auth.hr(request)
    district = _district_of(user, form)
    name = str(form.get("name") or "")
    try:
        token, secret = ctx.accounts.create_token(district, name, user.actor)
    except AccountError as exc:
        return _tokens_page(request, user, {"errors": {"district": str(exc)}}, 422)
    return _tokens_page(request, user, {"created": token, "secret": secret})


@router.post("/zugaenge/{token_id}/widerrufen")
async def revoke_token(request: Request, token_id: str, session: CurrentSession) -> Response:
    number = _token_number(token_id)
    await checked_form(request, session, max_files=0)
    await run_in_threadpool(_revoke_token, request, session.user, number)
    return see_other("/hr/zugaenge?hinweis=widerrufen")


def _token_number(token_id: str) -> int:
    """A token id from the URL; anything but a number SQLite can hold (int64) names no token: 404.
    (A 30-digit id overflowed SQLite's integer binding: a 500.)"""
    if not re.fullmatch(r"[1-9][0-9]{0,18}", token_id) or int(token_id) > MAX_SQL_INT:
        raise PageError(404, NOT_FOUND)
    return int(token_id)


def _revoke_token(request: Request, user: User, token_id: int) -> None:
    if auth.hr(request).accounts.revoke_token(token_id, scope_of(user), actor=user.actor) is None:
        raise PageError(404, NOT_FOUND)


# -- audit log ---------------------------------------------------------------------------------------------


@router.get("/protokoll")
def audit_log(request: Request, user: CurrentUser) -> Response:
    hr = auth.hr(request)
    entries = hr.audit.entries(district=scope_of(user), limit=500)
    # Clerks know their postings by title, not by id (an id stays as a hint for deleted postings).
    found = hr.board.store.get_many({e.vacancy_id for e in entries if e.vacancy_id})
    titles = {vacancy_id: vacancy.title for vacancy_id, vacancy in found.items()}
    return render(request, "hr/audit.html", {"entries": entries, "titles": titles})


def login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = "/hr/"
    return see_other(f"/hr/anmelden?weiter={quote(_safe_next(target), safe='/')}")


def error_page(request: Request, exc: PageError) -> Response:
    return render(request, "hr/error.html", {"message": exc.message, "status": exc.status}, exc.status)
