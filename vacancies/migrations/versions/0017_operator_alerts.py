"""Operator alerts (issue 19, item 5): incidents of broken crawl sources and the runs already judged.

Revision ID: 0017
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0014"  # 0015 (crawl freshness) and 0016 (operations) are reserved on other branches
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "operator_incidents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("district", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_run_id", sa.Integer, nullable=False),
        sa.Column("last_bad_run_id", sa.Integer, nullable=False),
        sa.Column("good_runs", sa.Integer, nullable=False, server_default="0"),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("closed_run_id", sa.Integer),
    )
    op.create_index(
        "uq_operator_incidents_open",
        "operator_incidents",
        ["source"],
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_table(
        "operator_checks",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("run_id", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("operator_checks")
    op.drop_index("uq_operator_incidents_open", table_name="operator_incidents")
    op.drop_table("operator_incidents")
