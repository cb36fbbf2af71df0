"""The `stellenboerse` command as a user runs it: a real subprocess on a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.search.corpus import RECORDS, TODAY


def run(args: list[str], db: str, **env) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "STELLEN_DATABASE_URL": f"sqlite:///{db}",
        "STELLEN_SEARCH_BACKEND": "sqlite",
        "STELLEN_TODAY": TODAY.isoformat(),  # the corpus's deadlines are fixed dates: pin "today" to them
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def good_line(record: dict) -> str:
    return json.dumps({"source": "cli", **record}, ensure_ascii=False)


@pytest.fixture
def jsonl(tmp_path):
    lines = [good_line(r) for r in RECORDS[:5]]
    lines.insert(2, '{"id": "kaputt", "title": ')  # line 3: broken JSON
    lines.append(
        json.dumps(
            {"id": "x1", "source": "cli", "district": "miltenberg", "title": "Koch", "deadline": "31.02.2027"}
        )
    )  # line 7: invalid date
    lines.append(json.dumps({"id": "x2", "source": "cli", "district": "Miltenberg!", "title": ""}))  # line 8
    lines.append("")
    lines.append("[1, 2]")  # line 10: not an object
    path = tmp_path / "stellen.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_reports_bad_lines_and_imports_good_ones(tmp_path, jsonl):
    db = str(tmp_path / "b.db")
    result = run(["import", str(jsonl)], db)
    assert result.returncode == 1
    assert f"{jsonl}:3: kein gültiges JSON" in result.stderr
    assert f"{jsonl}:7: deadline:" in result.stderr
    assert f"{jsonl}:8: district:" in result.stderr and "title:" in result.stderr
    assert f"{jsonl}:10: erwartet ein JSON-Objekt" in result.stderr
    assert "5 neu" in result.stdout and "4 fehlerhaft" in result.stdout


def test_reimport_is_idempotent(tmp_path, jsonl):
    db = str(tmp_path / "b.db")
    run(["import", str(jsonl)], db)
    again = run(["import", str(jsonl)], db)
    assert "0 neu, 0 geändert, 5 unverändert" in again.stdout


def test_clean_file_exits_zero(tmp_path):
    path = tmp_path / "ok.jsonl"
    path.write_text("\n".join(good_line(r) for r in RECORDS) + "\n", encoding="utf-8")
    result = run(["import", str(path)], str(tmp_path / "b.db"))
    assert result.returncode == 0, result.stderr
    assert f"{len(RECORDS)} neu" in result.stdout


def test_broken_encoding_is_reported(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(
        good_line(RECORDS[0]).encode() + b"\n" + '{"id": "k", "title": "Kämmerei"}'.encode("latin-1")
    )
    result = run(["import", str(path)], str(tmp_path / "b.db"))
    assert result.returncode == 1
    assert ":2: keine gültige UTF-8-Kodierung" in result.stderr


def test_missing_file_is_a_clear_error(tmp_path):
    result = run(["import", str(tmp_path / "nope.jsonl")], str(tmp_path / "b.db"))
    assert result.returncode == 2 and "Datei nicht gefunden" in result.stderr


def test_search_near_as_json_and_text(tmp_path):
    path = tmp_path / "ok.jsonl"
    path.write_text("\n".join(good_line(r) for r in RECORDS) + "\n", encoding="utf-8")
    db = str(tmp_path / "b.db")
    run(["import", str(path)], db)
    as_json = run(["search", "Sachbearbeiter", "--near", "63897", "--radius", "40", "--json"], db)
    body = json.loads(as_json.stdout)
    assert {item["id"] for item in body["items"]} == {"v02", "v07", "v09"}
    assert all(item["distance_km"] <= 40 for item in body["items"])
    as_text = run(["search", "Erzieher"], db)
    assert "1 Treffer" in as_text.stdout and "Erzieher (m/w/d) Kindertagesstätte" in as_text.stdout
    unknown = run(["search", "x", "--near", "Atlantis"], db)
    assert unknown.returncode == 2 and "nicht bekannt" in unknown.stderr
    by_distance = run(
        ["search", "Sachbearbeiter", "--near", "63897", "--radius", "40", "--sort", "distance", "--json"], db
    )
    assert [item["id"] for item in json.loads(by_distance.stdout)["items"]] == ["v09", "v07", "v02"]
    nowhere = run(["search", "x", "--sort", "distance"], db)
    assert nowhere.returncode == 2
    assert "--sort: Nach Entfernung sortieren geht nur mit einem Ort oder einer PLZ" in nowhere.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--limit", "-3"], "--limit: muss mindestens 1 sein"),
        (["--limit", "500"], "--limit: darf höchstens 100 sein"),
        (["--radius", "1e9"], "--radius: darf höchstens 300 sein"),
        (["--radius", "nan"], "--radius: muss eine Zahl sein"),
        (["--radius", "zehn"], "--radius: muss eine Zahl sein"),
        (["--sort", "beliebt"], "--sort: erlaubt sind: 'relevance', 'newest', 'deadline' oder 'distance'"),
        (["--posting-type", "astronaut"], "--posting-type: erlaubt sind:"),
        (["--career-level", "7"], "--career-level: muss 1 bis 4 sein"),
        (["--start-asap", "vielleicht"], "--start-asap: muss true oder false sein"),
        (["--pay-grade-min", "XYZ"], "--pay-grade-min: „XYZ“ ist keine Entgelt- oder Besoldungsgruppe"),
        (["--page", "500", "--limit", "100"], "--page: Es können höchstens 10.000 Treffer durchblättert"),
    ],
)
def test_search_refuses_what_the_api_refuses_in_german(tmp_path, args, message):
    result = run(["search", "Sachbearbeiter", *args], str(tmp_path / "b.db"))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_search_takes_every_filter_of_the_api(tmp_path):
    path = tmp_path / "ok.jsonl"
    path.write_text("\n".join(good_line(r) for r in RECORDS) + "\n", encoding="utf-8")
    db = str(tmp_path / "b.db")
    run(["import", str(path)], db)
    everything = json.loads(run(["search", "--limit", "100", "--json"], db).stdout)["items"]
    by_district = run(["search", "--district", "miltenberg", "--district", "starnberg", "--json"], db)
    expected = {item["id"] for item in everything if item["district"] in {"miltenberg", "starnberg"}}
    assert {item["id"] for item in json.loads(by_district.stdout)["items"]} == expected and expected
    apprenticeships = run(["search", "--posting-type", "apprenticeship", "--json"], db)
    found = json.loads(apprenticeships.stdout)["items"]
    assert found and all(item["posting_type"] == "apprenticeship" for item in found)
    assert len(found) == sum(1 for item in everything if item["posting_type"] == "apprenticeship")
    asap = json.loads(run(["search", "--start-asap", "true", "--json"], db).stdout)["items"]
    assert {item["id"] for item in asap} == {item["id"] for item in everything if item["start_asap"]} != set()


def test_reindex_rebuilds_the_embedded_index(tmp_path):
    path = tmp_path / "ok.jsonl"
    path.write_text("\n".join(good_line(r) for r in RECORDS) + "\n", encoding="utf-8")
    db = str(tmp_path / "b.db")
    run(["import", str(path)], db)
    result = run(["reindex"], db)
    assert result.returncode == 0 and f"{len(RECORDS)} Stellen" in result.stdout
    assert "1 Treffer" in run(["search", "Hochbau"], db).stdout


def test_a_pinned_today_decides_which_deadlines_have_passed(tmp_path):
    path = tmp_path / "ok.jsonl"
    path.write_text("\n".join(good_line(r) for r in RECORDS) + "\n", encoding="utf-8")
    db = str(tmp_path / "b.db")
    run(["import", str(path)], db)
    args = ["search", "Sachbearbeiter", "--near", "63897", "--radius", "40", "--json"]
    ids = {item["id"] for item in json.loads(run(args, db).stdout)["items"]}
    later = {item["id"] for item in json.loads(run(args, db, STELLEN_TODAY="2026-12-02").stdout)["items"]}
    assert "v09" in ids and "v09" not in later  # v09's Bewerbungsfrist is 2026-12-01


def test_production_refuses_a_pinned_today(tmp_path):
    result = run(
        ["search", "x"], str(tmp_path / "b.db"), STELLEN_ENVIRONMENT="production", STELLEN_SECRET_KEY="s" * 40
    )
    assert result.returncode == 2 and "STELLEN_TODAY" in result.stderr


def test_production_refuses_the_development_secret(tmp_path):
    result = run(["search", "x"], str(tmp_path / "b.db"), STELLEN_ENVIRONMENT="production")
    assert result.returncode == 2 and "STELLEN_SECRET_KEY" in result.stderr


def test_crawl_with_a_broken_districts_file_names_the_problem(tmp_path):
    broken = tmp_path / "districts.yaml"
    broken.write_text("districts:\n  - slug: miltenberg\n    key: '09676'\n", encoding="utf-8")
    result = run(["crawl", "--districts-file", str(broken)], str(tmp_path / "b.db"))
    assert result.returncode == 2
    assert "Konfigurationsfehler" in result.stderr and "Landkreis „miltenberg“, name: fehlt" in result.stderr


def test_a_crawl_starts_without_the_hr_account_code_or_the_scheduler():
    """Each loads ~0.1 s of modules (Argon2, APScheduler's scheduler) that a crawl never uses."""
    from pathlib import Path

    script = (
        "import sys; from cli.main import build_parser; from crawler.config import load_districts; "
        "build_parser(); load_districts(); "
        "print(sorted(m for m in ('vacancies.accounts', 'argon2', 'crawler.scheduler', "
        "'apscheduler.schedulers') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    assert done.stdout.strip() == "[]"


def test_bad_trusted_proxies_are_refused_at_start(tmp_path):
    result = run(["search", "x"], str(tmp_path / "b.db"), STELLEN_TRUSTED_PROXIES='["10.0.0.0/8", "proxy"]')
    assert result.returncode == 2 and "„proxy“ ist keine IP-Adresse" in result.stderr


def test_import_reports_json_beyond_the_limits_as_bad_lines(tmp_path):
    """A 5,000-digit number and 100,000-deep nesting aborted the whole import (ValueError, RecursionError)."""
    good = good_line(RECORDS[0])
    path = tmp_path / "limits.jsonl"
    lines = [
        good,
        '{"id": "x1", "weekly_hours": ' + "9" * 5000 + "}",
        '{"id": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(["import", str(path)], str(tmp_path / "b.db"))
    assert result.returncode == 1, result.stderr
    assert f"{path}:2: eine Zahl ist zu lang" in result.stderr
    assert f"{path}:3: zu tief verschachtelt" in result.stderr
    assert "1 neu" in result.stdout and "2 fehlerhaft" in result.stdout
