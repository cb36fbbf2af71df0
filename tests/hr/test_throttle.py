"""Login throttling that cannot be turned against users (issue 13): delays per (account, address) pair,
a spraying guard per address that spares known browsers, bounded rows, summarised audit entries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select

from tests.hr.conftest import EMAILS, PASSWORD, login
from tests.support import engine_at_revision
from vacancies.accounts import Accounts
from vacancies.schema import audit_log_table, login_throttle_table
from vacancies.store import migrate

WRONG = "falsches-passwort-123"
ATTACKER, OWNER, OFFICE = "203.0.113.66", "198.51.100.7", "192.0.2.10"


class PinnedClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def pinned(portal):
    """The portal's accounts with a clock that only moves when told (exact waits)."""
    clock = PinnedClock()
    return Accounts(portal.board.store.engine, clock=clock), clock


@pytest.fixture
def still(portal) -> PinnedClock:
    """The whole portal on a clock that only moves when told: no wait runs out while a test works."""
    clock = PinnedClock()
    portal.hr.clock = clock
    return clock


def failures(client: TestClient, clock: PinnedClock, email: str, count: int) -> None:
    """`count` counted failures of a pair: waiting out every delay, as a patient attacker would."""
    while count:
        response = login(client, email, WRONG)
        if response.status_code == 429:
            clock.advance(seconds=int(response.headers["retry-after"]))
        else:
            assert response.status_code == 400
            count -= 1


def from_address(portal, address: str) -> TestClient:
    return TestClient(portal.app, follow_redirects=False, client=(address, 50000))


def _rows(portal, table) -> int:
    with portal.board.store.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def _error_of(html: str) -> str:
    return re.search(r'<p class="error-text"[^>]*>([^<]*)</p>', html).group(1)


def _throttle_row(portal, account: str, address: str):
    t = login_throttle_table.c
    with portal.board.store.engine.connect() as conn:
        query = select(login_throttle_table).where(
            t.scope == "pair", t.account == account, t.address == address
        )
        return conn.execute(query).first()


# -- the pair, not the account -------------------------------------------------------------------------------


def test_attackers_failures_do_not_hold_up_the_owner_at_another_address(portal, still):
    attacker = from_address(portal, ATTACKER)
    for _ in range(8):
        login(attacker, EMAILS["own"], WRONG)
    assert login(attacker, EMAILS["own"], PASSWORD).status_code == 429  # the attacker waits
    assert login(from_address(portal, OWNER), EMAILS["own"], PASSWORD).status_code == 303


def test_waits_grow_from_the_fifth_failure_and_are_capped_at_15_minutes(pinned):
    accounts, clock = pinned
    for _ in range(4):
        assert accounts.authenticate(EMAILS["own"], WRONG, ATTACKER).message.endswith("ist falsch.")
    waits = []
    for _ in range(13):
        assert not accounts.authenticate(EMAILS["own"], WRONG, ATTACKER).throttled
        refused = accounts.authenticate(EMAILS["own"], PASSWORD, ATTACKER)
        assert refused.throttled and refused.user is None
        waits.append(refused.retry_after)
        clock.advance(seconds=refused.retry_after)
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
    assert refused.message == "Zu viele Fehlversuche. Bitte in 15 Minuten erneut versuchen."


def test_attempts_while_waiting_are_refused_unchecked_and_do_not_extend_the_wait(portal, pinned):
    accounts, clock = pinned
    for _ in range(15):  # up to the longest wait
        accounts.authenticate(EMAILS["own"], WRONG, ATTACKER)
        clock.advance(seconds=accounts.authenticate(EMAILS["own"], WRONG, ATTACKER).retry_after)
    accounts.authenticate(EMAILS["own"], WRONG, ATTACKER)
    before = _throttle_row(portal, EMAILS["own"], ATTACKER)
    for second in range(0, 899, 10):  # hammering for 15 minutes, right password included
        refused = accounts.authenticate(EMAILS["own"], PASSWORD if second % 20 else WRONG, ATTACKER)
        assert refused.throttled and refused.retry_after == 900 - second
        clock.advance(seconds=10)
    assert _throttle_row(portal, EMAILS["own"], ATTACKER) == before  # nothing counted, nothing extended
    clock.advance(seconds=10)
    assert accounts.authenticate(EMAILS["own"], PASSWORD, ATTACKER).user is not None


def test_success_clears_only_its_own_pair(portal, pinned):
    accounts, _ = pinned
    for address in (ATTACKER, OWNER):
        for _ in range(4):
            accounts.authenticate(EMAILS["own"], WRONG, address)
    assert accounts.authenticate(EMAILS["own"], PASSWORD, OWNER).user is not None
    assert _throttle_row(portal, EMAILS["own"], OWNER) is None
    assert _throttle_row(portal, EMAILS["own"], ATTACKER).failures == 4
    assert accounts.authenticate(EMAILS["own"], WRONG, ATTACKER).retry_after == 0  # 5th: answered
    assert accounts.authenticate(EMAILS["own"], PASSWORD, ATTACKER).throttled  # the attacker still waits


def test_a_quiet_hour_starts_a_pair_afresh(pinned):
    accounts, clock = pinned
    for _ in range(9):
        accounts.authenticate(EMAILS["own"], WRONG, ATTACKER)
        clock.advance(minutes=1)
    clock.advance(minutes=61)
    for _ in range(4):
        assert not accounts.authenticate(EMAILS["own"], WRONG, ATTACKER).throttled
    assert accounts.authenticate(EMAILS["own"], PASSWORD, ATTACKER).user is not None


