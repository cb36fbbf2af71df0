"""Embedded index: let FTS5 collect a whole import batch in memory before writing a segment.

FTS5 writes its pending terms as a new on-disk segment whenever they pass `hashsize` (1 MB by default)
and at every commit, and merges segments again and again as they pile up. With 1 MB a batch of 5,000
postings became ~15 small segments; with 32 MB it becomes one, and bulk indexing costs ~45 % less
(bench/search.py). The memory is only held during a write transaction. The setting is stored in the
table's own config (search_fts_config), so every connection uses it.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

HASH_BYTES = 32 * 1024 * 1024


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', {HASH_BYTES})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM search_fts_config WHERE k = 'hashsize'")
