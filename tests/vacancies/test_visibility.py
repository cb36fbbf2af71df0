"""One visibility rule (vacancies/visibility.py), stated four ways: SQL, Python, and both search indexes.

Every combination of state, deadline (none, past, today, ahead) and hidden flag is stored on a real
board; the SQL clause, `is_public`, the embedded search and the Elasticsearch search must list the same
postings, with and without the archive switch. `today` is pinned.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.search.helpers import make_board
from vacancies import visibility
from vacancies.model import State, Vacancy
from vacancies.schema import vacancies_table as table
from vacancies.search.contract import SearchQuery
from vacancies.service import Board

TODAY = date(2026, 12, 1)
DEADLINES = {"none": None, "past": TODAY - timedelta(days=1), "today": TODAY, "ahead": TODAY + timedelta(3)}


def grid() -> list[tuple[Vacancy, bool]]:
    out = []
    for state, (label, deadline), hidden in itertools.product(State, DEADLINES.items(), (False, True)):
        vacancy = Vacancy.model_validate(
            {
                "id": f"g:{state.value}-{label}-{'hidden' if hidden else 'shown'}",
                "source": "g",
                "district": "miltenberg",
                "title": "Sachbearbeitung",
                "state": state.value,
                "deadline": deadline,
                "date_posted": "2026-11-20",
            }
        )
        out.append((vacancy, hidden))
    return out


def stored_board(backend: str, directory, es_url: str = "") -> Board:
    board = make_board(backend, directory, es_url=es_url)
    postings = grid()
    board.save([v.model_copy(deep=True) for v, _ in postings])
    for vacancy, hidden in postings:
        if hidden:
            board.set_hidden(vacancy.id, True)
    return board


def expected(include_expired: bool) -> set[str]:
    return {v.id for v, hidden in grid() if visibility.is_public(v, TODAY, hidden, include_expired)}


def searched(board: Board, include_expired: bool) -> set[str]:
    page = board.search(SearchQuery(today=TODAY, per_page=100, include_expired=include_expired))
    assert page.total == len(page.items)
    return {hit.vacancy.id for hit in page.items}


def test_the_rule_in_python():
    listed = expected(include_expired=False)
    assert listed == {"g:published-none-shown", "g:published-today-shown", "g:published-ahead-shown"}
    archive = expected(include_expired=True)
    assert archive == {
        f"g:{state}-{label}-shown" for state in ("published", "expired") for label in DEADLINES
    }


@pytest.mark.parametrize("include_expired", [False, True])
def test_sql_clause_and_embedded_search_agree_with_python(tmp_path, include_expired):
    board = stored_board("sqlite", tmp_path)
    with board.store.engine.connect() as conn:
        clause = visibility.visible_clause(table, TODAY, include_expired=include_expired)
        in_sql = set(conn.scalars(select(table.c.id).where(clause)))
    assert in_sql == expected(include_expired)
    assert searched(board, include_expired) == expected(include_expired)


@pytest.mark.elasticsearch
def test_elasticsearch_search_agrees_with_python(tmp_path, es_url):
    board = stored_board("elasticsearch", tmp_path, es_url)
    try:
        for include_expired in (False, True):
            assert searched(board, include_expired) == expected(include_expired)
    finally:
        board.backend.drop()


def test_readable_at_its_address_includes_expired_but_not_drafts_withdrawn_or_hidden(tmp_path):
    board = stored_board("sqlite", tmp_path)
    readable = {v.id for v, _ in grid() if board.get_public(v.id) is not None}
    assert readable == {v.id for v, hidden in grid() if visibility.is_readable(v, hidden)}
    assert "g:expired-past-shown" in readable and "g:draft-none-shown" not in readable
    assert "g:published-none-hidden" not in readable


def test_lapsed_clause_finds_published_postings_past_their_deadline(tmp_path):
    board = stored_board("sqlite", tmp_path)
    with board.store.engine.connect() as conn:
        lapsed = set(conn.scalars(select(table.c.id).where(visibility.lapsed_clause(table, TODAY))))
    assert lapsed == {"g:published-past-shown", "g:published-past-hidden"}
