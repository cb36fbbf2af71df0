"""Small things job seekers noticed (issue 16, item 14): icon, clean search addresses, the 404 wording,
a posting on paper. HTTP through the app, the rest in Debian's Chromium."""

from __future__ import annotations

import struct
import zlib

import pytest

from tests.web.conftest import XSS
from vacancies.addresses import posting_path

FULL = posting_path("web:full", f"Kassierer (m/w/d) {XSS}")  # the posting's readable address


def test_favicon_is_a_real_ico_with_a_32px_png(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/x-icon"
    reserved, kind, count = struct.unpack("<HHH", answer.content[:6])
    width, height, *_rest, size, offset = struct.unpack("<BBBBHHII", answer.content[6:22])
    assert (reserved, kind, count, width, height) == (0, 1, 1, 32, 32)
    png = answer.content[offset : offset + size]
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(answer.content) == offset + size
    idat = png.index(b"IDAT")
    length = struct.unpack(">I", png[idat - 4 : idat])[0]
    assert len(zlib.decompress(png[idat + 4 : idat + 4 + length])) == 32 * (1 + 32 * 4)


def test_every_page_links_the_svg_icon(client):
    svg = client.get("/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg") and 'fill="#0b4f8a"' in svg.text
    for path in ("/", "/landkreise", FULL, "/gibt-es-nicht"):
        assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in client.get(path).text, path


def test_search_without_empty_parameters_redirects_to_the_clean_address(client):
    sent = "/?q=&near=&radius_km=25&district=miltenberg&district=&posting_type="
    answer = client.get(sent, follow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["location"] == "/?radius_km=25&district=miltenberg"
    assert client.get("/?q=", follow_redirects=False).headers["location"] == "/"
    assert client.get("/?q=Kasse&district=miltenberg", follow_redirects=False).status_code == 200


def test_unknown_landkreis_is_not_called_a_filled_post(client):
    answer = client.get("/landkreise/atlantis")
    assert answer.status_code == 404
    assert "Diesen Landkreis kennt die Stellenbörse nicht." in answer.text and "besetzt" not in answer.text
    assert "bereits besetzt" in client.get("/stellen/gibt-es-nicht").text


@pytest.mark.browser
def test_search_form_sends_only_filled_fields_without_a_redirect(page):
    page.goto(page.base + "/")
    page.fill("#q", "Sachbearbeiter")
    page.get_by_role("button", name="Suchen").click()
    page.wait_for_load_state()
    query = page.url.split("?", 1)[1]
    assert all(value for _, _, value in (p.partition("=") for p in query.split("&"))), page.url
    assert "q=Sachbearbeiter" in query
    # The script left the empty fields out; the server did not have to redirect.
    assert page.evaluate("performance.getEntriesByType('navigation')[0].redirectCount") == 0
    page.go_back()
    page.wait_for_load_state()
    assert page.locator("form.search :disabled").count() == 0  # usable again after "back"


@pytest.mark.browser
def test_posting_prints_without_navigation_and_with_link_addresses(page):
    page.goto(page.base + FULL)
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """() => ['.site-header nav', '.site-footer nav', '.back', '.similar', '.more']
            .filter(s => document.querySelector(s))
            .map(s => getComputedStyle(document.querySelector(s)).display)"""
    )
    assert hidden and set(hidden) == {"none"}
    after = page.evaluate("getComputedStyle(document.querySelector('.apply a'), '::after').content")
    assert "https://www.landkreis-miltenberg.de/bewerben/4711" in after
    page.emulate_media(media="screen")
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header nav')).display") != "none"


@pytest.mark.browser
def test_without_javascript_the_server_cleans_the_address(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/")
    page.fill("#q", "Erzieherin")
    page.get_by_role("button", name="Suchen").click()
    page.wait_for_load_state()
    query = page.url.split("?", 1)[1]
    context.close()
    assert "q=Erzieherin" in query and all(p.partition("=")[2] for p in query.split("&")), query
