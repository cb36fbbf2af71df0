"""The `stellenboerse` command: import, search, reindex, serve (and the crawler's commands)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from cli.pay import warn_expired
from vacancies import jsonlimits
from vacancies.model import Vacancy, validation_message
from vacancies.settings import get_settings, local_base_url

IMPORT_BATCH = 5000  # one FTS segment per batch (migration 0007): bigger batches index cheaper


def _board():
    from vacancies.service import open_board

    return open_board(get_settings())


def read_jsonl(path: Path) -> Iterator[tuple[int, Vacancy | None, str]]:
    """(line number, vacancy or None, error message) for every non-blank line.

    Lines are decoded one by one so that a line in a wrong encoding costs only that line.
    """
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield number, None, f"keine gültige UTF-8-Kodierung ({exc.reason} an Byte {exc.start})"
                continue
            if line.strip():
                yield (number, *_parse_line(line))


def _parse_line(line: str) -> tuple[Vacancy | None, str]:
    try:
        data = jsonlimits.loads(line)
    except jsonlimits.JsonRefused as exc:
        return None, str(exc)
    if not isinstance(data, dict):
        return None, "erwartet ein JSON-Objekt pro Zeile"
    try:
        return Vacancy.model_validate(data), ""
    except ValidationError as exc:
        return None, validation_message(exc)


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"Datei nicht gefunden: {path}", file=sys.stderr)
        return 2
    board = _board()
    totals = {"new": 0, "changed": 0, "unchanged": 0, "failed": 0}
    for result in board.save_batches(_valid_batches(path, totals)):
        totals["new"] += len(result.new)
        totals["changed"] += len(result.changed)
        totals["unchanged"] += len(result.unchanged)
    print(
        "Import: {new} neu, {changed} geändert, {unchanged} unverändert, {failed} fehlerhaft".format(**totals)
    )
    return 1 if totals["failed"] else 0


def _valid_batches(path: Path, totals: dict[str, int]) -> Iterator[list[Vacancy]]:
    """Batches of the valid lines; each bad line is reported with its number and counted."""
    batch: dict[str, Vacancy] = {}  # by id: the same id twice in a batch, the later line wins
    for number, vacancy, error in read_jsonl(path):
        if vacancy is None:
            totals["failed"] += 1
            print(f"{path}:{number}: {error}", file=sys.stderr)
            continue
        batch.pop(vacancy.id, None)
        batch[vacancy.id] = vacancy
        if len(batch) >= IMPORT_BATCH:
            yield list(batch.values())
            batch = {}
    if batch:
        yield list(batch.values())


def cmd_reindex(args: argparse.Namespace) -> int:
    board = _board()
    count = board.reindex()
    print(f"Index neu aufgebaut ({board.backend.name}): {count} Stellen")
    return 0


# The CLI's own names for some search parameters; every other one is `--<parameter>` (dashes).
SEARCH_OPTIONS = {"q": "text", "radius_km": "radius", "per_page": "limit"}
SEARCH_LABELS = {"q": "SUCHWÖRTER", "radius_km": "--radius", "per_page": "--limit"}


def cmd_search(args: argparse.Namespace) -> int:
    from vacancies.search.filters import SearchParameters, check

    board = _board()
    pairs = []
    for name in SearchParameters.model_fields:
        value = getattr(args, SEARCH_OPTIONS.get(name, name), None)
        pairs += [
            (name, str(item)) for item in (value if isinstance(value, list) else [value]) if item is not None
        ]
    # The same model as the API and the pages: what they refuse is refused here, in the same words.
    checked = check(pairs, board.gazetteer)
    if checked.query is None:
        for error in checked.errors:
            label = SEARCH_LABELS.get(error["field"], "--" + error["field"].replace("_", "-"))
            print(f"{label}: {error['message']}", file=sys.stderr)
        return 2
    page = board.search(checked.query)
    if args.json:
        print(json.dumps(page.to_public(), ensure_ascii=False, indent=2))
        return 0
    print(f"{page.total} Treffer")
    for hit in page.items:
        print(hit_line(hit.vacancy, hit.distance_km))
    return 0


def hit_line(v: Vacancy, distance_km: float | None) -> str:
    """One hit as the search page shows it: the employer (else the district's Landratsamt, not its
    slug), German decimal comma and date."""
    from vacancies.districts import by_slug

    district = by_slug().get(v.district)
    employer = v.employer or f"Landratsamt {district.name if district else v.district}"
    where = f" · {distance_km:.1f} km".replace(".", ",") if distance_km is not None else ""
    deadline = f" · Frist {v.deadline:%d.%m.%Y}" if v.deadline else ""
    return f"- {v.title} — {employer}{where}{deadline}  [{v.id}]"


def default_workers() -> int:
    """One server process per core this process may use (a container's CPU set, not the host's)."""
    return max(1, len(os.sched_getaffinity(0)))


def server_options(host: str, port: int) -> dict:
    """uvicorn's options for `serve`. proxy_headers=False: uvicorn would otherwise believe
    X-Forwarded-For from any loopback peer; the app trusts only STELLEN_TRUSTED_PROXIES (api/client.py)."""
    return dict(host=host, port=port, log_level="info", proxy_headers=False)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from cli.serve import PortBusy, check_port, serve

    use_local_address(args.host, args.port)
    settings = get_settings()  # checked here, so a bad setting is one German line, not N worker tracebacks
    workers = args.workers or default_workers()
    options = server_options(args.host, args.port)
    try:
        if workers > 1:
            _migrate(settings)  # once, before the workers: each would otherwise upgrade the schema at once
            return serve(args.host, args.port, workers, options)
        check_port(args.host, args.port)
    except PortBusy as exc:
        print(exc, file=sys.stderr)
        return 2
    from server.app import create_app

    uvicorn.run(create_app(settings), **options)
    return 0


def use_local_address(host: str, port: int) -> None:
    """Without STELLEN_PUBLIC_BASE_URL (development), canonical links, sitemap and feeds name the
    address this server listens on, not port 8000. Set in the environment so that the workers, which
    read their settings from it, agree."""
    settings = get_settings()
    if settings.environment == "production" or "public_base_url" in settings.model_fields_set:
        return
    os.environ["STELLEN_PUBLIC_BASE_URL"] = local_base_url(host, port)
    get_settings.cache_clear()


def _migrate(settings) -> None:
    from vacancies.store import make_engine, migrate

    engine = make_engine(settings.database_url)
    migrate(engine)
    engine.dispose()


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 64:
        raise argparse.ArgumentTypeError(f"„{value}“ ist keine Zahl von 1 bis 64")
    return number


def add_search_options(p: argparse.ArgumentParser) -> None:
    """One option per search parameter of the filter model, as strings: the model checks them."""
    from vacancies.search.filters import SearchParameters

    many = SearchParameters.list_fields()
    for name, field in SearchParameters.model_fields.items():
        if name in SEARCH_OPTIONS:
            continue
        text = (field.description or "").replace("`", "")
        option = f"--{name.replace('_', '-')}"
        if name in many:
            text = text if "mehrfach" in text else f"{text} (mehrfach möglich)"
            p.add_argument(option, action="append", dest=name, metavar="WERT", help=text)
        else:
            p.add_argument(option, dest=name, metavar="WERT", help=text)


def build_parser() -> argparse.ArgumentParser:
    from cli.german import use_german_help

    use_german_help()
    parser = argparse.ArgumentParser(
        prog="stellenboerse", description="Stellenbörse des Bayerischen Innovationsrings"
    )
    sub = parser.add_subparsers(dest="command", required=True, title="Befehle", metavar="BEFEHL")
    p = sub.add_parser("import", help="Stellen aus einer JSON-Lines-Datei übernehmen")
    p.add_argument("file", metavar="DATEI", help="eine Stelle je Zeile (JSON)")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("reindex", help="Suchindex aus der Datenbank neu aufbauen (ohne Ausfall)")
    p.set_defaults(func=cmd_reindex)
    p = sub.add_parser("search", help="Suchen (Parameter wie bei /api/v1/vacancies)")
    p.add_argument("text", nargs="?", default=None, metavar="SUCHWÖRTER")
    p.add_argument("--radius", help="Umkreis in km (Standard 25)")
    p.add_argument("--limit", help="höchstens so viele Treffer (Standard 20, höchstens 100)")
    add_search_options(p)
    p.add_argument("--json", action="store_true", help="Ergebnis als JSON")
    p.set_defaults(func=cmd_search)
    p = sub.add_parser("serve", help="Web-Oberfläche und API starten")
    p.add_argument("--host", default="127.0.0.1", help="Adresse (Standard 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="Port (Standard 8000)")
    p.add_argument(
        "--workers", type=_positive, default=0, help="Server-Prozesse (Standard: einer je Prozessorkern)"
    )
    p.set_defaults(func=cmd_serve)
    from cli.crawl import add_commands
    from cli.hr import add_commands as add_hr_commands
    from cli.pay import add_commands as add_pay_commands

    add_commands(sub)
    add_hr_commands(sub)
    add_pay_commands(sub)
    __import__("cli.alerts").alerts.add_commands(sub)  # Suchaufträge (issue 18): one line, few conflicts
    __import__("cli.runs").runs.add_commands(sub)  # crawl runs (issue 19): one line, few conflicts
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        warn_expired(args.command)
        return args.func(args)
    except ValidationError as exc:  # settings from the environment
        print(f"Konfigurationsfehler: {validation_message(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
