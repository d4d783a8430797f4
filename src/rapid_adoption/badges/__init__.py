"""Badges of approval as open, verifiable credentials: a pure library (no database, no network).

- :mod:`.contexts`: the pinned JSON-LD contexts and the offline document loader.
- :mod:`.keys`: Ed25519 keys, Multikey encoding, ``did:key`` and ``did:web``.
- :mod:`.proof`: Data Integrity ``eddsa-rdfc-2022`` proofs.
- :mod:`.status_list`: Bitstring Status List v1.0.
- :mod:`.credential`: the Open Badges 3.0 ``OpenBadgeCredential`` builder.
- :mod:`.verify`: the verifier and the trusted-issuer list.
- :mod:`.jose`: the VC-JOSE compact JWS form.

The public names are re-exported here.
"""

from rapid_adoption.badges.contexts import ContextNotPinned, PinnedDocumentLoader, default_loader
from rapid_adoption.badges.credential import (
    BadgeData,
    Company,
    EvaluationProcedure,
    ExternalDemonstration,
    IssuerProfile,
    Solution,
    TrialEvidence,
    UseCaseScore,
    build_badge,
    format_datetime,
    issue_badge,
    sign_credential,
)
from rapid_adoption.badges.jose import decode_jws, encode_jws
from rapid_adoption.badges.keys import (
    Ed25519KeyPair,
    did_key_document,
    did_web,
    did_web_document,
    did_web_document_url,
    resolve_did,
    resolve_verification_method,
)
from rapid_adoption.badges.proof import canonicalize, create_proof, verify_proof
from rapid_adoption.badges.status_list import BitstringStatusList, build_status_list_credential, status_list_entry
from rapid_adoption.badges.verify import (
    CHECKS,
    BadgeVerifier,
    CheckResult,
    TrustedIssuer,
    TrustedIssuerList,
    VerificationResult,
    verify_badge,
)

__all__ = [
    "CHECKS",
    "BadgeData",
    "BadgeVerifier",
    "BitstringStatusList",
    "CheckResult",
    "Company",
    "ContextNotPinned",
    "Ed25519KeyPair",
    "EvaluationProcedure",
    "ExternalDemonstration",
    "IssuerProfile",
    "PinnedDocumentLoader",
    "Solution",
    "TrialEvidence",
    "TrustedIssuer",
    "TrustedIssuerList",
    "UseCaseScore",
    "VerificationResult",
    "build_badge",
    "build_status_list_credential",
    "canonicalize",
    "create_proof",
    "decode_jws",
    "default_loader",
    "did_key_document",
    "did_web",
    "did_web_document",
    "did_web_document_url",
    "encode_jws",
    "format_datetime",
    "issue_badge",
    "resolve_did",
    "resolve_verification_method",
    "sign_credential",
    "status_list_entry",
    "verify_badge",
    "verify_proof",
]
