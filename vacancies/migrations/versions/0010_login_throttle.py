"""Accounts: login throttling per (account, client address) with growing delays; summarised audit rows.

The old `login_failures` table held one row per failure and key (two per attempt, unbounded while
an attack lasted). `login_throttle` holds one row per (account, address) pair and one per address with a
counter and the time until which attempts are refused. Its counters start afresh, so nobody is throttled
right after the upgrade. The audit log gains `repeats` and `last_at`: failed logins of one pair within
an hour are one row with a count.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("scope", sa.String(8), primary_key=True),
        sa.Column("account", sa.String(254), primary_key=True),
        sa.Column("address", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_login_throttle_last_failed_at", "login_throttle", ["last_failed_at"])
    op.drop_table("login_failures")
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("repeats", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("last_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("last_at")
        batch.drop_column("repeats")
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_login_failures_key_at", "login_failures", ["key", "failed_at"])
    op.drop_table("login_throttle")
