"""HR accounts: users and passwords, server-side sessions, login throttling and API tokens.

Security decisions (see also api/hr/__init__.py):
- Passwords: Argon2id with OWASP's minimum profile (m=19 MiB, t=2, p=1); a hash made with other
  parameters is replaced at the next successful login. Policy: at least 12 characters, not in
  config/common-passwords.txt, not the e-mail address.
- Sessions: a random 256-bit id in the cookie; only its SHA-256 is stored, so a database copy does not
  hand out sessions. Idle and absolute expiry are checked on every load.
- Login throttling delays, it never locks (OWASP Authentication Cheat Sheet): failures are counted per
  (account, client address) pair; from the 5th failure of a pair on, that pair waits 1 s, 2 s, 4 s …
  at most 15 minutes before its next attempt. The owner at another address is not affected. Against
  password spraying, an address from which 20 different accounts failed waits the same way, except in
  a browser the account has logged in from before (device cookie, api/hr/auth.py). Attempts while
  waiting are refused without checking the password and without extending the wait. A pair or
  address quiet for an hour starts afresh; a successful login, `users unlock` and `users
  reset-password` clear an account's pairs. An unknown e-mail address is throttled and answered
  exactly like a known one (no account enumeration).
- API tokens are 256-bit random secrets; only their SHA-256 is stored (a fast hash is enough for
  high-entropy secrets, unlike passwords).
- Auditing lives here, not in the callers (portal, API, CLI): a login writes its audit entry in the
  session row's transaction, a logout in the one that deletes it, a token's creation or revocation in
  the token row's; failed logins are counted up in the audit log (AuditLog.record_repeated).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, overload

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine, Row, delete, insert, select, update

from vacancies.audit import AuditLog
from vacancies.districts import by_slug
from vacancies.schema import api_tokens_table as tokens_t
from vacancies.schema import login_throttle_table as throttle_t
from vacancies.schema import sessions_table as sessions_t
from vacancies.schema import users_table as users_t
from vacancies.settings import REPO_ROOT
from vacancies.store import utcnow

ROLE_HR = "hr"
ROLE_ADMIN = "admin"
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # Argon2 copes, but nobody types more; refuses absurd request bodies early
COMMON_PASSWORDS_FILE = REPO_ROOT / "config" / "common-passwords.txt"
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=8)
LAST_SEEN_GRANULARITY = timedelta(seconds=30)  # fewer writes: last_seen moves at most twice a minute

PAIR, ADDRESS = "pair", "address"  # throttle scopes: (account, address) and the address as a whole
# Free failures before the delays begin: of one pair; of different accounts from one address (spraying)
FREE_FAILURES = {PAIR: 5, ADDRESS: 20}
FIRST_DELAY = timedelta(seconds=1)
MAX_DELAY = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)  # a pair or address without failures this long starts afresh
WRONG_CREDENTIALS = "E-Mail-Adresse oder Passwort ist falsch."
TOKEN_PREFIX = "stb_"

# OWASP Password Storage Cheat Sheet, Argon2id minimum: m=19 MiB, t=2, p=1.
HASHER = PasswordHasher(
    time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)
# Verified when the e-mail address is unknown, so that the answer takes as long as for a known one.
_DUMMY_HASH = HASHER.hash("dummy password for timing")


class AccountError(ValueError):
    """A user-caused problem with an account operation; the message is German and shown as is."""


@dataclass(frozen=True)
class User:
    id: int
    email: str
    role: str
    district: str | None
    disabled: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN

    def may_access(self, district: str) -> bool:
        return self.is_admin or self.district == district

    @property
    def actor(self) -> str:
        return f"user:{self.email}"


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    created_at: datetime
    last_seen: datetime


@dataclass(frozen=True)
class ApiToken:
    id: int
    district: str
    name: str
    prefix: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def actor(self) -> str:
        return f"token:{self.id} {self.name}"


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    throttled: bool = False
    message: str = ""
    retry_after: int = 0  # seconds, when throttled


# -- passwords ---------------------------------------------------------------------------------------------


@functools.cache
def common_passwords(path: str = str(COMMON_PASSWORDS_FILE)) -> frozenset[str]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def password_problems(password: str, email: str = "") -> list[str]:
    """German reasons why a password is refused (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen lang sein.")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"Das Passwort darf höchstens {MAX_PASSWORD_LENGTH} Zeichen lang sein.")
    folded = password.strip().casefold()
    if folded in common_passwords():
        problems.append("Dieses Passwort ist zu verbreitet und leicht zu erraten. Bitte ein anderes wählen.")
    elif email and folded in {email.casefold(), email.split("@")[0].casefold()}:
        problems.append("Das Passwort darf nicht die E-Mail-Adresse sein.")
    return problems


def generate_password() -> str:
    """About 143 bits of randomness, readable enough to type once from a printout."""
    return secrets.token_urlsafe(18)


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@overload
def _aware(moment: datetime) -> datetime: ...
@overload
def _aware(moment: datetime | None) -> datetime | None: ...
def _aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything in these tables is stored in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def normalise_email(email: str) -> str:
    return email.strip().lower()


# -- the store ---------------------------------------------------------------------------------------------


class Accounts:
    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = utcnow, audit: AuditLog | None = None
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.throttle = LoginThrottle(engine, clock)
        self.audit = audit or AuditLog(engine, clock)

    # -- users --------------------------------------------------------------------------------------------

    def add_user(self, email: str, password: str, role: str = ROLE_HR, district: str | None = None) -> User:
        email = normalise_email(email)
        self._check_user(email, role, district)
        self._check_password(password, email)
        now = self.clock()
        with self.engine.begin() as conn:
            if conn.scalar(select(users_t.c.id).where(users_t.c.email == email)) is not None:
                raise AccountError(f"Es gibt schon ein Konto für {email}.")
            values: dict[str, Any] = {"email": email, "role": role}
            values["district"] = district if role == ROLE_HR else None
            values.update(password_hash=hash_password(password), created_at=now, password_changed_at=now)
            conn.execute(insert(users_t).values(**values))
        return self._existing(email)

    def _existing(self, email: str) -> User:
        """The account just written (it exists: the caller's transaction committed it)."""
        user = self.user_by_email(email)
        if user is None:
            raise AccountError(f"Kein Konto für {normalise_email(email)}.")
        return user

    def check_new_user(self, email: str, role: str, district: str | None) -> None:
        """What add_user would refuse apart from the password, asked before one is generated and shown
        (an account that is never created needs no password on the screen)."""
        email = normalise_email(email)
        self._check_user(email, role, district)
        with self.engine.connect() as conn:
            if conn.scalar(select(users_t.c.id).where(users_t.c.email == email)) is not None:
                raise AccountError(f"Es gibt schon ein Konto für {email}.")

    @staticmethod
    def _check_user(email: str, role: str, district: str | None) -> None:
        if not EMAIL_RE.match(email):
            raise AccountError(f"„{email}“ ist keine gültige E-Mail-Adresse.")
        if role not in (ROLE_HR, ROLE_ADMIN):
            raise AccountError("Rolle muss hr oder admin sein.")
        if role == ROLE_HR and (not district or district not in by_slug()):
            raise AccountError(
                f"Unbekannter Landkreis „{district or ''}“ (Kürzel wie in config/districts.yaml)."
            )

    @staticmethod
    def _check_password(password: str, email: str) -> None:
        problems = password_problems(password, email)
        if problems:
            raise AccountError(" ".join(problems))

    def set_password(self, email: str, password: str) -> User:
        user = self.user_by_email(email)
        if user is None:
            raise AccountError(f"Kein Konto für {normalise_email(email)}.")
        self._check_password(password, user.email)
        with self.engine.begin() as conn:
            conn.execute(
                update(users_t)
                .where(users_t.c.id == user.id)
                .values(password_hash=hash_password(password), password_changed_at=self.clock())
            )
            conn.execute(delete(sessions_t).where(sessions_t.c.user_id == user.id))  # log out everywhere
            self.throttle.forget_account(conn, user.email)
        return user

    def disable(self, email: str) -> User:
        user = self.user_by_email(email)
        if user is None:
            raise AccountError(f"Kein Konto für {normalise_email(email)}.")
        with self.engine.begin() as conn:
            conn.execute(update(users_t).where(users_t.c.id == user.id).values(disabled=True))
            conn.execute(delete(sessions_t).where(sessions_t.c.user_id == user.id))
        return self._existing(email)

    def list_users(self) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(users_t).order_by(users_t.c.district, users_t.c.email)).all()
        return [_user(row) for row in rows]

    def user_by_email(self, email: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(users_t).where(users_t.c.email == normalise_email(email))).first()
        return _user(row) if row else None

    # -- login ---------------------------------------------------------------------------------------------

    def authenticate(self, email: str, password: str, client: str, known_device: bool = False) -> LoginResult:
        """Check a login. While the (account, address) pair or the address is throttled the attempt is
        refused without looking at the password; `known_device` (a browser this account logged in from
        before) is exempt from the address guard. An unknown e-mail is answered like a known one."""
        email, client = normalise_email(email)[:254], client[:64]
        keys = [(PAIR, email, client)] + ([] if known_device else [(ADDRESS, "", client)])
        turn = self.throttle.take_turn(keys)
        if turn.wait:
            seconds = math.ceil(turn.wait.total_seconds())
            return LoginResult(None, throttled=True, message=throttled_message(seconds), retry_after=seconds)
        with self.engine.connect() as conn:
            row = conn.execute(select(users_t).where(users_t.c.email == email)).first()
        if not self._verify(row, password[:MAX_PASSWORD_LENGTH]):
            # One row per (e-mail, address) and hour, counted up: an attack cannot flood the log
            self.audit.record_repeated(f"login:{email[:100]}", "login_failed", client)
            return LoginResult(None, message=WRONG_CREDENTIALS)
        self.throttle.give_back(turn)
        return LoginResult(_user(row))

    def unlock(self, email: str) -> User:
        """Forget the failed logins of an account from every address (operators: `users unlock`)."""
        user = self.user_by_email(email)
        if user is None:
            raise AccountError(f"Kein Konto für {normalise_email(email)}.")
        with self.engine.begin() as conn:
            self.throttle.forget_account(conn, user.email)
        return user

    def _verify(self, row, password: str) -> bool:
        if row is None or row.disabled:
            _safe_verify(_DUMMY_HASH, password)
            return False
        if not _safe_verify(row.password_hash, password):
            return False
        if HASHER.check_needs_rehash(row.password_hash):  # parameters changed since: upgrade silently
            with self.engine.begin() as conn:
                new_hash = hash_password(password)
                conn.execute(update(users_t).where(users_t.c.id == row.id).values(password_hash=new_hash))
        return True

    # -- sessions ------------------------------------------------------------------------------------------

    def start_session(self, user: User, client: str = "", replaces: str | None = None) -> tuple[str, str]:
        """A new session (id, csrf token) after a successful login, audited as "login" in the same
        transaction; the session it `replaces` is ended (fixation defence)."""
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.clock()
        with self.engine.begin() as conn:
            if replaces:
                conn.execute(delete(sessions_t).where(sessions_t.c.id_hash == _sha256(replaces)))
            conn.execute(
                insert(sessions_t).values(
                    id_hash=_sha256(session_id),
                    user_id=user.id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen=now,
                    client=client[:64],
                )  # fmt: skip
            )
            self.audit.record(user.actor, "login", user.district, conn=conn)
        return session_id, csrf

    def load_session(self, session_id: str) -> Session | None:
        """The live session for a cookie value, or None (unknown, expired, user disabled)."""
        if not session_id or len(session_id) > 100:
            return None
        id_hash, now = _sha256(session_id), self.clock()
        query = select(sessions_t, users_t).join(users_t, users_t.c.id == sessions_t.c.user_id)
        with self.engine.connect() as conn:
            row = conn.execute(query.where(sessions_t.c.id_hash == id_hash)).first()
        if row is None:
            return None
        created, last_seen = _aware(row.created_at), _aware(row.last_seen)
        if row.disabled or now - last_seen > IDLE_TIMEOUT or now - created > ABSOLUTE_TIMEOUT:
            self.end_session(session_id)
            return None
        if now - last_seen > LAST_SEEN_GRANULARITY:
            with self.engine.begin() as conn:
                conn.execute(update(sessions_t).where(sessions_t.c.id_hash == id_hash).values(last_seen=now))
            last_seen = now
        user = User(row.user_id, row.email, row.role, row.district, bool(row.disabled))
        return Session(user, row.csrf_token, created, last_seen)

    def end_session(self, session_id: str) -> None:
        """Forget a session without an audit entry (it expired); a user's own logout is `logout`."""
        with self.engine.begin() as conn:
            conn.execute(delete(sessions_t).where(sessions_t.c.id_hash == _sha256(session_id)))

    def logout(self, session_id: str) -> User | None:
        """End a session at its user's request, audited as "logout" in the same transaction; the user,
        or None when the session was gone already (nothing to log)."""
        id_hash = _sha256(session_id or "")
        query = select(users_t).join(sessions_t, users_t.c.id == sessions_t.c.user_id)
        with self.engine.begin() as conn:
            row = conn.execute(query.where(sessions_t.c.id_hash == id_hash)).first()
            if row is None:
                return None
            conn.execute(delete(sessions_t).where(sessions_t.c.id_hash == id_hash))
            user = _user(row)
            self.audit.record(user.actor, "logout", user.district, conn=conn)
        return user

    def purge_sessions(self) -> int:
        now = self.clock()
        with self.engine.begin() as conn:
            stale = (sessions_t.c.last_seen < now - IDLE_TIMEOUT) | (
                sessions_t.c.created_at < now - ABSOLUTE_TIMEOUT
            )
            return conn.execute(delete(sessions_t).where(stale)).rowcount

    # -- API tokens ----------------------------------------------------------------------------------------

    def create_token(self, district: str, name: str, created_by: str) -> tuple[ApiToken, str]:
        """A new token, audited in the same transaction; the secret is returned once and only its hash
        is kept."""
        if district not in by_slug():
            raise AccountError(f"Unbekannter Landkreis „{district}“.")
        name = (name or "").strip()[:200] or "Bewerbermanagement"
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        values = dict(district=district, name=name, token_hash=_sha256(secret), prefix=secret[:10])
        with self.engine.begin() as conn:
            inserted = conn.execute(
                insert(tokens_t).values(**values, created_at=self.clock(), created_by=created_by)
            ).inserted_primary_key
            token = self._token_in(conn, int(inserted[0])) if inserted else None
            if token is None:  # the row was inserted just now, in this transaction
                raise RuntimeError("API-Zugang nicht gespeichert")
            detail = f"{token.id} {token.name}"
            self.audit.record(created_by, "token_create", district, detail=detail, conn=conn)
        return token, secret

    def revoke_token(self, token_id: int, district: str | None = None, *, actor: str) -> ApiToken | None:
        """Revoke a token (of `district` only, when given) and audit it in the same transaction, also a
        repeated revocation (as before); None when there is no such token."""
        with self.engine.begin() as conn:
            token = self._token_in(conn, token_id)
            if token is None or (district is not None and token.district != district):
                return None
            if token.revoked_at is None:
                conn.execute(
                    update(tokens_t).where(tokens_t.c.id == token_id).values(revoked_at=self.clock())
                )
            detail = f"{token.id} {token.name}"
            self.audit.record(actor, "token_revoke", token.district, detail=detail, conn=conn)
            return self._token_in(conn, token_id)

    @staticmethod
    def _token_in(conn: Connection, token_id: int) -> ApiToken | None:
        row = conn.execute(select(tokens_t).where(tokens_t.c.id == token_id)).first()
        return _token(row) if row else None

    def list_tokens(self, district: str | None = None) -> list[ApiToken]:
        query = select(tokens_t).order_by(tokens_t.c.district, tokens_t.c.id)
        if district is not None:
            query = query.where(tokens_t.c.district == district)
        with self.engine.connect() as conn:
            return [_token(row) for row in conn.execute(query)]

    def token_by_id(self, token_id: int) -> ApiToken | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(tokens_t).where(tokens_t.c.id == token_id)).first()
        return _token(row) if row else None

    def token_for(self, secret: str) -> ApiToken | None:
        """The live token for a presented secret (looked up by hash; revoked tokens do not count)."""
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
            return None
        digest = _sha256(secret)
        with self.engine.connect() as conn:
            row = conn.execute(select(tokens_t).where(tokens_t.c.token_hash == digest)).first()
        if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, digest):
            return None
        with self.engine.begin() as conn:
            conn.execute(update(tokens_t).where(tokens_t.c.id == row.id).values(last_used_at=self.clock()))
        return _token(row)


