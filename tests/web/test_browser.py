"""The pages in a real browser (Debian's Chromium through Playwright): the search journey, back and
forward, keyboard use, the autocomplete, axe-core on every page type, layout at 320/360/1280 px.

Every test's page fails if any request leaves 127.0.0.1 (see the `page` fixture).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.conftest import ARTIFACTS, XSS
from vacancies.addresses import posting_path

pytestmark = pytest.mark.browser

FULL = posting_path("web:full", f"Kassierer (m/w/d) {XSS}")
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PAGE_TYPES = {
    "search": "/",
    "search-results": "/?q=Sachbearbeiter&working_time=part_time",
    "did-you-mean": "/?q=Erzieer",
    "no-results": "/?q=Jurist&district=miltenberg",
    "postal-code-in-q-by-distance": "/?q=Verwaltung+63897&sort=distance",
    "place-hint": "/?q=Sachbearbeiterin+Kleinostheim",
    "invalid": "/?near=Atlantis&per_page=abc",
    "posting": FULL,
    "posting-expired": posting_path("v10", "Sachbearbeiter (m/w/d) Kämmerei"),
    "districts": "/landkreise",
    "district": "/landkreise/bad-toelz-wolfratshausen",
    "about": "/ueber",
    "imprint": "/impressum",
    "privacy": "/datenschutz",
    "not-found": "/stellen/gibt-es-nicht",
}


def axe_violations(page) -> list[dict]:
    # Served as a same-origin script (intercepted, never sent), so a strict CSP still allows it.
    page.route("**/__axe__.js", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))
    page.add_script_tag(url=page.base + "/__axe__.js")
    return page.evaluate(
        """async () => (await axe.run(document)).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}))"""
    )


def current_path(page) -> str:
    return page.url.removeprefix(page.base)


@pytest.mark.parametrize("name", list(PAGE_TYPES))
@pytest.mark.parametrize("width", [1280, 360])
def test_axe_finds_no_violations(page, name, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(page.base + PAGE_TYPES[name])
    violations = axe_violations(page)
    assert violations == [], f"{name} at {width}px: {violations}"


def test_axe_with_the_autocomplete_open(page):
    page.goto(page.base + "/")
    page.locator("#q").press_sequentially("Sach")
    page.wait_for_selector("[role=listbox]:not([hidden]) [role=option]")
    page.keyboard.press("ArrowDown")
    assert axe_violations(page) == []


def test_search_filter_radius_sort_paging_posting_and_back(page):
    page.goto(page.base + "/?per_page=2")
    page.fill("#q", "")
    page.get_by_role("button", name="Suchen").click()
    assert "17 Stellen gefunden" in page.locator("h1").inner_text()

    page.get_by_label(re.compile(r"^Teilzeit \(")).check()
    page.get_by_role("button", name="Filter anwenden").click()
    assert "working_time=part_time" in page.url
    assert "7 Stellen gefunden" in page.locator("h1").inner_text()

    page.fill("#near", "82256")
    page.select_option("#radius_km", "50")
    page.get_by_role("button", name="Suchen").click()
    assert "near=82256" in page.url and "radius_km=50" in page.url
    assert "im Umkreis von 50 km um 82256" in page.locator(".result-count").inner_text()
    total = int(page.locator("h1").inner_text().split()[0])
    assert 2 < total < 7

    page.get_by_role("link", name="Bewerbungsfrist", exact=True).click()
    assert "sort=deadline" in page.url
    page.get_by_role("link", name="Nächste Seite").click()
    assert "page=2" in page.url
    results_url = page.url
    assert page.locator(".pager [aria-current=page]").inner_text().endswith("2")

    first = page.locator(".result-title a").first
    title = first.inner_text()
    first.click()
    assert "/stellen/" in page.url
    assert page.locator("h1").inner_text() == title
    page.get_by_role("link", name="Zurück zu den Treffern").click()  # the same results, not a new search
    assert page.url == results_url
    page.go_back()

    page.go_back()
    assert page.url == results_url
    assert page.input_value("#near") == "82256"
    assert page.input_value("#radius_km") == "50"
    assert page.locator("input[name=working_time][value=part_time]").is_checked()
    assert page.locator(".sort [aria-current]").inner_text() == "Bewerbungsfrist"
    page.go_back()
    assert not re.search(r"[?&]page=", page.url) and "sort=deadline" in page.url
    page.go_forward()
    assert page.url == results_url


def test_apply_button_is_in_the_first_screen_on_a_desktop(page):
    page.goto(page.base + FULL)
    button = page.locator(".apply-top .button").bounding_box()
    assert button["y"] + button["height"] <= 900


def test_apply_button_comes_before_the_facts_on_a_phone(page):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(page.base + FULL)
    button = page.locator(".apply-top .button").bounding_box()
    facts = page.locator(".facts dl").bounding_box()
    assert button["y"] + button["height"] <= min(facts["y"], 740)
    assert button["width"] >= 300  # a full-width target on a phone


def test_keyboard_only_from_search_to_a_posting(page):
    page.goto(page.base + "/?q=Sachbearbeiter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhalt"
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
                 return {inResult: !!e.closest('.result-title'), href: e.getAttribute('href'),
                         outline: s.outlineStyle + ' ' + s.outlineWidth}; }"""
        )
        assert focused["outline"] != "none 0px", f"focus not visible on {focused}"
        if focused["inResult"]:
            break
    else:
        pytest.fail("no result link reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/stellen/"))
    assert page.url.endswith(focused["href"])
    assert "Sachbearbeiter" in page.locator("h1").inner_text()


