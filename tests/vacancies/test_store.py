"""Store of record on a real SQLite file: migrations in place, upsert, change detection, states."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from tests.support import engine_at_revision
from vacancies.model import State, Vacancy
from vacancies.store import MIGRATIONS_DIR, VacancyStore, head_revision, make_engine, migrate


def vacancy(n: int, **changes) -> Vacancy:
    return Vacancy.model_validate(
        {"id": f"s:{n}", "source": "s", "district": "miltenberg", "title": f"Stelle {n}", **changes}
    )


def test_sqlite_uses_wal(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_existing_database_upgrades_in_place(tmp_path):
    engine = engine_at_revision(tmp_path / "old.db", "0001")  # a database created by the first release
    old = vacancy(1, source_url="https://example.org/stelle/1")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO vacancies (id, origin, source, district, state, title, content_hash, data,"
            " first_seen, last_seen, updated_at) VALUES (?, 'crawled', 's', 'miltenberg', 'published',"
            " 'Stelle 1', 'x', ?, '2026-01-01', '2026-01-01', '2026-01-01')",
            (old.id, old.model_dump_json()),
        )
    migrate(engine)
    columns = {c["name"] for c in sa.inspect(engine).get_columns("vacancies")}
    assert "hidden" in columns
    store = VacancyStore(engine)
    assert store.get("s:1").title == "Stelle 1"  # data kept
    assert store.ids_for_urls("s", {"https://example.org/stelle/1"}) == {"s:1"}  # column filled from data
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert version == ScriptDirectory.from_config(config).get_current_head()


def test_timestamps_have_one_text_form_for_inserts_and_updates(tmp_path):
    """Bulk inserts go to the driver directly; they must write what SQLAlchemy's updates write."""
    engine = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    migrate(engine)
    store = VacancyStore(engine)
    with store.transaction() as conn:
        store.upsert(conn, [vacancy(1), vacancy(2)])
        store.set_state(conn, ["s:1"], State.expired)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, first_seen, last_seen, updated_at FROM vacancies").all()
    texts = [value for row in rows for value in row[1:]]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", t) for t in texts), texts
    read = [store.get("s:1").updated_at, store.get("s:2").updated_at]
    assert read[0].tzinfo == read[1].tzinfo  # comparable: no mix of aware and naive


def test_timestamps_with_offset_suffix_are_made_plain_by_migration(tmp_path):
    engine = engine_at_revision(tmp_path / "b.db", "0007")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO vacancies (id, origin, source, district, state, title, content_hash, data,"
            " first_seen, last_seen, updated_at) VALUES ('s:1', 'crawled', 's', 'miltenberg', 'published',"
            " 'Stelle 1', 'x', ?, '2026-11-28 07:34:22.401264+00:00', '2026-11-28 07:34:22+00:00',"
            " '2026-11-28 07:34:22.401264')",
            (vacancy(1).model_dump_json(),),
        )
    migrate(engine)
    with engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT first_seen, last_seen, updated_at FROM vacancies").one()
    assert tuple(row) == ("2026-11-28 07:34:22.401264", "2026-11-28 07:34:22", "2026-11-28 07:34:22.401264")


def test_upsert_classifies_new_changed_unchanged(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    migrate(engine)
    store = VacancyStore(engine)
    with store.transaction() as conn:
        first = store.upsert(conn, [vacancy(1), vacancy(2)])
    with store.transaction() as conn:
        second = store.upsert(conn, [vacancy(1), vacancy(2, title="Stelle 2 neu"), vacancy(3)])
    assert first.new == ["s:1", "s:2"]
    assert (second.new, second.changed, second.unchanged) == (["s:3"], ["s:2"], ["s:1"])
    stored = store.get("s:2")
    assert stored.title == "Stelle 2 neu" and stored.first_seen is not None
    assert stored.content_hash == vacancy(2, title="Stelle 2 neu").compute_content_hash()


def test_state_change_is_stored_in_record_and_column(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    migrate(engine)
    store = VacancyStore(engine)
    with store.transaction() as conn:
        store.upsert(conn, [vacancy(1)])
        assert store.set_state(conn, ["s:1", "s:unknown"], State.expired) == 1
    assert store.get("s:1").state == State.expired
    with engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT state, data FROM vacancies").one()
    assert row[0] == "expired" and json.loads(row[1])["state"] == "expired"
    assert store.ids_for_source("s") == set()


def test_find_twin_matches_district_title_and_deadline_of_another_published_source(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    migrate(engine)
    store = VacancyStore(engine)
    with store.transaction() as conn:
        store.upsert(conn, [
            vacancy(1, title="Kämmerer (m/w/d)", deadline="2026-12-31"),
            vacancy(2, title="Ohne Frist (m/w/d)"),
            vacancy(3, title="Abgelaufen (m/w/d)", state="expired"),
        ])  # fmt: skip

    def twin(**fields):
        return store.find_twin(
            Vacancy.model_validate({"id": "t:1", "source": "t", "district": "miltenberg", **fields})
        )

    assert twin(title="Kämmerer (m/w/d)", deadline="2026-12-31") == "s"
    assert twin(title="Kämmerer (m/w/d)", deadline="2027-01-31") is None  # another deadline: another posting
    assert twin(title="Kämmerer (m/w/d)") is None
    assert twin(title="Ohne Frist (m/w/d)") == "s"  # no deadline on both sides
    assert twin(title="Abgelaufen (m/w/d)") is None  # only published postings count
    same_source = Vacancy.model_validate({"id": "s:9", "source": "s", "district": "miltenberg",
                                          "title": "Kämmerer (m/w/d)", "deadline": "2026-12-31"})  # fmt: skip
    assert store.find_twin(same_source) is None


def test_head_revision_read_from_the_files_is_alembics_head():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_a_database_at_the_head_opens_without_importing_alembic(tmp_path):
    """Alembic costs ~0.25 s of start-up: every command (crawl, import, serve) skips it when up to date."""
    url = f"sqlite:///{tmp_path / 'current.db'}"
    migrate(make_engine(url))  # creates the schema: this one needs Alembic
    script = (
        "import sys; from vacancies.store import make_engine, migrate; "
        f"migrate(make_engine({url!r})); print('alembic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    assert done.stdout.strip() == "False"


_INCREMENTER = """
import sys, time
from vacancies.store import VacancyStore, make_engine
store = VacancyStore(make_engine(sys.argv[1]))
for _ in range(int(sys.argv[2])):
    with store.transaction() as conn:
        n = conn.exec_driver_sql("SELECT n FROM counter").scalar()
        time.sleep(0.002)  # another writer's chance to read the same n
        conn.exec_driver_sql("UPDATE counter SET n = ?", (n + 1,))
"""


def test_a_write_transaction_holds_what_it_read_against_other_processes(tmp_path):
    """Two processes read-then-write through store.transaction(): no update is lost (BEGIN IMMEDIATE)."""
    url = f"sqlite:///{tmp_path / 'c.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (n INTEGER)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (0)")
    command = [sys.executable, "-c", _INCREMENTER, url, "60"]
    writers = [subprocess.Popen(command) for _ in range(2)]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT n FROM counter").scalar() == 120
