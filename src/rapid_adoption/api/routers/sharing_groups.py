"""``/api/sharing-groups``: the sharing groups your organisation belongs to, and their members."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from ...domain.errors import NotFound
from ...services import sharing
from .. import problems
from ..deps import ActorDep, WorkspaceDep
from ..pagination import Page
from ..schemas import MemberIn, SharingGroup, SharingGroupIn, Text
from ._common import RecordId

router = APIRouter(prefix="/sharing-groups", tags=["Sharing groups"])


def _group(ws, actor, group_id: int) -> dict[str, Any]:
    """The group with ``group_id`` among the actor's groups.

    Raises:
        NotFound: not a group the actor's organisation belongs to (members only see a group).
    """
    for group in sharing.list_groups(ws, actor):
        if group["id"] == group_id:
            return group
    raise NotFound(f"no sharing group {group_id} that {actor.org_ref} belongs to")


@router.get("", response_model=Page[SharingGroup], responses=problems.responses(), summary="List your sharing groups")
def list_groups(ws: WorkspaceDep, actor: ActorDep) -> Any:
    """The groups your organisation belongs to, with their members, by name (one page: an organisation
    belongs to few groups, so `next_cursor` is always null)."""
    groups = sharing.list_groups(ws, actor)
    return {"items": groups, "total": len(groups), "next_cursor": None}


@router.post("", response_model=SharingGroup, status_code=status.HTTP_201_CREATED,
             responses=problems.responses(403, 409), summary="Create a sharing group")
def create_group(body: SharingGroupIn, ws: WorkspaceDep, actor: ActorDep, response: Response) -> Any:
    """Create a group owned by your organisation, which becomes its first member (roles admin or analyst)."""
    created = sharing.create_group(ws, actor, body.name, body.description)
    response.headers["Location"] = f"/api/sharing-groups/{created['id']}"
    return _group(ws, actor, created["id"])


@router.get("/{record_id}", response_model=SharingGroup, responses=problems.responses(404),
            summary="Show a sharing group")
def show_group(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep) -> Any:
    """One of your organisation's groups with its members; any other group is not found (404)."""
    return _group(ws, actor, record_id)


@router.post("/{record_id}/members", response_model=SharingGroup, status_code=status.HTTP_201_CREATED,
             responses=problems.responses(403, 404, 409), summary="Add a member")
def add_member(record_id: RecordId, body: MemberIn, ws: WorkspaceDep, actor: ActorDep) -> Any:
    """Add an organisation (by ref) or every organisation of a nation; the owner, or a member holding
    `can_extend`, may (roles admin or analyst)."""
    sharing.add_member(ws, actor, record_id, organisation=body.organisation, nation=body.nation,
                       can_extend=body.can_extend)
    return _group(ws, actor, record_id)


@router.delete("/{record_id}/members", response_model=SharingGroup, responses=problems.responses(403, 404),
               summary="Remove a member")
def remove_member(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep, organisation: Text | None = None,
                  nation: Text | None = None) -> Any:
    """Remove `organisation` (a ref) or `nation` (ISO alpha-3) from the group; the owner organisation only.
    It takes effect at once."""
    sharing.remove_member(ws, actor, record_id, organisation=organisation, nation=nation)
    return _group(ws, actor, record_id)


__all__ = ["router"]
