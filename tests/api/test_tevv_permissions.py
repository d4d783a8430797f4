"""The TEVV permission matrices: each role × each distribution × own versus other organisation, as in
tests/api/test_permissions.py.

DEU owns every record (made by deu_analyst) and shares it one way per column; a user of DEU or of FRA with one role
reads it and changes it. FRA is in the "Franco-German" group, not in "German-Polish"; the RED record names
deu_analyst (who marked it RED), and an auditor reads every record of its own organisation. A hidden record answers
404, never 403, whatever the role.
"""

from __future__ import annotations

from api_helpers import PROBLEM, assert_problem, bearer, empty_client, token_of  # noqa: F401 - fixture
from rapid_adoption.services import records_write, sharing, tevv_procedures, tevv_trials
from rapid_adoption.services.auth import actor_for_username, create_user
from rapid_adoption.services.cases import CaseService
from rapid_adoption.services.tevv_trials import TrialRequestInput

ROLES = ("admin", "analyst", "test_centre", "board", "viewer", "auditor")
COLUMNS = ("organisation", "community", "connected", "group_member", "group_non_member", "amber_strict", "red")
SHARING = {
    "organisation": {"distribution": "organisation"},
    "community": {"distribution": "community"},
    "connected": {"distribution": "connected"},
    "group_member": {"group": "Franco-German"},
    "group_non_member": {"group": "German-Polish"},
    "amber_strict": {"distribution": "community", "tlp": "AMBER+STRICT"},
    "red": {"distribution": "community", "tlp": "RED"},
}

# Each cell is "GET CANCEL": reading a trial, and cancelling it (the trial's organisation, roles admin, analyst,
# board or test_centre).
TRIALS = """
             organisation  community     connected     group_member  group_non_member amber_strict  red
deu_admin       200 200       200 200       200 200       200 200       200 200          200 200       404 404
deu_analyst     200 200       200 200       200 200       200 200       200 200          200 200       200 200
deu_test_centre 200 200       200 200       200 200       200 200       200 200          200 200       404 404
deu_board       200 200       200 200       200 200       200 200       200 200          200 200       404 404
deu_viewer      200 403       200 403       200 403       200 403       200 403          200 403       404 404
deu_auditor     200 403       200 403       200 403       200 403       200 403          200 403       200 403
fra_admin       404 404       200 403       200 403       200 403       404 404          404 404       404 404
fra_analyst     404 404       200 403       200 403       200 403       404 404          404 404       404 404
fra_test_centre 404 404       200 403       200 403       200 403       404 404          404 404       404 404
fra_board       404 404       200 403       200 403       200 403       404 404          404 404       404 404
fra_viewer      404 404       200 403       200 403       200 403       404 404          404 404       404 404
fra_auditor     404 404       200 403       200 403       200 403       404 404          404 404       404 404
"""

# Each cell is "GET POST": reading a case's risk register, and adding a risk to it (the case's organisation,
# roles admin, analyst or board). The risks follow the case's sharing.
RISKS = """
             organisation  community     connected     group_member  group_non_member amber_strict  red
deu_admin       200 201       200 201       200 201       200 201       200 201          200 201       404 404
deu_analyst     200 201       200 201       200 201       200 201       200 201          200 201       200 201
deu_test_centre 200 403       200 403       200 403       200 403       200 403          200 403       404 404
deu_board       200 201       200 201       200 201       200 201       200 201          200 201       404 404
deu_viewer      200 403       200 403       200 403       200 403       200 403          200 403       404 404
deu_auditor     200 403       200 403       200 403       200 403       200 403          200 403       200 403
fra_admin       404 404       200 403       200 403       200 403       404 404          404 404       404 404
fra_analyst     404 404       200 403       200 403       200 403       404 404          404 404       404 404
fra_test_centre 404 404       200 403       200 403       200 403       404 404          404 404       404 404
fra_board       404 404       200 403       200 403       200 403       404 404          404 404       404 404
fra_viewer      404 404       200 403       200 403       200 403       404 404          404 404       404 404
fra_auditor     404 404       200 403       200 403       200 403       404 404          404 404       404 404
"""


def cells(table: str) -> dict[tuple[str, str], tuple[int, int]]:
    """A table as (user, column) -> (read status, change status)."""
    lines = [line.split() for line in table.strip().splitlines()]
    assert tuple(lines[0]) == COLUMNS
    out = {}
    for user, *codes in lines[1:]:
        assert len(codes) == 2 * len(COLUMNS)
        for i, column in enumerate(COLUMNS):
            out[(user, column)] = (int(codes[2 * i]), int(codes[2 * i + 1]))
    return out


def test_the_tables_cover_every_role_both_organisations_and_every_distribution():
    for table in (TRIALS, RISKS):
        found = cells(table)
        assert {user for user, _ in found} == {f"{org}_{role}" for org in ("deu", "fra") for role in ROLES}
        assert len(found) == 12 * 7


def _setup(ws) -> dict[str, dict[str, str]]:
    """Users of DEU and FRA with each role, the two groups, and DEU's company, solution and example procedures
    (all shared with the community)."""
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
    owner = actor_for_username(ws, "deu_analyst")
    records_write.create(ws, owner, "companies", {"ref": "DEU-CO", "legal_name": "Drohnenabwehr GmbH",
                                                  "country": "DEU"})
    records_write.create(ws, owner, "solutions", {"ref": "DEU-SOL", "company": "DEU-CO", "name": "Abwehr 1"})
    tevv_procedures.import_examples(ws, owner)
    return headers


