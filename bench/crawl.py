"""Crawl benchmark: full crawls of the 26 sample district sites into a fresh SQLite store each.

    python bench/crawl.py [--scale 10] [--workers 2] [--slow-delay 1.5] [--runs impolite,...,polite]

Runs (each `stellenboerse crawl` in a subprocess, as the scheduler starts it, into a fresh database
whose schema is created before the clock starts: a nightly crawl finds its store, and creating one is a
one-off of ~0.5 s per installation; the project's modules are byte-compiled first, as `pip install`
does):
- impolite: politeness off (no delay, no AutoThrottle, no limit per host but the crawler's 64 requests
  at once; robots.txt still obeyed), one process — measures
  the pipeline: postings per second end to end (HTTP → extraction → normalise → validate → sanitise →
  store + index). Target ≥ 200 postings/s.
- workers: the same with `--workers N` (forked worker processes, one crawler each).
- scaled: the same with `--workers N` on the sample sites with N× as many postings per site
  (`SampleSites(scale=...)`, same seed): the start-up cost is the same, so this shows the rate a
  bigger crawl reaches.
- polite: the settings as shipped (robots.txt, AutoThrottle, ≤ 2 requests per host, delays, retries
  with backoff), including the deliberately slow site. Target: wall time under 2 minutes.
- recrawl: two impolite crawls of the unchanged sample sites into the same store (issue 19, item 7):
  the second asks every posting page conditionally (crawler.freshness) and the sites answer 304.
  Prints requests, bytes and 304s of both, counted by the sample sites' server, and the saving.
  Target: the second crawl transfers at least 80 % fewer bytes.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.samplesites.server import SampleSites  # noqa: E402

TARGET_RATE = 200.0
TARGET_WALL = 120.0
TARGET_SAVING = 0.80  # fewer bytes on a second crawl of unchanged sites
RUNS = ("impolite", "workers", "scaled", "polite", "recrawl")


def run_crawl(sites: SampleSites, workdir: Path, mode: str, polite: bool, workers: int = 1,
              fresh: bool = True) -> dict:  # fmt: skip
    """One `stellenboerse crawl` as shipped (no disk cache); `fresh=False` crawls into the store of the
    same mode's previous crawl (re-crawl)."""
    districts = workdir / f"districts-{sites.scale}.yaml"
    sites.write_districts_yaml(districts)
    database = workdir / f"{mode.split()[0]}-{sites.scale}-{workers}.db"
    env = {**os.environ, "STELLEN_DATABASE_URL": f"sqlite:///{database}", "STELLEN_SEARCH_BACKEND": "sqlite"}
    if fresh:
        create_store(f"sqlite:///{database}")
    command = [sys.executable, "-m", "cli.main", "crawl", "--districts-file", str(districts),
               "--workers", str(workers)]  # fmt: skip
    if not polite:
        command.append("--impolite")
    cpu_before = _children_cpu()
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    with sqlite3.connect(database) as conn:
        stored = conn.execute("SELECT count(*) FROM vacancies").fetchone()[0]
        failed = conn.execute("SELECT count(*) FROM crawl_runs WHERE status != 'success'").fetchone()[0]
        window = conn.execute(
            "SELECT (julianday(max(finished_at)) - julianday(min(started_at))) * 86400 FROM crawl_runs"
        ).fetchone()[0]
    return {"mode": mode, "polite": polite, "wall": wall, "cpu": cpu, "stored": stored, "rate": stored / wall,
            "window": window, "window_rate": stored / window, "failed_sources": failed,
            "exit": result.returncode}  # fmt: skip


