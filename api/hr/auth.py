"""Sessions, CSRF and bearer tokens for the HR portal and the HR API.

- The session cookie holds a random id (server-side session row); `HttpOnly`, `SameSite=Lax`, `Secure`
  unless settings.cookie_secure is off for local HTTP, and then named with the `__Host-` prefix so that
  no subdomain can plant or override it.
- CSRF: synchronizer token bound to the session, checked on every POST; the login form gets a pre-login
  token (an HMAC, keyed with settings.secret_key, of a random pre-login cookie) against login CSRF. Every
  POST with an `Origin` header from another host is refused as well.
- The HR API accepts only `Authorization: Bearer` tokens, never the session cookie, so a browser cannot
  be tricked into calling it.
- Device cookie (OWASP's answer to lock-out by address): after a successful login the browser gets an
  HMAC-signed note "this account logged in here" (no secret of the account, valid 180 days). Logins to
  that account from that browser skip the per-address spraying guard, so colleagues behind the same
  address as an attacker are not held up; the per-(account, address) throttle still applies.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import client
from api.hr.context import HrContext
from vacancies.accounts import ApiToken, Session, User, normalise_email

SESSION_COOKIE = "stb_sitzung"
PRE_LOGIN_COOKIE = "stb_vorab"
DEVICE_COOKIE = "stb_geraet"
DEVICE_LIFETIME_SECONDS = 180 * 24 * 3600


class LoginRequired(Exception):
    """No live session: pages redirect to the login page."""


class PageError(Exception):
    """An HR page answers with an HTML error page (German message)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


NOT_FOUND = "Diese Seite oder Stelle gibt es nicht – oder sie gehört zu einem anderen Landkreis."
CSRF_FAILED = (
    "Die Sicherheitsprüfung des Formulars ist fehlgeschlagen (abgelaufen oder von einer fremden Seite). "
    "Bitte die Seite neu laden und noch einmal versuchen."
)


def hr(request: Request) -> HrContext:
    return request.app.state.hr


HrDep = Annotated[HrContext, Depends(hr)]


def cookie_name(request: Request, base: str) -> str:
    return f"__Host-{base}" if hr(request).settings.cookie_secure else base


def client_address(request: Request) -> str:
    """The peer, or behind our own proxies (settings.trusted_proxies) the client they report."""
    return client.client_address(request, hr(request).settings)


# -- sessions --------------------------------------------------------------------------------------------


def current_session(request: Request) -> Session | None:
    if not hasattr(request.state, "hr_session"):
        session_id = request.cookies.get(cookie_name(request, SESSION_COOKIE), "")
        request.state.hr_session = hr(request).accounts.load_session(session_id) if session_id else None
    return request.state.hr_session


def require_session(request: Request) -> Session:
    session = current_session(request)
    if session is None:
        raise LoginRequired()
    return session


def require_user(session: Annotated[Session, Depends(require_session)]) -> User:
    return session.user


CurrentSession = Annotated[Session, Depends(require_session)]
CurrentUser = Annotated[User, Depends(require_user)]


def scope_of(user: User) -> str | None:
    """The district a user may see, None for admins (every district)."""
    return None if user.is_admin else user.district


def set_session_cookie(request: Request, response: Response, session_id: str) -> None:
    response.set_cookie(
        cookie_name(request, SESSION_COOKIE),
        session_id,
        httponly=True,
        secure=hr(request).settings.cookie_secure,
        samesite="lax",
        path="/",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        cookie_name(request, SESSION_COOKIE),
        path="/",
        secure=hr(request).settings.cookie_secure,
        httponly=True,
    )


# -- CSRF -----------------------------------------------------------------------------------------------


def check_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise PageError(403, CSRF_FAILED)
    if origin == "null":
        raise PageError(403, CSRF_FAILED)


def check_csrf(request: Request, session: Session, token: str | None) -> None:
    check_origin(request)
    if not token or not hmac.compare_digest(token.encode(), session.csrf_token.encode()):
        raise PageError(403, CSRF_FAILED)


def _pre_login_mac(request: Request, value: str) -> str:
    key = hr(request).settings.secret_key.encode()
    return hmac.new(key, f"login-csrf:{value}".encode(), hashlib.sha256).hexdigest()


def pre_login_token(request: Request) -> tuple[str, str | None]:
    """The login form's CSRF token, and the pre-login cookie value to set when the browser has none."""
    value = request.cookies.get(cookie_name(request, PRE_LOGIN_COOKIE))
    new_value = None
    if not value or len(value) > 100:
        value = new_value = secrets.token_urlsafe(32)
    return _pre_login_mac(request, value), new_value


def set_pre_login_cookie(request: Request, response: Response, value: str) -> None:
    secure = hr(request).settings.cookie_secure
    name = cookie_name(request, PRE_LOGIN_COOKIE)
    response.set_cookie(name, value, httponly=True, secure=secure, samesite="lax", path="/")


def check_pre_login_token(request: Request, token: str | None) -> None:
    check_origin(request)
    value = request.cookies.get(cookie_name(request, PRE_LOGIN_COOKIE))
    if (
        not value
        or not token
        or not hmac.compare_digest(token.encode(), _pre_login_mac(request, value).encode())
    ):
        raise PageError(403, CSRF_FAILED)


# -- device cookie (exempts from the per-address login guard) ----------------------------------------------


def _device_mac(request: Request, email: str, issued: str) -> str:
    key = hr(request).settings.secret_key.encode()
    message = f"device:{normalise_email(email)}:{issued}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def known_device(request: Request, email: str) -> bool:
    """Whether this browser carries a live device cookie for `email` (see the module docstring)."""
    value = request.cookies.get(cookie_name(request, DEVICE_COOKIE), "")
    issued, _, mac = value.partition(".")
    age = hr(request).now().timestamp() - int(issued) if issued.isdigit() and len(value) <= 100 else None
    if age is None or not 0 <= age <= DEVICE_LIFETIME_SECONDS:
        return False
    return hmac.compare_digest(mac.encode(), _device_mac(request, email, issued).encode())


def set_device_cookie(request: Request, response: Response, email: str) -> None:
    issued = str(int(hr(request).now().timestamp()))
    value = f"{issued}.{_device_mac(request, email, issued)}"
    secure = hr(request).settings.cookie_secure
    response.set_cookie(
        cookie_name(request, DEVICE_COOKIE), value, max_age=DEVICE_LIFETIME_SECONDS,
        httponly=True, secure=secure, samesite="lax", path="/",
    )  # fmt: skip


# -- bearer tokens (HR API) -------------------------------------------------------------------------------


def _unauthorized(detail: str, error: str = "") -> StarletteHTTPException:
    challenge = 'Bearer realm="stellenboerse-hr"' + (f', error="{error}"' if error else "")
    return StarletteHTTPException(401, detail, headers={"WWW-Authenticate": challenge})


def require_token(request: Request) -> ApiToken:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise _unauthorized(
            "Für die HR-API ist ein Zugangsschlüssel nötig: Authorization: Bearer <Schlüssel>."
        )
    token = hr(request).accounts.token_for(secret.strip())
    if token is None:
        raise _unauthorized("Der Zugangsschlüssel ist ungültig oder widerrufen.", "invalid_token")
    return token


CurrentToken = Annotated[ApiToken, Depends(require_token)]
