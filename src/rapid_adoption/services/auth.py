"""Users, roles, API tokens and passwords; turning a user name or a token into an :class:`Actor`.

Tokens are 32 random bytes (``secrets.token_urlsafe``) prefixed ``rapid_``; only their SHA-256
hash is stored, and the token is shown once. Passwords are hashed with argon2id (argon2-cffi
defaults, RFC 9106).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..domain.sharing import ROLES, Actor
from ..store.sharing import unrestricted
from ..store.tables import ApiToken, Organisation, SharingGroupMember, User
from . import audit
from .workspace import Workspace

TOKEN_PREFIX = "rapid_"
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 366
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
_hasher = PasswordHasher()


class AuthenticationFailed(PermissionDenied):
    """The token or password is wrong, expired or revoked, or the user is deactivated."""

    exit_code = 9
    http_status = 401


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (with its own random salt).

    Raises:
        ValidationError: shorter than 12 characters.
    """
    if len(password) < 12:
        raise ValidationError("must be at least 12 characters", field="password")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``password_hash`` (False for no hash or a malformed one)."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    """The stored form of a token: SHA-256 hex of the whole token string."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def group_ids_for(session: Session, org_id: int, nation: str | None) -> frozenset[int]:
    """Ids of the sharing groups an organisation belongs to, directly or through its nation."""
    condition = SharingGroupMember.organisation_id == org_id
    if nation:
        condition = or_(condition, SharingGroupMember.nation_iso3 == nation)
    return frozenset(session.scalars(select(SharingGroupMember.group_id).where(condition)))


def actor_from_user(session: Session, user: User) -> Actor:
    """The :class:`Actor` for an active ``user``.

    Raises:
        AuthenticationFailed: the user is deactivated.
    """
    if not user.active:
        raise AuthenticationFailed(f"user {user.username!r} is deactivated")
    org = session.get(Organisation, user.organisation_id)
    return Actor(user.id, user.username, org.id, org.ref, org.nation_iso3, frozenset(user.roles),
                 group_ids_for(session, org.id, org.nation_iso3))


def system_actor(session: Session, org_ref: str) -> Actor:
    """The system itself, acting for ``org_ref`` (imports of public data, the quickstart)."""
    org = session.scalar(select(Organisation).where(Organisation.ref == org_ref))
    if org is None:
        raise NotFound(f"no organisation {org_ref!r} in this workspace")
    return Actor(None, "system", org.id, org.ref, org.nation_iso3, frozenset({"admin", "analyst", "board"}),
                 group_ids_for(session, org.id, org.nation_iso3))


def actor_for_username(workspace: Workspace, username: str) -> Actor:
    """The actor for ``username`` (local use: ``rapid --as USER``).

    Raises:
        AuthenticationFailed: no such user, or deactivated.
    """
    with workspace.uow.read() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise AuthenticationFailed(f"no user {username!r} in this workspace ('rapid users list' shows them)")
        return actor_from_user(session, user)


def actor_for_token(workspace: Workspace, token: str) -> Actor:
    """Check an API token and return its user's actor; the use is audited and ``last_used_at`` set.

    Raises:
        AuthenticationFailed: unknown, expired or revoked token, or a deactivated user. The
            message never repeats the token.
    """
    now = workspace.now()
    with workspace.uow.transaction() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token.strip())))
        if row is None:
            raise AuthenticationFailed("the API token is not valid")
        if row.revoked_at is not None:
            raise AuthenticationFailed(f"the API token {row.name!r} was revoked")
        if row.expires_at <= now:
            raise AuthenticationFailed(f"the API token {row.name!r} expired on {row.expires_at:%Y-%m-%d}")
        user = session.get(User, row.user_id)
        actor = actor_from_user(session, user)
        row.last_used_at = now
        audit.record(session, actor, "token.use", "api_tokens", row.id, now=now)
        return actor


def _require_admin(actor: Actor) -> None:
    if not actor.has_role("admin"):
        raise PermissionDenied("only an admin may manage users and tokens")


def _user_dict(session: Session, user: User) -> dict[str, Any]:
    org = session.get(Organisation, user.organisation_id)
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "organisation": org.ref,
            "roles": list(user.roles), "active": user.active, "has_password": bool(user.password_hash)}


def check_roles(roles: list[str]) -> list[str]:
    """Check role names against :data:`ROLES`.

    Raises:
        ValidationError: empty, or an unknown role.
    """
    cleaned = sorted({r.strip().lower() for r in roles if r.strip()})
    if not cleaned:
        raise ValidationError(f"give at least one role: {', '.join(ROLES)}", field="--role")
    unknown = [r for r in cleaned if r not in ROLES]
    if unknown:
        raise ValidationError(f"unknown role {unknown[0]!r}; expected {', '.join(ROLES)}", field="--role")
    return cleaned


