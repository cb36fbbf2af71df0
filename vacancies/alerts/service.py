"""`Alerts`: subscribe, confirm, manage, unsubscribe, purge, match and send digests.

Used by the pages and the API (web half, issue 18) and by `stellenboerse alerts send` (cli/alerts.py).
Every method raises AlertError / AlertRateLimited / AlertLinkError with a German message on bad input;
nothing is mailed to an address before it confirmed, except the one confirmation mail.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from vacancies.alerts.model import Alert, DeliveryStats, DigestStats
from vacancies.model import Vacancy
from vacancies.service import Board
from vacancies.settings import Settings


class Alerts:
    def __init__(self, engine: Engine, board: Board, settings: Settings) -> None:
        self.engine, self.board, self.settings = engine, board, settings

    # -- subscribing --------------------------------------------------------------------------------

    def subscribe(
        self, email: str, params: dict[str, list[str] | str], frequency: str, client_address: str
    ) -> Alert:
        """Store an unconfirmed alert and queue its double-opt-in mail.

        `params` are the /api/v1/vacancies (or page) search parameters; they are validated exactly as
        the search does (a query the search refuses is an AlertError(field="query")) and stored in
        canonical form (paging, sort and include_expired dropped). The same address and the same
        canonical query give the existing alert back: no second alert, no second mail. At most one
        confirmation mail per address per 24 hours and `settings.alert_mails_per_client_hour` per
        client address, else AlertRateLimited. The mail is only queued: call `deliver()` (e.g. as a
        background task after the response) or let `alerts send` deliver it."""
        raise NotImplementedError

    def confirm(self, token: str) -> Alert:
        """Confirm through the mailed link: signed, valid 48 hours, once (AlertLinkError otherwise)."""
        raise NotImplementedError

    # -- managing (links in every mail) ---------------------------------------------------------------

    def manage_token(self, alert: Alert) -> str:
        """The signed token of the alert's manage link (no expiry; dies with the alert)."""
        raise NotImplementedError

    def unsubscribe_token(self, alert: Alert) -> str:
        """The signed token of the alert's one-click unsubscribe link (no expiry; dies with the alert)."""
        raise NotImplementedError

    def by_manage_token(self, token: str) -> tuple[Alert, list[Alert]]:
        """The alert of a manage link and all alerts of its address (confirmed ones, oldest first)."""
        raise NotImplementedError

    def set_frequency(self, token: str, frequency: str) -> Alert:
        """Change "daily"/"weekly" through a manage link (AlertError(field="frequency") otherwise)."""
        raise NotImplementedError

    def delete(self, token: str) -> None:
        """Delete the alert of a manage link (with its queued mails and matches)."""
        raise NotImplementedError

    def delete_all(self, token: str) -> int:
        """Delete every alert of the manage link's address; returns how many."""
        raise NotImplementedError

    def unsubscribe(self, token: str) -> bool:
        """One-click unsubscribe (RFC 8058): deletes the alert at once; True if it still existed.

        A forged token is AlertLinkError; a valid one of an alert already deleted is False (a mail
        client may post twice)."""
        raise NotImplementedError

    # -- the nightly run ------------------------------------------------------------------------------

    def purge_unconfirmed(self, now: datetime | None = None) -> int:
        """Delete unconfirmed alerts older than 48 hours (and their queued mails); returns how many."""
        raise NotImplementedError

    def match(self, vacancies: list[Vacancy]) -> dict[int, list[str]]:
        """Confirmed alert id -> ids of the given postings it matches (visible ones only), with the same
        German analysis and filters as the search, on either backend."""
        raise NotImplementedError

    def send_digests(self, now: datetime | None = None) -> DigestStats:
        """Purge, queue the digest of every due alert with postings new for it, then deliver the outbox.

        Daily alerts are due once per Berlin calendar day, weekly ones 7 days after their last digest
        (or confirmation). New for an alert = published, visible postings first seen after its last
        digest (or its confirmation). Each digest has the idempotency key (alert, digest date): a run
        killed midway and started again sends nothing twice."""
        raise NotImplementedError

    def deliver(self, now: datetime | None = None) -> DeliveryStats:
        """Send what the outbox holds and is due (SMTP down: it stays queued, retried with backoff)."""
        raise NotImplementedError
