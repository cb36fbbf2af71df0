"""The operations page in real Chromium (issue 19, item 1): axe-core finds nothing at 360 and 1280 px,
and neither page scrolls sideways on a phone, with long page addresses and 30 runs per source."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.hr.conftest import EMAILS, PASSWORD
from tests.runs_support import nightly, record
from tests.web.test_browser import axe_violations
from vacancies.runs import RunStore

pytestmark = pytest.mark.browser

TOELZ = "bad-toelz-wolfratshausen"
LONG_URL = "https://www.lra-toelz.de/karriere/stellenangebote/" + "verwaltungsfachangestellte-" * 6


@pytest.fixture
def admin_page(browser, live_portal):
    portal, base = live_portal
    store = RunStore(portal.board.store.engine)
    founds = [10 + (n % 5) for n in range(29)]
    nightly(store, f"{TOELZ}-web", TOELZ, founds, new=2, expired=1, drop_reasons={"ohne Titel": 1})
    record(store, f"{TOELZ}-web", TOELZ, ago=timedelta(minutes=30), found=4,
           errors=[[LONG_URL, "HTTP 404"], [LONG_URL + "2", "robots.txt verbietet den Abruf"]])  # fmt: skip
    nightly(store, "starnberg-web", "starnberg", [7, 8])
    dns = "Stellenliste nicht abrufbar: Name „www.lk-starnberg.de“ nicht auflösbar (DNS)"
    record(store, "starnberg-web", "starnberg", ago=timedelta(minutes=20), status="failed", flag=dns, found=0)
    nightly(store, "landshut-web", "landshut", [4, 5])  # removed from districts.yaml
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    page = context.new_page()
    page.base = base  # axe_violations loads axe-core from the page's own origin
    page.goto(f"{base}/hr/anmelden")
    page.fill("#email", EMAILS["admin"])
    page.fill("#password", PASSWORD)
    page.click("button:text('Anmelden')")
    page.wait_for_url(f"{base}/hr/")
    yield page
    context.close()


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("path", ["/hr/betrieb", f"/hr/betrieb/{TOELZ}-web", "/hr/betrieb/starnberg-web",
                                  "/hr/betrieb/landshut-web"])  # fmt: skip
def test_operations_pages_pass_axe_and_fit_a_phone(admin_page, path, width):
    page = admin_page
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(page.base + path)
    assert response.status == 200
    assert axe_violations(page) == [], f"{path} at {width}px"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{path} scrolls at {width}px"


def test_the_overview_links_each_source_and_draws_its_chart(admin_page):
    page = admin_page
    page.click("text=Betrieb")
    page.wait_for_url(page.base + "/hr/betrieb")
    chart = page.locator(f"#verlauf-{TOELZ}-web-titel")
    assert chart.text_content() == f"Verlauf der letzten 30 Läufe von {TOELZ}-web"
    box = page.locator(f"tr:has(#verlauf-{TOELZ}-web-titel) svg.trend").bounding_box()
    assert box and box["width"] > 100 and box["height"] > 20  # drawn, not collapsed
    page.click(f"a[href='/hr/betrieb/{TOELZ}-web']")
    page.wait_for_url(page.base + f"/hr/betrieb/{TOELZ}-web")
    assert page.locator("h1").inner_text() == f"Quelle {TOELZ}-web"
