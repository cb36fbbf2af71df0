"""Small things users of the command noticed (issue 16, items 4 and 14): a real subprocess on real SQLite."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime

import httpx2

from tests.cli.test_cli import run
from tests.support import free_port, wait_until_answering
from tests.web.test_legal import OPERATOR
from vacancies.accounts import Accounts
from vacancies.store import make_engine, migrate


def test_help_and_argument_errors_are_german(tmp_path):
    db = str(tmp_path / "b.db")
    shown = run(["users", "add", "--help"], db).stdout
    assert shown.startswith("Aufruf: stellenboerse users add")
    assert "Optionen:" in shown and "diese Hilfe anzeigen und beenden" in shown and "usage" not in shown
    wrong = run(["serve", "--port", "weit"], db)
    assert wrong.returncode == 2
    assert "stellenboerse serve: Fehler: Argument --port: ungültiger Wert (int): 'weit'" in wrong.stderr
    # search values are checked by the search-filter model, in the API's words (issue 17, item 4)
    far = run(["search", "--radius", "weit"], db)
    assert far.returncode == 2 and far.stderr == "--radius: muss eine Zahl sein\n"


def test_search_names_the_landratsamt_and_writes_a_decimal_comma(tmp_path):
    record = {"id": "f1", "source": "cli", "district": "miltenberg", "title": "Förster (m/w/d)",
              "location": {"postal_code": "63897"}}  # fmt: skip
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    db = str(tmp_path / "b.db")
    assert run(["import", str(path)], db).returncode == 0
    shown = run(["search", "Förster", "--near", "63920"], db).stdout
    line = next(x for x in shown.splitlines() if x.startswith("- Förster"))
    assert " — Landratsamt Miltenberg · " in line
    assert " km" in line and "." not in line.split(" · ")[1]  # "9,9 km", not "9.9 km"


def test_users_add_refuses_a_bad_district_before_showing_a_password(tmp_path):
    done = run(
        ["users", "add", "--district", "atlantis", "--email", "a@b.de", "--generate"], str(tmp_path / "b.db")
    )
    assert done.returncode == 1 and "Unbekannter Landkreis „atlantis“" in done.stderr
    assert "Passwort" not in done.stdout


def test_users_add_refuses_a_taken_address_before_showing_a_password(tmp_path):
    db = str(tmp_path / "b.db")
    first = run(["users", "add", "--district", "miltenberg", "--email", "a@b.de", "--generate"], db)
    assert first.returncode == 0 and "Erzeugtes Passwort" in first.stdout
    again = run(["users", "add", "--district", "miltenberg", "--email", "a@b.de", "--generate"], db)
    assert (
        again.returncode == 1 and "Es gibt schon ein Konto" in again.stderr and "Passwort" not in again.stdout
    )


def test_tokens_list_shows_german_time(tmp_path):
    db = tmp_path / "b.db"
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    used = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 01:30 on 1 July in Munich (summer time)
    accounts = Accounts(engine, clock=lambda: used)
    _, secret = accounts.create_token("miltenberg", "ATS", "test")
    assert accounts.token_for(secret) is not None
    engine.dispose()
    listed = run(["tokens", "list"], str(db)).stdout
    assert "zuletzt benutzt: 01.07.2026 01:30" in listed


def _production(db: str, base_url: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STELLEN_")}
    env.update(
        STELLEN_ENVIRONMENT="production", STELLEN_SECRET_KEY="s" * 40, STELLEN_DATABASE_URL=f"sqlite:///{db}"
    )
    env.update({f"STELLEN_{name.upper()}": str(value) for name, value in OPERATOR.items()})  # legal details
    if base_url is not None:
        env["STELLEN_PUBLIC_BASE_URL"] = base_url
    command = [sys.executable, "-m", "cli.main", "search", "x"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_production_refuses_a_placeholder_public_address(tmp_path):
    db = str(tmp_path / "b.db")
    for placeholder in (None, "http://127.0.0.1:8000", "http://localhost", "https://stellenboerse.example"):
        done = _production(db, placeholder)
        assert done.returncode == 2 and "STELLEN_PUBLIC_BASE_URL muss in Produktion" in done.stderr, (
            placeholder
        )
    real = _production(db, "https://stellen.lra-miltenberg.de")
    assert real.returncode == 0, real.stderr


def test_serve_links_the_port_it_listens_on(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "STELLEN_PUBLIC_BASE_URL"}
    env.update(STELLEN_DATABASE_URL=f"sqlite:///{tmp_path / 'b.db'}", STELLEN_SEARCH_BACKEND="sqlite")
    command = [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", "1"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{url}/api/v1/health", server)
        robots = httpx2.get(f"{url}/robots.txt").text
        sitemap = httpx2.get(f"{url}/sitemap.xml").text
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert f"Sitemap: {url}/sitemap.xml" in robots
    assert f"<loc>{url}/</loc>" in sitemap and ":8000" not in sitemap


def test_demo_on_a_busy_port_says_so_before_crawling(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        done = run(["demo", "--port", str(port), "--data-dir", str(tmp_path)], str(tmp_path / "b.db"))
    assert done.returncode == 2 and time.monotonic() - started < 15
    assert f"Port {port} auf 127.0.0.1 ist belegt" in done.stderr and "--port" in done.stderr
    assert "Crawle" not in done.stdout and "Suche bereit" not in done.stdout


def test_demo_links_its_own_port_and_shows_how_to_add_an_hr_account(tmp_path, monkeypatch):
    from cli.demo import demo_settings, hr_account_hint

    monkeypatch.delenv("STELLEN_PUBLIC_BASE_URL", raising=False)
    assert demo_settings(tmp_path, "127.0.0.1", 8100).public_base_url == "http://127.0.0.1:8100"
    monkeypatch.setenv("STELLEN_PUBLIC_BASE_URL", "https://stellen.lra-miltenberg.de")
    assert demo_settings(tmp_path, "127.0.0.1", 8100).public_base_url == "https://stellen.lra-miltenberg.de"
    hint = hr_account_hint(tmp_path)
    assert f"STELLEN_DATABASE_URL=sqlite:///{tmp_path / 'stellenboerse.db'} stellenboerse users add" in hint


def test_crawl_of_an_unknown_host_is_one_german_line_without_traceback(tmp_path):
    districts = tmp_path / "districts.yaml"
    districts.write_text(
        "districts:\n  - {slug: miltenberg, key: '09676', name: Miltenberg, lat: 49.7778, lon: 9.2368,\n"
        "     member: true, sources: [{key: miltenberg-web, strategy: auto,\n"
        "     start_urls: ['http://stellen.nicht-vorhanden.invalid/']}]}\n",
        encoding="utf-8",
    )
    done = run(["crawl", "--districts-file", str(districts)], str(tmp_path / "b.db"))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "Gave up retrying" not in done.stderr
    reason = "Name „stellen.nicht-vorhanden.invalid“ nicht auflösbar (DNS)"
    assert f"Stellenliste nicht abrufbar: {reason}" in done.stdout
    failed = [line for line in done.stderr.splitlines() if "Abruf fehlgeschlagen" in line]
    assert len(failed) == 1 and failed[0].endswith(
        f"Abruf fehlgeschlagen: http://stellen.nicht-vorhanden.invalid/ ({reason})"
    )
