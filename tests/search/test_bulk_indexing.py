"""Bulk indexing: German analysis in worker processes gives exactly the in-process documents, and the
leaner FTS table (migrations 0006, 0007) finds what the old one found."""

from __future__ import annotations

from datetime import date

from tests.search.helpers import make_board
from tests.support import engine_at_revision
from vacancies.sample_data import generate_vacancies
from vacancies.search import document
from vacancies.search.analysis import get_analyzer
from vacancies.search.contract import SearchQuery
from vacancies.search.document import DocumentBuilder, build_document
from vacancies.search.sqlite_backend import SqliteBackend
from vacancies.service import Board
from vacancies.store import VacancyStore, make_engine, migrate

TODAY = date(2026, 11, 28)
BULK = 450  # above DocumentBuilder's threshold for worker processes


def _postings(n: int):
    return list(generate_vacancies(n, seed=7, today=TODAY))


def test_worker_documents_equal_in_process_documents():
    analyzer = get_analyzer()
    postings = _postings(BULK)
    assert len(postings) >= document._MIN_PARALLEL
    parallel = list(DocumentBuilder(analyzer, workers=2, unique_body=True).documents(postings))
    assert 2 in document._pools  # the worker pool really ran
    expected = [build_document(v, analyzer, unique_body=True) for v in postings]
    assert parallel == expected


def test_small_batches_stay_in_process(monkeypatch):
    def no_pool(_workers):
        raise AssertionError("a single HR posting must not start worker processes")

    monkeypatch.setattr(document, "_pool", no_pool)
    posting = _postings(1)
    docs = list(DocumentBuilder(get_analyzer(), workers=2).documents(posting))
    assert docs[0]["id"] == posting[0].id


def test_unique_body_keeps_every_token_once_and_in_order():
    analyzer = get_analyzer()
    posting = _postings(1)[0]
    full = build_document(posting, analyzer)["body_tokens"].split()
    unique = build_document(posting, analyzer, unique_body=True)["body_tokens"].split()
    assert len(unique) < len(full)
    assert unique == list(dict.fromkeys(full))


def test_analysis_text_of_messy_html_gives_the_tokens_of_the_display_text():
    """The analyzer reads descriptions without collapsed blanks (cheaper); the tokens must not change."""
    analyzer = get_analyzer()
    messy = (
        "<div>\n  <p>Wir suchen  eine\tSachbearbeiterin&nbsp;(m/w/d)</p>\n\n<ul> <li> Verwaltungs-"
        "<b>fach</b>angestellte </li><li>Duales  Studium</li></ul><p>&nbsp;</p><!-- x -->"
        "<p>Kämmerei</p></div>"
    )
    fields = (None, None, None, None, None, None, messy, None)  # the body fields, the contact's name last
    as_indexed = document.analyse_text(analyzer, "Titel", fields, unique_body=False)
    display_text = document.html_to_text(messy)
    assert as_indexed[1] == " ".join(analyzer.document_tokens(display_text))
    assert "sachbearbeit" in as_indexed[1].split() and "kammerei" in as_indexed[1].split()


def test_bulk_transaction_settings_last_only_for_the_bulk_transaction(tmp_path):
    store = VacancyStore(make_engine(f"sqlite:///{tmp_path / 'b.db'}"))
    migrate(store.engine)
    with store.transaction(bulk=True) as conn:
        raw = conn.connection.driver_connection
        assert raw.execute("PRAGMA cache_size").fetchone()[0] == -64 * 1024
        assert raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0  # the thread checkpoints
    # The pooled connection serves the web server next: SQLite's defaults again.
    assert raw.execute("PRAGMA cache_size").fetchone()[0] == -2000
    assert raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 4000


def test_save_batches_copies_the_wal_into_the_database_from_its_thread(tmp_path):
    """Bulk commits do not checkpoint (autocheckpoint 0); the background thread must, or the data would
    stay in the WAL file. A small import never reaches the autocheckpoint size on its own."""
    path = tmp_path / "b.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    board = Board(VacancyStore(engine), SqliteBackend(engine, get_analyzer()))
    postings = _postings(60)
    list(board.save_batches([postings[:30], postings[30:]]))
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        page_size = conn.exec_driver_sql("PRAGMA page_size").scalar()
    assert path.stat().st_size == pages * page_size  # every page is in the database file itself
    assert board.store.count() == 60


def test_bulk_save_with_workers_is_searchable_like_in_process(tmp_path):
    postings = _postings(BULK)
    boards = []
    for name, workers in (("serial", 0), ("workers", 2)):
        directory = tmp_path / name
        directory.mkdir()
        board = make_board("sqlite", directory)
        board.backend.builder.workers = workers
        board.save([v.model_copy(deep=True) for v in postings])
        boards.append(board)
    for text in ("Sachbearbeiterin", "Verwaltung", "Erzieher", "Azubi", "Ing"):
        query = SearchQuery(text=text, today=TODAY, per_page=100)
        serial, parallel = (board.search(query) for board in boards)
        assert serial.total == parallel.total > 0, text
        assert [h.vacancy.id for h in serial.items] == [h.vacancy.id for h in parallel.items]


