"""`Alerts`: subscribe, confirm, manage, unsubscribe, purge, match and send digests.

Used by the pages and the API (web half, issue 18) and by `stellenboerse alerts send` (cli/alerts.py).
Every method raises AlertError / AlertRateLimited / AlertLinkError with a German message on bad input;
nothing is mailed to an address before it confirmed, except the one confirmation mail.

Time: an alert's `watermark` is the moment up to which new postings were looked at for it (its
confirmation, then each nightly run that found it due). A run looks at postings first seen after the
watermark and up to SETTLE before its own start, and moves the watermark there: a posting a crawl is
still committing waits for the next run instead of slipping between two, and none is looked at twice.

A queued digest holds the ids of its postings (newest first); its text is rendered when it is sent.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, overload

from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from vacancies import clock, messages
from vacancies.addresses import posting_path
from vacancies.alerts import render
from vacancies.alerts.mail import Mailer, parts, queue
from vacancies.alerts.matching import EmbeddedMatcher
from vacancies.alerts.model import (
    FREQUENCIES,
    Alert,
    AlertError,
    AlertLinkError,
    AlertRateLimited,
    DeliveryStats,
    DigestStats,
)
from vacancies.alerts.tokens import Links, confirm_url, manage_url, unsubscribe_url
from vacancies.model import State, Vacancy
from vacancies.schema import alerts_table as table
from vacancies.schema import mail_outbox_table as outbox
from vacancies.schema import vacancies_table
from vacancies.search.contract import IndexUnavailable, SearchQuery, facet_selection
from vacancies.search.filters import check
from vacancies.service import Board
from vacancies.settings import Settings
from vacancies.store import utcnow
from vacancies.visibility import is_public

log = logging.getLogger(__name__)

CONFIRM_WINDOW = timedelta(hours=48)
ADDRESS_WINDOW = timedelta(hours=24)  # one confirmation mail per address in this time
CLIENT_WINDOW = timedelta(hours=1)
SETTLE = timedelta(minutes=10)
CHUNK = 500  # due alerts per transaction of the nightly run
KEEP_MAIL_LOG = timedelta(days=7)  # finished outbox rows (address, times; no body) are kept this long
WEEK_DAYS = 7
# Not part of an alert: paging and order mean nothing for a mail, and a digest only has visible postings.
IGNORED_PARAMS = {"page", "per_page", "sort", "include_expired"}
ALERT_COLUMNS = (
    table.c.id,
    table.c.email,
    table.c.params,
    table.c.frequency,
    table.c.confirmed_at,
    table.c.created_at,
    table.c.last_sent_at,
)


@dataclass
class _Due:
    alert: Alert
    query_key: str
    nonce: str
    watermark: datetime


@dataclass(frozen=True)
class AlertOverview:
    """Counts for operators (`stellenboerse alerts list`)."""

    by_state: list[tuple[str, bool, int]]  # (frequency, confirmed, alerts)
    waiting: int  # mails in the outbox not yet sent
    given_up: int  # mails the outbox gave up on


class Alerts:
    def __init__(self, engine: Engine, board: Board, settings: Settings) -> None:
        self.engine, self.board, self.settings = engine, board, settings
        self.links = Links(settings.secret_key)
        self.analyzer = board.backend.analyzer
        lock = _sqlite_file(engine)
        lock_path = f"{lock}.mail.lock" if lock else None
        self.mailer = Mailer(engine, settings.smtp_url, settings.mail_from, lock_path, self.render_digest)
        self._items: dict[str, render.DigestItem] = {}  # rendered postings, for one delivery run

    def overview(self) -> AlertOverview:
        with self.engine.connect() as conn:
            confirmed = table.c.confirmed_at.is_not(None)
            rows = conn.execute(
                select(table.c.frequency, confirmed, func.count()).group_by(table.c.frequency, confirmed)
            ).all()
            waiting = conn.scalar(
                select(func.count()).where(outbox.c.sent_at.is_(None), outbox.c.gave_up_at.is_(None))
            )
            given_up = conn.scalar(select(func.count()).where(outbox.c.gave_up_at.is_not(None)))
        by_state = sorted((frequency, bool(done), count) for frequency, done, count in rows)
        return AlertOverview(by_state, waiting or 0, given_up or 0)

    # -- subscribing --------------------------------------------------------------------------------

    def subscribe(
        self,
        email: str,
        params: Mapping[str, list[str] | str] | Mapping[str, list[str]],
        frequency: str,
        client_address: str,
    ) -> Alert:
        """Store an unconfirmed alert and queue its double-opt-in mail.

        `params` are the /api/v1/vacancies (or page) search parameters; they are validated exactly as
        the search does (a query the search refuses is an AlertError(field="query")) and stored in
        canonical form (paging, sort and include_expired dropped). The same address and the same
        canonical query give the existing alert back: no second alert, no second mail. At most one
        confirmation mail per address per 24 hours and `settings.alert_mails_per_client_hour` per
        client address, else AlertRateLimited. The mail is only queued: call `deliver()` (e.g. as a
        background task after the response) or let `alerts send` deliver it."""
        address = normalise_email(email)
        if frequency not in FREQUENCIES:
            raise AlertError("Bitte wählen Sie „täglich“ oder „wöchentlich“.", "frequency")
        canonical, _query = self.canonical_search(params)
        key = query_key(canonical)
        now = utcnow()
        for _attempt in range(2):  # a concurrent twin may win the unique key: then read its row
            try:
                return self._subscribe(address, canonical, key, frequency, client_address, now)
            except IntegrityError:
                continue
        raise AlertError("Der Suchauftrag konnte nicht gespeichert werden. Bitte erneut versuchen.", "email")

    def _subscribe(self, address: str, canonical: dict, key: str, frequency: str, client: str, now: datetime):
        with self.engine.begin() as conn:
            row = conn.execute(
                select(*ALERT_COLUMNS, table.c.nonce).where(
                    table.c.email_key == address.lower(), table.c.query_key == key
                )
            ).first()
            if row is not None and (
                row.confirmed_at is not None or self._address_limited(conn, address, now)
            ):
                return _alert(row)  # the same search again: nothing new, nothing mailed
            self._check_limits(conn, address, client, now)
            if row is None:
                nonce = secrets.token_hex(16)
                values = {
                    "email": address,
                    "email_key": address.lower(),
                    "params": _dump(canonical),
                    "query_key": key,
                    "frequency": frequency,
                    "nonce": nonce,
                    "created_at": now,
                }
                alert_id = conn.execute(table.insert().values(**values).returning(table.c.id)).scalar_one()
                row = conn.execute(select(*ALERT_COLUMNS, table.c.nonce).where(table.c.id == alert_id)).one()
            alert = _alert(row)
            self._queue_confirmation(conn, alert, row.nonce, client, now)
        return alert

    def _address_limited(self, conn, address: str, now: datetime) -> bool:
        since = now - ADDRESS_WINDOW
        found = conn.scalar(
            select(func.count())
            .select_from(outbox)
            .where(
                outbox.c.kind == "confirm", outbox.c.email_key == address.lower(), outbox.c.created_at > since
            )
        )
        return bool(found)

    def _check_limits(self, conn, address: str, client: str, now: datetime) -> None:
        if self._address_limited(conn, address, now):
            raise AlertRateLimited(
                "An diese Adresse haben wir in den letzten 24 Stunden schon eine Bestätigungs-E-Mail "
                "geschickt. Bitte bestätigen Sie zuerst den Link darin oder versuchen Sie es morgen wieder.",
                "email",
            )
        since = now - CLIENT_WINDOW
        count = conn.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.kind == "confirm", outbox.c.client_address == client, outbox.c.created_at > since)
        )
        if count >= self.settings.alert_mails_per_client_hour:
            raise AlertRateLimited(
                "Von Ihrem Anschluss wurden in der letzten Stunde zu viele Suchaufträge angelegt. "
                "Bitte versuchen Sie es später wieder.",
                "email",
            )

    def _queue_confirmation(self, conn, alert: Alert, nonce: str, client: str, now: datetime) -> None:
        base = self.settings.public_base_url
        text = render.confirmation(
            render.describe(alert.params),
            alert.frequency,
            confirm_url(base, self.links.sign("confirm", alert.id, nonce)),
            base + alert.search_path(),
            unsubscribe_url(base, self.links.sign("unsubscribe", alert.id, nonce)),
        )
        self._queue(conn, "confirm", f"confirm:{alert.id}:{now.isoformat()}", alert, text, now, client)

    def _queue(self, conn, kind: str, key: str, alert: Alert, text: render.Rendered, now, client=None):
        return queue(conn, self._outbox_row(kind, key, alert, text, now, client))

    def _outbox_row(
        self, kind: str, key: str, alert: Alert, text: render.Rendered | str, now, client=None
    ) -> dict:
        if isinstance(text, render.Rendered):
            text = parts(text.subject, text.text, text.html, text.unsubscribe)
        return {
            "idempotency_key": key,
            "kind": kind,
            "alert_id": alert.id,
            "recipient": alert.email,
            "email_key": alert.email.lower(),
            "client_address": client,
            "message": text,
            "created_at": now,
            "next_attempt_at": now,
        }

    def canonical_search(self, params: Any) -> tuple[dict[str, list[str]], SearchQuery]:
        """Validate search parameters exactly as the pages and the API do; return them in canonical
        form (sorted names and values, paging and order dropped) and the search's query."""
        checked = check(_pairs(params), self.board.gazetteer)
        if checked.query is None:
            details = messages.joined(checked.errors)
            raise AlertError(f"Diese Suche kann nicht gespeichert werden ({details}).", "query")
        return canonical_params(checked.query, checked.filters.near or ""), checked.query

    def confirm(self, token: str) -> Alert:
        """Confirm through the mailed link: signed, valid 48 hours, once (AlertLinkError otherwise)."""
        alert_id, nonce = self.links.read("confirm", token)
        now = utcnow()
        with self.engine.begin() as conn:
            row = self._row(conn, alert_id, nonce)
            if row.confirmed_at is not None:
                raise AlertLinkError(
                    "Dieser Bestätigungslink wurde schon benutzt. Ihr Suchauftrag ist bereits aktiv."
                )
            conn.execute(update(table).where(table.c.id == alert_id).values(confirmed_at=now, watermark=now))
            row = self._row(conn, alert_id, nonce)
        return _alert(row)

    # -- managing (links in every mail) ---------------------------------------------------------------

    def manage_token(self, alert: Alert) -> str:
        """The signed token of the alert's manage link (no expiry; dies with the alert)."""
        return self.links.sign("manage", alert.id, self._nonce(alert.id))

    def unsubscribe_token(self, alert: Alert) -> str:
        """The signed token of the alert's one-click unsubscribe link (no expiry; dies with the alert)."""
        return self.links.sign("unsubscribe", alert.id, self._nonce(alert.id))

    def by_manage_token(self, token: str) -> tuple[Alert, list[Alert]]:
        """The alert of a manage link and all alerts of its address (oldest first; whoever holds the
        link reads that address's mail, so unconfirmed ones are shown too)."""
        alert_id, nonce = self.links.read("manage", token)
        with self.engine.connect() as conn:
            row = self._row(conn, alert_id, nonce)
            rows = conn.execute(
                select(*ALERT_COLUMNS).where(table.c.email_key == row.email.lower()).order_by(table.c.id)
            ).all()
        return _alert(row), [_alert(r) for r in rows]

    def set_frequency(self, token: str, frequency: str) -> Alert:
        """Change "daily"/"weekly" through a manage link (AlertError(field="frequency") otherwise)."""
        if frequency not in FREQUENCIES:
            raise AlertError("Bitte wählen Sie „täglich“ oder „wöchentlich“.", "frequency")
        alert_id, nonce = self.links.read("manage", token)
        with self.engine.begin() as conn:
            self._row(conn, alert_id, nonce)
            conn.execute(update(table).where(table.c.id == alert_id).values(frequency=frequency))
            return _alert(self._row(conn, alert_id, nonce))

    def delete(self, token: str) -> None:
        """Delete the alert of a manage link (with its queued mails and matches)."""
        alert_id, nonce = self.links.read("manage", token)
        with self.engine.begin() as conn:
            self._row(conn, alert_id, nonce)
            _delete_alerts(conn, [alert_id])

    def delete_all(self, token: str) -> int:
        """Delete every alert of the manage link's address; returns how many."""
        alert_id, nonce = self.links.read("manage", token)
        with self.engine.begin() as conn:
            row = self._row(conn, alert_id, nonce)
            ids = list(conn.scalars(select(table.c.id).where(table.c.email_key == row.email.lower())))
            _delete_alerts(conn, ids)
        return len(ids)

    def unsubscribe(self, token: str) -> bool:
        """One-click unsubscribe (RFC 8058): deletes the alert at once; True if it still existed.

        A forged token is AlertLinkError; a valid one of an alert already deleted is False (a mail
        client may post twice)."""
        alert_id, nonce = self.links.read("unsubscribe", token)
        with self.engine.begin() as conn:
            found = conn.scalar(select(table.c.id).where(table.c.id == alert_id, table.c.nonce == nonce))
            if found is None:
                return False
            _delete_alerts(conn, [alert_id])
        return True

    def _row(self, conn, alert_id: int, nonce: str):
        row = conn.execute(
            select(*ALERT_COLUMNS, table.c.nonce).where(table.c.id == alert_id, table.c.nonce == nonce)
        ).first()
        if row is None:
            raise AlertLinkError(
                "Diesen Suchauftrag gibt es nicht mehr: er wurde gelöscht oder nicht rechtzeitig bestätigt."
            )
        return row

    def _nonce(self, alert_id: int) -> str:
        with self.engine.connect() as conn:
            nonce = conn.scalar(select(table.c.nonce).where(table.c.id == alert_id))
        if nonce is None:
            raise AlertLinkError("Diesen Suchauftrag gibt es nicht mehr.")
        return nonce

    # -- the nightly run ------------------------------------------------------------------------------

    def purge_unconfirmed(self, now: datetime | None = None) -> int:
        """Delete unconfirmed alerts older than 48 hours (and their queued mails); returns how many.
        Finished outbox rows (no body left) go after KEEP_MAIL_LOG."""
        now = now or utcnow()
        with self.engine.begin() as conn:
            ids = list(
                conn.scalars(
                    select(table.c.id).where(
                        table.c.confirmed_at.is_(None), table.c.created_at < now - CONFIRM_WINDOW
                    )
                )
            )
            _delete_alerts(conn, ids)
            finished = or_(outbox.c.sent_at < now - KEEP_MAIL_LOG, outbox.c.gave_up_at < now - KEEP_MAIL_LOG)
            conn.execute(delete(outbox).where(finished))
        return len(ids)

    def match(self, vacancies: list[Vacancy]) -> dict[int, list[str]]:
        """Confirmed alert id -> ids of the given postings it matches (visible ones only), with the same
        German analysis and filters as the search, on either backend. The postings as stored (enriched
        by the board: coordinates, pay figures), e.g. from `board.store.get_many`."""
        return self._match(self._confirmed(), vacancies)

    def send_digests(self, now: datetime | None = None) -> DigestStats:
        """Purge, queue the digest of every due alert with postings new for it, then deliver the outbox.

        Daily alerts are due once per Berlin calendar day, weekly ones 7 days after their last digest
        (or confirmation). New for an alert = published, visible postings first seen after its last
        digest (or its confirmation). Each digest has the idempotency key (alert, digest date): a run
        killed midway and started again sends nothing twice."""
        now = now or utcnow()
        stats = DigestStats(purged=self.purge_unconfirmed(now))
        stats.due, stats.postings, stats.queued = self.queue_digests(now)
        stats.delivery = self.deliver(now)
        return stats

    def queue_digests(self, now: datetime | None = None) -> tuple[int, int, int]:
        """Match and queue the digests of the due alerts; returns (due, postings looked at, queued)."""
        now = now or utcnow()
        cutoff = now - SETTLE
        confirmed = self._confirmed()
        due = [d for d in confirmed if _is_due(d, now)]
        if not due:
            return 0, 0, 0
        since = min(d.watermark for d in due)
        new = self._new_postings(since, cutoff)
        matched = self._match(confirmed, [v for v, _ in new], only={d.alert.id for d in due})
        first_seen = {v.id: seen for v, seen in new}
        queued = 0
        for start in range(0, len(due), CHUNK):  # one transaction per chunk: a killed run keeps whole ones
            chunk = due[start : start + CHUNK]
            fresh = {}
            for entry in chunk:
                ids = matched.get(entry.alert.id, [])
                if entry.watermark > since:  # confirmed later than others: only what came after
                    ids = [i for i in ids if first_seen[i] > entry.watermark]
                fresh[entry.alert.id] = ids
            with self.engine.begin() as conn:
                queued += self._queue_chunk(conn, chunk, fresh, now, cutoff)
        return len(due), len(new), queued

    def _queue_chunk(self, conn, chunk: list[_Due], fresh: dict[int, list[str]], now, cutoff) -> int:
        """Queue the digests of some due alerts and move their watermarks, in the caller's transaction.
        A digest whose idempotency key is queued already (a run killed after this chunk) is skipped."""
        day = clock_date(now).isoformat()
        planned = {f"digest:{e.alert.id}:{day}": e for e in chunk if fresh[e.alert.id]}
        done = self._keys(conn, list(planned))
        rows = []
        for key, entry in planned.items():
            if key not in done:
                ids = fresh[entry.alert.id]
                content = json.dumps({"ids": ids[: render.MAX_LISTED], "count": len(ids)})
                rows.append(self._outbox_row("digest", key, entry.alert, content, now))
        if rows:
            conn.execute(outbox.insert(), rows)
        conn.execute(
            update(table).where(table.c.id.in_([e.alert.id for e in chunk])).values(watermark=cutoff)
        )
        sent_to = [row["alert_id"] for row in rows]
        if sent_to:
            conn.execute(update(table).where(table.c.id.in_(sent_to)).values(last_sent_at=now))
        return len(sent_to)

    @staticmethod
    def _keys(conn, keys: list[str]) -> set[str]:
        """Those of these idempotency keys that are queued already."""
        if not keys:
            return set()
        return set(conn.scalars(select(outbox.c.idempotency_key).where(outbox.c.idempotency_key.in_(keys))))

    def render_digest(self, alert_id: int, content: dict, row=None) -> render.Rendered | None:
        """The mail of a queued digest ({"ids": [...], "count": n}), rendered from the postings as they
        are now; None when the alert is gone. `row`: the alert's row (ALERT_COLUMNS and nonce) when the
        caller read it already."""
        if row is None:
            with self.engine.connect() as conn:
                row = conn.execute(
                    select(*ALERT_COLUMNS, table.c.nonce).where(table.c.id == alert_id)
                ).first()
        if row is None:
            return None
        alert, base = _alert(row), self.settings.public_base_url
        missing = [i for i in content["ids"] if i not in self._items]
        if missing:
            self._cache_items(self.board.store.get_many(missing).values())
        items = [self._items[i] for i in content["ids"] if i in self._items]
        return render.digest(
            render.describe(alert.params),
            alert.frequency,
            items,
            base + alert.search_path(),
            manage_url(base, self.links.sign("manage", alert.id, row.nonce)),
            unsubscribe_url(base, self.links.sign("unsubscribe", alert.id, row.nonce)),
            count=content["count"],
        )

    def _cache_items(self, vacancies: Iterable[Vacancy]) -> None:
        """Render postings' parts of the digests once (a night's digests share most postings); the
        cache lives for one delivery run, so a corrected posting shows corrected the next night."""
        for vacancy in vacancies:
            url = self.settings.public_base_url + posting_path(vacancy.id, vacancy.title)
            self._items[vacancy.id] = render.DigestItem.of(vacancy, url)

    def deliver(self, now: datetime | None = None, limit: int | None = None) -> DeliveryStats:
        """Send what the outbox holds and is due (SMTP down: it stays queued, retried with backoff)."""
        self._items.clear()
        try:
            return self.mailer.deliver(now, limit)
        finally:
            self._items.clear()

    # -- matching -------------------------------------------------------------------------------------

    def _confirmed(self) -> list[_Due]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(*ALERT_COLUMNS, table.c.query_key, table.c.nonce, table.c.watermark)
                .where(table.c.confirmed_at.is_not(None))
                .order_by(table.c.id)
            ).all()
        return [_Due(_alert(r), r.query_key, r.nonce, _aware(r.watermark or r.confirmed_at)) for r in rows]

    def _match(self, alerts: list[_Due], vacancies: list[Vacancy], only: set[int] | None = None):
        visible = self._visible(vacancies)
        queries: dict[str, SearchQuery] = {}
        for entry in alerts:
            if entry.query_key not in queries and (query := self._query(entry.alert)) is not None:
                queries[entry.query_key] = query
        by_key = self._percolate(queries, visible)
        if by_key is None:
            matcher = EmbeddedMatcher(visible, self.analyzer)
            by_key = {key: matcher.ids_of(matcher.match(q)) for key, q in queries.items()}
        return {
            entry.alert.id: by_key[entry.query_key]
            for entry in alerts
            if by_key.get(entry.query_key) and (only is None or entry.alert.id in only)
        }

    def _percolate(
        self, queries: dict[str, SearchQuery], vacancies: list[Vacancy]
    ) -> dict[str, list[str]] | None:
        """Matches by the engine's percolation; None where it has none (embedded) or cannot now (no
        module, or down): then the in-memory matcher answers, with the same result (both use the
        search's Python analysis)."""
        percolation = self.board.backend.alert_percolation()
        if percolation is None:
            return None
        try:
            return percolation.match_alerts(queries, vacancies)
        except IndexUnavailable as exc:
            log.warning("Suchaufträge werden im Speicher statt im Suchindex abgeglichen: %s", exc)
            return None

    def _visible(self, vacancies: Iterable[Vacancy]) -> list[Vacancy]:
        """What the search shows (vacancies.visibility): published, not past the deadline, not hidden."""
        today = clock.today()
        candidates = [v for v in vacancies if is_public(v, today)]
        hidden = self.board.store.hidden_ids([v.id for v in candidates]) if candidates else set()
        visible = [v for v in candidates if is_public(v, today, hidden=v.id in hidden)]
        # Newest first (the search's "newest" order): matches keep this order, a digest lists them so.
        return sorted(visible, key=lambda v: (-(v.date_posted.toordinal() if v.date_posted else 0), v.id))

    def _query(self, alert: Alert) -> SearchQuery | None:
        try:
            return self.canonical_search(alert.params)[1]
        except AlertError as exc:  # e.g. a place the gazetteer no longer knows: skip, say why
            log.warning("Suchauftrag %s wird übersprungen: %s", alert.id, exc.message)
            return None

    def _new_postings(self, since: datetime, now: datetime) -> list[tuple[Vacancy, datetime]]:
        v = vacancies_table
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(v.c.id, v.c.first_seen).where(
                    v.c.first_seen > since, v.c.first_seen <= now, v.c.state == State.published.value
                )
            ).all()
        seen = {r.id: _aware(r.first_seen) for r in rows}
        found = self.board.store.get_many(list(seen))
        return [(vacancy, seen[i]) for i, vacancy in found.items()]


