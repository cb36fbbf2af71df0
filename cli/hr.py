"""Operator commands of the HR portal: `users ...`, `tokens ...` and `hr-due` (their parsers).

The commands live in cli.hr_commands and are imported when one runs: the account code (Argon2) costs
~0.1 s at start, which every other command, a nightly crawl say, would pay for nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from cli import hr_commands

        return getattr(hr_commands, name)(args)

    run.__name__ = name
    return run


def _password_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--generate", action="store_true", help="ein starkes Passwort erzeugen und einmal anzeigen"
    )
    group.add_argument(
        "--password-stdin", action="store_true", help="Passwort aus der ersten Zeile der Eingabe"
    )


def add_commands(sub) -> None:
    users = sub.add_parser("users", help="Konten des HR-Bereichs verwalten").add_subparsers(
        dest="users_command", required=True, title="Befehle", metavar="BEFEHL"
    )
    p = users.add_parser("add", help="Konto anlegen (fragt das Passwort zweimal ab)")
    p.add_argument("--email", required=True, help="E-Mail-Adresse des Kontos")
    p.add_argument("--district", help="Landkreis-Kürzel, z. B. miltenberg")
    p.add_argument("--admin", action="store_true", help="Administration: alle Landkreise")
    _password_options(p)
    p.set_defaults(func=_command("cmd_users_add"))
    p = users.add_parser("disable", help="Konto sperren und abmelden")
    p.add_argument("--email", required=True, help="E-Mail-Adresse des Kontos")
    p.set_defaults(func=_command("cmd_users_disable"))
    p = users.add_parser("reset-password", help="Neues Passwort setzen (beendet alle Sitzungen)")
    p.add_argument("--email", required=True, help="E-Mail-Adresse des Kontos")
    _password_options(p)
    p.set_defaults(func=_command("cmd_users_reset"))
    p = users.add_parser("unlock", help="Anmelde-Drosselung des Kontos aufheben (alle Adressen)")
    p.add_argument("--email", required=True, help="E-Mail-Adresse des Kontos")
    p.set_defaults(func=_command("cmd_users_unlock"))
    users.add_parser("list", help="Konten auflisten").set_defaults(func=_command("cmd_users_list"))

    tokens = sub.add_parser("tokens", help="API-Zugänge für Bewerbermanagement-Systeme").add_subparsers(
        dest="tokens_command", required=True, title="Befehle", metavar="BEFEHL"
    )
    p = tokens.add_parser("create", help="Zugang erstellen (Schlüssel wird einmal angezeigt)")
    p.add_argument("--district", required=True)
    p.add_argument("--name", default="")
    p.set_defaults(func=_command("cmd_tokens_create"))
    p = tokens.add_parser("revoke", help="Zugang widerrufen")
    p.add_argument("--id", type=int, required=True)
    p.set_defaults(func=_command("cmd_tokens_revoke"))
    p = tokens.add_parser("list", help="Zugänge auflisten")
    p.add_argument("--district")
    p.set_defaults(func=_command("cmd_tokens_list"))

    p = sub.add_parser("hr-due", help="Geplante HR-Stellen veröffentlichen, abgelaufene beenden (für cron)")
    p.set_defaults(func=_command("cmd_hr_due"))