def _children_cpu() -> float:
    """User + system CPU seconds of the finished child processes (forked crawl workers included: the
    crawl process waits for them). Unlike wall time, comparable between hosts of different speed."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def byte_compile() -> None:
    """Compile the project's modules as `pip install` does (Dockerfile): a checkout run with
    PYTHONDONTWRITEBYTECODE=1 would otherwise compile them from source at every process start."""
    for package in ("api", "cli", "crawler", "server", "vacancies", "web"):
        compileall.compile_dir(str(ROOT / package), quiet=1)


def create_store(url: str) -> None:
    from vacancies.store import make_engine, migrate

    engine = make_engine(url)
    migrate(engine)
    engine.dispose()


def table(rows: list[dict]) -> str:
    header = (f"{'mode':<26} {'wall s':>8} {'crawl s':>8} {'postings':>9} {'postings/s':>11} "
              f"{'in crawl/s':>11} {'CPU ms/posting':>15} {'failed sources':>15}  target")  # fmt: skip
    lines = [header, "-" * len(header)]
    for row in rows:
        if row["polite"]:
            target = f"< {TARGET_WALL:.0f} s {'OK' if row['wall'] < TARGET_WALL else 'MISS'}"
        else:
            target = f"≥ {TARGET_RATE:.0f}/s {'OK' if row['rate'] >= TARGET_RATE else 'MISS'}"
        numbers = f"{row['wall']:8.1f} {row['window']:8.1f} {row['stored']:9d} {row['rate']:11.1f}"
        per_posting = row["cpu"] * 1000 / max(row["stored"], 1)
        lines.append(f"{row['mode']:<26} {numbers} {row['window_rate']:11.1f} {per_posting:15.1f} "
                     f"{row['failed_sources']:15d}  {target}")  # fmt: skip
    return "\n".join(lines)


def recrawl(sites: SampleSites, workdir: Path) -> list[dict]:
    """Two impolite crawls of the unchanged sites into one store: what each asked and got (counted by
    the sites' server) and what the runs recorded."""
    rows = []
    for night in ("first", "second"):
        served = len(sites.served)
        row = run_crawl(sites, workdir, "recrawl", polite=False, fresh=night == "first")
        answers = sites.served[served:]
        row.update(night=night, requests=len(answers), bytes=sum(size for _, _, size in answers),
                   not_modified=sum(1 for _, status, _ in answers if status == 304))  # fmt: skip
        print(
            f"recrawl, {night} crawl: {row['wall']:.1f} s, {row['bytes']} bytes", file=sys.stderr, flush=True
        )
        rows.append(row)
    return rows


def recrawl_table(rows: list[dict]) -> str:
    header = f"{'crawl':<8} {'requests':>9} {'bytes':>11} {'304':>6} {'postings':>9} {'wall s':>7}  saving"
    lines = [header, "-" * len(header)]
    first = rows[0]
    for row in rows:
        saving = ""
        if row is not first:
            fewer = 1 - row["bytes"] / max(first["bytes"], 1)
            verdict = "OK" if fewer >= TARGET_SAVING else "MISS"
            saving = f"{fewer:.1%} fewer bytes, {1 - row['requests'] / max(first['requests'], 1):.1%} fewer "
            saving += f"requests (target ≥ {TARGET_SAVING:.0%} bytes: {verdict})"
        lines.append(f"{row['night']:<8} {row['requests']:9d} {row['bytes']:11d} {row['not_modified']:6d} "
                     f"{row['stored']:9d} {row['wall']:7.1f}  {saving}".rstrip())  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--slow-delay", type=float, default=1.5, help="delay of the slow sample site (s)")
    parser.add_argument("--runs", default=",".join(RUNS), help=f"any of {', '.join(RUNS)}")
    parser.add_argument("--workers", type=int, default=2, help="processes of the workers/scaled runs")
    parser.add_argument("--scale", type=int, default=10, help="postings per site × this in the scaled run")
    args = parser.parse_args()
    runs = args.runs.split(",")
    if unknown := set(runs) - set(RUNS):
        parser.error(f"unknown runs: {', '.join(sorted(unknown))}")
    byte_compile()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        with SampleSites(port=0, today=date.today(), slow_delay=args.slow_delay) as sites:
            for name in (r for r in RUNS if r in runs and r not in ("scaled", "recrawl")):
                rows.append(_run(name, sites, Path(tmp), args.workers))
            again = recrawl(sites, Path(tmp)) if "recrawl" in runs else []
        if "scaled" in runs:
            scaled = SampleSites(port=0, today=date.today(), slow_delay=args.slow_delay, scale=args.scale)
            with scaled:
                rows.append(_run("scaled", scaled, Path(tmp), args.workers))
    if again:
        print(recrawl_table(again))
        print("\nrequests, bytes (response bodies) and 304s as the sample sites' server counted them; the")
        print("second crawl asks each posting page with the ETag / Last-Modified the first one stored.")
        print("Only list pages (and pages whose postings were dropped or failed) are read in full again.\n")
    if not rows:
        return 0
    print(table(rows))
    print("\nwall s: the whole `stellenboerse crawl` process (interpreter start-up, imports, opening the")
    print("store, crawl, shutdown) into an empty store created beforehand, with the project byte-compiled")
    print("as an installation has it; crawl s: first source opened to last source closed (from crawl_runs);")
    print("CPU ms/posting: user + system CPU of the crawl and its workers per stored posting, start-up")
    print("included — the figure to compare between machines of different speed.")
    print("(1 failed source per run is expected: a sample site answers 500 by design.)")
    return 0


def _run(name: str, sites: SampleSites, workdir: Path, workers: int) -> dict:
    mode, polite, processes = {
        "impolite": ("impolite", False, 1),
        "workers": (f"impolite, {_processes(workers)}", False, workers),
        "scaled": (f"impolite ×{sites.scale}, {_processes(workers)}", False, workers),
        "polite": ("polite (as shipped)", True, 1),
    }[name]
    row = run_crawl(sites, workdir, mode, polite, processes)
    print(f"{row['mode']}: {row['wall']:.1f} s, {row['stored']} postings", file=sys.stderr, flush=True)
    return row


def _processes(workers: int) -> str:
    return "1 process" if workers == 1 else f"{workers} workers"


if __name__ == "__main__":
    sys.exit(main())
