"""Crawler commands: crawl, probe, scheduler, demo.

Exit status of `crawl`: 0 every source crawled successfully; 1 at least one source failed or was
aborted (also after SIGTERM); 3 none failed, but at least one was skipped because a live run of it
holds it (another crawl still running); 2 the configuration or the selection cannot be used.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from crawler.config import DistrictsConfigError, add_probe_arguments, load_districts
from vacancies.runs import CrawlRun
from vacancies.settings import get_settings

EXIT_FAILED, EXIT_SKIPPED = 1, 3
STATUS_LABELS = {"success": "ok", "skipped": "übersprungen"}  # anything else: failed or aborted
SUMMARY_COLUMNS = ("Quelle", "Status", "Seiten", "304", "gefunden", "neu", "geändert", "unverändert",
                   "abgelaufen", "verworfen", "Hinweis")  # fmt: skip


def summary_table(runs: list[CrawlRun]) -> str:
    rows = [
        (
            r.source,
            STATUS_LABELS.get(r.status, "FEHLER"),
            r.pages,
            r.not_modified,  # pages unchanged since the last run (crawler.freshness)
            r.found,
            r.new,
            r.changed,
            r.unchanged,
            r.expired,
            r.dropped,
            r.flag or "; ".join(x for x in (r.note, _drops(r)) if x),
        )  # fmt: skip
        for r in runs
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(SUMMARY_COLUMNS, *rows, strict=False)]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=False)).rstrip()
             for row in (SUMMARY_COLUMNS, *rows)]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def exit_status(runs: list[CrawlRun]) -> int:
    """0, EXIT_FAILED or EXIT_SKIPPED (see the module docstring): a failure outweighs a skip."""
    if any(r.status not in STATUS_LABELS for r in runs):
        return EXIT_FAILED
    return EXIT_SKIPPED if any(r.status == "skipped" for r in runs) else 0


def _drops(run: CrawlRun) -> str:
    return ", ".join(f"{reason}: {count}" for reason, count in sorted(run.drop_reasons.items()))


def _load_config(args: argparse.Namespace):
    """districts.yaml, or None after printing why it cannot be used."""
    path = Path(args.districts_file) if getattr(args, "districts_file", None) else None
    try:
        return load_districts(path)
    except DistrictsConfigError as exc:
        print(f"Konfigurationsfehler: {exc}", file=sys.stderr)
        return None


def cmd_crawl(args: argparse.Namespace) -> int:
    # The code imported so far lives as long as this process: keep it out of the collector's full
    # passes while the crawler and the store are loaded (see also runner._crawl). A crawl allocates
    # masses of short-lived objects (responses, selectors, items): with the default threshold of 700
    # the collector ran every few milliseconds, ~7 % of the CPU of a crawl.
    gc.freeze()
    gc.set_threshold(20_000, 20, 10)
    from crawler.runner import CrawlOptions, crawl_sources
    from vacancies.lifeline import die_with_parent_from_env

    die_with_parent_from_env()  # started by the scheduler: a crawl never outlives it

    config = _load_config(args)
    if config is None:
        return 2
    sources = config.sources(district=args.district, source=args.source)
    if not sources:
        print("Keine aktive Quelle passt zu dieser Auswahl.", file=sys.stderr)
        return 2
    settings = get_settings()
    # No disk cache unless asked for: re-crawls ask "changed since?" through the store (crawler.freshness).
    cache = Path(args.http_cache) if args.http_cache else None
    options = CrawlOptions(polite=not args.impolite, http_cache_dir=cache, workers=args.workers,
                           log_level=args.log_level)  # fmt: skip
    runs = crawl_sources(config, sources, settings, options)
    print(summary_table(runs))
    # A crawl is the last thing this process does (Scrapy's reactor cannot restart): spare the
    # interpreter's final garbage collections over the crawl's ~200 000 objects (~1 s at exit).
    gc.freeze()
    return exit_status(runs)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("mindestens 1")
    return number


def cmd_probe(args: argparse.Namespace) -> int:
    from crawler.probe import main_probe

    return main_probe(args)


def cmd_scheduler(args: argparse.Namespace) -> int:
    from crawler.scheduler import run_scheduler

    config = _load_config(args)
    if config is None:
        return 2
    return run_scheduler(config, get_settings(), districts_file=args.districts_file)


def cmd_demo(args: argparse.Namespace) -> int:
    from cli.demo import run_demo

    return run_demo(args)


def add_commands(sub) -> None:
    p = sub.add_parser(
        "crawl",
        help="Quellen jetzt crawlen (Zusammenfassung; Exit 1, wenn eine Quelle scheitert, "
        "3, wenn eine übersprungen wird, weil sie noch läuft)",
    )
    p.add_argument("--district", help="nur dieser Landkreis (Kürzel, z. B. miltenberg)")
    p.add_argument("--source", help="nur diese Quelle (Schlüssel aus districts.yaml)")
    p.add_argument("--districts-file", default=os.environ.get("STELLEN_DISTRICTS_FILE"))
    p.add_argument(
        "--http-cache",
        help="Verzeichnis eines HTTP-Caches auf der Platte (zur Entwicklung; Standard: keiner, unveränderte "
        "Seiten erkennt der Crawl über die Datenbank)",
    )
    p.add_argument(
        "--impolite", action="store_true", help=argparse.SUPPRESS
    )  # benchmarks on our own sample sites
    p.add_argument(
        "--log-level", default="WARNING", choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="Protokoll ab dieser Stufe (Standard WARNING: eine Zeile je Fehler; DEBUG zeigt auch "
        "Scrapys eigene Meldungen mit Traceback)",
    )  # fmt: skip
    p.add_argument(
        "--workers", type=_positive, default=1,
        help="Prozesse für diesen Crawl (Standard 1; Quellen mit gemeinsamem Host bleiben zusammen)",
    )  # fmt: skip
    p.set_defaults(func=cmd_crawl)
    p = sub.add_parser(
        "probe", help="Eine Website probeweise auslesen: was ein Crawl speichern oder verwerfen würde "
        "(speichert nichts)",
    )  # fmt: skip
    add_probe_arguments(p)
    p.set_defaults(func=cmd_probe)
    p = sub.add_parser("scheduler", help="Nächtliche Crawls nach Zeitplan ausführen")
    p.add_argument("--districts-file", default=os.environ.get("STELLEN_DISTRICTS_FILE"))
    p.set_defaults(func=cmd_scheduler)
    p = sub.add_parser(
        "demo", help="Beispiel-Websites crawlen und die Suche auf http://127.0.0.1:8000 zeigen"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--data-dir", default=None, help="Verzeichnis für Datenbank und Cache (Standard: var/demo)"
    )
    p.add_argument("--no-serve", action="store_true", help="nur crawlen, nicht servieren")
    p.set_defaults(func=cmd_demo)
