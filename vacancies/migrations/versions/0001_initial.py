"""Store of record, index outbox and the embedded search index.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vacancies",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("source", sa.String(200)),
        sa.Column("district", sa.String(80), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("date_posted", sa.Date),
        sa.Column("deadline", sa.Date),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_vacancies_source", "vacancies", ["source"])
    op.create_index("ix_vacancies_district", "vacancies", ["district"])
    op.create_index("ix_vacancies_state", "vacancies", ["state"])
    op.create_table(
        "index_outbox",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("vacancy_id", sa.String(200), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_index_outbox_vacancy_id", "index_outbox", ["vacancy_id"])
    if op.get_bind().dialect.name == "sqlite":
        _create_embedded_index()


def _create_embedded_index() -> None:
    # Facet/filter columns of the embedded backend; rowid links them to the FTS5 table.
    op.execute(
        """
        CREATE TABLE search_docs (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            district TEXT, posting_type TEXT, category TEXT, working_time TEXT, fixed_term TEXT,
            pay_scale TEXT, career_level TEXT, remote TEXT, status TEXT,
            grade_low INTEGER, grade_high INTEGER, lat REAL, lon REAL,
            date_posted TEXT, deadline TEXT, state TEXT NOT NULL
        )
        """
    )
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5("
        "title_tokens, body_tokens, tokenize='unicode61 remove_diacritics 0', prefix='2 3 4')"
    )
    # Bumped by every index write so readers know when their cached columns are stale.
    op.execute("CREATE TABLE search_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")
    op.execute("INSERT INTO search_meta (key, value) VALUES ('generation', 0)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_meta")
        op.execute("DROP TABLE IF EXISTS search_fts")
        op.execute("DROP TABLE IF EXISTS search_docs")
    op.drop_table("index_outbox")
    op.drop_table("vacancies")
