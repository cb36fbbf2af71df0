"""ETag, Cache-Control and Server-Timing for GET/HEAD responses (a pure ASGI middleware).

- A complete 200 response (one body message) gets a weak ETag from a hash of its body; a request whose
  `If-None-Match` names it gets 304 without a body. Weak, because a compressing proxy or middleware may
  change the bytes but not the meaning.
- Streamed responses (more than one body message, e.g. files) pass through unbuffered: the first body
  message is held only until we know whether more follow.
- Cache-Control, unless the route set one: `no-store` under /hr, for responses that set cookies and for
  requests with credentials; `public, max-age=60` for the public API, feeds, sitemap and robots.txt;
  `no-cache` (store, but revalidate with the ETag) for everything else, e.g. pages.
- `Server-Timing: app;dur=<ms>` on every response: time from the request to the response head.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.datastructures import Headers, MutableHeaders

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PUBLIC_MAX_AGE = 60
PRIVATE_PREFIXES = ("/hr", "/api/v1/hr")
PUBLIC_PREFIXES = ("/api/", "/feed.", "/sitemap", "/robots.txt")
REVALIDATE_PATHS = ("/api/v1/health",)  # monitoring must never see a cached answer
# Headers a 304 repeats from the 200 it stands for (RFC 9110, 15.4.5).
NOT_MODIFIED_HEADERS = (b"cache-control", b"content-location", b"date", b"etag", b"expires", b"vary")


def cache_control_for(path: str, request_headers: Headers, response_headers: MutableHeaders) -> str:
    if _is_private(path) or "set-cookie" in response_headers or "authorization" in request_headers:
        return "no-store"
    if path.startswith(REVALIDATE_PATHS):
        return "no-cache"
    if path.startswith(PUBLIC_PREFIXES):
        return f"public, max-age={PUBLIC_MAX_AGE}"
    return "no-cache"


def _is_private(path: str) -> bool:
    """`/hr` and `/hr/...` are private, `/hrefs` is not."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PRIVATE_PREFIXES)


def etag_for(body: bytes) -> str:
    return 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110, 13.1.2): `W/` is ignored on both sides; `*` matches anything."""
    if if_none_match.strip() == "*":
        return True
    wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag.removeprefix("W/") in wanted


class CachingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = _Exchange(scope, send)
        await self.app(scope, receive, exchange.send)


class _Exchange:
    """One request's response path: decides on headers once the first body message shows its shape."""

    def __init__(self, scope: Scope, send: Send) -> None:
        self.send_downstream = send
        self.path: str = scope["path"]
        self.request_headers = Headers(scope=scope)
        self.method: str = scope["method"]
        self.started = time.perf_counter()
        self.start: Message | None = None
        self.passing_through = False

    async def send(self, message: Message) -> None:
        if self.passing_through:
            await self.send_downstream(message)
        elif message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body" and self.start is not None:
            await self._first_body(self.start, message)
        else:
            await self.send_downstream(message)

    async def _first_body(self, start: Message, message: Message) -> None:
        self.start = None
        self.passing_through = True
        headers = MutableHeaders(scope=start)
        ok = self.method in ("GET", "HEAD") and start["status"] == 200
        if ok and "cache-control" not in headers:
            headers["Cache-Control"] = cache_control_for(self.path, self.request_headers, headers)
        # HEAD has no body to hash; a streamed body would have to be buffered whole.
        complete = self.method == "GET" and not message.get("more_body", False)
        private = "no-store" in headers.get("cache-control", "") or "set-cookie" in headers
        if ok and complete and not private and "etag" not in headers:
            headers["ETag"] = etag = etag_for(message.get("body", b""))
            if etag_matches(self.request_headers.get("if-none-match", ""), etag):
                await self._not_modified(start, headers)
                return
        headers["Server-Timing"] = self._timing()
        await self.send_downstream(start)
        await self.send_downstream(message)

    async def _not_modified(self, start: Message, headers: MutableHeaders) -> None:
        kept = [(k, v) for k, v in headers.raw if k.lower() in NOT_MODIFIED_HEADERS]
        kept.append((b"server-timing", self._timing().encode()))
        await self.send_downstream({"type": "http.response.start", "status": 304, "headers": kept})
        await self.send_downstream({"type": "http.response.body", "body": b"", "more_body": False})

    def _timing(self) -> str:
        return f"app;dur={(time.perf_counter() - self.started) * 1000:.1f}"
