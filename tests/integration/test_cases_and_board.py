"""Adoption cases through the service layer, the board and the quickstart's real cases (SQLite files)."""

from __future__ import annotations

import csv
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rapid_adoption.domain.errors import Conflict, GateNotSatisfied, NotFound, ValidationError
from rapid_adoption.domain.types import Stage
from rapid_adoption.services.board import build_board
from rapid_adoption.services.cases import CaseService
from rapid_adoption.services.imports import run_import
from rapid_adoption.store.tables import AdoptionCase, GateDecision

from conftest import FROZEN_NOW, admin_of, inspect_db, system_of
from tevv_helpers import complete_a_passing_trial

UTC = timezone.utc
DATA = Path(__file__).resolve().parents[2] / "src" / "rapid_adoption" / "data"


@pytest.fixture
def service(empty_ws):
    run_import(empty_ws, "edf")
    return CaseService(empty_ws, admin_of(empty_ws))


def count(ws, model) -> int:
    with inspect_db(ws) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_open_and_advance_through_every_gate(service):
    opened = FROZEN_NOW - timedelta(days=400)
    case_id = service.open("EDF-2023-DA-AIR-SPS", "EDF-101167826", opened_at=opened)
    moments = [opened + timedelta(days=d) for d in (80, 300, 330, 360, 390)]
    for stage, when in zip((Stage.TEVV, Stage.BADGE, Stage.CONTRACTING, Stage.FIELDING, Stage.ADOPTED), moments):
        if stage == Stage.BADGE:  # the tevv gate needs a completed trial that covers the procedure's use cases
            run_import(service.ws, "network")
            complete_a_passing_trial(service.ws, service.actor, case_id)
        service.advance(case_id, stage, f"passed into {stage.value}", ["https://example.org/evidence"], decided_at=when)
    view = service.show(case_id)
    assert view.case["stage"] == "adopted"
    assert view.case["version"] == 6
    assert view.case["closed_at"] == moments[-1].isoformat()
    assert [d["to_stage"] for d in view.timeline] == ["tevv", "badge", "contracting", "fielding", "adopted"]
    assert [d["on_time"] for d in view.timeline] == [True, True, True, True, True]
    assert view.timeline[0]["decided_by"] == "admin"
    board = build_board(service.ws, service.actor)
    assert board.funnel.adopted == 1
    assert board.funnel.adopted_within_budget == 1
    assert board.funnel.adopted_within_budget_share == 1.0
    assert board.funnel.reached == {"market_research": 1, "tevv": 1, "badge": 1, "contracting": 1, "fielding": 1, "adopted": 1}


def test_skipping_a_gate_is_refused_and_nothing_is_written(service):
    case_id = service.open("EDF-2023-DA-AIR-SPS", "EDF-101167826")
    with pytest.raises(GateNotSatisfied) as err:
        service.advance(case_id, Stage.BADGE, "skip")
    assert str(err.value) == "cannot advance from market_research to badge: the next stage is tevv"
    assert count(service.ws, GateDecision) == 0
    assert service.show(case_id).case["version"] == 1


def test_a_second_open_case_for_the_same_pair_is_a_conflict(service):
    first = service.open("EDF-2023-DA-AIR-SPS", "EDF-101167826")
    with pytest.raises(Conflict) as err:
        service.open("EDF-2023-DA-AIR-SPS", "EDF-101167826")
    assert str(err.value) == f"case {first} is already open for need EDF-2023-DA-AIR-SPS and solution EDF-101167826"
    service.close(first, Stage.WITHDRAWN, "re-scoped")
    assert service.open("EDF-2023-DA-AIR-SPS", "EDF-101167826") == first + 1


def test_stale_version_is_a_conflict(service):
    case_id = service.open("EDF-2023-DA-AIR-SPS", "EDF-101167826")
    service.advance(case_id, Stage.TEVV, "assessed", expected_version=1)
    with pytest.raises(Conflict) as err:
        service.advance(case_id, Stage.BADGE, "tested", expected_version=1)
    assert str(err.value) == f"case {case_id} is at version 2, not 1: reload and try again"


def test_reject_records_the_failed_gate(service):
    case_id = service.open("EDF-2023-DA-AIR-SPS", "EDF-101167826")
    service.advance(case_id, Stage.TEVV, "assessed")
    service.close(case_id, Stage.REJECTED, "failed the trials")
    view = service.show(case_id)
    assert (view.case["stage"], view.case["rejected_at_stage"], view.clock.status.value) == ("rejected", "tevv", "closed")
    with pytest.raises(GateNotSatisfied) as err:
        service.close(case_id, Stage.WITHDRAWN, "again")
    assert str(err.value) == "the case is already rejected"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"rationale": "  "}, "rationale: is required and was empty"),
    ({"evidence": ["ftp://x/y"]}, "evidence: must be an http(s) URL, got 'ftp://x/y'"),
    ({"decided_at": FROZEN_NOW + timedelta(days=1)}, "decided_at: a decision cannot be dated in the future (2026-11-30T12:00:00+00:00)"),
    ({"decided_at": datetime(2020, 1, 1, tzinfo=UTC)}, "decided_at: a decision cannot be dated before the case's last event (2026-11-29T12:00:00+00:00)"),
])
def test_bad_gate_input(service, kwargs, message):
    case_id = service.open("EDF-2023-DA-AIR-SPS", "EDF-101167826")
    args = {"rationale": "ok", "evidence": [], **kwargs}
    with pytest.raises(ValidationError) as err:
        service.advance(case_id, Stage.TEVV, args.pop("rationale"), args.pop("evidence"), **args)
    assert str(err.value) == message


