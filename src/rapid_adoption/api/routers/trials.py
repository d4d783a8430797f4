"""``/api/trials`` and ``/api/schedule``: trials at test centres, their status and results per use case, and the
CP-SAT schedule of requested trials across the network."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status

from ...services import tevv_schedule, tevv_trials
from ...services.cases import CaseService
from ...services.tevv_trials import TrialRequestInput
from .. import problems
from ..deps import ActorDep, WorkspaceDep
from ..pagination import Page
from ..schemas import Text
from ..schemas_tevv import (
    CancelIn,
    Gantt,
    ResultIn,
    ScheduleIn,
    SchedulePlan,
    ScheduleTrialIn,
    Trial,
    TrialIn,
    TrialRow,
    TrialStatusName,
)
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

router = APIRouter(prefix="/trials", tags=["Trials"])
schedule_router = APIRouter(prefix="/schedule", tags=["Trials"])

UseCaseKey = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=60,
                                 description="The use case's key, e.g. `point_defence`.")]


def _shown(ws, actor, trial_id: int, response: Response) -> dict[str, Any]:
    return tagged(response, tevv_trials.show_trial(ws, actor, trial_id))


@router.get("", response_model=Page[TrialRow], responses=problems.responses(404), summary="List trials")
def list_trials(ws: WorkspaceDep, actor: ActorDep, status: TrialStatusName | None = None, case: Text | None = None,
                solution: Text | None = None, centre: Text | None = None,
                procedure: Text | None = Query(None, description="A procedure's id, ref (every version) or REF@N."),
                limit: Limit = 50, cursor: Cursor = None, with_total: CountTotal = False,
                sort: str = sort_query(tevv_trials.TRIAL_SORTS)) -> Any:
    """The trials you may see, optionally with one status, of one case, solution or centre (id or ref; 404 when
    you may not see it), or under one procedure."""
    sort = sort or "id"
    page = tevv_trials.page_trials(ws, actor, status=status, case=case, solution=solution, centre=centre,
                                   procedure=procedure, sort=sort, after=after_of(cursor, sort), limit=limit,
                                   with_total=with_total)
    return page_of(page, sort)


@router.post("", response_model=Trial, status_code=status.HTTP_201_CREATED,
             responses=problems.responses(403, 404, 409), summary="Request a trial")
def request_trial(body: TrialIn, ws: WorkspaceDep, actor: ActorDep, response: Response) -> Any:
    """Request a trial of a solution under a procedure version (status `requested`; no centre or window yet).

    Roles admin, analyst or board. A trial in a case needs the case's owner organisation and takes the case's
    marking; otherwise it is your organisation's, shared with the community at TLP:GREEN.
    """
    if body.case is not None:
        CaseService(ws, actor).show(body.case)  # a hidden case is not found (404) whatever the role
    values = TrialRequestInput(
        procedure=body.procedure, case=body.case, solution=body.solution, use_cases=body.use_cases,
        test_domain=body.test_domain, duration_weeks=body.duration_weeks, ready_on=body.ready_on,
        capabilities=body.capabilities, ref=body.ref, demonstration=body.demonstration, notes=body.notes)
    made = tevv_trials.request_trial(ws, actor, values)
    response.headers["Location"] = f"/api/trials/{made['id']}"
    return tagged(response, made)


@router.get("/{record_id}", response_model=Trial, responses=problems.responses(404), summary="Show a trial")
def show_trial(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep, response: Response) -> Any:
    """One trial with its procedure, centre, window, results and each use case's state; a hidden trial is not
    found (404)."""
    return _shown(ws, actor, record_id, response)


@router.post("/{record_id}/schedule", response_model=Trial, responses=WRITE_PROBLEMS, summary="Schedule a trial")
def schedule_trial(record_id: RecordId, body: ScheduleTrialIn, ws: WorkspaceDep, actor: ActorDep, response: Response,
                   if_match: IfMatch = None) -> Any:
    """Schedule a requested trial (or move a scheduled one) at a centre from the week of `start`, by hand.

    The trial's owner organisation (admin, analyst, board or test_centre) or the centre's (admin or test_centre).
    The centre must support the trial's test domain and capabilities, and have room in every week (422 names the
    week otherwise). `If-Match` with the trial's version.
    """
    tevv_trials.schedule_trial(ws, actor, record_id, str(body.centre), body.start,
                               expected_version=version_of(if_match))
    return _shown(ws, actor, record_id, response)


@router.post("/{record_id}/start", response_model=Trial, responses=WRITE_PROBLEMS, summary="Start a trial")
def start_trial(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep, response: Response,
                if_match: IfMatch = None) -> Any:
    """Start a scheduled trial once its window has begun (the trial's or its centre's organisation; admin,
    analyst or test_centre). `If-Match` with the trial's version."""
    tevv_trials.start_trial(ws, actor, record_id, expected_version=version_of(if_match))
    return _shown(ws, actor, record_id, response)


