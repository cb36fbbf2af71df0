"""The alert record and the errors a user can cause (German messages for pages and the API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

FREQUENCIES = ("daily", "weekly")


class AlertError(ValueError):
    """Bad input to a Suchauftrag; `field` is "email", "query" or "frequency" (for the inline form error)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message, self.field = message, field


class AlertRateLimited(AlertError):
    """Too many confirmation mails: per address one per 24 hours, per client address a few per hour."""


class AlertLinkError(ValueError):
    """A forged, expired or already used link (German message for the error page)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Alert:
    id: int
    email: str
    params: dict[str, list[str]]  # the canonical /api/v1/vacancies parameters (no paging, no sort)
    frequency: str  # "daily" | "weekly"
    confirmed_at: datetime | None
    created_at: datetime
    last_sent_at: datetime | None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    def search_path(self) -> str:
        """The whole search on the pages, e.g. "/?q=Verwaltung&near=Freising"."""
        pairs = [(name, value) for name, values in self.params.items() for value in values]
        return f"/?{urlencode(pairs)}" if pairs else "/"


@dataclass
class DeliveryStats:
    sent: int = 0
    failed: int = 0  # attempts that failed this run (the mail stays queued for a retry)
    given_up: int = 0  # mails that ran out of attempts
    waiting: int = 0  # still queued after this run (SMTP down or backing off)


@dataclass
class DigestStats:
    purged: int = 0  # unconfirmed alerts older than 48 hours, deleted
    due: int = 0  # confirmed alerts whose digest was due
    postings: int = 0  # new postings looked at
    queued: int = 0  # digests queued this run (alerts without new postings get none)
    delivery: DeliveryStats = field(default_factory=DeliveryStats)

    def summary(self) -> str:
        """German one-paragraph summary for the CLI."""
        d = self.delivery
        return (
            f"{self.purged} unbestätigte Suchaufträge gelöscht; {self.due} Suchaufträge fällig, "
            f"{self.postings} neue Stellen geprüft, {self.queued} Benachrichtigungen eingereiht; "
            f"{d.sent} Mails gesendet, {d.failed} Fehlversuche, {d.given_up} aufgegeben, "
            f"{d.waiting} warten noch."
        )
