"""HR API for applicant-tracking systems: bearer tokens, scope, idempotent PUT, DELETE, 401 and 422."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

import httpx2
import pytest

from tests.hr.conftest import DISTRICT_A, DISTRICT_B, build_portal, vacancy_body
from tests.support import served
from vacancies.model import State


@pytest.fixture
def api(portal):
    token_a = portal.hr.accounts.create_token(DISTRICT_A, "ATS A", "test")[1]
    token_b = portal.hr.accounts.create_token(DISTRICT_B, "ATS B", "test")[1]
    client = portal.client()
    return portal, client, {"Authorization": f"Bearer {token_a}"}, {"Authorization": f"Bearer {token_b}"}


def _public_ids(client, q: str) -> set[str]:
    return {item["id"] for item in client.get("/api/v1/vacancies", params={"q": q}).json()["items"]}


def test_put_creates_publishes_and_is_idempotent(api):
    portal, client, a, _ = api
    first = client.put("/api/v1/hr/vacancies/ATS-4711", json=vacancy_body(), headers=a)
    assert first.status_code == 201
    body = first.json()
    assert body["id"] == "hr-miltenberg-ATS-4711" and body["external_id"] == "ATS-4711"
    assert body["state"] == "published" and body["pay_grade_min"] == "E9a" and body["origin"] == "hr"
    assert "hr-miltenberg-ATS-4711" in _public_ids(client, "Kämmerei")
    audit_before = len(portal.hr.audit.entries())
    again = client.put("/api/v1/hr/vacancies/ATS-4711", json=vacancy_body(), headers=a)
    assert again.status_code == 200 and again.json()["updated_at"] == body["updated_at"]
    assert len(portal.hr.audit.entries()) == audit_before  # nothing changed, nothing logged


def test_put_updates_and_records_changed_fields(api):
    portal, client, a, _ = api
    client.put("/api/v1/hr/vacancies/1", json=vacancy_body(), headers=a)
    changed = client.put("/api/v1/hr/vacancies/1", json=vacancy_body(title="Kassiererin (m/w/d)"), headers=a)
    assert changed.status_code == 200 and changed.json()["title"] == "Kassiererin (m/w/d)"
    entry = portal.hr.audit.entries(vacancy_id="hr-miltenberg-1")[0]
    assert entry.action == "update" and entry.fields == ["title"] and entry.actor.startswith("token:")


def test_draft_and_scheduled_via_api(api):
    portal, client, a, _ = api
    body = client.put("/api/v1/hr/vacancies/d1", json=vacancy_body(state="draft"), headers=a).json()
    assert body["state"] == "draft" and "hr-miltenberg-d1" not in _public_ids(client, "Kämmerei")
    later = (portal.clock() + timedelta(days=1)).isoformat()
    body = client.put(
        "/api/v1/hr/vacancies/d1", json=vacancy_body(state="draft", publish_at=later), headers=a
    ).json()
    assert body["publish_at"] and body["state"] == "draft"


def test_publish_at_without_offset_is_german_time_as_in_the_portal(api):
    portal, client, a, _ = api
    year = portal.clock().year + 1
    body = vacancy_body(state="draft", publish_at=f"{year}-07-01T08:00")  # summer: CEST, UTC+2
    assert client.put("/api/v1/hr/vacancies/s1", json=body, headers=a).status_code == 201
    stored = client.get("/api/v1/hr/vacancies/s1", headers=a).json()["publish_at"]
    assert datetime.fromisoformat(stored) == datetime(year, 7, 1, 6, 0, tzinfo=UTC)
    entry = portal.hr.audit.entries(vacancy_id="hr-miltenberg-s1")[0]
    assert entry.action == "schedule" and entry.detail == f"ab 01.07.{year} 08:00"


def _live(client, vacancy_id: str) -> bool:
    return client.get(f"/api/v1/vacancies/{vacancy_id}").status_code == 200


def test_future_publish_at_without_state_schedules_instead_of_going_live(api):
    """Issue 16, item 3: the embargo used to be ignored unless "state": "draft" was sent too."""
    portal, client, a, _ = api
    later = portal.clock() + timedelta(days=2)
    body = vacancy_body(publish_at=later.isoformat())
    response = client.put("/api/v1/hr/vacancies/e1", json=body, headers=a)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["state"] == "draft"
    assert datetime.fromisoformat(body["publish_at"]) == later.astimezone(UTC)
    assert not _live(client, "hr-miltenberg-e1") and "hr-miltenberg-e1" not in _public_ids(client, "Kämmerei")
    portal.clock.advance(days=2, minutes=1)
    assert portal.hr.postings.promote_due()[0] == ["hr-miltenberg-e1"]
    assert _live(client, "hr-miltenberg-e1") and "hr-miltenberg-e1" in _public_ids(client, "Kämmerei")


def test_future_publish_at_embargoes_a_posting_that_is_live(api):
    portal, client, a, _ = api
    first = client.put("/api/v1/hr/vacancies/e2", json=vacancy_body(), headers=a)
    assert first.json()["state"] == "published"
    later = (portal.clock() + timedelta(days=1)).isoformat()
    body = client.put("/api/v1/hr/vacancies/e2", json=vacancy_body(publish_at=later), headers=a).json()
    assert body["state"] == "draft" and body["publish_at"] is not None
    assert not _live(client, "hr-miltenberg-e2")


def test_published_state_with_a_future_publish_at_is_a_422_that_says_so(api):
    portal, client, a, _ = api
    later = (portal.clock() + timedelta(days=1)).isoformat()
    body = vacancy_body(state="published", publish_at=later)
    response = client.put("/api/v1/hr/vacancies/e3", json=body, headers=a)
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"] == [{"field": "publish_at", "message": problem["errors"][0]["message"]}]
    message = problem["errors"][0]["message"]
    assert "Zukunft" in message and '"state" ist "published"' in message, message
    assert client.get("/api/v1/hr/vacancies/e3", headers=a).status_code == 404  # nothing was created
    client.put("/api/v1/hr/vacancies/e3", json=vacancy_body(), headers=a)
    assert client.put("/api/v1/hr/vacancies/e3", json=body, headers=a).status_code == 422
    assert _live(client, "hr-miltenberg-e3")  # a refused PUT changes nothing


def test_a_publish_at_that_has_passed_publishes_now_when_sent_again(api):
    """An applicant-tracking system sends its unchanged record again after the date: no 422, it is live."""
    portal, client, a, _ = api
    later = portal.clock() + timedelta(hours=1)
    client.put("/api/v1/hr/vacancies/e4", json=vacancy_body(publish_at=later.isoformat()), headers=a)
    portal.clock.advance(hours=2)
    again = client.put("/api/v1/hr/vacancies/e4", json=vacancy_body(publish_at=later.isoformat()), headers=a)
    assert again.status_code == 200, again.text
    assert again.json()["state"] == "published" and again.json()["publish_at"] is None
    assert _live(client, "hr-miltenberg-e4")


def test_a_text_description_from_an_ats_keeps_its_list_on_the_page(api):
    """Issue 16, item 2: text without tags is read as the editor's markup (paragraphs and lists)."""
    portal, client, a, _ = api
    body = vacancy_body(description="Ihre Aufgaben:\n- Haushaltsplanung\n- Kassenprüfung & Abschluss")
    client.put("/api/v1/hr/vacancies/t1", json=body, headers=a)
    page = client.get("/stellen/hr-miltenberg-t1", follow_redirects=True).text  # via the readable address
    expected = "<p>Ihre Aufgaben:</p><ul><li>Haushaltsplanung</li><li>Kassenprüfung &amp; Abschluss</li></ul>"
    assert expected in page