def _trial(ws, column: str) -> int:
    owner = actor_for_username(ws, "deu_analyst")
    made = tevv_trials.request_trial(ws, owner, TrialRequestInput(procedure="cuas-example", solution="DEU-SOL"))
    sharing.share(ws, owner, f"trial:{made['id']}", **SHARING[column])
    return made["id"]


def _case(ws, column: str) -> int:
    owner = actor_for_username(ws, "deu_analyst")
    need = records_write.create(ws, owner, "needs", {"ref": f"DEU-NEED-{column}", "title": f"Need {column}"})
    case_id = CaseService(ws, owner).open(need["ref"], "DEU-SOL")
    sharing.share(ws, owner, f"case:{case_id}", **SHARING[column])
    return case_id


def test_trial_permission_matrix(empty_ws, empty_client):
    headers = _setup(empty_ws)
    expected = cells(TRIALS)
    shown = {column: _trial(empty_ws, column) for column in COLUMNS}
    seen = {}
    for (user, column), _ in expected.items():
        got = empty_client.get(f"/api/trials/{shown[column]}", headers=headers[user])
        target = _trial(empty_ws, column)  # a fresh trial to cancel (a cancelled trial is final)
        version = empty_client.get(f"/api/trials/{target}", headers=headers["deu_analyst"]).json()["version"]
        cancelled = empty_client.post(f"/api/trials/{target}/cancel", json={"reason": f"by {user}"},
                                      headers={**headers[user], "If-Match": f'"{version}"'})
        seen[(user, column)] = (got.status_code, cancelled.status_code)
        for response in (got, cancelled):
            if response.status_code >= 400:
                assert response.headers["content-type"] == PROBLEM
        if got.status_code == 404:  # hidden: the same answer as a trial that does not exist
            assert got.json()["detail"] == f"no trial '{shown[column]}' (give its id or ref)"
    assert seen == expected


def test_risk_register_permission_matrix(empty_ws, empty_client):
    headers = _setup(empty_ws)
    expected = cells(RISKS)
    cases = {column: _case(empty_ws, column) for column in COLUMNS}
    body = {"category": "technical", "title": "Range short of the need", "likelihood_1_to_5": 3,
            "impact_1_to_5": 4, "risk_owner": "Chief engineer"}
    seen = {}
    for (user, column), _ in expected.items():
        got = empty_client.get(f"/api/cases/{cases[column]}/risks", headers=headers[user])
        added = empty_client.post(f"/api/cases/{cases[column]}/risks", json=body, headers=headers[user])
        seen[(user, column)] = (got.status_code, added.status_code)
        if got.status_code == 404:
            assert got.json()["detail"] == f"no adoption case '{cases[column]}' (give its id or ref)"
            assert added.json()["detail"] == f"no adoption case '{cases[column]}' (give its id or ref)"
    assert seen == expected
    # every risk added by DEU's writers is there for DEU's analyst: 3 writers in 6 columns, and only the analyst in RED
    for column in COLUMNS:
        register = empty_client.get(f"/api/cases/{cases[column]}/risks", headers=headers["deu_analyst"]).json()
        assert len(register["risks"]) == (1 if column == "red" else 3), column


def test_a_trial_on_a_hidden_solution_is_hidden_though_shared_with_the_community(empty_ws, empty_client):
    """Both trials are community, scheduled at a community range of DEU; the one on DEU's private solution is
    hidden from FRA in the list, its count and its detail."""
    headers = _setup(empty_ws)
    records_write.create(empty_ws, actor_for_username(empty_ws, "deu_admin"), "centres", {
        "ref": "DEU-RANGE", "name": "Schiessplatz", "centre_type": "test range", "country": "DEU", "domains": ["C-UAS"]})
    trial = _trial(empty_ws, "community")
    owner = actor_for_username(empty_ws, "deu_analyst")
    solution_id = records_write.create(empty_ws, owner, "solutions", {"ref": "DEU-SOL-2", "company": "DEU-CO",
                                                                       "name": "Abwehr 2"})["id"]
    hidden = tevv_trials.request_trial(empty_ws, owner, TrialRequestInput(procedure="cuas-example",
                                                                          solution="DEU-SOL-2"))["id"]
    for trial_id in (trial, hidden):
        tevv_trials.schedule_trial(empty_ws, owner, trial_id, "DEU-RANGE", "2026-W50")
    sharing.share(empty_ws, owner, f"solution:{solution_id}", distribution="organisation")
    listed = empty_client.get("/api/trials", params={"count": "true"}, headers=headers["fra_admin"]).json()
    assert (listed["total"], [t["id"] for t in listed["items"]]) == (1, [trial])
    assert_problem(empty_client.get(f"/api/trials/{hidden}", headers=headers["fra_admin"]), 404,
                   f"no trial '{hidden}' (give its id or ref)")
    assert empty_client.get(f"/api/trials/{hidden}", headers=headers["deu_viewer"]).status_code == 200