def _copy_into(old_engine, new_engine) -> None:
    """The rows of a store written today, in the columns an older schema has: a database of that release
    with the same content (today's writer cannot write an old schema, later migrations add columns)."""
    with new_engine.connect() as new, old_engine.begin() as old:
        for table in ("vacancies", "search_docs", "search_meta"):
            columns = [r[1] for r in old.exec_driver_sql(f"PRAGMA table_info({table})")]
            listed = ", ".join(["rowid", *columns] if table == "search_docs" else columns)
            rows = new.exec_driver_sql(f"SELECT {listed} FROM {table}").fetchall()
            marks = ", ".join("?" * (len(columns) + (table == "search_docs")))
            old.exec_driver_sql(
                f"INSERT OR REPLACE INTO {table} ({listed}) VALUES ({marks})", [tuple(r) for r in rows]
            )
        fts = new.exec_driver_sql("SELECT rowid, title_tokens, body_tokens FROM search_fts").fetchall()
        old.exec_driver_sql(
            "INSERT INTO search_fts (rowid, title_tokens, body_tokens) VALUES (?, ?, ?)",
            [tuple(r) for r in fts],
        )


def test_database_from_0005_upgrades_to_the_lean_index_and_still_finds(tmp_path):
    current = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    migrate(current)
    today = Board(VacancyStore(current), SqliteBackend(current, get_analyzer()))
    today.save(_postings(30))
    before = today.search(SearchQuery(text="Verw", today=TODAY, per_page=100))
    assert before.total > 0
    engine = engine_at_revision(tmp_path / "old.db", "0005")
    _copy_into(engine, current)

    migrate(engine)
    with engine.connect() as conn:
        sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'search_fts'").scalar()
    assert "prefix='3'" in sql and "columnsize=0" in sql
    with engine.connect() as conn:  # 0007: one FTS segment per import batch, not one per megabyte
        hashsize = conn.exec_driver_sql("SELECT v FROM search_fts_config WHERE k = 'hashsize'").scalar()
    assert hashsize == 32 * 1024 * 1024
    fresh = Board(VacancyStore(engine), SqliteBackend(engine, get_analyzer()))
    after = fresh.search(SearchQuery(text="Verw", today=TODAY, per_page=100))
    assert {h.vacancy.id for h in after.items} == {h.vacancy.id for h in before.items}
    assert after.total == before.total


def test_save_batches_analyses_ahead_and_matches_save(tmp_path, monkeypatch):
    postings = _postings(2 * BULK)
    batches = [postings[:BULK], postings[BULK:]]
    (tmp_path / "stream").mkdir()
    board = make_board("sqlite", tmp_path / "stream")
    board.backend.builder.workers = 2
    started = []
    real_start = board.backend.start_analysis
    monkeypatch.setattr(board.backend, "start_analysis", lambda vs: started.append(len(vs)) or real_start(vs))
    results = list(board.save_batches([[v.model_copy(deep=True) for v in b] for b in batches]))
    assert started == [BULK, BULK]  # both batches went to the workers before their write
    assert [len(r.new) for r in results] == [BULK, BULK]

    again = list(board.save_batches([[v.model_copy(deep=True) for v in b] for b in batches]))
    assert [len(r.unchanged) for r in again] == [BULK, BULK]  # re-import is idempotent

    (tmp_path / "plain").mkdir()
    plain = make_board("sqlite", tmp_path / "plain", postings)
    query = SearchQuery(text="Verwaltung", today=TODAY, per_page=100)
    streamed, saved = board.search(query), plain.search(query)
    assert [h.vacancy.id for h in streamed.items] == [h.vacancy.id for h in saved.items]
    assert streamed.total == saved.total > 0


def test_names_of_people_and_mail_addresses_are_no_index_text():
    text = (
        "Fragen beantwortet Herr Markus Forster (Telefon 0123), m.forster@lra-fs.de; "
        "Frau Dr. Anna-Lena Müller leitet das Amt. Ansprechpartnerin: Sabine Huber. "
        "Wir suchen Förster und eine Frauenbeauftragte."
    )
    left = document.without_people(text, "Sabine Huber")
    for gone in ("Markus", "Forster", "m.forster", "lra-fs.de", "Anna-Lena", "Müller", "Sabine", "Huber"):
        assert gone not in left
    for kept in ("Förster", "Frauenbeauftragte", "(Telefon 0123)", "leitet das Amt", "Ansprechpartnerin:"):
        assert kept in left
