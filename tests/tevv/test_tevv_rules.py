"""The pure TEVV rules: outcomes from thresholds, trial status moves, the 5x5 risk matrix, rubrics and gate coverage."""

from __future__ import annotations

import pytest

from rapid_adoption.domain.errors import GateNotSatisfied, ValidationError
from rapid_adoption.domain.tevv import (Direction, Measure, RubricBand, UseCase, UseCaseResult, check_gate,
                                        check_rubric, check_transition, coverage, evaluate_use_case,
                                        parse_risk_category, risk_level, risk_score)
from rapid_adoption.tevv.procedures import example_files, read_procedure_file
from rapid_adoption.tevv.weeks import parse_week, planning_origin, week_label, window

RUBRIC = (RubricBand(1, 5, "poor"), RubricBand(6, 10, "good"))
POINT_DEFENCE = UseCase("point_defence", "Point defence", "", (
    Measure("detection_range", "Detection range", "m", Direction.HIGHER, 2000),
    Measure("reaction_time", "Reaction time", "s", Direction.LOWER, 30),
), RUBRIC, 6)


def test_a_use_case_passes_when_every_threshold_and_the_pass_score_are_met():
    outcome = evaluate_use_case(POINT_DEFENCE, {"detection_range": (2000, "m"), "reaction_time": (30, None)}, 6)
    assert (outcome.passed, outcome.reasons) == (True, ())


def test_each_shortfall_is_a_reason_for_the_failure():
    outcome = evaluate_use_case(POINT_DEFENCE, {"detection_range": (1800.5, "m"), "reaction_time": (31, "s")}, 5)
    assert outcome.passed is False
    assert outcome.reasons == ("detection_range 1800.5 m is below the threshold 2000 m",
                               "reaction_time 31 s is above the threshold 30 s",
                               "score 5 is below the pass score 6")


def test_a_high_score_does_not_pass_a_missed_threshold():
    outcome = evaluate_use_case(POINT_DEFENCE, {"detection_range": (5000, "m"), "reaction_time": (45, "s")}, 10)
    assert outcome.reasons == ("reaction_time 45 s is above the threshold 30 s",)


@pytest.mark.parametrize("measured, score, message", [
    ({"detection_range": (2500, "m")}, 7, "measured: use case point_defence needs a value for reaction_time (s)"),
    ({"detection_range": (2.5, "km"), "reaction_time": (3, "s")}, 7,
     "measured: detection_range: the unit must be 'm' as the procedure says, got 'km' (values are not converted)"),
    ({"detection_range": (2500, "m"), "reaction_time": (3, "s"), "range": (1, "m")}, 7,
     "measured: use case point_defence has no measure 'range'; its measures are detection_range, reaction_time"),
    ({"detection_range": (float("nan"), "m"), "reaction_time": (3, "s")}, 7,
     "measured: detection_range: must be a finite number, got nan"),
    ({"detection_range": (2500, "m"), "reaction_time": (3, "s")}, 11, "score: must be 1-10, got 11"),
    ({"detection_range": (2500, "m"), "reaction_time": (3, "s")}, 6.5, "score: must be a whole number 1-10, got 6.5"),
])
def test_bad_measurements_name_the_field(measured, score, message):
    with pytest.raises(ValidationError) as err:
        evaluate_use_case(POINT_DEFENCE, measured, score)
    assert str(err.value) == message


@pytest.mark.parametrize("current, target", [
    ("requested", "scheduled"), ("requested", "cancelled"), ("scheduled", "running"), ("scheduled", "cancelled"),
    ("running", "completed"), ("running", "cancelled"),
])
def test_allowed_status_moves(current, target):
    assert check_transition(current, target).value == target


@pytest.mark.parametrize("current, target, message", [
    ("requested", "running", "status: a requested trial cannot become running: it can become scheduled or cancelled"),
    ("requested", "completed", "status: a requested trial cannot become completed: it can become scheduled or cancelled"),
    ("scheduled", "completed", "status: a scheduled trial cannot become completed: it can become running or cancelled"),
    ("running", "scheduled", "status: a running trial cannot become scheduled: it can become completed or cancelled"),
    ("completed", "running", "status: a completed trial is final: it cannot become running"),
    ("completed", "cancelled", "status: a completed trial is final: it cannot become cancelled"),
    ("cancelled", "scheduled", "status: a cancelled trial is final: it cannot become scheduled"),
    ("running", "paused", "status: must be one of requested, scheduled, running, completed, cancelled, got 'paused'"),
])
def test_refused_status_moves(current, target, message):
    with pytest.raises(ValidationError) as err:
        check_transition(current, target)
    assert str(err.value) == message


def test_the_5x5_matrix_scores_and_levels():
    assert [risk_score(likelihood, 5) for likelihood in range(1, 6)] == [5, 10, 15, 20, 25]
    assert risk_score(1, 1) == 1 and risk_score(4, 3) == 12
    # Every product 1-25 and its level; 17-19 and 21-24 are not products of two numbers 1-5.
    products = sorted({risk_score(a, b) for a in range(1, 6) for b in range(1, 6)})
    assert products == [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25]
    assert [risk_level(s) for s in products] == ["low"] * 4 + ["medium"] * 4 + ["high"] * 4 + ["critical"] * 2


@pytest.mark.parametrize("likelihood, impact, message", [
    (0, 3, "likelihood: must be a whole number 1-5, got 0"),
    (3, 6, "impact: must be a whole number 1-5, got 6"),
    (True, 3, "likelihood: must be a whole number 1-5, got True"),
    (2.0, 3, "likelihood: must be a whole number 1-5, got 2.0"),
])
def test_risk_scores_outside_the_matrix_are_refused(likelihood, impact, message):
    with pytest.raises(ValidationError) as err:
        risk_score(likelihood, impact)
    assert str(err.value) == message


