"""Sessions, CSRF and login throttling of the HR portal."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from server.app import create_app
from tests.hr.conftest import EMAILS, PASSWORD, csrf_of, login
from vacancies.schema import sessions_table
from vacancies.settings import Settings

THROTTLED = "Zu viele Fehlversuche. Bitte in einer Sekunde erneut versuchen."


def _session_count(portal) -> int:
    with portal.board.store.engine.connect() as conn:
        return len(conn.execute(select(sessions_table.c.id_hash)).all())


def test_login_sets_a_strict_session_cookie(portal):
    client = TestClient(portal.app, follow_redirects=False)
    response = login(client, EMAILS["own"], PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/hr/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("stb_sitzung=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # cookie_secure=False for local HTTP


def test_secure_cookie_uses_host_prefix(portal):
    settings = Settings(
        database_url=portal.app.state.settings.database_url, environment="test", cookie_secure=True
    )
    app = create_app(settings, portal.board)
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    response = login(client, EMAILS["own"], PASSWORD)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-stb_sitzung=") and "Secure" in cookie and "Path=/" in cookie
    assert client.get("/hr/").status_code == 200


def test_login_rotates_the_session_id_and_ends_the_old_session(portal):
    client = portal.client("own")
    old = client.cookies.get("stb_sitzung")
    assert client.get("/hr/").status_code == 200
    response = login(client, EMAILS["admin"], PASSWORD)
    new = response.cookies.get("stb_sitzung")
    assert new and new != old
    assert portal.hr.accounts.load_session(old) is None
    stale = TestClient(portal.app, follow_redirects=False, cookies={"stb_sitzung": old})
    assert stale.get("/hr/").status_code == 303


def test_planted_session_id_is_not_adopted(portal):
    client = TestClient(portal.app, follow_redirects=False, cookies={"stb_sitzung": "von-angreifer-gesetzt"})
    response = login(client, EMAILS["own"], PASSWORD)
    assert response.cookies.get("stb_sitzung") != "von-angreifer-gesetzt"


def test_logout_invalidates_the_session_on_the_server(portal):
    client = portal.client("own")
    session_id = client.cookies.get("stb_sitzung")
    csrf = csrf_of(client.get("/hr/").text)
    response = client.post("/hr/abmelden", data={"csrf_token": csrf})
    assert response.status_code == 303 and response.headers["location"].startswith("/hr/anmelden")
    assert portal.hr.accounts.load_session(session_id) is None
    replay = TestClient(portal.app, follow_redirects=False, cookies={"stb_sitzung": session_id})
    assert replay.get("/hr/").status_code == 303


def test_logout_needs_csrf(portal):
    client = portal.client("own")
    assert client.post("/hr/abmelden", data={}).status_code == 403
    assert client.get("/hr/").status_code == 200


def test_idle_expiry(portal):
    client = portal.client("own")
    portal.clock.advance(minutes=29)
    assert client.get("/hr/").status_code == 200  # activity extends the idle window
    portal.clock.advance(minutes=31)
    response = client.get("/hr/")
    assert response.status_code == 303 and response.headers["location"].startswith("/hr/anmelden")
    assert _session_count(portal) == 0


def test_absolute_expiry_despite_activity(portal):
    client = portal.client("own")
    for _ in range(23):  # 23 × 20 min = 7 h 40 min of steady work
        portal.clock.advance(minutes=20)
        assert client.get("/hr/").status_code == 200
    portal.clock.advance(minutes=21)
    assert client.get("/hr/").status_code == 303


def test_disabled_user_loses_sessions_and_cannot_log_in(portal):
    client = portal.client("own")
    portal.hr.accounts.disable(EMAILS["own"])
    assert client.get("/hr/").status_code == 303
    assert login(TestClient(portal.app, follow_redirects=False), EMAILS["own"], PASSWORD).status_code == 400


# -- CSRF -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "falsch", "äöü"])
def test_post_without_valid_csrf_token_is_refused(portal, token):
    client = portal.client("own")
    data = {"title": "Ohne Token", "apply_email": "a@b.de"}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/hr/stellen/neu", data=data)
    assert response.status_code == 403
    assert "Sicherheitsprüfung" in response.text
    assert portal.hr.postings.listing("miltenberg", __import__("vacancies.model").model.Origin.hr) == []


def test_csrf_token_of_another_session_is_refused(portal):
    mine, theirs = portal.client("own"), portal.client("own")
    foreign = csrf_of(theirs.get("/hr/").text)
    assert mine.post("/hr/stellen/neu", data={"csrf_token": foreign, "title": "x"}).status_code == 403


def test_cross_origin_post_is_refused_even_with_token(portal):
    client = portal.client("own")
    csrf = csrf_of(client.get("/hr/").text)
    data = {"csrf_token": csrf, "title": "x", "apply_email": "a@b.de"}
    assert (
        client.post("/hr/stellen/neu", data=data, headers={"Origin": "https://evil.example"}).status_code
        == 403
    )
    assert (
        client.post("/hr/stellen/neu", data=data, headers={"Origin": "http://testserver"}).status_code == 303
    )


def test_login_form_needs_its_pre_login_token(portal):
    client = TestClient(portal.app, follow_redirects=False)
    data = {"email": EMAILS["own"], "password": PASSWORD}
    assert client.post("/hr/anmelden", data=data).status_code == 403
    client.get("/hr/anmelden")
    assert client.post("/hr/anmelden", data={**data, "csrf_token": "geraten"}).status_code == 403
    assert client.post("/hr/anmelden", data={**data, "csrf_token": "geräten"}).status_code == 403  # not 500


def test_every_form_carries_a_csrf_token(portal):
    client = portal.client("own")
    csrf = csrf_of(client.get("/hr/").text)
    client.post("/hr/stellen/neu", data={"csrf_token": csrf, "title": "Formulare", "apply_email": "a@b.de"})
    vacancy_id = portal.hr.postings.listing("miltenberg", __import__("vacancies.model").model.Origin.hr)[
        0
    ].vacancy.id
    for path in ("/hr/", "/hr/stellen/neu", f"/hr/stellen/{vacancy_id}", "/hr/zugaenge", "/hr/abmelden"):
        html = client.get(path).text
        forms = html.count("<form")
        assert forms and html.count('name="csrf_token"') == forms, path


def test_login_redirect_stays_on_the_site(portal):
    client = TestClient(portal.app, follow_redirects=False)
    page = client.get("/hr/anmelden", params={"weiter": "//evil.example/hr/"})
    data = {
        "csrf_token": csrf_of(page.text),
        "email": EMAILS["own"],
        "password": PASSWORD,
        "next": "//evil.example",
    }
    assert client.post("/hr/anmelden", data=data).headers["location"] == "/hr/"


# -- throttling -------------------------------------------------------------------------------------------


def test_wrong_password_is_a_clear_german_message(portal):
    response = login(TestClient(portal.app), EMAILS["own"], "falsches-passwort-123")
    assert response.status_code == 400 and "E-Mail-Adresse oder Passwort ist falsch." in response.text
    for field in ("email", "password"):  # both fields point at the message
        tag = re.search(rf'<input id="{field}"[^>]*>', response.text).group(0)
        assert 'aria-invalid="true"' in tag and 'aria-describedby="login-fehler"' in tag


def test_throttling_per_account_and_address_pair(portal):
    client = TestClient(portal.app, follow_redirects=False)
    for _ in range(5):
        assert login(client, EMAILS["own"], "falsches-passwort-123").status_code == 400
    response = login(client, EMAILS["own"], PASSWORD)  # even the right password waits now
    assert response.status_code == 429 and THROTTLED in response.text
    assert response.headers["retry-after"] == "1"
    other_account = login(TestClient(portal.app, follow_redirects=False), EMAILS["admin"], PASSWORD)
    assert other_account.status_code == 303  # other accounts are not locked out from the same address
    portal.clock.advance(seconds=1)  # a delay, not a lock-out
    assert login(client, EMAILS["own"], PASSWORD).status_code == 303


def test_throttling_per_address_against_spraying(portal):
    client = TestClient(portal.app, follow_redirects=False)
    for number in range(20):  # password spraying: one try each on many accounts
        assert login(client, f"nutzer{number}@example.org", "falsches-passwort-123").status_code == 400
    response = login(client, EMAILS["own"], PASSWORD)
    assert response.status_code == 429 and THROTTLED in response.text
    portal.clock.advance(seconds=1)
    assert login(client, EMAILS["own"], PASSWORD).status_code == 303


def test_unknown_account_answers_like_a_known_one(portal):
    known = login(TestClient(portal.app), EMAILS["own"], "falsches-passwort-123")
    unknown = login(TestClient(portal.app), "niemand@example.org", "falsches-passwort-123")
    assert known.status_code == unknown.status_code == 400
    assert "E-Mail-Adresse oder Passwort ist falsch." in unknown.text


def test_success_resets_the_account_counter(portal):
    client = TestClient(portal.app, follow_redirects=False)
    for _ in range(4):
        login(client, EMAILS["own"], "falsches-passwort-123")
    assert login(client, EMAILS["own"], PASSWORD).status_code == 303
    for _ in range(4):
        assert login(client, EMAILS["own"], "falsches-passwort-123").status_code == 400
