"""Request guards for the whole app: bad input is a 4xx, never a 500 — and a 500 still looks like us.

`create_app` calls `install(app)`. It puts one pure ASGI layer around *everything*, Starlette's
ServerErrorMiddleware included (FastAPI always builds that one outermost of its own stack, so ordinary
middleware never sees the 500 it sends). Per HTTP request, from the outside in:

1. A Host header that is no host name (`evil.example/x@`, spaces, …) is refused: 400.
2. HEAD is answered as GET without the body. FastAPI routes answer only the methods they declare, so
   `HEAD /` was a 405 although `GET /` works. Headers (Content-Length, ETag) stay those of the GET.
3. Security headers (api/hr/headers.py) on every response, errors and the 500 included.
4. Redirects never lead to the request's Host header: an absolute Location built from it (Starlette's
   trailing-slash redirect does so) gets the scheme and host of settings.public_base_url instead.
5. An exception that escapes before any response was sent is answered with a German 500 here.

The body of an ordinary 500 comes from the app's handler for Exception, which ServerErrorMiddleware
calls: problem+json for the API and for clients that do not ask for HTML, a German HTML page for
browsers on the pages. The exception still goes on to the server, which logs it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.hr.headers import SecurityHeaders
from api.problems import UNEXPECTED, problem

log = logging.getLogger(__name__)

BAD_HOST = "Der Host-Header der Anfrage ist ungültig."
# A host name or IPv4/IPv6 address with an optional port, nothing else (RFC 9110 Host = uri-host [":" port]).
HOST_RE = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?\Z")
ERROR_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Fehler – Stellenbörse</title>
<meta name="robots" content="noindex"></head>
<body><main><h1>Das hat nicht geklappt</h1>
<p>Ein unerwarteter Fehler ist aufgetreten (Fehler 500). Bitte versuchen Sie es später noch einmal.</p>
<p><a href="/">Zur Stellensuche</a></p></main></body></html>"""


def install(app: FastAPI) -> None:
    """Wrap the app's whole middleware stack in Guard, and answer unexpected errors in German."""
    build = app.build_middleware_stack
    base_url = app.state.settings.public_base_url

    def build_guarded() -> ASGIApp:
        return Guard(SecurityHeaders(build()), base_url)

    app.build_middleware_stack = build_guarded  # type: ignore[method-assign]
    _german_500(app)


def _german_500(app: FastAPI) -> None:
    """ServerErrorMiddleware answers with the handler for Exception: keep the API's problem+json (if one
    is installed), give browsers on the pages HTML."""
    api_handler: Callable[..., Any] | None = app.exception_handlers.get(Exception)

    async def unexpected(request: Request, exc: Exception) -> Response:
        wants_html = "text/html" in request.headers.get("accept", "")
        if wants_html and not request.url.path.startswith("/api/"):
            log.error("Unerwarteter Fehler bei %s %s", request.method, request.url.path, exc_info=exc)
            return HTMLResponse(ERROR_PAGE, status_code=500, headers={"Cache-Control": "no-store"})
        if api_handler is not None:
            return await api_handler(request, exc)
        log.error("Unerwarteter Fehler bei %s %s", request.method, request.url.path, exc_info=exc)
        return problem(500, UNEXPECTED, instance=request.url.path)

    app.exception_handlers[Exception] = unexpected


class Guard:
    """The outermost ASGI layer (see the module docstring)."""

    def __init__(self, app: ASGIApp, public_base_url: str) -> None:
        self.app = app
        public = urlsplit(public_base_url)
        self.public_origin = f"{public.scheme}://{public.netloc}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host")
        if host is not None and not HOST_RE.match(host):
            await SecurityHeaders(problem(400, BAD_HOST))(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}  # a copy: the server keeps its own HEAD and sends no body
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if host:
                    message["headers"] = self._safe_location(message.get("headers", []), host)
            elif head and message["type"] in ("http.response.body", "http.response.pathsend"):
                if message.get("more_body", False):
                    return  # HEAD: no body; only the final (empty) message ends the response
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        try:
            await self.app(scope, receive, guarded_send)
        except Exception:
            if not started:  # past ServerErrorMiddleware (it answers first): the last resort
                log.exception("Unerwarteter Fehler außerhalb der Anwendung bei %s", scope.get("path"))
                await SecurityHeaders(problem(500, UNEXPECTED))(scope, receive, guarded_send)
            raise

    def _safe_location(self, headers: list[tuple[bytes, bytes]], host: str) -> list[tuple[bytes, bytes]]:
        """A Location that starts with scheme://<the request's Host header> points to the public origin."""
        fixed = []
        for name, value in headers:
            if name.lower() == b"location":
                location = value.decode("latin-1")
                scheme, _, rest = location.partition("://")
                if scheme.lower() in ("http", "https") and rest.lower().startswith(host.lower()):
                    tail = rest[len(host) :]
                    if tail[:1] in ("", "/", "?", "#"):
                        value = (self.public_origin + tail).encode("latin-1")
            fixed.append((name, value))
        return fixed


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None