@router.put("/{record_id}/results/{use_case}", response_model=Trial, responses=WRITE_PROBLEMS,
            summary="Record a use case's result")
def record_result(record_id: RecordId, use_case: UseCaseKey, body: ResultIn, ws: WorkspaceDep, actor: ActorDep,
                  response: Response, if_match: IfMatch = None) -> Any:
    """Record (or correct) the result of one use case of a running trial: every measure's value, the 1-10 score
    by the rubric, notes and evidence links. The outcome (pass or fail) comes from the procedure's thresholds.

    A scheduled trial whose window has begun starts first. A completed trial's results are final. The trial's or
    its centre's organisation (admin, analyst or test_centre); `If-Match` with the trial's version.
    """
    measured = {key: (value.value, value.unit) for key, value in body.measured.items()}
    tevv_trials.record_result(ws, actor, record_id, use_case, measured, body.score_1_to_10, notes=body.notes,
                              evidence=body.evidence, expected_version=version_of(if_match))
    return _shown(ws, actor, record_id, response)


@router.post("/{record_id}/complete", response_model=Trial, responses=WRITE_PROBLEMS, summary="Complete a trial")
def complete_trial(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep, response: Response,
                   if_match: IfMatch = None) -> Any:
    """Complete a running trial whose use cases all have results (422 names those without). `If-Match` with the
    trial's version."""
    tevv_trials.complete_trial(ws, actor, record_id, expected_version=version_of(if_match))
    return _shown(ws, actor, record_id, response)


@router.post("/{record_id}/cancel", response_model=Trial, responses=WRITE_PROBLEMS, summary="Cancel a trial")
def cancel_trial(record_id: RecordId, body: CancelIn, ws: WorkspaceDep, actor: ActorDep, response: Response,
                 if_match: IfMatch = None) -> Any:
    """Cancel a trial that is not final, with a reason (the trial's or its centre's organisation; admin, analyst,
    board or test_centre). `If-Match` with the trial's version."""
    tevv_trials.cancel_trial(ws, actor, record_id, body.reason, expected_version=version_of(if_match))
    return _shown(ws, actor, record_id, response)


add_sharing_route(router, "trial", "trial")


@schedule_router.get("", response_model=Gantt, responses=problems.responses(404), summary="Show the schedule")
def show_schedule(ws: WorkspaceDep, actor: ActorDep,
                  weeks: int = Query(26, ge=1, le=104, description="Weeks shown from this week's Monday."),
                  centre: Text | None = Query(None, description="Only this centre (id or ref).")) -> Any:
    """The scheduled and running trials you may see whose window meets the next `weeks` weeks, by centre, with
    each centre's capacity and weekly load (every organisation's trials, counted only): the data of a Gantt chart."""
    return tevv_schedule.plan(ws, actor, weeks=weeks, centre=centre)


@schedule_router.post("", response_model=SchedulePlan, responses=problems.responses(403, 404),
                      summary="Schedule requested trials")
def run_scheduler(body: ScheduleIn, ws: WorkspaceDep, actor: ActorDep) -> Any:
    """Place your organisation's requested trials (or those named) at test centres and weeks with CP-SAT.

    Constraints: the centre's test domains and capabilities, its capacity and blackout weeks, the solution's
    ready date and the trial's duration. Objective: least total weighted lateness against each case's TEVV
    deadline, then a centre in the solution's or the requesting nation. The answer has the solver's bound and
    gap, the greedy baseline's figures, and the reason for each trial not placed. With `dry_run` nothing is
    scheduled. Roles admin, analyst, board or test_centre.
    """
    trials = [str(t) for t in body.trials] if body.trials is not None else None
    return tevv_schedule.schedule_requested(ws, actor, trials=trials, horizon_weeks=body.horizon_weeks,
                                            time_limit_seconds=body.time_limit_seconds, seed=body.seed,
                                            dry_run=body.dry_run)


__all__ = ["router", "schedule_router"]
