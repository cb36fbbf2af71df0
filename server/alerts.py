"""Suchaufträge wired to the pages' reading of search parameters (web.params over the filter model)."""

from __future__ import annotations

from starlette.datastructures import QueryParams

from vacancies.alerts import Alerts
from vacancies.geo import Gazetteer
from vacancies.service import Board
from vacancies.settings import Settings
from web.params import PageSearch, parse


def read_search(pairs: list[tuple[str, str]], gazetteer: Gazetteer) -> PageSearch:
    """A stored or submitted alert search read exactly as the search page reads its query string."""
    return parse(QueryParams(pairs), gazetteer)


def build_alerts(board: Board, settings: Settings) -> Alerts:
    return Alerts(board.store.engine, board, settings, read_search)
