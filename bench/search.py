"""Search benchmark: import throughput, search latency per query kind, and `serve` memory.

Run on demand (not part of the tests):

    python bench/search.py                                  # 100,000 postings, embedded backend
    python bench/search.py --n 2000                         # smoke run
    python bench/search.py --backend elasticsearch --es-url http://127.0.0.1:9250
    python bench/search.py --backend both --es-url "$(tests/elasticsearch/run_es.sh url)"

Postings come from `vacancies.sample_data` (seeded) and go through the real `Board` in batches of 5,000
(`board.save`). Latencies are measured with `time.perf_counter` after a warm-up over a seeded mix of
queries: keyword, keyword + filters, radius, facets only and page 5. For the embedded backend the script
also starts `stellenboerse serve` on the bench database, fires the same mix at `/api/v1/vacancies` (end-to-end
HTTP latency) and samples the server's resident memory (psutil).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import numpy as np  # noqa: E402

from vacancies.model import PostingType, WorkingTime  # noqa: E402
from vacancies.sample_data import _berlin_today, generate_vacancies, landkreise, postal_places  # noqa: E402
from vacancies.search.contract import GeoPoint, SearchQuery  # noqa: E402

BATCH = 5000
KINDS = ("keyword", "keyword+filters", "radius", "facets", "page 5")
KIND_WEIGHTS = (30, 25, 20, 10, 15)
TARGETS = {
    "sqlite_p50_ms": 15.0,
    "sqlite_p95_ms": 50.0,
    "sqlite_import_per_s": 2000.0,
    "elasticsearch_p95_ms": 40.0,
    "serve_rss_mb": 300.0,
}
STOP_WORDS = {"m/w/d", "und", "der", "die", "das", "für", "im", "zur", "zum", "den", "des", "am", "an", "in"}

try:
    from tabulate import tabulate
except ImportError:  # plain formatting
    tabulate = None


# ------------------------------------------------------------------------------------------ queries


@dataclass
class BenchQuery:
    kind: str
    params: dict[str, Any]  # the HTTP query parameters of /api/v1/vacancies


def title_vocabulary(n: int, seed: int, today: date) -> tuple[list[str], list[tuple[str, str]]]:
    """Common title words and word pairs from the same title, taken from a sample of the data."""
    words: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for vacancy in generate_vacancies(min(n, 3000), seed=seed, today=today):
        title_words = [
            w.strip("()–-,./")
            for w in vacancy.title.split()
            if w.lower() not in STOP_WORDS and "/" not in w and not w[:1].isdigit()
        ]
        title_words = [w for w in title_words if len(w) >= 4 and w.isalpha()]
        words.update(title_words)
        for i, first in enumerate(title_words):
            for second in title_words[i + 1 :]:
                pairs[(first, second)] += 1
    return [w for w, _ in words.most_common(40)], [p for p, _ in pairs.most_common(60)]


def build_queries(count: int, seed: int, words: list[str], pairs: list[tuple[str, str]]) -> list[BenchQuery]:
    rng = random.Random(seed)
    slugs = list(landkreise())
    codes = sorted({p.postal_code for places in postal_places().values() for p in places})
    grades = ("E5", "E6", "E8", "E9a", "E9b", "E9c", "E10", "E11", "E12", "E13", "S8a", "S11b", "A9", "A13")

    def text() -> str:
        roll = rng.random()
        if roll < 0.45:
            return rng.choice(words)
        if roll < 0.8:
            return " ".join(rng.choice(pairs))
        word = rng.choice(words)
        return word[: rng.randint(3, max(3, min(6, len(word) - 1)))]  # typing: a prefix

    queries = []
    for _ in range(count):
        kind = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
        params: dict[str, Any] = {}
        if kind == "keyword":
            params["q"] = text()
        elif kind == "keyword+filters":
            params["q"] = text()
            for name in rng.sample(
                ("district", "posting_type", "working_time", "pay_grade"), rng.randint(1, 2)
            ):
                if name == "district":
                    params["district"] = rng.sample(slugs, rng.randint(1, 3))
                elif name == "posting_type":
                    params["posting_type"] = [rng.choice([p.value for p in PostingType])]
                elif name == "working_time":
                    params["working_time"] = [rng.choice([w.value for w in WorkingTime])]
                else:
                    low = rng.randrange(len(grades) - 2)
                    params["pay_grade_min"] = grades[low]
                    params["pay_grade_max"] = grades[min(len(grades) - 1, low + rng.randint(1, 4))]
        elif kind == "radius":
            params["near"] = rng.choice(codes)
            params["radius_km"] = rng.choice((10, 15, 20, 25, 30, 40, 50))
            if rng.random() < 0.5:
                params["q"] = text()
        elif kind == "facets":
            pass  # empty text, default visibility: the landing page
        else:
            params["page"] = 5
            if rng.random() < 0.5:
                params["q"] = rng.choice(words)
        queries.append(BenchQuery(kind, params))
    return queries


def to_search_query(params: dict[str, Any], gazetteer) -> SearchQuery:
    near = None
    if params.get("near"):
        point = gazetteer.lookup(params["near"])
        near = GeoPoint(point.lat, point.lon, params["near"])
    return SearchQuery(
        text=params.get("q", ""),
        districts=list(params.get("district", [])),
        posting_types=[PostingType(p) for p in params.get("posting_type", [])],
        working_time=[WorkingTime(w) for w in params.get("working_time", [])],
        pay_grade_min=params.get("pay_grade_min"),
        pay_grade_max=params.get("pay_grade_max"),
        near=near,
        radius_km=float(params.get("radius_km", 25.0)),
        page=int(params.get("page", 1)),
    )


# ------------------------------------------------------------------------------------------ measuring


@dataclass
class Timings:
    by_kind: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    hits: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, kind: str, seconds: float, total: int) -> None:
        self.by_kind[kind].append(seconds * 1000)
        self.hits[kind].append(total)

    def all(self) -> list[float]:
        return [ms for kind in KINDS for ms in self.by_kind.get(kind, [])]

    def rows(self, label: str) -> list[list[Any]]:
        rows = []
        for kind in KINDS:
            values = self.by_kind.get(kind)
            if values:
                rows.append(_row(label, kind, values, self.hits[kind]))
        everything = self.all()
        if everything:
            rows.append(_row(label, "overall", everything, [h for k in KINDS for h in self.hits.get(k, [])]))
        return rows


def _row(label: str, kind: str, values: list[float], hits: list[int]) -> list[Any]:
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return [
        label,
        kind,
        len(values),
        f"{p50:.1f}",
        f"{p95:.1f}",
        f"{p99:.1f}",
        f"{np.mean(values):.1f}",
        f"{max(values):.1f}",
        f"{np.median(hits):.0f}",
    ]


HEADERS = ["backend", "query kind", "n", "p50 ms", "p95 ms", "p99 ms", "mean ms", "max ms", "median hits"]


def print_table(rows: list[list[Any]], headers: list[str] = HEADERS) -> None:
    if tabulate is not None:
        print(tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True))
        return
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    print("  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)))
    for row in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def run_searches(board, queries: list[BenchQuery], warmups: list[BenchQuery]) -> tuple[Timings, float]:
    """(timings of all queries after the warm-up, milliseconds of the very first, cold search).

    The warm-up queries are a different seeded mix, so no timed query is answered from a cache that
    the warm-up filled (Elasticsearch's request cache keeps the facet counts of a repeated search)."""
    gazetteer = board.gazetteer
    prepared = [(q.kind, to_search_query(q.params, gazetteer)) for q in queries]
    start = time.perf_counter()
    board.search(prepared[0][1])
    cold_ms = (time.perf_counter() - start) * 1000
    for query in warmups:
        board.search(to_search_query(query.params, gazetteer))
    timings = Timings()
    for kind, query in prepared:
        start = time.perf_counter()
        page = board.search(query)
        timings.add(kind, time.perf_counter() - start, page.total)
    return timings, cold_ms


def import_all(board, n: int, seed: int, today: date) -> tuple[float, float]:
    """Import n generated postings in batches through board.save_batches, as `stellenboerse import`
    does; (seconds importing, wall seconds incl. generating the postings)."""
    generating = 0.0
    wall = time.perf_counter()

    def batches():
        nonlocal generating
        stream = generate_vacancies(n, seed=seed, today=today)
        while True:
            start = time.perf_counter()
            batch = list(islice(stream, BATCH))
            generating += time.perf_counter() - start
            if not batch:
                return
            yield batch

    done = 0
    for result in board.save_batches(batches()):
        done += len(result.new) + len(result.changed) + len(result.unchanged)
        if done % 10_000 == 0:
            saving = time.perf_counter() - wall - generating
            print(f"  … {done:,} importiert ({done / saving:,.0f}/s)", flush=True)
    total = time.perf_counter() - wall
    return total - generating, total


# ------------------------------------------------------------------------------------------ backends


def open_sqlite_board(db_path: Path):
    from vacancies.service import open_board
    from vacancies.settings import Settings

    settings = Settings(database_url=f"sqlite:///{db_path}", search_backend="sqlite", _env_file=None)
    return open_board(settings)


def open_es_board(directory: Path, es_url: str):
    from vacancies.geo import get_gazetteer
    from vacancies.search.analysis import get_analyzer
    from vacancies.search.elasticsearch_backend import ElasticsearchBackend
    from vacancies.service import Board
    from vacancies.store import VacancyStore, make_engine, migrate

    engine = make_engine(f"sqlite:///{directory / 'es-store.db'}")
    migrate(engine)
    backend = ElasticsearchBackend(
        es_url,
        f"bench-{uuid.uuid4().hex[:10]}",
        get_analyzer(),
        refresh=False,
        request_timeout=60,
        index_settings={"refresh_interval": "-1"},
    )
    return Board(
        VacancyStore(engine), backend, get_gazetteer(str(REPO_ROOT / "config" / "geo" / "plz_de.csv"))
    )


def finish_es_import(board) -> None:
    backend = board.backend
    backend.client.indices.put_settings(index=backend.alias, settings={"index": {"refresh_interval": None}})
    backend.client.indices.refresh(index=backend.alias)


# ------------------------------------------------------------------------------------------ serve


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RssSampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        import psutil

        self.process = psutil.Process(pid)
        self.interval = interval
        self.max_rss = 0
        self.stopped = threading.Event()

    def sample(self) -> int:
        rss = self.process.memory_info().rss
        with contextlib.suppress(Exception):
            rss += sum(child.memory_info().rss for child in self.process.children(recursive=True))
        self.max_rss = max(self.max_rss, rss)
        return rss

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            with contextlib.suppress(Exception):
                self.sample()


def measure_serve(
    db_path: Path, queries: list[BenchQuery], warmups: list[BenchQuery], log_dir: Path
) -> dict[str, Any]:
    import httpx2

    port = free_port()
    env = dict(
        os.environ,
        STELLEN_DATABASE_URL=f"sqlite:///{db_path}",
        STELLEN_SEARCH_BACKEND="sqlite",
        STELLEN_ENVIRONMENT="development",
        PYTHONPATH=str(REPO_ROOT),
    )
    log_path = log_dir / "serve.log"
    command = [sys.executable, "-m", "cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if shutil.which("stellenboerse"):
        command = ["stellenboerse", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    result: dict[str, Any] = {"log": str(log_path)}
    try:
        sampler = RssSampler(server.pid)
        with httpx2.Client(base_url=base, timeout=60) as client:
            _wait_for(client, server, log_path)
            result["rss_idle_mb"] = sampler.sample() / 2**20
            sampler.start()
            for query in warmups:
                client.get("/api/v1/vacancies", params=query.params).raise_for_status()
            timings = Timings()
            for query in queries:
                start = time.perf_counter()
                response = client.get("/api/v1/vacancies", params=query.params)
                elapsed = time.perf_counter() - start
                response.raise_for_status()
                timings.add(query.kind, elapsed, response.json()["total"])
        sampler.stopped.set()
        sampler.join()
        sampler.sample()
        result["timings"] = timings
        result["rss_max_mb"] = sampler.max_rss / 2**20
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    return result


def _wait_for(client, server: subprocess.Popen, log_path: Path, timeout: float = 120) -> None:
    import httpx2

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"serve endete mit {server.returncode}: {log_path.read_text()[-2000:]}")
        with contextlib.suppress(httpx2.HTTPError):
            if client.get("/api/v1/health", timeout=5).status_code < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"serve antwortet nicht nach {timeout:.0f} s ({log_path})")


# ------------------------------------------------------------------------------------------ main


def target_line(
    name: str, measured: float, target: float, unit: str, higher_is_better: bool = False
) -> list[Any]:
    ok = measured >= target if higher_is_better else measured <= target
    relation = "≥" if higher_is_better else "≤"
    return [name, f"{measured:,.1f} {unit}", f"{relation} {target:,.0f} {unit}", "OK" if ok else "MISS"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of postings (default 100000)")
    parser.add_argument("--backend", choices=["sqlite", "elasticsearch", "both"], default="sqlite")
    parser.add_argument("--es-url", default=os.environ.get("STELLEN_TEST_ELASTICSEARCH_URL", ""))
    parser.add_argument("--queries", type=int, default=300, help="timed queries per backend (default 300)")
    parser.add_argument(
        "--warmup", type=int, default=30, help="untimed queries first, a mix of their own (default 30)"
    )
    parser.add_argument(
        "--db", type=Path, help="SQLite file of the embedded run (default: fresh, in a temp dir)"
    )
    parser.add_argument("--reuse", action="store_true", help="keep an existing --db and skip the import")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-serve", action="store_true", help="skip the `serve` memory/HTTP measurement")
    parser.add_argument(
        "--keep-index", action="store_true", help="do not delete the Elasticsearch bench index"
    )
    args = parser.parse_args(argv)
    backends = ["sqlite", "elasticsearch"] if args.backend == "both" else [args.backend]
    if "elasticsearch" in backends and not args.es_url:
        parser.error("--es-url fehlt (z. B. $(tests/elasticsearch/run_es.sh url))")

    today = _berlin_today()
    workdir = Path(tempfile.mkdtemp(prefix="stellen-bench-"))
    print(
        f"Stellenbörse search bench: n={args.n:,} seed={args.seed} queries={args.queries} "
        f"warmup={args.warmup} today={today} workdir={workdir}",
        flush=True,
    )
    words, pairs = title_vocabulary(args.n, args.seed, today)
    queries = build_queries(args.queries, args.seed + 1, words, pairs)
    warmups = build_queries(args.warmup, args.seed + 2, words, pairs)
    print("query mix:", dict(Counter(q.kind for q in queries)), flush=True)

    rows: list[list[Any]] = []
    imports: list[list[Any]] = []
    targets: list[list[Any]] = []
    serve_rows: list[list[Any]] = []
    extra: list[str] = []
    try:
        for name in backends:
            print(f"\n== {name} ==", flush=True)
            if name == "sqlite":
                db_path = args.db or workdir / "bench.db"
                reuse = args.reuse and db_path.exists()
                if not reuse:
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
                board = open_sqlite_board(db_path)
            else:
                board = open_es_board(workdir, args.es_url)
                reuse = False
            try:
                if reuse:
                    print(f"  vorhandene Datenbank {db_path}: {board.store.count():,} Stellen, kein Import")
                else:
                    saving, wall = import_all(board, args.n, args.seed, today)
                    if name == "elasticsearch":
                        start = time.perf_counter()
                        finish_es_import(board)
                        refresh = time.perf_counter() - start
                        saving += refresh
                        extra.append(
                            f"elasticsearch: refresh after import {refresh:.1f} s (counted in import)"
                        )
                    rate = args.n / saving
                    imports.append([name, f"{args.n:,}", f"{saving:.1f}", f"{rate:,.0f}", f"{wall:.1f}"])
                    if name == "sqlite":
                        targets.append(
                            target_line(
                                "embedded import",
                                rate,
                                TARGETS["sqlite_import_per_s"],
                                "/s",
                                higher_is_better=True,
                            )
                        )
                    print(
                        f"  import: {rate:,.0f} Stellen/s ({saving:.1f} s in board.save, {wall:.1f} s gesamt)"
                    )
                health = board.health()
                print(f"  index: {health['index']}", flush=True)
                timings, cold_ms = run_searches(board, queries, warmups)
                extra.append(f"{name}: first (cold) search {cold_ms:.0f} ms")
                rows.extend(timings.rows(name))
                everything = timings.all()
                if name == "sqlite":
                    targets.append(
                        target_line(
                            "embedded p50", percentile(everything, 50), TARGETS["sqlite_p50_ms"], "ms"
                        )
                    )
                    targets.append(
                        target_line(
                            "embedded p95", percentile(everything, 95), TARGETS["sqlite_p95_ms"], "ms"
                        )
                    )
                else:
                    targets.append(
                        target_line(
                            "Elasticsearch p95",
                            percentile(everything, 95),
                            TARGETS["elasticsearch_p95_ms"],
                            "ms",
                        )
                    )
            finally:
                if name == "elasticsearch" and not args.keep_index:
                    with contextlib.suppress(Exception):
                        board.backend.drop()
                board.store.engine.dispose()
            if name == "sqlite" and not args.no_serve:
                print("  serve: starte `stellenboerse serve` auf der Bench-Datenbank …", flush=True)
                served = measure_serve(db_path, queries, warmups, workdir)
                serve_rows.extend(served["timings"].rows("sqlite via HTTP"))
                everything = served["timings"].all()
                extra.append(
                    f"serve: RSS idle {served['rss_idle_mb']:.0f} MB, max {served['rss_max_mb']:.0f} MB "
                    f"(log {served['log']})"
                )
                targets.append(
                    target_line("serve RSS (max)", served["rss_max_mb"], TARGETS["serve_rss_mb"], "MB")
                )
                targets.append(
                    [
                        "serve HTTP p50 / p95",
                        f"{percentile(everything, 50):.1f} / {percentile(everything, 95):.1f} ms",
                        "–",
                        "",
                    ]
                )
    finally:
        if not args.db:
            shutil.rmtree(workdir, ignore_errors=True)

    print()
    if imports:
        print("Import (batches of 5,000 through board.save_batches, as `stellenboerse import`)")
        print_table(imports, ["backend", "postings", "s in save", "postings/s", "wall s incl. generation"])
        print()
    print("Search latency (in process, board.search)")
    print_table(rows)
    if serve_rows:
        print()
        print("End to end (HTTP GET /api/v1/vacancies, stellenboerse serve, one client)")
        print_table(serve_rows)
    print()
    print("Targets")
    print_table(targets, ["measure", "measured", "target", ""])
    for line in extra:
        print(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
