"""Tables of the store of record (SQLAlchemy Core). Alembic migrations in vacancies/migrations own the DDL."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

vacancies_table = Table(
    "vacancies",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("origin", String(16), nullable=False),
    Column("source", String(200), index=True),
    Column("district", String(80), nullable=False, index=True),
    Column("state", String(16), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("source_url", Text),
    Column("date_posted", Date),
    Column("deadline", Date),
    Column("content_hash", String(64), nullable=False),
    Column("data", Text, nullable=False),  # the whole record as JSON (the model validates it on read)
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("hidden", Boolean, nullable=False, server_default="0"),
)

# Writes the Elasticsearch index has not confirmed yet; drained after every write and by `reindex`.
index_outbox_table = Table(
    "index_outbox",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("vacancy_id", String(200), nullable=False, index=True),
    Column("queued_at", DateTime(timezone=True), nullable=False),
)

crawl_runs_table = Table(
    "crawl_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False),
    Column("district", String(80), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),  # running | success | failed
    Column("flag", Text),  # why a run failed or looked suspicious (German, for operators)
    Column("pages", Integer, nullable=False, server_default="0"),
    Column("found", Integer, nullable=False, server_default="0"),
    Column("new", Integer, nullable=False, server_default="0"),
    Column("changed", Integer, nullable=False, server_default="0"),
    Column("unchanged", Integer, nullable=False, server_default="0"),
    Column("expired", Integer, nullable=False, server_default="0"),
    Column("dropped", Integer, nullable=False, server_default="0"),
    Column("drop_reasons", Text, nullable=False, server_default="{}"),  # JSON {reason: count}
    Column("errors", Text, nullable=False, server_default="[]"),  # JSON [[url, reason], ...]
)
