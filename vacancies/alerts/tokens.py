"""Signed links of the alert mails (itsdangerous, one salt per purpose, keyed by settings.secret_key).

A confirmation link expires after 48 hours and works once (the alert's `confirmed_at` records the use).
Manage and unsubscribe links carry the alert's random nonce: they stay valid as long as the alert exists
and die with it, so a link of a deleted alert can never reach a later one.
"""

from __future__ import annotations

from urllib.parse import urlencode

CONFIRM_MAX_AGE = 48 * 3600
SALTS = {
    "confirm": "stellenboerse.alert.confirm",
    "manage": "stellenboerse.alert.manage",
    "unsubscribe": "stellenboerse.alert.unsubscribe",
}


def confirm_url(base_url: str, token: str) -> str:
    return _url(base_url, "/suchauftrag/bestaetigen", token)


def manage_url(base_url: str, token: str) -> str:
    return _url(base_url, "/suchauftrag/verwalten", token)


def unsubscribe_url(base_url: str, token: str) -> str:
    return _url(base_url, "/suchauftrag/abmelden", token)


def _url(base_url: str, path: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{path}?{urlencode({'t': token})}"
