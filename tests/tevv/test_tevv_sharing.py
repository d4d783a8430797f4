"""Trials, results, risks and calendars follow the sharing rules: a hidden one never appears for another organisation,
in details, lists, counts, the gate's view or the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from rapid_adoption.domain.errors import NotFound
from rapid_adoption.domain.types import Stage
from rapid_adoption.services import audit, sharing, tevv_calendars, tevv_procedures, tevv_risks, tevv_schedule, tevv_trials
from rapid_adoption.services.auth import actor_for_username, create_user
from rapid_adoption.services.cases import CaseService
from rapid_adoption.services.tevv_trials import TrialRequestInput
from rapid_adoption.store.sharing import UnfilteredRead, restrict
from rapid_adoption.store.tables_tevv import RiskScore, Trial, TrialResult

from conftest import admin_of, system_of

VREDEPEEL = "lt-gen-best-barracks-vredepeel-nld"


def _not_found(call, message):
    with pytest.raises(NotFound) as err:
        call()
    assert str(err.value) == message


def _trial_ids(ws, actor) -> list[int]:
    page = tevv_trials.page_trials(ws, actor, limit=500)
    assert page.total == len(page.rows)
    return [r["id"] for r in page.rows]


def test_a_trial_in_a_private_case_is_hidden_with_its_results_and_risks(qs_ws):
    admin, nor = admin_of(qs_ws), actor_for_username(qs_ws, "nor.analyst")
    cases = CaseService(qs_ws, admin)
    case_id = cases.open("EDF-2023-DA-AIRDEF-CUAS", "EDF-101167931")
    cases.advance(case_id, Stage.TEVV, "assessed")
    sharing.share(qs_ws, admin, f"case:{case_id}", distribution="organisation", tlp="AMBER")
    trial = tevv_trials.request_trial(qs_ws, admin, TrialRequestInput(procedure="cuas-example", case=case_id,
                                                                      ready_on="2026-11-02"))
    assert (trial["distribution"], trial["tlp"]) == ("organisation", "AMBER")  # the trial takes the case's marking
    tevv_trials.schedule_trial(qs_ws, admin, trial["id"], VREDEPEEL, "2026-11-02")
    tevv_trials.record_result(qs_ws, admin, trial["id"], "border", {"detection_range": (6000, "m"),
                                                                    "continuous_operation": (96, "h"),
                                                                    "track_handover_time": (3, "s")}, 6)
    risk = tevv_risks.add_risk(qs_ws, admin, case_id, category="technical", title="Range in clutter", likelihood=3,
                               impact=3, risk_owner="engineer")
    # DIANA sees 38 quickstart trials and its own; Norway sees the 38 only.
    assert len(_trial_ids(qs_ws, admin)) == 39 and trial["id"] in _trial_ids(qs_ws, admin)
    assert _trial_ids(qs_ws, nor) == list(range(1, 39))
    _not_found(lambda: tevv_trials.show_trial(qs_ws, nor, trial["id"]), f"no trial '{trial['id']}' (give its id or ref)")
    _not_found(lambda: tevv_trials.show_trial(qs_ws, nor, 999), "no trial '999' (give its id or ref)")
    _not_found(lambda: tevv_trials.gate_status(qs_ws, nor, case_id),
               f"no adoption case '{case_id}' (give its id or ref)")
    _not_found(lambda: tevv_risks.show_risk(qs_ws, nor, risk["id"]), f"no risk {risk['id']} ('rapid risks list CASE' "
                                                                         "shows a case's risks)")
    _not_found(lambda: tevv_risks.list_risks(qs_ws, nor, case_id), f"no adoption case '{case_id}' (give its id or ref)")
    assert tevv_trials.page_trials(qs_ws, nor, centre=VREDEPEEL).total == 1  # the demonstration trial only
    assert tevv_trials.page_trials(qs_ws, admin, centre=VREDEPEEL).total == 2
    gantt = {c["centre_name"]: c for c in tevv_schedule.plan(qs_ws, nor, weeks=4)["centres"]}
    assert all(t["trial_id"] != trial["id"] for c in gantt.values() for t in c["trials"])
    hidden = {("trials", trial["id"]), ("trial_results", 5), ("case_risks", risk["id"])}
    seen = {(e["object_type"], e["object_id"]) for e in audit.list_entries(qs_ws, nor, limit=2000)}
    assert not hidden & seen
    mine = {(e["object_type"], e["object_id"]) for e in audit.list_entries(qs_ws, admin, limit=2000)}
    assert hidden <= mine
    with qs_ws.uow.read() as s:
        assert s.scalar(restrict(select(func.count()).select_from(TrialResult), nor)) == 4
        assert s.scalar(restrict(select(func.count()).select_from(TrialResult), admin)) == 5
        assert s.scalar(restrict(select(func.count()).select_from(RiskScore), nor)) == 6
        assert s.scalar(restrict(select(func.count()).select_from(RiskScore), admin)) == 7


def test_a_trial_is_hidden_when_its_centre_is(qs_ws):
    create_user(qs_ws, None, "nld.admin", "NLD", ["admin"])
    nld, admin = actor_for_username(qs_ws, "nld.admin"), admin_of(qs_ws)
    eu = system_of(qs_ws, "EU-DEFIS")
    assert tevv_trials.show_trial(qs_ws, admin, 19)["centre"]["ref"] == VREDEPEEL
    sharing.share(qs_ws, nld, f"centre:{VREDEPEEL}", distribution="organisation")
    # Only the Netherlands sees the centre now. The trial there is hidden from everyone else, its owner (the
    # Commission) included, with its results: a trial never shows that a hidden centre exists.
    _not_found(lambda: tevv_trials.show_trial(qs_ws, admin, 19), "no trial '19' (give its id or ref)")
    _not_found(lambda: tevv_trials.show_trial(qs_ws, eu, 19), "no trial '19' (give its id or ref)")
    assert tevv_trials.show_trial(qs_ws, nld, 19)["id"] == 19
    assert 19 not in _trial_ids(qs_ws, admin) and len(_trial_ids(qs_ws, admin)) == 37
    _not_found(lambda: tevv_calendars.show_calendar(qs_ws, admin, VREDEPEEL),
               f"no test centre '{VREDEPEEL}' (give its id or ref)")
    with qs_ws.uow.read() as s:
        assert s.scalar(restrict(select(func.count()).select_from(TrialResult), admin)) == 0
        assert s.scalar(restrict(select(func.count()).select_from(TrialResult), nld)) == 4
    # The case's gate view no longer counts the hidden trial's results for the Commission.
    assert tevv_trials.gate_status(qs_ws, eu, 23)["procedures"] == []


def test_sharing_a_trial_narrows_it_and_its_results_follow(qs_ws):
    eu, admin = system_of(qs_ws, "EU-DEFIS"), admin_of(qs_ws)
    result = sharing.share(qs_ws, eu, "trial:19", tlp="AMBER+STRICT")
    assert (result["record"], result["changed"]) == ("trial:19", True)
    _not_found(lambda: tevv_trials.show_trial(qs_ws, admin, "QS-TRIAL-EDF-101167796"),
               "no trial 'QS-TRIAL-EDF-101167796' (give its id or ref)")
    assert tevv_trials.show_trial(qs_ws, eu, 19)["marking"].startswith("TLP:AMBER+STRICT")
    with qs_ws.uow.read() as s:
        assert s.scalar(restrict(select(func.count()).select_from(TrialResult), admin)) == 0
    # A procedure shared with its owner only hides every trial under it from the others.
    sharing.share(qs_ws, admin, "procedure:3", distribution="organisation")
    assert tevv_trials.page_trials(qs_ws, eu, limit=500).total == 2  # the USV trial and its own demonstration
    _not_found(lambda: tevv_procedures.show_procedure(qs_ws, eu, "system-demo-example"),
               "no evaluation procedure 'system-demo-example' (give its id, its ref or REF@VERSION; 'rapid procedures "
               "list' shows them)")


def test_an_unfiltered_read_of_a_tevv_table_is_refused(qs_ws):
    for model in (Trial, TrialResult, RiskScore):
        with qs_ws.uow.read() as s:
            with pytest.raises(UnfilteredRead, match=f"read of {model.__tablename__} without the sharing filter"):
                s.scalars(select(model)).all()


def test_a_requested_trial_with_no_centre_yet_is_listed(qs_ws):
    """A trial still ``requested`` has no centre: it is listed for its owner and, shared with the community, for others."""
    admin, nor = admin_of(qs_ws), actor_for_username(qs_ws, "nor.analyst")
    cases = CaseService(qs_ws, admin)
    case_id = cases.open("EDF-2023-DA-AIRDEF-CUAS", "EDF-101167931")
    cases.advance(case_id, Stage.TEVV, "assessed")
    trial = tevv_trials.request_trial(qs_ws, admin, TrialRequestInput(procedure="cuas-example", case=case_id,
                                                                      ready_on="2026-11-02"))
    assert (trial["status"], trial["distribution"]) == ("requested", "community")
    row = next(r for r in tevv_trials.page_trials(qs_ws, admin, limit=500).rows if r["id"] == trial["id"])
    assert (row["status"], row["centre_id"], row["centre_name"], row["centre_country"]) == ("requested", None, None, None)
    assert trial["id"] in _trial_ids(qs_ws, nor)
    assert [r["id"] for r in tevv_trials.page_trials(qs_ws, nor, status="requested").rows] == [trial["id"]]
