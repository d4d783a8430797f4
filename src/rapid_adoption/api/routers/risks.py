"""A case's risk register (``/api/cases/{id}/risks``, ``/api/risks/{id}``) and its ``tevv`` gate
(``/api/cases/{id}/tevv-gate``, ``/api/cases/{id}/tevv-overrides``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from ...domain.errors import Conflict
from ...services import tevv_risks, tevv_trials
from ...services.cases import CaseService
from .. import problems
from ..deps import ActorDep, WorkspaceDep
from ..schemas_tevv import OverrideIn, OverrideOut, Risk, RiskIn, RiskRegister, RiskScoreIn, TevvGate
from ._common import WRITE_PROBLEMS, IfMatch, RecordId, tagged, version_of

case_router = APIRouter(prefix="/cases", tags=["Risks and the TEVV gate"])
router = APIRouter(prefix="/risks", tags=["Risks and the TEVV gate"])


@case_router.get("/{record_id}/risks", response_model=RiskRegister, responses=problems.responses(404),
                 summary="List a case's risks")
def list_risks(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep) -> Any:
    """The case's risk register, highest current score first, each with its score history, and the burn-down of
    the register's total score over time. Risks follow their case: a hidden case is not found (404)."""
    return tevv_risks.list_risks(ws, actor, str(record_id))


@case_router.post("/{record_id}/risks", response_model=Risk, status_code=status.HTTP_201_CREATED,
                  responses=problems.responses(403, 404), summary="Add a risk")
def add_risk(record_id: RecordId, body: RiskIn, ws: WorkspaceDep, actor: ActorDep, response: Response) -> Any:
    """Add a risk to an open case's register with its initial score on the 5x5 matrix (likelihood x impact).
    The case's owner organisation only; roles admin, analyst or board."""
    CaseService(ws, actor).show(record_id)  # a hidden case is not found (404) whatever the role
    made = tevv_risks.add_risk(ws, actor, str(record_id), category=body.category, title=body.title,
                               likelihood=body.likelihood_1_to_5, impact=body.impact_1_to_5,
                               risk_owner=body.risk_owner, mitigations=body.mitigations,
                               description=body.description, recorded_at=body.recorded_at)
    response.headers["Location"] = f"/api/risks/{made['id']}"
    return tagged(response, made)


@router.get("/{record_id}", response_model=Risk, responses=problems.responses(404), summary="Show a risk")
def show_risk(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep, response: Response) -> Any:
    """One risk with its current score and its score history (initial, then residual scores), oldest first."""
    return tagged(response, tevv_risks.show_risk(ws, actor, str(record_id)))


@router.post("/{record_id}/scores", response_model=Risk, responses=WRITE_PROBLEMS, summary="Score a risk")
def score_risk(record_id: RecordId, body: RiskScoreIn, ws: WorkspaceDep, actor: ActorDep, response: Response,
               if_match: IfMatch = None) -> Any:
    """Record a residual score of the risk (after a completed trial of its case, when `trial` is given); it
    becomes the risk's current score. The case's owner organisation (admin, analyst or board); `If-Match` with
    the risk's version."""
    expected = version_of(if_match)
    current = tevv_risks.show_risk(ws, actor, str(record_id))["version"]
    if current != expected:
        raise Conflict(f"risk {record_id} is at version {current}, not {expected}: reload and try again")
    scored = tevv_risks.score_risk(ws, actor, str(record_id), likelihood=body.likelihood_1_to_5,
                                   impact=body.impact_1_to_5, trial=None if body.trial is None else str(body.trial),
                                   note=body.note, add_mitigations=body.add_mitigations,
                                   recorded_at=body.recorded_at)
    return tagged(response, scored)


@case_router.get("/{record_id}/tevv-gate", response_model=TevvGate, responses=problems.responses(404),
                 summary="Show a case's TEVV gate")
def tevv_gate(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep) -> Any:
    """What the case's `tevv` gate needs now: for each procedure version of its trials, the use cases passed,
    missing (no completed trial) and failed, the board's overrides, and the gate's message when it would refuse."""
    return tevv_trials.gate_status(ws, actor, str(record_id))


@case_router.post("/{record_id}/tevv-overrides", response_model=OverrideOut, status_code=status.HTTP_201_CREATED,
                  responses=problems.responses(403, 404), summary="Override a failed use case")
def override_use_case(record_id: RecordId, body: OverrideIn, ws: WorkspaceDep, actor: ActorDep,
                      response: Response) -> Any:
    """The board lets a failed use case pass the case's `tevv` gate, with its rationale (the case's owner
    organisation; roles admin or board; the case in `tevv`)."""
    CaseService(ws, actor).show(record_id)  # a hidden case is not found (404) whatever the role
    made = tevv_trials.record_override(ws, actor, str(record_id), body.use_case, body.rationale,
                                       procedure=None if body.procedure is None else str(body.procedure))
    response.headers["Location"] = f"/api/cases/{record_id}/tevv-gate"
    return made


__all__ = ["case_router", "router"]
