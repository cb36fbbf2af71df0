"""Serve the sample district sites: one ThreadingHTTPServer per loopback address, one shared port.

with SampleSites(seed=2026) as sites:
    sites.base_url("miltenberg")          # "http://127.0.0.2:41234"
    sites.districts_config()              # districts.yaml content for these sites
    sites.expected(1)                     # ground truth: source key -> [ExpectedPosting]
    sites.set_state(2)                    # the next night: removed, changed, added, one broken
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from .catalog import SITES, ip_of
from .chrome import Page, SiteRender
from .sites import Expected, base_url, districts_config, expected_of, render_all

NOT_FOUND = Page(
    b"<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'><title>Seite nicht gefunden</title></head>"
    b"<body><h1>Seite nicht gefunden</h1></body></html>",
    status=404,
)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True  # a listener still fails on a taken port; TIME_WAIT leftovers do not block
    slug: str
    owner: SampleSites


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "Apache"
    sys_version = ""
    # Keep-alive, as real web servers do: a connection (and a server thread) per request would make
    # the crawler and these sites spend their time on TCP set-up instead of pages.
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def _answer(self, body: bool) -> None:
        owner, slug = self.server.owner, self.server.slug
        delay = owner.delay_for(slug)
        if delay:
            time.sleep(delay)
        owner.requests.append((slug, self.path))
        page = owner.page(slug, self.path) or NOT_FOUND
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        if body:
            self.wfile.write(page.body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


class SampleSites:
    """The 26 sample district sites, served on 127.0.0.2 … 127.0.0.27 and one port."""

    def __init__(
        self,
        port: int = 0,
        seed: int = 2026,
        state: int = 1,
        slow_delay: float = 1.5,
        today: date | None = None,
        scale: int = 1,
    ) -> None:
        from vacancies.sample_data import BERLIN

        if scale < 1:
            raise ValueError("scale must be at least 1")
        self.port = port
        self.seed = seed
        self.scale = scale  # postings per site times this (benchmarks); 1 is the tested sample set
        self.state = state
        self.slow_delay = slow_delay  # seconds per response on the slow site; may be changed at run time
        self.today = today or datetime.now(BERLIN).date()
        self.requests: list[tuple[str, str]] = []  # (slug, path) of every request served, in order
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self._renders: dict[int, dict[str, SiteRender]] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------------------------ lifecycle

    def start(self) -> SampleSites:
        if self._servers:
            return self
        for _attempt in range(50):
            port = self.port or _free_port()
            try:
                servers = _bind_all(port)
            except OSError:
                if self.port:
                    raise
                continue
            break
        else:
            raise OSError("kein Port gefunden, der auf allen 26 Adressen frei ist")
        self.port = port
        self.renders(self.state)
        for index, server in enumerate(servers):
            server.slug = SITES[index].slug
            server.owner = self
            # The poll interval only bounds how long stop() waits; 26 loops polling every 50 ms cost a
            # few percent of a core, which a benchmark of the crawler would pay for.
            thread = threading.Thread(
                target=server.serve_forever, args=(0.5,), name=f"samplesite-{server.slug}", daemon=True
            )
            thread.start()
            self._servers.append(server)
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        stoppers = [threading.Thread(target=server.shutdown, daemon=True) for server in self._servers]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join(timeout=5)
        for server in self._servers:
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers, self._threads = [], []

    def __enter__(self) -> SampleSites:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------------------------ content

    def set_state(self, state: int) -> None:
        if state not in (1, 2):
            raise ValueError("state must be 1 or 2")
        self.renders(state)
        self.state = state

    def renders(self, state: int) -> dict[str, SiteRender]:
        if not self.port:
            raise RuntimeError("start() first: the pages contain the port")
        with self._lock:
            if state not in self._renders:
                self._renders[state] = render_all(self.seed, self.today, state, self.port, self.scale)
            return self._renders[state]

    def page(self, slug: str, path: str) -> Page | None:
        return self.renders(self.state)[slug].pages.get(path)

    def delay_for(self, slug: str) -> float:
        spec = next(s for s in SITES if s.slug == slug)
        return self.slow_delay if spec.slow else 0.0

    def base_url(self, slug: str) -> str:
        index = next(i for i, s in enumerate(SITES) if s.slug == slug)
        return base_url(index, self.port)

    @property
    def slugs(self) -> list[str]:
        return [s.slug for s in SITES]

    def expected(self, state: int | None = None) -> Expected:
        """source key -> postings a correct crawler finds in `state` (default: the current state).

        `.failing` maps the sources whose run must count as failed ("error") or suspicious
        ("suspicious"); such a run must expire nothing.
        """
        return expected_of(self.renders(state or self.state))

    def districts_config(self) -> dict:
        return districts_config(self.renders(1), self.port)

    def write_districts_yaml(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        header = "# Beispiel-Landkreise (crawler.samplesites), erzeugt – nicht von Hand bearbeiten\n"
        text = yaml.safe_dump(self.districts_config(), allow_unicode=True, sort_keys=False, width=110)
        path.write_text(header + text, encoding="utf-8")
        return path


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.2", 0))
        return sock.getsockname()[1]


def _bind_all(port: int) -> list[_Server]:
    servers: list[_Server] = []
    try:
        for index in range(len(SITES)):
            servers.append(_Server((ip_of(index), port), _Handler))
    except OSError:
        for server in servers:
            server.server_close()
        raise
    return servers
