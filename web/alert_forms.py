"""The job-alert forms (Suchaufträge): their CSRF protection, their search parameters, the search in words.

CSRF without a cookie. The subscribe form sits on the search results page, and the privacy page promises
that the search sets no cookies; so the HR portal's cookie-bound tokens do not fit. Instead:

- Every POST is refused when the browser says it comes from elsewhere: an `Origin` of another host (or
  `null`), or `Sec-Fetch-Site: cross-site`/`same-site` (OWASP's "verify origin with standard headers"
  and Fetch Metadata checks; every current browser sends one of them on a form POST).
- The subscribe form carries a token: an HMAC (settings.secret_key) of the client address and the hour
  it was issued, valid for a day. A foreign page cannot read it for its visitor's address, so it cannot
  make its visitors' browsers subscribe addresses past our per-client limit. A reader whose address
  changed meanwhile (mobile network) gets the form again, filled in, with a fresh token.
- The manage page's forms carry an HMAC of the page's own link token: whoever can post them already
  holds the link, and a foreign page cannot learn it.
- The one-click unsubscribe POST (RFC 8058) has no token by design: mail providers post it from their
  servers; the signed link in its URL is the whole authority.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.requests import Request

from api import client
from vacancies.alerts.service import IGNORED_PARAMS
from web import present

TOKEN_HOURS = 24
FREQUENCIES = {"daily": "täglich", "weekly": "wöchentlich"}
# Paging and order do not change which new postings match a search, and a mail only has open postings:
# an alert keeps none of these (the domain's rule, vacancies.alerts.service.IGNORED_PARAMS).
NOT_KEPT = tuple(sorted(IGNORED_PARAMS))
FORM_FAILED = (
    "Die Sicherheitsprüfung des Formulars ist fehlgeschlagen (abgelaufen oder von einer fremden Seite). "
    "Bitte senden Sie das Formular noch einmal ab."
)


# -- CSRF ---------------------------------------------------------------------------------------------


def same_origin(request: Request) -> bool:
    """False when the browser tells us the POST comes from another site."""
    origin = request.headers.get("origin")
    if origin is not None and (origin == "null" or urlsplit(origin).netloc != request.headers.get("host")):
        return False
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


def _mac(request: Request, message: str) -> str:
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def subscribe_token(request: Request, now: float | None = None) -> str:
    """The subscribe form's token; hour-granular, so the page's ETag stays put within an hour."""
    issued = int(now if now is not None else time.time()) // 3600 * 3600
    address = client.client_address(request, request.app.state.settings)
    return f"{issued}.{_mac(request, f'alert-subscribe:{address}:{issued}')}"


def subscribe_token_ok(request: Request, token: str, now: float | None = None) -> bool:
    issued, _, mac = token.partition(".")
    if not same_origin(request) or not issued.isdigit() or len(token) > 100:
        return False
    age = (now if now is not None else time.time()) - int(issued)
    if not 0 <= age < (TOKEN_HOURS + 1) * 3600:
        return False
    address = client.client_address(request, request.app.state.settings)
    return hmac.compare_digest(mac, _mac(request, f"alert-subscribe:{address}:{issued}"))


def manage_token(request: Request, link_token: str) -> str:
    return _mac(request, f"alert-manage:{link_token}")


def manage_token_ok(request: Request, link_token: str, token: str) -> bool:
    return same_origin(request) and hmac.compare_digest(token, manage_token(request, link_token))


# -- the search an alert keeps ------------------------------------------------------------------------


def kept_pairs(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The parameters of a search that an alert stores (no paging, no order, no empty fields)."""
    return [(k, v) for k, v in pairs if k not in NOT_KEPT and v.strip()]


def as_params(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    return params


def describe(params: dict[str, list[str]]) -> list[str]:
    """The search in words, one line per criterion: "Suchbegriff: Verwaltung", "Ort: 85354 (25 km)"."""
    lines = []
    radius = (params.get("radius_km") or ["25"])[-1]
    order = list(present.FIELD_LABELS)  # as the search form reads: words, place, then the filters
    for name in sorted(params, key=lambda n: order.index(n) if n in order else len(order)):
        if name in ("radius_km", *NOT_KEPT):
            continue
        for value in params[name]:
            line = present.param_label(name, value)
            if name == "near":
                line = f"Ort: {value} (Umkreis {radius.removesuffix('.0')} km)"
            lines.append(line)
    return lines or ["alle neuen Stellen (ohne Einschränkung)"]