def create_user(workspace: Workspace, actor: Actor | None, username: str, org_ref: str, roles: list[str], *,
                password: str | None = None, display_name: str | None = None, session: Session | None = None) -> dict:
    """Create a user in ``org_ref`` with ``roles``.

    An admin creates users of its own organisation. An admin of the workspace's own organisation
    (set by ``rapid init --org``) also onboards other organisations' first users. ``actor`` None
    (the system, at ``rapid init`` or in the quickstart) may create any.

    Raises:
        PermissionDenied: the actor is not an admin, or names another organisation.
        ValidationError: a bad user name, role or password.
        Conflict: the user name is taken.
        NotFound: no such organisation.
    """
    if session is None:
        with workspace.uow.transaction() as s:
            return create_user(workspace, actor, username, org_ref, roles, password=password,
                               display_name=display_name, session=s)
    if not _USERNAME.match(username or ""):
        raise ValidationError("must be 1-100 letters, digits or . _ @ - and start with a letter or digit",
                              field="username")
    org = session.scalar(select(Organisation).where(Organisation.ref == org_ref.strip().upper()))
    if org is None:
        raise NotFound(f"no organisation {org_ref!r} in this workspace")
    if actor is not None:
        _require_admin(actor)
        if org.id != actor.org_id and actor.org_ref != workspace.home_org_ref():
            raise PermissionDenied(f"an admin of {actor.org_ref} may create users of {actor.org_ref} only; the "
                                   f"workspace's own organisation ({workspace.home_org_ref()}) onboards other organisations")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"the user name {username!r} is taken")
    now = workspace.now()
    user = User(username=username, display_name=display_name, organisation_id=org.id, roles=check_roles(roles),
                password_hash=hash_password(password) if password else None, active=True, created_at=now,
                updated_at=now)
    session.add(user)
    session.flush()
    who = actor or system_actor(session, org.ref)
    data = _user_dict(session, user)
    audit.record(session, who, "create", "users", user.id, now=now, after=data)
    return data


def set_active(workspace: Workspace, actor: Actor, username: str, active: bool, *,
               expected_version: int | None = None) -> dict:
    """Deactivate (or reactivate) a user of the admin's organisation; a deactivated user gets nothing.

    Args:
        expected_version: when given, the user's version the change was made from (the API's ``If-Match``).

    Raises:
        PermissionDenied, NotFound: as for :func:`create_user`.
        Conflict: ``expected_version`` is stale.
    """
    _require_admin(actor)
    with workspace.uow.transaction() as session:
        user = session.scalar(select(User).where(User.username == username, User.organisation_id == actor.org_id))
        if user is None:
            raise NotFound(f"no user {username!r} in {actor.org_ref}")
        if expected_version is not None and user.version != expected_version:
            raise Conflict(f"user {username} is at version {user.version}, not {expected_version}: reload and try again")
        if not active and user.id == actor.user_id:
            raise ValidationError("you cannot deactivate yourself", field="username")
        if not active and "admin" in user.roles:
            admins = [u for u in session.scalars(select(User).where(User.organisation_id == actor.org_id,
                                                                    User.active.is_(True))) if "admin" in u.roles]
            if len(admins) <= 1:
                raise ValidationError(f"{username} is the last active admin of {actor.org_ref}", field="username")
        before = _user_dict(session, user)
        user.active = active
        if not active:
            end_sessions(session, user.id, workspace.now())
        user.updated_at = workspace.now()
        session.flush()
        after = _user_dict(session, user)
        audit.record(session, actor, "update", "users", user.id, now=workspace.now(), before=before, after=after)
        return after


def end_sessions(session: Session, user_id: int, now: datetime) -> int:
    """End every live browser session of a user (a new password or a deactivation logs them out everywhere);
    returns how many were ended."""
    from ..store.tables import WebSession

    live = list(session.scalars(select(WebSession).where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))))
    for row in live:
        row.ended_at = now
    return len(live)