# -- login throttling --------------------------------------------------------------------------------------

ThrottleKey = tuple[str, str, str]  # (scope, account, address); account "" for the ADDRESS scope


def delay_after(failures: int, free: int) -> timedelta:
    """The wait after the `failures`-th counted failure: none before `free`, then 1 s, 2 s, 4 s … 15 min."""
    if failures < free:
        return timedelta()
    return min(FIRST_DELAY * 2 ** min(failures - free, 20), MAX_DELAY)


def throttled_message(seconds: int) -> str:
    if seconds <= 1:
        when = "einer Sekunde"
    elif seconds < 120:
        when = f"{seconds} Sekunden"
    else:
        when = f"{math.ceil(seconds / 60)} Minuten"
    return f"Zu viele Fehlversuche. Bitte in {when} erneut versuchen."


@dataclass(frozen=True)
class Turn:
    """One login attempt's place in the throttle: the wait when refused, else what it was charged."""

    wait: timedelta = timedelta()
    charged: list[tuple[ThrottleKey, Row | None]] = field(default_factory=list)  # key, row before
    at: datetime | None = None


def _is(key: ThrottleKey):
    scope, account, address = key
    c = throttle_t.c
    return (c.scope == scope) & (c.account == account) & (c.address == address)


class LoginThrottle:
    """Growing delays per (account, address) pair and per address (rules in the module docstring).

    One row per pair and per address: the table grows with who tries, never with how often."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine, self.clock = engine, clock
        self._lock = threading.Lock()  # counters are read, then written: one attempt at a time

    def take_turn(self, keys: list[ThrottleKey]) -> Turn:
        """Refuse while a key waits; else count the attempt as failed in advance (given back on success),
        so that parallel attempts cannot all slip in before the first failure is written."""
        now = self.clock()
        with self._lock, self.engine.begin() as conn:
            rows = {key: conn.execute(select(throttle_t).where(_is(key))).first() for key in keys}
            waits = [_aware(row.blocked_until) - now for row in rows.values() if row and row.blocked_until]
            if max(waits, default=timedelta()) > timedelta():
                return Turn(wait=max(waits))
            fresh_pair = self._is_forgotten(rows[keys[0]], now)
            # The address counts accounts, not failures: one account's owner mistyping is the pair's
            # business, many accounts failing from one address is spraying.
            charged = [(key, rows[key]) for key in keys if key[0] == PAIR or fresh_pair]
            for key, row in charged:
                self._charge(conn, key, row, now)
            conn.execute(delete(throttle_t).where(throttle_t.c.last_failed_at < now - FORGET_AFTER))
        return Turn(charged=charged, at=now)

    @staticmethod
    def _is_forgotten(row: Row | None, now: datetime) -> bool:
        return row is None or now - _aware(row.last_failed_at) > FORGET_AFTER

    def _charge(self, conn: Connection, key: ThrottleKey, row: Row | None, now: datetime) -> None:
        failures = 1 if row is None or self._is_forgotten(row, now) else row.failures + 1
        delay = delay_after(failures, FREE_FAILURES[key[0]])
        values = dict(failures=failures, last_failed_at=now, blocked_until=now + delay if delay else None)
        if row is None:
            conn.execute(insert(throttle_t).values(scope=key[0], account=key[1], address=key[2], **values))
        else:
            conn.execute(update(throttle_t).where(_is(key)).values(**values))

    def give_back(self, turn: Turn) -> None:
        """A successful login: its pair starts afresh and the address no longer counts the attempt."""
        with self._lock, self.engine.begin() as conn:
            for key, before in turn.charged:
                row = conn.execute(select(throttle_t).where(_is(key))).first()
                if key[0] == PAIR or row is None or (before is None and row.failures <= 1):
                    conn.execute(delete(throttle_t).where(_is(key)))
                    continue
                values = {"failures": row.failures - 1}
                if before is not None and _aware(row.last_failed_at) == turn.at:  # nobody failed since
                    values = {
                        name: before._mapping[name]
                        for name in ("failures", "last_failed_at", "blocked_until")
                    }
                conn.execute(update(throttle_t).where(_is(key)).values(**values))

    @staticmethod
    def forget_account(conn: Connection, email: str) -> None:
        """Every address's pair with this account starts afresh (unlock, new password)."""
        conn.execute(delete(throttle_t).where(throttle_t.c.scope == PAIR, throttle_t.c.account == email))


def _safe_verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _user(row) -> User:
    return User(row.id, row.email, row.role, row.district, bool(row.disabled))


def _token(row) -> ApiToken:
    return ApiToken(
        row.id, row.district, row.name, row.prefix, _aware(row.created_at), row.created_by,
        _aware(row.revoked_at), _aware(row.last_used_at),
    )  # fmt: skip
