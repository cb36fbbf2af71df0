"""POST /api/v1/alerts (issue 18, item 1): 202 and a confirmation mail at a real SMTP server, German
problem+json for bad input, no second alert for the same search, 429 past the per-client limit."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.web.alerts.conftest import link_in
from vacancies.schema import alerts_table

PROBLEM = "application/problem+json"


def alerts_of(board, email: str) -> list[dict]:
    with board.store.engine.connect() as conn:
        rows = conn.execute(select(alerts_table).where(alerts_table.c.email_key == email.lower()))
        return [dict(row._mapping) for row in rows]


def test_subscribe_answers_202_and_mails_a_confirmation_link(client, alert_board, mailbox, unique_email):
    body = {"email": unique_email, "query": {"q": "Sachbearbeiter", "working_time": ["part_time"]},
            "frequency": "weekly"}  # fmt: skip
    response = client.post("/api/v1/alerts", json=body)
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    [mail] = mailbox.wait_for(unique_email)
    assert link_in(mail, "/suchauftrag/bestaetigen").startswith("https://stellen.example/")
    [alert] = alerts_of(alert_board, unique_email)
    assert json.loads(alert["params"]) == {"q": ["Sachbearbeiter"], "working_time": ["part_time"]}
    assert alert["frequency"] == "weekly" and alert["confirmed_at"] is None


def test_paging_and_order_are_not_part_of_the_alert(client, alert_board, unique_email):
    query = {"q": "Erzieher", "page": 2, "per_page": 5, "sort": "newest", "fixed_term": False}
    response = client.post("/api/v1/alerts", json={"email": unique_email, "query": query})
    assert response.status_code == 202
    [alert] = alerts_of(alert_board, unique_email)
    assert json.loads(alert["params"]) == {"q": ["Erzieher"], "fixed_term": ["false"]}
    assert alert["frequency"] == "daily"


def test_the_same_search_again_makes_no_second_alert_and_no_second_mail(
    client, alert_board, mailbox, unique_email
):
    body = {"email": unique_email, "query": {"q": "Verwaltung"}, "frequency": "daily"}
    assert client.post("/api/v1/alerts", json=body).status_code == 202
    mailbox.wait_for(unique_email)
    same = {**body, "email": unique_email.upper()}  # the same address, written otherwise
    assert client.post("/api/v1/alerts", json=same).status_code == 202
    assert len(alerts_of(alert_board, unique_email)) == 1
    assert len(mailbox.to(unique_email)) == 1


def problem_of(response, status: int = 422) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return response.json()


def test_an_invalid_address_is_a_german_422(client, alert_board):
    body = problem_of(client.post("/api/v1/alerts", json={"email": "keine-adresse", "query": {}}))
    assert body["errors"][0]["field"] == "email"
    assert "E-Mail-Adresse" in body["detail"]
    assert alerts_of(alert_board, "keine-adresse") == []


def test_a_query_the_search_refuses_is_refused_here_too(client, unique_email):
    query = {"near": "Atlantis", "pay_grade_min": "Z99", "radius_km": 0, "farbe": "blau", "q": {"x": 1}}
    body = problem_of(client.post("/api/v1/alerts", json={"email": unique_email, "query": query}))
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert fields == {
        "query.farbe": "ist kein Parameter der Suche",
        "query.q": "muss ein Text, eine Zahl, true/false oder eine Liste davon sein",
    }
    query.pop("farbe"), query.pop("q")
    body = problem_of(client.post("/api/v1/alerts", json={"email": unique_email, "query": query}))
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert fields["query.near"] == "„Atlantis“ ist nicht bekannt"
    assert "Entgelt- oder Besoldungsgruppe" in fields["query.pay_grade_min"]
    assert fields["query.radius_km"] == "muss größer als 0 sein"


def test_a_bad_frequency_or_a_missing_address_is_a_german_422(client, unique_email):
    body = problem_of(client.post("/api/v1/alerts", json={"email": unique_email, "frequency": "stündlich"}))
    assert body["errors"] == [{"field": "frequency", "message": "erlaubt sind: 'daily' oder 'weekly'"}]
    body = problem_of(client.post("/api/v1/alerts", json={"query": {}, "extra": 1}))
    assert {e["field"]: e["message"] for e in body["errors"]} == {
        "email": "fehlt",
        "extra": "ist hier nicht vorgesehen",
    }


def test_json_posted_as_plain_text_is_refused(client, alert_board, unique_email):
    """A foreign page's form can post text/plain without asking; the API reads only application/json."""
    payload = json.dumps({"email": unique_email, "query": {}})
    response = client.post("/api/v1/alerts", content=payload, headers={"Content-Type": "text/plain"})
    assert response.status_code == 422
    assert alerts_of(alert_board, unique_email) == []


def test_too_many_subscriptions_from_one_client_is_429_with_retry_after(client, mailbox):
    """alert_mails_per_client_hour is 3 in these tests; the fourth address from one client is refused."""
    answers = []
    for n in range(4):
        body = {"email": f"flut{n}-{id(client)}@example.de", "query": {"q": f"Stelle{n}"}}
        answers.append(client.post("/api/v1/alerts", json=body))
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    problem = problem_of(answers[-1], 429)
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert problem["title"] == "Zu viele Anfragen" and problem["detail"]
    assert mailbox.to(f"flut3-{id(client)}@example.de") == []


def test_the_endpoint_is_documented(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/alerts"]["post"]
    assert set(operation["responses"]) >= {"202", "422", "429"}
    assert operation["tags"] == ["Suchaufträge"]


def test_bad_input_stores_nothing(client, alert_board):
    with alert_board.store.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(alerts_table)).scalar_one()
    client.post("/api/v1/alerts", json={"email": "x", "query": {"near": "Atlantis"}})
    with alert_board.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(alerts_table)).scalar_one() == before


@pytest.mark.parametrize(
    "payload",
    [
        "null",
        "[]",
        "42",
        '"text"',
        "{",
        '{"email": null, "query": null}',
        '{"email": ["a@b.de"], "query": []}',
        '{"email": "a@b.de", "query": {"q": null}}',
        '{"email": "a@b.de", "query": {"district": [["x"]]}}',
        '{"email": "a@b.de", "query": {"q": "' + "x" * 5000 + '"}}',
        '{"email": "' + "a" * 300 + '@b.de", "query": {}}',
        '{"email": "a@b.de", "query": {"career_level": [9, "x"], "radius_km": "nan"}}',
        '{"email": "a@b.de\\r\\nBcc: opfer@example.de", "query": {}}',
        '{"email": "a@b.de", "query": {}, "frequency": ["daily"]}',
    ],
)
def test_odd_bodies_are_a_german_422_never_a_500(client, alert_board, payload):
    response = client.post("/api/v1/alerts", content=payload, headers={"Content-Type": "application/json"})
    body = problem_of(response)
    assert body["detail"] and body["status"] == 422
    with alert_board.store.engine.connect() as conn:
        found = conn.execute(select(alerts_table.c.email).where(alerts_table.c.email.like("%opfer%"))).all()
    assert found == []
