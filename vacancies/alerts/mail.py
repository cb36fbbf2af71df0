"""The alert mails: German multipart messages, and SMTP delivery through the `mail_outbox` table.

Every mail is first a row of the outbox, written in the transaction that decided it (the alert, the
digest and its watermark), with a unique idempotency key. Delivery then works row by row:

1. claim the row (`claimed_at`, one UPDATE that only one process can win), commit;
2. build the MIME message from the parts the row keeps, hand it to the SMTP server;
3. mark it sent (`sent_at`) and drop its body, commit.

A failed attempt releases the claim and schedules the next one with a growing delay (BACKOFF); SMTP
being down stops the run after the first refusal and leaves every mail queued for the next run. A row
that is still claimed when a later run holds the delivery lock was cut off between 1 and 3 (the
process was killed): whether the server took it is unknown, so it is not sent again (a digest is never
sent twice) but recorded as uncertain (`last_error`) for the operator.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import smtplib
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

from sqlalchemy import Connection, Engine, and_, func, select, update

from vacancies.alerts.model import DeliveryStats
from vacancies.schema import mail_outbox_table as outbox
from vacancies.store import utcnow

log = logging.getLogger(__name__)

BACKOFF = (60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600, 12 * 3600)  # seconds after the 1st, 2nd, ... failure
MAX_ATTEMPTS = 8  # then the mail is given up (about two days of trying)
SMTP_TIMEOUT = 20.0
UNCERTAIN = (
    "Zustellung abgebrochen: ob der Mailserver die Nachricht annahm, ist unbekannt; nicht erneut gesendet"
)


class SmtpUrlError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool
    user: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        """`smtp://host:port` (STARTTLS when offered), `smtps://host:port`, optional `user:password@`."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SmtpUrlError(
                f"„{url}“ ist keine SMTP-Adresse (z. B. smtp://mail.example.de:587 oder "
                "smtps://benutzer:passwort@mail.example.de:465)"
            )
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise SmtpUrlError(f"„{url}“: der Port ist keine Zahl von 1 bis 65535") from None
        user = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        return cls(parts.hostname, port, parts.scheme == "smtps", user, password)


