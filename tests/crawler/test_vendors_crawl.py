"""Vendor portals in a real crawl over HTTP: a district (``strategy: auto``, start URL = home page, no
options) on 127.0.0.1 embeds an interamt widget served by a "vendor" on 127.0.0.250. The crawl crosses to
the vendor for that source only, honours the vendor's Retry-After, completes each posting by its single
answer, and records a vendor's refusal by name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from crawler.middlewares import BackoffRetryMiddleware, retry_after
from vacancies.runs import RunStore
from vacancies.service import open_board
from vacancies.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
VENDOR_IP = "127.0.0.250"
PARTNER = "77"
POSTINGS = {
    "5101": {"StellenBezeichnung": "Sachbearbeiter (m/w/d) Kreiskasse", "Kennung": "KK-2026-4",
             "Plz": "97688", "Ort": "Bad Kissingen", "Daten": {"Eingestellt": "10.11.2026"}},
    "5102": {"StellenBezeichnung": "Straßenwärter (m/w/d)", "Kennung": "SM-2026-9",
             "Plz": "97688", "Ort": "Bad Kissingen", "Daten": {"Eingestellt": "12.11.2026"}},
}  # fmt: skip


class Vendor(BaseHTTPRequestHandler):
    """interamt's widget: the partner list answers 429 with Retry-After once, then the list."""

    seen: list[tuple[float, str]] = []
    robots = ""
    busy_once = True

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        Vendor.seen.append((time.monotonic(), self.path))
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/robots.txt":
            self._send(200 if Vendor.robots else 404, Vendor.robots, "text/plain")
        elif parts.path == "/koop/app/webservice_v2" and query.get("partner") == PARTNER:
            if Vendor.busy_once:
                Vendor.busy_once = False
                self._send(429, "zu viele Anfragen", "text/plain", {"Retry-After": "1"})
                return
            entries = [{"Id": int(ident), **fields} for ident, fields in POSTINGS.items()]
            self._json({"Anzahltreffer": len(entries), "Stellenangebote": entries})
        elif parts.path == "/koop/app/webservice_v2" and query.get("id") in POSTINGS:
            ident = query["id"]
            single = {"Id": int(ident), "Stellenbezeichnung": POSTINGS[ident]["StellenBezeichnung"],
                      "Beschreibung": f"<p>Ausführliche Beschreibung der Stelle {ident}.</p>",
                      "ExtAnsprechpartner": {"ExtAnsprechpartnerNachname": "Personalamt"}}  # fmt: skip
            self._json(single)
        else:
            self._send(404, "nicht gefunden", "text/plain")

    def _json(self, data: dict) -> None:
        self._send(200, json.dumps(data, ensure_ascii=False), "application/json; charset=utf-8")

    def _send(self, status: int, body: str, kind: str, headers: dict | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args) -> None:
        pass