def test_unknown_records(service):
    with pytest.raises(NotFound) as err:
        service.open("EDF-0000", "EDF-101167826")
    assert str(err.value) == "no capability need 'EDF-0000' (give its id or ref)"
    with pytest.raises(NotFound) as err:
        service.show("77")
    assert str(err.value) == "no adoption case '77' (give its id or ref)"


def test_quickstart_opens_cases_from_real_pairs(qs_ws):
    admin = admin_of(qs_ws)
    with inspect_db(qs_ws) as session:
        by_stage = dict(session.execute(select(AdoptionCase.stage, func.count()).group_by(AdoptionCase.stage)).all())
        edf = session.scalar(select(func.count()).where(AdoptionCase.ref.like("QS-EDF-%")))
        navy = session.scalar(select(func.count()).where(AdoptionCase.ref.like("QS-NAVY-%")))
        inferred = session.scalar(select(func.count()).where(GateDecision.inferred.is_(True)))
    # 42 EDF projects (4 ended or past their end date -> badge, the rest in tevv at the frozen now, but for the
    # demonstration case, tested and badged, in contracting); 173 Navy transitions, of which 1 ("NASA Z1.05")
    # carries no topic code with a year.
    assert (edf, navy) == (42, 172)
    assert by_stage == {"tevv": 37, "badge": 4, "contracting": 1, "adopted": 172}
    assert inferred == 42 + 4 + 172 * 5
    board = build_board(qs_ws, admin)
    assert board.funnel.total == 214
    assert board.funnel.status == {"on_track": 0, "at_risk": 1, "overdue": 41}
    assert board.funnel.adopted == 172
    # Independently from the raw file: a transition is adopted within 24 months when its fiscal year is at most
    # two after its earliest topic's (opened 1 Oct of FY-1, contract 1 Oct of TY-1, deadline 24 months later).
    rows = list(csv.DictReader(open(DATA / "sbir" / "navy_transitions.csv", encoding="utf-8")))
    within = dated = 0
    for row in rows:
        years = [int(yy) for yy in re.findall(r"[A-Z]+ ?(\d{2})[A-Z0-9]*-", row["prior_sbir"])]
        if years:
            first = min(1900 + y if y >= 80 else 2000 + y for y in years)
            within += int(row["year"]) <= first + 2
            dated += 1
    assert dated == 172
    assert board.funnel.adopted_within_budget == within == 0  # no real transition came within 24 months
    assert board.funnel.adopted_within_budget_share == 0.0


def test_quickstart_case_inference_for_one_navy_transition(qs_ws):
    # navy_transitions.csv: "Beacon Interactive Systems LLC", prior_sbir N07-108 (FY2007), transition year 2026.
    service = CaseService(qs_ws, admin_of(qs_ws))
    with inspect_db(qs_ws) as session:
        ref = session.scalar(select(AdoptionCase.ref).join(AdoptionCase.solution).where(
            AdoptionCase.ref.like("QS-NAVY-%"), AdoptionCase.solution.has(name="Prognostics and Health Management (PHM) for Afloat Information Technology (IT) and Network Services")))
    view = service.show(ref)
    assert view.case["opened_at"] == "2006-10-01T00:00:00+00:00"
    assert view.case["stage"] == "adopted"
    assert [d["decided_at"] for d in view.timeline] == ["2025-10-01T00:00:00+00:00"] * 5
    assert view.timeline[-2]["evidence"] == ["https://navysbir.us/success/"]
    assert view.timeline[-2]["rationale"] == "Phase III contract with NAVSEA in FY2026, transition value $7,400,981."
    assert view.timeline[-1]["rationale"] == ("Transition type 'procurement': the Navy bought the capability for use "
                                              "(inferred: fielded at the contract).")


def test_board_for_many_cases_sorts_most_urgent_first(service):
    ids = [CaseService(service.ws, system_of(service.ws, owner)).open(
               "EDF-2023-DA-AIR-SPS", "EDF-101167826", opened_at=FROZEN_NOW - timedelta(days=days), owner_ref=owner)
           for owner, days in (("DEU", 100), ("FRA", 80), ("POL", 5))]
    board = build_board(service.ws, service.actor)
    cases = board.by_stage["market_research"]
    assert [c.id for c in cases] == ids
    assert [c.status for c in cases] == ["overdue", "at_risk", "on_track"]
    assert [c.owner for c in cases] == ["DEU", "FRA", "POL"]
