"""Small things HR users noticed (issue 16, item 14): German dates in the API, titles in the audit log."""

from __future__ import annotations

from datetime import date

from tests.hr.conftest import DISTRICT_A, vacancy_body


def _token(portal) -> dict[str, str]:
    return {"Authorization": f"Bearer {portal.hr.accounts.create_token(DISTRICT_A, 'ATS', 'test')[1]}"}


def test_api_takes_the_german_date_its_message_offers(portal):
    client = portal.client()
    body = vacancy_body(deadline="31.01.2099", start_date="1.3.2099")
    answer = client.put("/api/v1/hr/vacancies/de-1", json=body, headers=_token(portal))
    assert answer.status_code == 201, answer.text
    stored = portal.board.get(answer.json()["id"])
    assert (stored.deadline, stored.start_date) == (date(2099, 1, 31), date(2099, 3, 1))


def test_an_impossible_german_date_is_still_refused_in_german(portal):
    answer = portal.client().put(
        "/api/v1/hr/vacancies/de-2", json=vacancy_body(deadline="31.02.2099"), headers=_token(portal)
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "deadline", "message": "ist kein gültiges Datum (TT.MM.JJJJ oder JJJJ-MM-TT)"}
    ]


def test_audit_log_names_postings_by_title_and_districts_by_name(portal):
    client = portal.client()
    answer = client.put("/api/v1/hr/vacancies/t-1", json=vacancy_body(), headers=_token(portal))
    vacancy_id = answer.json()["id"]
    own = portal.client("own").get("/hr/protokoll").text
    assert f'<a href="/hr/stellen/{vacancy_id}">Sachbearbeiter (m/w/d) Kämmerei</a>' in own
    admin = portal.client("admin").get("/hr/protokoll").text
    assert "<td>Miltenberg</td>" in admin and "<td>miltenberg</td>" not in admin
