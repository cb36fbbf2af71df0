"""Crawl runs: one row per run of a source, with counts, drop reasons and errors.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("district", sa.String(80), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("flag", sa.Text),
        sa.Column("pages", sa.Integer, nullable=False, server_default="0"),
        sa.Column("found", sa.Integer, nullable=False, server_default="0"),
        sa.Column("new", sa.Integer, nullable=False, server_default="0"),
        sa.Column("changed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("unchanged", sa.Integer, nullable=False, server_default="0"),
        sa.Column("expired", sa.Integer, nullable=False, server_default="0"),
        sa.Column("dropped", sa.Integer, nullable=False, server_default="0"),
        sa.Column("drop_reasons", sa.Text, nullable=False, server_default="{}"),
        sa.Column("errors", sa.Text, nullable=False, server_default="[]"),
    )
    op.create_index("ix_crawl_runs_source_started", "crawl_runs", ["source", "started_at"])
    # Postings whose detail page failed are found by URL so that a crawl does not expire them.
    with op.batch_alter_table("vacancies") as batch:
        batch.add_column(sa.Column("source_url", sa.Text))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE vacancies SET source_url = json_extract(data, '$.source_url')")
    else:
        op.execute("UPDATE vacancies SET source_url = CAST(data AS json) ->> 'source_url'")
    op.create_index("ix_vacancies_district_title", "vacancies", ["district", "title"])


def downgrade() -> None:
    op.drop_index("ix_vacancies_district_title", "vacancies")
    with op.batch_alter_table("vacancies") as batch:
        batch.drop_column("source_url")
    op.drop_table("crawl_runs")
