"""The embedded index's column cache follows writes incrementally and always equals a full load."""

from __future__ import annotations

import numpy as np

from tests.search.corpus import TODAY
from tests.search.helpers import make_board
from vacancies.model import State
from vacancies.sample_data import generate_vacancies
from vacancies.search.contract import SearchQuery
from vacancies.search.sqlite_backend import CATEGORICAL, _Columns


def _decoded(cols: _Columns) -> dict:
    """Comparable form: categorical codes as their values (vocabulary order may differ)."""
    out = {"ids": cols.ids, "rowids": cols.rowids.tolist(), "id_rank": cols.id_rank.tolist()}
    for name in (*CATEGORICAL, "state"):
        out[name] = [cols.vocab[name][c] if c >= 0 else None for c in cols.codes[name]]
    for name in ("grade_low", "grade_high", "date_posted", "deadline", "newest_rank", "deadline_rank"):
        out[name] = getattr(cols, name).tolist()
    for name in ("lat", "lon"):
        out[name] = np.nan_to_num(getattr(cols, name), nan=-999).tolist()
    out["bits"] = {name: bits.tolist() for name, bits in cols.bits.items()}
    return out


def _full_load(board) -> _Columns:
    with board.backend._snapshot() as conn:
        generation = conn.exec_driver_sql("SELECT value FROM search_meta WHERE key = 'generation'").scalar()
        return _Columns.load(conn, generation)


def test_incremental_refresh_equals_a_full_load_after_every_kind_of_write(tmp_path):
    postings = list(generate_vacancies(300, seed=11, today=TODAY))
    board = make_board("sqlite", tmp_path, postings[:200])
    search = SearchQuery(today=TODAY, per_page=5)
    board.search(search)  # builds the first cache
    full_loads = []
    original = _Columns.load.__func__

    def counting_load(cls, conn, generation):
        full_loads.append(generation)
        return original(cls, conn, generation)

    for step in (
        lambda: board.save([v.model_copy(deep=True) for v in postings[200:230]]),  # new postings
        lambda: board.save([_retitled(v) for v in postings[:10]]),  # changed: deleted and re-added
        lambda: board.set_state([v.id for v in postings[10:15]], State.withdrawn),
        lambda: board.set_hidden(postings[15].id, True),
        lambda: board.backend.delete([v.id for v in postings[190:200]]),  # the highest rowids go
        lambda: board.save([v.model_copy(deep=True) for v in postings[230:232]]),  # must not reuse them
    ):
        step()
        _Columns.load = classmethod(counting_load)
        try:
            board.search(search)
        finally:
            _Columns.load = classmethod(original)
        assert _decoded(board.backend._latest) == _decoded(_full_load(board))
    assert full_loads == []  # each search extended the cache instead of reading every row again


def _retitled(vacancy):
    copy = vacancy.model_copy(deep=True)
    copy.title = f"{copy.title} (geändert)"
    return copy


def test_the_server_loads_the_columns_before_its_first_request(tmp_path):
    """The first search after a start cost 1.8 s at 100,000 postings while the cache loaded."""
    from fastapi.testclient import TestClient

    from server.app import create_app
    from vacancies.settings import Settings

    board = make_board("sqlite", tmp_path, list(generate_vacancies(50, seed=3, today=TODAY)))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'board.db'}", environment="test", _env_file=None)
    app = create_app(settings, board)
    assert board.backend._latest is None
    with TestClient(app):  # runs the lifespan: start-up happens before any request is accepted
        assert board.backend._latest is not None and len(board.backend._latest) == 50


def test_an_index_written_before_the_rowid_mark_starts_it_at_its_highest_rowid(tmp_path):
    postings = list(generate_vacancies(40, seed=5, today=TODAY))
    board = make_board("sqlite", tmp_path, postings[:30])
    engine = board.store.engine
    with engine.begin() as conn:  # as an index written by an earlier release looks
        conn.exec_driver_sql("DELETE FROM search_meta WHERE key = 'last_rowid'")
    board.save([v.model_copy(deep=True) for v in postings[30:32]])
    with engine.connect() as conn:
        rowids = [r[0] for r in conn.exec_driver_sql("SELECT rowid FROM search_docs ORDER BY rowid")]
        mark = conn.exec_driver_sql("SELECT value FROM search_meta WHERE key = 'last_rowid'").scalar()
    assert rowids[-2:] == [31, 32] and mark == 32
