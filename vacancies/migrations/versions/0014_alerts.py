"""Suchaufträge (job alerts by e-mail, issue 18): the alerts and the mail outbox.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("email_key", sa.String(254), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("query_key", sa.String(64), nullable=False),
        sa.Column("frequency", sa.String(8), nullable=False),
        sa.Column("nonce", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
        sa.Column("last_sent_at", sa.DateTime(timezone=True)),
        sa.Column("watermark", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("email_key", "query_key", name="uq_alerts_email_query"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_alerts_email_key", "alerts", ["email_key"])
    op.create_index("ix_alerts_created_at", "alerts", ["created_at"])
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("idempotency_key", sa.String(120), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("alert_id", sa.Integer),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("email_key", sa.String(254), nullable=False),
        sa.Column("client_address", sa.String(64)),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("gave_up_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_mail_outbox_alert_id", "mail_outbox", ["alert_id"])
    op.create_index("ix_mail_outbox_due", "mail_outbox", ["sent_at", "gave_up_at", "next_attempt_at"])
    op.create_index("ix_mail_outbox_email_created", "mail_outbox", ["email_key", "created_at"])
    op.create_index("ix_mail_outbox_client_created", "mail_outbox", ["client_address", "created_at"])


def downgrade() -> None:
    op.drop_table("mail_outbox")
    op.drop_table("alerts")
