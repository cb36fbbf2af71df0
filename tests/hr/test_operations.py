"""The operations page /hr/betrieb (issue 19, item 1) over real HTTP on a real SQLite board, with runs
recorded through the crawler's RunStore: admins only, every source's state, its runs and problems."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.runs_support import nightly, record
from vacancies.clock import BERLIN
from vacancies.runs import RunStore

TOELZ = "bad-toelz-wolfratshausen"  # a source of config/districts.yaml (strategy auto)
ROBOTS = ["https://www.lra-toelz.de/intern/stelle-1", "robots.txt verbietet den Abruf"]
BROKEN = ["https://www.lra-toelz.de/stellen/" + "sehr-lange-adresse-" * 8, "HTTP 404"]


@pytest.fixture
def runs(portal):
    """Tölz: five good nights, then one with a failed page and a robots.txt refusal (degraded).
    Starnberg: its last run failed (failing). Landshut: not in districts.yaml any more (removed)."""
    store = RunStore(portal.board.store.engine)
    recorded = {
        "toelz": nightly(store, f"{TOELZ}-web", TOELZ, [10, 12, 11, 13, 12], new=2, expired=1),
        "starnberg": nightly(store, "starnberg-web", "starnberg", [7, 8]),
        "landshut": nightly(store, "landshut-web", "landshut", [4, 5]),
    }
    recorded["toelz"].append(record(store, f"{TOELZ}-web", TOELZ, ago=timedelta(minutes=30), found=12,
        errors=[BROKEN, ROBOTS], drop_reasons={"ohne Titel": 2, "von HR verwaltet": 1}))  # fmt: skip
    recorded["starnberg"].append(record(store, "starnberg-web", "starnberg", ago=timedelta(minutes=20),
        status="failed", flag="Stellenliste nicht abrufbar: HTTP 503", found=0))  # fmt: skip
    return recorded


def _row(html: str, source: str) -> str:
    match = re.search(rf'<tr>\s*<th scope="row"><a href="/hr/betrieb/{source}">.*?</tr>', html, re.S)
    assert match, f"no row for {source}"
    return match.group(0)


def test_admins_see_every_source_with_state_last_run_found_and_trend(portal, runs):
    response = portal.client("admin").get("/hr/betrieb")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    html = response.text
    toelz = _row(html, f"{TOELZ}-web")
    assert "eingeschränkt" in toelz and "2 Seiten nicht abgerufen oder nicht lesbar" in toelz
    last = runs["toelz"][-1].started_at.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
    assert f"Letzter Lauf: </span>{last}" in toelz
    assert "Gefunden: </span>12" in toelz
    assert "Bad Tölz-Wolfratshausen" in toelz  # the district's name, not its slug
    starnberg = _row(html, "starnberg-web")
    assert "gestört" in starnberg and "Stellenliste nicht abrufbar: HTTP 503" in starnberg
    assert 'class="removed">entfernt' in _row(html, "landshut-web")
    assert "noch kein Lauf" in _row(html, "miltenberg-web")  # configured, never crawled
    # worst first
    order = re.findall(r'<th scope="row"><a href="/hr/betrieb/([^"]+)"', html)
    assert order.index("starnberg-web") < order.index(f"{TOELZ}-web") < order.index("landshut-web")


def test_the_trend_chart_is_drawn_on_the_server_and_named_for_screen_readers(portal, runs):
    html = _row(portal.client("admin").get("/hr/betrieb").text, f"{TOELZ}-web")
    svg = re.search(r"<svg class=\"trend\".*?</svg>", html, re.S).group(0)
    chart_id = f"verlauf-{TOELZ}-web"
    assert f'role="img" aria-labelledby="{chart_id}-titel {chart_id}-text"' in svg
    assert f'<title id="{chart_id}-titel">Verlauf der letzten 6 Läufe von {TOELZ}-web</title>' in svg
    assert "gefunden: zuletzt 12, zuerst 10, höchstens 13" in svg and "kein Lauf fehlgeschlagen" in svg
    # one line per series, each with a marker per run of its own shape
    assert svg.count("<polyline") == 4
    assert svg.count("<circle") == 6 and svg.count("<rect") == 6
    found = re.search(r'series-found">\s*<polyline points="([^"]+)"', svg).group(1).split()
    heights = [float(point.split(",")[1]) for point in found]
    assert heights[3] == min(heights)  # 13 postings: the highest point (SVG y grows downwards)


def test_one_source_shows_its_runs_failed_pages_robots_refusals_drops_and_strategy(portal, runs):
    response = portal.client("admin").get(f"/hr/betrieb/{TOELZ}-web")
    assert response.status_code == 200
    html = response.text
    assert "Strategie</dt><dd>auto" in html
    assert html.count('<th scope="row" class="nowrap">') == 6  # one row per run
    problems = html.split("<h2>Probleme der Läufe</h2>", 1)[1]
    failed_list = problems.split("Fehlgeschlagene Seiten</h4>", 1)[1].split("</ul>", 1)[0]
    assert f'<span class="url">{BROKEN[0]}</span> – HTTP 404' in failed_list
    robots_list = problems.split("Von robots.txt verweigert</h4>", 1)[1].split("</ul>", 1)[0]
    assert f'<span class="url">{ROBOTS[0]}</span> – {ROBOTS[1]}' in robots_list
    assert ROBOTS[0] not in failed_list and BROKEN[0] not in robots_list
    assert "ohne Titel: 2, von HR verwaltet: 1" in html
    assert f'href="#lauf-{runs["toelz"][-1].id}"' in html


def test_a_removed_source_still_shows_its_history(portal, runs):
    html = portal.client("admin").get("/hr/betrieb/landshut-web").text
    assert 'Quelle landshut-web <span class="removed">entfernt</span>' in html
    assert "nicht mehr in districts.yaml" in html
    assert html.count('<th scope="row" class="nowrap">') == 2


def test_a_failed_run_is_marked_in_the_chart_and_listed(portal, runs):
    html = portal.client("admin").get("/hr/betrieb/starnberg-web").text
    assert html.count('class="failed-mark"') == 1 + 1  # the run's mark and the legend's sample
    assert "Stellenliste nicht abrufbar: HTTP 503" in html.split("<h2>Probleme der Läufe</h2>", 1)[1]


def test_district_hr_gets_403_in_german_and_no_link(portal, runs):
    client = portal.client("own")
    for path in ("/hr/betrieb", f"/hr/betrieb/{TOELZ}-web", "/hr/betrieb/gibt-es-nicht"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "nur für die Administration zugänglich" in response.text
        assert "bad-toelz" not in response.text.split("<main", 1)[1]
    assert 'href="/hr/betrieb"' not in client.get("/hr/").text
    assert 'href="/hr/betrieb"' in portal.client("admin").get("/hr/").text


def test_without_login_the_page_asks_for_it(portal, runs):
    response = portal.client().get("/hr/betrieb")
    assert response.status_code == 303
    assert response.headers["location"] == "/hr/anmelden?weiter=/hr/betrieb"


def test_an_unknown_source_is_404(portal, runs):
    client = portal.client("admin")
    assert client.get("/hr/betrieb/gibt-es-nicht").status_code == 404
    assert client.get("/hr/betrieb/" + "x" * 5000).status_code == 404


def test_a_fresh_installation_lists_the_configured_sources_without_runs(portal):
    html = portal.client("admin").get("/hr/betrieb").text
    assert "noch kein Lauf" in _row(html, "miltenberg-web")
    assert '<svg class="trend"' not in html
    page = portal.client("admin").get("/hr/betrieb/miltenberg-web")
    assert page.status_code == 200 and "Noch kein Lauf." in page.text
