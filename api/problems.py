"""Errors as application/problem+json (RFC 9457), with German messages a person understands."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.schemas import PROBLEM_SCHEMA
from vacancies import messages
from vacancies.search.contract import IndexUnavailable
from vacancies.search.filters import FilterError

log = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"
TITLES = {
    400: "Ungültige Anfrage",
    401: "Anmeldung erforderlich",
    403: "Keine Berechtigung",
    404: "Nicht gefunden",
    405: "Methode nicht erlaubt",
    413: "Zu groß",
    422: "Ungültige Angaben",
    429: "Zu viele Anfragen",
    500: "Interner Fehler",
    503: "Vorübergehend nicht verfügbar",
}
UNEXPECTED = "Ein unerwarteter Fehler ist aufgetreten. Bitte versuchen Sie es später noch einmal."
INDEX_DOWN = "Die Suche ist gerade nicht erreichbar. Bitte versuchen Sie es in einer Minute erneut."
RETRY_AFTER_SECONDS = 30


class ProblemError(Exception):
    """Raise from a route to answer with a problem document; `errors` names fields."""

    def __init__(self, status: int, detail: str, errors: list[dict] | None = None):
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors or []


def problem(status: int, detail: str, errors: list[dict] | None = None, instance: str = "") -> JSONResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "Fehler"), "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE)


def field_errors(exc: RequestValidationError) -> list[dict]:
    return messages.field_errors(exc.errors())


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _default_detail(status: int, request: Request) -> str:
    if status == 404:
        return f"Unter „{request.url.path}“ gibt es nichts."
    if status == 405:
        return f"Die Methode {request.method} ist hier nicht erlaubt."
    return TITLES.get(status, "Fehler")


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = field_errors(exc)
        return problem(422, messages.joined(errors), errors, request.url.path)

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError):
        return problem(exc.status, exc.detail, exc.errors, request.url.path)

    @app.exception_handler(FilterError)
    async def _filters(request: Request, exc: FilterError):
        return problem(422, messages.joined(exc.errors), exc.errors, request.url.path)

    @app.exception_handler(IndexUnavailable)
    async def _index_down(request: Request, exc: IndexUnavailable):
        # The store is fine, only the search index is away: tell clients to come back, not that we broke.
        log.warning("Suchindex nicht erreichbar bei %s: %s", request.url.path, exc)
        response = problem(503, INDEX_DOWN, instance=request.url.path)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Fehler")
        if detail == _phrase(exc.status_code):  # Starlette's English default ("Method Not Allowed")
            detail = _default_detail(exc.status_code, request)
        response = problem(exc.status_code, detail, instance=request.url.path)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response


# -- OpenAPI documentation of problem responses --------------------------------------------------------

_PROBLEM_EXAMPLES: dict[int, dict[str, Any]] = {
    404: {
        "detail": "Die Stelle „gibt-es-nicht“ gibt es nicht.",
        "instance": "/api/v1/vacancies/gibt-es-nicht",
    },
    405: {"detail": "Methode nicht erlaubt", "instance": "/api/v1/vacancies"},
    422: {
        "detail": "per_page: darf höchstens 100 sein",
        "instance": "/api/v1/vacancies",
        "errors": [{"field": "per_page", "message": "darf höchstens 100 sein"}],
    },
    500: {"detail": "Ein unerwarteter Fehler ist aufgetreten.", "instance": "/api/v1/vacancies"},
}


def problem_responses(descriptions: dict[int, str]) -> dict[int | str, dict]:
    """OpenAPI `responses` for problem documents: problem_responses({404: "Unbekannte Stelle"})."""
    responses: dict[int | str, dict] = {}
    for status, description in descriptions.items():
        example: dict[str, Any] = {
            "type": "about:blank",
            "title": TITLES.get(status, "Fehler"),
            "status": status,
        }
        example.update(_PROBLEM_EXAMPLES.get(status, {"detail": description}))
        responses[status] = {
            "description": description,
            "content": {PROBLEM_TYPE: {"schema": PROBLEM_SCHEMA, "example": example}},
        }
    return responses
