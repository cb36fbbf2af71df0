"""Issue 16 in a real browser (Debian's Chromium): the self-hosted API docs, the Landkreise map and the
pages every public authority's site needs. The `page` fixture fails a test on any request that leaves
127.0.0.1 and on any message of the Content Security Policy.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_api_docs_render_from_our_own_origin(page):
    page.goto(page.base + "/api/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    assert page.locator(".opblock-summary-path", has_text="/api/v1/vacancies").count() >= 1
    assert "Stellenbörse API" in page.locator(".info .title").first.inner_text()
