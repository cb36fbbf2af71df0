"""Issue 16 in a real browser (Debian's Chromium): the self-hosted API docs, the Landkreise map and the
pages every public authority's site needs. The `page` fixture fails a test on any request that leaves
127.0.0.1 and on any message of the Content Security Policy.
"""

from __future__ import annotations

import pytest

from tests.web.test_browser import axe_violations

pytestmark = pytest.mark.browser


def test_api_docs_render_from_our_own_origin(page):
    page.goto(page.base + "/api/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    assert page.locator(".opblock-summary-path", has_text="/api/v1/vacancies").count() >= 1
    assert "Stellenbörse API" in page.locator(".info .title").first.inner_text()


@pytest.mark.parametrize("width", [360, 1280])
def test_map_names_one_landkreis_at_a_time_on_focus_readable_on_a_phone(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(page.base + "/landkreise")
    labels = page.locator(".map-label")
    assert labels.count() == 71 and page.locator(".map-label:visible").count() == 0
    page.locator('.map a[href="/landkreise/miltenberg"]').focus()
    shown = page.locator(".map-label:visible")
    assert shown.count() == 1 and shown.text_content() == "Miltenberg"
    box = shown.bounding_box()
    assert box["height"] >= 12  # CSS px on screen, also when the map is phone-wide
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    page.keyboard.press("Tab")  # the next Landkreis takes over; the first name goes
    assert page.locator(".map-label:visible").count() == 1
    assert page.locator(".map-label:visible").text_content() != "Miltenberg"


def test_map_district_is_a_link_to_its_page(page):
    page.goto(page.base + "/landkreise")
    page.locator('.map a[href="/landkreise/bad-toelz-wolfratshausen"]').click()
    page.wait_for_url("**/landkreise/bad-toelz-wolfratshausen")
    assert "Bad Tölz-Wolfratshausen" in page.locator("h1").inner_text()


LEGAL_PAGES = ["/impressum", "/datenschutz", "/barrierefreiheit", "/leichte-sprache", "/gebaerdensprache"]


@pytest.mark.parametrize("url", [*LEGAL_PAGES, "/hr/anmelden"])  # the HR layout has the footer too
@pytest.mark.parametrize("width", [1280, 360])
def test_legal_pages_pass_axe_and_fit_the_screen(page, url, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(page.base + url)
    assert axe_violations(page) == [], f"{url} at {width}px"
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_footer_leads_to_the_accessibility_statement_by_keyboard(page):
    page.goto(page.base + "/")
    link = page.locator("footer").get_by_role("link", name="Barrierefreiheit")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/barrierefreiheit")
    assert page.locator("h1").inner_text() == "Erklärung zur Barrierefreiheit"
