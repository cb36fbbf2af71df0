"""Build a real board (SQLite file + chosen backend) for tests."""

from __future__ import annotations

import uuid
from pathlib import Path

from vacancies.model import Vacancy
from vacancies.service import Board
from vacancies.store import VacancyStore, make_engine, migrate


def make_board(
    backend: str, directory: Path, vacancies: list[Vacancy] | None = None, es_url: str = ""
) -> Board:
    from vacancies.search.analysis import get_analyzer

    engine = make_engine(f"sqlite:///{directory / 'board.db'}")
    migrate(engine)
    analyzer = get_analyzer()
    if backend == "elasticsearch":
        from vacancies.search.elasticsearch_backend import ElasticsearchBackend

        index = ElasticsearchBackend(es_url, f"test-{uuid.uuid4().hex[:10]}", analyzer, refresh="wait_for")
    else:
        from vacancies.search.sqlite_backend import SqliteBackend

        index = SqliteBackend(engine, analyzer)
    board = Board(VacancyStore(engine), index)
    if vacancies:
        board.save([v.model_copy(deep=True) for v in vacancies])
    return board
