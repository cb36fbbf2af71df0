"""`stellenboerse alerts send|list`: the nightly digests of the Suchaufträge (issue 18)."""

from __future__ import annotations

import argparse
import sys

from vacancies.settings import get_settings


def _alerts():
    from vacancies.alerts import Alerts
    from vacancies.service import open_board

    settings = get_settings()
    board = open_board(settings)
    return Alerts(board.store.engine, board, settings)


def cmd_send(args: argparse.Namespace) -> int:
    """Purge unconfirmed alerts, match the new postings, queue the digests, deliver the outbox.

    Exit status 1 when a delivery attempt failed (the mails stay queued for the next run)."""
    from vacancies.search.contract import IndexUnavailable

    alerts = _alerts()
    if not alerts.settings.smtp_url:
        print(
            "Hinweis: STELLEN_SMTP_URL ist nicht gesetzt, Mails bleiben in der Warteschlange.",
            file=sys.stderr,
        )
    try:
        stats = alerts.send_digests()
    except IndexUnavailable as exc:
        print(f"Suchaufträge nicht abgeglichen, Suchindex nicht erreichbar: {exc}", file=sys.stderr)
        print(f"Zugestellt aus der Warteschlange: {alerts.deliver().sent} Mails.")
        return 1
    print(stats.summary())
    return 1 if stats.delivery.failed else 0


def cmd_list(args: argparse.Namespace) -> int:
    """Counts for operators: alerts by state and frequency, the outbox."""
    overview = _alerts().overview()
    words = {"daily": "täglich", "weekly": "wöchentlich"}
    for frequency, confirmed, count in overview.by_state:
        state = "bestätigt" if confirmed else "unbestätigt"
        print(f"{words.get(frequency, frequency):<12} {state:<12} {count:>8}")
    print(f"Warteschlange: {overview.waiting} Mails warten, {overview.given_up} aufgegeben")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("alerts", help="Suchaufträge: Benachrichtigungen senden, Übersicht")
    commands = p.add_subparsers(dest="alerts_command", required=True)
    send = commands.add_parser("send", help="neue Stellen abgleichen und Benachrichtigungen senden")
    send.set_defaults(func=cmd_send)
    listing = commands.add_parser("list", help="Suchaufträge und Warteschlange zählen")
    listing.set_defaults(func=cmd_list)
