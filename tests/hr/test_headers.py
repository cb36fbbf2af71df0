"""Security headers on every response of the app (public API, HR pages, errors, documents)."""

from __future__ import annotations

import pytest

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/vacancies", "/api/v1/vacancies/gibt-es-nicht", "/api/v1/health", "/hr/anmelden", "/hr/",
     "/hr/stellen/nie", "/hr/static/hr.css", "/api/v1/hr/vacancies", "/gibt/es/nicht"],
)  # fmt: skip
def test_every_response_carries_the_security_headers(portal, path):
    response = portal.client("own").get(path)
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["x-frame-options"] == "DENY"


def test_csp_has_no_inline_script_allowance(portal):
    policy = portal.client().get("/hr/anmelden").headers["content-security-policy"]
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script and "unsafe-eval" not in script


def test_hr_pages_have_no_inline_script_or_style(portal):
    client = portal.client("own")
    for path in ("/hr/anmelden", "/hr/", "/hr/stellen/neu", "/hr/zugaenge", "/hr/protokoll"):
        html = client.get(path).text
        assert "<script" not in html and "style=" not in html and " on" + "click" not in html, path


def test_hr_pages_are_not_cached(portal):
    assert portal.client("own").get("/hr/").headers["cache-control"] == "no-store"
