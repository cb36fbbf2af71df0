"""Real processes in tests: children of a pid (read from /proc), and bounded waits for their end."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from vacancies.lifeline import process_start, running

REPO_ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, env: dict[str, str], output: Path) -> subprocess.Popen:
    """`stellenboerse ARGS` as a child process of the test; its stdout and stderr go to files
    `output`.out and `output`.err (a pipe nobody reads would block a talkative child)."""
    with open(f"{output}.out", "w") as out, open(f"{output}.err", "w") as err:
        return subprocess.Popen([sys.executable, "-m", "cli.main", *args], env=env, cwd=REPO_ROOT,
                                stdout=out, stderr=err)  # fmt: skip


def read(output: Path) -> tuple[str, str]:
    """(stdout, stderr) of a process started by `cli` with this `output`."""
    return Path(f"{output}.out").read_text(), Path(f"{output}.err").read_text()


def children(pid: int) -> list[tuple[int, str]]:
    """(pid, start time) of the live child processes of `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            found.append((int(entry.name), fields[19]))
    return found


def identity(pid: int) -> tuple[int, str]:
    started = process_start(pid)
    assert started is not None, f"Prozess {pid} läuft nicht"
    return pid, started


def wait_for(condition: Callable[[], object], timeout: float, step: float = 0.05):
    """The first true value of `condition()` within `timeout` seconds, else the last (false) one."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def still_running(processes: list[tuple[int, str]], timeout: float) -> list[tuple[int, str]]:
    """Those of `processes` still running after up to `timeout` seconds (empty when all have ended)."""
    left = list(processes)

    def all_gone() -> bool:
        left[:] = [(pid, started) for pid, started in left if running(pid, started)]
        return not left

    wait_for(all_gone, timeout)
    return left


def kill(process: subprocess.Popen, sig: int, timeout: float = 15) -> int:
    """Send `sig` and reap the process; its exit code (negative: the signal that ended it)."""
    os.kill(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
        raise AssertionError(f"Prozess {process.pid} endete nicht {timeout} s nach Signal {sig}") from None
    return process.returncode
