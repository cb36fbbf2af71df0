"""HR API for applicant-tracking systems: create-or-update, withdraw and read a district's own postings.

A token belongs to one district; the posting id is `hr-<district>-<external_id>`. Another district's
posting answers 404 like a missing one.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Path, Request, Response

from api.hr.auth import CurrentToken, HrDep
from api.problems import ProblemError
from vacancies.accounts import ApiToken
from vacancies.hr_postings import (
    EXTERNAL_ID_RE,
    HrPostings,
    InvalidInput,
    NotFound,
    VacancyInput,
    external_id_of,
)
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
        "content": {"application/json": {"schema": {"type": "object"}, "example": EXAMPLE}},
        "description": "Felder wie im Stellen-Datensatz (siehe `VacancyInput`); `state` published "
        "oder draft, optional `publish_at` für eine geplante Veröffentlichung.",
    }
}
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Kein oder ungültiger Zugangsschlüssel (application/problem+json)"},
    404: {"description": "Keine Stelle dieses Landkreises mit dieser Kennung"},
}


def _public(vacancy: Vacancy, postings: HrPostings) -> dict[str, Any]:
    data = vacancy.model_dump(mode="json")
    data["external_id"] = external_id_of(vacancy)
    data["hidden"] = postings.is_hidden(vacancy.id)
    publish_at = postings.extras(vacancy.id).get("publish_at")
    data["publish_at"] = publish_at.isoformat() if publish_at else None
    return data


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


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ProblemError(
            422, "Der Inhalt ist kein gültiges JSON.", [{"field": "", "message": "kein JSON"}]
        ) from None
    if not isinstance(data, dict):
        raise ProblemError(422, "Erwartet ein JSON-Objekt.", [{"field": "", "message": "kein Objekt"}])
    return data


@router.get("/vacancies", summary="Eigene Stellen auflisten", responses=AUTH_RESPONSES)
def list_own(token: CurrentToken, ctx: HrDep) -> dict[str, Any]:
    items = [_public(item.vacancy, ctx.postings) for item in ctx.postings.listing(token.district, Origin.hr)]
    return {"district": token.district, "total": len(items), "items": items}


@router.get("/vacancies/{external_id}", summary="Eine eigene Stelle", responses=AUTH_RESPONSES)
def get_own(token: CurrentToken, ctx: HrDep, external_id: str = ExternalId) -> dict[str, Any]:
    vacancy = _own(ctx.postings, token, _vacancy_id(token, external_id))
    return _public(vacancy, ctx.postings)


@router.put(
    "/vacancies/{external_id}",
    summary="Stelle anlegen oder ändern (idempotent)",
    openapi_extra=BODY_DOC,
    responses={
        **AUTH_RESPONSES,
        201: {"description": "Neu angelegt"},
        422: {"description": "Ungültige Angaben"},
    },
)
async def put_own(
    request: Request, response: Response, token: CurrentToken, ctx: HrDep, external_id: str = ExternalId
) -> dict[str, Any]:
    vacancy_id = _vacancy_id(token, external_id)
    try:
        value = ctx.postings.parse(await _body(request))
    except InvalidInput as exc:
        raise _invalid(exc) from None
    existing = ctx.board.get(vacancy_id)
    if existing is not None and existing.district != token.district:
        raise ProblemError(404, "Diese Stelle gibt es nicht.")  # an id clash with another district's posting
    try:
        if existing is None:
            ctx.postings.create(value, token.district, token.actor, vacancy_id)
            response.status_code = 201
        else:
            ctx.postings.update(vacancy_id, value, token.district, token.actor)
        _apply_state(ctx.postings, vacancy_id, value, token)
    except InvalidInput as exc:
        raise _invalid(exc) from None
    return _public(_own(ctx.postings, token, vacancy_id), ctx.postings)


def _apply_state(postings: HrPostings, vacancy_id: str, value: VacancyInput, token: ApiToken) -> None:
    current = postings.get(vacancy_id, token.district).state
    if value.state == "published" and current != State.published:
        postings.publish(vacancy_id, token.district, token.actor)
    elif value.state == "draft" and value.publish_at is not None:
        postings.schedule(vacancy_id, value.publish_at, token.district, token.actor)
    elif value.state == "draft" and current == State.published:
        postings.set_state(vacancy_id, State.draft, token.district, token.actor, "unpublish")


@router.delete(
    "/vacancies/{external_id}", summary="Stelle zurückziehen", status_code=204, responses=AUTH_RESPONSES
)
def withdraw_own(token: CurrentToken, ctx: HrDep, external_id: str = ExternalId) -> Response:
    vacancy = _own(ctx.postings, token, _vacancy_id(token, external_id))
    if vacancy.state != State.withdrawn:
        ctx.postings.set_state(vacancy.id, State.withdrawn, token.district, token.actor, "withdraw")
    return Response(status_code=204)
