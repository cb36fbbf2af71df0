"""Crawl runs: who runs a run (host, pid, the process's start time) and its last sign of life.

A run left "running" by a killed crawl blocked its source for six hours. With these columns a run whose
process is gone is recognised at once on its host, and by a stale heartbeat elsewhere (vacancies.runs).
Rows written before have none of them and keep the old six-hour rule.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("crawl_runs", sa.Column("host", sa.String(255)))
    op.add_column("crawl_runs", sa.Column("pid", sa.Integer))
    op.add_column("crawl_runs", sa.Column("pid_started", sa.String(32)))
    op.add_column("crawl_runs", sa.Column("heartbeat_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        for column in ("heartbeat_at", "pid_started", "pid", "host"):
            batch.drop_column(column)
