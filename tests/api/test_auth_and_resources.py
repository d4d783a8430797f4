"""Bearer tokens, problem documents, and the other resources: cases, assessments, sharing groups, organisations,
users and the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api_helpers import (  # noqa: F401 - fixtures
    PROBLEM,
    add_user,
    admin_h,
    assert_problem,
    bearer,
    empty_client,
    qs_client,
    token_of,
)
from conftest import FROZEN_NOW, inspect_db
from rapid_adoption.services.auth import actor_for_username, create_token, revoke_token, set_active


def _unauthorised(response, detail: str) -> None:
    assert_problem(response, 401, detail)
    assert response.headers["www-authenticate"] == "Bearer"


def test_tokens_missing_bad_revoked_expired_or_of_a_deactivated_user(qs_ws, qs_client):
    _unauthorised(qs_client.get("/api/needs"), "send an API token: 'Authorization: Bearer TOKEN' (rapid tokens create --name NAME)")
    _unauthorised(qs_client.get("/api/needs", headers=bearer("rapid_nonsense")), "the API token is not valid")
    _unauthorised(qs_client.get("/api/needs", headers={"Authorization": "Basic YWRtaW46eA=="}),
                  "send an API token: 'Authorization: Bearer TOKEN' (rapid tokens create --name NAME)")
    admin = actor_for_username(qs_ws, "admin")
    revoked = create_token(qs_ws, admin, "old")
    revoke_token(qs_ws, admin, revoked.id)
    _unauthorised(qs_client.get("/api/needs", headers=bearer(revoked.token)), "the API token 'old' was revoked")
    short = create_token(qs_ws, admin, "short", expires_days=1)
    assert qs_client.get("/api/needs", headers=bearer(short.token)).status_code == 200
    qs_ws.now = lambda: FROZEN_NOW + timedelta(days=2)
    _unauthorised(qs_client.get("/api/needs", headers=bearer(short.token)), "the API token 'short' expired on 2026-11-30")
    qs_ws.now = lambda: FROZEN_NOW
    viewer = bearer(token_of(qs_ws, "fra.viewer"))
    set_active(qs_ws, admin_of_fra(qs_ws), "fra.viewer", False)
    _unauthorised(qs_client.get("/api/needs", headers=viewer), "user 'fra.viewer' is deactivated")


def admin_of_fra(ws):
    """An admin of FRA (made for the test), to deactivate FRA's viewer."""
    from rapid_adoption.services.auth import create_user

    create_user(ws, None, "fra.admin", "FRA", ["admin"])
    return actor_for_username(ws, "fra.admin")


def test_every_error_is_a_problem_document(qs_client, admin_h):
    for response, status in [
        (qs_client.get("/api/needs/0", headers=admin_h), 422),
        (qs_client.get("/api/needs/99999", headers=admin_h), 404),
        (qs_client.patch("/api/needs/1", json={"title": "x"}, headers=admin_h), 428),
        (qs_client.patch("/api/needs/1", json={"title": "x"}, headers={**admin_h, "If-Match": "1"}), 403),
        (qs_client.post("/api/needs", json={"ref": "EDF-2023-DA-AIRDEF-CUAS", "title": "x"}, headers=admin_h), 409),
        (qs_client.post("/api/needs", json={"title": "x", "colour": "red"}, headers=admin_h), 422),
        (qs_client.get("/api/needs"), 401),
    ]:
        body = assert_problem(response, status)
        assert set(body) >= {"type", "title", "status", "detail"}


