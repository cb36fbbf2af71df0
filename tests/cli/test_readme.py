"""README's commands and examples, run as a reader would run them, so README cannot drift again.

The HR block (`users add` against the demo's database, `tokens create`, the curl examples) runs in bash
against a live `stellenboerse serve` (real subprocess, real HTTP) on a free loopback port whose database
lies where README says the demo's is, under a temporary directory. Every `stellenboerse` line of the
command list must name real subcommands and options.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from cli.main import build_parser
from tests.hr.conftest import csrf_of
from tests.support import free_port, wait_until_answering

README = Path(__file__).resolve().parents[2] / "README.md"
README_PORT = "http://127.0.0.1:8000"


def bash_blocks(text: str) -> list[str]:
    return re.findall(r"^```bash\n(.*?)^```", text, flags=re.S | re.M)


def hr_block() -> str:
    (block,) = [b for b in bash_blocks(README.read_text(encoding="utf-8")) if "curl -X PUT" in b]
    return block


def _shim(bin_dir: Path) -> None:
    """`stellenboerse` on PATH runs this checkout's code with this interpreter."""
    bin_dir.mkdir()
    shim = bin_dir / "stellenboerse"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m cli.main "$@"\n', encoding="utf-8")
    shim.chmod(0o755)


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STELLEN_") or k == "STELLEN_CONFIG_DIR"}
    env["PATH"] = f"{home / 'bin'}{os.pathsep}{env['PATH']}"
    env["STELLEN_TODAY"] = "2026-12-01"  # the example's deadline (31.01.2027) must lie ahead
    return env


@pytest.fixture
def live_demo_board(tmp_path):
    """`stellenboerse serve` on the database README calls the demo's (var/demo under tmp_path)."""
    _shim(tmp_path / "bin")
    (tmp_path / "var" / "demo").mkdir(parents=True)
    env = _environment(tmp_path)
    server_env = {
        **env,
        "STELLEN_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'demo' / 'stellenboerse.db'}",
        "STELLEN_COOKIE_SECURE": "false",  # as the demo: HR login over plain HTTP
    }
    port = free_port()
    command = [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", "1"]
    server = subprocess.Popen(
        command, env=server_env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{url}/api/v1/health", server)
        yield url, env
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def run_hr_block(url: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """README's HR block in bash; every curl must get a 2xx answer (--fail-with-body), any failing
    command ends the script (set -e, pipefail)."""
    script = hr_block().replace(README_PORT, url).replace("curl ", "curl -sS --fail-with-body ")
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_readme_hr_block_runs_against_a_live_server(live_demo_board, tmp_path):
    url, env = live_demo_board
    done = run_hr_block(url, env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Konto angelegt: personal@example.org" in done.stdout
    assert '"external_id":"4711"' in done.stdout.replace(" ", "")
    password = re.search(r"wird nur jetzt angezeigt\): (\S+)", done.stdout).group(1)
    with httpx2.Client(base_url=url) as browser:  # the new account logs in to the board README's demo uses
        token = csrf_of(browser.get("/hr/anmelden").text.split('action="/hr/anmelden"', 1)[1])
        form = {"csrf_token": token, "email": "personal@example.org", "password": password, "next": "/hr/"}
        answer = browser.post("/hr/anmelden", data=form)
    assert answer.status_code == 303 and answer.headers["location"].endswith("/hr/")


def test_readme_curl_example_without_an_apply_address_would_fail(live_demo_board, tmp_path):
    """The check above is strict: README's old example (no apply address) is a 422 and fails the run."""
    url, env = live_demo_board
    old = hr_block().replace(', "apply_url": "https://www.landkreis-miltenberg.de/bewerbung"', "")
    script = old.replace(README_PORT, url).replace("curl ", "curl -sS --fail-with-body ")
    command = ["bash", "-euo", "pipefail", "-c", script]
    done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "Bewerbungsadresse" in done.stdout


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions for option in action.option_strings}


def readme_command_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    (block,) = [b for b in bash_blocks(text) if "stellenboerse import" in b]
    commands = []
    for line in block.splitlines():
        line = line.split("  #")[0]
        commands += [part.strip() for part in line.split(" ; ") if part.strip()]
    return commands


def check_command(line: str) -> list[str]:
    """What in one README command line the parser does not know (empty: all of it exists)."""
    words = line.replace("stellenboerse ", "", 1).replace("[", " ").replace("]", " ").split()
    parser, problems = build_parser(), []
    while words and (choices := _subcommands(parser)):
        names = words.pop(0).split("|")
        unknown = [n for n in names if n not in choices]
        if unknown:
            return [f"{line}: Befehl {unknown}"]
        parser = choices[names[0]]
        known = set.intersection(*(_options(choices[n]) for n in names))
    problems += [f"{line}: Option {w}" for w in words if w.startswith("--") and w not in known]
    return problems


def test_every_readme_command_and_option_exists():
    lines = readme_command_lines()
    assert len(lines) >= 15
    assert [p for line in lines for p in check_command(line)] == []


def test_the_command_check_finds_a_misspelt_option():
    assert check_command("stellenboerse search x --raduis 5") == [
        "stellenboerse search x --raduis 5: Option --raduis"
    ]
    assert check_command("stellenboerse users delete --email E")


def test_every_setting_is_in_the_configuration_table():
    """A setting the table leaves out is one nobody finds (STELLEN_PUBLIC_BASE_URL was once missing)."""
    from vacancies.settings import Settings

    text = README.read_text(encoding="utf-8")
    table = text.split("### Configuration (environment)", 1)[1].split("\n\n", 2)[1]
    first_cells = [line.split(" | ")[0] for line in table.splitlines() if line.startswith("| `STELLEN_")]
    rows = {name for cell in first_cells for name in re.findall(r"`(STELLEN_\w+)`", cell)}
    assert {f"STELLEN_{name.upper()}" for name in Settings.model_fields} - rows == set()
