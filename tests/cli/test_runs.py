"""`stellenboerse runs` (issue 19, item 2) as an operator runs it: a real subprocess on a real SQLite file
whose runs were recorded through the crawler's RunStore."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.runs_support import nightly, record
from vacancies.clock import BERLIN
from vacancies.runs import RunStore
from vacancies.store import make_engine, migrate

DISTRICTS = """
districts:
  - {slug: miltenberg, key: "09676", name: Miltenberg, lat: 49.7, lon: 9.26,
     sources: [{key: miltenberg-web, strategy: html, start_urls: ["https://www.landkreis-miltenberg.de/"]}]}
  - {slug: aschaffenburg, key: "09671", name: Aschaffenburg, lat: 49.97, lon: 9.15,
     sources: [{key: aschaffenburg-web, strategy: structured, start_urls: ["https://www.landkreis-aschaffenburg.de/"]}]}
  - {slug: starnberg, key: "09188", name: Starnberg, lat: 48.0, lon: 11.34,
     sources: [{key: starnberg-web, strategy: auto, start_urls: ["https://www.lk-starnberg.de/"]}]}
"""
ROBOTS = ["https://www.landkreis-aschaffenburg.de/intern/1", "robots.txt verbietet den Abruf"]
BROKEN = ["https://www.landkreis-aschaffenburg.de/stellen/7", "HTTP 404"]


@pytest.fixture
def crawled(tmp_path):
    """A database with a healthy, a degraded, a failing and a removed source; returns (run, its runs)."""
    db = tmp_path / "board.db"
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    store = RunStore(engine)
    history = {
        "miltenberg-web": nightly(store, "miltenberg-web", "miltenberg", [12, 12, 13]),
        "aschaffenburg-web": nightly(store, "aschaffenburg-web", "aschaffenburg", [8, 9]),
        "starnberg-web": nightly(store, "starnberg-web", "starnberg", [20, 21]),
        "landshut-web": nightly(store, "landshut-web", "landshut", [5]),  # no longer in districts.yaml
    }
    history["aschaffenburg-web"].append(record(store, "aschaffenburg-web", "aschaffenburg",
        ago=timedelta(minutes=20), found=9, errors=[ROBOTS, BROKEN],
        drop_reasons={"ohne Titel": 2}))  # fmt: skip
    history["starnberg-web"].append(record(store, "starnberg-web", "starnberg", ago=timedelta(minutes=10),
        status="failed", flag="Stellenliste nicht abrufbar: HTTP 500", found=0))  # fmt: skip
    engine.dispose()
    districts = tmp_path / "districts.yaml"
    districts.write_text(DISTRICTS, encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "STELLEN_DATABASE_URL": f"sqlite:///{db}"}
        env["STELLEN_DISTRICTS_FILE"] = str(districts)
        env["TZ"] = "America/New_York"  # times are shown in Berlin time whatever the machine's zone
        command = [sys.executable, "-m", "cli.main", "runs", *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)

    return run, history


def _row(output: str, source: str) -> str:
    (line,) = [line for line in output.splitlines() if line.startswith(source + " ")]
    return line


def test_the_table_shows_every_source_with_state_last_run_and_found(crawled):
    run, history = crawled
    result = run()
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Quelle", "Landkreis", "Zustand", "Letzter", "Lauf", "gefunden", "Hinweis"]
    # worst first: failing, degraded, ok
    assert [line.split()[0] for line in lines[2:]] == ["starnberg-web", "aschaffenburg-web", "landshut-web",
                                                      "miltenberg-web"]  # fmt: skip
    last = history["miltenberg-web"][-1].started_at.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
    assert _row(result.stdout, "miltenberg-web").split() == ["miltenberg-web", "miltenberg", "in", "Ordnung",
                                                             *last.split(), "13"]  # fmt: skip
    assert "gestört" in _row(result.stdout, "starnberg-web")
    assert "Stellenliste nicht abrufbar: HTTP 500" in _row(result.stdout, "starnberg-web")
    assert "eingeschränkt" in _row(result.stdout, "aschaffenburg-web")
    assert "2 Seiten nicht abgerufen oder nicht lesbar" in _row(result.stdout, "aschaffenburg-web")
    assert "entfernt (nicht mehr in districts.yaml)" in _row(result.stdout, "landshut-web")


def test_failed_keeps_only_sources_that_need_a_look(crawled):
    run, _ = crawled
    result = run("--failed")
    assert result.returncode == 0
    sources = [line.split()[0] for line in result.stdout.splitlines()[2:]]
    assert sources == ["starnberg-web", "aschaffenburg-web"]


def test_json_gives_the_same_as_data(crawled):
    run, history = crawled
    result = run("--json")
    assert result.returncode == 0
    items = {item["source"]: item for item in json.loads(result.stdout)}
    assert set(items) == {"miltenberg-web", "aschaffenburg-web", "starnberg-web", "landshut-web"}
    assert items["starnberg-web"]["state"] == "failing" and items["landshut-web"]["removed"] is True
    assert [p["found"] for p in items["miltenberg-web"]["trend"]] == [12, 12, 13]
    assert items["miltenberg-web"]["last_run"] == history["miltenberg-web"][-1].started_at.isoformat()


def test_one_source_lists_its_runs_failed_pages_robots_refusals_and_drops(crawled):
    run, _ = crawled
    result = run("--source", "aschaffenburg-web")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Quelle aschaffenburg-web (aschaffenburg) · eingeschränkt · Strategie structured")
    assert out.count("erfolgreich") == 3
    assert f"  Fehlgeschlagen: {BROKEN[0]} — HTTP 404" in out
    assert f"  robots.txt verweigert: {ROBOTS[0]} — robots.txt verbietet den Abruf" in out
    assert "  Verworfen: ohne Titel: 2" in out


def test_one_source_as_json_and_only_its_failed_runs(crawled):
    run, history = crawled
    body = json.loads(run("--source", "aschaffenburg-web", "--failed", "--json").stdout)
    assert [r["id"] for r in body["runs"]] == [history["aschaffenburg-web"][-1].id]
    (only,) = body["runs"]
    assert only["failed_pages"] == [BROKEN] and only["robots_refusals"] == [ROBOTS]
    assert only["drop_reasons"] == {"ohne Titel": 2} and only["strategy"] == "structured"
    removed = json.loads(run("--source", "landshut-web", "--json").stdout)
    assert removed["removed"] is True and len(removed["runs"]) == 1


def test_an_unknown_source_is_a_german_error_with_exit_2(crawled):
    run, _ = crawled
    result = run("--source", "gibt-es-nicht")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Unbekannte Quelle „gibt-es-nicht“" in result.stderr


def test_a_database_without_runs_lists_the_configured_sources(tmp_path):
    districts = tmp_path / "districts.yaml"
    districts.write_text(DISTRICTS, encoding="utf-8")
    env = {**os.environ, "STELLEN_DATABASE_URL": f"sqlite:///{tmp_path / 'neu.db'}",
           "STELLEN_DISTRICTS_FILE": str(districts)}  # fmt: skip
    result = subprocess.run([sys.executable, "-m", "cli.main", "runs"], capture_output=True, text=True,
                            env=env, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "noch kein Lauf" in _row(result.stdout, "miltenberg-web")
    assert Path(tmp_path / "neu.db").exists()


def test_the_help_is_german():
    command = [sys.executable, "-m", "cli.main", "runs", "--help"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "Ausgabe als JSON" in result.stdout and "Optionen" in result.stdout