# -- helpers ----------------------------------------------------------------------------------------------


def normalise_email(email: Any) -> str:
    """The address in normalised form (domain lower-cased, IDNA) or AlertError(field="email")."""
    from email_validator import EmailNotValidError, validate_email

    if not isinstance(email, str) or not email.strip():
        raise AlertError("Bitte geben Sie Ihre E-Mail-Adresse an.", "email")
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise AlertError(
            f"„{email.strip()[:100]}“ ist keine gültige E-Mail-Adresse (Beispiel: name@example.de).", "email"
        ) from None
    if len(checked.normalized) > 254:
        raise AlertError("Die E-Mail-Adresse ist zu lang (höchstens 254 Zeichen).", "email")
    return checked.normalized


def canonical_params(query: SearchQuery, near_typed: str) -> dict[str, list[str]]:
    """One spelling per search: "E 9a" and "e9a" are one grade, the order of values does not count."""
    out: dict[str, list[str]] = {}

    def put(name: str, values: Iterable[Any]) -> None:
        texts = sorted({str(getattr(v, "value", v)) for v in values if v is not None and v != ""})
        if texts:
            out[name] = texts

    put("q", [" ".join(query.text.split())])
    for name, values in facet_selection(query).items():  # every facet of the registry
        put(name, values)
    put("pay_grade_min", [query.pay_grade_min])
    put("pay_grade_max", [query.pay_grade_max])
    put("min_monthly_pay", [query.min_monthly_pay])
    put("status", query.status)
    if query.near is not None:
        out["near"] = [" ".join(near_typed.split())]
        out["radius_km"] = [f"{query.radius_km:g}"]
    return dict(sorted(out.items()))


