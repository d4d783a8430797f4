"""``/api/assessments``: market-research assessments, the records allies share."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from ...services import assessments
from ...services.assessments import AssessmentInput
from .. import problems
from ..deps import ActorDep, WorkspaceDep
from ..pagination import Page
from ..schemas import Assessment, AssessmentIn, AssessmentRow, AssessmentValues, Text
from ._common import (
    CountTotal,
    WRITE_PROBLEMS,
    Cursor,
    IfMatch,
    Limit,
    RecordId,
    add_sharing_route,
    after_of,
    optional_version,
    page_of,
    sort_query,
    tagged,
    version_of,
)

router = APIRouter(prefix="/assessments", tags=["Assessments"])


def _values(body: AssessmentValues) -> AssessmentInput:
    given = body.model_dump(exclude_unset=True, include=set(AssessmentValues.model_fields))
    if "sources" in given and given["sources"] is not None:
        given["sources"] = tuple(given["sources"])
    return AssessmentInput(**given)


@router.get("", response_model=Page[AssessmentRow], responses=problems.responses(404), summary="List assessments")
def list_assessments(ws: WorkspaceDep, actor: ActorDep, solution: Text | None = None, need: Text | None = None,
                     limit: Limit = 50, cursor: Cursor = None, with_total: CountTotal = False,
                     sort: str = sort_query(assessments.ASSESSMENT_SORTS, "-id")) -> Any:
    """The assessments you may see, newest first, optionally of one solution or need (id or ref)."""
    sort = sort or "-id"
    page = assessments.page_visible(ws, actor, solution=solution, need=need, sort=sort, after=after_of(cursor, sort),
                                    limit=limit, with_total=with_total)
    return page_of(page, sort)


@router.post("", response_model=Assessment, status_code=status.HTTP_201_CREATED,
             responses=problems.responses(403, 404, 409), summary="Record an assessment")
def create_assessment(body: AssessmentIn, ws: WorkspaceDep, actor: ActorDep, response: Response) -> Any:
    """Record your organisation's assessment of a solution (roles admin or analyst).

    Private (`organisation`, TLP:AMBER) unless you choose otherwise; inside a case it is never more
    visible than the case.
    """
    created = assessments.create(
        ws, actor, str(body.solution), _values(body), need=None if body.need is None else str(body.need),
        case=None if body.case is None else str(body.case), distribution=body.distribution, tlp=body.tlp,
        group=body.sharing_group_id, releasable_to=",".join(body.releasable_to))
    response.headers["Location"] = f"/api/assessments/{created['id']}"
    return tagged(response, created)


@router.get("/{record_id}", response_model=Assessment, responses=problems.responses(404), summary="Show an assessment")
def show_assessment(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep, response: Response) -> Any:
    """One assessment with its marking; a hidden one is not found (404)."""
    return tagged(response, assessments.show(ws, actor, str(record_id)))


@router.patch("/{record_id}", response_model=Assessment, responses=WRITE_PROBLEMS, summary="Change an assessment")
def update_assessment(record_id: RecordId, body: AssessmentValues, ws: WorkspaceDep, actor: ActorDep,
                      response: Response, if_match: IfMatch = None) -> Any:
    """Change the judgement (owner organisation; roles admin or analyst). `If-Match` required; stale is 409."""
    changed = assessments.update(ws, actor, str(record_id), _values(body), expected_version=version_of(if_match))
    return tagged(response, changed)


@router.delete("/{record_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               responses=problems.responses(403, 404, 409), summary="Delete an assessment")
def delete_assessment(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep, if_match: IfMatch = None) -> Response:
    """Delete an assessment of your organisation (roles admin or analyst)."""
    assessments.delete(ws, actor, str(record_id), expected_version=optional_version(if_match))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


add_sharing_route(router, "assessment", "assessment")

__all__ = ["router"]
