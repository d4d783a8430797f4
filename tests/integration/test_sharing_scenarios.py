"""Sharing scenarios: one test per class of failure that sharing platforms have shipped.

Each test sets up organisations, users, groups and records through the services (and the CLI where
it is natural), then asserts what must hold, on SQLite and on PostgreSQL (the ``empty_ws`` fixture
runs once per backend). Hidden records are "not found", with the message a non-existent one gets;
counts and lists never reveal them; writes check ownership and role; every write leaves one audit
entry in its own transaction; two writers never lose an update.

Tests marked ``xfail(strict=True)`` with a reason starting "BUG:" describe the correct behaviour of
a bug that is still open in ``src/``.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from rapid_adoption.cli import common
from rapid_adoption.cli.app import app
from rapid_adoption.domain.errors import Conflict, NotFound, PermissionDenied
from rapid_adoption.domain.types import Stage
from rapid_adoption.services import assessments, audit, auth, sharing
from rapid_adoption.services.assessments import AssessmentInput
from rapid_adoption.services.auth import AuthenticationFailed, actor_for_token, actor_for_username
from rapid_adoption.services.board import build_board
from rapid_adoption.services.cases import CaseService
from rapid_adoption.services.catalogue import Filters, list_records, show_record
from rapid_adoption.store.tables import (
    AdoptionCase,
    ApiToken,
    Assessment,
    AuditEntry,
    CapabilityNeed,
    Company,
    Organisation,
    RedRecipient,
    Solution,
    User,
)

from conftest import FROZEN_NOW, inspect_db

NEED = "RA-NEED-1"
SOLUTION = "RA-SOL-1"
COMPANY = "RA-CO-1"
SECRET_SOLUTION = "RA-SECRET-SOL"

USERS = {
    # username: (organisation, roles)
    "deu_admin": ("DEU", ["admin", "analyst", "board"]),
    "deu_analyst": ("DEU", ["analyst"]),
    "deu_viewer": ("DEU", ["viewer"]),
    "deu_auditor": ("DEU", ["auditor"]),
    "deu2_analyst": ("DEU-HENSOLDT", ["analyst"]),  # a second organisation of Germany
    "fra_admin": ("FRA", ["admin", "analyst", "board"]),
    "fra_auditor": ("FRA", ["auditor"]),
    "pol_admin": ("POL", ["admin", "analyst"]),
    "usa_analyst": ("USA", ["analyst"]),
    "ncia_analyst": ("NCIA", ["analyst"]),  # a NATO body: no nation
}


@pytest.fixture
def ws(empty_ws):
    """The empty workspace with a second German organisation, the users above, and a public company,
    solution and need (owned by DIANA), plus a solution that only DEU sees."""
    with Session(empty_ws.uow.engine) as session:
        ids = {ref: id_ for ref, id_ in session.execute(select(Organisation.ref, Organisation.id))}
        session.add(Organisation(ref="DEU-HENSOLDT", name="HENSOLDT AG", kind="company", nation_iso3="DEU",
                                 created_at=FROZEN_NOW, updated_at=FROZEN_NOW))
        public = dict(owner_org_id=ids["DIANA"], distribution="community", tlp="CLEAR", created_at=FROZEN_NOW,
                      updated_at=FROZEN_NOW)
        company = Company(ref=COMPANY, legal_name="Radar Works GmbH", country="DEU", **public)
        session.add(company)
        session.flush()
        need = CapabilityNeed(ref=NEED, title="Counter-UAS detection for forward bases", **public)
        session.add(need)
        session.flush()
        session.add(Solution(ref=SOLUTION, company_id=company.id, name="Passive radar", trl=6,
                             responds_to_need_id=need.id, **public))
        session.add(Solution(ref=SECRET_SOLUTION, company_id=company.id, name="Quantum magnetometer", trl=4,
                             responds_to_need_id=need.id, owner_org_id=ids["DEU"], distribution="organisation",
                             tlp="AMBER", created_at=FROZEN_NOW, updated_at=FROZEN_NOW))
        session.commit()
    for username, (org, roles) in USERS.items():
        auth.create_user(empty_ws, None, username, org, roles)
    return empty_ws


def a(ws, username):
    """A freshly built actor for ``username`` (as each request builds one)."""
    return actor_for_username(ws, username)


def assess(ws, username, **kw) -> int:
    """Create an assessment of the public solution; return its id."""
    values = kw.pop("values", AssessmentInput(trl=6, mrl=5, fit_0_to_100=70, strengths="works at night"))
    return assessments.create(ws, a(ws, username), kw.pop("solution", SOLUTION), values, **kw)["id"]


def visible_ids(ws, username) -> list[int]:
    total, rows = assessments.list_visible(ws, a(ws, username))
    assert total == len(rows)
    return sorted(r["id"] for r in rows)


def not_found(ident) -> str:
    return f"no assessment '{ident}' (give its id or ref)"


def hidden_from(ws, username, assessment_id: int) -> None:
    """``username`` can neither show nor list the assessment, and learns only what a missing id tells."""
    with pytest.raises(NotFound) as err:
        assessments.show(ws, a(ws, username), str(assessment_id))
    assert str(err.value) == not_found(assessment_id)
    assert assessment_id not in visible_ids(ws, username)


def shown_to(ws, username, assessment_id: int) -> None:
    assert assessments.show(ws, a(ws, username), str(assessment_id))["id"] == assessment_id
    assert assessment_id in visible_ids(ws, username)


def audit_rows(ws) -> list[AuditEntry]:
    with inspect_db(ws) as session:
        rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        session.expunge_all()
        return rows


def open_case(ws, username, *, distribution="community", tlp="GREEN") -> int:
    return CaseService(ws, a(ws, username)).open(NEED, SOLUTION, sharing={"distribution": distribution, "tlp": tlp})


def nordic(ws, *members, owner="deu_admin", name="Nordic-Baltic") -> str:
    """A group owned by ``owner``'s organisation with the given members (org refs, or ``nation:XXX``)."""
    sharing.create_group(ws, a(ws, owner), name)
    for member in members:
        if member.startswith("nation:"):
            sharing.add_member(ws, a(ws, owner), name, nation=member.split(":", 1)[1])
        else:
            sharing.add_member(ws, a(ws, owner), name, organisation=member)
    return name


