"""Pages of the HR portal (/hr/...) and their static files; installed by the composition root
(server.app) after api.hr.install, which puts the shared HrContext on app.state.hr."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from api.hr.auth import LoginRequired, PageError
from web.hr.operations import router as operations_router
from web.hr.pages import error_page, login_redirect, router

STATIC_DIR = Path(__file__).resolve().parent / "static"

__all__ = ["install", "router"]


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.include_router(operations_router)  # /hr/betrieb, admins only (issue 19)
    app.mount("/hr/static", StaticFiles(directory=STATIC_DIR), name="hr-static")

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired):
        return login_redirect(request)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError):
        return error_page(request, exc)
