"""HR writes are one unit of work; login and token auditing lives in the accounts domain (issue 17, item 6).

A real SQLite trigger fails the write AFTER its audit entry is inserted, i.e. after the posting row, the
HR extras row, the index rows (FTS5) or outbox entries (Elasticsearch) and the audit entry were written
in the transaction: nothing of the write may remain in any table, and no uploaded file either.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from cli.main import main
from tests.hr.conftest import (
    DISTRICT_A,
    EMAILS,
    PASSWORD,
    build_portal,
    crawled,
    csrf_of,
    login,
    vacancy_body,
)
from tests.hr.pdfs import valid_pdf
from vacancies.accounts import Accounts
from vacancies.model import State

BACKENDS = ["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)]


def _portal(tmp_path: Path, backend: str, request: pytest.FixtureRequest):
    if backend == "sqlite":
        return build_portal(tmp_path)
    es_url = request.getfixturevalue("es_url")
    portal = build_portal(tmp_path, "elasticsearch", es_url)
    request.addfinalizer(lambda: _drop_indices(es_url, portal.board.backend.alias))
    return portal


def _drop_indices(es_url: str, alias: str) -> None:
    import httpx2

    httpx2.delete(f"{es_url}/{alias}*", params={"expand_wildcards": "all"}, timeout=30)


def _snapshot(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table (the FTS5 shadow tables, the outbox, audit log, HR extras included)."""
    with engine.connect() as conn:
        names = conn.scalars(
            text("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        ).all()
        return {name: sorted(map(repr, conn.exec_driver_sql(f'SELECT * FROM "{name}"'))) for name in names}


def _fail_after_audit(engine: Engine) -> None:
    """The last step of every HR write is its audit entry: failing right after it is a crash at the end."""
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER crash_after_audit AFTER INSERT ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'Absturz nach dem Protokolleintrag'); END"
        )


def _draft(portal) -> str:
    return portal.hr.postings.create(portal.hr.postings.parse(vacancy_body()), DISTRICT_A, "t").id


def _published(portal) -> str:
    vacancy_id = _draft(portal)
    portal.hr.postings.publish(vacancy_id, DISTRICT_A, "t")
    return vacancy_id


def _with_pdf(portal) -> str:
    vacancy_id = _published(portal)
    portal.hr.postings.attach_pdf(vacancy_id, "alt.pdf", valid_pdf(), DISTRICT_A, "t")
    return vacancy_id


def _crawled(portal) -> str:
    portal.board.save([crawled("mil-web:7", DISTRICT_A, "Förster (m/w/d)")])
    return "mil-web:7"


def _nothing(portal) -> str:
    return "hr-miltenberg-neu-1"


def _changed_body(portal):
    return portal.hr.postings.parse(vacancy_body(title="Sachbearbeiter (m/w/d) Kreiskasse"))