RUNNER = CliRunner()


def rapid(ws, *args, token: str | None = None):
    """Run the CLI on the workspace's database (either backend)."""
    env = {"COLUMNS": "200", "LINES": "60", "RAPID_DATABASE_URL": ws.settings.database_url,
           "RAPID_TOKEN": token or ""}
    return RUNNER.invoke(app, [str(x) for x in args], env=env)


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch):
    for console in (common.console, common.err_console):
        monkeypatch.setattr(console, "_width", None)


def cli_error(result) -> str:
    assert isinstance(result.exception, SystemExit), (result.exit_code, result.stdout, result.stderr, result.exception)
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stderr).strip()


# ------------------------------------------------------------------------------------------------
# 1. A record shared with a group the viewer is not in stays hidden, even in a visible container.
# ------------------------------------------------------------------------------------------------


def test_group_record_stays_hidden_outside_the_group_even_inside_a_visible_case(ws):
    group = nordic(ws, "POL")
    case_id = open_case(ws, "deu_admin")  # community, GREEN: every organisation sees the case
    inside = assess(ws, "deu_admin", case=str(case_id), distribution="sharing_group", group=group, tlp="GREEN")
    assert CaseService(ws, a(ws, "fra_admin")).show(case_id).case["id"] == case_id
    hidden_from(ws, "fra_admin", inside)
    hidden_from(ws, "usa_analyst", inside)
    hidden_from(ws, "ncia_analyst", inside)
    shown_to(ws, "pol_admin", inside)
    shown_to(ws, "deu_viewer", inside)
    assert assessments.list_visible(ws, a(ws, "fra_admin"), solution=SOLUTION) == (0, [])


# ------------------------------------------------------------------------------------------------
# 2. A record inside a container is never more visible than the container.
# ------------------------------------------------------------------------------------------------


def test_a_record_inside_a_case_is_never_more_visible_than_the_case(ws):
    case_id = open_case(ws, "deu_admin", distribution="organisation")
    inside = assess(ws, "deu_admin", case=str(case_id), distribution="community", tlp="CLEAR")
    outside = assess(ws, "deu_admin", distribution="community", tlp="CLEAR")
    for other in ("fra_admin", "pol_admin", "ncia_analyst", "deu2_analyst"):
        hidden_from(ws, other, inside)
        assert visible_ids(ws, other) == [outside]
    shown_to(ws, "deu_viewer", inside)
    with pytest.raises(NotFound) as err:
        CaseService(ws, a(ws, "fra_admin")).show(case_id)
    assert str(err.value) == f"no adoption case '{case_id}' (give its id or ref)"
    # Sharing the case (not the assessment) is what lets the others see the assessment.
    sharing.share(ws, a(ws, "deu_admin"), f"case:{case_id}", distribution="community")
    assert visible_ids(ws, "fra_admin") == sorted([inside, outside])


def test_audit_entries_about_a_record_inside_a_hidden_case_are_hidden(ws):
    case_id = open_case(ws, "deu_admin", distribution="organisation")
    inside = assess(ws, "deu_admin", case=str(case_id), distribution="community", tlp="CLEAR")
    hidden_from(ws, "fra_admin", inside)
    assert audit.list_entries(ws, a(ws, "fra_admin"), object_type="assessments", object_id=inside) == []
    assert [e["action"] for e in audit.list_entries(ws, a(ws, "deu_viewer"), object_type="assessments",
                                                    object_id=inside)] == ["create"]
    sharing.share(ws, a(ws, "deu_admin"), f"case:{case_id}", distribution="community")
    assert [e["action"] for e in audit.list_entries(ws, a(ws, "fra_admin"), object_type="assessments",
                                                    object_id=inside)] == ["create"]


# ------------------------------------------------------------------------------------------------
# 3. Removing an organisation or a nation from a group hides the group's records at once.
# ------------------------------------------------------------------------------------------------


def test_removing_an_organisation_from_a_group_hides_its_records_at_once(ws):
    group = nordic(ws, "FRA", "POL")
    shared = assess(ws, "deu_admin", distribution="sharing_group", group=group, tlp="AMBER")
    shown_to(ws, "fra_admin", shared)
    sharing.remove_member(ws, a(ws, "deu_admin"), group, organisation="FRA")
    hidden_from(ws, "fra_admin", shared)
    assert assessments.list_visible(ws, a(ws, "fra_admin")) == (0, [])
    assert [g["name"] for g in sharing.list_groups(ws, a(ws, "fra_admin"))] == []
    shown_to(ws, "pol_admin", shared)


def test_removing_a_nation_from_a_group_hides_its_records_from_every_organisation_of_it(ws):
    group = nordic(ws, "nation:DEU", owner="pol_admin")
    shared = assess(ws, "pol_admin", distribution="sharing_group", group=group, tlp="GREEN")
    shown_to(ws, "deu_analyst", shared)
    shown_to(ws, "deu2_analyst", shared)
    sharing.remove_member(ws, a(ws, "pol_admin"), group, nation="DEU")
    hidden_from(ws, "deu_analyst", shared)
    hidden_from(ws, "deu2_analyst", shared)
    # A token builds its actor at each use, so the next request through a token sees nothing too.
    token = auth.create_token(ws, a(ws, "deu_analyst"), "laptop").token
    assert assessments.list_visible(ws, actor_for_token(ws, token)) == (0, [])


# ------------------------------------------------------------------------------------------------
# 4. A nation-wide membership grants nothing to another nation's organisations.
# ------------------------------------------------------------------------------------------------


def test_a_nation_wide_membership_grants_nothing_to_other_nations(ws):
    group = nordic(ws, "nation:DEU", owner="fra_admin")
    shared = assess(ws, "fra_admin", distribution="sharing_group", group=group, tlp="GREEN")
    shown_to(ws, "deu_viewer", shared)
    shown_to(ws, "deu2_analyst", shared)
    for other in ("pol_admin", "usa_analyst", "ncia_analyst"):
        hidden_from(ws, other, shared)
        assert sharing.list_groups(ws, a(ws, other)) == []
    assert [g["members"] for g in sharing.list_groups(ws, a(ws, "deu2_analyst"))] == [
        [{"organisation": "FRA", "can_extend": True}, {"nation": "DEU", "can_extend": False}]]


