"""``/api/badges`` and the public badge documents over HTTP, on the real quickstart workspace (both backends):
verification with no token, a tampered badge, revocation and suspension with If-Match, permissions (403 for another
organisation, 404 for a hidden case), downloads, the external-demonstration route, status lists and DID documents."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api_helpers import PROBLEM, add_user, assert_problem, bearer, token_of
from badge_helpers import BADGE_CASE, DEMO_CASE_ID, ISSUER_NAME, with_secret
from rapid_adoption.api import create_app
from rapid_adoption.services import issuers
from rapid_adoption.services.auth import actor_for_username
from rapid_adoption.services.sharing import share


@pytest.fixture
def ws(qs_ws, backend, templates, tmp_path):
    return with_secret(qs_ws, backend, templates, tmp_path)


@pytest.fixture
def client(ws):
    with TestClient(create_app(ws)) as test_client:
        yield test_client


@pytest.fixture
def board(ws) -> dict[str, str]:
    """The header of a token of an EU-DEFIS board member (the quickstart badge's issuer)."""
    return add_user(ws, "defis.board", "EU-DEFIS", "board")


def credential(client, headers) -> dict:
    return client.get("/api/badges/1", headers=headers).json()["credential"]


def test_verify_needs_no_token_and_gives_a_reason_per_check(client, ws):
    badge = credential(client, bearer(token_of(ws, "admin")))
    answer = client.post("/api/badges/verify", json={"badge": badge})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["valid"], body["status"], body["credential_id"], body["issuer_id"]) == (
        True, None, badge["id"], badge["issuer"]["id"])
    assert [(c["name"], c["passed"]) for c in body["checks"]] == [
        ("required_fields", True), ("proof", True), ("verification_method", True), ("trusted_issuer", True),
        ("validity", True), ("status", True)]
    assert body["checks"][3]["reason"] == f"{badge['issuer']['id']} ({ISSUER_NAME}) is a trusted issuer"
    as_text = client.post("/api/badges/verify", json={"badge": json.dumps(badge)})
    assert as_text.json()["valid"] is True


def test_a_tampered_badge_is_invalid_through_the_api(client, ws):
    badge = credential(client, bearer(token_of(ws, "admin")))
    for path, value in ((("credentialSubject", "result", 0, "value"), "10"), (("validUntil",), "2099-01-01T00:00:00Z"),
                        (("issuer", "name"), "Someone else")):
        tampered = json.loads(json.dumps(badge))
        target = tampered
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        body = client.post("/api/badges/verify", json={"badge": tampered}).json()
        assert body["valid"] is False, path
        assert [c["name"] for c in body["checks"] if not c["passed"]] == ["proof"], path


def test_a_jws_badge_verifies_and_a_non_badge_is_invalid_or_refused(client, ws):
    admin = bearer(token_of(ws, "admin"))
    jws = client.get("/api/badges/1/download", params={"format": "jwt"}, headers=admin)
    assert jws.headers["content-type"] == "application/vc+jwt"
    assert jws.headers["content-disposition"] == 'attachment; filename="badge-QS-EDF-101167796.jwt"'
    assert client.post("/api/badges/verify", json={"badge": jws.text.strip()}).json()["valid"] is True
    garbage = client.post("/api/badges/verify", json={"badge": "not a badge"}).json()
    assert garbage["valid"] is False
    assert garbage["checks"][0]["reason"] == "not JSON: Expecting value (line 1)"
    assert_problem(client.post("/api/badges/verify", json={"badge": "  "}), 422,
                   "paste or upload a badge (its JSON or its .jwt)")
    assert_problem(client.post("/api/badges/verify", json={}), 422)