def test_case_open_advance_reject_and_timeline(qs_client, admin_h):
    opened = qs_client.post("/api/cases", json={"need": "EDF-2023-DA-AIRDEF-CUAS", "solution": "EDF-101167796"},
                            headers=admin_h)
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert (case["stage"], case["owner"], case["version"], case["clock"]["status"]) == ("market_research", "DIANA", 1,
                                                                                         "on_track")
    again = qs_client.post("/api/cases", json={"need": "EDF-2023-DA-AIRDEF-CUAS", "solution": "EDF-101167796"},
                           headers=admin_h)
    assert_problem(again, 409, f"case {case['id']} is already open for need EDF-2023-DA-AIRDEF-CUAS and solution "
                               "EDF-101167796")
    skip = qs_client.post(f"/api/cases/{case['id']}/advance", json={"to": "badge", "rationale": "r"},
                          headers={**admin_h, "If-Match": '"1"'})
    assert_problem(skip, 422)
    moved = qs_client.post(f"/api/cases/{case['id']}/advance",
                           json={"to": "tevv", "rationale": "TRL 6 shown", "evidence": ["https://example.org/report"]},
                           headers={**admin_h, "If-Match": '"1"'})
    assert moved.status_code == 200 and moved.headers["etag"] == '"2"'
    stale = qs_client.post(f"/api/cases/{case['id']}/reject", json={"rationale": "late"},
                           headers={**admin_h, "If-Match": '"1"'})
    assert_problem(stale, 409, f"case {case['id']} is at version 2, not 1: reload and try again")
    rejected = qs_client.post(f"/api/cases/{case['id']}/reject", json={"rationale": "trials failed"},
                              headers={**admin_h, "If-Match": '"2"'}).json()
    assert (rejected["stage"], rejected["rejected_at_stage"]) == ("rejected", "tevv")
    assert [(d["from_stage"], d["to_stage"], d["rationale"]) for d in rejected["timeline"]] == [
        ("market_research", "tevv", "TRL 6 shown"), ("tevv", "rejected", "trials failed")]
    listed = qs_client.get("/api/cases", params={"stage": "rejected", "count": "true"}, headers=admin_h).json()
    assert (listed["total"], [c["id"] for c in listed["items"]]) == (1, [case["id"]])


def test_case_pages_and_filters(qs_client, admin_h):
    adopted = qs_client.get("/api/cases", params={"stage": "adopted", "limit": 100, "count": "true"}, headers=admin_h).json()
    assert adopted["total"] == 172 and len(adopted["items"]) == 100
    rest = qs_client.get("/api/cases", params={"stage": "adopted", "limit": 100, "cursor": adopted["next_cursor"]},
                         headers=admin_h).json()
    assert len(rest["items"]) == 72 and rest["next_cursor"] is None
    assert not {c["id"] for c in adopted["items"]} & {c["id"] for c in rest["items"]}
    assert qs_client.get("/api/cases", params={"owner": "EU-DEFIS", "count": "true"}, headers=admin_h).json()["total"] == 42
    body = assert_problem(qs_client.get("/api/cases", params={"stage": "done"}, headers=admin_h), 422)
    assert body["field"] == "stage"


def test_assessments_by_the_quickstart_users(qs_ws, qs_client):
    nor = bearer(token_of(qs_ws, "nor.analyst"))
    fra = bearer(token_of(qs_ws, "fra.viewer"))
    est = bearer(token_of(qs_ws, "est.analyst"))
    assert qs_client.get("/api/assessments?count=true", headers=nor).json()["total"] == 3  # its two, and DEU's CLEAR one
    assert qs_client.get("/api/assessments?count=true", headers=fra).json()["total"] == 1
    group_id = qs_client.get("/api/sharing-groups", headers=nor).json()["items"][0]["id"]
    made = qs_client.post("/api/assessments", json={"solution": "EDF-101167796", "trl": 6, "fit_0_to_100": 70,
                                                    "distribution": "sharing_group", "sharing_group_id": group_id},
                          headers=nor)
    assert made.status_code == 201, made.text
    record = made.json()
    assert record["marking"] == "TLP:AMBER · Sharing group: Nordic-Baltic"
    assert qs_client.get(f"/api/assessments/{record['id']}", headers=est).status_code == 200
    assert_problem(qs_client.get(f"/api/assessments/{record['id']}", headers=fra), 404)
    assert_problem(qs_client.patch(f"/api/assessments/{record['id']}", json={"trl": 7},
                                   headers={**est, "If-Match": '"1"'}), 403)
    changed = qs_client.patch(f"/api/assessments/{record['id']}", json={"trl": 7}, headers={**nor, "If-Match": '"1"'})
    assert (changed.status_code, changed.json()["trl"], changed.json()["version"]) == (200, 7, 2)
    shared = qs_client.put(f"/api/assessments/{record['id']}/sharing", json={"distribution": "community", "tlp": "GREEN"},
                           headers={**nor, "If-Match": '"2"'})
    assert (shared.status_code, shared.json()["marking"], shared.json()["version"]) == (
        200, "TLP:GREEN · All organisations", 3)
    assert qs_client.get(f"/api/assessments/{record['id']}", headers=fra).status_code == 200
    assert_problem(qs_client.delete(f"/api/assessments/{record['id']}", headers=fra), 403)
    assert qs_client.delete(f"/api/assessments/{record['id']}", headers=nor).status_code == 204
    assert_problem(qs_client.get(f"/api/assessments/{record['id']}", headers=nor), 404)