# ------------------------------------------------------------------------------------------------
# 5. A flag meant for one scope never widens visibility elsewhere.
# ------------------------------------------------------------------------------------------------


def test_can_extend_lets_a_member_add_members_and_nothing_more(ws):
    group = nordic(ws)
    sharing.add_member(ws, a(ws, "deu_admin"), group, organisation="FRA", can_extend=True)
    private = assess(ws, "deu_admin")  # organisation, AMBER by default
    shared = assess(ws, "deu_admin", distribution="sharing_group", group=group)
    sharing.add_member(ws, a(ws, "fra_admin"), group, organisation="POL")
    assert [m for g in sharing.list_groups(ws, a(ws, "pol_admin")) for m in g["members"]] == [
        {"organisation": "DEU", "can_extend": True}, {"organisation": "FRA", "can_extend": True},
        {"organisation": "POL", "can_extend": False}]
    shown_to(ws, "fra_admin", shared)
    hidden_from(ws, "fra_admin", private)
    with pytest.raises(PermissionDenied) as err:
        sharing.remove_member(ws, a(ws, "fra_admin"), group, organisation="DEU")
    assert str(err.value) == "only the owner of 'Nordic-Baltic' may remove members"
    with pytest.raises(PermissionDenied) as err:
        sharing.share(ws, a(ws, "fra_admin"), f"assessment:{shared}", distribution="community")
    assert str(err.value) == f"assessment {shared} belongs to another organisation: only its owner may change it"
    with pytest.raises(PermissionDenied) as err:
        assessments.update(ws, a(ws, "fra_admin"), str(shared), AssessmentInput(trl=9))
    assert str(err.value) == f"assessment {shared} belongs to another organisation: only its owner may change it"
    # POL was added without can_extend: it may not add anyone.
    with pytest.raises(PermissionDenied) as err:
        sharing.add_member(ws, a(ws, "pol_admin"), group, organisation="USA")
    assert str(err.value) == "POL may not extend the group 'Nordic-Baltic'"


def test_connected_distribution_inside_a_group_case_stays_in_the_group(ws):
    group = nordic(ws, "POL")
    case_id = open_case(ws, "deu_admin")
    sharing.share(ws, a(ws, "deu_admin"), f"case:{case_id}", group=group)
    inside = assess(ws, "deu_admin", case=str(case_id), distribution="connected", tlp="CLEAR")
    shown_to(ws, "pol_admin", inside)
    for other in ("fra_admin", "usa_analyst", "ncia_analyst"):
        hidden_from(ws, other, inside)


def test_an_admin_role_sees_no_more_than_its_organisation(ws):
    private = assess(ws, "deu_analyst")  # organisation, AMBER
    hidden_from(ws, "fra_admin", private)
    hidden_from(ws, "admin", private)  # DIANA's first admin: admin of the workspace's home organisation
    red = assess(ws, "deu_analyst", distribution="community")
    sharing.share(ws, a(ws, "deu_analyst"), f"assessment:{red}", tlp="RED", red_recipients=["deu_viewer"])
    hidden_from(ws, "deu_admin", red)  # an admin of the owner, not named
    shown_to(ws, "deu_viewer", red)


def test_an_auditor_reads_nothing_more_of_other_organisations(ws):
    private = assess(ws, "fra_admin")
    red = assess(ws, "fra_admin", distribution="community")
    sharing.share(ws, a(ws, "fra_admin"), f"assessment:{red}", tlp="RED")
    for record in (private, red):
        hidden_from(ws, "deu_auditor", record)
        assert audit.list_entries(ws, a(ws, "deu_auditor"), object_type="assessments", object_id=record) == []
    # ...and all of its own organisation's entries, RED records included.
    own_red = assess(ws, "deu_analyst", distribution="community")
    sharing.share(ws, a(ws, "deu_analyst"), f"assessment:{own_red}", tlp="RED")
    shown_to(ws, "deu_auditor", own_red)
    entries = audit.list_entries(ws, a(ws, "deu_auditor"), object_type="assessments", object_id=own_red)
    assert [(e["action"], e["actor"]) for e in entries] == [("share", "deu_analyst"), ("create", "deu_analyst")]
    assert audit.list_entries(ws, a(ws, "deu_admin"), object_type="assessments", object_id=own_red) == []


def test_releasable_to_nato_releases_to_nato_bodies_only(ws):
    nato = assess(ws, "deu_admin", distribution="community", tlp="GREEN", releasable_to="NATO")
    to_fra = assess(ws, "deu_admin", distribution="community", tlp="GREEN", releasable_to="fra")
    shown_to(ws, "ncia_analyst", nato)
    shown_to(ws, "admin", nato)  # DIANA
    for nation_user in ("fra_admin", "pol_admin", "usa_analyst", "deu2_analyst"):
        hidden_from(ws, nation_user, nato)
    shown_to(ws, "fra_admin", to_fra)
    for other in ("ncia_analyst", "pol_admin", "deu2_analyst"):
        hidden_from(ws, other, to_fra)
    assert assessments.show(ws, a(ws, "fra_admin"), str(to_fra))["marking"] == "TLP:GREEN · All organisations · REL TO FRA"
    shown_to(ws, "deu_viewer", nato)  # the owner organisation always sees its own


# ------------------------------------------------------------------------------------------------
# 6. Counts, search results, funnel figures and exports reveal nothing hidden.
# ------------------------------------------------------------------------------------------------


