"""Admin pages (the admin role only; others get 403): users and API tokens of the admin's organisation; and the
sharing-group pages, open to every user (the services decide who may change a group).

A new token is shown once, on the page that answers its creation; only its hash is stored. A sharing
group and its member list show only to its members (``services.sharing.list_groups``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from ...domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from ...domain.sharing import ROLES, Actor
from ...services import auth, sharing
from ..render import render
from ..session import FormActor, PageActor, checked_form_actor, page_actor
from .common import form_errors, workspace_of

router = APIRouter(include_in_schema=False)

USER_FIELDS = ("username", "display_name", "org", "roles", "password")
"""The fields of the "Add a user" form."""

TOKEN_FIELDS = ("name", "username", "expires_days")
"""The fields of the "Create a token" form."""

GROUP_FIELDS = ("name", "description", "member", "kind")
"""The fields of the sharing-group forms."""

FIELD_NAMES = {"role": "roles", "expires_days": "expires_days", "org": "member", "nation": "member"}
"""Service field names that belong to another form field here."""


def require_admin(actor: Actor) -> Actor:
    """The actor, when it holds the admin role.

    Raises:
        PermissionDenied: any other role (403).
    """
    if not actor.has_role("admin"):
        raise PermissionDenied(f"the admin pages need the role admin; {actor.username} has "
                               f"{', '.join(sorted(actor.roles)) or 'none'}")
    return actor


def admin_page_actor(actor: Annotated[Actor, Depends(page_actor)]) -> Actor:
    """The logged-in admin of a page request (see :func:`require_admin`)."""
    return require_admin(actor)


def admin_form_actor(actor: Annotated[Actor, Depends(checked_form_actor)]) -> Actor:
    """The logged-in admin of a CSRF-checked form post (see :func:`require_admin`)."""
    return require_admin(actor)


AdminPage = Annotated[Actor, Depends(admin_page_actor)]
AdminForm = Annotated[Actor, Depends(admin_form_actor)]


def _errors(exc, fields: tuple[str, ...]) -> dict[str, str]:
    """Form errors, with the service's field names (``--role``, ``--org``) moved to this page's fields."""
    errors = form_errors(exc, fields + tuple(FIELD_NAMES))
    return {FIELD_NAMES.get(k, k): v for k, v in errors.items()}


@router.get("/admin")
def admin_home(request: Request, actor: AdminPage):
    """The admin pages' index."""
    return render(request, "admin/index.html", {})


def _users_page(request: Request, actor: Actor, errors: dict[str, str] | None = None,
                values: dict[str, Any] | None = None, status_code: int = 200):
    """The users page, optionally with the add form's errors and typed values."""
    users = auth.list_users(workspace_of(request), actor)
    values = values or {"username": "", "display_name": "", "org": actor.org_ref, "roles": ["viewer"]}
    return render(request, "admin/users.html", {"users": users, "roles": ROLES, "errors": errors or {},
                                                "values": values}, status_code=status_code)


@router.get("/admin/users")
def users_page(request: Request, actor: AdminPage):
    """The organisation's users, with forms to add one, (de)activate one and set a password."""
    return _users_page(request, actor)


@router.post("/admin/users")
def add_user(request: Request, actor: AdminForm, username: Annotated[str, Form()] = "",
             display_name: Annotated[str, Form()] = "", org: Annotated[str, Form()] = "",
             roles: Annotated[list[str], Form()] = [], password: Annotated[str, Form()] = ""):  # noqa: B006
    """Add a user (to the admin's organisation unless another is named); then back to the users page."""
    values = {"username": username, "display_name": display_name, "org": org, "roles": roles}
    try:
        auth.create_user(workspace_of(request), actor, username.strip(), org.strip() or actor.org_ref, roles,
                         password=password or None, display_name=display_name.strip() or None)
    except (ValidationError, Conflict, NotFound) as exc:
        errors = {"org": str(exc)} if isinstance(exc, NotFound) else _errors(exc, USER_FIELDS)
        return _users_page(request, actor, errors, values, status_code=exc.http_status)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/active")
def set_user_active(request: Request, actor: AdminForm, username: str, active: Annotated[str, Form()] = ""):
    """Deactivate (``active=0``) or reactivate (``active=1``) a user of the organisation."""
    try:
        auth.set_active(workspace_of(request), actor, username, active == "1")
    except ValidationError as exc:
        return _users_page(request, actor, {"_form": str(exc)}, status_code=exc.http_status)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/password")
def set_user_password(request: Request, actor: AdminForm, username: str, password: Annotated[str, Form()] = ""):
    """Set a user's web-login password (at least 12 characters; stored as an argon2id hash)."""
    try:
        auth.set_password(workspace_of(request), actor, username, password)
    except ValidationError as exc:
        return _users_page(request, actor, {f"password-{username}": str(exc)}, status_code=exc.http_status)
    return RedirectResponse("/admin/users", status_code=303)


