"""Alert bench (issue 18, item 4): 100,000 confirmed Suchaufträge, 2,000 new postings.

Run on demand (not part of the tests):

    python bench/alerts.py                                   # embedded backend
    python bench/alerts.py --es-url http://127.0.0.1:9250    # and the Elasticsearch backend
    python bench/alerts.py --alerts 5000 --postings 200      # smoke run

The saved searches are the query mix of bench/search.py (keyword, keyword + filters, radius, facets
only), so popular searches repeat as they do on a live board. Alerts go into the store directly (the
subscribe path is tested elsewhere); postings come from `vacancies.sample_data` through `Board.save`.
Measured: `Alerts.match` alone; the nightly `queue_digests` (match again, write every digest's posting
ids to the outbox); rendering every queued digest in plain text and HTML (what delivery does per mail)
— target: queue + render ≤ 60 s; and the delivery rate (MIME, SMTP, outbox bookkeeping) to a local
aiosmtpd server in the same process.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from vacancies.alerts import Alerts

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

TODAY = date(2026, 12, 1)
T0 = datetime(2026, 12, 1, 5, 30, tzinfo=UTC)
TARGET_S = 60.0


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _search_bench():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_search", Path(__file__).with_name("search.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_search"] = module
    spec.loader.exec_module(module)
    return module


def render_all(alerts) -> int:
    """Render every queued digest (plain text and HTML), as delivery does; returns how many."""
    import json

    from sqlalchemy import select

    from vacancies.alerts.service import ALERT_COLUMNS, table
    from vacancies.schema import mail_outbox_table as outbox

    with alerts.engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.alert_id, outbox.c.message).where(outbox.c.kind == "digest")
        ).all()
        # The alerts read at once: rendering is timed without delivery's primary-key read per mail,
        # which the mails/s figure includes.
        by_id = {r.id: r for r in conn.execute(select(*ALERT_COLUMNS, table.c.nonce))}
    for row in rows:
        assert alerts.render_digest(row.alert_id, json.loads(row.message), by_id[row.alert_id]) is not None
    return len(rows)


def saved_searches(count: int, seed: int) -> list[dict]:
    sb = _search_bench()
    words, pairs = sb.title_vocabulary(3000, seed, TODAY)
    return [q.params for q in sb.build_queries(count, seed, words, pairs)]


def store_alerts(alerts, searches: list[dict]) -> int:
    """Confirmed daily alerts straight into the store; returns the number of distinct searches."""
    from vacancies.alerts.service import _dump, query_key
    from vacancies.schema import alerts_table

    canonical: dict[str, tuple[str, str]] = {}
    rows = []
    for n, params in enumerate(searches):
        raw = repr(sorted(params.items()))
        if raw not in canonical:
            clean = alerts.canonical_search(params)[0]
            canonical[raw] = (_dump(clean), query_key(clean))
        dumped, key = canonical[raw]
        rows.append(
            {
                "email": f"person{n}@example.de",
                "email_key": f"person{n}@example.de",
                "params": dumped,
                "query_key": key,
                "frequency": "daily",
                "nonce": secrets.token_hex(16),
                "created_at": T0,
                "confirmed_at": T0,
                "watermark": T0,
            }
        )
    with alerts.engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(alerts_table.insert(), rows[start : start + 5000])
    return len({key for _, key in canonical.values()})


def new_postings(board, count: int, seed: int) -> list:
    from vacancies.sample_data import generate_vacancies

    postings = []
    for n, vacancy in enumerate(generate_vacancies(count, seed=seed + 1, today=TODAY)):
        vacancy.first_seen = T0 + timedelta(hours=1, seconds=n)
        postings.append(vacancy)
    for start in range(0, len(postings), 1000):
        board.save(postings[start : start + 1000])
    return list(board.store.get_many([v.id for v in postings]).values())


def run(label: str, board, args) -> list:
    from aiosmtpd.controller import Controller

    from tests.support import free_port
    from vacancies.settings import Settings

    port = free_port()
    settings = Settings(
        environment="test",
        public_base_url="https://stellen.example",
        secret_key="bench-" + "x" * 30,
        smtp_url=f"smtp://127.0.0.1:{port}",
        _env_file=None,
    )
    alerts = Alerts(board.store.engine, board, settings)
    started = time.perf_counter()
    distinct = store_alerts(alerts, saved_searches(args.alerts, args.seed))
    took = time.perf_counter() - started
    say(f"{label}: {args.alerts} alerts stored ({distinct} distinct searches) in {took:.0f} s")
    started = time.perf_counter()
    postings = new_postings(board, args.postings, args.seed)
    say(f"{label}: {len(postings)} postings saved in {time.perf_counter() - started:.0f} s")

    started = time.perf_counter()
    matched = alerts.match(postings)
    match_s = time.perf_counter() - started
    say(f"{label}: match {match_s:.1f} s")
    started = time.perf_counter()
    due, looked_at, queued = alerts.queue_digests(now=T0 + timedelta(days=1))
    queue_s = time.perf_counter() - started
    say(f"{label}: queue_digests {queue_s:.1f} s ({queued} digests)")

    started = time.perf_counter()
    rendered = render_all(alerts)
    render_s = time.perf_counter() - started
    say(f"{label}: rendered {rendered} digests (text + HTML) in {render_s:.1f} s")
    total_s = match_s + queue_s + render_s

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        started = time.perf_counter()
        sent = alerts.deliver(now=T0 + timedelta(days=1), limit=args.mails).sent
        send_s = time.perf_counter() - started
    finally:
        controller.stop()
    with_matches = sum(1 for ids in matched.values() if ids)
    return [
        label,
        args.alerts,
        distinct,
        looked_at,
        with_matches,
        f"{match_s:.1f}",
        queued,
        f"{queue_s:.1f}",
        f"{render_s:.1f}",
        f"{total_s:.1f}",
        "ja" if queue_s + render_s <= TARGET_S else "NEIN",
        sent,
        f"{sent / send_s:.0f}" if send_s else "-",
    ]


HEADERS = [
    "backend",
    "alerts",
    "distinct searches",
    "new postings",
    "alerts matched",
    "match s",
    "digests queued",
    "match+queue s",
    "render all s",
    "match (twice)+queue+render s",
    f"queue+render ≤ {TARGET_S:.0f} s",
    "mails sent",
    "mails/s",
]


def print_table(rows: list[list]) -> None:
    cells = [HEADERS, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(HEADERS))]
    for n, row in enumerate(cells):
        print(" | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
        if n == 0:
            print("-+-".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--postings", type=int, default=2_000)
    parser.add_argument("--mails", type=int, default=2_000, help="digests to deliver for the mails/s figure")
    parser.add_argument("--es-url", help="also run on Elasticsearch at this URL")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    os.environ["STELLEN_TODAY"] = TODAY.isoformat()  # visibility of the sample postings' deadlines
    sb = _search_bench()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-alerts-") as tmp:
        rows.append(run("sqlite", sb.open_sqlite_board(Path(tmp) / "alerts.db"), args))
        if args.es_url:
            (Path(tmp) / "es").mkdir()
            board = sb.open_es_board(Path(tmp) / "es", args.es_url)
            try:
                rows.append(run("elasticsearch", board, args))
            finally:
                board.backend.drop()
                import httpx2

                httpx2.delete(f"{args.es_url}/{board.backend.alias}_alerts", timeout=30)
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
