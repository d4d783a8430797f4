"""``/api/organisations``: nations, NATO bodies, other international bodies and companies with accounts."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response

from ...services import directory
from .. import problems
from ..deps import ActorDep, WorkspaceDep
from ..pagination import Page
from ..schemas import Organisation, Text
from ._common import CountTotal, Cursor, Limit, RecordId, after_of, page_of, sort_query, tagged

router = APIRouter(prefix="/organisations", tags=["Organisations"])


@router.get("", response_model=Page[Organisation], responses=problems.responses(), summary="List organisations")
def list_organisations(ws: WorkspaceDep, actor: ActorDep,
                       kind: Literal["nation", "nato_body", "international_body", "company"] | None = None,
                       nation: Text | None = None, limit: Limit = 50, cursor: Cursor = None,
                       with_total: CountTotal = False,
                       sort: str = sort_query(directory.ORGANISATION_SORTS)) -> Any:
    """Every organisation of the workspace (reference data every user may see), optionally of one kind or nation."""
    sort = sort or "id"
    page = directory.page_organisations(ws, actor, kind=kind, nation=nation, sort=sort, after=after_of(cursor, sort),
                                        limit=limit, with_total=with_total)
    return page_of(page, sort)


@router.get("/{record_id}", response_model=Organisation, responses=problems.responses(404),
            summary="Show an organisation")
def show_organisation(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep, response: Response) -> Any:
    """One organisation."""
    return tagged(response, directory.show_organisation(ws, actor, record_id))


__all__ = ["router"]
