"""Load bench: mixed public searches against `stellenboerse serve` at 1, 20 and 50 concurrent clients.

Run on demand (not part of the tests); everything stays on 127.0.0.1 and every row is bounded in time:

    python bench/load.py                          # embedded backend, 20,000 postings, 1 and 2 workers
    python bench/load.py --db /tmp/load.db        # build there once, reuse on later runs
    python bench/load.py --backend both --es-url http://127.0.0.1:9250
    python bench/load.py --n 2000 --seconds 3 --clients 1,20   # smoke run

Each row runs `--seconds` of searches from N keep-alive clients (one asyncio loop speaking plain
HTTP/1.1, so the load generator costs little of the 2 cores it shares with the server): 70 % JSON API
(`/api/v1/vacancies`), 30 % search page (`/`), with the query mix of bench/search.py (keywords,
keywords + filters, radius, facets only, page 5). "writers" rows add, at the same time, an HR client
that PUTs a posting through the HR API every 0.2 s and a `stellenboerse import` of 2,000 new postings.
An error is any answer other than 200 or a broken connection. Targets of issue 13: 0 errors in every row;
with 2 workers ≥ 1.7× the requests/s of one process (20 clients, no writers); p95 at 20 clients ≤ 250 ms
on the embedded backend.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))


def _load_search_bench():
    spec = importlib.util.spec_from_file_location("bench_search", Path(__file__).with_name("search.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_search"] = module
    spec.loader.exec_module(module)
    return module


sb = _load_search_bench()

HEADERS = ["backend", "workers", "clients", "writers", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"]
HEADERS += ["writes", "client CPU %"]
API_SHARE = 0.7
HR_EVERY_S = 0.2
IMPORT_POSTINGS = 2000


@dataclass
class RowResult:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    client_cpu: float = 0.0  # CPU seconds of the load generator: it shares the 2 cores with the server
    error_kinds: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


# ------------------------------------------------------------------------------------------ client


async def _read_body(reader: asyncio.StreamReader, head: bytes) -> None:
    lower = head.lower()
    marker = lower.find(b"content-length:")
    if marker >= 0:
        end = lower.index(b"\r\n", marker)
        await reader.readexactly(int(lower[marker + 15 : end]))
        return
    if b"transfer-encoding: chunked" in lower:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                return


async def _client(port: int, paths: list[str], deadline: float, result: RowResult) -> None:
    """One keep-alive connection sending requests one after another until the deadline."""
    position = random.randrange(len(paths))
    connection = None
    while time.monotonic() < deadline:
        path = paths[position % len(paths)]
        position += 1
        started = time.perf_counter()
        try:
            if connection is None:
                connection = await asyncio.open_connection("127.0.0.1", port)
            reader, writer = connection
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            async with asyncio.timeout(60):  # cheaper than wait_for: no task per request
                head = await reader.readuntil(b"\r\n\r\n")
                await _read_body(reader, head)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError):
            result.error("connection")
            connection = _closed(connection)
            continue
        result.latencies.append((time.perf_counter() - started) * 1000)
        status = int(head[9:12])
        if status != 200:
            result.error(str(status))
        if b"connection: close" in head.lower():
            connection = _closed(connection)
    _closed(connection)


def _closed(connection) -> None:
    if connection is not None:
        connection[1].close()
    return None


def run_clients(port: int, paths: list[str], clients: int, seconds: float) -> RowResult:
    result = RowResult()

    async def main() -> None:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(_client(port, paths, deadline, result) for _ in range(clients)))

    started = time.process_time()
    asyncio.run(main())
    result.client_cpu = time.process_time() - started
    return result


def build_paths(count: int, seed: int, n: int) -> list[str]:
    words, pairs = sb.title_vocabulary(min(n, 5000), seed, sb._berlin_today())
    rng = random.Random(seed)
    paths = []
    for query in sb.build_queries(count, seed, words, pairs):
        base = "/api/v1/vacancies" if rng.random() < API_SHARE else "/"
        paths.append(f"{base}?{urlencode(query.params, doseq=True)}" if query.params else base)
    return paths


# ------------------------------------------------------------------------------------------ writers


class Writers:
    """An HR API client writing every 0.2 s and an import of new postings, while the row runs."""

    def __init__(self, port: int, token: str, env: dict, workdir: Path, row: int) -> None:
        self.port, self.token, self.env, self.workdir, self.row = port, token, env, workdir, row
        self.stop = threading.Event()
        self.writes = 0
        self.errors = 0
        self.thread = threading.Thread(target=self._hr_loop, daemon=True)
        self.importer: subprocess.Popen | None = None

    def __enter__(self) -> Writers:
        from vacancies.sample_data import write_jsonl

        path = self.workdir / f"import-{self.row}.jsonl"
        write_jsonl(path, IMPORT_POSTINGS, seed=1000 + self.row, today=sb._berlin_today())
        _renumber(path, f"load{self.row}-")
        command = [sys.executable, "-m", "cli.main", "import", str(path)]
        self.importer = subprocess.Popen(command, cwd=REPO_ROOT, env=self.env, stdout=subprocess.DEVNULL)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(30)
        if self.importer is not None and self.importer.wait(timeout=600) != 0:
            self.errors += 1

    def _hr_loop(self) -> None:
        import httpx2

        with httpx2.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=60) as client:
            number = 0
            while not self.stop.wait(HR_EVERY_S) and number < 10_000:
                body = {
                    "title": f"Sachbearbeiter (m/w/d) Lastprobe {number}",
                    "description": "<p>Haushalt und Verwaltung.</p>",
                    "apply_email": "bewerbung@example.org",
                    "state": "published",
                }
                headers = {"Authorization": f"Bearer {self.token}"}
                response = client.put(
                    f"/api/v1/hr/vacancies/last-{self.row}-{number % 50}", json=body, headers=headers
                )
                self.writes += 1
                self.errors += response.status_code not in (200, 201)
                number += 1


def _renumber(path: Path, prefix: str) -> None:
    """New ids per row, so the import writes (and indexes) every posting instead of skipping them."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        record["id"] = prefix + record["id"]
        lines.append(json.dumps(record, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------------------ server


def start_server(env: dict, workers: int, log_path: Path) -> tuple[subprocess.Popen, int]:
    port = sb.free_port()
    command = [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", str(workers)]
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    import httpx2

    with httpx2.Client(base_url=f"http://127.0.0.1:{port}") as client:
        sb._wait_for(client, server, log_path)
    return server, port


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def api_token(db_path: Path) -> str:
    from vacancies.accounts import Accounts
    from vacancies.store import make_engine, migrate

    engine = make_engine(f"sqlite:///{db_path}")
    migrate(engine)
    _, secret = Accounts(engine).create_token("miltenberg", "Lastprobe", "bench/load.py")
    engine.dispose()
    return secret


# ------------------------------------------------------------------------------------------ backends


def prepare_sqlite(db_path: Path, n: int, seed: int) -> dict:
    board = sb.open_sqlite_board(db_path)
    try:
        if board.store.count() < n:
            sb.import_all(board, n, seed, sb._berlin_today())
    finally:
        board.store.engine.dispose()
    return {"STELLEN_DATABASE_URL": f"sqlite:///{db_path}", "STELLEN_SEARCH_BACKEND": "sqlite"}


def prepare_es(workdir: Path, n: int, seed: int, es_url: str) -> dict:
    board = sb.open_es_board(workdir, es_url)
    sb.import_all(board, n, seed, sb._berlin_today())
    sb.finish_es_import(board)
    board.store.engine.dispose()
    return {
        "STELLEN_DATABASE_URL": f"sqlite:///{workdir / 'es-store.db'}",
        "STELLEN_SEARCH_BACKEND": "elasticsearch",
        "STELLEN_ELASTICSEARCH_URL": es_url,
        "STELLEN_ELASTICSEARCH_ALIAS": board.backend.alias,
    }


# ------------------------------------------------------------------------------------------ rows


def measure_backend(name: str, extra_env: dict, args, paths: list[str], workdir: Path) -> list[list]:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), STELLEN_ENVIRONMENT="development", **extra_env)
    db_path = Path(extra_env["STELLEN_DATABASE_URL"].removeprefix("sqlite:///"))
    token = api_token(db_path)
    rows, row_number = [], 0
    for workers in args.workers:
        server, port = start_server(env, workers, workdir / f"serve-{name}-{workers}.log")
        try:
            run_clients(port, paths, max(args.clients), 4.0)  # many connections: every worker warms up
            for clients in args.clients:
                for with_writers in (False, True):
                    row_number += 1
                    writers = Writers(port, token, env, workdir, row_number) if with_writers else None
                    with writers or contextlib.nullcontext():
                        result = run_clients(port, paths, clients, args.seconds)
                    rows.append(_row(name, workers, clients, writers, result, args.seconds))
                    print("  " + " | ".join(str(c) for c in rows[-1]), flush=True)
        finally:
            stop_server(server)
    return rows


def _row(name: str, workers: int, clients: int, writers: Writers | None, result: RowResult, seconds: float):
    values = sorted(result.latencies)
    errors = result.errors + (writers.errors if writers else 0)
    detail = ", ".join(f"{k}: {v}" for k, v in result.error_kinds.items())
    return [
        name,
        workers,
        clients,
        "yes" if writers else "no",
        round(len(values) / seconds, 1),
        round(sb.percentile(values, 50), 1) if values else "-",
        round(sb.percentile(values, 95), 1) if values else "-",
        round(sb.percentile(values, 99), 1) if values else "-",
        f"{errors}" + (f" ({detail})" if detail else ""),
        writers.writes if writers else 0,
        round(100 * result.client_cpu / seconds),
    ]


def targets(rows: list[list]) -> list[list]:
    out = [_target("errors, all rows", sum(int(str(r[8]).split()[0]) for r in rows), 0, "")]
    for backend in sorted({r[0] for r in rows}):
        quiet = {r[1]: r[4] for r in rows if r[0] == backend and r[2] == 20 and r[3] == "no"}
        if 1 in quiet and 2 in quiet and quiet[1]:
            out.append(_target(f"{backend}: 2 workers / 1, 20 clients", quiet[2] / quiet[1], 1.7, "×", True))
        if backend == "sqlite":
            for r in rows:
                if r[0] == backend and r[2] == 20 and r[5] != "-":
                    label = f"sqlite p95, 20 clients, {r[1]} worker(s), writers {r[3]}"
                    out.append(_target(label, r[6], 250, "ms"))
    return out


def _target(name: str, measured: float, wanted: float, unit: str, higher_is_better: bool = False) -> list:
    ok = measured >= wanted if higher_is_better else measured <= wanted
    relation = "≥" if higher_is_better else "≤"
    shown, goal = f"{measured:,.2f} {unit}".strip(), f"{relation} {wanted:g} {unit}".strip()
    return [name, shown, goal, "OK" if ok else "MISS"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="postings in the store (default 20000)")
    parser.add_argument(
        "--db", type=Path, help="SQLite file of the embedded backend: built once, then reused"
    )
    parser.add_argument("--backend", choices=["sqlite", "elasticsearch", "both"], default="sqlite")
    parser.add_argument("--es-url", default=os.environ.get("STELLEN_TEST_ELASTICSEARCH_URL", ""))
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each row (default 10)")
    parser.add_argument("--clients", type=_numbers, default=[1, 20, 50], help="e.g. 1,20,50")
    parser.add_argument("--workers", type=_numbers, default=[1, 2], help="e.g. 1,2")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if args.backend != "sqlite" and not args.es_url:
        parser.error("--es-url (or STELLEN_TEST_ELASTICSEARCH_URL) is needed for Elasticsearch")
    paths = build_paths(2000, args.seed, args.n)
    rows = []
    with tempfile.TemporaryDirectory(prefix="stellen-load-") as tmp:
        workdir = Path(tmp)
        if args.backend in ("sqlite", "both"):
            print(f"embedded backend, {args.n:,} postings", flush=True)
            env = prepare_sqlite(args.db or workdir / "load.db", args.n, args.seed)
            rows += measure_backend("sqlite", env, args, paths, workdir)
        if args.backend in ("elasticsearch", "both"):
            print(f"Elasticsearch at {args.es_url}, {args.n:,} postings", flush=True)
            rows += measure_backend(
                "elasticsearch", prepare_es(workdir, args.n, args.seed, args.es_url), args, paths, workdir
            )
    print()
    sb.print_table(rows, HEADERS)
    print()
    sb.print_table(targets(rows), ["target", "measured", "wanted", "result"])
    return 0


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


if __name__ == "__main__":
    sys.exit(main())
