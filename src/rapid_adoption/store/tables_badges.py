"""Tables of badges of approval: issuer keys (encrypted at rest), the trusted-issuer list, the published status lists,
the issued badges, and the external demonstrations a board may accept at a case's ``badge`` gate.

Sharing (see :mod:`rapid_adoption.store.sharing_badges`):

* ``badges`` and ``external_demonstrations`` have no marking of their own: each row follows its adoption case, so it
  is visible exactly when the case is (with the case's need, solution and company), and only the case's owner
  organisation may change it. A badge's *credential* is public by nature (the company hands it to any buyer), and
  the public pages show the badges their issuer listed (read deliberately unfiltered, see
  :mod:`rapid_adoption.services.badges`).
* ``issuer_keys``, ``trusted_issuers`` and ``badge_status_lists`` are deployment configuration, not shared records:
  public keys, DIDs and status lists are public by design, and a private key is stored only encrypted under the
  deployment secret (never in the clear, never the secret itself).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .tables import SHARED_MODELS, Base, Timestamped
from .types import UTCDateTime


class IssuerKey(Timestamped, Base):
    """An Ed25519 key of an issuing organisation.

    ``encrypted_private_key`` is ``v1.`` followed by base64url(12-byte nonce || AES-256-GCM ciphertext of the 32-byte
    seed), the AES key derived with HKDF-SHA256 from the deployment secret, the public key bound as associated data
    (:mod:`rapid_adoption.services.issuers`). ``retired_at`` is set when the key is rotated out: a retired key no
    longer signs badges, and its public key stays published so that the badges it signed still verify.
    """

    __tablename__ = "issuer_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    public_key_multibase: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    encrypted_private_key: Mapped[str] = mapped_column(Text, nullable=False)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)


class TrustedIssuerRecord(Timestamped, Base):
    """An entry of the deployment's trusted-issuer list: a DID whose badges this deployment accepts.

    ``organisation_id`` is set for an issuer of this workspace (added when its key is made); ``did_document`` holds
    the DID document of another deployment's ``did:web`` issuer, so that its badges verify offline.
    """

    __tablename__ = "trusted_issuers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    did: Mapped[str] = mapped_column(String(500), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    did_document: Mapped[dict | None] = mapped_column(JSON)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    added_by: Mapped[str] = mapped_column(String(200), nullable=False)


class StatusListRecord(Timestamped, Base):
    """A Bitstring Status List of one issuer DID and one purpose (``revocation`` or ``suspension``).

    ``encoded_list`` is the list as published (gzip, base64url, multibase ``u``); ``credential_json`` the signed
    ``BitstringStatusListCredential`` served at ``url``, signed again after every change of a bit.
    """

    __tablename__ = "badge_status_lists"
    __table_args__ = (UniqueConstraint("issuer_did", "purpose", "list_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    issuer_did: Mapped[str] = mapped_column(String(500), nullable=False)
    purpose: Mapped[str] = mapped_column(String(20), nullable=False)
    list_number: Mapped[int] = mapped_column(Integer, nullable=False)
    url: Mapped[str | None] = mapped_column(String(1000), unique=True)
    length: Mapped[int] = mapped_column(Integer, nullable=False)
    encoded_list: Mapped[str] = mapped_column(Text, nullable=False)
    credential_json: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Badge(Timestamped, Base):
    """An issued badge of approval (an Open Badges 3.0 ``OpenBadgeCredential``) and its status.

    ``credential_json`` is the signed credential exactly as issued, ``jws`` its VC-JOSE compact form. ``status`` is
    ``active``, ``suspended`` or ``revoked`` (the bit of ``status_index`` in the revocation or suspension list, with
    the reason and who changed it). ``listed`` says whether public pages show it. ``route`` is ``trials`` or
    ``external`` (an external demonstration accepted at the gate). A badge follows its case for visibility.
    """

    __tablename__ = "badges"
    __table_args__ = (UniqueConstraint("revocation_list_id", "status_index"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    credential_id: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("adoption_cases.id"), nullable=False, index=True)
    gate_decision_id: Mapped[int | None] = mapped_column(ForeignKey("gate_decisions.id"), index=True)
    issuer_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    issuer_key_id: Mapped[int] = mapped_column(ForeignKey("issuer_keys.id"), nullable=False)
    issuer_did: Mapped[str] = mapped_column(String(500), nullable=False)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), nullable=False, index=True)
    company_ref: Mapped[str] = mapped_column(String(120), nullable=False, index=True)
    company_name: Mapped[str] = mapped_column(String(300), nullable=False)
    solution_id: Mapped[int] = mapped_column(ForeignKey("solutions.id"), nullable=False, index=True)
    solution_name: Mapped[str] = mapped_column(Text, nullable=False)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("evaluation_procedures.id"), nullable=False)
    procedure_label: Mapped[str] = mapped_column(String(400), nullable=False)
    route: Mapped[str] = mapped_column(String(20), nullable=False)
    scores: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    evidence_refs: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    listed: Mapped[bool] = mapped_column(Boolean, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="active")
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_changed_by: Mapped[str | None] = mapped_column(String(200))
    status_index: Mapped[int] = mapped_column(Integer, nullable=False)
    revocation_list_id: Mapped[int] = mapped_column(ForeignKey("badge_status_lists.id"), nullable=False)
    suspension_list_id: Mapped[int] = mapped_column(ForeignKey("badge_status_lists.id"), nullable=False)
    credential_json: Mapped[str] = mapped_column(Text, nullable=False)
    jws: Mapped[str] = mapped_column(Text, nullable=False)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    issued_by: Mapped[str] = mapped_column(String(200), nullable=False)


class ExternalDemonstrationRecord(Timestamped, Base):
    """A demonstration outside the platform's own trials (a NATO programme, a national trial, an exercise, operational
    use), recorded by the board for a case: its source, date, the organisation that vouches for it, the procedure
    version it is judged against and its scores per use case where they exist (``{use case key: 1-10}``).

    The board accepts it at the case's ``badge`` gate with the gate decision's rationale (``accepted_*``); the badge
    then names it as evidence. It follows its case for visibility.
    """

    __tablename__ = "external_demonstrations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("adoption_cases.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("evaluation_procedures.id"), nullable=False)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    demonstrated_on: Mapped[date] = mapped_column(Date, nullable=False)
    vouched_by: Mapped[str] = mapped_column(String(300), nullable=False)
    scores: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    evidence: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(200), nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by: Mapped[str | None] = mapped_column(String(200))
    acceptance_rationale: Mapped[str | None] = mapped_column(Text)
    gate_decision_id: Mapped[int | None] = mapped_column(ForeignKey("gate_decisions.id"))


BADGE_FOLLOWERS: dict[str, tuple[str, str]] = {
    "badges": ("adoption_cases", "case_id"),
    "external_demonstrations": ("adoption_cases", "case_id"),
}
"""Tables without a marking of their own: table -> (the parent table it follows, the foreign-key column)."""

SHARED_MODELS.update({m.__tablename__: m for m in (Badge, ExternalDemonstrationRecord)})

__all__ = ["BADGE_FOLLOWERS", "Badge", "ExternalDemonstrationRecord", "IssuerKey", "StatusListRecord",
           "TrustedIssuerRecord"]
