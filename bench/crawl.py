"""Crawl benchmark: a full crawl of the 26 sample district sites into a fresh SQLite store.

    python bench/crawl.py [--slow-delay 1.5] [--runs impolite,polite]

- impolite: politeness off (no delay, no AutoThrottle, 16 requests per host) — measures the pipeline:
  postings per second end to end (HTTP → extraction → normalise → validate → sanitise → store + index).
  Target ≥ 200 postings/s.
- polite: the settings as shipped (robots.txt, AutoThrottle, ≤ 2 requests per host, delays, retries with
  backoff), including the deliberately slow site. Target: wall time under 2 minutes.
Both runs are `stellenboerse crawl` in a subprocess, exactly as the scheduler starts it.
"""

from __future__ import annotations

import argparse
import os
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


def run_crawl(sites: SampleSites, workdir: Path, polite: bool) -> dict:
    districts = workdir / "districts.yaml"
    sites.write_districts_yaml(districts)
    database = workdir / f"{'polite' if polite else 'impolite'}.db"
    env = {**os.environ, "STELLEN_DATABASE_URL": f"sqlite:///{database}", "STELLEN_SEARCH_BACKEND": "sqlite"}
    command = [sys.executable, "-m", "cli.main", "crawl", "--districts-file", str(districts),
               "--http-cache", str(workdir / "cache-unused")]  # fmt: skip
    if not polite:
        command.append("--impolite")
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - started
    with sqlite3.connect(database) as conn:
        stored = conn.execute("SELECT count(*) FROM vacancies").fetchone()[0]
        failed = conn.execute("SELECT count(*) FROM crawl_runs WHERE status != 'success'").fetchone()[0]
        window = conn.execute(
            "SELECT (julianday(max(finished_at)) - julianday(min(started_at))) * 86400 FROM crawl_runs"
        ).fetchone()[0]
    return {"mode": "polite (as shipped)" if polite else "impolite", "wall": wall, "stored": stored,
            "rate": stored / wall, "window": window, "window_rate": stored / window,
            "failed_sources": failed, "exit": result.returncode}  # fmt: skip


def table(rows: list[dict]) -> str:
    header = (f"{'mode':<22} {'wall s':>8} {'crawl s':>8} {'postings':>9} {'postings/s':>11} "
              f"{'in crawl/s':>11} {'failed sources':>15}  target")  # fmt: skip
    lines = [header, "-" * len(header)]
    for row in rows:
        if row["mode"] == "impolite":
            target = f"≥ {TARGET_RATE:.0f}/s {'OK' if row['rate'] >= TARGET_RATE else 'MISS'}"
        else:
            target = f"< {TARGET_WALL:.0f} s {'OK' if row['wall'] < TARGET_WALL else 'MISS'}"
        numbers = f"{row['wall']:8.1f} {row['window']:8.1f} {row['stored']:9d} {row['rate']:11.1f}"
        lines.append(
            f"{row['mode']:<22} {numbers} {row['window_rate']:11.1f} {row['failed_sources']:15d}  {target}"
        )
    return "\n".join(lines)


def main() -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--slow-delay", type=float, default=1.5, help="delay of the slow sample site (s)")
    parser.add_argument("--runs", default="impolite,polite")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, SampleSites(port=0, today=date.today(),
                                                            slow_delay=args.slow_delay) as sites:  # fmt: skip
        for mode in args.runs.split(","):
            rows.append(run_crawl(sites, Path(tmp), polite=(mode == "polite")))
            print(f"{rows[-1]['mode']}: {rows[-1]['wall']:.1f} s", file=sys.stderr, flush=True)
    print(table(rows))
    print("\nwall s: the whole `stellenboerse crawl` process (start-up, 26 Scrapy crawlers, shutdown);")
    print("crawl s: first source opened to last source closed (from crawl_runs).")
    print("(1 failed source is expected: a sample site answers 500 by design.)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
