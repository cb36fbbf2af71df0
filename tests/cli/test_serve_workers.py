"""`stellenboerse serve --workers 2`: two real server processes behind one port, gone after SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest

from tests.search.corpus import RECORDS, TODAY
from tests.support import free_port, wait_until_answering


def _env(db: Path) -> dict:
    return {
        **os.environ,
        "STELLEN_DATABASE_URL": f"sqlite:///{db}",
        "STELLEN_SEARCH_BACKEND": "sqlite",
        "STELLEN_TODAY": TODAY.isoformat(),
    }


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(child) for child in text)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_two_workers_serve_one_port_and_sigterm_ends_them_all(tmp_path):
    db = tmp_path / "b.db"
    lines = "\n".join(json.dumps({"source": "cli", **r}, ensure_ascii=False) for r in RECORDS)
    (tmp_path / "ok.jsonl").write_text(lines + "\n", encoding="utf-8")
    imported = subprocess.run(
        [sys.executable, "-m", "cli.main", "import", str(tmp_path / "ok.jsonl")], env=_env(db), timeout=120
    )
    assert imported.returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", "2"],
        env=_env(db),
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{url}/api/v1/health", server)
        workers = {c for c in _children(server.pid) if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()}
        assert len(workers) == 2
        search = f"{url}/api/v1/vacancies?q=Sachbearbeiter"
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: httpx2.get(search, timeout=30).json(), range(40)))
        assert all(a["total"] == answers[0]["total"] > 0 for a in answers)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers)
    with socket.socket() as sock:  # the port is free again: a restart would not fail
        sock.bind(("127.0.0.1", port))


def test_a_bad_worker_count_is_refused_in_german(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "serve", "--workers", "0"],
        env=_env(tmp_path / "b.db"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "keine Zahl von 1 bis 64" in result.stderr


def _start(db: Path, port: int, workers: int = 2, stderr=subprocess.DEVNULL) -> subprocess.Popen:
    command = [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(command, env=_env(db), stderr=stderr, text=True)


def _workers_of(server: subprocess.Popen) -> set[int]:
    return {c for c in _children(server.pid) if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()}


def _gone(pids: set[int], seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(_alive(p) for p in pids)


def test_a_dead_worker_is_replaced_and_the_server_keeps_answering(tmp_path):
    port = free_port()
    server = _start(tmp_path / "b.db", port)
    url = f"http://127.0.0.1:{port}/api/v1/health"
    try:
        wait_until_answering(url, server)
        first = _workers_of(server)
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(_workers_of(server) - {victim}) < 2:
            time.sleep(0.2)
        assert len(_workers_of(server) - {victim}) == 2
        assert all(httpx2.get(url, timeout=10).status_code == 200 for _ in range(10))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def test_workers_end_when_their_supervisor_is_killed(tmp_path):
    port = free_port()
    server = _start(tmp_path / "b.db", port)
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/api/v1/health", server)
        workers = _workers_of(server)
        assert len(workers) == 2
    finally:
        server.kill()
        server.wait(timeout=30)
    assert _gone(workers)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_busy_port_is_refused_in_german_at_once(tmp_path, workers):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = _start(tmp_path / "b.db", port, workers, stderr=subprocess.PIPE)
        _, stderr = server.communicate(timeout=60)
    assert server.returncode == 2
    assert f"Port {port} auf 127.0.0.1 ist belegt" in stderr and "--port" in stderr
