"""The facet registry (vacancies.search.facets): every part that knows facets takes them from it."""

from __future__ import annotations

from sqlalchemy import text

from tests.search.corpus import TODAY, corpus
from tests.search.helpers import make_board
from vacancies.search.contract import SearchQuery, facet_selection
from vacancies.search.document import facet_values
from vacancies.search.facets import FACETS
from vacancies.search.filters import SearchFilters
from vacancies.search.sqlite_backend import SqliteBackend
from web import present


def test_every_facet_is_a_parameter_a_selection_a_document_value_and_a_page_list():
    names = [f.name for f in FACETS]
    assert set(names) <= set(SearchFilters.model_fields)
    assert list(facet_values(corpus()[1])) == names
    assert list(present.FACETS) == names and set(names) <= set(present.FILTER_PARAMS)
    query = SearchQuery(**{f.attribute: [] if not f.yes_no else True for f in FACETS})
    assert set(facet_selection(query)) == {f.name for f in FACETS if f.yes_no}


def test_an_embedded_index_from_before_a_facet_gets_its_column_and_a_reindex_fills_it(tmp_path):
    board = make_board("sqlite", tmp_path, corpus())
    with board.store.engine.begin() as conn:  # as an index built before start_asap existed
        conn.execute(text("ALTER TABLE search_docs DROP COLUMN start_asap"))
    backend = SqliteBackend(board.store.engine, board.backend.analyzer)
    board.backend = backend
    board.reindex()
    page = board.search(SearchQuery(start_asap=True, today=TODAY, per_page=100))
    assert {hit.vacancy.id for hit in page.items} == {"v02", "v03", "v07"}
    assert {f.value: f.count for f in page.facets["start_asap"]}["true"] == 3
