"""``/api/badges``: badges of approval (award, show, download, revoke, suspend, list), external demonstrations,
issuers and the trusted-issuer list, and ``POST /api/badges/verify``, which needs no token.

The signed status lists and did:web documents are public pages outside ``/api`` (:mod:`rapid_adoption.web.pages.public`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response, status

from ...domain.types import Stage
from ...services import badges, issuers
from ...services.cases import CaseService
from .. import problems
from ..deps import ActorDep, WorkspaceDep
from ..pagination import Page
from ..schemas import Text
from ..schemas_badges import (AwardIn, Badge, BadgeRow, External, ExternalIn, Issuer, ListingIn, StatusIn,
                              TrustedIssuer, Verification, VerifyIn)
from ._common import CountTotal, Cursor, IfMatch, Limit, RecordId, WRITE_PROBLEMS, after_of, page_of, sort_query, \
    tagged, version_of

router = APIRouter(prefix="/badges", tags=["Badges"])

FILE_CONTENT = {"application/json": {"schema": {"type": "object"}},
                "application/vc+jwt": {"schema": {"type": "string"}}}


@router.post("/verify", response_model=Verification, responses=problems.responses(),
             summary="Verify a badge (no token needed)")
def verify_badge(body: VerifyIn, ws: WorkspaceDep) -> Any:
    """Verify a badge offline: its proof, that the key is the issuer's, that the issuer is trusted here, its validity
    window, its status lists (published here; never fetched) and its required fields. Send the credential as a JSON
    object, or its JSON text or compact JWS as a string.

    Anyone may ask: no token is needed, and nothing is written. The answer is 200 for a valid and for an invalid
    badge alike; `valid` says which, and each check gives its reason. 422 for a body that is not a badge at all.
    """
    return badges.verify(ws, body.badge).to_dict()


@router.get("", response_model=Page[BadgeRow], responses=problems.responses(404), summary="List badges")
def list_badges(ws: WorkspaceDep, actor: ActorDep, status_: Annotated[Literal["active", "suspended", "revoked"] | None,
                Query(alias="status")] = None, company: Text | None = None, case: Text | None = None,
                issuer: Text | None = None, limit: Limit = 50, cursor: Cursor = None, with_total: CountTotal = False,
                sort: str = sort_query(badges.BADGE_SORTS)) -> Any:
    """The badges you may see (a badge follows its case), optionally of one status, company (ref), case (id or ref;
    404 when you may not see it) or issuing organisation (ref)."""
    sort = sort or "id"
    page = badges.page_badges(ws, actor, status=status_, company=company, case=case, issuer=issuer, sort=sort,
                              after=after_of(cursor, sort), limit=limit, with_total=with_total)
    return page_of(page, sort)


@router.post("/award", response_model=list[Badge], status_code=status.HTTP_201_CREATED,
             responses=problems.responses(403, 404, 409, 428), summary="Award a badge at a case's badge gate")
def award(body: AwardIn, ws: WorkspaceDep, actor: ActorDep, if_match: IfMatch = None) -> Any:
    """Pass the case's `badge` gate into `contracting`, issuing its badge of approval (roles admin or board of the
    case's owner organisation; `If-Match` with the case's version).

    The badge rests on the case's completed trials (covering every use case of their procedure) or on the external
    demonstrations named in `external`; 422 when there is neither.
    """
    options = badges.AwardOptions(listed=body.listed, valid_until=body.valid_until, external=body.external)
    CaseService(ws, actor).advance(body.case, Stage.CONTRACTING, body.rationale, body.evidence,
                                   expected_version=version_of(if_match), award=options)
    every = badges.case_badges(ws, actor, body.case)
    newest = max((b["gate_decision_id"] or 0 for b in every), default=0)
    return [badges.show_badge(ws, actor, b["id"]) for b in every if b["gate_decision_id"] == newest]


@router.post("/external", response_model=External, status_code=status.HTTP_201_CREATED,
             responses=problems.responses(403, 404), summary="Record an external demonstration")
def record_external(body: ExternalIn, ws: WorkspaceDep, actor: ActorDep) -> Any:
    """Record a demonstration made outside the platform's trials for a case (roles admin or board of its owner), for
    the board to accept at the badge gate (`POST /api/badges/award` with `external`)."""
    return badges.record_external(ws, actor, body.case, procedure=body.procedure, source=body.source,
                                  demonstrated_on=body.demonstrated_on, vouched_by=body.vouched_by, scores=body.scores,
                                  evidence=body.evidence, notes=body.notes)


@router.get("/external", response_model=list[External], responses=problems.responses(404),
            summary="List a case's external demonstrations")
def list_external(case: Text, ws: WorkspaceDep, actor: ActorDep) -> Any:
    """The external demonstrations recorded for a case you may see (its id or ref)."""
    return badges.list_external(ws, actor, case)


@router.get("/issuers/{organisation}", response_model=Issuer, responses=problems.responses(404),
            summary="Show an organisation's badge issuer")
def show_issuer(organisation: Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9._-]{1,64}$",
                                                  description="The organisation's ref, e.g. EU-DEFIS.")],
                ws: WorkspaceDep, actor: ActorDep) -> Any:
    """An organisation's issuer identity (public information): its DID, keys and, with did:web, DID document."""
    return issuers.issuer_view(ws, actor, organisation)