def test_search_form_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/")
    page.fill("#q", "Erzieherin")
    page.fill("#near", "Starnberg")
    page.get_by_role("button", name="Suchen").click()
    assert "1 Stelle gefunden" in page.locator("h1").inner_text()
    page.locator("#filter summary").click()
    page.get_by_label(re.compile(r"^Vollzeit")).check()
    page.get_by_role("button", name="Filter anwenden").click()
    assert "working_time=full_time" in page.url and "q=Erzieherin" in page.url
    context.close()


def test_autocomplete_titles_by_keyboard(page):
    page.goto(page.base + "/")
    box = page.locator("#q")
    box.press_sequentially("Sach")
    listbox = page.locator("[role=listbox]:not([hidden])")
    listbox.wait_for()
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id")
    options = listbox.locator("[role=option]")
    assert options.count() == 2
    status = page.locator("[role=status][aria-live=polite]").first
    assert status.inner_text() == "2 Vorschläge verfügbar. Mit Pfeiltasten auswählen."

    box.press("ArrowDown")
    box.press("ArrowDown")
    second = options.nth(1)
    assert box.get_attribute("aria-activedescendant") == second.get_attribute("id")
    assert second.get_attribute("aria-selected") == "true"
    chosen = second.inner_text()
    box.press("Enter")
    assert box.input_value() == chosen
    assert box.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("aria-activedescendant") is None
    assert "/?" not in page.url  # Enter picked a suggestion, it did not submit

    box.press("Enter")  # the list is closed: Enter submits the search
    page.wait_for_url(re.compile(r"q=Sachbearbeiter"))
    assert "1 Stelle gefunden" in page.locator("h1").inner_text()


def test_autocomplete_places_and_escape(page):
    page.goto(page.base + "/")
    near = page.locator("#near")
    near.press_sequentially("6389")
    page.locator("[role=listbox]:not([hidden]) [role=option]").first.wait_for()
    near.press("Escape")
    assert near.get_attribute("aria-expanded") == "false"
    assert near.input_value() == "6389"
    near.press("ArrowDown")  # reopens the list on the first option
    assert near.get_attribute("aria-expanded") == "true"
    near.press("Enter")
    assert near.input_value().startswith("6389")
    assert re.fullmatch(r"\d{5} .+", near.input_value())


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize(
    ("name", "url"),
    [("suche", "/?q=Sachbearbeiter"), ("stelle", FULL), ("landkreise", "/landkreise")],
)
def test_layout_and_screenshots(page, width, name, url):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(page.base + url)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("url", ["/", FULL, "/landkreise"])
def test_reflow_at_320_css_pixels(page, url):
    """WCAG 1.4.10: 1280 px at 400 % zoom is 320 CSS px; nothing may need horizontal scrolling."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(page.base + url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


LONG_WORD = "Informationssicherheitsbeauftragtenstellvertretung"  # a real-world length of compound


@pytest.mark.parametrize(("url", "selectors"), [
    (FULL, "h1, .facts dd"),
    ("/?q=Sachbearbeiter", "h1, .result-title a, .badges li"),
    ("/landkreise/miltenberg", "h1, .result-title a"),
])  # fmt: skip
def test_long_german_compounds_break_instead_of_widening_the_page(page, url, selectors):
    """Titles come from the districts: one long compound must not push the layout past 320 px."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(page.base + url)
    changed = page.evaluate(
        "([sel, word]) => { const nodes = document.querySelectorAll(sel);"
        " nodes.forEach(n => { n.textContent = word; }); return nodes.length; }",
        [selectors, LONG_WORD],
    )
    assert changed >= 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_whole_search_page_weight(page):
    sizes: dict[str, int] = {}
    page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body())))
    page.goto(page.base + "/", wait_until="networkidle")
    assert sum(sizes.values()) <= 150 * 1024, sizes
