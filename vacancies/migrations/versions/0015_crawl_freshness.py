"""Crawl runs tell what went wrong besides failing, and re-crawls ask "changed since?" (issue 19, items 6, 7).

- crawl_runs.not_modified: pages that came back 304 (unchanged since the last run);
- crawl_runs.note: a successful run's problems in German (pages refused by robots.txt, unreadable pages),
  so such a run no longer shows "ok" with an empty note;
- crawl_runs.detail: JSON for the operations page (vacancies.runs.CrawlRun.detail documents the shape);
- page_validators: per source and page URL the ETag / Last-Modified of its last full answer and the
  postings it gave, sent back as If-None-Match / If-Modified-Since by the next crawl (crawler.freshness).

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("crawl_runs", sa.Column("not_modified", sa.Integer, nullable=False, server_default="0"))
    op.add_column("crawl_runs", sa.Column("note", sa.Text))
    op.add_column("crawl_runs", sa.Column("detail", sa.Text, nullable=False, server_default="{}"))
    op.create_table(
        "page_validators",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("etag", sa.String(512)),
        sa.Column("last_modified", sa.String(64)),
        sa.Column("postings", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("page_validators")
    with op.batch_alter_table("crawl_runs") as batch:
        for column in ("detail", "note", "not_modified"):
            batch.drop_column(column)
