"""``/api/audit``: the audit log, filtered by the sharing rules."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ...services import audit
from .. import problems
from ..deps import ActorDep, WorkspaceDep
from ..pagination import Page
from ..schemas import INT32, AuditEntry, Text
from ._common import CountTotal, Cursor, Limit, after_of, page_of, sort_query

router = APIRouter(prefix="/audit", tags=["Audit log"])


@router.get("", response_model=Page[AuditEntry], responses=problems.responses(), summary="List audit entries")
def list_entries(ws: WorkspaceDep, actor: ActorDep, object_type: Text | None = None,
                 object_id: Annotated[int | None, Query(ge=0, le=INT32)] = None, action: Text | None = None,
                 limit: Limit = 50, cursor: Cursor = None, with_total: CountTotal = False,
                 sort: str = sort_query(audit.AUDIT_SORTS, "-id")) -> Any:
    """Audit entries you may see, newest first: entries about records the sharing filter lets you see now,
    your organisation's entries about users, tokens, groups and imports, and (role auditor) every entry of
    your organisation."""
    sort = sort or "-id"
    page = audit.page_entries(ws, actor, object_type=object_type, object_id=object_id, action=action, sort=sort,
                              after=after_of(cursor, sort), limit=limit, with_total=with_total)
    return page_of(page, sort)


__all__ = ["router"]
