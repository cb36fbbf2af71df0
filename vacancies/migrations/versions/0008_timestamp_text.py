"""Store: one text form for the timestamp columns.

Bulk inserts of revision 0006's code passed datetimes straight to the sqlite3 driver, whose adapter
writes "2026-11-28 07:34:22.401264+00:00", while SQLAlchemy's statements write
"2026-11-28 07:34:22.401264" (always UTC). Mixed forms read back as a mix of aware and naive datetimes
and compare wrongly as text, so the suffix is removed from rows written that way.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = ("first_seen", "last_seen", "updated_at")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for column in COLUMNS:
        op.execute(
            f"UPDATE vacancies SET {column} = substr({column}, 1, length({column}) - 6) "
            f"WHERE {column} LIKE '%+00:00'"
        )


def downgrade() -> None:
    pass  # the plain form is what every release reads