def test_catalogue_counts_search_and_show_reveal_nothing_hidden(ws):
    fra, deu = a(ws, "fra_admin"), a(ws, "deu_analyst")
    assert list_records(ws, fra, "solutions")[0] == 1
    assert list_records(ws, deu, "solutions")[0] == 2
    assert list_records(ws, fra, "solutions", Filters(text="quantum")) == (0, [])
    assert list_records(ws, deu, "solutions", Filters(text="quantum"))[0] == 1
    assert list_records(ws, fra, "solutions", Filters(trl_max=4)) == (0, [])
    with inspect_db(ws) as session:
        secret_id = session.scalar(select(Solution.id).where(Solution.ref == SECRET_SOLUTION))
        missing_id = session.scalar(select(func.max(Solution.id))) + 1000
    for ident in (str(secret_id), SECRET_SOLUTION):
        with pytest.raises(NotFound) as err:
            show_record(ws, fra, "solutions", ident)
        assert str(err.value) == f"no solution '{ident}' (give its id or ref)"
    for ident in (str(missing_id), "RA-NO-SUCH-SOL"):
        with pytest.raises(NotFound) as err:
            show_record(ws, fra, "solutions", ident)
        assert str(err.value) == f"no solution '{ident}' (give its id or ref)"
    need = show_record(ws, fra, "needs", NEED)
    assert [s["ref"] for s in need["responding_solutions"]] == [SOLUTION]
    assert [s["ref"] for s in show_record(ws, deu, "needs", NEED)["responding_solutions"]] == [SOLUTION, SECRET_SOLUTION]
    company = show_record(ws, fra, "companies", COMPANY)
    assert (company["solution_count"], [s["ref"] for s in company["solutions"]]) == (1, [SOLUTION])
    assert show_record(ws, deu, "companies", COMPANY)["solution_count"] == 2
    # Assessments of a hidden solution: not found, as for a solution that does not exist.
    with pytest.raises(NotFound) as err:
        assessments.list_visible(ws, fra, solution=SECRET_SOLUTION)
    assert str(err.value) == f"no solution '{SECRET_SOLUTION}' (give its id or ref)"
    with pytest.raises(NotFound) as err:
        assessments.create(ws, fra, SECRET_SOLUTION, AssessmentInput(trl=3))
    assert str(err.value) == f"no solution '{SECRET_SOLUTION}' (give its id or ref)"


