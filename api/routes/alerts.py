"""Suchaufträge (job alerts by e-mail) through the JSON API: subscribe to any search (issue 18, item 1).

Only subscribing is here: confirming, managing and leaving go through the signed links of the mails
(web/alert_pages.py). The answer is the same 202 whether the address is new, already subscribed to this
search or already confirmed; only the rate limit (429) says that the address got a mail within a day.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api import client
from api.deps import AlertsDep, BoardDep, SettingsDep
from api.problems import ProblemError, problem, problem_responses
from api.schemas import AlertAccepted
from vacancies.alerts import AlertError, AlertRateLimited, kept_params
from vacancies.search.filters import SearchParameters, applied_pairs, check
from vacancies.service import Board

router = APIRouter(prefix="/api/v1", tags=["Suchaufträge"])
RATE_LIMIT_RETRY_SECONDS = 3600  # the per-client limit counts per hour; AlertRateLimited names no time
ACCEPTED = (
    "Wenn die Adresse gültig ist, erhält sie eine E-Mail mit einem Bestätigungslink (48 Stunden gültig). "
    "Erst nach der Bestätigung kommen Benachrichtigungen."
)
SCALARS = (str, int, float, bool)
NOT_A_PARAMETER = "ist kein Parameter der Suche"
NOT_A_VALUE = "muss ein Text, eine Zahl, true/false oder eine Liste davon sein"


class AlertCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "email": "erika.mustermann@example.de",
                "query": {"q": "Sachbearbeitung", "working_time": ["part_time"], "near": "Freising"},
                "frequency": "weekly",
            }
        },
    )

    email: str = Field(max_length=254, description="Empfängeradresse")
    query: dict[str, Any] = Field(
        default_factory=dict,
        description='Die Suchparameter wie bei `GET /api/v1/vacancies`, z. B. `{"q": "Verwaltung", '
        '"district": ["miltenberg"]}`; `page`, `per_page` und `sort` ändern nicht, welche neuen '
        "Stellen passen, und werden nicht gespeichert.",
    )
    frequency: Literal["daily", "weekly"] = Field("daily", description="`daily` oder `weekly`")


@router.post(
    "/alerts",
    status_code=202,
    summary="Suchauftrag per E-Mail anlegen",
    description="Legt für eine Suche einen Suchauftrag an und schickt der Adresse eine Bestätigungsmail "
    "(Double-Opt-in; der Link gilt 48 Stunden, unbestätigte Suchaufträge werden danach gelöscht). Nach der "
    "Bestätigung kommen neue passende Stellen täglich oder wöchentlich per E-Mail. Dieselbe Adresse mit "
    "derselben Suche ergibt keinen zweiten Suchauftrag; an eine Adresse geht höchstens eine "
    "Bestätigungsmail in 24 Stunden, und je Client sind nur wenige pro Stunde möglich (sonst 429).",
    response_model=AlertAccepted,
    responses={
        202: {"content": {"application/json": {"example": {"status": "pending", "detail": ACCEPTED}}}},
        **problem_responses({422: "Ungültige Adresse, Suche oder Häufigkeit", 429: "Zu viele Anmeldungen"}),
    },
)
async def create_alert(
    body: AlertCreate, request: Request, alerts: AlertsDep, board: BoardDep, settings: SettingsDep,
    background: BackgroundTasks,
) -> JSONResponse:  # fmt: skip
    params = await run_in_threadpool(alert_params, body.query, board)
    address = client.client_address(request, settings)
    try:
        await run_in_threadpool(alerts.subscribe, body.email, params, body.frequency, address)
    except AlertRateLimited as exc:
        response = problem(429, exc.message, [{"field": exc.field, "message": exc.message}], request.url.path)
        response.headers["Retry-After"] = str(RATE_LIMIT_RETRY_SECONDS)
        return response
    except AlertError as exc:
        errors = [{"field": exc.field, "message": exc.message}]
        raise ProblemError(422, f"{exc.field}: {exc.message}", errors) from None
    background.add_task(alerts.deliver)  # the mail leaves after the answer (in the thread pool)
    return JSONResponse({"status": "pending", "detail": ACCEPTED}, status_code=202)


def alert_params(query: dict[str, Any], board: Board) -> dict[str, list[str]]:
    """The query checked as the search checks it (ProblemError 422 naming `query.<parameter>`), kept as
    the search applies it, without paging and order."""
    known = search_parameter_names()
    errors = [{"field": f"query.{name}", "message": NOT_A_PARAMETER} for name in query if name not in known]
    errors += [{"field": f"query.{name}", "message": NOT_A_VALUE} for name, value in query.items()
               if not all(isinstance(v, SCALARS) for v in _listed(value))]  # fmt: skip
    if errors:
        raise ProblemError(422, _detail(errors), errors)
    pairs = [(name, _text(value)) for name, values in query.items() for value in _listed(values)]
    pairs = [(name, value) for name, value in pairs if value.strip()]  # empty fields count as not given
    checked = check(pairs, board.gazetteer)
    if checked.errors:
        errors = [
            {"field": f"query.{e.get('field') or 'q'}", "message": e["message"]} for e in checked.errors
        ]
        raise ProblemError(422, _detail(errors), errors)
    return kept_params(applied_pairs(pairs, checked.filters))


def search_parameter_names() -> set[str]:
    """The names `GET /api/v1/vacancies` takes (the domain's search-parameter model)."""
    return set(SearchParameters.model_fields)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _detail(errors: list[dict]) -> str:
    return "; ".join(f"{e['field']}: {e['message']}" for e in errors)