def test_get_lists_only_own_postings(api):
    portal, client, a, b = api
    client.put("/api/v1/hr/vacancies/a1", json=vacancy_body(), headers=a)
    client.put("/api/v1/hr/vacancies/b1", json=vacancy_body(location={"postal_code": "63739"}), headers=b)
    listing = client.get("/api/v1/hr/vacancies", headers=a).json()
    assert listing["district"] == DISTRICT_A and [i["id"] for i in listing["items"]] == ["hr-miltenberg-a1"]
    assert client.get("/api/v1/hr/vacancies/a1", headers=a).json()["title"].startswith("Sachbearbeiter")


def test_token_of_one_district_cannot_read_or_change_another_district(api):
    portal, client, a, b = api
    client.put("/api/v1/hr/vacancies/x1", json=vacancy_body(), headers=a)
    assert client.get("/api/v1/hr/vacancies/x1", headers=b).status_code == 404
    assert client.delete("/api/v1/hr/vacancies/x1", headers=b).status_code == 404
    created = client.put("/api/v1/hr/vacancies/x1", json=vacancy_body(title="B"), headers=b)
    assert created.status_code == 201 and created.json()["id"] == "hr-aschaffenburg-x1"  # B's own namespace
    assert portal.board.get("hr-miltenberg-x1").title.startswith("Sachbearbeiter")
    assert portal.board.get("hr-miltenberg-x1").state == State.published