# (setup returning a posting id, the write under test)
WRITES = {
    "create": (_nothing, lambda p, v: p.hr.postings.create(_changed_body(p), DISTRICT_A, "t", "neu-1")),
    "update": (_published, lambda p, v: p.hr.postings.update(v, _changed_body(p), DISTRICT_A, "t")),
    "publish": (_draft, lambda p, v: p.hr.postings.publish(v, DISTRICT_A, "t")),
    "schedule": (
        _published,
        lambda p, v: p.hr.postings.schedule(v, p.clock() + timedelta(days=3), DISTRICT_A, "t"),
    ),
    "unpublish": (
        _published,
        lambda p, v: p.hr.postings.set_state(v, State.draft, DISTRICT_A, "t", "unpublish"),
    ),
    "withdraw": (
        _published,
        lambda p, v: p.hr.postings.set_state(v, State.withdrawn, DISTRICT_A, "t", "withdraw"),
    ),
    "hide": (_crawled, lambda p, v: p.hr.postings.set_hidden(v, True, DISTRICT_A, "t")),
    "attach": (
        _with_pdf,
        lambda p, v: p.hr.postings.attach_pdf(v, "neu.pdf", valid_pdf(), DISTRICT_A, "t"),
    ),
    "detach": (_with_pdf, lambda p, v: p.hr.postings.detach_pdf(v, DISTRICT_A, "t")),
    "api put, new and published": (
        _nothing,
        lambda p, v: p.hr.postings.put(
            v, p.hr.postings.parse(vacancy_body(state="published")), DISTRICT_A, "t"
        ),
    ),
    "api put, changed and published": (
        _draft,
        lambda p, v: p.hr.postings.put(
            v, p.hr.postings.parse(vacancy_body(title="Neu (m/w/d)", state="published")), DISTRICT_A, "t"
        ),
    ),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("write", list(WRITES))
def test_a_crash_after_the_audit_entry_leaves_nothing_of_the_write(tmp_path, request, backend, write):
    portal = _portal(tmp_path, backend, request)
    setup, act = WRITES[write]
    vacancy_id = setup(portal)
    portal.board.make_visible()  # the outbox of the setup drained: what remains would be this write's
    engine = portal.board.store.engine
    uploads = Path(portal.hr.postings.uploads_dir)
    before, files = _snapshot(engine), sorted(uploads.glob("*")) if uploads.exists() else []
    _fail_after_audit(engine)
    with pytest.raises(DBAPIError, match="Absturz nach dem Protokolleintrag"):
        act(portal, vacancy_id)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER crash_after_audit")
    assert _snapshot(engine) == before  # posting, HR extras, audit entry, index rows, outbox: all gone
    assert (sorted(uploads.glob("*")) if uploads.exists() else []) == files  # no stray PDF either


def test_every_hr_write_is_tried_here():
    """A new HR write action without a crash case here fails (the audit labels list every action)."""
    from vacancies.audit import ACTION_LABELS

    tried = {name.split(",")[0].replace("api put", "create") for name in WRITES}
    account_actions = {"token_create", "token_revoke", "login", "login_failed", "logout"}
    automatic = {"expire", "unhide"}  # expire: promote_due (one transaction per posting); unhide = hide
    assert set(ACTION_LABELS) - account_actions - automatic == tried


# -- login, logout and token auditing inside the accounts domain -------------------------------------------


def _actions(portal) -> list[tuple[str, str]]:
    return [(e.action, e.actor) for e in reversed(portal.hr.audit.entries())]


def test_the_accounts_domain_audits_logins_logouts_and_tokens_by_itself(portal):
    accounts = Accounts(portal.board.store.engine)  # no portal, API or CLI around it
    user = accounts.authenticate(EMAILS["own"], PASSWORD, "192.0.2.1").user
    assert accounts.authenticate(EMAILS["own"], "falsch-falsch-falsch", "192.0.2.1").user is None
    session_id, _ = accounts.start_session(user, "192.0.2.1")
    token, _ = accounts.create_token(DISTRICT_A, "ATS", "cli")
    accounts.revoke_token(token.id, actor="cli")
    assert accounts.logout(session_id) == user
    assert accounts.logout(session_id) is None  # gone already: nothing more to log
    assert _actions(portal) == [
        ("login_failed", f"login:{EMAILS['own']}"),
        ("login", user.actor),
        ("token_create", "cli"),
        ("token_revoke", "cli"),
        ("logout", user.actor),
    ]
    assert portal.hr.audit.entries()[2].detail == f"{token.id} ATS"


def test_an_expired_session_ends_without_a_logout_entry(portal):
    accounts = portal.hr.accounts
    session_id, _ = accounts.start_session(accounts.user_by_email(EMAILS["own"]), "x")
    portal.clock.advance(hours=9)
    assert accounts.load_session(session_id) is None
    assert [action for action, _ in _actions(portal)] == ["login"]


@pytest.mark.parametrize(
    ("action", "step"),
    [
        ("login", lambda a, u, s: a.start_session(u, "x")),
        ("logout", lambda a, u, s: a.logout(s)),
        ("token_create", lambda a, u, s: a.create_token(DISTRICT_A, "ATS", "t")),
        ("token_revoke", lambda a, u, s: a.revoke_token(1, actor="t")),
    ],
)
def test_an_account_write_and_its_audit_entry_commit_together(portal, action, step):
    accounts = portal.hr.accounts
    user = accounts.user_by_email(EMAILS["own"])
    session_id, _ = accounts.start_session(user, "x")
    accounts.create_token(DISTRICT_A, "vorhanden", "t")  # token 1, for the revocation
    engine = portal.board.store.engine
    before = _snapshot(engine)
    _fail_after_audit(engine)
    with pytest.raises(DBAPIError, match="Absturz"):
        step(accounts, user, session_id)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER crash_after_audit")
    assert _snapshot(engine) == before, action  # no session or token change without its audit entry


def test_portal_and_cli_leave_auditing_to_the_accounts_domain(portal, monkeypatch, capsys):
    from vacancies.settings import get_settings

    client = portal.client()
    assert login(client, EMAILS["own"], "falsch-falsch-falsch").status_code == 400
    assert login(client, EMAILS["own"], PASSWORD).status_code == 303
    csrf = csrf_of(client.get("/hr/zugaenge").text)
    assert client.post("/hr/zugaenge", data={"csrf_token": csrf, "name": "ATS"}).status_code == 200
    token_id = portal.hr.accounts.list_tokens(DISTRICT_A)[0].id
    revoke = client.post(f"/hr/zugaenge/{token_id}/widerrufen", data={"csrf_token": csrf})
    assert revoke.status_code == 303
    assert client.post("/hr/abmelden", data={"csrf_token": csrf}).status_code == 303
    monkeypatch.setenv("STELLEN_DATABASE_URL", portal.app.state.settings.database_url)
    get_settings.cache_clear()
    try:
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
        assert main(["tokens", "create", "--district", DISTRICT_A, "--name", "Kommandozeile"]) == 0
        cli_token = portal.hr.accounts.list_tokens(DISTRICT_A)[1].id
        assert main(["tokens", "revoke", "--id", str(cli_token)]) == 0
    finally:
        get_settings.cache_clear()
    actor = f"user:{EMAILS['own']}"
    assert _actions(portal) == [  # each exactly once: the callers add nothing of their own
        ("login_failed", f"login:{EMAILS['own']}"),
        ("login", actor),
        ("token_create", actor),
        ("token_revoke", actor),
        ("logout", actor),
        ("token_create", "cli"),
        ("token_revoke", "cli"),
    ]
