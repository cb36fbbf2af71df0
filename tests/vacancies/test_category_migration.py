"""Migrations 0011/0012 on a database of the previous release (issue 15): stored postings move to the new
Berufsfeld taxonomy, their hashes follow, and the embedded index gains the pay column."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from tests.support import engine_at_revision
from vacancies.categories import CATEGORIES, renamed_category
from vacancies.model import Vacancy
from vacancies.store import migrate

NOW = datetime(2026, 12, 1, 8, tzinfo=UTC)
OLD = [
    ("a", "Finanzen", "Sachbearbeiter (m/w/d) Kreiskasse", ""),
    ("b", "Erziehung & Bildung", "Lehrkraft (m/w/d) für Mathematik an der Realschule", ""),
    ("c", "Erziehung & Bildung", "Pädagogische Fachkraft (m/w/d)", "<p>in unserer Kita Sonnenschein</p>"),
    ("d", "Recht & Ordnung", "Volljurist (m/w/d) Rechtsamt", ""),
    ("e", "Recht & Ordnung", "Sachbearbeiter (m/w/d)", "<p>Bearbeitung von Anträgen</p>"),
    ("f", "Verwaltung", "Sachbearbeiter (m/w/d) Kreiskasse", ""),  # current name: kept as HR chose it
]


def _insert(engine, vacancy_id: str, category: str, title: str, description: str) -> None:
    vacancy = Vacancy(id=vacancy_id, origin="hr", district="miltenberg", title=title, category=category,
                      description=description, first_seen=NOW, last_seen=NOW, updated_at=NOW)  # fmt: skip
    content = vacancy.content_json()
    row = {"id": vacancy_id, "origin": "hr", "district": "miltenberg", "state": "published", "title": title,
           "content_hash": vacancy.compute_content_hash(content), "data": vacancy.record_json(content),
           "first_seen": NOW, "last_seen": NOW, "updated_at": NOW}  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO vacancies (id, origin, district, state, title, content_hash, data, first_seen, "
            "last_seen, updated_at, hidden) VALUES (:id, :origin, :district, :state, :title, :content_hash, "
            ":data, :first_seen, :last_seen, :updated_at, 0)"), row)  # fmt: skip
        conn.execute(
            sa.text("INSERT INTO search_docs (id, category, state) VALUES (:id, :c, 'published')"),
            {"id": vacancy_id, "c": category},
        )


def test_stored_postings_move_to_the_new_taxonomy(tmp_path):
    engine = engine_at_revision(tmp_path / "alt.db", "0010")
    for entry in OLD:
        _insert(engine, *entry)
    migrate(engine)
    with engine.connect() as conn:
        stored = {r.id: r for r in conn.execute(sa.text("SELECT id, data, content_hash FROM vacancies"))}
        indexed = dict(conn.execute(sa.text("SELECT id, category FROM search_docs")).fetchall())
        columns = {r[1] for r in conn.execute(sa.text("PRAGMA table_info(search_docs)"))}
    categories = {i: json.loads(r.data)["category"] for i, r in stored.items()}
    assert categories == {
        "a": "Finanzen & Steuern",
        "b": "Schule & Bildung",
        "c": "Kita & Erziehung",
        "d": "Recht",
        "e": "Sicherheit, Ordnung & Feuerwehr",  # the rules say Verwaltung: the old meaning's first choice
        "f": "Verwaltung",
    }
    assert indexed == categories and set(categories.values()) <= set(CATEGORIES)
    for row in stored.values():  # the next crawl compares hashes: they must fit the new content
        vacancy = Vacancy.model_validate_json(row.data)
        assert row.content_hash == vacancy.compute_content_hash()
    assert "pay_month_high" in columns


def test_renamed_category_leaves_current_names_and_lets_the_rules_decide_unknown_ones():
    assert renamed_category("Kita & Erziehung", "Lehrkraft (m/w/d)") is None
    assert renamed_category(None, "Straßenwärter (m/w/d)") == "Straßen & Verkehr"
    assert renamed_category("Gesundheit", "Amtstierarzt (m/w/d)") == "Gesundheit & Veterinärwesen"
