"""The permission matrix: each role × each distribution × own versus other organisation, for GET, PATCH and DELETE.

A record owned by DEU (made by deu_analyst) is shared one way per column; a user of DEU or of FRA
with one role reads, changes and deletes it. A hidden record answers 404, never 403.
"""

from __future__ import annotations

import pytest

from api_helpers import PROBLEM, add_user, assert_problem, bearer, empty_client, qs_client, token_of  # noqa: F401 - fixture
from rapid_adoption.services import records_write, sharing
from rapid_adoption.services.auth import actor_for_username, create_user

ROLES = ("admin", "analyst", "test_centre", "board", "viewer", "auditor")
COLUMNS = ("organisation", "community", "connected", "group_member", "group_non_member", "amber_strict", "red")

# Each cell is "GET PATCH DELETE". DEU owns every record; FRA is in the "Franco-German" group, not in "German-Polish".
# The RED record names deu_analyst (who marked it RED); an auditor reads every record of its own organisation.
TABLE = """
             organisation  community     connected     group_member  group_non_member amber_strict  red
deu_admin       200 200 204   200 200 204   200 200 204   200 200 204   200 200 204   200 200 204   404 404 404
deu_analyst     200 200 204   200 200 204   200 200 204   200 200 204   200 200 204   200 200 204   200 200 204
deu_test_centre 200 403 403   200 403 403   200 403 403   200 403 403   200 403 403   200 403 403   404 404 404
deu_board       200 403 403   200 403 403   200 403 403   200 403 403   200 403 403   200 403 403   404 404 404
deu_viewer      200 403 403   200 403 403   200 403 403   200 403 403   200 403 403   200 403 403   404 404 404
deu_auditor     200 403 403   200 403 403   200 403 403   200 403 403   200 403 403   200 403 403   200 403 403
fra_admin       404 404 404   200 403 403   200 403 403   200 403 403   404 404 404   404 404 404   404 404 404
fra_analyst     404 404 404   200 403 403   200 403 403   200 403 403   404 404 404   404 404 404   404 404 404
fra_test_centre 404 404 404   200 403 403   200 403 403   200 403 403   404 404 404   404 404 404   404 404 404
fra_board       404 404 404   200 403 403   200 403 403   200 403 403   404 404 404   404 404 404   404 404 404
fra_viewer      404 404 404   200 403 403   200 403 403   200 403 403   404 404 404   404 404 404   404 404 404
fra_auditor     404 404 404   200 403 403   200 403 403   200 403 403   404 404 404   404 404 404   404 404 404
"""


def expected() -> dict[tuple[str, str], tuple[int, int, int]]:
    """The table as (user, column) -> (GET, PATCH, DELETE)."""
    lines = [line.split() for line in TABLE.strip().splitlines()]
    assert tuple(lines[0]) == COLUMNS
    out = {}
    for user, *codes in lines[1:]:
        assert len(codes) == 3 * len(COLUMNS)
        for i, column in enumerate(COLUMNS):
            out[(user, column)] = tuple(int(c) for c in codes[3 * i:3 * i + 3])
    return out


SHARING = {
    "organisation": {"distribution": "organisation"},
    "community": {"distribution": "community"},
    "connected": {"distribution": "connected"},
    "group_member": {"group": "Franco-German"},
    "group_non_member": {"group": "German-Polish"},
    "amber_strict": {"distribution": "community", "tlp": "AMBER+STRICT"},
    "red": {"distribution": "community", "tlp": "RED"},
}


def _setup(ws) -> dict[str, dict[str, str]]:
    headers = {}
    for org in ("DEU", "FRA"):
        for role in ROLES:
            name = f"{org.lower()}_{role}"
            create_user(ws, None, name, org, [role])
            headers[name] = bearer(token_of(ws, name))
    owner = actor_for_username(ws, "deu_analyst")
    sharing.create_group(ws, owner, "Franco-German")
    sharing.add_member(ws, owner, "Franco-German", organisation="FRA")
    sharing.create_group(ws, owner, "German-Polish")
    sharing.add_member(ws, owner, "German-Polish", organisation="POL")
    return headers


def _record(ws, column: str, n: int) -> int:
    owner = actor_for_username(ws, "deu_analyst")  # after the groups exist, so it knows them
    made = records_write.create(ws, owner, "needs", {"ref": f"MATRIX-{column}-{n}", "title": f"Need {column} {n}"})
    sharing.share(ws, owner, f"need:{made['id']}", **SHARING[column])
    return made["id"]


