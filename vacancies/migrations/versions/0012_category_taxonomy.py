"""Stored postings move to the new Berufsfeld taxonomy (issue 15): "Finanzen" → "Finanzen & Steuern",
"Erziehung & Bildung" → "Kita & Erziehung" or "Schule & Bildung" as the posting's own words decide, …

Without this, HR postings (which no crawl refreshes) would keep the old names and the category facet
would show both. Content hashes are recomputed so the next crawl does not see every posting as changed.
The embedded index's category column follows here; an Elasticsearch index needs `stellenboerse reindex`.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from vacancies.categories import renamed_category
    from vacancies.model import Vacancy
    from vacancies.search.document import html_to_text

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, data FROM vacancies")).fetchall()
    has_index = bind.dialect.name == "sqlite" and _has_table(bind, "search_docs")
    for vacancy_id, data in rows:
        vacancy = Vacancy.model_validate_json(data)
        new = renamed_category(
            vacancy.category, vacancy.title, vacancy.department, employer=vacancy.employer,
            text=html_to_text(vacancy.description or ""),
        )  # fmt: skip
        if new is None or new == vacancy.category:
            continue
        vacancy.category = new
        content = vacancy.content_json()
        vacancy.content_hash = vacancy.compute_content_hash(content)
        bind.execute(
            sa.text("UPDATE vacancies SET data = :data, content_hash = :hash WHERE id = :id"),
            {"data": vacancy.record_json(content), "hash": vacancy.content_hash, "id": vacancy_id},
        )
        if has_index:
            bind.execute(sa.text("UPDATE search_docs SET category = :c WHERE id = :id"), {"c": new, "id": vacancy_id})
    if has_index and rows:
        bind.execute(sa.text("UPDATE search_meta SET value = value + 1 WHERE key = 'generation'"))


def _has_table(bind, name: str) -> bool:
    return bind.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = :n"), {"n": name}).first() is not None


def downgrade() -> None:
    pass  # the old names are gone from the rules; a downgrade keeps the new ones
