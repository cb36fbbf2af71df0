"""The HR API and the HR portal's shared context, installed by the composition root (server.app calls
`install(app)`, then web.hr.install for the portal's pages and static files).

What it adds to the whole app: the small job that publishes scheduled postings and expires HR postings
past their deadline (run on requests, at most every `due_interval_seconds`). The security headers
(api/hr/headers.py: CSP without inline script, nosniff, Referrer-Policy, frame denial) are put on every
response by api/guards.py, outside Starlette's error middleware, so that a 500 carries them too.
"""

from __future__ import annotations

import logging
import time

import anyio
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from api.hr.context import HrContext

log = logging.getLogger(__name__)


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
    """The context the HR API and pages share (app.state.hr), the HR API, the due-postings job."""
    from api.hr.api import router as api_router

    ctx = HrContext(app.state.settings, app.state.board)
    app.state.hr = ctx
    app.include_router(api_router)
    app.add_middleware(DueJob, ctx=ctx)