def test_id_clash_with_another_districts_posting_answers_404(api):
    """Slugs contain hyphens: an id may look like ours yet belong to another district (stored one wins)."""
    portal, client, a, _ = api
    client.put("/api/v1/hr/vacancies/clash", json=vacancy_body(), headers=a)
    foreign = portal.board.get("hr-miltenberg-clash").model_copy(update={"district": DISTRICT_B})
    portal.board.save([foreign])
    assert client.get("/api/v1/hr/vacancies/clash", headers=a).status_code == 404
    assert (
        client.put("/api/v1/hr/vacancies/clash", json=vacancy_body(title="Übernahme"), headers=a).status_code
        == 404
    )
    assert client.delete("/api/v1/hr/vacancies/clash", headers=a).status_code == 404
    assert portal.board.get("hr-miltenberg-clash").title.startswith("Sachbearbeiter")


def test_delete_withdraws_and_leaves_search(api):
    portal, client, a, _ = api
    client.put("/api/v1/hr/vacancies/w1", json=vacancy_body(), headers=a)
    assert "hr-miltenberg-w1" in _public_ids(client, "Kämmerei")
    assert client.delete("/api/v1/hr/vacancies/w1", headers=a).status_code == 204
    assert portal.board.get("hr-miltenberg-w1").state == State.withdrawn
    assert "hr-miltenberg-w1" not in _public_ids(client, "Kämmerei")
    assert client.delete("/api/v1/hr/vacancies/w1", headers=a).status_code == 204  # idempotent
    assert client.delete("/api/v1/hr/vacancies/nie", headers=a).status_code == 404


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer stb_falsch"},
        {"Authorization": "Basic eDp5"},
    ],
    ids=["none", "empty", "wrong", "basic"],
)
def test_401_without_a_valid_token(api, headers):
    _, client, _, _ = api
    for method in ("get", "put", "delete"):
        response = getattr(client, method)("/api/v1/hr/vacancies/1", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith('Bearer realm="stellenboerse-hr"')
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 401


def test_revoked_token_gets_401(api):
    portal, client, a, _ = api
    token = portal.hr.accounts.list_tokens(DISTRICT_A)[0]
    portal.hr.accounts.revoke_token(token.id, actor="test")
    response = client.get("/api/v1/hr/vacancies", headers=a)
    assert response.status_code == 401 and 'error="invalid_token"' in response.headers["www-authenticate"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (vacancy_body(location={"postal_code": "123"}), "location.postal_code"),
        (vacancy_body(location={"postal_code": "00000"}), "location.postal_code"),
        (vacancy_body(contact={"email": "kaputt"}), "contact.email"),
        (vacancy_body(title=""), "title"),
        ({k: v for k, v in vacancy_body().items() if k != "title"}, "title"),
        (vacancy_body(pay_grade_min="Chef"), "pay_grade_min"),
        (vacancy_body(working_time=["always"]), "working_time"),
        (vacancy_body(weekly_hours=99), "weekly_hours"),
        (vacancy_body(deadline=(date.today() - timedelta(days=1)).isoformat()), "deadline"),
        (vacancy_body(unknown_field=1), "unknown_field"),
        (vacancy_body(location={"postal_code": "63897", "planet": "Mars"}), "location.planet"),
        (vacancy_body(state="archived"), "state"),
    ],
)
def test_422_names_the_field_path(api, body, field):
    _, client, a, _ = api
    response = client.put("/api/v1/hr/vacancies/v1", json=body, headers=a)
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in problem["errors"]], problem
    assert all(e["message"] for e in problem["errors"])


