"""The trial scheduler: exact small cases, reasons, validation, determinism and the LP-restricted path."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from rapid_adoption.domain.errors import ValidationError
from rapid_adoption.tevv.scheduler import (
    CentreCalendar,
    Placement,
    TrialRequest,
    Unplaced,
    check_schedule,
    feasible_starts,
    schedule_greedy,
    schedule_trials,
    unplaced_penalty,
)


def centre(centre_id, country="NOR", domains=("air",), capacity=1, blackout=(), capabilities=()):
    return CentreCalendar(centre_id, country, frozenset(domains), frozenset(capabilities), capacity, frozenset(blackout))


def trial(trial_id, domain="air", duration=1, ready=0, deadline=10, weight=1, preferred=(), capabilities=()):
    return TrialRequest(trial_id, domain, frozenset(capabilities), duration, ready, deadline, weight, frozenset(preferred))


def test_weighted_lateness_beats_earliest_deadline_first():
    # A is due first, but B weighs 10: EDF runs A first and makes B one week late (10); the optimum makes A late by 2.
    centres = [centre(1)]
    requests = [trial(1, duration=3, deadline=3, weight=1), trial(2, duration=2, deadline=4, weight=10)]
    greedy = schedule_greedy(centres, requests, horizon_weeks=10)
    assert greedy.placements == (Placement(1, 1, 0, 3, 0, False), Placement(2, 1, 3, 5, 1, False))
    assert (greedy.weighted_lateness, greedy.objective, greedy.bound, greedy.gap, greedy.status) == (
        10, 30, None, None, "heuristic")
    best = schedule_trials(centres, requests, horizon_weeks=10, workers=1, time_limit_seconds=10)
    assert best.placements == (Placement(2, 1, 0, 2, 0, False), Placement(1, 1, 2, 5, 2, False))
    assert (best.method, best.weighted_lateness, best.objective, best.bound, best.gap, best.status) == (
        "cp-sat", 2, 6, 6, 0.0, "optimal")
    assert best.unplaced == ()


def test_every_reason_with_its_detail():
    centres = [centre(1, "NOR", ("air",), blackout=(2,)), centre(2, "EST", ("air", "land"))]
    requests = [
        trial(1, "air", duration=2, deadline=2, weight=2, preferred=("EST",)),
        trial(2, "air", duration=2, deadline=2, preferred=("NOR",)),
        trial(3, "land", duration=3, ready=1, deadline=6),
        trial(4, "cyber", duration=1),
        trial(5, "air", duration=5, ready=2),
        trial(6, "air", capabilities=("rf-shielded-range",)),
    ]
    for schedule in (schedule_trials(centres, requests, horizon_weeks=6, workers=1), schedule_greedy(centres, requests,
                                                                                                     horizon_weeks=6)):
        assert schedule.placements == (Placement(2, 1, 0, 2, 0, True), Placement(1, 2, 0, 2, 0, True),
                                       Placement(3, 2, 2, 5, 0, False))  # by (start, centre, trial)
        assert schedule.unplaced == (
            Unplaced(4, "no capable centre", "no centre supports test domain 'cyber'"),
            Unplaced(5, "window", "2 capable centre(s), but none has 5 consecutive week(s) free of blackouts between "
                                  "week 2 and the horizon (week 6)"),
            Unplaced(6, "no capable centre",
                     "no centre supports test domain 'air' with capabilities 'rf-shielded-range'"),
        )
        assert (schedule.objective, schedule.preference_misses) == (0, 0)


def test_capacity_reason_and_penalty():
    centres = [centre(1)]
    requests = [trial(1, duration=3, deadline=3, weight=1), trial(2, duration=3, deadline=3, weight=2)]
    best = schedule_trials(centres, requests, horizon_weeks=4, workers=1)
    assert best.placements == (Placement(2, 1, 0, 3, 0, False),)
    assert best.unplaced == (Unplaced(1, "capacity", "1 capable centre(s) could fit it, but their capacity in the "
                                                     "weeks it could run (from week 0) is taken by other trials"),)
    assert unplaced_penalty(requests[0], 4) == 5
    assert (best.weighted_lateness, best.objective, best.status) == (0, 5 * 3, "optimal")
    assert schedule_greedy(centres, requests, horizon_weeks=4).objective == 15


def test_preference_is_second_to_lateness():
    # The preferred centre (EST) is busy until week 2: waiting there costs a week of lateness, so the trial goes to
    # NOR on time; with a later deadline it waits for EST.
    centres = [centre(1, "NOR"), centre(2, "EST", blackout=(0, 1))]
    late = schedule_trials(centres, [trial(1, duration=2, deadline=2, preferred=("EST",))], horizon_weeks=6, workers=1)
    assert late.placements == (Placement(1, 1, 0, 2, 0, False),)
    assert (late.objective, late.preference_misses) == (1, 1)
    roomy = schedule_trials(centres, [trial(1, duration=2, deadline=4, preferred=("EST",))], horizon_weeks=6, workers=1)
    assert roomy.placements == (Placement(1, 2, 2, 4, 0, True),)
    assert roomy.objective == 0


def test_overdue_trial_and_negative_ready_week():
    best = schedule_trials([centre(1)], [trial(1, duration=2, ready=-3, deadline=-1, weight=3)], horizon_weeks=5,
                           workers=1)
    assert best.placements == (Placement(1, 1, 0, 2, 3, False),)
    assert (best.weighted_lateness, best.objective) == (9, 18)
    assert unplaced_penalty(trial(1, deadline=-1, weight=3), 5) == 3 * (5 + 1 + 1)


def test_feasible_starts():
    assert feasible_starts(centre(1, blackout=(3,)), trial(1, duration=2, ready=1), 8) == (1, 4, 5, 6)
    assert feasible_starts(centre(1), trial(1, duration=3, ready=-2), 3) == (0,)
    assert feasible_starts(centre(1), trial(1, duration=4), 3) == ()


def test_empty_inputs():
    schedule = schedule_trials([], [], workers=1)
    assert (schedule.placements, schedule.unplaced, schedule.objective, schedule.status) == ((), (), 0, "optimal")
    assert schedule_greedy([], [trial(7)]).unplaced == (Unplaced(7, "no capable centre",
                                                                 "no centre supports test domain 'air'"),)


@pytest.mark.parametrize(("centres", "requests", "kwargs", "message"), [
    ([centre(1), centre(1)], [], {}, "centre_id: centre 1 is given twice"),
    ([centre(1, capacity=0)], [], {}, "capacity_per_week: centre 1: must be 1 or more, got 0"),
    ([centre(1, blackout=(52,))], [], {}, "blackout_weeks: centre 1: week 52 is outside 0..51"),
    ([], [trial(1), trial(1)], {}, "trial_id: trial 1 is requested twice"),
    ([], [trial(1, duration=0)], {}, "duration_weeks: trial 1: must be 1 or more weeks, got 0"),
    ([], [trial(1, weight=0)], {}, "weight: trial 1: must be 1 or more, got 0"),
    ([], [trial(1, weight=True)], {}, "weight: trial 1: must be 1 or more, got True"),
    ([], [trial(1, domain="")], {}, "test_domain: trial 1: a test domain is required"),
    ([], [], {"horizon_weeks": 0}, "horizon_weeks: must be a whole number of weeks, 1 or more, got 0"),
    ([], [], {"time_limit_seconds": 0}, "time_limit_seconds: must be above 0, got 0"),
    ([], [], {"workers": 0}, "workers: must be 1 or more, got 0"),
    ([], [], {"full_model_columns": -1}, "full_model_columns: must be 0 or more, got -1"),
])
def test_bad_input_names_the_field(centres, requests, kwargs, message):
    with pytest.raises(ValidationError) as caught:
        schedule_trials(centres, requests, **kwargs)
    assert str(caught.value) == message


def test_greedy_validates_too():
    with pytest.raises(ValidationError) as caught:
        schedule_greedy([centre(1)], [trial(1, weight=-2)])
    assert str(caught.value) == "weight: trial 1: must be 1 or more, got -2"


def random_instance(seed: int, trials: int, centres: int, horizon: int):
    """A random instance on a few domains and countries (fixed seed)."""
    rng = random.Random(seed)
    domains, countries = ("air", "land", "maritime"), ("NOR", "EST", "DEU", "POL")
    calendars = [centre(i, rng.choice(countries), rng.sample(domains, rng.randint(1, 2)), rng.randint(1, 2),
                        rng.sample(range(horizon), rng.randint(0, 2))) for i in range(1, centres + 1)]
    requests = [trial(i, rng.choice(domains), rng.randint(1, 4), rng.randint(0, horizon // 2),
                      rng.randint(2, horizon + 2), rng.randint(1, 3), rng.sample(countries, rng.randint(0, 2)))
                for i in range(1, trials + 1)]
    return calendars, requests


def test_deterministic_with_one_worker():
    calendars, requests = random_instance(7, trials=25, centres=4, horizon=16)
    first = schedule_trials(calendars, requests, horizon_weeks=16, workers=1, seed=3, time_limit_seconds=20)
    second = schedule_trials(calendars, requests, horizon_weeks=16, workers=1, seed=3, time_limit_seconds=20)
    assert first.status == "optimal"
    assert replace(first, solve_seconds=0.0) == replace(second, solve_seconds=0.0)
    greedy = [replace(schedule_greedy(calendars, requests, horizon_weeks=16), solve_seconds=0.0) for _ in range(2)]
    assert greedy[0] == greedy[1]


def test_restricted_model_bound_is_a_true_lower_bound():
    # Over-subscribed: 40 trials on 3 centres in 14 weeks. The whole model is solved exactly; the LP-restricted
    # path (forced with full_model_columns=0) must give a valid schedule whose bound does not exceed the optimum.
    calendars, requests = random_instance(11, trials=40, centres=3, horizon=14)
    exact = schedule_trials(calendars, requests, horizon_weeks=14, workers=2, time_limit_seconds=30)
    assert exact.status == "optimal" and exact.bound == exact.objective
    restricted = schedule_trials(calendars, requests, horizon_weeks=14, workers=2, time_limit_seconds=30,
                                 full_model_columns=0)
    assert check_schedule(calendars, requests, restricted, horizon_weeks=14) == []
    assert restricted.bound is not None
    assert restricted.bound <= exact.objective <= restricted.objective
    assert restricted.gap == (restricted.objective - restricted.bound) / restricted.objective
    greedy = schedule_greedy(calendars, requests, horizon_weeks=14)
    assert exact.objective <= greedy.objective
    assert restricted.objective <= greedy.objective  # the greedy schedule is in the restricted model as a hint


def test_check_schedule_reports_broken_rules():
    calendars = [centre(1, capacity=1, blackout=(1,))]
    requests = [trial(1, duration=2), trial(2, duration=1)]
    bad = schedule_greedy(calendars, requests, horizon_weeks=4)
    broken = replace(bad, placements=(Placement(1, 1, 0, 2, 0, False), Placement(2, 1, 0, 1, 0, True)), unplaced=())
    assert check_schedule(calendars, requests, broken, horizon_weeks=4) == [
        "trial 1: runs in blackout week(s) [1] of centre 1",
        "trial 2: preferred-country flag is wrong",
        "centre 1 runs 2 trials in week 0, capacity 1",
    ]
