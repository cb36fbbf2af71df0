"""`stellenboerse demo`: the whole system on one machine with no services.

Serves the bundled sample district sites on loopback, crawls them into a SQLite file (embedded search),
then serves search on http://127.0.0.1:8000 while the sample sites keep running.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from vacancies.settings import REPO_ROOT, Settings, local_base_url


def demo_environment(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "STELLEN_DATABASE_URL": f"sqlite:///{data_dir / 'stellenboerse.db'}",
        "STELLEN_SEARCH_BACKEND": "sqlite",
        "STELLEN_DISTRICTS_FILE": str(data_dir / "districts.yaml"),
        "STELLEN_COOKIE_SECURE": "false",  # plain HTTP on localhost
    }


def crawl_samples(data_dir: Path, sites) -> int:
    sites.write_districts_yaml(data_dir / "districts.yaml")
    print("Crawle die Beispiel-Websites der Landkreise …", flush=True)
    command = [
        sys.executable,
        "-m",
        "cli.main",
        "crawl",
        "--districts-file",
        str(data_dir / "districts.yaml"),
    ]
    result = subprocess.run(command, env=demo_environment(data_dir), check=False)
    if result.returncode:
        print(
            "Hinweis: Einige Beispiel-Websites sind absichtlich defekt (Serverfehler, robots.txt); "
            "ihre Stellen bleiben erhalten, der Lauf wird als fehlerhaft vermerkt.",
            flush=True,
        )
    return result.returncode


def _sample_sites():
    """The sample sites on a fixed port, so that a second demo run sees the same URLs (and reports its
    postings as unchanged); on any free port when that one is taken."""
    from crawler.samplesites.server import SampleSites

    try:
        return SampleSites(port=DEMO_SITES_PORT, slow_delay=0.3).start()
    except OSError:
        return SampleSites(port=0, slow_delay=0.3).start()


DEMO_SITES_PORT = 8765


def run_demo(args: argparse.Namespace) -> int:
    from cli.serve import PortBusy, check_port

    data_dir = Path(args.data_dir or REPO_ROOT / "var" / "demo").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    if not args.no_serve:
        try:  # before the crawl: a busy port would otherwise end the demo after it, in uvicorn's English
            check_port(args.host, args.port)
        except PortBusy as exc:
            print(exc, file=sys.stderr)
            return 2
    with _sample_sites() as sites:
        crawl_samples(data_dir, sites)
        if args.no_serve:
            return 0
        return _serve(args, data_dir)


def demo_settings(data_dir: Path, host: str, port: int) -> Settings:
    """The demo's settings: its database, and links naming the port it runs on (unless
    STELLEN_PUBLIC_BASE_URL says otherwise)."""
    env = demo_environment(data_dir)
    settings = Settings(
        database_url=env["STELLEN_DATABASE_URL"], search_backend="sqlite", cookie_secure=False
    )
    if "public_base_url" not in settings.model_fields_set:
        settings = settings.model_copy(update={"public_base_url": local_base_url(host, port)})
    return settings


def hr_account_hint(data_dir: Path) -> str:
    """`users add` writes to STELLEN_DATABASE_URL: say how to reach the demo's database instead."""
    return (
        "HR-Konto für die Demo anlegen (in einem zweiten Terminal):\n"
        f"  STELLEN_DATABASE_URL={demo_environment(data_dir)['STELLEN_DATABASE_URL']} "
        "stellenboerse users add --district miltenberg --email personal@example.org --generate"
    )


def _serve(args: argparse.Namespace, data_dir: Path) -> int:
    import uvicorn

    from server.app import create_app

    # Pages read the district list (members, profiles) from the sample sites' configuration too.
    os.environ["STELLEN_DISTRICTS_FILE"] = demo_environment(data_dir)["STELLEN_DISTRICTS_FILE"]
    settings = demo_settings(data_dir, args.host, args.port)
    print(hr_account_hint(data_dir), flush=True)
    print(f"Suche bereit: {local_base_url(args.host, args.port)}  (Beenden mit Strg+C)", flush=True)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning")
    return 0
