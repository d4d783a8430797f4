"""Market-research assessments: the list, the form with its sharing controls, a page per assessment with its
marking banner, and (for the owner) a form to change its sharing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from ...domain.errors import Conflict, NotFound, RapidError, ValidationError
from ...domain.types import TLP, Distribution
from ...services import assessments, sharing
from ...services.assessments import WRITE_ROLES, AssessmentInput
from ..render import render
from ..session import FormActor, PageActor
from .common import PAGE_SIZE, form_errors, make_pager, page_number, workspace_of

router = APIRouter(include_in_schema=False)

ASSESSMENT_FIELDS = ("solution", "need", "case", "trl", "mrl", "fit_0_to_100", "strengths", "weaknesses", "risks",
                     "sources", "distribution", "tlp", "group", "releasable_to")
"""The fields of the assessment form, in the order the form shows them."""

SHARE_FIELDS = ("distribution", "tlp", "group", "releasable_to")
"""The fields of the sharing form on an assessment's page."""

NOT_FOUND_FIELDS = {"no solution": "solution", "no capability need": "need", "no adoption case": "case",
                    "no sharing group": "group"}
"""Which form field a "not found" message is about, by the message's start."""


def _errors_of(exc: RapidError, fields: tuple[str, ...]) -> dict[str, str]:
    """The form errors of a service error; a "not found" goes next to the field whose record was not found."""
    if isinstance(exc, NotFound):
        for start, field in NOT_FOUND_FIELDS.items():
            if str(exc).startswith(start) and field in fields:
                return {field: str(exc)}
        return {"_form": str(exc)}
    return form_errors(exc, fields)


def _choices(request: Request, actor) -> dict[str, Any]:
    """The choices of the sharing controls: distributions, TLP labels, and the groups the actor's organisation is in."""
    return {"distributions": [d.value for d in Distribution], "tlps": [t.value for t in TLP],
            "groups": [g["name"] for g in sharing.list_groups(workspace_of(request), actor)]}


@router.get("/assessments")
def assessments_list(request: Request, actor: PageActor, page: str | None = None):
    """The assessments the actor may see, newest first, with their markings."""
    number = page_number(page)
    total, rows = assessments.list_visible(workspace_of(request), actor, limit=PAGE_SIZE,
                                           offset=(number - 1) * PAGE_SIZE)
    return render(request, "assessments.html", {"assessments": rows, "pager": make_pager(request, number, total, len(rows)),
                                                "can_assess": actor.has_role(*WRITE_ROLES)})


@router.get("/assessments/new")
def new_assessment(request: Request, actor: PageActor, solution: str = "", need: str = "", case: str = ""):
    """The assessment form, with its sharing controls (private by default: organisation, TLP:AMBER)."""
    values = {f: "" for f in ASSESSMENT_FIELDS}
    values.update(solution=solution, need=need, case=case, distribution=Distribution.ORGANISATION.value,
                  tlp=TLP.AMBER.value)
    return render(request, "assessment_form.html", {"values": values, "errors": {}, **_choices(request, actor),
                                                    "can_assess": actor.has_role(*WRITE_ROLES)})


