"""Reading organisations (public reference data) and, for admins, the users of their organisation, page by page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..domain.errors import NotFound
from ..domain.sharing import Actor
from ..store.sharing import restrict
from ..store.tables import Organisation, User
from .auth import _require_admin, _user_dict
from .paging import KeysetPage, keyset_page
from .workspace import Workspace

ORGANISATION_SORTS = {"id": Organisation.id, "ref": Organisation.ref, "name": Organisation.name}
"""The keys an organisation list may be sorted by."""

USER_SORTS = {"id": User.id, "username": User.username}
"""The keys a user list may be sorted by."""


def page_organisations(workspace: Workspace, actor: Actor, *, kind: str | None = None, nation: str | None = None,
                       sort: str | None = "id", after: list[Any] | None = None, limit: int = 50,
                       with_total: bool = True) -> KeysetPage:
    """One keyset page of the organisations of the workspace (every user may see them: nations and bodies).

    Args:
        kind: only this kind (``nation``, ``nato_body``, ``international_body``, ``company``).
        nation: only organisations of this nation (ISO alpha-3).
        sort, after, limit: as for :func:`rapid_adoption.services.paging.keyset_page`.

    Raises:
        ValidationError: a bad sort, cursor or limit.
    """
    query = select(Organisation.id, Organisation.ref, Organisation.name, Organisation.kind, Organisation.nation_iso3,
                   Organisation.version)
    if kind:
        query = query.where(Organisation.kind == kind.strip().lower())
    if nation:
        query = query.where(Organisation.nation_iso3 == nation.strip().upper())
    with workspace.uow.read() as session:
        return keyset_page(session, restrict(query, actor), actor, id_column=Organisation.id, sorts=ORGANISATION_SORTS,
                           sort=sort, after=after, limit=limit, with_total=with_total)


def show_organisation(workspace: Workspace, actor: Actor, organisation_id: int) -> dict[str, Any]:
    """One organisation by id.

    Raises:
        NotFound: no such organisation.
    """
    with workspace.uow.read() as session:
        row = session.get(Organisation, organisation_id) if 0 < organisation_id < 2**63 else None
        if row is None:
            raise NotFound(f"no organisation {organisation_id}")
        return {"id": row.id, "ref": row.ref, "name": row.name, "kind": row.kind, "nation_iso3": row.nation_iso3,
                "version": row.version}


def _user_view(session, user: User) -> dict[str, Any]:
    return {**_user_dict(session, user), "version": user.version}


def page_users(workspace: Workspace, actor: Actor, *, sort: str | None = "id", after: list[Any] | None = None,
               limit: int = 50, with_total: bool = True) -> KeysetPage:
    """One keyset page of the users of the admin's organisation.

    Raises:
        PermissionDenied: the actor is not an admin.
        ValidationError: a bad sort, cursor or limit.
    """
    _require_admin(actor)
    query = select(User.id).where(User.organisation_id == actor.org_id)
    with workspace.uow.read() as session:
        page = keyset_page(session, restrict(query, actor), actor, id_column=User.id, sorts=USER_SORTS, sort=sort,
                           after=after, limit=limit, with_total=with_total)
        rows = [_user_view(session, session.get(User, r["id"])) for r in page.rows]
    return KeysetPage(page.total, rows, page.next_after)


def show_user(workspace: Workspace, actor: Actor, user_id: int) -> dict[str, Any]:
    """One user of the admin's organisation, by id (never its password hash).

    Raises:
        PermissionDenied: the actor is not an admin.
        NotFound: no such user in the actor's organisation.
    """
    _require_admin(actor)
    with workspace.uow.read() as session:
        user = session.get(User, user_id) if 0 < user_id < 2**63 else None
        if user is None or user.organisation_id != actor.org_id:
            raise NotFound(f"no user {user_id} in {actor.org_ref}")
        return _user_view(session, user)


def username_of(workspace: Workspace, actor: Actor, user_id: int) -> str:
    """The user name of a user of the admin's organisation.

    Raises:
        PermissionDenied: the actor is not an admin.
        NotFound: no such user in the actor's organisation.
    """
    return show_user(workspace, actor, user_id)["username"]


__all__ = ["ORGANISATION_SORTS", "USER_SORTS", "page_organisations", "page_users", "show_organisation", "show_user",
           "username_of"]
