"""Digests after the nightly crawl, delivered to a real SMTP server (issue 18, items 2, 5 and 6)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.alerts.conftest import BASE_URL, confirmed, day, posting, settings_for
from tests.alerts.support import link, parts, token
from tests.support import free_port
from vacancies.addresses import posting_path
from vacancies.alerts import Alerts
from vacancies.model import State
from vacancies.schema import mail_outbox_table


def digests(smtp, address: str):
    return [m for m in smtp.inbox.to(address) if "neue Stelle" in m["Subject"]]


def test_digest_lists_new_matching_postings_with_headers_parts_and_links(alerts, smtp, board):
    alert = confirmed(alerts, smtp, "a@example.de", {"q": "Verwaltung", "district": ["freising"]})
    board.save([
        posting("p1", "Verwaltungsfachangestellte (m/w/d)", day(0) + timedelta(hours=2),
                deadline=date(2027, 1, 15)),
        posting("p2", "Erzieherin (m/w/d)", day(0) + timedelta(hours=3)),
        posting("p3", "Leitung <Verwaltung> & Kasse", day(0) + timedelta(hours=4),
                location={"city": "Moosburg"}),
    ])  # fmt: skip
    stats = alerts.send_digests(now=day(1))
    assert (stats.due, stats.postings, stats.queued, stats.delivery.sent) == (1, 3, 1, 1)
    (mail,) = digests(smtp, "a@example.de")
    assert mail["Subject"] == "2 neue Stellen für Ihren Suchauftrag „Verwaltung“, 1 Filter"
    assert mail["From"] == "Stellenbörse <noreply@stellen.example>"
    assert mail.get_content_type() == "multipart/alternative"
    assert mail["Content-Language"] == "de"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = mail["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{BASE_URL}/suchauftrag/abmelden?t=") and unsubscribe.endswith(">")
    text, html = parts(mail)
    assert "Verwaltungsfachangestellte (m/w/d)" in text and "Erzieherin" not in text
    assert "Bewerbungsfrist: 15.01.2027" in text and "Ort: 85354 Freising" in text
    # Each posting at its readable address (issue 16): /stellen/<title>-<short id>.
    assert f"{BASE_URL}{posting_path('p1', 'Verwaltungsfachangestellte (m/w/d)')}" in text
    assert "Landratsamt Freising" in text
    assert f"Alle Treffer Ihrer Suche: {BASE_URL}/?district=freising&q=Verwaltung" in text
    assert html.startswith("<!DOCTYPE html>") and '<html lang="de">' in html
    assert "<h1" in html and "<h2" in html and html.count("<li") == 2
    assert "Leitung &lt;Verwaltung&gt; &amp; Kasse" in html  # escaped
    assert f'href="{BASE_URL}{posting_path("p3", "Leitung <Verwaltung> & Kasse")}"' in html
    assert "Bewerbungsfrist: 31.01.2027" in html
    assert f'href="{BASE_URL}/?district=freising&amp;q=Verwaltung"' in html
    manage = token(link(mail, "/suchauftrag/verwalten"))
    assert alerts.by_manage_token(manage)[0].id == alert.id
    assert alerts.unsubscribe(token(unsubscribe.strip("<>"))) is True


def test_only_postings_new_since_the_last_digest_and_none_means_no_mail(alerts, smtp, board):
    confirmed(alerts, smtp, "a@example.de", {"q": "Verwaltung"})
    board.save([posting("old", "Verwaltung alt", day(0) - timedelta(hours=1))])  # before the confirmation
    board.save([posting("p1", "Verwaltung eins", day(0) + timedelta(hours=1))])
    alerts.send_digests(now=day(1))
    board.save([posting("p2", "Verwaltung zwei", day(1) + timedelta(hours=1))])
    alerts.send_digests(now=day(2))
    stats = alerts.send_digests(now=day(3))  # nothing new: no mail
    assert stats.due == 1 and stats.queued == 0
    sent = digests(smtp, "a@example.de")
    assert [m["Subject"].split(" für")[0] for m in sent] == ["1 neue Stelle", "1 neue Stelle"]
    assert "Verwaltung eins" in parts(sent[0])[0] and "Verwaltung alt" not in parts(sent[0])[0]
    assert "Verwaltung zwei" in parts(sent[1])[0] and "Verwaltung eins" not in parts(sent[1])[0]


def test_invisible_postings_are_not_mailed(alerts, smtp, board):
    confirmed(alerts, smtp, "a@example.de", {"q": "Verwaltung"})
    board.save([
        posting("draft", "Verwaltung Entwurf", day(0) + timedelta(hours=1), state=State.draft),
        posting("late", "Verwaltung abgelaufen", day(0) + timedelta(hours=1), deadline=date(2020, 1, 1)),
        posting("hidden", "Verwaltung versteckt", day(0) + timedelta(hours=1)),
    ])  # fmt: skip
    board.set_hidden("hidden", True)
    assert alerts.send_digests(now=day(1)).queued == 0


def test_a_second_run_the_same_day_sends_nothing_twice(alerts, smtp, board):
    confirmed(alerts, smtp, "a@example.de", {"q": "Verwaltung"})
    board.save([posting("p1", "Verwaltung", day(0) + timedelta(hours=1))])
    assert alerts.send_digests(now=day(1)).queued == 1
    assert alerts.send_digests(now=day(1) + timedelta(hours=2)).queued == 0
    assert len(digests(smtp, "a@example.de")) == 1
    with alerts.engine.connect() as conn:
        keys = list(
            conn.scalars(
                select(mail_outbox_table.c.idempotency_key).where(mail_outbox_table.c.kind == "digest")
            )
        )
    assert keys == [f"digest:1:{day(1).date().isoformat()}"]


def test_weekly_alert_collects_the_week(alerts, smtp, board):
    confirmed(alerts, smtp, "w@example.de", {"q": "Verwaltung"}, frequency="weekly")
    for n in range(1, 7):
        board.save([posting(f"p{n}", f"Verwaltung {n}", day(n - 1) + timedelta(hours=3))])
        assert alerts.send_digests(now=day(n)).queued == 0
    stats = alerts.send_digests(now=day(7))
    assert stats.queued == 1
    (mail,) = digests(smtp, "w@example.de")
    assert mail["Subject"].startswith("6 neue Stellen")
    assert "wöchentlich" in parts(mail)[0]
    board.save([posting("p7", "Verwaltung 7", day(7) + timedelta(hours=3))])
    assert alerts.send_digests(now=day(8)).queued == 0  # the next one a week later
    assert alerts.send_digests(now=day(14)).queued == 1


def test_smtp_down_means_queued_then_delivered_when_it_is_back(board):
    from tests.alerts.support import SmtpServer

    port = free_port()  # nothing listens here yet
    alerts = Alerts(board.store.engine, board, settings_for(f"smtp://127.0.0.1:{port}"))
    alerts.subscribe("a@example.de", {"q": "x"}, "daily", "192.0.2.1")
    alerts.subscribe("b@example.de", {"q": "x"}, "daily", "192.0.2.1")
    stats = alerts.deliver()
    assert (stats.sent, stats.failed, stats.given_up, stats.waiting) == (0, 1, 0, 2)
    with alerts.engine.connect() as conn:
        row = conn.execute(select(mail_outbox_table).order_by(mail_outbox_table.c.id)).first()
    assert row.attempts == 1 and row.last_error and row.next_attempt_at > row.created_at
    server = SmtpServer(port).start()
    try:
        assert alerts.deliver(now=row.next_attempt_at - timedelta(seconds=1)).sent == 1  # the other one
        assert alerts.deliver(now=row.next_attempt_at + timedelta(seconds=1)).sent == 1  # after its backoff
        assert sorted(m["To"] for m in server.inbox.wait_for(2)) == ["a@example.de", "b@example.de"]
        assert alerts.deliver(now=row.next_attempt_at + timedelta(hours=1)).sent == 0
    finally:
        server.stop()


def test_a_refused_mailbox_is_given_up_not_retried(board):
    from aiosmtpd.controller import Controller

    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
            return "550 5.1.1 Postfach unbekannt"

    port = free_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        alerts = Alerts(board.store.engine, board, settings_for(f"smtp://127.0.0.1:{port}"))
        alerts.subscribe("gone@example.de", {"q": "x"}, "daily", "192.0.2.1")
        stats = alerts.deliver()
    finally:
        controller.stop()
    assert (stats.sent, stats.given_up, stats.waiting) == (0, 1, 0)


def test_a_digest_of_an_alert_deleted_before_sending_is_dropped(board):
    port = free_port()  # SMTP down during the nightly run: the digest waits in the outbox
    alerts = Alerts(board.store.engine, board, settings_for(f"smtp://127.0.0.1:{port}"))
    from tests.alerts.support import SmtpServer

    server = SmtpServer(port).start()
    try:
        alert = confirmed(alerts, server, "a@example.de", {"q": "Verwaltung"})
    finally:
        server.stop()
    board.save([posting("p1", "Verwaltung", day(0) + timedelta(hours=1))])
    assert alerts.send_digests(now=day(1)).delivery.waiting == 1
    alerts.unsubscribe(alerts.unsubscribe_token(alert))
    server = SmtpServer(port).start()
    try:
        stats = alerts.deliver(now=day(2))
        assert (stats.sent, stats.waiting) == (0, 0)
        assert server.inbox.messages == []
    finally:
        server.stop()