def test_sharing_groups_and_members(qs_ws, qs_client):
    nor = bearer(token_of(qs_ws, "nor.analyst"))
    deu = bearer(token_of(qs_ws, "deu.analyst"))
    made = qs_client.post("/api/sharing-groups", json={"name": "North Sea", "description": "example"}, headers=nor)
    assert made.status_code == 201
    group = made.json()
    assert (group["owner"], group["members"]) == ("NOR", [{"organisation": "NOR", "nation": None, "can_extend": True}])
    assert_problem(qs_client.get(f"/api/sharing-groups/{group['id']}", headers=deu), 404,
                   f"no sharing group {group['id']} that DEU belongs to")
    added = qs_client.post(f"/api/sharing-groups/{group['id']}/members", json={"organisation": "DEU"}, headers=nor)
    assert added.status_code == 201 and len(added.json()["members"]) == 2
    assert qs_client.get(f"/api/sharing-groups/{group['id']}", headers=deu).status_code == 200
    assert_problem(qs_client.post(f"/api/sharing-groups/{group['id']}/members", json={"organisation": "DEU"},
                                  headers=nor), 409, "DEU is already in 'North Sea'")
    removed = qs_client.delete(f"/api/sharing-groups/{group['id']}/members", params={"organisation": "DEU"}, headers=nor)
    assert removed.status_code == 200 and len(removed.json()["members"]) == 1
    assert_problem(qs_client.get(f"/api/sharing-groups/{group['id']}", headers=deu), 404)


def test_organisations_users_and_audit(qs_ws, qs_client, admin_h):
    orgs = qs_client.get("/api/organisations", params={"kind": "nation", "limit": 10, "count": "true"}, headers=admin_h).json()
    assert orgs["total"] == 32 and len(orgs["items"]) == 10
    assert qs_client.get("/api/organisations/1", headers=admin_h).json()["ref"] == "DIANA"
    viewer = bearer(token_of(qs_ws, "fra.viewer"))
    assert_problem(qs_client.get("/api/users", headers=viewer), 403, "only an admin may manage users and tokens")
    made = qs_client.post("/api/users", json={"username": "diana.board", "roles": ["board"]}, headers=admin_h)
    assert made.status_code == 201
    user = made.json()
    assert (user["organisation"], user["roles"], user["active"], user["version"]) == ("DIANA", ["board"], True, 1)
    assert qs_client.get("/api/users?count=true", headers=admin_h).json()["total"] == 2
    off = qs_client.patch(f"/api/users/{user['id']}", json={"active": False}, headers={**admin_h, "If-Match": '"1"'})
    assert (off.status_code, off.json()["active"], off.json()["version"]) == (200, False, 2)
    assert_problem(qs_client.patch(f"/api/users/{user['id']}", json={"active": True},
                                   headers={**admin_h, "If-Match": '"1"'}), 409)
    entries = qs_client.get("/api/audit", params={"object_type": "users", "object_id": user["id"]}, headers=admin_h).json()
    assert [e["action"] for e in entries["items"]] == ["update", "create"]
    assert qs_client.get("/api/audit", params={"object_type": "users", "object_id": user["id"], "count": "true"},
                         headers=viewer).json()["total"] == 0  # another organisation's user
    own = qs_client.get("/api/audit", params={"object_type": "users"}, headers=viewer).json()
    assert [(e["action"], e["organisation_id"]) for e in own["items"]] == [("password.set", 11), ("create", 11)]
    walked, cursor = 0, None
    while True:
        page = qs_client.get("/api/audit", params={"limit": 500, "action": "gate", "count": "true"} | ({"cursor": cursor} if cursor else {}),
                             headers=admin_h).json()
        walked += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert walked == page["total"]


def test_token_uses_are_audited_but_do_not_count_as_changes(qs_ws, qs_client, admin_h):
    from sqlalchemy import text as sql

    with inspect_db(qs_ws) as session:
        before = session.execute(sql("SELECT last_id, last_change_id FROM audit_head")).one()
    for _ in range(3):
        assert qs_client.get("/api/needs?limit=1", headers=admin_h).status_code == 200
    with inspect_db(qs_ws) as session:
        after = session.execute(sql("SELECT last_id, last_change_id FROM audit_head")).one()
        actions = session.execute(sql("SELECT action FROM audit_entries WHERE id > :i ORDER BY id"),
                                  {"i": before[0]}).scalars().all()
    assert actions == ["token.use"] * 3
    assert (after[0], after[1]) == (before[0] + 3, before[1])
