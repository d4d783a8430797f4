"""Badge pages for logged-in users: the badges they may see, one badge with its downloads, and (for its issuer's
admins and board) the forms to revoke, suspend, unsuspend and list or unlist it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ...domain.errors import Conflict, ValidationError
from ...services import badges
from ..render import render
from ..session import FormActor, PageActor
from .common import form_errors, workspace_of

router = APIRouter(include_in_schema=False)

ACTIONS = ("revoke", "suspend", "unsuspend", "listing")
"""The forms of a badge's page."""
STATUSES = ("active", "suspended", "revoked")


@router.get("/badges")
def badges_page(request: Request, actor: PageActor, status: str = ""):
    """The badges the user may see (those of cases they may see), newest first, optionally of one status."""
    wanted = status if status in STATUSES else None
    page = badges.page_badges(workspace_of(request), actor, status=wanted, sort="-id", limit=500)
    return render(request, "badges/list.html", {"rows": page.rows, "total": page.total, "status": wanted or "",
                                                "statuses": STATUSES})


def _context(request: Request, actor, ident: str) -> dict[str, Any]:
    view = badges.show_badge(workspace_of(request), actor, ident)
    return {"badge": view, "summary": badges.credential_summary(view["credential"]), "errors": {}, "action": None,
            "reason": "",
            "can_change": view["issuer"] == actor.org_ref and actor.has_role(*badges.DECIDE_ROLES)}


@router.get("/badges/{ident}")
def badge_page(request: Request, actor: PageActor, ident: str):
    """One badge: its scores, evidence, status and status lists, downloads, and the issuer's forms."""
    return render(request, "badges/badge.html", _context(request, actor, ident))


@router.get("/badges/{ident}/download")
def badge_download(request: Request, actor: PageActor, ident: str, format: str = "json"):  # noqa: A002
    """The badge as a file: ``?format=json`` (the signed credential) or ``?format=jwt``."""
    text, media, name = badges.download(workspace_of(request), actor, ident, format)
    return Response(text, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/badges/{ident}/{action}")
def badge_change(request: Request, actor: FormActor, ident: str, action: str, reason: Annotated[str, Form()] = "",
                 listed: Annotated[str, Form()] = "", version: Annotated[str, Form()] = ""):
    """Revoke, suspend or unsuspend the badge with a reason, or change its listing; then back to its page.

    A refused change (an empty reason, a revoked badge, a stale version) shows the page again with the message.
    """
    context = _context(request, actor, ident)  # 404 for a hidden badge before anything else
    if action not in ACTIONS:
        raise ValidationError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}", field="action")
    expected = int(version) if version.strip().isdigit() and len(version.strip()) < 10 else None
    workspace = workspace_of(request)
    try:
        if action == "listing":
            badges.set_listed(workspace, actor, context["badge"]["id"], listed == "yes", expected_version=expected)
        else:
            badges.change_status(workspace, actor, context["badge"]["id"], action, reason, expected_version=expected)
    except (ValidationError, Conflict) as exc:
        context.update(errors=form_errors(exc, ("reason",)), action=action, reason=reason)
        return render(request, "badges/badge.html", context, status_code=exc.http_status)
    return RedirectResponse(f"/badges/{context['badge']['id']}", status_code=303)


__all__ = ["router"]
