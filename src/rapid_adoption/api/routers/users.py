"""``/api/users``: the users of your organisation (admins only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from ...services import auth, directory
from .. import problems
from ..deps import ActorDep, WorkspaceDep
from ..pagination import Page
from ..schemas import User, UserIn, UserPatch
from ._common import (WRITE_PROBLEMS, CountTotal, Cursor, IfMatch, Limit, RecordId, after_of, page_of, sort_query,
                      tagged, version_of)

router = APIRouter(prefix="/users", tags=["Users"])


@router.get("", response_model=Page[User], responses=problems.responses(403), summary="List users")
def list_users(ws: WorkspaceDep, actor: ActorDep, limit: Limit = 50, cursor: Cursor = None,
               with_total: CountTotal = False,
               sort: str = sort_query(directory.USER_SORTS)) -> Any:
    """The users of your organisation (role admin)."""
    sort = sort or "id"
    return page_of(directory.page_users(ws, actor, sort=sort, after=after_of(cursor, sort), limit=limit,
                                        with_total=with_total), sort)


@router.post("", response_model=User, status_code=status.HTTP_201_CREATED, responses=problems.responses(403, 404, 409),
             summary="Create a user")
def create_user(body: UserIn, ws: WorkspaceDep, actor: ActorDep, response: Response) -> Any:
    """Create a user of your organisation (role admin); an admin of the workspace's own organisation may
    onboard another organisation's users. A taken user name answers 409."""
    created = auth.create_user(ws, actor, body.username, body.organisation or actor.org_ref, list(body.roles),
                               password=body.password, display_name=body.display_name)
    response.headers["Location"] = f"/api/users/{created['id']}"
    return tagged(response, directory.show_user(ws, actor, created["id"]) if created["organisation"] == actor.org_ref
                  else {**created, "version": 1})


@router.get("/{record_id}", response_model=User, responses=problems.responses(403, 404), summary="Show a user")
def show_user(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep, response: Response) -> Any:
    """One user of your organisation (role admin)."""
    return tagged(response, directory.show_user(ws, actor, record_id))


@router.patch("/{record_id}", response_model=User, responses=WRITE_PROBLEMS, summary="Deactivate or reactivate a user")
def update_user(record_id: RecordId, body: UserPatch, ws: WorkspaceDep, actor: ActorDep, response: Response,
                if_match: IfMatch = None) -> Any:
    """Set `active` (role admin; `If-Match` with the user's version). A deactivated user's tokens stop working."""
    expected = version_of(if_match)
    auth.set_active(ws, actor, directory.username_of(ws, actor, record_id), body.active, expected_version=expected)
    return tagged(response, directory.show_user(ws, actor, record_id))


__all__ = ["router"]
