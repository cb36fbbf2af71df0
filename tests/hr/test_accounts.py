"""Accounts: password policy, Argon2id hashes, rehash on login, operator commands."""

from __future__ import annotations

import io

import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import select, update

from cli.main import main
from tests.hr.conftest import DISTRICT_A, EMAILS, PASSWORD
from vacancies.accounts import AccountError, Accounts, common_passwords, password_problems
from vacancies.schema import users_table


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kurz", "mindestens 12 Zeichen"),
        ("elf-Zeichen", "mindestens 12 Zeichen"),
        ("hallo12345678", "zu verbreitet"),
        ("Sommer2024!!", "zu verbreitet"),
        ("PASSWORT123456", "zu verbreitet"),  # compared case-insensitively
        ("qwertz123456", "zu verbreitet"),
    ],
)
def test_password_policy_refuses_short_and_common_passwords(password, message):
    problems = password_problems(password)
    assert problems and any(message in p for p in problems)


def test_password_policy_accepts_a_long_uncommon_password():
    assert password_problems("Fahrrad-Glocke-im-Nebel-17") == []


def test_password_must_not_be_the_email():
    assert password_problems("sachbearbeitung@lra.de", "sachbearbeitung@lra.de")


def test_common_password_list_is_substantial():
    words = common_passwords()
    assert len(words) > 3000 and {"passwort123", "hallo12345678", "sommer2024!!"} <= words


def test_hash_is_argon2id_with_owasp_parameters(portal):
    with portal.board.store.engine.connect() as conn:
        stored = conn.scalar(select(users_table.c.password_hash).where(users_table.c.email == EMAILS["own"]))
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in stored


def test_hash_is_upgraded_at_login_when_parameters_change(portal):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID).hash(PASSWORD)
    with portal.board.store.engine.begin() as conn:
        conn.execute(
            update(users_table).where(users_table.c.email == EMAILS["own"]).values(password_hash=weak)
        )
    assert portal.hr.accounts.authenticate(EMAILS["own"], PASSWORD, "1.2.3.4").user is not None
    with portal.board.store.engine.connect() as conn:
        stored = conn.scalar(select(users_table.c.password_hash).where(users_table.c.email == EMAILS["own"]))
    assert stored != weak and stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_add_user_refuses_unknown_district_and_duplicates(portal):
    accounts: Accounts = portal.hr.accounts
    with pytest.raises(AccountError, match="Unbekannter Landkreis"):
        accounts.add_user("neu@lra.de", "Fahrrad-Glocke-im-Nebel", "hr", "atlantis")
    with pytest.raises(AccountError, match="schon ein Konto"):
        accounts.add_user(EMAILS["own"].upper(), "Fahrrad-Glocke-im-Nebel", "hr", DISTRICT_A)


# -- the operator commands -----------------------------------------------------------------------------------


@pytest.fixture
def cli_db(portal, monkeypatch):
    from vacancies.settings import get_settings

    monkeypatch.setenv("STELLEN_DATABASE_URL", portal.app.state.settings.database_url)
    get_settings.cache_clear()
    yield portal
    get_settings.cache_clear()