def set_password(workspace: Workspace, actor: Actor | None, username: str, password: str) -> None:
    """Set a user's password for the web login (stored as an argon2id hash, never in clear); the user's
    browser sessions end.

    Users set their own; an admin sets those of its organisation's users; ``actor`` None is the
    system (the quickstart's demo users). The change is audited without the password or its hash.

    Raises:
        ValidationError: a password shorter than 12 characters.
        PermissionDenied: another user's password by a non-admin.
        NotFound: no such user in the actor's organisation.
    """
    hashed = hash_password(password)
    with workspace.uow.transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or (actor is not None and user.organisation_id != actor.org_id):
            raise NotFound(f"no user {username!r}" + (f" in {actor.org_ref}" if actor else ""))
        if actor is not None and user.id != actor.user_id:
            _require_admin(actor)
        user.password_hash = hashed
        user.updated_at = workspace.now()
        end_sessions(session, user.id, workspace.now())
        who = actor or system_actor(session, session.get(Organisation, user.organisation_id).ref)
        audit.record(session, who, "password.set", "users", user.id, now=workspace.now())


def list_users(workspace: Workspace, actor: Actor) -> list[dict]:
    """The users of the actor's organisation (an admin's view of its own people)."""
    with workspace.uow.read() as session:
        users = session.scalars(select(User).where(User.organisation_id == actor.org_id).order_by(User.username))
        return [_user_dict(session, u) for u in users]


@dataclass(frozen=True)
class NewToken:
    """A token just created: ``token`` is shown once and never stored."""

    id: int
    name: str
    token: str
    expires_at: datetime


def create_token(workspace: Workspace, actor: Actor, name: str, *, username: str | None = None,
                 expires_days: int = DEFAULT_TOKEN_DAYS) -> NewToken:
    """Create an API token for ``username`` (default: the actor) that expires after ``expires_days``.

    Users create their own tokens; an admin may create them for users of its organisation.

    Raises:
        ValidationError: an empty name, or a lifetime outside 1-366 days.
        PermissionDenied: a token for someone else by a non-admin, or in another organisation.
        NotFound: no such user.
    """
    if not name or not name.strip():
        raise ValidationError("give the token a name, e.g. 'ci' or 'laptop'", field="--name")
    if not 1 <= expires_days <= MAX_TOKEN_DAYS:
        raise ValidationError(f"must be 1-{MAX_TOKEN_DAYS} days, got {expires_days}", field="--expires-days")
    now = workspace.now()
    with workspace.uow.transaction() as session:
        target = username or actor.username
        user = session.scalar(select(User).where(User.username == target))
        if user is None or (user.organisation_id != actor.org_id):
            raise NotFound(f"no user {target!r} in {actor.org_ref}")
        if user.id != actor.user_id:
            _require_admin(actor)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = ApiToken(user_id=user.id, name=name.strip(), token_hash=token_hash(token), created_at=now,
                       expires_at=now + timedelta(days=expires_days))
        session.add(row)
        session.flush()
        audit.record(session, actor, "create", "api_tokens", row.id, now=now,
                     after={"name": row.name, "user": user.username, "expires_at": row.expires_at})
        return NewToken(row.id, row.name, token, row.expires_at)


def revoke_token(workspace: Workspace, actor: Actor, token_id: int) -> None:
    """Revoke a token of the actor's (or, for an admin, of its organisation's users).

    Raises:
        NotFound: no such token visible to the actor.
        PermissionDenied: another user's token by a non-admin.
    """
    now = workspace.now()
    with workspace.uow.transaction() as session:
        row = session.get(ApiToken, token_id) if 0 < token_id < 2**63 else None
        user = session.get(User, row.user_id) if row else None
        if row is None or user.organisation_id != actor.org_id:
            raise NotFound(f"no token {token_id}")
        if user.id != actor.user_id:
            _require_admin(actor)
        if row.revoked_at is None:
            row.revoked_at = now
            audit.record(session, actor, "revoke", "api_tokens", row.id, now=now, after={"revoked_at": now})


def list_tokens(workspace: Workspace, actor: Actor) -> list[dict]:
    """Tokens of the actor (all of its organisation's for an admin): never the token, only its name and dates."""
    with workspace.uow.read() as session:
        query = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).where(
            User.organisation_id == actor.org_id)
        if not actor.has_role("admin"):
            query = query.where(User.id == actor.user_id)
        return [{"id": t.id, "name": t.name, "user": u, "created_at": t.created_at.isoformat(),
                 "expires_at": t.expires_at.isoformat(), "revoked": t.revoked_at is not None,
                 "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None}
                for t, u in session.execute(query.order_by(ApiToken.id))]


__all__ = ["AuthenticationFailed", "actor_for_token", "actor_for_username", "create_user", "create_token",
           "revoke_token", "list_tokens", "list_users", "set_active", "set_password", "system_actor", "hash_password",
           "verify_password", "unrestricted"]