@router.get("/trusted-issuers", response_model=list[TrustedIssuer], responses=problems.responses(),
            summary="List the trusted issuers")
def trusted_issuers(ws: WorkspaceDep, actor: ActorDep) -> Any:
    """The deployment's trusted-issuer list: the DIDs whose badges verification accepts."""
    return issuers.list_trusted(ws)


@router.get("/{record_id}", response_model=Badge, responses=problems.responses(404), summary="Show a badge")
def show_badge(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep, response: Response) -> Any:
    """The badge with its status and its signed credential (404 when you may not see its case)."""
    return tagged(response, badges.show_badge(ws, actor, record_id))


@router.get("/{record_id}/download", response_class=Response, summary="Download a badge",
            responses={200: {"description": "The badge as a file.", "content": FILE_CONTENT},
                       **problems.responses(404)})
def download(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep,
             format: Literal["json", "jwt"] = "json") -> Response:  # noqa: A002 - the query's name
    """The badge as the company receives it: the signed credential (`json`) or its VC-JOSE compact JWS (`jwt`)."""
    text, media, name = badges.download(ws, actor, record_id, format)
    return Response(text, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _status_route(action: str, summary: str, doc: str):
    @router.post(f"/{{record_id}}/{action}", response_model=Badge, responses=WRITE_PROBLEMS, summary=summary)
    def change(record_id: RecordId, body: StatusIn, ws: WorkspaceDep, actor: ActorDep, response: Response,
               if_match: IfMatch = None) -> Any:
        view = badges.change_status(ws, actor, record_id, action, body.reason, expected_version=version_of(if_match))
        return tagged(response, view)

    change.__doc__ = doc
    change.__name__ = f"{action}_badge"
    return change


revoke = _status_route("revoke", "Revoke a badge", "Revoke the badge, with a reason (final; roles admin or board of "
                       "the issuing organisation; `If-Match` with its version). Its status list is signed again.")
suspend = _status_route("suspend", "Suspend a badge", "Suspend the badge, with a reason (roles admin or board of the "
                        "issuing organisation; `If-Match`). Verification then says suspended.")
unsuspend = _status_route("unsuspend", "Unsuspend a badge", "Lift the badge's suspension, with a reason (roles admin "
                          "or board of the issuing organisation; `If-Match`).")


@router.put("/{record_id}/listing", response_model=Badge, responses=WRITE_PROBLEMS,
            summary="List or unlist a badge on the public pages")
def listing(record_id: RecordId, body: ListingIn, ws: WorkspaceDep, actor: ActorDep, response: Response,
            if_match: IfMatch = None) -> Any:
    """Show the badge on its company's public page, or not (roles admin or board of the issuing organisation;
    `If-Match` with its version)."""
    return tagged(response, badges.set_listed(ws, actor, record_id, body.listed,
                                              expected_version=version_of(if_match)))


__all__ = ["router"]
