"""In real Chromium: script payloads in every text field stay inert, and the whole posting flow works."""

from __future__ import annotations

import time

import httpx2
import pytest

from tests.hr.conftest import DISTRICT_A, EMAILS, PASSWORD, vacancy_body

pytestmark = pytest.mark.browser

PAYLOAD = (
    "\"'><script>window.__xss=1;alert(1)</script>"
    '<img src=x onerror="window.__xss=2;alert(2)"><svg onload=alert(3)>'
)
SHORT_PAYLOAD = "<script>alert(7)</script>"
URL_PAYLOAD = 'https://x.example/"><script>alert(4)</script><img/src=x/onerror=alert(5)>'
TEXT_FIELDS = ("title", "department", "employer", "category", "reference")


def _payload_vacancy(portal) -> str:
    body = vacancy_body(
        **{name: f"{name} {PAYLOAD}" for name in TEXT_FIELDS},
        description=f'<p>Beschreibung</p>{PAYLOAD}<a href="javascript:alert(6)">Link</a>',
        location={"postal_code": "63897", "street": f"Straße {PAYLOAD}", "city": f"Ort {PAYLOAD}"},
        contact={"name": f"Name {PAYLOAD}", "phone": SHORT_PAYLOAD},
        apply_url=URL_PAYLOAD,
    )
    postings = portal.hr.postings
    vacancy = postings.create(postings.parse(body), DISTRICT_A, f"user:{EMAILS['own']}")
    postings.publish(vacancy.id, None, "test")
    return vacancy.id


def _login(page, base: str) -> None:
    page.goto(f"{base}/hr/anmelden")
    page.fill("#email", EMAILS["own"])
    page.fill("#password", PASSWORD)
    page.click("button:text('Anmelden')")
    page.wait_for_url(f"{base}/hr/")


def _public_posting_paths(app, vacancy_id: str) -> list[str]:
    """The colleague's public posting page, if the app has one (a GET page route with one parameter)."""
    paths = []
    for route in app.routes:
        path = getattr(route, "path", "")
        if (
            "GET" in getattr(route, "methods", set())
            and path.count("{") == 1
            and not path.startswith(("/api", "/hr"))
        ):
            paths.append(path.replace(path[path.index("{") : path.index("}") + 1], vacancy_id))
    return paths


def _assert_inert(page) -> None:
    assert page.evaluate("() => window.__xss === undefined")
    injected = page.evaluate(
        """() => [...document.querySelectorAll('script:not([src]):not([type="application/ld+json"]),'
                 + '[onerror],[onload],svg,img[src$="/x"],a[href^="javascript:"]')].map(e => e.outerHTML)"""
    )
    assert injected == []


def test_script_payloads_stay_inert_in_the_browser(live_portal, browser):
    portal, base = live_portal
    vacancy_id = _payload_vacancy(portal)
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _login(page, base)
    paths = [f"/hr/stellen/{vacancy_id}/vorschau", f"/hr/stellen/{vacancy_id}", "/hr/", "/hr/protokoll",
             f"/api/v1/vacancies/{vacancy_id}", *_public_posting_paths(portal.app, vacancy_id)]  # fmt: skip
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("load")
        _assert_inert(page)
    page.goto(f"{base}/hr/stellen/{vacancy_id}/vorschau")
    assert "<script>" in page.inner_text("h1")  # shown as text, not run
    assert dialogs == []


def test_whole_posting_flow_in_chromium(live_portal, browser):
    portal, base = live_portal
    page = browser.new_page()
    _login(page, base)
    page.click("text=Neue Stelle anlegen")
    page.fill("#f-title", "Försterin (m/w/d) Kreisforstamt")
    page.fill("#f-description", "Pflege des **Kreiswaldes**.")
    page.check("input[name=working_time][value=full_time]")
    page.fill("#f-pay_grade_min", "A 10")
    page.select_option("#f-pay_scale", "BayBesG")
    page.fill("#f-location-postal_code", "63897")
    page.fill("#f-apply_url", "https://karriere.example.org/foerster")
    page.click("button:text('Als Entwurf speichern')")
    page.wait_for_selector("text=Gespeichert.")
    vacancy_id = page.url.split("/hr/stellen/")[1].split("?")[0]
    assert "Entwurf" in page.inner_text(".status-line")

    page.click("text=Vorschau")
    assert page.inner_text("h1") == "Försterin (m/w/d) Kreisforstamt"
    assert page.inner_text(".description strong") == "Kreiswaldes"
    assert "A10" in page.inner_text(".facts")
    page.click("text=Zurück zum Bearbeiten")

    page.click("button:text('Jetzt veröffentlichen')")
    page.wait_for_selector("text=Die Stelle ist veröffentlicht")
    started = time.monotonic()
    while vacancy_id not in _public_ids(base, "Försterin"):
        assert time.monotonic() - started < 1.0, "not in public search within 1 s"
        time.sleep(0.05)

    page.click("button:text('Stelle zurückziehen')")
    page.wait_for_selector("text=Die Stelle ist zurückgezogen")
    assert vacancy_id not in _public_ids(base, "Försterin")
    page.goto(f"{base}/hr/")
    assert "Zurückgezogen" in page.inner_text("table")


def test_validation_errors_are_shown_next_to_the_field_in_the_browser(live_portal, browser):
    _, base = live_portal
    page = browser.new_page()
    _login(page, base)
    page.goto(f"{base}/hr/stellen/neu")
    page.fill("#f-title", "Test")
    page.fill("#f-location-postal_code", "123")
    page.click("button:text('Als Entwurf speichern')")
    assert "fünfstellige Postleitzahl" in page.inner_text("#f-location-postal_code-fehler")
    assert page.get_attribute("#f-location-postal_code", "aria-invalid") == "true"
    assert "Bewerbungsadresse" in page.inner_text("#f-apply_url-fehler")


def _public_ids(base: str, q: str) -> set[str]:
    items = httpx2.get(f"{base}/api/v1/vacancies", params={"q": q}, timeout=5).json()["items"]
    return {item["id"] for item in items}