def build_message(
    sender: str, recipient: str, subject: str, text: str, html: str, unsubscribe: str, key: str = ""
) -> EmailMessage:
    """A German multipart/alternative mail with the one-click unsubscribe headers (RFC 8058) when there
    is an `unsubscribe` link.

    With the outbox row's idempotency `key`, every attempt of one mail has the same Message-ID."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = format_datetime(utcnow())
    domain = parseaddr(sender)[1].rpartition("@")[2] or "stellenboerse.invalid"
    if key:
        message["Message-ID"] = f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}.suchauftrag@{domain}>"
    else:
        message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    if unsubscribe:  # operator alerts (vacancies.operator_alerts) have none: the setting decides
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = "de"  # after set_content, which drops Content-* headers
    return message


def serialise(message: EmailMessage) -> str:
    """The message as sent. Header lines may be up to 998 characters (RFC 5322): folded at 78, the long
    List-Unsubscribe URL would become an encoded word that no mail client reads as a link."""
    return message.as_string(policy=message.policy.clone(max_line_length=998))


# -- delivery ------------------------------------------------------------------------------------------


class Mailer:
    """Delivers due outbox rows over one SMTP connection per run."""

    _process_lock = threading.Lock()

    def __init__(
        self, engine: Engine, smtp_url: str, sender: str, lock_path: str | None = None, render_digest=None
    ) -> None:
        self.engine, self.smtp_url, self.sender, self.lock_path = engine, smtp_url, sender, lock_path
        self.render_digest = render_digest  # (alert id, {"ids", "count"}) -> Rendered | None
        self._smtp: smtplib.SMTP | None = None

    def deliver(self, now: datetime | None = None, limit: int | None = None) -> DeliveryStats:
        """Send due rows (at most `limit`); the rest wait for the next run."""
        stats = DeliveryStats()
        with self._turn() as mine:
            if mine and self.smtp_url:
                self._release_cut_off(now or utcnow())
                try:
                    self._deliver_due(now, stats, limit)
                finally:
                    self._close()
            elif not self.smtp_url:
                log.info("STELLEN_SMTP_URL ist nicht gesetzt: Mails bleiben in der Warteschlange")
        stats.waiting = self.waiting()
        return stats

    def waiting(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(outbox).where(_open())) or 0

    def _deliver_due(self, now: datetime | None, stats: DeliveryStats, limit: int | None) -> None:
        while (limit is None or stats.sent + stats.failed < limit) and (
            row := self._claim_next(now or utcnow())
        ):
            try:
                message = self._mime(row)
            except Exception as exc:  # a rendering bug must not leave the row claimed (= "uncertain")
                log.exception("Mail %s nicht erstellt", row.id)
                stats.failed += 1
                stats.given_up += self._failed(row, exc, now or utcnow())
                continue
            if message is None:  # the alert was deleted after its digest was queued
                self._dropped(row.id, now or utcnow())
                continue
            try:
                self._send(row.recipient, message)
            except (OSError, smtplib.SMTPException) as exc:
                stats.failed += 1
                gave_up = self._failed(row, exc, now or utcnow())
                stats.given_up += gave_up
                if _server_down(exc):
                    log.warning("Mailserver nicht erreichbar (%s): Mails bleiben in der Warteschlange", exc)
                    return
                continue
            self._sent(row.id, now or utcnow())
            stats.sent += 1

    def _claim_next(self, now: datetime):
        with self.engine.begin() as conn:
            row = conn.execute(
                select(
                    outbox.c.id,
                    outbox.c.idempotency_key,
                    outbox.c.alert_id,
                    outbox.c.recipient,
                    outbox.c.message,
                    outbox.c.attempts,
                )
                .where(_open(), outbox.c.claimed_at.is_(None), outbox.c.next_attempt_at <= now)
                .order_by(outbox.c.next_attempt_at, outbox.c.id)
                .limit(1)
            ).first()
            if row is None:
                return None
            won = conn.execute(
                update(outbox)
                .where(outbox.c.id == row.id, outbox.c.claimed_at.is_(None))
                .values(claimed_at=now)
            ).rowcount
        return row if won else self._claim_next(now)

    def _sent(self, row_id: int, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.id == row_id).values(sent_at=now, message=""))

    def _dropped(self, row_id: int, now: datetime) -> None:
        with self.engine.begin() as conn:
            values = {"gave_up_at": now, "message": "", "last_error": "Suchauftrag gelöscht, nicht gesendet"}
            conn.execute(update(outbox).where(outbox.c.id == row_id).values(**values))

    def _failed(self, row, exc: Exception, now: datetime) -> int:
        attempts = row.attempts + 1
        give_up = attempts >= MAX_ATTEMPTS or _refused_for_good(exc)
        delay = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
        values = {"attempts": attempts, "claimed_at": None, "last_error": str(exc)[:1000]}
        values["next_attempt_at"] = now + timedelta(seconds=delay)
        if give_up:
            values.update(gave_up_at=now, message="")
        with self.engine.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.id == row.id).values(**values))
        return int(give_up)

    def _release_cut_off(self, now: datetime) -> None:
        """Rows claimed by a run that died mid-send (we hold the delivery turn, so nobody else sends)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(outbox)
                .where(_open(), outbox.c.claimed_at.is_not(None))
                .values(gave_up_at=now, last_error=UNCERTAIN, message="")
            )

    # -- SMTP ---------------------------------------------------------------------------------------

    def _mime(self, row) -> str | None:
        """The message as sent: a digest is rendered now from the postings it lists, a confirmation
        from the parts kept; the MIME encoding is done here, at the SMTP server's pace."""
        parts = json.loads(row.message)
        if "ids" in parts:
            rendered = self.render_digest(row.alert_id, parts) if self.render_digest else None
            if rendered is None:
                return None
            parts = {"subject": rendered.subject, "text": rendered.text, "html": rendered.html,
                     "unsubscribe": rendered.unsubscribe}  # fmt: skip
        message = build_message(self.sender, row.recipient, parts["subject"], parts["text"], parts["html"],
                                parts["unsubscribe"], row.idempotency_key)  # fmt: skip
        return serialise(message)

    def _send(self, recipient: str, message: str) -> None:
        smtp = self._connection()
        try:
            # Bytes go out as they are (smtplib fixes line ends only in str): SMTP wants CRLF.
            data = "\r\n".join(message.splitlines()).encode("utf-8") + b"\r\n"
            smtp.sendmail(parseaddr(self.sender)[1], [recipient], data)
        except smtplib.SMTPServerDisconnected:
            self._close()
            raise

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            target = SmtpTarget.parse(self.smtp_url)
            smtp: smtplib.SMTP
            if target.implicit_tls:
                smtp = smtplib.SMTP_SSL(target.host, target.port, timeout=SMTP_TIMEOUT,
                                        context=ssl.create_default_context())  # fmt: skip
            else:
                smtp = smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT)
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
            if target.user:
                smtp.login(target.user, target.password or "")
            self._smtp = smtp
        return self._smtp

    def _close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._smtp = None

    @contextlib.contextmanager
    def _turn(self) -> Iterator[bool]:
        """One delivering process at a time (flock beside the SQLite file, released when it dies)."""
        with self._process_lock:
            if self.lock_path is None:
                yield True
                return
            with open(self.lock_path, "a+b") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    yield False  # another run delivers right now and takes these along
                    return
                try:
                    yield True
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)


def _open():
    return and_(outbox.c.sent_at.is_(None), outbox.c.gave_up_at.is_(None))


def _server_down(exc: Exception) -> bool:
    """The server cannot be reached or dropped us: no point trying the next mail now."""
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    # SMTPException is an OSError too: an answer of a working server is not "down".
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _refused_for_good(exc: Exception) -> bool:
    """A 5xx answer for the recipient (unknown mailbox): retrying cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def parts(subject: str, text: str, html: str, unsubscribe: str) -> str:
    """What an outbox row keeps of a mail until it is sent (JSON)."""
    return json.dumps({"subject": subject, "text": text, "html": html, "unsubscribe": unsubscribe})


def queue(conn: Connection, values: dict) -> int | None:
    """Insert an outbox row unless its idempotency key is there already; returns its id or None."""
    exists = conn.scalar(select(outbox.c.id).where(outbox.c.idempotency_key == values["idempotency_key"]))
    if exists is not None:
        return None
    inserted = conn.execute(outbox.insert().values(**values)).inserted_primary_key
    return None if inserted is None else inserted[0]
