"""HR API for applicant-tracking systems: create-or-update, withdraw and read a district's own postings.

A token belongs to one district; the posting id is `hr-<district>-<external_id>`. Another district's
posting answers 404 like a missing one.

Bodies are read incrementally and refused past 1 MB (413), past 64 levels of nesting or with numbers of
more than 20 digits (422), all as German problem+json. Handlers that touch the store are plain `def`
(run in the thread pool); PUT must read its body on the event loop, then hands the work to a thread, so a
slow store or search index never holds other requests.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from api.hr.auth import CurrentToken, HrDep
from api.hr.context import HrContext
from api.problems import ProblemError, problem_responses
from api.schemas import HR_VACANCY_INPUT_SCHEMA, HrVacancy, HrVacancyList
from vacancies import jsonlimits
from vacancies.accounts import ApiToken
from vacancies.hr_postings import EXTERNAL_ID_RE, HrPostings, InvalidInput, NotFound, external_id_of
from vacancies.model import Origin, State, Vacancy

router = APIRouter(prefix="/api/v1/hr", tags=["HR (Bewerbermanagement)"])

ExternalId = Path(
    description="Ihre eigene Kennung der Stelle (Buchstaben, Ziffern, . _ -; höchstens 80 Zeichen)",
    max_length=80,
)
EXAMPLE = {
    "title": "Sachbearbeiter (m/w/d) Kämmerei",
    "department": "Kämmerei",
    "description": "<p>Wir suchen …</p>",
    "working_time": ["full_time", "part_time"],
    "pay_scale": "TVöD",
    "pay_grade_min": "EG 9a",
    "location": {"postal_code": "63897", "city": "Miltenberg"},
    "deadline": "2030-01-31",
    "apply_url": "https://karriere.example/4711",
    "state": "published",
}
BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": HR_VACANCY_INPUT_SCHEMA, "example": EXAMPLE}},
        "description": "Felder wie im Stellen-Datensatz; `state` published "
        "oder draft, optional `publish_at` für eine geplante Veröffentlichung: ohne `state` plant ein "
        "künftiger `publish_at` die Veröffentlichung (bis dahin Entwurf); `state` published mit künftigem "
        "`publish_at` ist ein Widerspruch (422). `description`: HTML (nur erlaubte Tags bleiben) oder Text "
        "ohne Tags in der Schreibweise des Editors (Leerzeile: neuer Absatz, „- “: Aufzählung, „1. “: "
        "nummerierte Liste).",
    }
}
AUTH_RESPONSES = problem_responses({401: "Kein oder ungültiger Zugangsschlüssel"})
OWN_RESPONSES = problem_responses(
    {
        401: "Kein oder ungültiger Zugangsschlüssel",
        404: "Keine Stelle dieses Landkreises mit dieser Kennung",
        422: "Ungültige Kennung",
    }
)


def _public(vacancy: Vacancy, postings: HrPostings) -> HrVacancy:
    data = vacancy.model_dump(mode="json")
    data["external_id"] = external_id_of(vacancy)
    data["hidden"] = postings.is_hidden(vacancy.id)
    publish_at = postings.extras(vacancy.id).get("publish_at")
    data["publish_at"] = publish_at.isoformat() if publish_at else None
    return HrVacancy.model_validate(data)


def _vacancy_id(token: ApiToken, external_id: str) -> str:
    if not EXTERNAL_ID_RE.match(external_id):
        raise ProblemError(
            422,
            "external_id: nur Buchstaben, Ziffern, Punkt, Unterstrich und Bindestrich (höchstens 80 Zeichen)",
            [{"field": "external_id", "message": "nur Buchstaben, Ziffern, . _ - (höchstens 80 Zeichen)"}],
        )
    return f"hr-{token.district}-{external_id}"


def _own(postings: HrPostings, token: ApiToken, vacancy_id: str) -> Vacancy:
    try:
        return postings.get(vacancy_id, token.district)
    except NotFound:
        raise ProblemError(404, "Diese Stelle gibt es nicht.") from None


def _invalid(exc: InvalidInput) -> ProblemError:
    errors = [{"field": field, "message": message} for field, message in exc.errors.items()]
    return ProblemError(422, "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors)


MAX_BODY_BYTES = 1024 * 1024  # a posting with a long description is ~100 kB


async def _body(request: Request) -> dict[str, Any]:
    """The request's JSON object, read incrementally up to MAX_BODY_BYTES (413 beyond), with limits on
    nesting and number size (422 beyond, vacancies.jsonlimits)."""
    raw = await _read_capped(request, MAX_BODY_BYTES)
    try:
        data = jsonlimits.loads(raw)
    except jsonlimits.JsonRefused as exc:
        raise ProblemError(422, f"Ungültiger Inhalt: {exc}.", [{"field": "", "message": str(exc)}]) from None
    if not isinstance(data, dict):
        raise ProblemError(422, "Erwartet ein JSON-Objekt.", [{"field": "", "message": "kein Objekt"}])
    return data


async def _read_capped(request: Request, limit: int) -> bytes:
    too_large = ProblemError(
        413, f"Der Inhalt ist größer als {limit // (1024 * 1024)} MB; eine Stelle braucht weit weniger."
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:  # refused before a byte is read
        raise too_large
    chunks, received = [], 0
    async for chunk in request.stream():  # chunked bodies have no Content-Length: count as they come
        received += len(chunk)
        if received > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


@router.get("/vacancies", summary="Eigene Stellen auflisten", responses=AUTH_RESPONSES)
def list_own(token: CurrentToken, ctx: HrDep) -> HrVacancyList:
    items = [_public(item.vacancy, ctx.postings) for item in ctx.postings.listing(token.district, Origin.hr)]
    return HrVacancyList(district=token.district, total=len(items), items=items)


@router.get("/vacancies/{external_id}", summary="Eine eigene Stelle", responses=OWN_RESPONSES)
def get_own(token: CurrentToken, ctx: HrDep, external_id: str = ExternalId) -> HrVacancy:
    vacancy = _own(ctx.postings, token, _vacancy_id(token, external_id))
    return _public(vacancy, ctx.postings)


@router.put(
    "/vacancies/{external_id}",
    summary="Stelle anlegen oder ändern (idempotent)",
    openapi_extra=BODY_DOC,
    responses={
        200: {"description": "Geändert (oder unverändert)"},
        201: {"model": HrVacancy, "description": "Neu angelegt"},
        **problem_responses(
            {
                401: "Kein oder ungültiger Zugangsschlüssel",
                404: "Die Kennung gehört zu einer Stelle eines anderen Landkreises",
                413: "Inhalt größer als 1 MB",
                422: "Ungültige Angaben",
            }
        ),
    },
)
async def put_own(
    request: Request, response: Response, token: CurrentToken, ctx: HrDep, external_id: str = ExternalId
) -> HrVacancy:
    vacancy_id = _vacancy_id(token, external_id)
    data = await _body(request)  # only the body is read on the event loop; the store work runs in a thread
    created, public = await run_in_threadpool(_put, ctx, token, vacancy_id, data)
    if created:
        response.status_code = 201
    return public


def _put(ctx: HrContext, token: ApiToken, vacancy_id: str, data: dict[str, Any]) -> tuple[bool, HrVacancy]:
    """Validate, then create or update the posting and set its state in one transaction."""
    try:
        value = ctx.postings.parse(data)
        created = ctx.postings.put(vacancy_id, value, token.district, token.actor)
    except InvalidInput as exc:
        raise _invalid(exc) from None
    except NotFound:  # an id clash with another district's posting answers like a missing one
        raise ProblemError(404, "Diese Stelle gibt es nicht.") from None
    return created, _public(_own(ctx.postings, token, vacancy_id), ctx.postings)


@router.delete(
    "/vacancies/{external_id}", summary="Stelle zurückziehen", status_code=204, responses=OWN_RESPONSES
)
def withdraw_own(token: CurrentToken, ctx: HrDep, external_id: str = ExternalId) -> Response:
    vacancy = _own(ctx.postings, token, _vacancy_id(token, external_id))
    if vacancy.state != State.withdrawn:
        ctx.postings.set_state(vacancy.id, State.withdrawn, token.district, token.actor, "withdraw")
    return Response(status_code=204)