@router.post("/assessments")
def create_assessment(request: Request, actor: FormActor, solution: Annotated[str, Form()] = "",
                      need: Annotated[str, Form()] = "", case: Annotated[str, Form()] = "",
                      trl: Annotated[str, Form()] = "", mrl: Annotated[str, Form()] = "",
                      fit_0_to_100: Annotated[str, Form()] = "", strengths: Annotated[str, Form()] = "",
                      weaknesses: Annotated[str, Form()] = "", risks: Annotated[str, Form()] = "",
                      sources: Annotated[str, Form()] = "", distribution: Annotated[str, Form()] = "organisation",
                      tlp: Annotated[str, Form()] = "AMBER", group: Annotated[str, Form()] = "",
                      releasable_to: Annotated[str, Form()] = ""):
    """Record an assessment by the actor's organisation, shared as the form says; then go to its page.

    Levels are checked by the service (TRL 1-9, MRL 1-10, fit 0-100); a refused form comes back with
    the message next to the field and what was typed kept.
    """
    values = {"solution": solution, "need": need, "case": case, "trl": trl, "mrl": mrl, "fit_0_to_100": fit_0_to_100,
              "strengths": strengths, "weaknesses": weaknesses, "risks": risks, "sources": sources,
              "distribution": distribution, "tlp": tlp, "group": group, "releasable_to": releasable_to}
    try:
        if not solution.strip():
            raise ValidationError("give the solution's ref or id", field="solution")
        data = AssessmentInput(
            trl=trl.strip() or None, mrl=mrl.strip() or None, fit_0_to_100=fit_0_to_100.strip() or None,
            strengths=strengths or None, weaknesses=weaknesses or None, risks=risks or None,
            sources=tuple(line.strip() for line in sources.splitlines() if line.strip()))
        view = assessments.create(workspace_of(request), actor, solution.strip(), data, need=need.strip() or None,
                                  case=case.strip() or None, distribution=distribution, tlp=tlp,
                                  group=group.strip() or None, releasable_to=releasable_to)
    except (ValidationError, NotFound, Conflict) as exc:
        return render(request, "assessment_form.html",
                      {"values": values, "errors": _errors_of(exc, ASSESSMENT_FIELDS), **_choices(request, actor),
                       "can_assess": True}, status_code=exc.http_status)
    return RedirectResponse(f"/assessments/{view['id']}", status_code=303)


def _page(request: Request, actor, ident: str, errors: dict[str, str] | None = None,
          values: dict[str, str] | None = None, status_code: int = 200):
    """An assessment's page; ``errors`` and ``values`` refill the sharing form after a refused change.

    Raises:
        NotFound: the assessment is missing or hidden from the actor.
    """
    view = assessments.show(workspace_of(request), actor, ident)
    if values is None:
        values = {"distribution": view["distribution"], "tlp": view["tlp"], "group": view["sharing_group"] or "",
                  "releasable_to": ",".join(view["releasable_to"])}
    return render(request, "assessment.html", {
        "a": view, "errors": errors or {}, "values": values, **_choices(request, actor),
        "can_share": view["owner"] == actor.org_ref and actor.has_role(*sharing.SHARE_ROLES)}, status_code=status_code)


@router.get("/assessments/{ident}")
def assessment_page(request: Request, actor: PageActor, ident: str):
    """One assessment with its marking banner, e.g. "TLP:AMBER · Sharing group: Nordic-Baltic"."""
    return _page(request, actor, ident)


@router.post("/assessments/{ident}/share")
def share_assessment(request: Request, actor: FormActor, ident: str, distribution: Annotated[str, Form()] = "",
                     tlp: Annotated[str, Form()] = "", group: Annotated[str, Form()] = "",
                     releasable_to: Annotated[str, Form()] = ""):
    """Change the assessment's sharing (its owner only); then back to its page with the new banner."""
    view = assessments.show(workspace_of(request), actor, ident)  # 404 for a hidden one, before anything else
    values = {"distribution": distribution, "tlp": tlp, "group": group, "releasable_to": releasable_to}
    try:
        sharing.share(workspace_of(request), actor, f"assessment:{view['id']}", distribution=distribution or None,
                      group=group.strip() or None if distribution == Distribution.SHARING_GROUP.value else None,
                      tlp=tlp or None, releasable_to=releasable_to)
    except (ValidationError, NotFound) as exc:
        return _page(request, actor, ident, _errors_of(exc, SHARE_FIELDS), values, status_code=exc.http_status)
    return RedirectResponse(f"/assessments/{view['id']}", status_code=303)


__all__ = ["router", "ASSESSMENT_FIELDS", "SHARE_FIELDS"]
