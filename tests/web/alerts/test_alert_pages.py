"""The Suchauftrag pages in-process (issue 18, items 1 and 3): the form under the results, its errors and
its CSRF checks; the confirm, manage and unsubscribe links, also forged, expired and reused ones."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs

import pytest
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner
from sqlalchemy import update

from tests.web.alerts.conftest import link_in, local
from tests.web.alerts.test_alert_api import alerts_of
from vacancies.alerts.tokens import SALTS
from vacancies.schema import mail_outbox_table
from vacancies.store import utcnow

RESULTS = "/?q=Sachbearbeiter&working_time=part_time&sort=newest&page=1"


class _Forms(HTMLParser):
    """Every form of a page: [(action, [(name, value), ...]), ...] (of radios only the checked one)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self.current: list[tuple[str, str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = []
            self.forms.append((a.get("action") or "", self.current))
        elif (
            tag == "input"
            and self.current is not None
            and a.get("name")
            and (a.get("type") != "radio" or "checked" in a)
        ):
            self.current.append((a["name"], a.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def form_on(html: str, action: str = "", kind: str = "") -> list[tuple[str, str]]:
    """The fields of the form posting to `action`, or of the manage form whose `action` field is `kind`."""
    parser = _Forms()
    parser.feed(html)
    for form_action, fields in parser.forms:
        if (action and form_action == action) or (kind and ("action", kind) in fields):
            return fields
    raise AssertionError(f"kein Formular {action or kind}")


def subscribe_form(client, url: str = RESULTS) -> list[tuple[str, str]]:
    return form_on(client.get(url).text, "/suchauftrag#suchauftrag")


def with_fields(fields: list[tuple[str, str]], **changes: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in fields if k not in changes] + list(changes.items())


def subscribe(client, email: str, **changes: str):
    fields = with_fields(subscribe_form(client), email=email, **changes)
    return client.post("/suchauftrag", data=_form(fields), follow_redirects=False)


def _form(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in fields:
        out.setdefault(key, []).append(value)
    return out


def confirm_link(client, mailbox, email: str, url: str = RESULTS) -> str:
    count = len(mailbox.to(email)) + 1
    fields = with_fields(subscribe_form(client, url), email=email)
    assert client.post("/suchauftrag", data=_form(fields), follow_redirects=False).status_code == 303
    return local(link_in(mailbox.wait_for(email, count)[-1], "/suchauftrag/bestaetigen"))


def manage_link(client, mailbox, email: str, url: str = RESULTS) -> str:
    page = client.get(confirm_link(client, mailbox, email, url))
    return re.search(r'href="(/suchauftrag/verwalten\?t=[^"]+)"', page.text).group(1).replace("&amp;", "&")


# -- the form under the results ---------------------------------------------------------------------


def test_the_results_page_has_the_form_with_the_search_and_sets_no_cookie(client):
    response = client.get(RESULTS)
    assert "set-cookie" not in response.headers  # the privacy page promises no cookies for the search
    fields = dict(form_on(response.text, "/suchauftrag#suchauftrag"))
    assert set(fields) == {"csrf_token", "search", "email", "frequency"}
    # the search as one field, so that its names never clash with the search form's own fields
    assert parse_qs(fields["search"]) == {"q": ["Sachbearbeiter"], "working_time": ["part_time"]}
    assert fields["frequency"] == "daily" and fields["csrf_token"]
    assert 'href="/datenschutz#suchauftraege"' in response.text
    assert 'for="alert-email"' in response.text


def test_a_search_with_errors_offers_no_alert(client):
    assert 'id="suchauftrag"' not in client.get("/?near=Atlantis").text


def test_subscribing_redirects_to_please_confirm_and_stores_the_search(client, alert_board, unique_email):
    response = subscribe(client, unique_email, frequency="weekly")
    assert response.status_code == 303
    assert response.headers["location"] == "/suchauftrag/bitte-bestaetigen#inhalt"
    page = client.get(response.headers["location"])
    assert "Bitte bestätigen Sie Ihre Adresse" in page.text
    [alert] = alerts_of(alert_board, unique_email)
    assert alert["frequency"] == "weekly"
    assert json.loads(alert["params"]) == {"q": ["Sachbearbeiter"], "working_time": ["part_time"]}


def test_a_bad_address_shows_the_results_again_with_the_error_at_the_field(client, alert_board):
    response = subscribe(client, "erika@", frequency="weekly")
    assert response.status_code == 422
    html = response.text
    assert re.search(r'id="alert-email-error"><span class="visually-hidden">Fehler: </span>[^<]*E-Mail', html)
    assert 'value="erika@"' in html and 'aria-invalid="true"' in html  # what was typed stays
    assert re.search(r'id="alert-frequency-weekly" name="frequency" value="weekly" checked', html)
    assert "<h1>1 Stelle gefunden</h1>" in html and "result-title" in html  # the results are still there
    assert html.count("<title>Fehler:") == 1
    assert alerts_of(alert_board, "erika@") == []


def test_a_search_the_search_refuses_is_refused_by_the_form_too(client, alert_board, unique_email):
    response = subscribe(client, unique_email, search="q=Verwaltung&near=Atlantis")
    assert response.status_code == 422
    assert "Diese Suche enthält ungültige Angaben." in response.text
    assert "„Atlantis“ ist nicht bekannt" in response.text  # the search form says which
    assert alerts_of(alert_board, unique_email) == []


def test_a_missing_or_foreign_csrf_token_is_refused_and_nothing_is_stored(
    client, alert_app, alert_board, unique_email
):
    fields = with_fields(subscribe_form(client), email=unique_email)
    refused = [
        client.post("/suchauftrag", data=_form(with_fields(fields, csrf_token="")), follow_redirects=False),
        client.post("/suchauftrag", data=_form(fields), headers={"Origin": "https://evil.example"},
                    follow_redirects=False),
        client.post("/suchauftrag", data=_form(fields), headers={"Sec-Fetch-Site": "cross-site"},
                    follow_redirects=False),
    ]  # fmt: skip
    from fastapi.testclient import TestClient

    elsewhere = TestClient(alert_app, headers={"Accept": "text/html"}, client=("192.0.2.77", 1))
    refused.append(elsewhere.post("/suchauftrag", data=_form(fields), follow_redirects=False))
    for response in refused:
        assert response.status_code == 403
        assert "Sicherheitsprüfung des Formulars ist fehlgeschlagen" in response.text
        assert f'value="{unique_email}"' in response.text  # filled in again, with a fresh token
    assert alerts_of(alert_board, unique_email) == []


def test_a_token_older_than_a_day_is_refused(client, alert_app):
    from starlette.requests import Request

    from web import alert_forms

    request = Request({"type": "http", "app": alert_app, "headers": [(b"host", b"testserver")],
                       "client": ("10.0.0.9", 1)})  # fmt: skip
    now = time.time()
    token = alert_forms.subscribe_token(request, now - 26 * 3600)
    assert alert_forms.subscribe_token_ok(request, alert_forms.subscribe_token(request, now - 20 * 3600), now)
    assert not alert_forms.subscribe_token_ok(request, token, now)
    assert not alert_forms.subscribe_token_ok(request, token.replace(".", ".0"), now)


# -- confirm -----------------------------------------------------------------------------------------


def test_the_confirm_link_confirms_once(client, mailbox, alert_board, unique_email):
    link = confirm_link(client, mailbox, unique_email)
    page = client.get(link)
    assert page.status_code == 200
    assert "Ihr Suchauftrag ist bestätigt" in page.text
    assert "Suchbegriff: Sachbearbeiter" in page.text and "Arbeitszeit: Teilzeit" in page.text
    assert alerts_of(alert_board, unique_email)[0]["confirmed_at"] is not None
    again = client.get(link)
    assert again.status_code == 400
    assert "Dieser Link funktioniert nicht" in again.text


def test_forged_and_missing_links_get_a_german_page(client):
    paths = ("/suchauftrag/bestaetigen?t=abc.def", "/suchauftrag/verwalten?t=x", "/suchauftrag/bestaetigen",
             "/suchauftrag/abmelden")  # fmt: skip
    for path in paths:
        page = client.get(path)
        assert page.status_code == 400, path
        assert "Dieser Link funktioniert nicht" in page.text and "Traceback" not in page.text
    assert client.post("/suchauftrag/abmelden?t=x", data={"List-Unsubscribe": "One-Click"}).status_code == 400


def test_an_expired_confirm_link_is_refused(client, mailbox, alert_settings, alert_board, unique_email):
    """The mailed link re-signed 49 hours in the past (same secret, same payload): refused, not confirmed."""
    token = confirm_link(client, mailbox, unique_email).split("t=", 1)[1]

    class Old(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 49 * 3600

    plain = URLSafeTimedSerializer(alert_settings.secret_key, salt=SALTS["confirm"])
    payload = plain.loads(token)
    old = URLSafeTimedSerializer(alert_settings.secret_key, salt=SALTS["confirm"], signer=Old).dumps(payload)
    page = client.get(f"/suchauftrag/bestaetigen?t={old}")
    assert page.status_code in (400, 410)
    assert "abgelaufen" in page.text
    assert alerts_of(alert_board, unique_email)[0]["confirmed_at"] is None


# -- manage --------------------------------------------------------------------------------------------


def test_the_manage_page_shows_the_search_and_changes_the_frequency(
    client, mailbox, alert_board, unique_email
):
    link = manage_link(client, mailbox, unique_email)
    page = client.get(link)
    assert page.status_code == 200 and unique_email in page.text
    assert "Suchbegriff: Sachbearbeiter" in page.text
    fields = with_fields(form_on(page.text, kind="frequency"), frequency="weekly")
    response = client.post(link, data=_form(fields), follow_redirects=False)
    assert response.status_code == 303
    assert "Die Änderung ist gespeichert." in client.get(response.headers["location"]).text
    assert alerts_of(alert_board, unique_email)[0]["frequency"] == "weekly"


def test_manage_forms_without_their_token_change_nothing(client, mailbox, alert_board, unique_email):
    link = manage_link(client, mailbox, unique_email)
    html = client.get(link).text
    for action in ("frequency", "delete", "delete_all"):
        fields = with_fields(form_on(html, kind=action), csrf_token="falsch", frequency="weekly")
        response = client.post(link, data=_form(fields), follow_redirects=False)
        assert response.status_code == 403
        assert "Sicherheitsprüfung" in response.text
    fields = form_on(html, kind="delete")
    assert (
        client.post(link, data=_form(fields), headers={"Origin": "https://evil.example"}).status_code == 403
    )
    [alert] = alerts_of(alert_board, unique_email)
    assert alert["frequency"] == "daily"


def a_day_passes(board, email: str) -> None:
    """The address's confirmation mails were sent 25 hours ago (the per-address limit counts a day)."""
    with board.store.engine.begin() as conn:
        rows = mail_outbox_table.c.email_key == email.lower()
        conn.execute(update(mail_outbox_table).where(rows).values(created_at=utcnow() - timedelta(hours=25)))


def test_delete_and_delete_all(client, mailbox, alert_board, unique_email):
    """Two confirmed alerts of one address: delete one through its page, then all through the other's."""
    first = manage_link(client, mailbox, unique_email)
    a_day_passes(alert_board, unique_email)  # one confirmation mail per address and day
    second = manage_link(client, mailbox, unique_email, "/?q=Erzieher")
    assert len(alerts_of(alert_board, unique_email)) == 2
    html = client.get(first).text
    assert "Weitere Suchaufträge dieser Adresse" in html and "Suchbegriff: Erzieher" in html
    page = client.post(first, data=_form(form_on(html, kind="delete")))
    assert page.status_code == 200 and "Suchauftrag gelöscht" in page.text
    assert client.get(first).status_code == 400  # the link died with its alert
    [left] = alerts_of(alert_board, unique_email)
    assert json.loads(left["params"]) == {"q": ["Erzieher"]}
    page = client.post(second, data=_form(form_on(client.get(second).text, kind="delete_all")))
    assert page.status_code == 200 and "Alle Suchaufträge gelöscht" in page.text
    assert alerts_of(alert_board, unique_email) == []


# -- unsubscribe -----------------------------------------------------------------------------------------


def test_unsubscribe_page_shows_a_button_and_deletes_nothing_on_get(
    client, alert_board, mailbox, unique_email
):
    link = manage_link(client, mailbox, unique_email)
    token = link.split("t=", 1)[1]
    assert token
    # the unsubscribe link is in every digest; here its token comes from the service directly
    alerts = client.app.state.alerts
    alert, _ = alerts.by_manage_token(token)
    path = f"/suchauftrag/abmelden?t={alerts.unsubscribe_token(alert)}"
    page = client.get(path)
    assert page.status_code == 200 and "Suchauftrag löschen" in page.text
    assert alerts_of(alert_board, unique_email)  # a GET (a mail scanner) deletes nothing
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})  # RFC 8058: no CSRF token, no Origin
    assert done.status_code == 200 and "Sie sind abgemeldet" in done.text
    assert alerts_of(alert_board, unique_email) == []
    again = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200 and "schon gelöscht" in again.text


@pytest.mark.parametrize("path", ["/suchauftrag/bitte-bestaetigen", "/suchauftrag/bestaetigen?t=x"])
def test_alert_pages_are_not_indexed_or_cached(client, path):
    page = client.get(path)
    assert page.headers["X-Robots-Tag"] == "noindex" and page.headers["Cache-Control"] == "no-store"
    assert '<meta name="robots" content="noindex">' in page.text


def test_the_privacy_page_explains_the_alerts(client):
    html = client.get("/datenschutz").text
    section = html[html.index('id="suchauftraege"') :]
    for words in ("E-Mail-Adresse", "48 Stunden", "bis Sie ihn abbestellen", "mit einem Klick"):
        assert words in section


def test_the_form_address_opened_directly_leads_to_the_search(client):
    response = client.get("/suchauftrag", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
