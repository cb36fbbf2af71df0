"""`stellenboerse runs`: the crawl's sources and runs as the operations page shows them (issue 19).

Without --source: every source with its state, last run and postings found. With --source KEY: that
source's last runs with failed pages, robots.txt refusals and drop reasons. --failed keeps only the
sources that are not ok (or the runs that failed or had pages fail); --json prints the same as JSON.
Exit 0; an unknown source (neither in districts.yaml nor in any recorded run) exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from vacancies.clock import BERLIN
from vacancies.operations import (
    STATUS_LABELS,
    RunDetail,
    SourceHealth,
    UnknownSource,
    as_json,
    source_runs,
    sources_health,
)
from vacancies.settings import get_settings

EXIT_UNKNOWN = 2
SOURCE_COLUMNS = ("Quelle", "Landkreis", "Zustand", "Letzter Lauf", "gefunden", "Hinweis")
RUN_COLUMNS = ("Beginn", "Status", "Seiten", "gefunden", "neu", "abgelaufen", "verworfen", "Hinweis")


def german_time(moment: datetime | None) -> str:
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M") if moment else "–"


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Left-aligned columns, a rule under the header (as `stellenboerse crawl`'s summary)."""
    cells = [[str(v) for v in row] for row in (columns, *rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _marks(health: SourceHealth) -> str:
    marks = [health.reason] if health.reason else []
    if health.removed:
        marks.append("entfernt (nicht mehr in districts.yaml)")
    elif not health.enabled:
        marks.append("abgeschaltet")
    if health.running:
        marks.append("läuft gerade")
    return "; ".join(marks)


def sources_table(items: list[SourceHealth]) -> str:
    rows = [
        (
            h.source,
            h.district,
            h.state_label,
            german_time(h.last_run),
            "–" if h.found is None else h.found,
            _marks(h),
        )  # fmt: skip
        for h in items
    ]
    return table(SOURCE_COLUMNS, rows)


def _drops(run_detail: RunDetail) -> str:
    return ", ".join(f"{reason}: {count}" for reason, count in sorted(run_detail.run.drop_reasons.items()))


def runs_report(health: SourceHealth, details: list[RunDetail]) -> str:
    head = f"Quelle {health.source} ({health.district}) · {health.state_label}"
    head += f" · Strategie {health.strategy or 'unbekannt'}"
    if marks := _marks(health):
        head += f" · {marks}"
    rows = [
        (
            german_time(r.started_at),
            STATUS_LABELS.get(r.status, r.status),
            r.pages,
            r.found,
            r.new,
            r.expired,
            r.dropped,
            r.flag or "",
        )  # fmt: skip
        for r in (d.run for d in details)
    ]
    parts = [head, "", table(RUN_COLUMNS, rows) if rows else "Keine Läufe."]
    for detail in details:
        lines = _page_lines(detail)
        if lines:
            parts += ["", f"Lauf vom {german_time(detail.run.started_at)}:", *lines]
    return "\n".join(parts)


def _page_lines(detail: RunDetail) -> list[str]:
    pages = detail.pages
    lines = [f"  Fehlgeschlagen: {url} — {reason}" for url, reason in pages.failed]
    lines += [f"  robots.txt verweigert: {url} — {reason}" for url, reason in pages.robots]
    lines += [f"  Nicht lesbar: {url} — {reason}" for url, reason in pages.unreadable]
    if drops := _drops(detail):
        lines.append(f"  Verworfen: {drops}")
    return lines


def run_json(detail: RunDetail) -> dict[str, Any]:
    run, pages = detail.run, detail.pages
    return {
        "id": run.id,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "status": run.status,
        "flag": run.flag,
        "pages": run.pages,
        "found": run.found,
        "new": run.new,
        "changed": run.changed,
        "unchanged": run.unchanged,
        "expired": run.expired,
        "dropped": run.dropped,
        "drop_reasons": run.drop_reasons,
        "failed_pages": [list(p) for p in pages.failed],
        "robots_refusals": [list(p) for p in pages.robots],
        "unreadable_pages": [list(p) for p in pages.unreadable],
        "strategy": detail.strategy,
    }


def cmd_runs(args: argparse.Namespace) -> int:
    from vacancies.store import make_engine, migrate

    engine = make_engine(get_settings().database_url)
    migrate(engine)  # a database the crawl has not touched yet reads as "no runs", not as an error
    try:
        print(_source_output(engine, args) if args.source else _overview_output(engine, args))
    except UnknownSource:
        print(f"Unbekannte Quelle „{args.source}“: weder in districts.yaml noch in den Crawl-Läufen. "
              "Alle Quellen zeigt „stellenboerse runs“.", file=sys.stderr)  # fmt: skip
        return EXIT_UNKNOWN
    finally:
        engine.dispose()
    return 0


def _overview_output(engine, args: argparse.Namespace) -> str:
    items = sources_health(engine)
    if args.failed:
        items = [h for h in items if h.state in ("failing", "degraded")]
    if args.json:
        return json.dumps(as_json(items), ensure_ascii=False, indent=2)
    return sources_table(items) if items else "Keine Quelle." if not args.failed else "Keine gestörte Quelle."


def _source_output(engine, args: argparse.Namespace) -> str:
    details = source_runs(engine, args.source, failed_only=args.failed)  # UnknownSource first
    (health,) = sources_health(engine, source=args.source)
    if args.json:
        return json.dumps({**as_json([health])[0], "runs": [run_json(d) for d in details]},
                          ensure_ascii=False, indent=2)  # fmt: skip
    return runs_report(health, details)


def add_commands(sub) -> None:
    p = sub.add_parser(
        "runs",
        help="Zustand der Crawl-Quellen und ihre letzten Läufe zeigen (wie die Seite /hr/betrieb)",
        description="Ohne --source: jede Quelle mit Zustand (in Ordnung, eingeschränkt, gestört), letztem "
        "Lauf und gefundenen Stellen. Mit --source: die letzten 30 Läufe der Quelle mit fehlgeschlagenen "
        "Seiten, robots.txt-Verweigerungen und verworfenen Stellen.",
    )
    p.add_argument("--source", metavar="QUELLE", help="nur diese Quelle (Schlüssel aus districts.yaml)")
    p.add_argument(
        "--failed", action="store_true", help="nur gestörte/eingeschränkte Quellen bzw. fehlerhafte Läufe"
    )
    p.add_argument("--json", action="store_true", help="Ausgabe als JSON")
    p.set_defaults(func=cmd_runs)
