"""Tables of the store of record (SQLAlchemy Core). Alembic migrations in vacancies/migrations own the DDL."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
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
    # the page address /stellen/<title>-<short id> (vacancies.addresses; migration 0013)
    Column("short_id", String(16), index=True),
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
    # Who runs a "running" row (migration 0009): a row whose process is gone no longer blocks its source.
    Column("host", String(255)),
    Column("pid", Integer),
    Column("pid_started", String(32)),  # the process's start time: a reused pid is another process
    Column("heartbeat_at", DateTime(timezone=True)),  # renewed while it runs (vacancies.runs.HEARTBEAT)
)

# -- HR portal (migration 0004): accounts, sessions, login throttling, API tokens, audit, HR extras ----

users_table = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(254), nullable=False, unique=True),  # stored lower-cased
    Column("role", String(16), nullable=False),  # hr | admin
    Column("district", String(80)),  # the one district of an hr user; NULL for admin
    Column("password_hash", Text, nullable=False),  # Argon2id PHC string
    Column("disabled", Boolean, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("password_changed_at", DateTime(timezone=True), nullable=False),
)

# Server-side sessions. Only the SHA-256 of the cookie value is stored: a copy of the database does not
# let anyone take over a session.
sessions_table = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("client", String(64)),
)

# Login throttling (migration 0010): one row per (account, client address) pair and one per address
# (account "", scope "address"), so the table grows with the pairs, never with the attempts.
login_throttle_table = Table(
    "login_throttle",
    metadata,
    Column("scope", String(8), primary_key=True),  # "pair" | "address"
    Column("account", String(254), primary_key=True),  # the e-mail as typed (normalised); "" for address
    Column("address", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),  # since the last quiet hour (accounts.FORGET_AFTER)
    Column("last_failed_at", DateTime(timezone=True), nullable=False),
    Column("blocked_until", DateTime(timezone=True)),  # attempts before this are refused unchecked
    Index("ix_login_throttle_last_failed_at", "last_failed_at"),  # pruning of forgotten rows
)

api_tokens_table = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("district", String(80), nullable=False),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 hex of the secret
    Column("prefix", String(16), nullable=False),  # first characters, to recognise a token in lists
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(300), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
)

audit_log_table = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", String(300), nullable=False),  # "user:<email>", "token:<id> <name>", "system", "cli"
    Column("district", String(80), index=True),
    Column("action", String(40), nullable=False),
    Column("vacancy_id", String(200), index=True),
    Column("fields", Text, nullable=False, server_default="[]"),  # JSON list of changed field names
    Column("detail", Text),
    # Repeated events (failed logins) are summarised in one row per window (migration 0010)
    Column("repeats", Integer, nullable=False, server_default="1"),
    Column("last_at", DateTime(timezone=True)),
)

# What an HR posting needs beyond the vacancy record: a scheduled publication time, the uploaded PDF.
hr_postings_table = Table(
    "hr_postings",
    metadata,
    Column("vacancy_id", String(200), primary_key=True),
    Column("district", String(80), nullable=False, index=True),
    Column("publish_at", DateTime(timezone=True), index=True),
    Column("attachment_id", String(64), unique=True),  # random, also the public file name
    Column("attachment_name", String(200)),  # the uploader's file name, for Content-Disposition
    Column("attachment_size", Integer),
    Column("created_by", String(300), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Suchaufträge (issue 18, migration 0014). An alert is a saved search of one address; `watermark` is the
# moment after which a posting's first_seen makes it new for the alert (its confirmation, then each
# digest). `nonce` is random per alert: the manage and unsubscribe links carry it and die with it.
alerts_table = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(254), nullable=False),  # as given (normalised domain)
    Column("email_key", String(254), nullable=False, index=True),  # lower-cased: one address, one key
    Column("params", Text, nullable=False),  # canonical search parameters, JSON {name: [values]}
    Column("query_key", String(64), nullable=False),  # SHA-256 of the canonical parameters
    Column("frequency", String(8), nullable=False),  # daily | weekly
    Column("nonce", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("last_sent_at", DateTime(timezone=True)),
    Column("watermark", DateTime(timezone=True)),
    UniqueConstraint("email_key", "query_key", name="uq_alerts_email_query"),
    sqlite_autoincrement=True,  # ids are never reused: an old link can never reach a newer alert
)

# Every alert mail goes through this outbox: queued in the transaction that decides it, delivered
# afterwards with retries and backoff. `idempotency_key` is unique ("digest:<alert>:<Berlin date>",
# "confirm:<alert>:<created>"), so a run killed midway and started again queues nothing twice; a row
# is claimed (`claimed_at`) before its SMTP transaction and marked `sent_at` after it.
mail_outbox_table = Table(
    "mail_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(120), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # confirm | digest
    Column("alert_id", Integer, index=True),
    Column("recipient", String(254), nullable=False),
    Column("email_key", String(254), nullable=False),  # rate limit per address
    Column("client_address", String(64)),  # rate limit per client address (confirmation mails)
    # JSON: a digest's posting ids and count (rendered when sent), a confirmation's parts; emptied once sent
    Column("message", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("claimed_at", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("gave_up_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Index("ix_mail_outbox_due", "sent_at", "gave_up_at", "next_attempt_at"),
    Index("ix_mail_outbox_email_created", "email_key", "created_at"),
    Index("ix_mail_outbox_client_created", "client_address", "created_at"),
)

# -- Operator alerts (issue 19, migration 0017): incidents of broken sources, one mail when each opens
# and one when it closes (vacancies.operator_alerts).

operator_incidents_table = Table(
    "operator_incidents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False),
    Column("district", String(80), nullable=False),
    Column("kind", String(16), nullable=False),  # failing | few | refused (what opened it)
    Column("reason", Text, nullable=False),  # German, as mailed
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("opened_run_id", Integer, nullable=False),
    Column("last_bad_run_id", Integer, nullable=False),  # the latest run that still showed the problem
    Column("good_runs", Integer, nullable=False, server_default="0"),  # good runs in a row since then
    Column("closed_at", DateTime(timezone=True)),
    Column("closed_run_id", Integer),
    # One open incident per source: a second "open" is the same incident (no second mail).
    Index(
        "uq_operator_incidents_open",
        "source",
        unique=True,
        sqlite_where=text("closed_at IS NULL"),
        postgresql_where=text("closed_at IS NULL"),
    ),
)

# The last crawl run of each source the operator alerts have looked at: each run is judged once.
operator_checks_table = Table(
    "operator_checks",
    metadata,
    Column("source", String(200), primary_key=True),
    Column("run_id", Integer, nullable=False),
)
