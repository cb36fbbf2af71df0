"""Serve the sample district sites: one uvicorn server (its own thread and event loop) listening on one
loopback address per site (127.0.0.2 …) plus the vendor host (catalog.VENDOR_IP), all on one shared port;
the address a request came in on names the site.

with SampleSites(seed=2026) as sites:
    sites.base_url("miltenberg")          # "http://127.0.0.2:41234"
    sites.districts_config()              # districts.yaml content for these sites
    sites.expected(1)                     # ground truth: source key -> [ExpectedPosting]
    sites.set_state(2)                    # the next night: removed, changed, added, one broken

Every page answers with an ETag (its body's hash) and a Last-Modified (when this server first served
that body at that path), and a conditional request for an unchanged page gets 304 without a body, as a
real web server does (If-None-Match wins over If-Modified-Since, RFC 9110 13.2.2). `served` counts
answers and bytes for the freshness benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import socket
import threading
import time
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import uvicorn
import yaml

from .catalog import SITES, VENDOR_IP, ip_of
from .chrome import Page, SiteRender
from .sites import Expected, base_url, districts_config, expected_of, render_all

VENDOR = "interamt"  # the name of the vendor host in `SampleSites.requests`

NOT_FOUND = Page(
    b"<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'><title>Seite nicht gefunden</title></head>"
    b"<body><h1>Seite nicht gefunden</h1></body></html>",
    status=404,
)


class _Sites:
    """The ASGI application of all sites. Pages are rendered in advance: serving one is a dictionary
    lookup, so the crawler benchmark measures the crawler and not these stand-ins for remote servers.
    (A threaded http.server cost ~0.55 ms of CPU per request, on the same cores as the crawler.)"""

    def __init__(self, owner: SampleSites) -> None:
        self.owner = owner
        self.slug_of = {ip_of(index): spec.slug for index, spec in enumerate(SITES)}
        self.slug_of[VENDOR_IP] = VENDOR

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["type"] != "http":
            return
        owner, slug = self.owner, self.slug_of[scope["server"][0]]
        if delay := owner.delay_for(slug):
            await asyncio.sleep(delay)
        query = scope["query_string"].decode("latin-1")
        path = scope["raw_path"].decode("latin-1") + (f"?{query}" if query else "")
        owner.requests.append((slug, path))
        page = owner.page(slug, path) or NOT_FOUND
        headers = [(b"server", b"Apache"), (b"content-type", page.content_type.encode("latin-1"))]
        status, body = page.status, page.body
        if status == 200:
            etag, modified = owner.validators(slug, path, page)
            headers += [(b"etag", etag.encode("latin-1")), (b"last-modified", modified.encode("latin-1"))]
            if scope["method"] in ("GET", "HEAD") and not_modified(dict(scope["headers"]), etag, modified):
                status, body = 304, b""
        if status != 304:
            headers.append((b"content-length", str(len(body)).encode()))
        body = body if scope["method"] != "HEAD" else b""
        owner.served.append((slug, status, len(body)))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def not_modified(headers: dict[bytes, bytes], etag: str, modified: str) -> bool:
    """Whether a conditional GET may be answered 304 (RFC 9110 13.1.2, 13.1.3): If-None-Match, when
    sent, decides alone (weak comparison); else If-Modified-Since not earlier than Last-Modified."""
    if (match := headers.get(b"if-none-match")) is not None:
        tags = [tag.strip().removeprefix("W/") for tag in match.decode("latin-1").split(",")]
        return "*" in tags or etag.removeprefix("W/") in tags
    if (since := headers.get(b"if-modified-since")) is None:
        return False
    try:
        return parsedate_to_datetime(since.decode("latin-1")) >= parsedate_to_datetime(modified)
    except (TypeError, ValueError):  # an unreadable date is ignored, as the RFC says
        return False


class SampleSites:
    """The sample district sites, served on 127.0.0.2 … and the vendor host, on one port."""

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
        self.served: list[tuple[str, int, int]] = []  # (slug, status, body bytes) of every answer
        self._etags: dict[int, tuple[Page, str]] = {}  # id(page) -> (page, its ETag)
        self._modified: dict[tuple[str, str, str], str] = {}  # (slug, path, ETag) -> Last-Modified
        self._replaced: dict[tuple[str, str], Page] = {}
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._slow = {spec.slug for spec in SITES if spec.slow}
        self._renders: dict[int, dict[str, SiteRender]] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------------------------ lifecycle

    def start(self) -> SampleSites:
        if self._server is not None:
            return self
        for _attempt in range(50):
            port = self.port or _free_port()
            try:
                sockets = _bind_all(port)
            except OSError:
                if self.port:
                    raise
                continue
            break
        else:
            raise OSError("kein Port gefunden, der auf allen Adressen der Beispielseiten frei ist")
        self.port = port
        self.renders(self.state)
        config = uvicorn.Config(
            _Sites(self), lifespan="off", log_level="warning", access_log=False, server_header=False,
            timeout_keep_alive=75,  # as web servers keep idle connections; the crawler reuses them
            timeout_graceful_shutdown=5,  # stop() must not wait on a client that keeps a request open
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": sockets}, name="samplesites", daemon=True
        )
        self._thread.start()
        while not self._server.started and self._thread.is_alive():
            time.sleep(0.01)
        if not self._server.started:
            raise OSError("die Beispielseiten konnten nicht starten")
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.should_exit = True
        assert self._thread is not None
        self._thread.join(timeout=10)
        self._server, self._thread = None, None

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
        if (replaced := self._replaced.get((slug, path))) is not None:
            return replaced
        renders = self.renders(self.state)
        if slug == VENDOR:  # the vendor host serves the accounts of every district that uses it
            return next((s.vendor_pages[path] for s in renders.values() if path in s.vendor_pages), None)
        return renders[slug].pages.get(path)

    def replace_page(self, slug: str, path: str, body: bytes) -> None:
        """Serve `body` at `path` from now on (a page edited on the site: it gets a new ETag)."""
        current = self.page(slug, path)
        if current is None:
            raise KeyError(f"{slug} hat keine Seite {path}")
        self._replaced[(slug, path)] = Page(body, current.content_type, current.status)

    def validators(self, slug: str, path: str, page: Page) -> tuple[str, str]:
        """The page's ETag (its body's hash) and Last-Modified (when this body was first served here)."""
        with self._lock:
            known = self._etags.get(id(page))
            if known is None or known[0] is not page:
                known = self._etags[id(page)] = (page, f'"{hashlib.sha256(page.body).hexdigest()[:20]}"')
            etag = known[1]
            modified = self._modified.setdefault(
                (slug, path, etag), format_datetime(datetime.now(UTC).replace(microsecond=0), usegmt=True)
            )
        return etag, modified

    def delay_for(self, slug: str) -> float:
        return self.slow_delay if slug in self._slow else 0.0

    @property
    def vendor_url(self) -> str:
        return f"http://{VENDOR_IP}:{self.port}"

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


def _bind_all(port: int) -> list[socket.socket]:
    sockets: list[socket.socket] = []
    try:
        for address in [ip_of(index) for index in range(len(SITES))] + [VENDOR_IP]:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            # A listener still fails on a taken port; TIME_WAIT leftovers of an earlier run do not block.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((address, port))
            sock.listen(128)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets
