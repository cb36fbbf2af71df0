"""What the HR portal's operator commands do (`users ...`, `tokens ...`, `hr-due`; parsers in cli.hr)."""

from __future__ import annotations

import argparse
import getpass
import sys

from vacancies.accounts import ROLE_ADMIN, ROLE_HR, AccountError, Accounts, generate_password
from vacancies.clock import BERLIN
from vacancies.settings import get_settings

ACTOR = "cli"


def _engine():
    from vacancies.store import make_engine, migrate

    engine = make_engine(get_settings().database_url)
    migrate(engine)
    return engine


def _password(args: argparse.Namespace, email: str) -> str | None:
    """The new password: generated and printed once, read from stdin, or asked twice (interactive)."""
    if args.generate:
        password = generate_password()
        print(f"Erzeugtes Passwort für {email} (wird nur jetzt angezeigt): {password}")
        return password
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        print("Kein Terminal: bitte --generate oder --password-stdin verwenden.", file=sys.stderr)
        return None
    first = getpass.getpass(f"Neues Passwort für {email}: ")
    if first != getpass.getpass("Passwort wiederholen: "):
        print("Die beiden Eingaben stimmen nicht überein.", file=sys.stderr)
        return None
    return first


def cmd_users_add(args: argparse.Namespace) -> int:
    if not args.admin and not args.district:
        print("--district ist nötig (oder --admin für ein Konto aller Landkreise).", file=sys.stderr)
        return 2
    role = ROLE_ADMIN if args.admin else ROLE_HR
    district = None if args.admin else args.district
    accounts = Accounts(_engine())
    try:
        accounts.check_new_user(args.email, role, district)  # before a password is generated and shown
    except AccountError as exc:
        print(exc, file=sys.stderr)
        return 1
    password = _password(args, args.email)
    if password is None:
        return 2
    try:
        user = accounts.add_user(args.email, password, role, district)
    except AccountError as exc:
        print(exc, file=sys.stderr)
        return 1
    where = "alle Landkreise" if user.is_admin else user.district
    print(f"Konto angelegt: {user.email} ({user.role}, {where})")
    return 0


def _account_change(change, done: str) -> int:
    """Run `change(accounts)`; print `done` (with {email}) or the refusal. Exit status as usual."""
    try:
        user = change(Accounts(_engine()))
    except AccountError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(done.format(email=user.email))
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    return _account_change(
        lambda accounts: accounts.disable(args.email), "Konto gesperrt und abgemeldet: {email}"
    )


def cmd_users_reset(args: argparse.Namespace) -> int:
    password = _password(args, args.email)
    if password is None:
        return 2
    return _account_change(
        lambda accounts: accounts.set_password(args.email, password),
        "Passwort gesetzt, alle Sitzungen beendet, Anmelde-Drosselung aufgehoben: {email}",
    )


def cmd_users_unlock(args: argparse.Namespace) -> int:
    return _account_change(
        lambda accounts: accounts.unlock(args.email),
        "Anmelde-Drosselung aufgehoben, Fehlversuche vergessen: {email}",
    )


def cmd_users_list(args: argparse.Namespace) -> int:
    users = Accounts(_engine()).list_users()
    for user in users:
        state = " (gesperrt)" if user.disabled else ""
        print(f"{user.email}\t{user.role}\t{user.district or 'alle'}{state}")
    if not users:
        print("Keine Konten.")
    return 0


def cmd_tokens_create(args: argparse.Namespace) -> int:
    try:
        token, secret = Accounts(_engine()).create_token(args.district, args.name or "", ACTOR)  # audited
    except AccountError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"API-Zugang {token.id} „{token.name}“ für {token.district}", end=" ")
    print("(nur jetzt sichtbar, nur als Prüfsumme gespeichert):")
    print(secret)
    return 0


def cmd_tokens_revoke(args: argparse.Namespace) -> int:
    token = Accounts(_engine()).revoke_token(args.id, actor=ACTOR)  # audited there
    if token is None:
        print(f"Keinen API-Zugang mit der Nummer {args.id}.", file=sys.stderr)
        return 1
    print(f"API-Zugang {token.id} „{token.name}“ ({token.district}) widerrufen.")
    return 0


def cmd_tokens_list(args: argparse.Namespace) -> int:
    tokens = Accounts(_engine()).list_tokens(args.district)
    for t in tokens:  # German time and dates, as the portal's Zugänge page shows them
        state = f"widerrufen {t.revoked_at.astimezone(BERLIN):%d.%m.%Y}" if t.revoked_at else "aktiv"
        used = f"{t.last_used_at.astimezone(BERLIN):%d.%m.%Y %H:%M}" if t.last_used_at else "nie"
        print(f"{t.id}\t{t.district}\t{t.name}\t{t.prefix}…\t{state}\tzuletzt benutzt: {used}")
    if not tokens:
        print("Keine API-Zugänge.")
    return 0


def cmd_hr_due(args: argparse.Namespace) -> int:
    from api.hr.context import HrContext
    from vacancies.service import open_board

    settings = get_settings()
    published, expired = HrContext(settings, open_board(settings)).postings.promote_due()
    print(f"Veröffentlicht: {len(published)}, abgelaufen: {len(expired)}")
    return 0