def _run(monkeypatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_cli_users_add_with_password_from_stdin_and_policy(cli_db, monkeypatch, capsys):
    args = ["users", "add", "--district", DISTRICT_A, "--email", "a@lra.de", "--password-stdin"]
    assert _run(monkeypatch, args, "passwort123\n") == 1
    assert "mindestens 12 Zeichen" in capsys.readouterr().err
    assert _run(monkeypatch, args, "Fahrrad-Glocke-im-Nebel\n") == 0
    assert (
        cli_db.hr.accounts.authenticate("a@lra.de", "Fahrrad-Glocke-im-Nebel", "x").user.district
        == DISTRICT_A
    )


def test_cli_users_add_generate_prints_the_password_once(cli_db, monkeypatch, capsys):
    assert _run(monkeypatch, ["users", "add", "--admin", "--email", "it@ring.de", "--generate"]) == 0
    password = capsys.readouterr().out.split("angezeigt): ")[1].split()[0]
    assert len(password) >= 20
    assert cli_db.hr.accounts.authenticate("it@ring.de", password, "x").user.is_admin


def test_cli_interactive_asks_twice(cli_db, monkeypatch, capsys):
    answers = iter(["Fahrrad-Glocke-im-Nebel", "Fahrrad-Glocke-im-Nebe"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    tty = type("Tty", (), {"isatty": staticmethod(lambda: True)})()
    monkeypatch.setattr("cli.hr_commands.sys.stdin", tty)
    assert main(["users", "add", "--district", DISTRICT_A, "--email", "b@lra.de"]) == 2
    assert "stimmen nicht überein" in capsys.readouterr().err


def test_cli_reset_password_and_disable(cli_db, monkeypatch, capsys):
    client = cli_db.client("own")
    assert _run(monkeypatch, ["users", "reset-password", "--email", EMAILS["own"], "--password-stdin"],
                "Neues-Fahrrad-im-Nebel\n") == 0  # fmt: skip
    assert client.get("/hr/").status_code == 303  # every session ended
    assert cli_db.hr.accounts.authenticate(EMAILS["own"], "Neues-Fahrrad-im-Nebel", "x").user
    assert _run(monkeypatch, ["users", "disable", "--email", EMAILS["own"]]) == 0
    assert cli_db.hr.accounts.authenticate(EMAILS["own"], "Neues-Fahrrad-im-Nebel", "y").user is None
    assert _run(monkeypatch, ["users", "list"]) == 0
    assert f"{EMAILS['own']}\thr\t{DISTRICT_A} (gesperrt)" in capsys.readouterr().out


def test_cli_tokens_create_list_revoke(cli_db, monkeypatch, capsys):
    assert (
        _run(monkeypatch, ["tokens", "create", "--district", DISTRICT_A, "--name", "Bewerbermanagement"]) == 0
    )
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert secret.startswith("stb_")
    client = cli_db.client()
    assert (
        client.get("/api/v1/hr/vacancies", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    )
    assert _run(monkeypatch, ["tokens", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Bewerbermanagement" in listing and secret not in listing  # never shown again
    token_id = listing.split("\t")[0]
    assert _run(monkeypatch, ["tokens", "revoke", "--id", token_id]) == 0
    assert (
        client.get("/api/v1/hr/vacancies", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )


def _throttle_own_account(portal, address: str = "198.51.100.7") -> None:
    """Enough wrong passwords from `address` that the next attempt of that pair has to wait."""
    for _ in range(5):
        assert portal.hr.accounts.authenticate(EMAILS["own"], "falsches-passwort-123", address).user is None
    assert portal.hr.accounts.authenticate(EMAILS["own"], PASSWORD, address).throttled


def test_cli_users_unlock_clears_the_throttle(cli_db, monkeypatch, capsys):
    _throttle_own_account(cli_db)
    assert _run(monkeypatch, ["users", "unlock", "--email", EMAILS["own"].upper()]) == 0
    assert "Anmelde-Drosselung aufgehoben" in capsys.readouterr().out
    assert cli_db.hr.accounts.authenticate(EMAILS["own"], PASSWORD, "198.51.100.7").user is not None


def test_cli_users_unlock_of_an_unknown_account_is_an_error(cli_db, monkeypatch, capsys):
    assert _run(monkeypatch, ["users", "unlock", "--email", "niemand@lra.de"]) == 1
    assert "Kein Konto für niemand@lra.de." in capsys.readouterr().err


def test_cli_reset_password_clears_the_throttle(cli_db, monkeypatch, capsys):
    _throttle_own_account(cli_db)
    args = ["users", "reset-password", "--email", EMAILS["own"], "--password-stdin"]
    assert _run(monkeypatch, args, "Neues-Fahrrad-im-Nebel\n") == 0
    assert "Anmelde-Drosselung aufgehoben" in capsys.readouterr().out
    assert cli_db.hr.accounts.authenticate(EMAILS["own"], "Neues-Fahrrad-im-Nebel", "198.51.100.7").user