# -- the address guard ---------------------------------------------------------------------------------------


def test_one_user_mistyping_does_not_slow_down_colleagues_at_the_same_address(portal, still):
    failures(from_address(portal, OFFICE), still, EMAILS["own"], 25)
    colleague = from_address(portal, OFFICE)  # a new browser, no device cookie
    assert login(colleague, EMAILS["other"], PASSWORD).status_code == 303


def test_spraying_holds_up_an_address_but_not_a_browser_the_account_used_before(portal, still):
    colleague = from_address(portal, OFFICE)
    assert login(colleague, EMAILS["other"], PASSWORD).status_code == 303  # yesterday, say
    sprayer = from_address(portal, OFFICE)  # same office network, another computer
    for number in range(20):
        assert login(sprayer, f"nutzer{number}@lra-miltenberg.de", WRONG).status_code == 400
    assert login(sprayer, "nutzer20@lra-miltenberg.de", WRONG).status_code == 429
    assert login(colleague, EMAILS["other"], PASSWORD).status_code == 303  # known browser: no wait
    newcomer = from_address(portal, OFFICE)
    refused = login(newcomer, EMAILS["admin"], PASSWORD)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"  # seconds, not a lock-out
    assert login(from_address(portal, OWNER), EMAILS["admin"], PASSWORD).status_code == 303  # elsewhere
    still.advance(seconds=1)
    assert login(newcomer, EMAILS["admin"], PASSWORD).status_code == 303


def test_device_cookie_vouches_only_for_its_own_account(portal, still):
    browser = from_address(portal, OFFICE)
    assert login(browser, EMAILS["other"], PASSWORD).status_code == 303
    for number in range(20):
        login(from_address(portal, OFFICE), f"nutzer{number}@lra-miltenberg.de", WRONG)
    assert login(browser, EMAILS["own"], PASSWORD).status_code == 429  # a different account: guarded
    forged = from_address(portal, OFFICE)
    forged.cookies.set("stb_geraet", browser.cookies.get("stb_geraet").split(".")[0] + ".00ff")
    assert login(forged, EMAILS["other"], PASSWORD).status_code == 429


def test_unknown_email_is_throttled_exactly_like_a_known_one(portal, still):
    answers = {}
    for email in (EMAILS["own"], "niemand@lra-miltenberg.de"):
        client = from_address(portal, ATTACKER)
        responses = [login(client, email, WRONG) for _ in range(7)]
        answers[email] = [(r.status_code, r.headers.get("retry-after"), _error_of(r.text)) for r in responses]
    known, unknown = answers.values()
    assert known == unknown and [status for status, _, _ in known] == [400] * 5 + [429] * 2


# -- bounded rows and a readable audit log ------------------------------------------------------------------


def test_failed_logins_are_summarised_in_one_audit_row_per_pair_and_hour(portal, still):
    attacker = from_address(portal, ATTACKER)
    failures(attacker, still, EMAILS["own"], 12)
    login(from_address(portal, OWNER), EMAILS["own"], WRONG)
    failed = [e for e in portal.hr.audit.entries() if e.action == "login_failed"]
    by_address = {e.detail: e for e in failed}
    assert len(failed) == 2 and set(by_address) == {ATTACKER, OWNER}
    assert by_address[ATTACKER].repeats == 12 and by_address[OWNER].repeats == 1
    assert by_address[ATTACKER].label.startswith("Anmeldung fehlgeschlagen, 12-mal bis ")
    assert by_address[OWNER].label == "Anmeldung fehlgeschlagen"
    still.advance(minutes=61)
    failures(attacker, still, EMAILS["own"], 1)
    assert len([e for e in portal.hr.audit.entries() if e.action == "login_failed"]) == 3  # a new hour


def test_300_login_posts_write_a_bounded_number_of_rows(portal, still):
    attacker = from_address(portal, ATTACKER)
    statuses = [login(attacker, EMAILS["own"], WRONG).status_code for _ in range(300)]
    assert statuses.count(400) == 5 and statuses.count(429) == 295  # the rest refused unchecked
    assert _rows(portal, login_throttle_table) == 2  # the pair and the address
    assert _rows(portal, audit_log_table) == 1


def test_rows_of_quiet_pairs_are_pruned(portal, pinned):
    accounts, clock = pinned
    for number in range(10):
        accounts.authenticate(f"nutzer{number}@lra-miltenberg.de", WRONG, ATTACKER)
    assert _rows(portal, login_throttle_table) == 11
    clock.advance(minutes=61)
    accounts.authenticate(EMAILS["own"], WRONG, OWNER)
    assert _rows(portal, login_throttle_table) == 2


def test_migration_0010_replaces_login_failures_and_adds_audit_counts(tmp_path):
    engine = engine_at_revision(tmp_path / "alt.db", "0009")
    assert "login_failures" in inspect(engine).get_table_names()
    migrate(engine)
    inspector = inspect(engine)
    assert (
        "login_throttle" in inspector.get_table_names()
        and "login_failures" not in inspector.get_table_names()
    )
    assert {"repeats", "last_at"} <= {c["name"] for c in inspector.get_columns("audit_log")}
