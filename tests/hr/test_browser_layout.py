"""In real Chromium (issue 16): the editor's lists reach preview and public page in one layout, and the
HR tables neither break words at desktop width nor scroll sideways on a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.hr.conftest import DISTRICT_A, EMAILS, PASSWORD, crawled, vacancy_body
from tests.web.conftest import ARTIFACTS
from tests.web.test_browser import axe_violations
from vacancies.addresses import posting_path
from vacancies.model import State

pytestmark = pytest.mark.browser

DESCRIPTION = (
    "Ihre Aufgaben:\n- Haushaltsplanung und Haushaltsvollzug\n- Kassenprüfung\n\n"
    "## Ihr Profil\n1. Abschluss als Verwaltungsfachangestellte/r\n2. **Teamgeist**\n\n"
    "Wir freuen uns auf Sie."
)
LONG_TITLE = "Informationssicherheitsbeauftragtenstellvertretung (m/w/d) Kreisverwaltungsdigitalisierung"


@pytest.fixture
def page(browser, live_portal):
    portal, base = live_portal
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    page = context.new_page()
    page.base = base  # axe_violations loads axe-core from the page's own origin
    page.goto(f"{base}/hr/anmelden")
    page.fill("#email", EMAILS["own"])
    page.fill("#password", PASSWORD)
    page.click("button:text('Anmelden')")
    page.wait_for_url(f"{base}/hr/")
    yield page
    context.close()


# The description's layout as seen: its HTML and, per block, tag, width, height, left edge, list style.
DESCRIPTION_LAYOUT = """() => {
  const box = document.querySelector('article.posting .description');
  const blocks = [...box.querySelectorAll('p, ul, ol, li, h3')].map(e => {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return [e.tagName, e.textContent, Math.round(r.left), Math.round(r.width), Math.round(r.height),
            s.listStyleType, s.fontSize, s.fontWeight];
  });
  return {html: document.querySelector('article.posting').innerHTML, blocks};
}"""


def test_editor_preview_and_public_page_keep_the_list_in_one_layout(page, live_portal):
    portal, base = live_portal
    page.click("text=Neue Stelle anlegen")
    page.fill("#f-title", "Sachbearbeiter (m/w/d) Kämmerei")
    page.fill("#f-description", DESCRIPTION)
    page.fill("#f-location-postal_code", "63897")
    page.fill("#f-apply_url", "https://karriere.example.org/kaemmerei")
    page.click("button:text('Als Entwurf speichern')")
    page.wait_for_selector("text=Gespeichert.")
    vacancy_id = page.url.split("/hr/stellen/")[1].split("?")[0]
    assert page.input_value("#f-description") == DESCRIPTION  # the editor gives the text back as typed

    layouts = {}
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/hr/stellen/{vacancy_id}/vorschau")
        assert page.locator(".preview-banner").is_visible()
        items = page.locator("article.posting .description ul li")
        assert items.all_inner_texts() == ["Haushaltsplanung und Haushaltsvollzug", "Kassenprüfung"]
        assert page.locator("article.posting .description ol li").all_inner_texts() == [
            "Abschluss als Verwaltungsfachangestellte/r",
            "Teamgeist",
        ]
        # "## " is an h2, shown as h3 below the page's own h2 (web.sanitize), as on the public page
        assert page.inner_text("article.posting .description h3") == "Ihr Profil"
        assert axe_violations(page) == [], f"preview at {width}px"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        layouts[width] = page.evaluate(DESCRIPTION_LAYOUT)

    page.goto(f"{base}/hr/stellen/{vacancy_id}")
    page.click("button:text('Jetzt veröffentlichen')")
    page.wait_for_selector("text=Die Stelle ist veröffentlicht")
    public = posting_path(vacancy_id, portal.board.get(vacancy_id).title)  # the readable address
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}{public}")
        assert page.evaluate(DESCRIPTION_LAYOUT) == layouts[width], f"preview differs at {width}px"


def _fill_overview(portal) -> None:
    postings, actor = portal.hr.postings, f"user:{EMAILS['own']}"
    titles = ["Sachbearbeiter (m/w/d) Kämmerei", LONG_TITLE, "Erzieherin (m/w/d) Kita", "Förster (m/w/d)"]
    ids = [postings.create(postings.parse(vacancy_body(title=t)), DISTRICT_A, actor).id for t in titles]
    postings.publish(ids[0], None, actor)
    postings.publish(ids[1], None, actor)
    postings.schedule(ids[2], portal.clock() + timedelta(days=3), None, actor)
    postings.set_state(ids[3], State.withdrawn, None, actor, "withdraw")
    portal.board.save([crawled(f"web:{n}", DISTRICT_A, title) for n, title in enumerate(titles)])
    portal.board.set_hidden("web:1", True)


# Words in table cells that the browser broke over two lines (each such word has two line boxes).
BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('table.list th, table.list td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\\S+/g;
      for (let m = re.exec(node.data); m; m = re.exec(node.data)) {
        const range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const boxes = [...range.getClientRects()].filter(r => r.width > 0);
        const lines = new Set(boxes.map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""
OVERFLOWING_HEADERS = """() => [...document.querySelectorAll('table.list thead th')]
  .filter(th => th.scrollWidth > th.clientWidth).map(th => th.textContent)"""


def test_hr_tables_break_no_word_at_desktop_width(page, live_portal):
    portal, base = live_portal
    _fill_overview(portal)
    portal.hr.accounts.create_token(DISTRICT_A, "Bewerbermanagement (Produktion)", f"user:{EMAILS['own']}")
    page.set_viewport_size({"width": 1280, "height": 900})
    for path, rows in (("/hr/", 8), ("/hr/protokoll", 5), ("/hr/zugaenge", 1)):
        page.goto(f"{base}{path}")
        assert page.locator("table.list tbody tr").count() >= rows, path
        assert page.evaluate(OVERFLOWING_HEADERS) == [], path
        assert page.evaluate(BROKEN_WORDS) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280, path
        assert axe_violations(page) == [], path
    page.goto(f"{base}/hr/")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "hr-uebersicht-1280.png"), full_page=True)


def test_hr_overview_is_cards_on_a_phone(page, live_portal):
    portal, base = live_portal
    _fill_overview(portal)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{base}/hr/")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "hr-uebersicht-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    cards = page.evaluate(
        """() => [...document.querySelectorAll('table.list tbody tr')].map(tr => {
             const r = tr.getBoundingClientRect();
             return {display: getComputedStyle(tr).display, width: Math.round(r.width), text: tr.innerText};
           })"""
    )
    assert len(cards) == 8
    for card in cards:
        assert card["display"] != "table-row" and card["width"] <= 360, card
        assert "Bewerbungsfrist" in card["text"], card  # each value says what it is
    assert not page.locator("table.list thead").first.is_visible()
    assert axe_violations(page) == []
