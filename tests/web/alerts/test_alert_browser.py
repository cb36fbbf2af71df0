"""The Suchauftrag journey in Chromium against a live server and a real local SMTP server (issue 18,
item 6): subscribe under the results → the confirmation mail arrives → its link confirms → the digest run
mails a new posting → the one-click POST (RFC 8058) deletes the alert. And axe-core on every new page at
360 and 1280 px.

Every test's page fails if any request leaves 127.0.0.1 (as in tests/web/test_browser.py).
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.web.alerts.conftest import link_in, local, text_of
from tests.web.alerts.test_alert_api import alerts_of
from tests.web.conftest import today
from tests.web.test_browser import axe_violations
from vacancies.model import Vacancy
from vacancies.store import utcnow

pytestmark = pytest.mark.browser
RESULTS = "/?q=Sachbearbeiter&working_time=part_time"
_people = itertools.count(1)


@pytest.fixture
def page(browser, alert_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    page = context.new_page()
    page.outside_requests = []
    page.on(
        "request", lambda r: r.url.startswith((alert_server, "data:")) or page.outside_requests.append(r.url)
    )
    page.base = alert_server
    yield page
    context.close()
    assert page.outside_requests == [], f"requests left 127.0.0.1: {page.outside_requests}"


def new_posting(vacancy_id: str) -> Vacancy:
    return Vacancy.model_validate(
        {
            "id": vacancy_id,
            "source": "alert-tests",
            "source_url": f"https://www.lra-fs.de/stellen/{vacancy_id}",
            "district": "freising",
            "employer": "Landratsamt Freising",
            "title": "Sachbearbeiter (m/w/d) Bauaufsicht",
            "description": "<p>Prüfung von Bauanträgen.</p>",
            "working_time": ["full_time", "part_time"],
            "location": {"postal_code": "85354", "city": "Freising"},
            "date_posted": today().isoformat(),
            "deadline": (today() + timedelta(days=20)).isoformat(),
        }
    )


def test_subscribe_confirm_digest_and_one_click_unsubscribe(page, alert_app, alert_board, mailbox):
    email = f"reise{next(_people)}@example.de"
    page.goto(page.base + RESULTS)
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("wöchentlich").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Suchauftrag anlegen").click()
    assert page.url.endswith("/suchauftrag/bitte-bestaetigen#inhalt")
    assert page.locator("h1").inner_text() == "Bitte bestätigen Sie Ihre Adresse"

    [confirmation] = mailbox.wait_for(email)
    page.goto(page.base + local(link_in(confirmation, "/suchauftrag/bestaetigen")))
    assert page.locator("h1").inner_text() == "Ihr Suchauftrag ist bestätigt"
    assert "wöchentlich" in page.locator("main").inner_text()

    alert_board.save([new_posting("alert-journey:1")])  # first seen after the confirmation: new for it
    alert_app.state.alerts.send_digests(utcnow() + timedelta(days=7))  # the nightly run a week later
    digest = mailbox.wait_for(email, 2)[-1]
    assert "Sachbearbeiter (m/w/d) Bauaufsicht" in text_of(digest)
    assert digest.get_content_type() == "multipart/alternative"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = digest["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("https://stellen.example/suchauftrag/abmelden?t=")

    # the mail provider posts the one-click form from its own servers: no Origin, no token, no cookie
    answer = page.request.post(page.base + local(unsubscribe), form={"List-Unsubscribe": "One-Click"})
    assert answer.status == 200
    assert alerts_of(alert_board, email) == []
    page.goto(page.base + local(link_in(digest, "/suchauftrag/verwalten")))
    assert page.locator("h1").inner_text() == "Dieser Link funktioniert nicht"


def test_a_bad_address_is_shown_next_to_the_field_without_javascript(browser, alert_server):
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    page = context.new_page()
    page.goto(alert_server + RESULTS)
    page.get_by_label("E-Mail-Adresse").fill("erika@beispiel")
    with page.expect_navigation():
        page.get_by_role("button", name="Suchauftrag anlegen").click()
    field = page.get_by_label("E-Mail-Adresse")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.input_value() == "erika@beispiel"
    assert "E-Mail-Adresse" in page.locator("#alert-email-error").inner_text()
    context.close()


# -- axe-core on the new pages ---------------------------------------------------------------------------


def _subscribed(alert_app, mailbox) -> tuple[str, str]:
    """A fresh alert through the API; (its confirm path, the address)."""
    email = f"axe{next(_people)}@example.de"
    client = TestClient(alert_app, client=(f"10.77.0.{next(_people) % 250 + 1}", 1))
    body = {"email": email, "query": {"q": "Erzieher", "near": "Starnberg"}}
    assert client.post("/api/v1/alerts", json=body).status_code == 202
    return local(link_in(mailbox.wait_for(email)[0], "/suchauftrag/bestaetigen")), email


def _manage_path(page) -> str:
    return page.locator("a", has_text="Suchauftrag verwalten").get_attribute("href")


@pytest.mark.parametrize("width", [1280, 360])
def test_axe_finds_no_violations_on_the_alert_pages(page, alert_app, mailbox, width):
    page.set_viewport_size({"width": width, "height": 900})
    checked = []

    def check(name: str) -> None:
        violations = axe_violations(page)
        assert violations == [], f"{name} at {width}px: {violations}"
        checked.append(name)

    page.goto(page.base + RESULTS)
    page.get_by_label("E-Mail-Adresse").fill("kaputt")
    with page.expect_navigation():  # axe must not be injected into the page being left
        page.get_by_role("button", name="Suchauftrag anlegen").click()
    check("form-error")
    page.goto(page.base + "/suchauftrag/bitte-bestaetigen")
    check("pending")
    confirm, _ = _subscribed(alert_app, mailbox)
    page.goto(page.base + confirm)
    check("confirmed")
    manage = _manage_path(page)
    page.goto(page.base + manage)
    check("manage")
    page.get_by_label("wöchentlich").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Häufigkeit speichern").click()
    assert "Die Änderung ist gespeichert." in page.locator("main").inner_text()
    check("manage-saved")
    page.goto(page.base + confirm)
    check("link-error")
    alerts = alert_app.state.alerts
    alert, _ = alerts.by_manage_token(manage.split("t=", 1)[1])
    page.goto(page.base + f"/suchauftrag/abmelden?t={alerts.unsubscribe_token(alert)}")
    check("unsubscribe")
    with page.expect_navigation():
        page.get_by_role("button", name="Suchauftrag löschen").click()
    assert page.locator("h1").inner_text() == "Sie sind abgemeldet"
    check("unsubscribed")
    page.goto(page.base + "/datenschutz")
    check("privacy")
    assert len(checked) == 9
