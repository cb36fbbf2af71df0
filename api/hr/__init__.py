"""HR portal and HR API, installed into the app by create_app (api/app.py calls `install(app)`).

What it adds to the whole app: the small job that publishes scheduled postings and expires HR postings
past their deadline (run on requests, at most every `due_interval_seconds`). The security headers
(api/hr/headers.py: CSP without inline script, nosniff, Referrer-Policy, frame denial) are put on every
response by api/guards.py, outside Starlette's error middleware, so that a 500 carries them too.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import anyio
from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from api.hr.auth import LoginRequired, PageError
from api.hr.context import HrContext

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "web" / "hr" / "static"


class DueJob:
    """Before a request: publish what is due and expire what is past its deadline (rate-limited)."""

    def __init__(self, app: ASGIApp, ctx: HrContext) -> None:
        self.app, self.ctx = app, ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and time.monotonic() - self.ctx.last_due_run >= self.ctx.due_interval_seconds
        ):
            self.ctx.last_due_run = time.monotonic()
            try:
                await anyio.to_thread.run_sync(self.ctx.postings.promote_due)
            except Exception:  # never fail a request because of the background chore
                log.exception("Geplante Veröffentlichungen/Ablauf nicht ausgeführt")
        await self.app(scope, receive, send)


def install(app: FastAPI) -> None:
    from api.hr.api import router as api_router
    from web.hr.operations import router as operations_router
    from web.hr.pages import error_page, login_redirect
    from web.hr.pages import router as pages_router

    ctx = HrContext(app.state.settings, app.state.board)
    app.state.hr = ctx
    app.include_router(api_router)
    app.include_router(pages_router)
    app.include_router(operations_router)  # /hr/betrieb, admins only (issue 19)
    app.mount("/hr/static", StaticFiles(directory=STATIC_DIR), name="hr-static")

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired):
        return login_redirect(request)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError):
        return error_page(request, exc)

    app.add_middleware(DueJob, ctx=ctx)
