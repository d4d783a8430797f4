"""Needs, solutions, companies and test centres over HTTP: create, read, update, delete, pages, sorting, filters."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from conftest import inspect_db
from api_helpers import admin_h, assert_problem, qs_client  # noqa: F401 - fixtures

# resource -> (table, a new record, a change, the changed field's new value, the visible total in the quickstart)
CASES = {
    "needs": ("capability_needs", {"ref": "API-NEED-1", "title": "Counter-drone point defence", "operational_domain": "air",
                                   "priority": "high", "technology_areas": ["sensing", "effectors"]},
              {"title": "Counter-drone point defence of airfields"}, 2983),
    "solutions": ("solutions", {"ref": "API-SOL-1", "company": "PIC-911716484", "name": "Drone jammer", "trl": 6,
                                "mrl": 4, "year": 2026, "need": "EDF-2023-DA-AIRDEF-CUAS"},
                  {"name": "Drone jammer mk2"}, 22335),
    "companies": ("companies", {"ref": "API-CO-1", "legal_name": "Nordic Sensors AS", "country": "NO", "sme": True,
                                "aliases": ["Nordic Sensors"]},
                  {"legal_name": "Nordic Sensors ASA"}, 6196),
    "centres": ("test_centres", {"ref": "API-TC-1", "name": "Andøya test range", "centre_type": "test range",
                                 "country": "NOR", "domains": ["air", "space"]},
                {"name": "Andøya Space test range"}, 100),
}


@pytest.mark.parametrize("resource", list(CASES))
def test_create_read_update_delete(qs_client, qs_ws, admin_h, resource):
    table, new, change, total = CASES[resource]
    created = qs_client.post(f"/api/{resource}", json=new, headers=admin_h)
    assert created.status_code == 201, created.text
    record = created.json()
    assert created.headers["location"] == f"/api/{resource}/{record['id']}"
    assert created.headers["etag"] == '"1"'
    assert (record["version"], record["owner"], record["distribution"], record["tlp"]) == (1, "DIANA", "community", "GREEN")
    assert record["marking"] == "TLP:GREEN · All organisations"
    assert qs_client.get(f"/api/{resource}", params={"count": "true"}, headers=admin_h).json()["total"] == total + 1

    shown = qs_client.get(f"/api/{resource}/{record['id']}", headers=admin_h)
    assert shown.status_code == 200 and shown.headers["etag"] == '"1"'
    assert shown.json()["ref"] == new["ref"]
    if resource == "companies":
        assert shown.json()["country"] == "NOR"  # alpha-2 taken, alpha-3 stored
    if resource == "solutions":
        assert shown.json()["company"]["ref"] == "PIC-911716484"

    field, value = next(iter(change.items()))
    updated = qs_client.patch(f"/api/{resource}/{record['id']}", json=change, headers={**admin_h, "If-Match": '"1"'})
    assert updated.status_code == 200, updated.text
    assert updated.headers["etag"] == '"2"'
    assert (updated.json()["version"], updated.json()[field]) == (2, value)
    assert qs_client.get(f"/api/{resource}/{record['id']}", headers=admin_h).json()[field] == value

    stale = qs_client.delete(f"/api/{resource}/{record['id']}", headers={**admin_h, "If-Match": '"1"'})
    assert_problem(stale, 409)
    gone = qs_client.delete(f"/api/{resource}/{record['id']}", headers={**admin_h, "If-Match": '"2"'})
    assert gone.status_code == 204 and gone.content == b""
    assert_problem(qs_client.get(f"/api/{resource}/{record['id']}", headers=admin_h), 404,
                   f"no {({'needs': 'capability need', 'solutions': 'solution', 'companies': 'company', 'centres': 'test centre'})[resource]} "
                   f"'{record['id']}' (give its id or ref)")
    with inspect_db(qs_ws) as session:
        actions = session.execute(text("SELECT action FROM audit_entries WHERE object_type = :t AND object_id = :i "
                                       "ORDER BY id"), {"t": table, "i": record["id"]}).scalars().all()
        assert actions == ["create", "update", "delete"]
        before = session.execute(text("SELECT before FROM audit_entries WHERE object_type = :t AND object_id = :i "
                                      "AND action = 'update'"), {"t": table, "i": record["id"]}).scalar_one()
        assert "version" in str(before)


@pytest.mark.parametrize("resource", list(CASES))
def test_walk_every_page(qs_client, qs_ws, admin_h, resource):
    table, _, _, total = CASES[resource]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 500, "count": "true"} | ({"cursor": cursor} if cursor else {})
        page = qs_client.get(f"/api/{resource}", params=params, headers=admin_h).json()
        assert page["total"] == total
        seen.extend(row["id"] for row in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == -(-total // 500)
    assert len(seen) == len(set(seen)) == total
    with inspect_db(qs_ws) as session:
        assert seen == session.execute(text(f"SELECT id FROM {table} ORDER BY id")).scalars().all()


@pytest.mark.parametrize("sort, order", [("-name", "name DESC, id DESC"), ("name", "name, id"),
                                         ("country", "country, id"), ("-id", "id DESC")])
def test_sorted_pages_follow_the_database_order(qs_client, qs_ws, admin_h, sort, order):
    seen, cursor = [], None
    while True:
        page = qs_client.get("/api/centres", params={"limit": 7, "sort": sort} | ({"cursor": cursor} if cursor else {}),
                             headers=admin_h).json()
        seen.extend(row["id"] for row in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    with inspect_db(qs_ws) as session:
        assert seen == session.execute(text(f"SELECT id FROM test_centres ORDER BY {order}")).scalars().all()


@pytest.mark.parametrize("path, params, total", [
    ("needs", {"text": "drone"}, 50),
    ("needs", {"domain": "air"}, 238),
    ("needs", {"country": "USA"}, 2776),
    ("centres", {"domain": "maritime"}, 12),
    ("centres", {"country": "EST"}, 8),
    ("solutions", {"country": "NOR"}, 1),
    ("solutions", {"trl_min": 7, "trl_max": 9}, 0),
    ("companies", {"text": "saab"}, 4),
    ("companies", {"country": "NOR"}, 30),
])
def test_filters_count_the_real_data(qs_client, admin_h, path, params, total):
    page = qs_client.get(f"/api/{path}", params=params | {"count": "true"}, headers=admin_h).json()
    assert page["total"] == total
    assert len(page["items"]) == min(total, 50)


def test_bad_cursor_sort_and_filters(qs_client, admin_h):
    body = assert_problem(qs_client.get("/api/needs", params={"cursor": "nonsense!"}, headers=admin_h), 422,
                          "not a cursor from this API: pass the next_cursor of the page before")
    assert body["field"] == "cursor"
    cursor = qs_client.get("/api/needs", params={"sort": "-title"}, headers=admin_h).json()["next_cursor"]
    assert_problem(qs_client.get("/api/needs", params={"cursor": cursor}, headers=admin_h), 422,
                   "this cursor was made for sort='-title', not sort='id'")
    assert_problem(qs_client.get("/api/needs", params={"sort": "priority"}, headers=admin_h), 422,
                   "cannot sort by 'priority'; use one of id, -id, ref, -ref, title, -title, created_at, -created_at, "
                   "updated_at, -updated_at")
    body = assert_problem(qs_client.get("/api/needs", params={"limit": 501}, headers=admin_h), 422)
    assert body["field"] == "limit"
    body = assert_problem(qs_client.get("/api/companies", params={"country": "XX"}, headers=admin_h), 422,
                          "is not an ISO 3166-1 country code, got 'XX'")


def test_bad_values_name_the_field(qs_client, admin_h):
    body = assert_problem(qs_client.post("/api/centres", json={"ref": "R", "name": "N", "centre_type": "test range",
                                                               "country": "ZZZ"}, headers=admin_h), 422,
                          "is not an ISO 3166-1 country code, got 'ZZZ'")
    assert body["field"] == "country"
    body = assert_problem(qs_client.post("/api/needs", json={"ref": "R", "title": "  "}, headers=admin_h), 422,
                          "is required and was empty")
    assert body["field"] == "title"
    body = assert_problem(qs_client.post("/api/needs", json={"ref": "R", "title": "a\u0000b"}, headers=admin_h), 422)
    assert body["field"] == "title"
    taken = qs_client.post("/api/needs", json={"ref": "EDF-2023-DA-AIRDEF-CUAS", "title": "T"}, headers=admin_h)
    assert_problem(taken, 409, "the ref 'EDF-2023-DA-AIRDEF-CUAS' is taken by another capability need")


def test_delete_refuses_a_record_others_depend_on(qs_client, admin_h):
    created = qs_client.post("/api/needs", json={"ref": "API-DEP", "title": "Depended on"}, headers=admin_h).json()
    solution = qs_client.post("/api/solutions", json={"ref": "API-DEP-S", "company": "PIC-911716484", "name": "S",
                                                      "need": "API-DEP"}, headers=admin_h).json()
    refused = qs_client.delete(f"/api/needs/{created['id']}", headers=admin_h)
    assert_problem(refused, 409, f"capability need {created['id']} is used by 1 solution (API-DEP-S): "
                                 "delete or change them first")
    assert qs_client.delete(f"/api/solutions/{solution['id']}", headers=admin_h).status_code == 204
    assert qs_client.delete(f"/api/needs/{created['id']}", headers=admin_h).status_code == 204


def test_version_conflict_loses_nothing(qs_client, qs_ws, admin_h):
    record = qs_client.post("/api/needs", json={"ref": "API-RACE", "title": "First"}, headers=admin_h).json()
    first = qs_client.patch(f"/api/needs/{record['id']}", json={"title": "Alice's title"},
                            headers={**admin_h, "If-Match": '"1"'})
    second = qs_client.patch(f"/api/needs/{record['id']}", json={"title": "Bob's title"},
                             headers={**admin_h, "If-Match": '"1"'})
    assert first.status_code == 200
    assert_problem(second, 409, f"capability need {record['id']} is at version 2, not 1: reload and try again")
    shown = qs_client.get(f"/api/needs/{record['id']}", headers=admin_h)
    assert (shown.json()["title"], shown.json()["version"], shown.headers["etag"]) == ("Alice's title", 2, '"2"')
    with inspect_db(qs_ws) as session:
        assert session.execute(text("SELECT count(*) FROM audit_entries WHERE object_type = 'capability_needs' "
                                    "AND object_id = :i AND action = 'update'"), {"i": record["id"]}).scalar() == 1


def test_if_match_is_required_and_checked(qs_client, admin_h):
    record = qs_client.post("/api/needs", json={"ref": "API-IFM", "title": "T"}, headers=admin_h).json()
    assert_problem(qs_client.patch(f"/api/needs/{record['id']}", json={"title": "U"}, headers=admin_h), 428,
                   "send If-Match with the record's version (its ETag) to change it")
    body = assert_problem(qs_client.patch(f"/api/needs/{record['id']}", json={"title": "U"},
                                          headers={**admin_h, "If-Match": "soon"}), 422,
                          "must be the record's version, e.g. \"3\", got 'soon'")
    assert body["field"] == "If-Match"
    assert qs_client.patch(f"/api/needs/{record['id']}", json={"title": "U"},
                           headers={**admin_h, "If-Match": "1"}).status_code == 200
    assert qs_client.patch(f"/api/needs/{record['id']}", json={"title": "V"},
                           headers={**admin_h, "If-Match": 'W/"2"'}).status_code == 200


def test_the_total_is_counted_only_on_request(qs_client, admin_h):
    plain = qs_client.get("/api/needs", params={"limit": 2}, headers=admin_h).json()
    counted = qs_client.get("/api/needs", params={"limit": 2, "count": "true"}, headers=admin_h).json()
    assert plain["total"] is None and counted["total"] == 2983
    assert plain["items"] == counted["items"] and plain["next_cursor"] == counted["next_cursor"]
    assert_problem(qs_client.get("/api/needs", params={"count": "maybe"}, headers=admin_h), 422)


def test_an_update_that_changes_nothing_keeps_the_version_and_writes_no_audit_entry(qs_client, qs_ws, admin_h):
    record = qs_client.post("/api/needs", json={"ref": "API-NOOP", "title": "Same"}, headers=admin_h).json()
    same = qs_client.patch(f"/api/needs/{record['id']}", json={"title": "Same"}, headers={**admin_h, "If-Match": '"1"'})
    assert (same.status_code, same.json()["version"], same.headers["etag"]) == (200, 1, '"1"')
    with inspect_db(qs_ws) as session:
        assert session.execute(text("SELECT action FROM audit_entries WHERE object_type = 'capability_needs' "
                                    "AND object_id = :i ORDER BY id"), {"i": record["id"]}).scalars().all() == ["create"]


def test_forged_cursors_and_overlong_searches_are_refused_not_crashed(qs_client, admin_h):
    import base64
    import json

    forged = base64.urlsafe_b64encode(json.dumps({"s": "ref", "k": ["\ud800", 1]}).encode()).decode().rstrip("=")
    assert_problem(qs_client.get("/api/needs", params={"sort": "ref", "cursor": forged}, headers=admin_h), 422,
                   "not a cursor from this API: pass the next_cursor of the page before")
    words = " ".join(f"w{i}" for i in range(1000))
    assert_problem(qs_client.get("/api/needs", params={"text": words}, headers=admin_h), 422,
                   "give at most 32 words, got 1000")


def test_a_taken_case_ref_is_a_conflict_not_a_crash(qs_client, admin_h):
    body = {"need": "EDF-2023-DA-AIR-SPS", "solution": "SBIR-AWARD-384033", "ref": "QS-EDF-101121113"}
    assert_problem(qs_client.post("/api/cases", json=body, headers=admin_h), 409,
                   "the ref 'QS-EDF-101121113' is taken by another adoption case: choose another")
