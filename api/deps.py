"""Dependency aliases for routes (the board and settings live on app.state, created by create_app)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from vacancies.service import Board
from vacancies.settings import Settings


def get_board(request: Request) -> Board:
    return request.app.state.board


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


BoardDep = Annotated[Board, Depends(get_board)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
