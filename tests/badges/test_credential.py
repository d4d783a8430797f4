"""The Open Badges 3.0 builder: the shape of a badge, both evidence routes, and bad input named by field."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from rapid_adoption.badges import ExternalDemonstration, UseCaseScore, build_badge, canonicalize, issue_badge
from rapid_adoption.badges.credential import IDENTITY_TYPE_NCAGE, Company, add_years, format_datetime
from rapid_adoption.domain.errors import ValidationError

from badges.helpers import ISSUED_AT, ISSUER_KEY, NOW, OTHER_KEY, badge_data, status_lists, trusted


def test_a_badge_has_the_open_badges_shape():
    badge = build_badge(badge_data())
    assert badge["@context"] == ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["name"] == "Badge of approval: CARMENTA PF (Aircraft self-protection v2)"
    assert badge["issuer"] == {"id": ISSUER_KEY.did_key(), "type": ["Profile"], "name": "NATO DIANA", "url": "https://www.diana.nato.int"}
    assert (badge["validFrom"], badge["validUntil"]) == ("2026-11-01T09:30:00Z", "2028-11-01T09:30:00Z")
    subject = badge["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"] == [
        {"type": "IdentityObject", "hashed": False, "identityHash": "ELETTRONICA SPA", "identityType": "name"},
        {"type": "IdentityObject", "hashed": False, "identityHash": "911716484", "identityType": "ext:EU-PIC"},
    ]
    achievement = subject["achievement"]
    assert achievement["name"] == "CARMENTA PF, demonstrated against Aircraft self-protection v2"
    assert achievement["achievementType"] == "QualityAssuranceCredential"
    assert achievement["criteria"] == {
        "narrative": "The system detects, classifies and counters threats to the aircraft in each use case."
    }
    descriptions = achievement["resultDescription"]
    assert [(d["name"], d["resultType"], d["valueMin"], d["valueMax"]) for d in descriptions] == [
        ("Radar warning", "ScaledScore", "1", "10"),
        ("Missile approach warning", "ScaledScore", "1", "10"),
    ]
    assert [(r["resultDescription"], r["value"]) for r in subject["result"]] == [(descriptions[0]["id"], "8"), (descriptions[1]["id"], "7")]
    assert badge["evidence"] == [
        {
            "type": ["Evidence"],
            "name": "Trial: ASP-2026-04",
            "genre": "Trial",
            "description": "Trial at ICE worx Arctic (FFI) (NOR), 2026-04-13 to 2026-04-24.",
            "narrative": "Scores (1-10) per use case: Radar warning: 8/10; Missile approach warning: 7/10.",
        }
    ]
    assert [entry["statusPurpose"] for entry in badge["credentialStatus"]] == ["revocation", "suspension"]
    # Every property is defined by the pinned contexts (canonicalisation in safe mode accepts it).
    assert canonicalize(badge).count("\n") == 66


def test_an_external_demonstration_is_named_in_the_evidence_and_verifies():
    demonstration = ExternalDemonstration(
        source="Exercise Ramstein Flag 2026",
        demonstrated_on=date(2026, 9, 14),
        vouched_by="Italian Air Force",
        rationale="Flown in the exercise's electronic-warfare scenarios under operational conditions.",
        scores={"Radar warning": 9},
    )
    data = badge_data(
        evidence=[demonstration],
        company=Company(name="ELETTRONICA SPA", identifiers={"ext:EU-PIC": "911716484", IDENTITY_TYPE_NCAGE: "A0042"}),
    )
    badge = issue_badge(data, ISSUER_KEY, ISSUER_KEY.did_key_verification_method(), ISSUED_AT)
    assert badge["evidence"] == [
        {
            "type": ["Evidence"],
            "name": "External demonstration: Exercise Ramstein Flag 2026",
            "genre": "External demonstration",
            "description": (
                "Demonstrated on 2026-09-14 through Exercise Ramstein Flag 2026; vouched for by Italian Air Force. "
                "Accepted by the adoption board: Flown in the exercise's electronic-warfare scenarios under operational conditions."
            ),
            "narrative": "Scores (1-10) per use case: Radar warning: 9/10.",
        }
    ]
    from rapid_adoption.badges import verify_badge

    assert verify_badge(badge, now=NOW, trusted_issuers=trusted(), status_lists=status_lists()).valid is True


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"scores": [UseCaseScore("Radar warning", 11)]}, "scores[0].score_1_to_10: a score is an integer from 1 to 10, got 11"),
        ({"scores": [UseCaseScore("Radar warning", 7.5)]}, "scores[0].score_1_to_10: a score is an integer from 1 to 10, got 7.5"),
        ({"scores": []}, "scores: a badge scores at least one use case"),
        ({"scores": [UseCaseScore("A", 5), UseCaseScore("A", 6)]}, "scores: use case 'A' is scored twice"),
        ({"evidence": []}, "evidence: a badge rests on at least one trial or external demonstration"),
        ({"scores": [UseCaseScore("Radar warning", 8)]}, "evidence[0].scores: scores use cases the badge does not have: Missile approach warning"),
        ({"credential_status": []}, "credential_status: a badge needs a status list entry so that it can be revoked"),
        ({"valid_until": datetime(2026, 1, 1, tzinfo=timezone.utc)}, "valid_until: valid_until must be after valid_from"),
        ({"valid_from": datetime(2026, 11, 1)}, "datetime: a timezone-aware datetime is required, got datetime.datetime(2026, 11, 1, 0, 0)"),
        ({"credential_id": "not a uri"}, "credential_id: must be an absolute URI, got 'not a uri'"),
        ({"company": Company(name="X", identifiers={"PIC": "1"})}, "company.identifiers: identity type 'PIC' is neither an Open Badges IdentifierTypeEnum value nor an 'ext:' extension"),
        ({"company": Company(name="  ")}, "company.name: must be a non-empty string"),
    ],
)
def test_bad_input_is_refused_naming_the_field(changes, message):
    with pytest.raises(ValidationError) as error:
        build_badge(badge_data(**changes))
    assert str(error.value) == message


def test_the_key_must_be_the_issuers():
    with pytest.raises(ValidationError, match="verification_method: the verification method did:key:.* does not belong to the issuer"):
        issue_badge(badge_data(), OTHER_KEY, OTHER_KEY.did_key_verification_method(), ISSUED_AT)


def test_dates():
    assert format_datetime(datetime(2026, 11, 29, 13, 0, 5, 123, tzinfo=timezone.utc)) == "2026-11-29T13:00:05Z"
    assert add_years(datetime(2028, 2, 29, tzinfo=timezone.utc), 2) == datetime(2030, 2, 28, tzinfo=timezone.utc)