@pytest.mark.parametrize("raw", [b"{kaputt", b"[1, 2]", b"\xff\xfe"])
def test_422_for_a_body_that_is_not_a_json_object(api, raw):
    _, client, a, _ = api
    response = client.put(
        "/api/v1/hr/vacancies/v1", content=raw, headers={**a, "Content-Type": "application/json"}
    )
    assert response.status_code == 422


def test_external_id_is_validated(api):
    _, client, a, _ = api
    response = client.put("/api/v1/hr/vacancies/..%2F..", json=vacancy_body(), headers=a)
    assert response.status_code in (404, 422)
    response = client.put("/api/v1/hr/vacancies/a b", json=vacancy_body(), headers=a)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "external_id"


def test_external_id_with_a_trailing_newline_is_refused_and_the_posting_kept(api):
    """`$` would accept "abc\\n"; the stored id strips it, so the PUT would overwrite "abc"."""
    _, client, a, _ = api
    assert client.put("/api/v1/hr/vacancies/abc", json=vacancy_body(), headers=a).status_code == 201
    response = client.put("/api/v1/hr/vacancies/abc%0A", json=vacancy_body(title="Anders (m/w/d)"), headers=a)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "external_id"
    kept = client.get("/api/v1/hr/vacancies/abc", headers=a).json()
    assert kept["state"] == "published" and kept["title"] == vacancy_body()["title"]


def test_session_cookie_does_not_authenticate_the_api(portal):
    client = portal.client("own")
    assert client.get("/api/v1/hr/vacancies").status_code == 401


# -- public search in step, on both backends --------------------------------------------------------------


def _searchable_within_a_second(portal, headers) -> None:
    client = portal.client()
    body = vacancy_body(title="Zauberhafte Schnellstelle")
    response = client.put("/api/v1/hr/vacancies/schnell", json=body, headers=headers)
    assert response.status_code == 201
    started = time.monotonic()
    while "hr-miltenberg-schnell" not in _public_ids(client, "Schnellstelle"):
        assert time.monotonic() - started < 1.0, "not searchable within 1 s"
        time.sleep(0.05)
    assert client.delete("/api/v1/hr/vacancies/schnell", headers=headers).status_code == 204
    started = time.monotonic()
    while "hr-miltenberg-schnell" in _public_ids(client, "Schnellstelle"):
        assert time.monotonic() - started < 1.0, "still searchable 1 s after withdrawal"
        time.sleep(0.05)


def test_published_vacancy_is_searchable_within_a_second_sqlite(api):
    portal, _, a, _ = api
    _searchable_within_a_second(portal, a)


@pytest.mark.elasticsearch
def test_published_vacancy_is_searchable_within_a_second_elasticsearch(tmp_path, es_url):
    from vacancies.search.elasticsearch_backend import ElasticsearchBackend

    portal = build_portal(tmp_path, "elasticsearch", es_url)
    backend = portal.board.backend
    # like open_board: no refresh on write; the HR service refreshes the index itself after HR writes
    portal.board.backend = ElasticsearchBackend(es_url, backend.alias, backend.analyzer, refresh=False)
    token = portal.hr.accounts.create_token(DISTRICT_A, "ATS", "t")[1]
    try:
        _searchable_within_a_second(portal, {"Authorization": f"Bearer {token}"})
    finally:
        import httpx2

        httpx2.delete(f"{es_url}/{backend.alias}*", params={"expand_wildcards": "all"}, timeout=30)