def test_risk_categories():
    assert parse_risk_category("Supply chain").value == "supply_chain"
    assert parse_risk_category("supply-chain").value == "supply_chain"
    with pytest.raises(ValidationError) as err:
        parse_risk_category("financial")
    assert str(err.value) == ("category: must be one of technical, operational, supply_chain, security, integration, "
                              "got 'financial'")


@pytest.mark.parametrize("bands, message", [
    ([(1, 5), (7, 10)], "rubric: score 6 is in no band: the bands must cover 1-10"),
    ([(1, 3), (8, 10)], "rubric: scores 4, 5, 6, 7 are in no band: the bands must cover 1-10"),
    ([(1, 6), (6, 10)], "rubric: score 6 is in band 1 and band 2"),
    ([(0, 10)], "rubric: band 1 (0-10) must lie within 1-10, low to high"),
    ([(1, 4), (9, 5)], "rubric: band 2 (9-5) must lie within 1-10, low to high"),
])
def test_a_rubric_covers_1_to_10_exactly_once(bands, message):
    with pytest.raises(ValidationError) as err:
        check_rubric([RubricBand(low, high, "x") for low, high in bands])
    assert str(err.value) == message


KEYS = ("point_defence", "perimeter", "border", "convoy")


def test_coverage_takes_the_latest_result_of_each_use_case():
    results = [UseCaseResult("point_defence", 1, False, ("x",)), UseCaseResult("point_defence", 2, True),
               UseCaseResult("perimeter", 2, True), UseCaseResult("border", 2, False, ("detection_range low",))]
    cov = coverage("cuas-example v1", KEYS, results, overrides=[])
    assert (cov.passed, cov.missing, [f.use_case for f in cov.failed], cov.overridden, cov.satisfied) == (
        ("point_defence", "perimeter"), ("convoy",), ["border"], (), False)
    with_override = coverage("cuas-example v1", KEYS, results + [UseCaseResult("convoy", 3, True)], ["border"])
    assert (with_override.satisfied, with_override.overridden) == (True, ("border",))


def test_the_gate_message_names_missing_and_failed_use_cases():
    cov = coverage("cuas-example v1", KEYS, [UseCaseResult("point_defence", 7, True),
                                             UseCaseResult("perimeter", 7, False, ("false_alarms 3 per 24 h is above "
                                                                                   "the threshold 2 per 24 h",))], [])
    with pytest.raises(GateNotSatisfied) as err:
        check_gate("case 23", [cov])
    assert str(err.value) == (
        "case 23 cannot pass the tevv gate: cuas-example v1: no completed trial covers the use cases border, convoy; "
        "the use case perimeter failed in trial 7 (false_alarms 3 per 24 h is above the threshold 2 per 24 h); a "
        "board override with a rationale lets a failed use case pass ('rapid trials override')")
    with pytest.raises(GateNotSatisfied) as err:
        check_gate("case 5", [])
    assert str(err.value) == "case 5 cannot pass the tevv gate: it has no trial: request one with 'rapid trials request'"
    check_gate("case 23", [coverage("cuas-example v1", KEYS, [UseCaseResult(k, 7, True) for k in KEYS], [])])


def test_weeks_are_iso_weeks_from_the_next_monday():
    from datetime import date, datetime, timezone

    assert planning_origin(datetime(2026, 11, 29, 12, tzinfo=timezone.utc)) == date(2026, 11, 30)  # a Sunday
    assert planning_origin(date(2026, 11, 30)) == date(2026, 11, 30)  # a Monday plans from itself
    assert parse_week("2026-W52") == date(2026, 12, 21) == parse_week("2026-12-24")
    assert week_label(date(2026, 12, 21)) == "2026-W52" and week_label(date(2027, 1, 3)) == "2026-W53"
    assert window(date(2026, 11, 30), 2, 3) == (date(2026, 12, 14), date(2027, 1, 3))
    with pytest.raises(ValidationError) as err:
        parse_week("2026-W54", "blackout")
    assert str(err.value) == ("blackout: must be an ISO week such as 2026-W52 or a date such as 2026-12-24, "
                              "got '2026-W54'")


def test_the_shipped_examples_say_they_are_examples_and_have_the_documented_use_cases():
    procedures = {p.name: read_procedure_file(p) for p in example_files()}
    assert {name: (p.ref, p.use_case_keys) for name, p in procedures.items()} == {
        "counter_uas.yaml": ("cuas-example", ("point_defence", "perimeter", "border", "convoy")),
        "maritime_usv_persistence.yaml": ("usv-persistence-example",
                                          ("endurance", "station_keeping", "sea_state", "autonomous_navigation")),
        "system_demonstration.yaml": ("system-demo-example", ("function", "reliability", "integration", "security")),
    }
    for path in example_files():
        assert path.read_text().startswith("# EXAMPLE ONLY.")
        assert procedures[path.name].example is True and "(example)" in procedures[path.name].name
    cuas = procedures["counter_uas.yaml"]
    assert [(m.key, m.unit, m.direction.value, m.threshold) for m in cuas.use_case("convoy").measures] == [
        ("detection_range_on_the_move", "m", "higher_is_better", 1000.0), ("reaction_time", "s", "lower_is_better", 20.0),
        ("time_into_action", "min", "lower_is_better", 5.0)]
