"""Embedded index: the upper monthly pay in euros of each posting, for the minimum-pay filter (issue 15).

The column starts empty (no figure: the filter leaves such postings out); `stellenboerse reindex` fills
it from the postings and the pay tables in config/pay.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    columns = {row[1] for row in bind.exec_driver_sql("PRAGMA table_info(search_docs)")}
    if "pay_month_high" not in columns:  # tests that write an old schema with today's writer add it early
        op.execute("ALTER TABLE search_docs ADD COLUMN pay_month_high INTEGER")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE search_docs DROP COLUMN pay_month_high")