def test_revoke_and_suspend_through_the_api_show_in_verification(client, ws, board):
    badge = credential(client, board)
    assert_problem(client.post("/api/badges/1/suspend", json={"reason": "review"}, headers=board), 428,
                   "send If-Match with the record's version (its ETag) to change it")
    suspended = client.post("/api/badges/1/suspend", json={"reason": "Under review"}, headers={**board, "If-Match": '"1"'})
    assert suspended.status_code == 200 and suspended.headers["etag"] == '"2"'
    assert (suspended.json()["status"], suspended.json()["status_reason"]) == ("suspended", "Under review")
    verdict = client.post("/api/badges/verify", json={"badge": badge}).json()
    assert (verdict["valid"], verdict["status"]) == (False, "suspended")
    assert_problem(client.post("/api/badges/1/revoke", json={"reason": "x"}, headers={**board, "If-Match": '"1"'}),
                   409, "badge 1 is at version 2, not 1: reload and try again")
    revoked = client.post("/api/badges/1/revoke", json={"reason": "Withdrawn"}, headers={**board, "If-Match": "2"})
    assert revoked.json()["status"] == "revoked"
    verdict = client.post("/api/badges/verify", json={"badge": badge}).json()
    assert (verdict["valid"], verdict["status"]) == (False, "revoked")
    assert_problem(client.post("/api/badges/1/unsuspend", json={"reason": "x"}, headers={**board, "If-Match": "3"}),
                   422, "badge 1 is revoked: a revocation is final")
    published = client.get("/status/EU-DEFIS/1")  # public, no token
    assert published.status_code == 200 and published.headers["content-type"] == "application/json"
    assert published.json()["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]


def test_only_the_issuers_board_or_admin_may_revoke_and_a_hidden_badge_is_not_found(client, ws, board):
    admin = bearer(token_of(ws, "admin"))
    assert_problem(client.post("/api/badges/1/revoke", json={"reason": "x"}, headers={**admin, "If-Match": "1"}), 403,
                   "badge 1 was issued by another organisation: only its issuer may revoke it")
    viewer = add_user(ws, "defis.viewer", "EU-DEFIS", "viewer")
    assert_problem(client.post("/api/badges/1/revoke", json={"reason": "x"}, headers={**viewer, "If-Match": "1"}), 403,
                   "revoking a badge needs the role admin or board; defis.viewer has viewer")
    share(ws, actor_for_username(ws, "defis.board"), f"case:{DEMO_CASE_ID}", distribution="organisation")
    norway = bearer(token_of(ws, "nor.analyst"))
    for response in (client.get("/api/badges/1", headers=norway),
                     client.get("/api/badges/1/download", headers=norway),
                     client.post("/api/badges/1/revoke", json={"reason": "x"}, headers={**norway, "If-Match": "1"})):
        assert_problem(response, 404, "no badge '1' (give its id or credential id; 'rapid badge list' shows them)")
    assert client.get("/api/badges", params={"count": "true"}, headers=norway).json()["total"] == 0
    assert client.get("/api/badges", params={"count": "true"}, headers=board).json()["total"] == 1
    assert client.get("/api/badges/1", headers=board).status_code == 200
    assert_problem(client.get("/api/badges/1"), 401)


def test_list_show_and_download(client, ws):
    admin = bearer(token_of(ws, "admin"))
    page = client.get("/api/badges", params={"status": "active", "count": "true"}, headers=admin).json()
    assert page["total"] == 1
    [row] = page["items"]
    assert (row["id"], row["case_id"], row["issuer"], row["company_ref"], row["procedure"], row["listed"]) == (
        1, DEMO_CASE_ID, "EU-DEFIS", "PIC-998627417", "Counter-UAS system evaluation (example) v1", True)
    assert client.get("/api/badges", params={"status": "revoked", "count": "true"}, headers=admin).json()["total"] == 0
    shown = client.get("/api/badges/1", headers=admin)
    assert shown.headers["etag"] == '"1"'
    assert shown.json()["public_path"] == "/public/badges/" + row["credential_id"].removeprefix("urn:uuid:")
    as_json = client.get("/api/badges/1/download", headers=admin)
    assert as_json.headers["content-type"] == "application/json"
    assert json.loads(as_json.text) == shown.json()["credential"]


def test_the_external_route_through_the_api(client, ws, board):
    recorded = client.post("/api/badges/external", headers=board, json={
        "case": BADGE_CASE, "procedure": "system-demo-example@1", "source": "Exercise Steadfast 2026",
        "demonstrated_on": "2026-10-15", "vouched_by": "Italian Army", "scores": {"function": 8, "integration": 6}})
    assert recorded.status_code == 201, recorded.text
    listed = client.get("/api/badges/external", params={"case": BADGE_CASE}, headers=board).json()
    assert [(e["id"], e["accepted"]) for e in listed] == [(recorded.json()["id"], False)]
    case = client.get("/api/cases/1", headers=board)
    assert case.json()["ref"] == BADGE_CASE
    awarded = client.post("/api/badges/award", headers={**board, "If-Match": case.headers["etag"]}, json={
        "case": BADGE_CASE, "rationale": "The exercise report shows it working", "external": [recorded.json()["id"]],
        "listed": False})
    assert awarded.status_code == 201, awarded.text
    [badge] = awarded.json()
    assert (badge["id"], badge["route"], badge["listed"], badge["case_id"]) == (2, "external", False, 1)
    assert [s["score_1_to_10"] for s in badge["scores"]] == [8, 6]
    assert badge["credential"]["evidence"][0]["genre"] == "External demonstration"
    assert client.post("/api/badges/verify", json={"badge": badge["credential"]}).json()["valid"] is True
    assert client.get("/api/cases/1", headers=board).json()["stage"] == "contracting"


def test_the_badge_gate_without_evidence_is_a_problem(client, ws, board):
    case = client.get("/api/cases/1", headers=board)
    answer = client.post("/api/badges/award", headers={**board, "If-Match": case.headers["etag"]},
                         json={"case": 1, "rationale": "award"})
    body = assert_problem(answer, 422)
    assert body["detail"].startswith("case 1 cannot pass the badge gate: no evaluation procedure is covered")


def test_issuer_and_trusted_issuers(client, ws, board):
    issuer = client.get("/api/badges/issuers/EU-DEFIS", headers=board).json()
    assert (issuer["organisation"], issuer["did_method"], issuer["trusted"]) == ("EU-DEFIS", "did:key", True)
    trusted = client.get("/api/badges/trusted-issuers", headers=board).json()
    assert [(t["did"], t["local"]) for t in trusted] == [(issuer["did"], True)]
    assert_problem(client.get("/api/badges/issuers/NOPE", headers=board), 404, "no organisation 'NOPE' in this workspace")


def test_did_documents_are_served_with_a_public_domain(client, ws, monkeypatch):
    answer = client.get("/.well-known/did.json")
    assert answer.status_code == 404 and answer.headers["content-type"] == PROBLEM
    monkeypatch.setenv("RAPID_PUBLIC_DOMAIN", "badges.example.org")
    issuers.rotate_key(ws, actor_for_username(ws, "admin"))
    document = client.get("/.well-known/did.json")
    assert document.status_code == 200 and document.headers["content-type"] == "application/json"
    assert document.json()["id"] == "did:web:badges.example.org"
    other = client.get("/issuers/eu-defis/did.json").json()
    assert other["id"] == "did:web:badges.example.org:issuers:eu-defis"
    assert client.get("/issuers/nobody/did.json").status_code == 404