def test_assessment_totals_and_show_reveal_nothing_hidden(ws):
    hidden = [assess(ws, "deu_analyst"),  # organisation
              assess(ws, "deu_analyst", distribution="community", tlp="AMBER+STRICT"),
              assess(ws, "deu_analyst", distribution="community", releasable_to="POL")]
    shared = assess(ws, "deu_analyst", distribution="community", tlp="GREEN")
    total, rows = assessments.list_visible(ws, a(ws, "fra_admin"), limit=1)
    assert (total, [r["id"] for r in rows]) == (1, [shared])
    assert assessments.list_visible(ws, a(ws, "fra_admin"), offset=1) == (1, [])
    assert assessments.list_visible(ws, a(ws, "deu_viewer"))[0] == 4
    with inspect_db(ws) as session:
        missing = session.scalar(select(func.max(Assessment.id))) + 1
    for ident in hidden + [missing]:
        with pytest.raises(NotFound) as err:
            assessments.show(ws, a(ws, "fra_admin"), str(ident))
        assert str(err.value) == not_found(ident)
    # The same through the command line, as JSON.
    result = rapid(ws, "--as", "fra_admin", "assess", "list", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["total"] == 1
    assert [r["id"] for r in json.loads(result.stdout)["rows"]] == [shared]
    for ident in (hidden[0], missing):
        result = rapid(ws, "--as", "fra_admin", "assess", "show", ident)
        assert result.exit_code == 3
        assert cli_error(result) == f"error: {not_found(ident)}"
        assert result.stdout == ""


def test_board_funnel_counts_only_visible_cases(ws):
    deu_case = open_case(ws, "deu_admin", distribution="organisation")
    CaseService(ws, a(ws, "deu_admin")).advance(deu_case, Stage.TEVV, "market research done")
    public_case = open_case(ws, "fra_admin")
    fra_board = build_board(ws, a(ws, "fra_admin"))
    assert fra_board.funnel.total == 1
    assert [c.id for cases in fra_board.by_stage.values() for c in cases] == [public_case]
    assert fra_board.funnel.current["tevv"] == 0
    assert fra_board.funnel.reached["tevv"] == 0
    assert fra_board.funnel.passed["market_research"] == 0
    assert fra_board.funnel.median_months_to_pass["market_research"] is None
    deu_board = build_board(ws, a(ws, "deu_viewer"))
    assert deu_board.funnel.total == 2
    assert deu_board.funnel.reached["tevv"] == 1
    assert deu_board.funnel.passed["market_research"] == 1
    result = rapid(ws, "--as", "fra_admin", "board", "--json")
    assert result.exit_code == 0, result.stderr
    exported = json.loads(result.stdout)
    assert exported["funnel"]["total"] == 1
    assert [c["id"] for cases in exported["by_stage"].values() for c in cases] == [public_case]


def _hidden_deu_company_need_and_visible_solution(ws) -> None:
    """DEU's own company and need (organisation only), and a community solution of that company."""
    with Session(ws.uow.engine) as session:
        deu = session.scalar(select(Organisation.id).where(Organisation.ref == "DEU"))
        private = dict(owner_org_id=deu, distribution="organisation", tlp="AMBER", created_at=FROZEN_NOW,
                       updated_at=FROZEN_NOW)
        company = Company(ref="RA-HIDDEN-CO", legal_name="Hidden Optics GmbH", **private)
        session.add(company)
        session.flush()
        session.add(Solution(ref="RA-SOL-2", company_id=company.id, name="Lidar", owner_org_id=deu,
                             distribution="community", tlp="GREEN", created_at=FROZEN_NOW, updated_at=FROZEN_NOW))
        session.add(CapabilityNeed(ref="RA-HIDDEN-NEED", title="Hidden need title", **private))
        session.commit()


def test_showing_a_visible_solution_does_not_reveal_its_hidden_company(ws):
    _hidden_deu_company_need_and_visible_solution(ws)
    fra = a(ws, "fra_admin")
    with pytest.raises(NotFound):
        show_record(ws, fra, "companies", "RA-HIDDEN-CO")
    assert [r["ref"] for r in list_records(ws, fra, "solutions")[1]] == [SOLUTION]  # the list hides it
    shown = json.dumps(show_record(ws, fra, "solutions", "RA-SOL-2"))
    assert "RA-HIDDEN-CO" not in shown and "Hidden Optics" not in shown


def test_a_visible_case_on_a_hidden_need_is_not_found_and_reveals_nothing(ws):
    _hidden_deu_company_need_and_visible_solution(ws)
    case_id = CaseService(ws, a(ws, "deu_admin")).open("RA-HIDDEN-NEED", SOLUTION)  # community, GREEN
    fra = a(ws, "fra_admin")
    with pytest.raises(NotFound) as err:
        show_record(ws, fra, "needs", "RA-HIDDEN-NEED")
    assert str(err.value) == "no capability need 'RA-HIDDEN-NEED' (give its id or ref)"
    assert build_board(ws, fra).funnel.total == 0  # the board leaves out a case on a hidden need
    for ident in (case_id, case_id + 1000):
        with pytest.raises(NotFound) as err:
            CaseService(ws, fra).show(ident)
        assert str(err.value) == f"no adoption case '{ident}' (give its id or ref)"
    shown = CaseService(ws, a(ws, "deu_viewer")).show(case_id).as_dict()
    assert (shown["need_ref"], shown["need_title"]) == ("RA-HIDDEN-NEED", "Hidden need title")


def test_an_assessment_against_a_hidden_need_is_hidden_with_it(ws):
    """An assessment is about its solution and need: a reader who may not see the need does not see the
    assessment either, however widely it is shared, so it cannot show that the need exists."""
    _hidden_deu_company_need_and_visible_solution(ws)
    made = assess(ws, "deu_admin", need="RA-HIDDEN-NEED", distribution="community", tlp="GREEN")
    fra = a(ws, "fra_admin")
    with inspect_db(ws) as session:
        need_id = session.scalar(select(CapabilityNeed.id).where(CapabilityNeed.ref == "RA-HIDDEN-NEED"))
    with pytest.raises(NotFound):
        show_record(ws, fra, "needs", str(need_id))
    with pytest.raises(NotFound):
        assessments.show(ws, fra, str(made))
    assert made not in [r["id"] for r in assessments.list_visible(ws, fra, limit=1000)[1]]
    assert audit.list_entries(ws, fra, object_type="assessments", object_id=made) == []
    assert assessments.show(ws, a(ws, "deu_viewer"), str(made))["need_ref"] == "RA-HIDDEN-NEED"


def test_audit_entries_of_another_organisations_hidden_record_are_not_listed(ws):
    private = assess(ws, "deu_analyst")
    assessments.update(ws, a(ws, "deu_analyst"), str(private), AssessmentInput(trl=7))
    shared = assess(ws, "deu_analyst", distribution="community")
    fra = a(ws, "fra_admin")
    assert audit.list_entries(ws, fra, object_type="assessments", object_id=private) == []
    listed = audit.list_entries(ws, fra, object_type="assessments")
    assert [(e["object_id"], e["action"]) for e in listed] == [(shared, "create")]
    assert [(e["object_id"], e["action"]) for e in audit.list_entries(ws, a(ws, "deu_viewer"), object_type="assessments")] == [
        (shared, "create"), (private, "update"), (private, "create")]


# ------------------------------------------------------------------------------------------------
# 7. A revoked or expired token, or a deactivated user, gets nothing.
# ------------------------------------------------------------------------------------------------


def test_a_revoked_token_gets_nothing(ws):
    new = auth.create_token(ws, a(ws, "deu_analyst"), "ci")
    assert actor_for_token(ws, new.token).username == "deu_analyst"
    auth.revoke_token(ws, a(ws, "deu_analyst"), new.id)
    with pytest.raises(AuthenticationFailed) as err:
        actor_for_token(ws, new.token)
    assert str(err.value) == "the API token 'ci' was revoked"
    result = rapid(ws, "assess", "list", "--json", token=new.token)
    assert result.exit_code == 9
    assert cli_error(result) == "error: the API token 'ci' was revoked"
    assert result.stdout == ""
    assert new.token not in result.stderr


def test_an_expired_token_gets_nothing(ws):
    new = auth.create_token(ws, a(ws, "deu_analyst"), "short", expires_days=1)
    assert actor_for_token(ws, new.token).username == "deu_analyst"
    ws.now = lambda: FROZEN_NOW + timedelta(days=1)
    with pytest.raises(AuthenticationFailed) as err:
        actor_for_token(ws, new.token)
    assert str(err.value) == "the API token 'short' expired on 2026-11-30"


def test_an_unknown_token_gets_nothing(ws):
    new = auth.create_token(ws, a(ws, "deu_analyst"), "ci")
    for wrong in (new.token + "x", new.token[:-1], "rapid_", ""):
        with pytest.raises(AuthenticationFailed) as err:
            actor_for_token(ws, wrong)
        assert str(err.value) == "the API token is not valid"


def test_a_deactivated_user_gets_nothing_by_name_or_token(ws):
    new = auth.create_token(ws, a(ws, "deu_analyst"), "ci")
    auth.set_active(ws, a(ws, "deu_admin"), "deu_analyst", False)
    for attempt in (lambda: actor_for_token(ws, new.token), lambda: actor_for_username(ws, "deu_analyst")):
        with pytest.raises(AuthenticationFailed) as err:
            attempt()
        assert str(err.value) == "user 'deu_analyst' is deactivated"
    result = rapid(ws, "--as", "deu_analyst", "assess", "list")
    assert (result.exit_code, cli_error(result)) == (9, "error: user 'deu_analyst' is deactivated")
    result = rapid(ws, "assess", "list", token=new.token)
    assert (result.exit_code, cli_error(result)) == (9, "error: user 'deu_analyst' is deactivated")
    # An admin of another organisation cannot reactivate them.
    with pytest.raises(NotFound) as err:
        auth.set_active(ws, a(ws, "fra_admin"), "deu_analyst", True)
    assert str(err.value) == "no user 'deu_analyst' in FRA"


def test_a_token_never_appears_in_a_message_or_an_audit_entry(ws):
    new = auth.create_token(ws, a(ws, "deu_analyst"), "ci")
    actor_for_token(ws, new.token)
    auth.revoke_token(ws, a(ws, "deu_analyst"), new.id)
    messages = []
    for attempt in (new.token, new.token + " ", new.token + "x"):
        with pytest.raises(AuthenticationFailed) as err:
            actor_for_token(ws, attempt)
        messages.append(str(err.value))
    assert messages == ["the API token 'ci' was revoked", "the API token 'ci' was revoked", "the API token is not valid"]
    secret = new.token[len(auth.TOKEN_PREFIX):]
    for entry in audit_rows(ws):
        assert secret not in json.dumps([entry.before, entry.after, entry.actor, entry.object_type], default=str)
    assert secret not in json.dumps(auth.list_tokens(ws, a(ws, "deu_analyst")))
    with inspect_db(ws) as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert stored == [auth.token_hash(new.token)]


# ------------------------------------------------------------------------------------------------
# 8. Group membership lists are not disclosed to non-members.
# ------------------------------------------------------------------------------------------------


def test_group_members_are_not_disclosed_to_non_members(ws):
    group = nordic(ws, "FRA", "nation:EST")
    assert sharing.list_groups(ws, a(ws, "pol_admin")) == []
    assert sharing.list_groups(ws, a(ws, "ncia_analyst")) == []
    [listed] = sharing.list_groups(ws, a(ws, "fra_admin"))
    assert (listed["name"], listed["owner"], listed["members"]) == (group, "DEU", [
        {"organisation": "DEU", "can_extend": True}, {"organisation": "FRA", "can_extend": False},
        {"nation": "EST", "can_extend": False}])
    for name in (group, "No-Such-Group"):
        message = f"no sharing group {name!r} that POL belongs to"
        with pytest.raises(NotFound) as err:
            sharing.add_member(ws, a(ws, "pol_admin"), name, organisation="POL")
        assert str(err.value) == message
        with pytest.raises(NotFound) as err:
            sharing.remove_member(ws, a(ws, "pol_admin"), name, organisation="FRA")
        assert str(err.value) == message
        with pytest.raises(NotFound) as err:
            assess(ws, "pol_admin", distribution="sharing_group", group=name)
        assert str(err.value) == message
        own = assess(ws, "pol_admin")
        with pytest.raises(NotFound) as err:
            sharing.share(ws, a(ws, "pol_admin"), f"assessment:{own}", group=name)
        assert str(err.value) == message
    result = rapid(ws, "--as", "pol_admin", "groups", "list", "--json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_creating_a_group_does_not_disclose_a_group_of_others(ws):
    nordic(ws, "FRA")
    created = sharing.create_group(ws, a(ws, "pol_admin"), "Nordic-Baltic")
    assert created["name"] == "Nordic-Baltic"


# ------------------------------------------------------------------------------------------------
# 9. AMBER+STRICT and RED.
# ------------------------------------------------------------------------------------------------


def test_amber_strict_stays_in_the_owner_organisation_whatever_else_is_set(ws):
    group = nordic(ws, "FRA", "nation:DEU")
    strict = assess(ws, "deu_analyst", distribution="sharing_group", group=group, tlp="AMBER+STRICT")
    strict_community = assess(ws, "deu_analyst", distribution="connected", tlp="AMBER+STRICT",
                              releasable_to="FRA,DEU,NATO")
    for record in (strict, strict_community):
        for owner_user in ("deu_analyst", "deu_viewer", "deu_admin", "deu_auditor"):
            shown_to(ws, owner_user, record)
        for other in ("fra_admin", "deu2_analyst", "ncia_analyst", "admin"):
            hidden_from(ws, other, record)


def test_red_reaches_only_named_users_and_the_owners_auditor(ws):
    red = assess(ws, "deu_analyst", distribution="community", tlp="GREEN")
    marking = sharing.share(ws, a(ws, "deu_analyst"), f"assessment:{red}", tlp="RED", red_recipients=["deu_viewer"])
    assert marking["marking"] == "TLP:RED · All organisations · RED to deu_analyst, deu_viewer"
    assert marking["red_recipients"] == ["deu_analyst", "deu_viewer"]
    for reader in ("deu_analyst", "deu_viewer", "deu_auditor"):  # the marker stays a reader; named; auditor
        shown_to(ws, reader, red)
    for other in ("deu_admin", "deu2_analyst", "fra_admin", "fra_auditor", "admin"):
        hidden_from(ws, other, red)
    # Only users of the owner organisation can be named.
    with pytest.raises(NotFound) as err:
        sharing.share(ws, a(ws, "deu_analyst"), f"assessment:{red}", red_recipients=["fra_admin"])
    assert str(err.value) == "no user 'fra_admin' in DEU to name on the RED record"
    hidden_from(ws, "fra_admin", red)


def test_the_author_of_a_red_assessment_can_read_it(ws):
    red = assess(ws, "deu_analyst", distribution="organisation", tlp="RED")
    shown_to(ws, "deu_analyst", red)


def test_a_named_reader_of_a_red_case_sees_its_gate_decisions_in_the_funnel(ws):
    case_id = open_case(ws, "deu_admin")
    CaseService(ws, a(ws, "deu_admin")).advance(case_id, Stage.TEVV, "market research done")
    sharing.share(ws, a(ws, "deu_admin"), f"case:{case_id}", tlp="RED", red_recipients=["deu_viewer"])
    board = build_board(ws, a(ws, "deu_viewer"))
    assert board.funnel.total == 1
    assert board.funnel.reached["tevv"] == 1


# ------------------------------------------------------------------------------------------------
# 10. Writes check ownership and role.
# ------------------------------------------------------------------------------------------------


def test_writes_check_ownership_and_role(ws):
    shared = assess(ws, "deu_analyst", distribution="community")
    private = assess(ws, "deu_analyst")
    entries = len(audit_rows(ws))
    with pytest.raises(PermissionDenied) as err:
        assessments.update(ws, a(ws, "fra_admin"), str(shared), AssessmentInput(trl=1))
    assert str(err.value) == f"assessment {shared} belongs to another organisation: only its owner may change it"
    with pytest.raises(NotFound) as err:
        assessments.update(ws, a(ws, "fra_admin"), str(private), AssessmentInput(trl=1))
    assert str(err.value) == not_found(private)
    with pytest.raises(NotFound) as err:
        sharing.share(ws, a(ws, "fra_admin"), f"assessment:{private}", distribution="community")
    assert str(err.value) == not_found(private)
    with pytest.raises(PermissionDenied) as err:
        assess(ws, "deu_viewer")
    assert str(err.value) == "recording an assessment needs the role admin or analyst"
    with pytest.raises(PermissionDenied) as err:
        assessments.update(ws, a(ws, "deu_viewer"), str(private), AssessmentInput(trl=1))
    assert str(err.value) == "changing an assessment needs the role admin or analyst"
    with pytest.raises(PermissionDenied) as err:
        sharing.share(ws, a(ws, "deu_viewer"), f"assessment:{private}", distribution="community")
    assert str(err.value) == "changing sharing needs the role admin, analyst, board, test_centre"
    with pytest.raises(PermissionDenied) as err:
        assess(ws, "deu_auditor")
    assert str(err.value) == "recording an assessment needs the role admin or analyst"
    # Nothing changed and nothing was audited.
    assert assessments.show(ws, a(ws, "deu_analyst"), str(shared))["trl"] == 6
    assert assessments.show(ws, a(ws, "deu_analyst"), str(private))["distribution"] == "organisation"
    assert len(audit_rows(ws)) == entries
    result = rapid(ws, "--as", "deu_viewer", "assess", "create", SOLUTION, "--trl", "5")
    assert (result.exit_code, cli_error(result)) == (4, "error: recording an assessment needs the role admin or analyst")


# ------------------------------------------------------------------------------------------------
# 11. The audit log.
# ------------------------------------------------------------------------------------------------


def test_every_write_leaves_one_audit_entry(ws):
    def last(n=1):
        return [(e.actor, e.action, e.object_type, e.object_id) for e in audit_rows(ws)[-n:]]

    start = len(audit_rows(ws))
    made = assess(ws, "deu_analyst")
    assert last() == [("deu_analyst", "create", "assessments", made)]
    assessments.update(ws, a(ws, "deu_analyst"), str(made), AssessmentInput(trl=8))
    assert last() == [("deu_analyst", "update", "assessments", made)]
    assert (audit_rows(ws)[-1].before["trl"], audit_rows(ws)[-1].after["trl"]) == (6, 8)
    sharing.share(ws, a(ws, "deu_analyst"), f"assessment:{made}", distribution="community", tlp="GREEN")
    assert last() == [("deu_analyst", "share", "assessments", made)]
    assert audit_rows(ws)[-1].after == {"distribution": "community", "tlp": "GREEN", "sharing_group_id": None,
                                        "releasable_to": "", "red_recipients": []}
    case_id = open_case(ws, "deu_admin")
    CaseService(ws, a(ws, "deu_admin")).advance(case_id, Stage.TEVV, "market research done")
    assert last(2) == [("deu_admin", "create", "adoption_cases", case_id), ("deu_admin", "gate", "adoption_cases", case_id)]
    new = auth.create_token(ws, a(ws, "deu_analyst"), "ci")
    actor_for_token(ws, new.token)
    assert last(2) == [("deu_analyst", "create", "api_tokens", new.id), ("deu_analyst", "token.use", "api_tokens", new.id)]
    assert len(audit_rows(ws)) == start + 7
    report = audit.verify(ws)
    assert (report.entries, report.problems) == (start + 7, [])


def test_naming_a_new_red_reader_is_always_audited(ws):
    auth.create_user(ws, None, "deu_lead", "DEU", ["analyst", "auditor"])
    red = assess(ws, "deu_analyst", distribution="community")
    sharing.share(ws, a(ws, "deu_analyst"), f"assessment:{red}", tlp="RED")  # deu_analyst is its only named reader

    def readers():
        with inspect_db(ws) as session:
            return sorted(session.scalars(select(User.username).join(RedRecipient, RedRecipient.user_id == User.id)
                                          .where(RedRecipient.record_table == "assessments",
                                                 RedRecipient.record_id == red)))

    assert readers() == ["deu_analyst"]
    entries = len(audit_rows(ws))
    sharing.share(ws, a(ws, "deu_lead"), f"assessment:{red}", tlp="RED")  # the auditor sees it, so may re-mark it
    if readers() != ["deu_analyst"]:  # a reader was added: that is a change of sharing, and must be audited
        assert [(e.actor, e.action) for e in audit_rows(ws)[entries:]] == [("deu_lead", "share")]


def test_a_failed_write_leaves_no_entry(ws):
    before = audit_rows(ws)
    with inspect_db(ws) as session:
        cases = session.scalar(select(func.count()).select_from(AdoptionCase))
    # The audit entry is written in the caller's transaction: when it fails, both go.
    with pytest.raises(RuntimeError):
        with ws.uow.transaction() as session:
            CaseService(ws, a(ws, "deu_admin")).open(NEED, SOLUTION, session=session)
            assert session.scalar(select(func.count()).select_from(AuditEntry)) == len(before) + 1
            raise RuntimeError("the rest of the work failed")
    # A share that fails after changing the row (an unknown RED recipient) keeps neither change nor entry.
    made = assess(ws, "deu_analyst")
    after_create = audit_rows(ws)
    with pytest.raises(NotFound) as err:
        sharing.share(ws, a(ws, "deu_analyst"), f"assessment:{made}", tlp="RED", red_recipients=["nobody"])
    assert str(err.value) == "no user 'nobody' in DEU to name on the RED record"
    assert assessments.show(ws, a(ws, "deu_analyst"), str(made))["tlp"] == "AMBER"
    with pytest.raises(Conflict):
        assessments.update(ws, a(ws, "deu_analyst"), str(made), AssessmentInput(trl=2), expected_version=7)
    assert [e.id for e in audit_rows(ws)] == [e.id for e in after_create] == [e.id for e in before] + [before[-1].id + 1]
    with inspect_db(ws) as session:
        assert session.scalar(select(func.count()).select_from(AdoptionCase)) == cases
    assert audit.verify(ws).problems == []


def _without_append_only_trigger(ws, sql: str, **params) -> None:
    """Run ``sql`` on audit_entries with the append-only trigger out of the way (as an attacker with DDL rights)."""
    with ws.uow.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_entries_no_update"))
            connection.execute(text("DROP TRIGGER audit_entries_no_delete"))
        else:
            connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"))
        connection.execute(text(sql), params)


def _three_entries(ws) -> list[int]:
    made = assess(ws, "deu_analyst")
    assessments.update(ws, a(ws, "deu_analyst"), str(made), AssessmentInput(trl=7))
    sharing.share(ws, a(ws, "deu_analyst"), f"assessment:{made}", distribution="community")
    ids = [e.id for e in audit_rows(ws)]
    assert audit.verify(ws).problems == []
    return ids[-3:]


def test_verify_finds_an_altered_entry(ws):
    first, middle, last = _three_entries(ws)
    _without_append_only_trigger(ws, "UPDATE audit_entries SET actor = 'someone_else' WHERE id = :id", id=middle)
    report = audit.verify(ws)
    assert report.problems == [f"entry {middle}: altered (its hash does not match its content)"]
    result = rapid(ws, "audit", "verify")
    assert result.exit_code == 10
    assert cli_error(result) == f"error: the audit log is broken: 1 problem(s) in {report.entries} entries"


def test_verify_finds_a_missing_entry(ws):
    first, middle, last = _three_entries(ws)
    _without_append_only_trigger(ws, "DELETE FROM audit_entries WHERE id = :id", id=middle)
    assert audit.verify(ws).problems == [
        f"entry {middle}: missing",
        f"entry {last}: does not follow the entry before it (an entry was removed or altered)",
    ]


def test_verify_finds_a_removed_last_entry(ws):
    first, middle, last = _three_entries(ws)
    _without_append_only_trigger(ws, "DELETE FROM audit_entries WHERE id = :id", id=last)
    assert audit.verify(ws).problems == [f"the chain should end at entry {last}, but the last entry found is {middle}"]


def test_the_database_refuses_to_change_or_delete_an_audit_entry(ws):
    entry_id = _three_entries(ws)[0]
    for sql in ("UPDATE audit_entries SET actor = 'someone_else' WHERE id = :id",
                "DELETE FROM audit_entries WHERE id = :id"):
        with pytest.raises(DBAPIError) as err:
            with ws.uow.engine.begin() as connection:
                connection.execute(text(sql), {"id": entry_id})
        assert "the audit log is append-only" in str(err.value.orig)
    assert audit.verify(ws).problems == []
    with inspect_db(ws) as session:
        assert session.get(AuditEntry, entry_id).actor == "deu_analyst"


# ------------------------------------------------------------------------------------------------
# 12. Concurrency: two users update the same assessment at once.
# ------------------------------------------------------------------------------------------------


def _run(fn, start: bool = True):
    """Run ``fn`` in a thread; return (thread, box) where box gets 'result' or 'error'."""
    box: dict = {}

    def target():
        try:
            box["result"] = fn()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            box["error"] = exc

    thread = threading.Thread(target=target)
    if start:
        thread.start()
    return thread, box


def test_two_users_updating_the_version_they_read_one_wins_one_gets_a_conflict(ws):
    made = assess(ws, "deu_analyst", distribution="community")
    assert assessments.show(ws, a(ws, "deu_analyst"), str(made))["version"] == 1
    alice, bob = a(ws, "deu_analyst"), a(ws, "deu_admin")
    barrier = threading.Barrier(2)

    def writer(actor, trl, note):
        def go():
            barrier.wait(timeout=10)
            return assessments.update(ws, actor, str(made), AssessmentInput(trl=trl, risks=note), expected_version=1)
        return go

    runs = [_run(writer(alice, 8, "alice")), _run(writer(bob, 3, "bob"))]
    for thread, _ in runs:
        thread.join(timeout=60)
    outcomes = [box for _, box in runs]
    winners = [box["result"] for box in outcomes if "result" in box]
    losers = [box["error"] for box in outcomes if "error" in box]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0], Conflict), repr(losers[0])
    assert str(losers[0]) in (f"assessment {made} is at version 2, not 1: reload and try again",
                              f"assessment {made} was changed by someone else meanwhile: reload and try again")
    now = assessments.show(ws, a(ws, "deu_viewer"), str(made))
    assert (now["version"], now["trl"], now["risks"]) == (2, winners[0]["trl"], winners[0]["risks"])
    assert [e["action"] for e in audit.list_entries(ws, a(ws, "deu_viewer"), object_type="assessments",
                                                    object_id=made)] == ["update", "create"]


