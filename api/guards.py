"""Request guards for the whole app (bad input is a 4xx, never a 500). `create_app` calls `install(app)`."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Nothing yet."""
