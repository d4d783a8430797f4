"""Shared builders for the badge tests: a real EDF company and project, keys from fixed seeds, status lists."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

from rapid_adoption.badges import (
    BadgeData,
    BitstringStatusList,
    Company,
    Ed25519KeyPair,
    EvaluationProcedure,
    IssuerProfile,
    PinnedDocumentLoader,
    Solution,
    TrialEvidence,
    TrustedIssuer,
    TrustedIssuerList,
    UseCaseScore,
    build_status_list_credential,
    issue_badge,
    sign_credential,
    status_list_entry,
)
from rapid_adoption.badges.credential import IDENTITY_TYPE_EU_PIC

VECTORS = Path(__file__).parent / "vectors"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
ISSUED_AT = datetime(2026, 11, 1, 9, 30, tzinfo=timezone.utc)
REVOCATION_URL = "https://badges.example.org/status/revocation/1"
SUSPENSION_URL = "https://badges.example.org/status/suspension/1"
BADGE_INDEX = 94567
ISSUER_KEY = Ed25519KeyPair.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519KeyPair.from_private_bytes(bytes(range(1, 33)))


def vector_loader() -> PinnedDocumentLoader:
    """The pinned loader plus the two example contexts the W3C vectors use (tests only)."""
    return PinnedDocumentLoader(
        {
            "https://www.w3.org/ns/credentials/examples/v2": VECTORS / "contexts" / "credentials-examples-v2.jsonld",
            "https://w3id.org/citizenship/v4rc1": VECTORS / "contexts" / "citizenship-v4rc1.jsonld",
        }
    )


def badge_data(key: Ed25519KeyPair = ISSUER_KEY, **changes) -> BadgeData:
    """A badge for ELETTRONICA SPA (EU PIC 911716484, coordinator of EDF project 101167826 CARMENTA PF)."""
    values = dict(
        credential_id="urn:uuid:5b0f7f5c-6f0e-4d55-8a43-2f0c6e9b1a01",
        issuer=IssuerProfile(id=key.did_key(), name="NATO DIANA", url="https://www.diana.nato.int"),
        company=Company(name="ELETTRONICA SPA", identifiers={IDENTITY_TYPE_EU_PIC: "911716484"}),
        solution=Solution(
            name="CARMENTA PF",
            description="CARMENTA PRIMUM FUGA: the follow-on of the EDIDP 2020 project CARMENTA, self-protection systems.",
        ),
        procedure=EvaluationProcedure(
            name="Aircraft self-protection",
            version=2,
            criteria_narrative="The system detects, classifies and counters threats to the aircraft in each use case.",
        ),
        scores=[UseCaseScore("Radar warning", 8), UseCaseScore("Missile approach warning", 7)],
        evidence=[
            TrialEvidence(
                trial_name="ASP-2026-04",
                test_centre="ICE worx Arctic (FFI)",
                country_iso3="NOR",
                started_on=date(2026, 4, 13),
                ended_on=date(2026, 4, 24),
                scores={"Radar warning": 8, "Missile approach warning": 7},
            )
        ],
        valid_from=ISSUED_AT,
        credential_status=[
            status_list_entry(REVOCATION_URL, BADGE_INDEX, "revocation"),
            status_list_entry(SUSPENSION_URL, BADGE_INDEX, "suspension"),
        ],
    )
    values.update(changes)
    return BadgeData(**values)


def signed_badge(key: Ed25519KeyPair = ISSUER_KEY, **changes) -> dict:
    """``badge_data`` signed with ``key``."""
    return issue_badge(badge_data(key, **changes), key, key.did_key_verification_method(), ISSUED_AT)


def status_list_credential(url: str, purpose: str, set_indexes=(), key: Ed25519KeyPair = ISSUER_KEY, **kwargs) -> dict:
    """A signed status list credential of ``key``'s did:key with the given bits set."""
    status_list = BitstringStatusList()
    for index in set_indexes:
        status_list.set(index, True)
    unsigned = build_status_list_credential(url, key.did_key(), purpose, status_list, "2026-11-01T00:00:00Z", **kwargs)
    return sign_credential(unsigned, key, key.did_key_verification_method(), ISSUED_AT)


def status_lists(revoked=(), suspended=()) -> dict[str, dict]:
    """Both status list credentials, by URL."""
    return {
        REVOCATION_URL: status_list_credential(REVOCATION_URL, "revocation", revoked),
        SUSPENSION_URL: status_list_credential(SUSPENSION_URL, "suspension", suspended),
    }


def trusted(*keys: Ed25519KeyPair) -> TrustedIssuerList:
    """A trusted-issuer list of the did:keys of ``keys`` (default: the test issuer)."""
    keys = keys or (ISSUER_KEY,)
    return TrustedIssuerList(TrustedIssuer(id=key.did_key(), name=f"issuer {i}") for i, key in enumerate(keys))


def copy(document: dict) -> dict:
    """A deep copy through JSON."""
    return json.loads(json.dumps(document))
