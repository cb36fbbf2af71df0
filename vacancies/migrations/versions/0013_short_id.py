"""Readable posting addresses (/stellen/<title>-<short id>): the short id of every posting, indexed.

Existing rows get theirs computed from their id (vacancies.addresses.short_id), so old links keep
finding their posting and new ones work at once.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

from vacancies.addresses import short_id

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vacancies") as batch:
        batch.add_column(sa.Column("short_id", sa.String(16)))
    op.create_index("ix_vacancies_short_id", "vacancies", ["short_id"])
    conn = op.get_bind()
    ids = conn.execute(sa.text("SELECT id FROM vacancies")).scalars().all()
    update = sa.text("UPDATE vacancies SET short_id = :short WHERE id = :id")
    for start in range(0, len(ids), 1000):
        conn.execute(update, [{"id": i, "short": short_id(i)} for i in ids[start : start + 1000]])


def downgrade() -> None:
    op.drop_index("ix_vacancies_short_id", "vacancies")
    with op.batch_alter_table("vacancies") as batch:
        batch.drop_column("short_id")