def _tokens_page(request: Request, actor: Actor, *, new_token: auth.NewToken | None = None,
                 errors: dict[str, str] | None = None, values: dict[str, Any] | None = None, status_code: int = 200):
    """The tokens page; ``new_token`` is shown once, on the answer to its creation."""
    workspace = workspace_of(request)
    return render(request, "admin/tokens.html", {
        "tokens": auth.list_tokens(workspace, actor), "users": auth.list_users(workspace, actor),
        "new_token": new_token, "errors": errors or {},
        "values": values or {"name": "", "username": actor.username, "expires_days": auth.DEFAULT_TOKEN_DAYS},
    }, status_code=status_code)


@router.get("/admin/tokens")
def tokens_page(request: Request, actor: AdminPage):
    """The organisation's API tokens (names and dates, never the token), with forms to create and revoke."""
    return _tokens_page(request, actor)


@router.post("/admin/tokens")
def create_token(request: Request, actor: AdminForm, name: Annotated[str, Form()] = "",
                 username: Annotated[str, Form()] = "", expires_days: Annotated[str, Form()] = ""):
    """Create a token and show it once on the answer (it cannot be shown again)."""
    values = {"name": name, "username": username, "expires_days": expires_days}
    try:
        days_text = expires_days.strip() or str(auth.DEFAULT_TOKEN_DAYS)
        if not (days_text.isascii() and days_text.isdigit()) or len(days_text) > 6:
            raise ValidationError(f"must be a whole number of days, got {expires_days!r}", field="expires_days")
        made = auth.create_token(workspace_of(request), actor, name, username=username.strip() or None,
                                 expires_days=int(days_text))
    except (ValidationError, NotFound) as exc:
        errors = {"username": str(exc)} if isinstance(exc, NotFound) else _errors(exc, TOKEN_FIELDS)
        return _tokens_page(request, actor, errors=errors, values=values, status_code=exc.http_status)
    response = _tokens_page(request, actor, new_token=made)
    response.headers["Cache-Control"] = "no-store"  # the token must not stay in a cache
    return response


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(request: Request, actor: AdminForm, token_id: int):
    """Revoke a token of the organisation; then back to the tokens page."""
    auth.revoke_token(workspace_of(request), actor, token_id)
    return RedirectResponse("/admin/tokens", status_code=303)


def _groups_page(request: Request, actor: Actor, errors: dict[str, str] | None = None,
                 values: dict[str, Any] | None = None, status_code: int = 200):
    """The sharing-groups page: only the groups the admin's organisation is in, with their members."""
    return render(request, "admin/groups.html", {
        "groups": sharing.list_groups(workspace_of(request), actor), "errors": errors or {},
        "values": values or {"name": "", "description": "", "group": "", "member": "", "kind": "organisation"},
    }, status_code=status_code)


@router.get("/groups")
def groups_page(request: Request, actor: PageActor):
    """The sharing groups the user's organisation belongs to, with forms to create one and add or remove members.

    Every logged-in user may look; the services decide who may change what (admins and analysts create
    groups; the owner and members allowed to extend add members).
    """
    return _groups_page(request, actor)


@router.post("/groups")
def create_group(request: Request, actor: FormActor, name: Annotated[str, Form()] = "",
                 description: Annotated[str, Form()] = ""):
    """Create a sharing group owned by the user's organisation."""
    values = {"name": name, "description": description, "group": "", "member": "", "kind": "organisation"}
    try:
        sharing.create_group(workspace_of(request), actor, name, description.strip() or None)
    except (ValidationError, Conflict, PermissionDenied) as exc:
        errors = {"name": str(exc)} if not isinstance(exc, ValidationError) else _errors(exc, GROUP_FIELDS)
        return _groups_page(request, actor, errors, values, status_code=exc.http_status)
    return RedirectResponse("/groups", status_code=303)


@router.post("/groups/members")
def change_member(request: Request, actor: FormActor, group: Annotated[str, Form()] = "",
                  member: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "organisation",
                  change: Annotated[str, Form()] = "add", can_extend: Annotated[str | None, Form()] = None):
    """Add an organisation or a nation to a group (``change=add``), or remove it (``change=remove``)."""
    values = {"name": "", "description": "", "group": group, "member": member, "kind": kind}
    who = {"nation": member.strip() or None} if kind == "nation" else {"organisation": member.strip() or None}
    try:
        if change == "remove":
            sharing.remove_member(workspace_of(request), actor, group, **who)
        else:
            sharing.add_member(workspace_of(request), actor, group, can_extend=bool(can_extend), **who)
    except (ValidationError, Conflict, NotFound, PermissionDenied) as exc:
        errors = {f"member-{group}": str(exc)}
        return _groups_page(request, actor, errors, values, status_code=exc.http_status)
    return RedirectResponse("/groups", status_code=303)


__all__ = ["router", "require_admin", "AdminPage", "AdminForm"]
