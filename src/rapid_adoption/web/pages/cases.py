"""A case's page: its clock, its timeline of gate decisions, and the forms to advance, reject or withdraw it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from ...domain.errors import Conflict, GateNotSatisfied, ValidationError
from ...domain.pipeline import next_stage
from ...domain.types import ACTIVE_STAGES, Stage
from ...services.cases import DECIDE_ROLES, CaseService
from ..render import render
from ..session import FormActor, PageActor
from .common import form_errors, workspace_of
from .tevv import case_testing

router = APIRouter(include_in_schema=False)

DECISION_FIELDS = ("rationale", "evidence", "version")
"""The fields of the gate-decision forms (advance, reject, withdraw)."""

ACTIONS = ("advance", "reject", "withdraw")
"""The gate decisions a case's page offers."""


def evidence_links(text: str) -> list[str]:
    """The evidence links typed into the form: one per line (blank lines ignored)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _version(text: str) -> int | None:
    """The case version the form was made from, or None when the form did not send one.

    Raises:
        ValidationError: field ``version``, when it is not a whole number.
    """
    if not text.strip():
        return None
    if not (text.strip().isascii() and text.strip().isdigit()) or len(text.strip()) > 9:
        raise ValidationError(f"must be a whole number, got {text!r}", field="version")
    return int(text.strip())


def _context(request: Request, actor, ident: str) -> dict[str, Any]:
    """The case's page: the view, the next stage, and whether the actor may decide at its gates.

    Raises:
        NotFound: the case (or its need or solution) is missing or hidden from the actor.
    """
    workspace = workspace_of(request)
    view = CaseService(workspace, actor).show(ident)
    stage = Stage(view.case["stage"])
    return {"view": view, "case": view.case, "budgets": workspace.settings.budgets,
            "next_stage": None if stage.is_terminal else next_stage(stage).value,
            "active": [s.value for s in ACTIVE_STAGES],
            "can_decide": actor.has_role(*DECIDE_ROLES) and view.case["owner"] == actor.org_ref and not stage.is_terminal,
            "errors": {}, "action": None, "values": {"rationale": "", "evidence": ""},
            "testing": case_testing(request, actor, view.case)}  # trials, tevv gate coverage, risks, burn-down


@router.get("/cases/{ident}")
def case_page(request: Request, actor: PageActor, ident: str):
    """A case with its marking, clock, stage deadlines, timeline and (for its board) the gate forms."""
    return render(request, "case.html", _context(request, actor, ident))


@router.post("/cases/{ident}/{action}")
def decide(request: Request, actor: FormActor, ident: str, action: str, rationale: Annotated[str, Form()] = "",
           evidence: Annotated[str, Form()] = "", version: Annotated[str, Form()] = ""):
    """Advance the case to its next stage, or close it as rejected or withdrawn; then back to the case's page.

    A refused decision (empty rationale, bad link, stale version, closed case) re-renders the page
    with the message next to the field and what was typed kept.
    """
    context = _context(request, actor, ident)  # 404 for a hidden case, before anything else
    if action not in ACTIONS:
        raise ValidationError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}", field="action")
    service = CaseService(workspace_of(request), actor)
    case_id = context["case"]["id"]
    try:
        expected = _version(version)
        links = evidence_links(evidence)
        if action == "advance":
            if context["next_stage"] is None:
                raise GateNotSatisfied(f"the case is {context['case']['stage']}: a closed case cannot move")
            service.advance(case_id, Stage(context["next_stage"]), rationale, links, expected_version=expected)
        else:
            service.close(case_id, Stage.REJECTED if action == "reject" else Stage.WITHDRAWN, rationale, links,
                          expected_version=expected)
    except (ValidationError, GateNotSatisfied, Conflict) as exc:
        context.update(errors=form_errors(exc, DECISION_FIELDS), action=action,
                       values={"rationale": rationale, "evidence": evidence})
        return render(request, "case.html", context, status_code=exc.http_status)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


__all__ = ["router", "evidence_links", "ACTIONS", "DECISION_FIELDS"]