# -- one transaction per PUT; the event loop stays free --------------------------------------------------


def test_a_crash_before_the_last_audit_entry_of_a_put_writes_nothing(api):
    portal, client, a, _ = api
    with portal.board.store.engine.begin() as conn:  # a real failure of the last step: publishing's audit
        conn.exec_driver_sql(
            "CREATE TRIGGER crash BEFORE INSERT ON audit_log WHEN NEW.action = 'publish' "
            "BEGIN SELECT RAISE(ABORT, 'Absturz'); END"
        )
    client._transport.raise_server_exceptions = False
    response = client.put("/api/v1/hr/vacancies/tx-1", json=vacancy_body(state="published"), headers=a)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert portal.board.get("hr-miltenberg-tx-1") is None  # it used to stay: a draft no retry could fix
    assert portal.hr.audit.entries(vacancy_id="hr-miltenberg-tx-1") == []
    assert "hr-miltenberg-tx-1" not in _public_ids(client, "Kämmerei")
    assert portal.board.store.pending_count() == 0


def test_put_of_an_id_of_another_district_is_404_and_changes_nothing(api):
    portal, client, a, b = api
    client.put("/api/v1/hr/vacancies/x", json=vacancy_body(), headers=b)
    with portal.board.store.engine.begin() as conn:  # the same id for district A's token
        conn.exec_driver_sql("UPDATE vacancies SET id = 'hr-miltenberg-x' WHERE id = 'hr-aschaffenburg-x'")
    response = client.put("/api/v1/hr/vacancies/x", json=vacancy_body(title="Übernahme"), headers=a)
    assert response.status_code == 404
    assert portal.board.get("hr-miltenberg-x").title != "Übernahme"


def test_a_put_waiting_for_the_store_does_not_hold_other_requests(tmp_path):
    """A PUT whose store write is slow (here a real SQLite trigger that counts 216 million rows before the
    posting's row goes in; in the issue, Elasticsearch retries) works in a thread; others are answered."""
    portal = build_portal(tmp_path)
    secret = portal.hr.accounts.create_token(DISTRICT_A, "ATS", "test")[1]
    headers = {"Authorization": f"Bearer {secret}"}
    with portal.board.store.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE slow (n INTEGER)")
        conn.exec_driver_sql("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 600) "
                             "INSERT INTO slow SELECT n FROM c")  # fmt: skip
        conn.exec_driver_sql(
            "CREATE TRIGGER slow_write BEFORE INSERT ON vacancies "
            "BEGIN SELECT count(*) FROM slow a, slow b, slow c; END"
        )
    with served(portal.app) as url:
        httpx2.get(url + "/api/v1/health", timeout=10)  # the due-job's first run is behind us
        answers: dict[str, float] = {}

        def put() -> None:
            started = time.monotonic()
            response = httpx2.put(url + "/api/v1/hr/vacancies/slow", json=vacancy_body(), headers=headers,
                                  timeout=60)  # fmt: skip
            answers["put"], answers["put_took"] = response.status_code, time.monotonic() - started

        writer = threading.Thread(target=put)
        writer.start()
        time.sleep(0.5)  # the PUT is in its handler now, inside the slow insert
        started = time.monotonic()
        health = httpx2.get(url + "/api/v1/health", timeout=30)
        answers["other_took"] = time.monotonic() - started
        writer.join(60)
    assert health.status_code == 200 and answers["put"] == 201
    assert answers["put_took"] > 1.5, answers  # the write really was slow …
    assert answers["other_took"] < 0.5 * answers["put_took"], answers  # … and nobody waited for it