def test_the_matrix_table_covers_every_role_both_organisations_and_every_distribution():
    cells = expected()
    assert {user for user, _ in cells} == {f"{org}_{role}" for org in ("deu", "fra") for role in ROLES}
    assert len(cells) == 12 * 7


def test_permission_matrix(empty_ws, empty_client):
    headers = _setup(empty_ws)
    cells = expected()
    records = {column: _record(empty_ws, column, 0) for column in COLUMNS}
    seen: dict[tuple[str, str], tuple[int, int, int]] = {}
    n = 0
    for (user, column), (get_status, patch_status, delete_status) in cells.items():
        record = records[column]
        got = empty_client.get(f"/api/needs/{record}", headers=headers[user])
        version = empty_client.get(f"/api/needs/{record}", headers=headers["deu_analyst"]).json()["version"]
        patched = empty_client.patch(f"/api/needs/{record}", json={"title": f"Changed by {user}"},
                                     headers={**headers[user], "If-Match": f'"{version}"'})
        n += 1
        target = _record(empty_ws, column, n)  # a fresh record to delete
        deleted = empty_client.delete(f"/api/needs/{target}", headers=headers[user])
        seen[(user, column)] = (got.status_code, patched.status_code, deleted.status_code)
        for response in (got, patched, deleted):
            if response.status_code >= 400:
                assert response.headers["content-type"] == PROBLEM
        if got.status_code == 404:  # hidden: the same answer as a record that does not exist
            assert got.json()["detail"] == f"no capability need '{record}' (give its id or ref)"
    assert seen == cells


def test_a_hidden_record_answers_404_not_403_even_to_a_writer(empty_ws, empty_client):
    headers = _setup(empty_ws)
    hidden = _record(empty_ws, "organisation", 0)
    missing = empty_client.patch("/api/needs/999999", json={"title": "x"},
                                 headers={**headers["fra_admin"], "If-Match": '"1"'})
    other = empty_client.patch(f"/api/needs/{hidden}", json={"title": "x"},
                               headers={**headers["fra_admin"], "If-Match": '"1"'})
    assert (missing.status_code, other.status_code) == (404, 404)
    assert other.json()["detail"] == f"no capability need '{hidden}' (give its id or ref)"
    assert empty_client.get("/api/needs?count=true", headers=headers["fra_admin"]).json()["total"] == 0
    assert empty_client.get("/api/needs?count=true", headers=headers["deu_viewer"]).json()["total"] == 1


@pytest.mark.parametrize("role, status", [("admin", 201), ("test_centre", 201), ("analyst", 403), ("board", 403),
                                          ("viewer", 403), ("auditor", 403)])
def test_who_may_create_a_test_centre(empty_ws, empty_client, role, status):
    header = add_user(empty_ws, f"deu_{role}", "DEU", role)
    response = empty_client.post("/api/centres", json={"ref": "C1", "name": "Range", "centre_type": "test range",
                                                       "country": "DEU"}, headers=header)
    assert response.status_code == status
    if status == 403:
        assert response.json()["detail"] == "creating a test centre needs the role admin or test_centre"


def test_changing_the_sharing_of_a_hidden_record_answers_404_whatever_the_role(empty_ws, empty_client):
    headers = _setup(empty_ws)
    hidden = _record(empty_ws, "organisation", 0)
    visible = _record(empty_ws, "community", 0)
    body = {"distribution": "community"}
    for user in ("fra_viewer", "fra_admin"):
        answer = empty_client.put(f"/api/needs/{hidden}/sharing", json=body, headers={**headers[user], "If-Match": '"2"'})
        assert_problem(answer, 404, f"no capability need '{hidden}' (give its id or ref)")
    # a visible record: the viewer's role is what refuses it, the admin's organisation is not the owner
    answer = empty_client.put(f"/api/needs/{visible}/sharing", json=body, headers={**headers["fra_viewer"], "If-Match": '"2"'})
    assert_problem(answer, 403, "changing sharing needs the role admin, analyst, board, test_centre")
    answer = empty_client.put(f"/api/needs/{visible}/sharing", json=body, headers={**headers["fra_admin"], "If-Match": '"2"'})
    assert_problem(answer, 403, f"capability need {visible} belongs to another organisation: only its owner may change it")


