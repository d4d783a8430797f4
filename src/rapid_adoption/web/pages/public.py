"""Public pages, with no login: verify a badge, a listed badge's page, a company's badges, the signed status lists
and the did:web documents.

The verify form changes nothing (it only reads the workspace's trusted issuers and status lists), so it needs no
CSRF token; it still takes at most 1 MB, as text or as an uploaded file. A logged-in user sees the usual header.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from ...api.problems import problem_for, problem_response
from ...domain.errors import NotFound, RapidError, ValidationError
from ...services import badges, issuers
from ..render import render
from ..session import LoginRequired, page_actor
from .common import workspace_of

router = APIRouter(include_in_schema=False)

CREDENTIAL_MEDIA_TYPE = "application/json"
"""Served for status list credentials and DID documents (plain JSON, so any client reads them)."""


def optional_actor(request: Request) -> None:
    """Recognise a logged-in user (for the page header) without requiring a login."""
    try:
        page_actor(request)
    except LoginRequired:
        pass


def _json(data: Any) -> JSONResponse:
    return JSONResponse(data, media_type=CREDENTIAL_MEDIA_TYPE)


def _json_or_problem(make) -> Response:
    """A JSON document, or the RFC 9457 problem of the error (these are read by programs, not people)."""
    try:
        return _json(make())
    except RapidError as exc:
        return problem_response(problem_for(exc))


@router.get("/verify")
def verify_page(request: Request):
    """The public verify page: paste a badge or upload its file."""
    optional_actor(request)
    return render(request, "public/verify.html", {"result": None, "errors": {}, "pasted": ""})


@router.post("/verify")
async def verify_submit(request: Request, badge: Annotated[str, Form()] = "",
                        file: Annotated[UploadFile | None, File()] = None):
    """Verify a pasted or uploaded badge and show each check with its reason (nothing is written)."""
    optional_actor(request)
    errors: dict[str, str] = {}
    text = badge
    if file is not None and file.filename:
        raw = await file.read(badges.MAX_BADGE_BYTES + 1)
        try:
            text = raw.decode("utf-8") if len(raw) <= badges.MAX_BADGE_BYTES else ""
            if len(raw) > badges.MAX_BADGE_BYTES:
                errors["file"] = "a badge is at most 1 MB"
        except UnicodeDecodeError:
            errors["file"] = "the file is not UTF-8 text: upload the badge's .json or .jwt"
    result = None
    if not errors:
        try:
            result = badges.verify(workspace_of(request), text).to_dict()
        except ValidationError as error:
            errors["badge"] = error.message
    status = 422 if errors else 200
    return render(request, "public/verify.html", {"result": result, "errors": errors,
                                                  "pasted": badge if len(badge) <= 20_000 else ""},
                  status_code=status)


@router.get("/public/badges/{credential_uuid}")
def badge_page(request: Request, credential_uuid: str):
    """A listed badge's public page: what it says, its status now, and its downloads."""
    optional_actor(request)
    view = badges.public_badge(workspace_of(request), credential_uuid)
    return render(request, "public/badge.html", {"badge": view, "summary": badges.credential_summary(view["credential"]),
                                                 "result": view["verification"]})


@router.get("/public/badges/{credential_uuid}/badge.{form}")
def badge_file(request: Request, credential_uuid: str, form: str):
    """A listed badge as a file: ``badge.json`` (the signed credential) or ``badge.jwt`` (VC-JOSE compact JWS)."""
    if form not in ("json", "jwt"):
        raise NotFound(f"no file badge.{form}: use badge.json or badge.jwt")
    text, media, name = badges.public_file(workspace_of(request), credential_uuid, form)
    return Response(text, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/public/companies/{company_ref}")
def company_page(request: Request, company_ref: str):
    """A company's public page: the badges their issuers listed."""
    optional_actor(request)
    return render(request, "public/company.html", {"company": badges.public_company(workspace_of(request),
                                                                                    company_ref)})


@router.get("/status/{org_ref}/{list_id}")
def status_list(request: Request, org_ref: str, list_id: int):
    """A signed ``BitstringStatusListCredential`` (public: verifiers anywhere read it)."""
    return _json_or_problem(lambda: badges.status_list_credential(workspace_of(request), org_ref, list_id))


@router.get("/.well-known/did.json")
def did_document(request: Request):
    """The workspace's own organisation's did:web document (with ``RAPID_PUBLIC_DOMAIN``)."""
    return _json_or_problem(lambda: issuers.did_document_at(workspace_of(request), "/.well-known/did.json"))


@router.get("/issuers/{org_ref}/did.json")
def issuer_did_document(request: Request, org_ref: str):
    """Another organisation's did:web document (with ``RAPID_PUBLIC_DOMAIN``)."""
    return _json_or_problem(lambda: issuers.did_document_at(workspace_of(request), f"/issuers/{org_ref}/did.json"))


__all__ = ["router", "optional_actor"]
