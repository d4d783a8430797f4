"""Request and response models of the badge endpoints (``/api/badges``), in the style of :mod:`.schemas`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from .schemas import INT32, Ident, Input, Model, Text


class BadgeRow(Model):
    """A badge in a list."""

    id: int
    credential_id: str
    case_id: int
    issuer: str
    company_ref: str
    company_name: str
    solution_name: str
    procedure: str
    route: str
    listed: bool
    status: str
    issued_at: datetime
    valid_until: datetime
    version: int


class BadgeScore(Model):
    """One use case's score on a badge."""

    use_case: str
    name: str
    score_1_to_10: int


class Badge(Model):
    """An issued badge: its record, status and, on ``GET /api/badges/{id}``, the signed credential.

    Attributes:
        credential_id: the credential's id (``urn:uuid:...``).
        status: ``active``, ``suspended`` or ``revoked`` (with ``status_reason``).
        listed: shown on the public pages (``public_path``).
        route: ``trials`` or ``external`` (an external demonstration accepted at the gate).
        revocation_list, suspension_list: the status list URLs; ``status_index`` the badge's entry in both.
        credential: the signed Open Badges 3.0 credential.
    """

    id: int
    credential_id: str
    case_id: int
    case_ref: str | None = None
    issuer: str
    issuer_did: str
    company_ref: str
    company_name: str
    solution_name: str
    procedure: str
    route: str
    scores: list[BadgeScore]
    listed: bool
    status: str
    status_reason: str | None = None
    status_index: int
    revocation_list: str | None = None
    suspension_list: str | None = None
    valid_from: datetime
    valid_until: datetime
    issued_at: datetime
    public_path: str | None = None
    version: int
    credential: dict[str, Any] | None = None


class StatusIn(Input):
    """A status change of a badge, with its reason (audited)."""

    reason: Text = Field(min_length=1, max_length=5000)


class ListingIn(Input):
    """Whether the public pages show the badge."""

    listed: bool


class AwardIn(Input):
    """The board's award at a case's ``badge`` gate (the case then enters ``contracting``).

    Attributes:
        case: the case's id or ref.
        rationale: why the board awards it.
        evidence: links (http or https) for the gate decision.
        external: ids of the case's external demonstrations the board accepts.
        listed: show it on the public pages (default: when case, solution and company are TLP:CLEAR).
        valid_until: when it expires (default 2 years, ``RAPID_BADGE_VALIDITY_YEARS``).
    """

    case: Ident
    rationale: Text = Field(min_length=1, max_length=20_000)
    evidence: list[Text] = []
    external: list[Annotated[int, Field(ge=1, le=INT32)]] = Field(default=[], max_length=100)
    listed: bool | None = None
    valid_until: datetime | None = None


class ExternalIn(Input):
    """An external demonstration for a case: a NATO programme, a national trial, an exercise or operational use.

    Attributes:
        case: the case's id or ref.
        procedure: the evaluation procedure version it is judged against (id, ref or ``REF@N``).
        source, demonstrated_on, vouched_by: what, when, and who vouches for it.
        scores: ``{use case key: 1-10}`` where the source gives scores.
        evidence: links (http or https) to reports.
    """

    case: Ident
    procedure: Ident
    source: Text = Field(min_length=1, max_length=2000)
    demonstrated_on: date
    vouched_by: Text = Field(min_length=1, max_length=300)
    scores: dict[Text, int] = Field(default={}, max_length=50)
    evidence: list[Text] = Field(default=[], max_length=50)
    notes: Text | None = Field(None, max_length=20_000)


class External(Model):
    """A recorded external demonstration."""

    id: int
    case_id: int
    procedure: str
    source: str
    demonstrated_on: date
    vouched_by: str
    scores: dict[str, int]
    evidence: list[str]
    accepted: bool
    acceptance_rationale: str | None = None


class VerifyIn(Input):
    """A badge to verify: the credential as a JSON object, or its JSON text or compact JWS as a string."""

    badge: dict[str, Any] | Text


class Check(Model):
    """One check of a verification: its name, whether it passed, and why."""

    name: Literal["required_fields", "proof", "verification_method", "trusted_issuer", "validity", "status"]
    passed: bool
    reason: str


class Verification(Model):
    """A verification's answer: ``valid`` when every check passed; ``status`` is ``revoked`` or ``suspended`` when
    a status list says so."""

    valid: bool
    status: str | None = None
    credential_id: str | None = None
    issuer_id: str | None = None
    checks: list[Check]


class Issuer(Model):
    """An organisation's badge issuer (public information)."""

    organisation: str
    name: str
    did: str | None = None
    did_method: str
    verification_method: str | None = None
    current_key: dict[str, Any] | None = None
    retired_keys: list[dict[str, Any]]
    did_document: dict[str, Any] | None = None
    trusted: bool


class TrustedIssuer(Model):
    """An entry of the trusted-issuer list."""

    did: str
    name: str
    local: bool
    organisation: str | None = None
    has_did_document: bool


__all__ = ["AwardIn", "Badge", "BadgeRow", "Check", "External", "ExternalIn", "INT32", "Issuer", "ListingIn",
           "StatusIn", "TrustedIssuer", "Verification", "VerifyIn"]
