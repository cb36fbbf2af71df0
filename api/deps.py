"""Dependency aliases for routes (the board and settings live on app.state, created by create_app)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from vacancies.alerts import Alerts
from vacancies.service import Board
from vacancies.settings import Settings


def get_board(request: Request) -> Board:
    return request.app.state.board


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_alerts(request: Request) -> Alerts:
    return request.app.state.alerts


BoardDep = Annotated[Board, Depends(get_board)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
AlertsDep = Annotated[Alerts, Depends(get_alerts)]
