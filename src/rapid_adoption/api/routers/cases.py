"""``/api/cases``: adoption cases, their clock and their gate decisions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from ...domain.types import Stage
from ...services import cases
from ...services.cases import CaseService
from .. import problems
from ..deps import ActorDep, WorkspaceDep
from ..pagination import Page
from ..schemas import AdvanceIn, Case, CaseIn, CaseRow, DecisionIn, StageName, Text
from ._common import (
    CountTotal,
    WRITE_PROBLEMS,
    Cursor,
    IfMatch,
    Limit,
    RecordId,
    add_sharing_route,
    after_of,
    page_of,
    sort_query,
    tagged,
    version_of,
)

router = APIRouter(prefix="/cases", tags=["Adoption cases"])
DECISION_PROBLEMS = problems.responses(403, 404, 409, 428)


def _shown(ws, actor, case_id: int, response: Response) -> dict[str, Any]:
    return tagged(response, CaseService(ws, actor).show(case_id).as_dict())


@router.get("", response_model=Page[CaseRow], responses=problems.responses(404), summary="List adoption cases")
def list_cases(ws: WorkspaceDep, actor: ActorDep, stage: StageName | None = None, need: Text | None = None,
               solution: Text | None = None, owner: Text | None = None, limit: Limit = 50, cursor: Cursor = None,
               with_total: CountTotal = False,
               sort: str = sort_query(cases.CASE_SORTS)) -> Any:
    """The cases you may see (with their need and solution), optionally at one stage, on one need or solution
    (id or ref; 404 when you may not see it), or of one owner organisation (its ref)."""
    sort = sort or "id"
    page = cases.page_cases(ws, actor, stage=stage, need=need, solution=solution, owner=owner, sort=sort,
                            after=after_of(cursor, sort), limit=limit, with_total=with_total)
    return page_of(page, sort)


@router.post("", response_model=Case, status_code=status.HTTP_201_CREATED,
             responses=problems.responses(403, 404, 409), summary="Open an adoption case")
def open_case(body: CaseIn, ws: WorkspaceDep, actor: ActorDep, response: Response) -> Any:
    """Open a case tying a need to a solution, owned by your organisation (roles admin, analyst or board).

    409 when your organisation already has an open case on the same need and solution.
    """
    case_id = CaseService(ws, actor).open(body.need, body.solution, cots=body.cots, opened_at=body.opened_at,
                                          ref=body.ref)
    response.headers["Location"] = f"/api/cases/{case_id}"
    return _shown(ws, actor, case_id, response)


@router.get("/{record_id}", response_model=Case, responses=problems.responses(404), summary="Show an adoption case")
def show_case(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep, response: Response) -> Any:
    """The case with its clock now, its stage deadlines and its timeline of gate decisions."""
    return _shown(ws, actor, record_id, response)


@router.post("/{record_id}/advance", response_model=Case, responses=DECISION_PROBLEMS, summary="Pass a gate")
def advance_case(record_id: RecordId, body: AdvanceIn, ws: WorkspaceDep, actor: ActorDep, response: Response,
                 if_match: IfMatch = None) -> Any:
    """Pass the current stage's gate into `to`, the next stage (roles admin or board; owner organisation only).

    Send `If-Match` with the case's version. A move that skips a stage or leaves a closed case answers 422.
    """
    CaseService(ws, actor).advance(record_id, Stage(body.to), body.rationale, body.evidence,
                                   decided_at=body.decided_at, expected_version=version_of(if_match))
    return _shown(ws, actor, record_id, response)


@router.post("/{record_id}/reject", response_model=Case, responses=DECISION_PROBLEMS, summary="Reject a case")
def reject_case(record_id: RecordId, body: DecisionIn, ws: WorkspaceDep, actor: ActorDep, response: Response,
                if_match: IfMatch = None) -> Any:
    """Close the case as `rejected` at its current gate (roles admin or board; `If-Match` required)."""
    CaseService(ws, actor).close(record_id, Stage.REJECTED, body.rationale, body.evidence,
                                 decided_at=body.decided_at, expected_version=version_of(if_match))
    return _shown(ws, actor, record_id, response)


@router.post("/{record_id}/withdraw", response_model=Case, responses=DECISION_PROBLEMS, summary="Withdraw a case")
def withdraw_case(record_id: RecordId, body: DecisionIn, ws: WorkspaceDep, actor: ActorDep, response: Response,
                  if_match: IfMatch = None) -> Any:
    """Close the case as `withdrawn` (roles admin or board; `If-Match` required)."""
    CaseService(ws, actor).close(record_id, Stage.WITHDRAWN, body.rationale, body.evidence,
                                 decided_at=body.decided_at, expected_version=version_of(if_match))
    return _shown(ws, actor, record_id, response)


add_sharing_route(router, "case", "adoption case")

__all__ = ["router", "WRITE_PROBLEMS"]
