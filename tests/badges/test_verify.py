"""The verifier: a genuine badge is valid; every alteration, revocation, suspension, expiry, early use and
untrusted issuer is invalid with its reason."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from rapid_adoption.badges import (
    CHECKS,
    BadgeVerifier,
    BitstringStatusList,
    build_status_list_credential,
    TrustedIssuer,
    TrustedIssuerList,
    did_web,
    did_web_document,
    issue_badge,
    sign_credential,
    verify_badge,
)
from rapid_adoption.badges.credential import IssuerProfile, build_badge
from rapid_adoption.domain.errors import ValidationError

from badges.helpers import (
    BADGE_INDEX,
    ISSUED_AT,
    ISSUER_KEY,
    NOW,
    OTHER_KEY,
    REVOCATION_URL,
    SUSPENSION_URL,
    badge_data,
    copy,
    signed_badge,
    status_list_credential,
    status_lists,
    trusted,
)

ALTERED = "the signature does not match the document: it was altered or signed with another key"


@pytest.fixture(scope="module")
def badge() -> dict:
    return signed_badge()


@pytest.fixture(scope="module")
def verifier() -> BadgeVerifier:
    return BadgeVerifier(trusted(), status_lists=status_lists())


def reasons(result) -> dict[str, str]:
    return {check.name: check.reason for check in result.failed()}


def test_a_genuine_badge_is_valid_on_every_check(badge, verifier):
    result = verifier.verify(badge, NOW)
    assert result.valid is True
    assert [check.name for check in result.checks] == list(CHECKS)
    assert all(check.passed for check in result.checks)
    assert result.check("status").reason == "not revoked and not suspended"
    assert result.check("validity").reason == "valid from 2026-11-01T09:30:00Z until 2028-11-01T09:30:00Z"
    assert result.credential_id == "urn:uuid:5b0f7f5c-6f0e-4d55-8a43-2f0c6e9b1a01"
    assert result.to_dict()["valid"] is True


def _set(path):
    def change(document, value):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


TAMPERING = [
    pytest.param(("name",), "Badge of approval: something else", "proof", ALTERED, id="name"),
    pytest.param(("credentialSubject", "result", 0, "value"), "10", "proof", ALTERED, id="score"),
    pytest.param(("credentialSubject", "identifier", 0, "identityHash"), "THALES DMS FRANCE SAS", "proof", ALTERED, id="subject"),
    pytest.param(("validFrom",), "2026-10-01T09:30:00Z", "proof", ALTERED, id="validFrom"),
    pytest.param(("validUntil",), "2036-11-01T09:30:00Z", "proof", ALTERED, id="validUntil"),
    pytest.param(("issuer", "name"), "Another issuer", "proof", ALTERED, id="issuer-name"),
    pytest.param(
        ("proof", "proofValue"),
        "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme",
        "proof",
        ALTERED,
        id="proofValue",
    ),
    pytest.param(("proof", "created"), "2026-11-02T09:30:00Z", "proof", ALTERED, id="proof-created"),
]


@pytest.mark.parametrize(("path", "value", "check", "reason"), TAMPERING)
def test_altering_a_field_makes_the_badge_invalid(badge, verifier, path, value, check, reason):
    tampered = copy(badge)
    _set(path)(tampered, value)
    result = verifier.verify(tampered, NOW)
    assert result.valid is False
    assert reasons(result) == {check: reason}


def test_another_issuer_id_fails_the_key_and_trust_checks(badge, verifier):
    tampered = copy(badge)
    tampered["issuer"]["id"] = OTHER_KEY.did_key()
    result = verifier.verify(tampered, NOW)
    vm = ISSUER_KEY.did_key_verification_method()
    assert reasons(result) == {
        "proof": ALTERED,
        "verification_method": f"the proof was made with {vm}, a key of {ISSUER_KEY.did_key()}, not of the issuer {OTHER_KEY.did_key()}",
        "trusted_issuer": f"{OTHER_KEY.did_key()} is not on the trusted-issuer list",
        "status": f"the status list {REVOCATION_URL} was issued by {ISSUER_KEY.did_key()}, not by the badge's issuer",
    }


def test_a_verification_method_of_another_key_fails(badge, verifier):
    tampered = copy(badge)
    tampered["proof"]["verificationMethod"] = OTHER_KEY.did_key_verification_method()
    result = verifier.verify(tampered, NOW)
    assert reasons(result) == {
        "proof": ALTERED,
        "verification_method": (
            f"the proof was made with {OTHER_KEY.did_key_verification_method()}, a key of {OTHER_KEY.did_key()}, "
            f"not of the issuer {ISSUER_KEY.did_key()}"
        ),
    }


def test_a_badge_re_signed_by_an_impostor_under_the_issuers_name_fails(verifier):
    forged = issue_badge(badge_data(OTHER_KEY), OTHER_KEY, OTHER_KEY.did_key_verification_method(), ISSUED_AT)
    forged["issuer"]["id"] = ISSUER_KEY.did_key()
    result = verifier.verify(forged, NOW)
    assert result.valid is False
    assert set(reasons(result)) == {"proof", "verification_method"}


def test_a_changed_context_is_refused_without_fetching(badge, verifier):
    tampered = copy(badge)
    tampered["@context"][1] = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
    result = verifier.verify(tampered, NOW)
    pinned = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    assert reasons(result) == {
        "required_fields": f"@context must include {pinned}",
        "proof": "@context: JSON-LD context URL is not pinned (never fetched): https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    }


def test_an_added_property_that_no_context_defines_is_refused(badge, verifier):
    tampered = copy(badge)
    tampered["credentialSubject"]["achievement"]["approvedBy"] = "the Secretary General"
    result = verifier.verify(tampered, NOW)
    assert reasons(result) == {"proof": "approvedBy: property 'approvedBy' is not defined by the document's JSON-LD contexts"}


def test_a_removed_proof_or_required_field_is_reported(badge, verifier):
    unsigned = copy(badge)
    del unsigned["proof"]
    assert reasons(verifier.verify(unsigned, NOW)) == {
        "proof": "the document has no proof",
        "verification_method": "no proof, so no verification method",
    }
    incomplete = copy(badge)
    del incomplete["credentialSubject"]["achievement"]["criteria"]
    assert reasons(verifier.verify(incomplete, NOW)) == {
        "required_fields": "credentialSubject.achievement.criteria is missing",
        "proof": ALTERED,
    }


def test_revoked_and_suspended_badges_say_so(badge):
    revoked = verify_badge(badge, now=NOW, trusted_issuers=trusted(), status_lists=status_lists(revoked=[BADGE_INDEX]))
    assert revoked.valid is False and revoked.status == "revoked"
    assert reasons(revoked) == {"status": f"revoked (status list {REVOCATION_URL}, index {BADGE_INDEX})"}
    suspended = verify_badge(badge, now=NOW, trusted_issuers=trusted(), status_lists=status_lists(suspended=[BADGE_INDEX]))
    assert suspended.valid is False and suspended.status == "suspended"
    assert reasons(suspended) == {"status": f"suspended (status list {SUSPENSION_URL}, index {BADGE_INDEX})"}
    neighbour = verify_badge(badge, now=NOW, trusted_issuers=trusted(), status_lists=status_lists(revoked=[BADGE_INDEX + 1]))
    assert neighbour.valid is True


def test_a_status_list_that_is_missing_forged_or_expired_fails_the_status_check(badge):
    missing = verify_badge(badge, now=NOW, trusted_issuers=trusted(), status_lists={})
    assert reasons(missing) == {"status": f"the status list {REVOCATION_URL} could not be checked (not available)"}

    lists = status_lists()
    cleared = copy(status_lists(revoked=[BADGE_INDEX])[REVOCATION_URL])
    cleared["credentialSubject"]["encodedList"] = lists[REVOCATION_URL]["credentialSubject"]["encodedList"]
    forged = verify_badge(badge, now=NOW, trusted_issuers=trusted(), status_lists={**lists, REVOCATION_URL: cleared})
    assert reasons(forged) == {"status": f"the status list {REVOCATION_URL} does not verify: {ALTERED}"}

    expired_list = status_list_credential(REVOCATION_URL, "revocation", valid_until="2026-11-15T00:00:00Z")
    expired = verify_badge(badge, now=NOW, trusted_issuers=trusted(), status_lists={**lists, REVOCATION_URL: expired_list})
    assert reasons(expired) == {"status": f"the status list {REVOCATION_URL} expired on 2026-11-15T00:00:00Z"}

    swapped = verify_badge(badge, now=NOW, trusted_issuers=trusted(), status_lists={
        REVOCATION_URL: lists[REVOCATION_URL], SUSPENSION_URL: status_list_credential(SUSPENSION_URL, "revocation"),
    })
    assert reasons(swapped) == {"status": f"the status list {SUSPENSION_URL} is for 'revocation', the entry for 'suspension'"}


def test_expired_and_not_yet_valid_badges_are_invalid(badge, verifier):
    expired = verifier.verify(badge, datetime(2028, 11, 1, 9, 30, tzinfo=timezone.utc))
    assert reasons(expired) == {"validity": "the badge expired on 2028-11-01T09:30:00Z"}
    early = verifier.verify(badge, ISSUED_AT - timedelta(seconds=1))
    assert reasons(early) == {"validity": "the badge is not valid yet: valid from 2026-11-01T09:30:00Z"}
    assert verifier.verify(badge, ISSUED_AT).valid is True


def test_an_untrusted_issuer_is_reported_as_such(badge):
    result = verify_badge(badge, now=NOW, trusted_issuers=TrustedIssuerList(), status_lists=status_lists())
    assert reasons(result) == {"trusted_issuer": f"{ISSUER_KEY.did_key()} is not on the trusted-issuer list"}


def test_a_did_web_issuer_verifies_from_the_trusted_list_after_key_rotation():
    did = did_web("badges.example.org")
    old_vm = f"{did}#{ISSUER_KEY.public_key_multibase}"
    badge = issue_badge(badge_data(issuer=IssuerProfile(id=did, name="NATO DIANA")), ISSUER_KEY, old_vm, ISSUED_AT)
    lists = {
        url: sign_credential(
            build_status_list_credential(url, did, purpose, BitstringStatusList(), "2026-11-01T00:00:00Z"), ISSUER_KEY, old_vm, ISSUED_AT
        )
        for url, purpose in ((REVOCATION_URL, "revocation"), (SUSPENSION_URL, "suspension"))
    }
    # The issuer rotated to OTHER_KEY and kept the old key in its DID document.
    rotated = did_web_document(did, [OTHER_KEY.public_key_multibase, ISSUER_KEY.public_key_multibase])
    trust = TrustedIssuerList([TrustedIssuer(did, "NATO DIANA", rotated)])

    result = verify_badge(badge, now=NOW, trusted_issuers=trust, status_lists=lists)
    assert result.valid is True

    dropped = TrustedIssuerList([TrustedIssuer(did, "NATO DIANA", did_web_document(did, [OTHER_KEY.public_key_multibase]))])
    assert reasons(verify_badge(badge, now=NOW, trusted_issuers=dropped, status_lists=lists))["proof"] == (
        f"the verification method cannot be resolved: {did}'s DID document does not list {old_vm}"
    )
    unknown = verify_badge(badge, now=NOW, trusted_issuers=trusted(), status_lists=lists)
    assert reasons(unknown)["proof"] == (
        "the verification method cannot be resolved: no DID document is known for did:web:badges.example.org "
        "(did:web is never fetched)"
    )


def test_the_trusted_issuer_list_saves_and_loads(tmp_path):
    did = did_web("badges.example.org")
    trust = TrustedIssuerList(
        [
            TrustedIssuer(ISSUER_KEY.did_key(), "NATO DIANA"),
            TrustedIssuer(did, "Norwegian Defence Materiel Agency", did_web_document(did, [OTHER_KEY.public_key_multibase])),
        ]
    )
    path = tmp_path / "trusted.json"
    trust.save(path)
    again = TrustedIssuerList.load(path)
    assert again.to_dict() == trust.to_dict()
    assert [issuer.id for issuer in again] == sorted([ISSUER_KEY.did_key(), did])
    assert list(again.did_web_documents()) == [did]
    path.write_text('{"type": "RapidAdoptionTrustedIssuerList", "version": 1, "issuers": [{"id": "https://x", "name": "X"}]}')
    with pytest.raises(ValidationError) as error:
        TrustedIssuerList.load(path)
    assert str(error.value) == "trusted.json: issuers[0].id: a trusted issuer is a DID, got 'https://x'"
    path.write_text("[")
    with pytest.raises(ValidationError, match="trusted.json:1: json: not JSON: Expecting value"):
        TrustedIssuerList.load(path)


def test_text_input_and_garbage_never_raise(badge, verifier):
    import json

    assert verifier.verify(json.dumps(badge), NOW).valid is True
    garbage = verifier.verify("{not json", NOW)
    assert garbage.valid is False
    assert garbage.check("proof").reason == "not JSON: Expecting property name enclosed in double quotes (line 1)"
    assert verifier.verify("[]", NOW).check("required_fields").reason == "a badge is a JSON object"
    with pytest.raises(ValidationError, match="now: now must be a timezone-aware datetime"):
        verifier.verify(badge, datetime(2026, 11, 29))
    assert build_badge(badge_data())["credentialStatus"][0]["statusListIndex"] == str(BADGE_INDEX)