class District(BaseHTTPRequestHandler):
    vendor = ""

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/":  # the home page: a menu entry leads to the careers page
            self._send(
                200, '<html><body><nav><a href="/karriere">Karriere</a></nav><h1>Landkreis</h1></body></html>'
            )
        elif self.path == "/karriere":  # the district's page embedding the vendor's widget
            frame = f"{District.vendor}/koop/app/trefferliste?partner={PARTNER}&amp;hideSearch=1"
            self._send(200, f'<html><body><h1>Karriere</h1><iframe src="{frame}"></iframe></body></html>')
        elif self.path == "/nachbar":  # another source of the crawl, whose list moved to the vendor's host
            self.send_response(302)
            self.send_header("Location", f"{District.vendor}/koop/app/trefferliste?partner={PARTNER}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._send(404, "nicht gefunden")

    def _send(self, status: int, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args) -> None:
        pass


def _serve(address: str, handler: type) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((address, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def sites():
    vendor, district = _serve(VENDOR_IP, Vendor), _serve("127.0.0.1", District)
    District.vendor = f"http://{VENDOR_IP}:{vendor.server_address[1]}"
    yield f"http://127.0.0.1:{district.server_address[1]}"
    for server in (vendor, district):
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def crawled(sites, tmp_path_factory):
    """One crawl of both sources; the vendor is busy once and allows everything."""
    Vendor.seen, Vendor.robots, Vendor.busy_once = [], "", True
    done, runs, board = _crawl(tmp_path_factory.mktemp("crawl"), sites)
    return done, runs, board, list(Vendor.seen)


def _crawl(tmp_path: Path, base: str) -> tuple[subprocess.CompletedProcess, RunStore, object]:
    sources = [
        {"key": "kreis", "strategy": "auto", "start_urls": [f"{base}/"]},  # no options: found from home
        {"key": "nachbar", "strategy": "auto", "start_urls": [f"{base}/nachbar"]},
    ]  # fmt: skip
    district = {"slug": "bad-kissingen", "key": "09672", "name": "Bad Kissingen", "lat": 50.2, "lon": 10.07,
                "member": True, "sources": sources}  # fmt: skip
    districts = tmp_path / "districts.yaml"
    districts.write_text(yaml.safe_dump({"districts": [district]}, allow_unicode=True), encoding="utf-8")
    database = f"sqlite:///{tmp_path / 'board.db'}"
    env = {**os.environ, "STELLEN_DATABASE_URL": database, "STELLEN_SEARCH_BACKEND": "sqlite"}
    command = [sys.executable, "-m", "cli.main", "crawl", "--districts-file", str(districts), "--impolite"]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    board = open_board(Settings(database_url=database, search_backend="sqlite"))
    return done, RunStore(board.store.engine), board


def test_crawl_crosses_to_the_vendor_for_that_source_only(crawled):
    done, runs, board, seen = crawled
    ids = board.store.ids_for_source("kreis")
    stored = sorted((board.get(i).title, board.get(i).source_url) for i in ids)
    vendor = District.vendor
    assert stored == [
        ("Sachbearbeiter (m/w/d) Kreiskasse", f"{vendor}/koop/app/stelle?id=5101"),
        ("Straßenwärter (m/w/d)", f"{vendor}/koop/app/stelle?id=5102"),
    ], done.stdout + done.stderr
    assert runs.latest("kreis").status == "success"


def test_another_source_of_the_crawl_is_refused_the_vendor_host(crawled):
    _, runs, _, seen = crawled
    nachbar = runs.latest("nachbar")
    assert nachbar.status == "failed" and "fremde Adresse" in nachbar.flag and VENDOR_IP in nachbar.flag
    assert not any(path.startswith("/koop/app/trefferliste") for _, path in seen)


def test_single_answers_complete_the_stored_postings(crawled):
    _, _, board, _ = crawled
    descriptions = sorted(board.get(i).description for i in board.store.ids_for_source("kreis"))
    assert descriptions == [f"<p>Ausführliche Beschreibung der Stelle {n}.</p>" for n in ("5101", "5102")]


def test_retry_after_of_the_vendor_is_honoured(crawled):
    asked = [at for at, path in crawled[3] if f"partner={PARTNER}" in path and "webservice_v2" in path]
    # Without Retry-After the impolite back-off would retry after 0.05 s.
    assert len(asked) == 2 and asked[1] - asked[0] >= 0.95


def test_vendor_robots_refusal_is_recorded_by_name_and_expires_nothing(tmp_path, sites):
    Vendor.seen, Vendor.robots, Vendor.busy_once = [], "User-agent: *\nDisallow: /koop/\n", False
    done, runs, board = _crawl(tmp_path, sites)
    run = runs.latest("kreis")
    assert not board.store.ids_for_source("kreis") and run.expired == 0
    assert run.status == "failed", done.stdout + done.stderr
    assert any(reason == f"{VENDOR_IP} verweigert den Abruf: robots.txt" for _, reason in run.errors), (
        run.errors
    )
    assert not any("webservice_v2" in path for _, path in Vendor.seen)


# ------------------------------------------------------------------------- Retry-After, unit level


def _answer(status: int, retry: str | None) -> Response:
    headers = {"Retry-After": retry} if retry is not None else {}
    return Response(url="http://x.example/", status=status, headers=headers)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", 7.0), (None, None), ("bald", None), ("", None)],
)
def test_retry_after_seconds_or_nothing(value, expected):
    assert retry_after(_answer(429, value)) == expected


def test_retry_after_as_http_date():
    now = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
    when = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert retry_after(_answer(503, when), now=now) == 30.0


def _middleware(**settings) -> BackoffRetryMiddleware:
    values = {"RETRY_TIMES": 2, "RETRY_HTTP_CODES": [429, 503], "RETRY_BACKOFF_BASE": 0.05, **settings}
    crawler = get_crawler(settings_dict=values)
    crawler.spider = crawler._create_spider("test")
    return BackoffRetryMiddleware.from_crawler(crawler)


def test_retry_carries_the_asked_pause_and_the_pause_is_capped():
    middleware = _middleware(RETRY_AFTER_MAX=5.0)
    retry = middleware.process_response(Request("http://x.example/"), _answer(429, "3600"))
    assert isinstance(retry, Request) and retry.meta["retry_after"] == 3600.0
    assert middleware.delay(retry) == 5.0


def test_retry_without_retry_after_backs_off_as_before():
    middleware = _middleware()
    retry = middleware.process_response(
        Request("http://x.example/", meta={"retry_after": 9.0}), _answer(503, None)
    )
    assert "retry_after" not in retry.meta and middleware.delay(retry) == 0.05


def test_retry_after_is_read_only_for_429_and_503():
    middleware = _middleware(RETRY_HTTP_CODES=[500])
    retry = middleware.process_response(Request("http://x.example/"), _answer(500, "30"))
    assert isinstance(retry, Request) and "retry_after" not in retry.meta


def test_cap_defaults_to_a_minute():
    assert _middleware().after_cap == 60.0