def query_key(params: dict[str, list[str]]) -> str:
    return hashlib.sha256(_dump(params).encode()).hexdigest()


def clock_date(moment: datetime) -> date:
    """The Berlin calendar date of a moment (digests are per Berlin day)."""
    return _aware(moment).astimezone(clock.BERLIN).date()


def _is_due(entry: _Due, now: datetime) -> bool:
    alert = entry.alert
    today = clock_date(now)
    if alert.frequency == "weekly":
        reference = alert.last_sent_at or alert.confirmed_at or alert.created_at  # due ones are confirmed
        return (today - clock_date(reference)).days >= WEEK_DAYS
    return alert.last_sent_at is None or clock_date(alert.last_sent_at) < today


def kept_params(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """The parameters of a search that an alert stores, by name (no paging, no order, no empty fields)."""
    params: dict[str, list[str]] = {}
    for name, value in pairs:
        if name not in IGNORED_PARAMS and value.strip():
            params.setdefault(name, []).append(value)
    return params


def _pairs(params: Any) -> list[tuple[str, str]]:
    if not isinstance(params, dict):
        raise AlertError("Die Suche muss ein Objekt mit Suchparametern sein.", "query")
    pairs = []
    for name, value in params.items():
        if name in IGNORED_PARAMS:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict | list):
                raise AlertError(f"Der Suchparameter „{name}“ hat einen ungültigen Wert.", "query")
            if item is not None:
                pairs.append((str(name), _text(item)))
    return pairs


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _delete_alerts(conn, ids: list[int]) -> None:
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        conn.execute(delete(outbox).where(outbox.c.alert_id.in_(chunk), outbox.c.sent_at.is_(None)))
        conn.execute(delete(table).where(table.c.id.in_(chunk)))


def _alert(row) -> Alert:
    return Alert(
        id=row.id,
        email=row.email,
        params=json.loads(row.params),
        frequency=row.frequency,
        confirmed_at=_aware(row.confirmed_at),
        created_at=_aware(row.created_at),
        last_sent_at=_aware(row.last_sent_at),
    )


@overload
def _aware(moment: datetime) -> datetime: ...
@overload
def _aware(moment: None) -> None: ...
def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without their zone; every one written here is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _dump(params: dict[str, list[str]]) -> str:
    return json.dumps(params, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _sqlite_file(engine: Engine) -> str | None:
    url = str(engine.url)
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[-1]
    return path if path and path != ":memory:" else None
