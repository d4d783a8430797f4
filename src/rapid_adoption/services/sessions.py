"""Browser logins: a session cookie whose value is shown to the browser once and stored only as a hash.

A session lasts :data:`SESSION_HOURS` hours unless the user logs out first. Its CSRF token is an
HMAC-SHA256 of a fixed label under the session's own secret (the cookie value), so forms can be
checked without storing the CSRF token anywhere (OWASP CSRF Prevention Cheat Sheet, "Signed
Double-Submit Cookie"). Logins, failed logins and logouts are audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..domain.sharing import Actor
from ..store.sharing import unrestricted
from ..store.tables import AuditEntry, Organisation, User, WebSession
from . import audit
from .auth import AuthenticationFailed, actor_from_user, hash_password, token_hash, verify_password
from .workspace import Workspace

SESSION_HOURS = 12
"""How long a browser login lasts, in hours."""

MAX_FAILED_LOGINS = 5
"""Failed logins of one user within :data:`LOCKOUT_MINUTES` after which its logins are refused for a while."""
LOCKOUT_MINUTES = 15

SESSION_PREFIX = "rapidsess_"
_CSRF_LABEL = b"rapid-adoption csrf v1"


@dataclass(frozen=True)
class NewSession:
    """A login just made.

    Attributes:
        secret: the cookie value (shown to the browser once, stored only as its SHA-256).
        csrf_token: the token every form of this session must carry.
        expires_at: when the session ends by itself (UTC).
        actor: who logged in.
    """

    secret: str
    csrf_token: str
    expires_at: datetime
    actor: Actor


def csrf_token_for(secret: str) -> str:
    """The CSRF token of the session whose cookie value is ``secret``: hex HMAC-SHA256, 64 characters."""
    return hmac.new(secret.encode("utf-8"), _CSRF_LABEL, hashlib.sha256).hexdigest()


def csrf_ok(secret: str, token: str | None) -> bool:
    """Whether ``token`` is the CSRF token of the session ``secret`` (constant-time comparison)."""
    return bool(token) and hmac.compare_digest(csrf_token_for(secret), token)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """An argon2 hash of a random password, checked for unknown user names so they cost the same time."""
    return hash_password(secrets.token_urlsafe(24))


def login(workspace: Workspace, username: str, password: str) -> NewSession:
    """Check a user name and password and start a browser session.

    Args:
        username: the user's name, as ``rapid users list`` shows it.
        password: the password in clear (checked against its argon2 hash, never stored or logged).

    Returns:
        The new session, with its cookie value and CSRF token.

    Raises:
        AuthenticationFailed: unknown user, wrong password, no password set, or a deactivated user.
            The message is the same for the first three, so it does not tell which names exist.
            After :data:`MAX_FAILED_LOGINS` failures of one user within :data:`LOCKOUT_MINUTES` minutes, its
            logins are refused until that window has passed (OWASP Authentication Cheat Sheet, "Account Lockout").
    """
    now = workspace.now()
    with workspace.uow.transaction() as session:
        user = session.scalar(select(User).where(User.username == (username or "").strip()))
        locked = user is not None and session.scalar(unrestricted(
            select(func.count()).select_from(AuditEntry).where(
                AuditEntry.action == "login.failed", AuditEntry.object_type == "users",
                AuditEntry.object_id == user.id, AuditEntry.at > now - timedelta(minutes=LOCKOUT_MINUTES)),
            "failed logins of one user, counted for the lockout and never shown")) >= MAX_FAILED_LOGINS
        if locked:
            pass  # not even checked: a locked-out user's password cannot be guessed meanwhile
        elif user is None or not verify_password(user.password_hash, password or ""):
            if user is None:
                verify_password(_dummy_hash(), password or "")  # as slow as for a real user: names stay secret
            else:
                org = session.get(Organisation, user.organisation_id)
                failed_by = Actor(user.id, user.username, org.id, org.ref, org.nation_iso3)
                audit.record(session, failed_by, "login.failed", "users", user.id, now=now)
        else:
            actor = actor_from_user(session, user)
            secret = SESSION_PREFIX + secrets.token_urlsafe(32)
            row = WebSession(user_id=user.id, token_hash=token_hash(secret), created_at=now,
                             expires_at=now + timedelta(hours=SESSION_HOURS))
            session.add(row)
            session.flush()
            audit.record(session, actor, "login", "web_sessions", row.id, now=now)
            return NewSession(secret, csrf_token_for(secret), row.expires_at, actor)
    # Outside the transaction: the failed attempt above is committed before the error is raised.
    if locked:
        raise AuthenticationFailed(f"too many failed logins: try again in {LOCKOUT_MINUTES} minutes")
    raise AuthenticationFailed("wrong user name or password")


def actor_for_session(workspace: Workspace, secret: str) -> Actor:
    """The actor of a live browser session.

    Raises:
        AuthenticationFailed: unknown, ended or expired session, or a deactivated user.
    """
    now = workspace.now()
    with workspace.uow.read() as session:
        row = session.scalar(select(WebSession).where(WebSession.token_hash == token_hash(secret)))
        if row is None or row.ended_at is not None:
            raise AuthenticationFailed("you are not logged in")
        if row.expires_at <= now:
            raise AuthenticationFailed("your session expired: log in again")
        return actor_from_user(session, session.get(User, row.user_id))


def logout(workspace: Workspace, secret: str) -> None:
    """End the browser session ``secret`` (no error if it already ended or never existed)."""
    now = workspace.now()
    with workspace.uow.transaction() as session:
        row = session.scalar(select(WebSession).where(WebSession.token_hash == token_hash(secret)))
        if row is None or row.ended_at is not None:
            return
        row.ended_at = now
        user = session.get(User, row.user_id)
        org = session.get(Organisation, user.organisation_id)
        audit.record(session, Actor(user.id, user.username, org.id, org.ref, org.nation_iso3), "logout",
                     "web_sessions", row.id, now=now)


__all__ = ["NewSession", "SESSION_HOURS", "csrf_ok", "csrf_token_for", "login", "actor_for_session", "logout"]
