"""The badge services on the real quickstart workspace (both backends): the award at the badge gate, the external
demonstration route, revocation and suspension, listing, permissions, and what verification says."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from badge_helpers import BADGE_CASE, DEMO_CASE, DEMO_CASE_ID, DEMO_COMPANY, ISSUER_NAME, defis_board, with_secret
from conftest import admin_of, inspect_db
from rapid_adoption.domain.errors import GateNotSatisfied, NotFound, PermissionDenied, ValidationError
from rapid_adoption.domain.types import Stage
from rapid_adoption.services import badges
from rapid_adoption.services.auth import actor_for_username
from rapid_adoption.services.cases import CaseService
from rapid_adoption.services.sharing import share
from rapid_adoption.store.tables import AuditEntry, GateDecision
from rapid_adoption.store.tables_badges import Badge

CHECK_NAMES = ["required_fields", "proof", "verification_method", "trusted_issuer", "validity", "status"]


@pytest.fixture
def ws(qs_ws, backend, templates, tmp_path):
    """A copy of the quickstart workspace with its deployment secret."""
    return with_secret(qs_ws, backend, templates, tmp_path)


def the_badge(ws, actor=None) -> dict:
    return badges.show_badge(ws, actor or admin_of(ws), 1)


def reasons(result) -> dict[str, str]:
    return {c.name: c.reason for c in result.checks}


# --- the quickstart's award --------------------------------------------------------------------------------------


def test_the_quickstart_awarded_the_demonstration_case_its_badge_with_the_real_fields(ws):
    view = the_badge(ws)
    credential = view["credential"]
    assert (view["case_id"], view["case_ref"], view["issuer"], view["route"], view["status"], view["listed"]) == (
        DEMO_CASE_ID, DEMO_CASE, "EU-DEFIS", "trials", "active", True)
    assert view["company_ref"] == DEMO_COMPANY
    assert view["scores"] == [
        {"use_case": "point_defence", "name": "Point defence", "score_1_to_10": 7},
        {"use_case": "perimeter", "name": "Perimeter protection", "score_1_to_10": 7},
        {"use_case": "border", "name": "Border surveillance", "score_1_to_10": 6},
        {"use_case": "convoy", "name": "Convoy protection", "score_1_to_10": 5},
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["name"] == ISSUER_NAME
    assert credential["issuer"]["id"] == view["issuer_did"] and view["issuer_did"].startswith("did:key:z6Mk")
    assert (credential["validFrom"], credential["validUntil"], credential["awardedDate"]) == (
        "2026-11-29T12:00:00Z", "2028-11-29T12:00:00Z", "2026-11-29T12:00:00Z")
    subject = credential["credentialSubject"]
    assert subject["identifier"] == [
        {"type": "IdentityObject", "hashed": False, "identityHash": "LEONARDO - SOCIETA PER  AZIONI",
         "identityType": "name"},
        {"type": "IdentityObject", "hashed": False, "identityHash": "998627417", "identityType": "ext:EU-PIC"},
    ]
    achievement = subject["achievement"]
    assert achievement["name"] == ("E-CUAS: European Counter Unmanned Aerial Systems, demonstrated against Counter-UAS "
                                   "system evaluation (example) v1")
    assert achievement["achievementType"] == "QualityAssuranceCredential"
    assert achievement["criteria"]["narrative"].startswith("EXAMPLE procedure. Live trials of a counter-uncrewed-aerial")
    assert "Point defence: passes with a score of 6 or more (1-10, by the procedure's rubric) and every measure at " \
           "its threshold (Detection range of a Group 1 UAS at least 2000 m;" in achievement["criteria"]["narrative"]
    assert [d["name"] for d in achievement["resultDescription"]] == [
        "Point defence", "Perimeter protection", "Border surveillance", "Convoy protection"]
    assert [r["value"] for r in subject["result"]] == ["7", "7", "6", "5"]
    convoy = achievement["resultDescription"][3]["description"]
    assert convoy.endswith("Below the procedure's threshold (reaction_time 25 s is above the threshold 20 s; score 5 "
                           "is below the pass score 6); the adoption board let it pass: Demonstration: the need "
                           "(EDF-2023-DA-AIRDEF-CUAS) asks for the protection of sites and forces at the halt; the "
                           "convoy use case is outside its scope, so its failure does not block the gate.")
    assert credential["evidence"] == [{
        "type": ["Evidence"],
        "name": "Trial: QS-TRIAL-EDF-101167796 (a demonstration: its results are illustrative values)",
        "genre": "Trial",
        "description": "Trial at Lt Gen Best Barracks (Vredepeel) (NLD), 2026-11-16 to 2026-11-29.",
        "narrative": "Scores (1-10) per use case: Point defence: 7/10; Perimeter protection: 7/10; Border "
                     "surveillance: 6/10; Convoy protection: 5/10.",
    }]
    index = str(view["status_index"])
    assert credential["credentialStatus"] == [
        {"id": f"http://localhost:8000/status/EU-DEFIS/1#{index}", "type": "BitstringStatusListEntry",
         "statusPurpose": "revocation", "statusListIndex": index,
         "statusListCredential": "http://localhost:8000/status/EU-DEFIS/1"},
        {"id": f"http://localhost:8000/status/EU-DEFIS/2#{index}", "type": "BitstringStatusListEntry",
         "statusPurpose": "suspension", "statusListIndex": index,
         "statusListCredential": "http://localhost:8000/status/EU-DEFIS/2"},
    ]
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["proof"]["verificationMethod"] == f"{view['issuer_did']}#{view['issuer_did'][8:]}"
    case = CaseService(ws, admin_of(ws)).show(DEMO_CASE)
    assert case.case["stage"] == "contracting"
    assert case.timeline[-1]["from_stage"] == "badge" and case.timeline[-1]["inferred"] is False
    assert case.timeline[-1]["rationale"] == (
        "Demonstration: the board awards the badge of approval on trial 19, whose results are made-up illustrative "
        "values entered by the quickstart.")


def test_the_quickstart_badge_verifies_with_a_reason_per_check(ws):
    result = badges.verify(ws, the_badge(ws)["credential"])
    did = result.issuer_id
    assert result.valid and result.status is None
    assert reasons(result) == {
        "required_fields": "every required field is present",
        "proof": "signature verified",
        "verification_method": f"{did}#{did[8:]} is an assertion method of the issuer",
        "trusted_issuer": f"{did} ({ISSUER_NAME}) is a trusted issuer",
        "validity": "valid from 2026-11-29T12:00:00Z until 2028-11-29T12:00:00Z",
        "status": "not revoked and not suspended",
    }
    jws = badges.download(ws, admin_of(ws), 1, "jwt")[0]
    by_jws = badges.verify(ws, jws)
    assert by_jws.valid and reasons(by_jws)["proof"] == "JWS signature verified"


def test_a_tampered_badge_is_invalid(ws):
    credential = the_badge(ws)["credential"]
    credential["credentialSubject"]["result"][3]["value"] = "9"
    result = badges.verify(ws, json.dumps(credential))
    assert not result.valid
    assert [c.name for c in result.failed()] == ["proof"]
    assert reasons(result)["proof"] == ("the signature does not match the document: it was altered or signed with "
                                        "another key")


# --- the gate ----------------------------------------------------------------------------------------------------


def test_the_badge_gate_refuses_a_case_without_evidence_and_writes_nothing(ws):
    board = defis_board(ws)
    with inspect_db(ws) as session:
        before = (session.scalar(select(func.count()).select_from(GateDecision)),
                  session.scalar(select(func.count()).select_from(Badge)))
    with pytest.raises(GateNotSatisfied) as err:
        CaseService(ws, board).advance(BADGE_CASE, Stage.CONTRACTING, "The board awards the badge")
    assert str(err.value) == (
        "case 1 cannot pass the badge gate: no evaluation procedure is covered by its completed trials (the tevv "
        "gate's check), and the board accepted no external demonstration: record one with 'rapid badge evidence add "
        "1' and accept it at the gate with 'rapid badge award 1 --external ID'")
    with inspect_db(ws) as session:
        after = (session.scalar(select(func.count()).select_from(GateDecision)),
                 session.scalar(select(func.count()).select_from(Badge)))
    assert after == before
    assert CaseService(ws, board).show(BADGE_CASE).case["stage"] == "badge"


def test_an_inferred_decision_passes_the_badge_gate_without_a_badge(ws):
    board = defis_board(ws)
    CaseService(ws, board).advance(BADGE_CASE, Stage.CONTRACTING, "Contract signed (inferred from the source)",
                                   inferred=True)
    assert badges.case_badges(ws, board, BADGE_CASE) == []


def record_demo(ws, actor, **changes):
    values = dict(procedure="system-demo-example@1", source="EDF project final review demonstration",
                  demonstrated_on="2026-06-30", vouched_by="Italian Ministry of Defence",
                  scores={"function": 7, "reliability": 6}, evidence=["https://example.org/final-review"])
    values.update(changes)
    return badges.record_external(ws, actor, BADGE_CASE, **values)


def test_an_external_demonstration_accepted_at_the_gate_makes_a_badge_that_names_it(ws):
    board = defis_board(ws)
    recorded = record_demo(ws, board)
    assert (recorded["procedure"], recorded["scores"], recorded["accepted"]) == (
        "system-demo-example v1", {"function": 7, "reliability": 6}, False)
    CaseService(ws, board).advance(BADGE_CASE, Stage.CONTRACTING, "The Italian MoD's review shows it working",
                                   award=badges.AwardOptions(external=[recorded["id"]], listed=False))
    [view] = badges.case_badges(ws, board, BADGE_CASE)
    assert (view["id"], view["route"], view["listed"], view["procedure"]) == (
        2, "external", False, "System demonstration in a relevant environment (example) v1")
    assert view["scores"] == [{"use_case": "function", "name": "Stated functions in a relevant environment",
                               "score_1_to_10": 7},
                              {"use_case": "reliability", "name": "Reliability", "score_1_to_10": 6}]
    credential = badges.show_badge(ws, board, 2)["credential"]
    assert credential["evidence"] == [{
        "type": ["Evidence"], "name": "External demonstration: EDF project final review demonstration",
        "genre": "External demonstration",
        "description": "Demonstrated on 2026-06-30 through EDF project final review demonstration; vouched for by "
                       "Italian Ministry of Defence. Accepted by the adoption board: The Italian MoD's review shows "
                       "it working",
        "narrative": "Scores (1-10) per use case: Stated functions in a relevant environment: 7/10; Reliability: 6/10.",
    }]
    assert badges.verify(ws, credential).valid
    [accepted] = badges.list_external(ws, board, BADGE_CASE)
    assert (accepted["accepted"], accepted["accepted_by"], accepted["acceptance_rationale"]) == (
        True, "defis.board", "The Italian MoD's review shows it working")
    with inspect_db(ws) as session:
        actions = [(e.action, e.object_type) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.actor == "defis.board").order_by(AuditEntry.id))]
    assert actions == [("create", "external_demonstrations"), ("gate", "adoption_cases"), ("award", "badges"),
                       ("accept", "external_demonstrations")]


@pytest.mark.parametrize("changes, field, message", [
    ({"scores": {"speed": 5}}, "scores", "procedure system-demo-example v1 has no use case 'speed'; expected one of "
                                         "function, reliability, integration, security"),
    ({"scores": {"function": 11}}, "scores.function", "must be 1-10, got 11"),
    ({"demonstrated_on": "2026-12-01"}, "demonstrated_on", "a demonstration cannot be dated in the future (2026-12-01)"),
    ({"demonstrated_on": "last june"}, "demonstrated_on", "is not a date (expected YYYY-MM-DD), got 'last june'"),
    ({"vouched_by": "  "}, "vouched_by", "is required and was empty"),
    ({"evidence": ["example.org/report"]}, "evidence", "must be an http(s) URL, got 'example.org/report'"),
])
def test_a_bad_external_demonstration_is_refused_naming_the_field(ws, changes, field, message):
    board = defis_board(ws)
    with pytest.raises(ValidationError) as err:
        record_demo(ws, board, **changes)
    assert (err.value.field, err.value.message) == (field, message)
    assert badges.list_external(ws, board, BADGE_CASE) == []


def test_an_external_demonstration_without_scores_cannot_carry_a_badge(ws):
    board = defis_board(ws)
    recorded = record_demo(ws, board, scores={})
    with pytest.raises(ValidationError) as err:
        CaseService(ws, board).advance(BADGE_CASE, Stage.CONTRACTING, "accepted",
                                       award=badges.AwardOptions(external=[recorded["id"]]))
    assert str(err.value) == (
        f"external: external demonstration {recorded['id']} gives no score, and no completed trial scores "
        "system-demo-example v1: a badge carries a 1-10 score per use case; record the scores with the demonstration "
        "(--score USE_CASE=N)")
    assert CaseService(ws, board).show(BADGE_CASE).case["stage"] == "badge"


def test_an_external_demonstration_of_another_case_is_refused(ws):
    board = defis_board(ws)
    recorded = record_demo(ws, board)
    other = "QS-EDF-101121212"
    with pytest.raises(ValidationError) as err:
        CaseService(ws, board).advance(other, Stage.CONTRACTING, "accepted",
                                       award=badges.AwardOptions(external=[recorded["id"]]))
    assert err.value.message == (f"external demonstration {recorded['id']} is not recorded for case 2 ('rapid badge "
                                 "evidence list 2' shows them)")


# --- status and listing ------------------------------------------------------------------------------------------


def test_suspend_unsuspend_and_revoke_show_in_verification(ws):
    board = defis_board(ws)
    credential = the_badge(ws)["credential"]
    index = the_badge(ws)["status_index"]
    suspended = badges.change_status(ws, board, 1, "suspend", "Under review after a field report")
    assert (suspended["status"], suspended["status_reason"], suspended["version"]) == (
        "suspended", "Under review after a field report", 2)
    result = badges.verify(ws, credential)
    assert (result.valid, result.status) == (False, "suspended")
    assert reasons(result)["status"] == f"suspended (status list http://localhost:8000/status/EU-DEFIS/2, index {index})"
    badges.change_status(ws, board, 1, "unsuspend", "Review closed", expected_version=2)
    assert badges.verify(ws, credential).valid
    badges.change_status(ws, board, 1, "revoke", "Withdrawn by the board")
    result = badges.verify(ws, credential)
    assert (result.valid, result.status) == (False, "revoked")
    assert reasons(result)["status"] == f"revoked (status list http://localhost:8000/status/EU-DEFIS/1, index {index})"
    published = badges.status_list_credential(ws, "EU-DEFIS", 1)
    assert published["credentialSubject"]["statusPurpose"] == "revocation"
    with pytest.raises(ValidationError) as err:
        badges.change_status(ws, board, 1, "unsuspend", "again")
    assert str(err.value) == "status: badge 1 is revoked: a revocation is final"
    with inspect_db(ws) as session:
        entries = [(e.action, e.after["status"], e.after["status_reason"]) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "badges", AuditEntry.actor == "defis.board")
            .order_by(AuditEntry.id))]
    assert entries == [("suspend", "suspended", "Under review after a field report"),
                       ("unsuspend", "active", "Review closed"), ("revoke", "revoked", "Withdrawn by the board")]


def test_a_stale_version_is_a_conflict(ws):
    from rapid_adoption.domain.errors import Conflict

    board = defis_board(ws)
    with pytest.raises(Conflict) as err:
        badges.change_status(ws, board, 1, "suspend", "x", expected_version=7)
    assert str(err.value) == "badge 1 is at version 1, not 7: reload and try again"


def test_an_unlisted_badge_leaves_the_company_page(ws):
    board = defis_board(ws)
    uuid = the_badge(ws)["credential_id"].removeprefix("urn:uuid:")
    page = badges.public_company(ws, DEMO_COMPANY)
    assert page["company_name"] == "LEONARDO - SOCIETA PER  AZIONI"
    assert [(b["solution_name"], b["status"]) for b in page["badges"]] == [
        ("E-CUAS: European Counter Unmanned Aerial Systems", "active")]
    assert badges.public_badge(ws, uuid)["verification"]["valid"] is True
    badges.set_listed(ws, board, 1, False)
    with pytest.raises(NotFound) as err:
        badges.public_company(ws, DEMO_COMPANY)
    assert str(err.value) == "no company 'PIC-998627417' with a listed badge"
    with pytest.raises(NotFound):
        badges.public_badge(ws, uuid)
    with pytest.raises(NotFound):
        badges.public_file(ws, uuid, "json")


# --- permissions -------------------------------------------------------------------------------------------------


def test_only_the_issuers_board_or_admin_may_change_a_badge(ws):
    admin = admin_of(ws)  # DIANA's admin: sees the badge, did not issue it
    with pytest.raises(PermissionDenied) as err:
        badges.change_status(ws, admin, 1, "revoke", "not ours")
    assert str(err.value) == "badge 1 was issued by another organisation: only its issuer may revoke it"
    with pytest.raises(PermissionDenied) as err:
        badges.set_listed(ws, admin, 1, False)
    assert str(err.value) == "badge 1 was issued by another organisation: only its issuer may change its listing"
    from rapid_adoption.services.auth import create_user

    create_user(ws, None, "defis.viewer", "EU-DEFIS", ["viewer"])
    viewer = actor_for_username(ws, "defis.viewer")
    with pytest.raises(PermissionDenied) as err:
        badges.change_status(ws, viewer, 1, "suspend", "x")
    assert str(err.value) == "suspending a badge needs the role admin or board; defis.viewer has viewer"
    assert the_badge(ws)["status"] == "active"


def test_a_badge_whose_case_is_hidden_is_not_found(ws):
    board = defis_board(ws)
    share(ws, board, f"case:{DEMO_CASE_ID}", distribution="organisation")
    norway = actor_for_username(ws, "nor.analyst")
    with pytest.raises(NotFound) as err:
        badges.show_badge(ws, norway, 1)
    assert str(err.value) == "no badge '1' (give its id or credential id; 'rapid badge list' shows them)"
    with pytest.raises(NotFound):
        badges.change_status(ws, norway, 1, "revoke", "x")
    assert badges.page_badges(ws, norway).total == 0
    assert badges.page_badges(ws, board).total == 1
