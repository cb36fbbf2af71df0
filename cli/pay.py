"""`stellenboerse entgelttabellen`: the pay tables in config/pay, their validity and source (issue 15)."""

from __future__ import annotations

import argparse
import sys

from vacancies import clock
from vacancies.pay import PayTableError, load_tables, table_warnings

# Commands whose output flags expired tables: those that show or index pay figures.
WARNED_COMMANDS = {"serve", "demo", "crawl", "reindex", "import"}


def cmd_pay_tables(args: argparse.Namespace) -> int:
    try:
        tables = load_tables()
    except PayTableError as exc:
        print(f"Entgelttabelle fehlerhaft: {exc}", file=sys.stderr)
        return 2
    today = clock.today()
    print(f"{'Tabelle':<58} {'Gültig ab':>10}  {'Gültig bis':>10}  Stand")
    for t in tables:
        until = f"{t.valid_until:%d.%m.%Y}" if t.valid_until else "offen"
        state = "ABGELAUFEN" if t.expired(today) else "gilt" if t.in_force(today) else "künftig"
        print(f"{t.name[:58]:<58} {t.valid_from:%d.%m.%Y}  {until:>10}  {state}")
        if args.sources:
            print(f"    Quelle: {t.source}")
    warnings = table_warnings(today, tables)
    for line in warnings:
        print(line, file=sys.stderr)
    return 1 if warnings else 0


def warn_expired(command: str) -> None:
    """One German line per expired table on stderr, before commands that show or index pay figures."""
    if command not in WARNED_COMMANDS:
        return
    try:
        warnings = table_warnings()
    except PayTableError as exc:
        warnings = [f"Entgelttabelle fehlerhaft, Gehälter in Euro fehlen: {exc}"]
    for line in warnings:
        print(f"Hinweis: {line}", file=sys.stderr)


def add_commands(sub) -> None:
    p = sub.add_parser(
        "entgelttabellen",
        help="Entgelttabellen (config/pay) mit Gültigkeit zeigen; Exit 1, wenn eine abgelaufen ist",
    )
    p.add_argument(
        "--quellen", dest="sources", action="store_true", help="auch die Quellen der Beträge zeigen"
    )
    p.set_defaults(func=cmd_pay_tables)