def test_a_case_on_a_hidden_solution_is_hidden_everywhere_with_what_it_contains(qs_ws, qs_client):
    """A case is about its need and solution: a reader who may not see one of them does not see the case, in any
    list, detail, need or solution page, or audit entry; nor the assessments and gate decisions inside it."""
    from rapid_adoption.services import assessments
    from rapid_adoption.services.assessments import AssessmentInput
    from rapid_adoption.services.cases import CaseService
    from rapid_adoption.domain.types import Stage

    est = actor_for_username(qs_ws, "est.analyst")
    made = records_write.create(qs_ws, est, "solutions", {"ref": "EST-HIDDEN-SOL", "company": "PIC-998627417",
                                                          "name": "Estonian secret sensor"})
    sharing.share(qs_ws, est, f"solution:{made['id']}", distribution="organisation")
    case_id = CaseService(qs_ws, est).open("EDF-2023-DA-AIR-SPS", "EST-HIDDEN-SOL")  # the case itself: community
    create_user(qs_ws, None, "est.board", "EST", ["board"])
    CaseService(qs_ws, actor_for_username(qs_ws, "est.board")).advance(case_id, Stage.TEVV, "TRL 6 shown")
    inside = assessments.create(qs_ws, est, "EST-HIDDEN-SOL", AssessmentInput(trl=6, strengths="KRAKEN"),
                                case=str(case_id), distribution="community", tlp="CLEAR")["id"]
    deu, est_h = bearer(token_of(qs_ws, "deu.analyst")), bearer(token_of(qs_ws, "est.analyst"))
    listed = qs_client.get("/api/needs", params={"text": "self-protection", "limit": 50}, headers=deu).json()["items"]
    need_id = next(n["id"] for n in listed if n["ref"] == "EDF-2023-DA-AIR-SPS")
    assert case_id in [c["id"] for c in qs_client.get(f"/api/needs/{need_id}", headers=est_h).json()["cases"]]
    assert case_id not in [c["id"] for c in qs_client.get(f"/api/needs/{need_id}", headers=deu).json()["cases"]]
    assert_problem(qs_client.get(f"/api/cases/{case_id}", headers=deu), 404)
    assert_problem(qs_client.get(f"/api/assessments/{inside}", headers=deu), 404)
    assert qs_client.get(f"/api/assessments/{inside}", headers=est_h).status_code == 200
    for object_type, object_id in (("adoption_cases", case_id), ("assessments", inside), ("gate_decisions", None)):
        params = {"object_type": object_type, "limit": 500} | ({"object_id": object_id} if object_id else {})
        entries = qs_client.get("/api/audit", params=params, headers=deu).json()["items"]
        assert all("KRAKEN" not in str(e) and "EST-HIDDEN-SOL" not in str(e) and e["object_id"] != case_id
                   for e in entries), object_type
    listed = qs_client.get("/api/cases", params={"stage": "tevv", "limit": 500}, headers=deu).json()["items"]
    assert case_id not in [c["id"] for c in listed]


def test_audit_entries_of_another_organisation_withhold_the_data_before_and_after(qs_ws, qs_client):
    from rapid_adoption.services import assessments
    from rapid_adoption.services.assessments import AssessmentInput

    est = actor_for_username(qs_ws, "est.analyst")
    made = assessments.create(qs_ws, est, "EDF-101167796", AssessmentInput(strengths="SECRET-V1 supplier is bankrupt"))
    assessments.update(qs_ws, est, str(made["id"]), AssessmentInput(strengths="nothing sensitive"))
    sharing.share(qs_ws, est, f"assessment:{made['id']}", distribution="community", tlp="CLEAR")
    params = {"object_type": "assessments", "object_id": made["id"]}
    theirs = qs_client.get("/api/audit", params=params, headers=bearer(token_of(qs_ws, "deu.analyst"))).json()["items"]
    assert [(e["action"], e["actor"], e["before"], e["after"]) for e in theirs] == [
        ("share", "est.analyst", None, None), ("update", "est.analyst", None, None), ("create", "est.analyst", None, None)]
    own = qs_client.get("/api/audit", params=params, headers=bearer(token_of(qs_ws, "est.analyst"))).json()["items"]
    assert own[2]["after"]["strengths"] == "SECRET-V1 supplier is bankrupt"
    assert qs_client.get(f"/api/assessments/{made['id']}", headers=bearer(token_of(qs_ws, "deu.analyst"))).json()[
        "strengths"] == "nothing sensitive"