def test_interleaved_writers_lose_nothing(ws, backend):
    """Alice reads the assessment and stalls before writing; Bob reads, writes and commits meanwhile.

    PostgreSQL lets both read version 1: Bob's write wins and Alice's stale write is a Conflict.
    SQLite serialises writers (BEGIN IMMEDIATE): Bob waits for Alice's commit, then writes on top of
    it. Either way no update is lost.
    """
    made = assess(ws, "deu_analyst", distribution="community")
    alice, bob = a(ws, "deu_analyst"), a(ws, "deu_admin")
    alice_read, bob_done = threading.Event(), threading.Event()
    state = {"thread": None, "paused": False}

    def stall_alice(session, flush_context, instances):
        if threading.current_thread() is state["thread"] and not state["paused"]:
            state["paused"] = True
            alice_read.set()
            bob_done.wait(timeout=2 if backend == "sqlite" else 30)

    event.listen(Session, "before_flush", stall_alice)
    try:
        thread, box = _run(lambda: assessments.update(ws, alice, str(made), AssessmentInput(trl=9)), start=False)
        state["thread"] = thread
        thread.start()
        assert alice_read.wait(timeout=30)
        try:
            bob_view = assessments.update(ws, bob, str(made), AssessmentInput(risks="supply chain"))
        finally:
            bob_done.set()
        thread.join(timeout=60)
    finally:
        event.remove(Session, "before_flush", stall_alice)
    now = assessments.show(ws, a(ws, "deu_viewer"), str(made))
    if backend == "sqlite":
        assert box.get("result", {}).get("version") == 2, box
        assert bob_view["version"] == 3
        assert (now["version"], now["trl"], now["risks"]) == (3, 9, "supply chain")
    else:
        assert bob_view["version"] == 2
        assert isinstance(box.get("error"), Conflict), box
        assert str(box["error"]) == f"assessment {made} was changed by someone else meanwhile: reload and try again"
        assert (now["version"], now["trl"], now["risks"]) == (2, 6, "supply chain")

