"""Signed links of the alert mails (itsdangerous, one salt per purpose, keyed by settings.secret_key).

A confirmation link expires after 48 hours and works once (the alert's `confirmed_at` records the use).
Manage and unsubscribe links carry the alert's random nonce: they stay valid as long as the alert exists
and die with it, so a link of a deleted alert can never reach a later one.
"""

from __future__ import annotations

from urllib.parse import urlencode

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from vacancies.alerts.model import AlertLinkError

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


class Links:
    """Signs and reads the tokens of one board (settings.secret_key)."""

    def __init__(self, secret_key: str) -> None:
        self.serializers = {
            purpose: URLSafeTimedSerializer(secret_key, salt=salt) for purpose, salt in SALTS.items()
        }

    def sign(self, purpose: str, alert_id: int, nonce: str) -> str:
        return self.serializers[purpose].dumps({"a": alert_id, "n": nonce})

    def read(self, purpose: str, token: str) -> tuple[int, str]:
        """(alert id, nonce) of a genuine token; AlertLinkError for a forged or expired one."""
        max_age = CONFIRM_MAX_AGE if purpose == "confirm" else None
        try:
            data = self.serializers[purpose].loads(token or "", max_age=max_age)
        except SignatureExpired:
            raise AlertLinkError(
                "Dieser Bestätigungslink ist abgelaufen (er gilt 48 Stunden). Bitte legen Sie den "
                "Suchauftrag neu an."
            ) from None
        except BadSignature:
            raise AlertLinkError(
                "Dieser Link ist ungültig. Bitte verwenden Sie den Link aus Ihrer E-Mail."
            ) from None
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("a"), int)
            or not isinstance(data.get("n"), str)
        ):
            raise AlertLinkError("Dieser Link ist ungültig. Bitte verwenden Sie den Link aus Ihrer E-Mail.")
        return data["a"], data["n"]
