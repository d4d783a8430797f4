"""Properties of the scheduler on random instances (Hypothesis), checked by code written here, and the CP-SAT
optimum against a brute-force enumeration."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, example, given, settings, target
from hypothesis import strategies as st

from rapid_adoption.tevv.scheduler import (
    CentreCalendar,
    TrialRequest,
    check_schedule,
    schedule_greedy,
    schedule_trials,
)

DOMAINS = ("air", "land", "cyber")
COUNTRIES = ("NOR", "EST", "DEU")
CAPABILITIES = ("rf", "night")


@st.composite
def instances(draw, max_centres=3, max_trials=7, min_trials=0, horizons=(4, 10), request_domains=DOMAINS + ("space",),
              centre_domains=1, required_capabilities=1):
    horizon = draw(st.integers(*horizons))
    n_centres = draw(st.integers(1, max_centres))
    centres = [
        CentreCalendar(
            centre_id=i,
            country=draw(st.sampled_from(COUNTRIES)),
            test_domains=frozenset(draw(st.sets(st.sampled_from(DOMAINS), min_size=centre_domains))),
            capabilities=frozenset(draw(st.sets(st.sampled_from(CAPABILITIES)))),
            capacity_per_week=draw(st.integers(1, 2)),
            blackout_weeks=frozenset(draw(st.sets(st.integers(0, horizon - 1), max_size=3))),
        )
        for i in range(1, n_centres + 1)
    ]
    n_trials = draw(st.integers(min_trials, max_trials))
    requests = [
        TrialRequest(
            trial_id=i,
            test_domain=draw(st.sampled_from(request_domains)),
            required_capabilities=frozenset(draw(st.sets(st.sampled_from(CAPABILITIES), max_size=required_capabilities))),
            duration_weeks=draw(st.integers(1, 4)),
            ready_week=draw(st.integers(-1, horizon)),
            deadline_week=draw(st.integers(-2, horizon + 3)),
            weight=draw(st.integers(1, 3)),
            preferred_countries=frozenset(draw(st.sets(st.sampled_from(COUNTRIES), max_size=2))),
        )
        for i in range(1, n_trials + 1)
    ]
    return centres, requests, horizon


def capable(centre, request):
    return request.test_domain in centre.test_domains and request.required_capabilities <= centre.capabilities


def fits(centre, request, start, horizon):
    """The trial alone fits at ``centre`` from ``start``: ready, inside the horizon, no blackout week."""
    end = start + request.duration_weeks
    return (start >= max(0, request.ready_week) and end <= horizon
            and not any(w in centre.blackout_weeks for w in range(start, end)))


def slots(centre, request, horizon):
    return [s for s in range(horizon) if fits(centre, request, s, horizon)]


def expected_never_reason(centres, request, horizon):
    """'no capable centre', 'window', or None when some capable centre has a slot (checked independently)."""
    able = [c for c in centres if capable(c, request)]
    if not able:
        return "no capable centre"
    if not any(slots(c, request, horizon) for c in able):
        return "window"
    return None


def assert_feasible(centres, requests, schedule, horizon):
    by_centre = {c.centre_id: c for c in centres}
    by_trial = {r.trial_id: r for r in requests}
    # placements + unplaced = all requests, each once
    ids = [p.trial_id for p in schedule.placements] + [u.trial_id for u in schedule.unplaced]
    assert sorted(ids) == sorted(by_trial)
    load = {}
    for p in schedule.placements:
        request, centre = by_trial[p.trial_id], by_centre[p.centre_id]
        assert capable(centre, request)  # domain and capabilities
        assert p.end_week - p.start_week == request.duration_weeks
        assert p.start_week >= max(0, request.ready_week)  # not before the ready date
        assert 0 <= p.start_week and p.end_week <= horizon
        assert not any(w in centre.blackout_weeks for w in range(p.start_week, p.end_week))  # no blackout week
        assert p.lateness_weeks == max(0, p.end_week - request.deadline_week)
        assert p.in_preferred_country == (centre.country in request.preferred_countries)
        for w in range(p.start_week, p.end_week):
            load[(p.centre_id, w)] = load.get((p.centre_id, w), 0) + 1
    for (centre_id, _w), count in load.items():
        assert count <= by_centre[centre_id].capacity_per_week  # no centre over capacity in any week
    # reasons: "no capable centre" and "window" exactly as computed here; "capacity" only for trials that would fit
    # alone and find no free slot in the final schedule (an optimal or greedy schedule leaves none unused)
    for u in schedule.unplaced:
        request = by_trial[u.trial_id]
        never = expected_never_reason(centres, request, horizon)
        if never is not None:
            assert u.reason == never
        else:
            assert u.reason == "capacity"
            for centre in centres:
                if capable(centre, request):
                    for start in slots(centre, request, horizon):
                        weeks = range(start, start + request.duration_weeks)
                        assert any(load.get((centre.centre_id, w), 0) >= centre.capacity_per_week for w in weeks)
    for p in schedule.placements:
        assert expected_never_reason(centres, by_trial[p.trial_id], horizon) is None
    assert schedule.weighted_lateness == sum(by_trial[p.trial_id].weight * p.lateness_weeks for p in schedule.placements)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_cp_sat_and_greedy_schedules_are_feasible(instance):
    centres, requests, horizon = instance
    best = schedule_trials(centres, requests, horizon_weeks=horizon, workers=1, time_limit_seconds=10)
    assert best.status == "optimal"
    target(float(len(best.unplaced)), label="unplaced")
    assert_feasible(centres, requests, best, horizon)
    assert check_schedule(centres, requests, best, horizon_weeks=horizon) == []
    greedy = schedule_greedy(centres, requests, horizon_weeks=horizon)
    assert_feasible(centres, requests, greedy, horizon)
    assert check_schedule(centres, requests, greedy, horizon_weeks=horizon) == []
    assert best.objective <= greedy.objective


def brute_force_optimum(centres, requests, horizon):
    """The least objective over every assignment (each trial unplaced or at a capable centre and start), by the
    documented formula: (Σ weight × lateness + Σ penalty of unplaced placeable trials) × (N + 1) + misses."""
    scale = len(requests) + 1
    choices = []
    for request in requests:
        options = [None]
        for centre in centres:
            if capable(centre, request):
                options += [(centre, s) for s in slots(centre, request, horizon)]
        choices.append(options)
    best = None
    for assignment in itertools.product(*choices):
        load, primary, misses, ok = {}, 0, 0, True
        for request, option in zip(requests, assignment):
            if option is None:
                if len(choices[requests.index(request)]) > 1:  # it could be placed: the capacity penalty applies
                    primary += request.weight * (horizon + 1 + max(0, -request.deadline_week))
                continue
            centre, start = option
            end = start + request.duration_weeks
            for w in range(start, end):
                load[(centre.centre_id, w)] = load.get((centre.centre_id, w), 0) + 1
                ok = ok and load[(centre.centre_id, w)] <= centre.capacity_per_week
            primary += request.weight * max(0, end - request.deadline_week)
            misses += bool(request.preferred_countries) and centre.country not in request.preferred_countries
        if ok:
            value = primary * scale + misses
            best = value if best is None else min(best, value)
    return best


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_centres=2, min_trials=3, max_trials=5, horizons=(6, 6), request_domains=DOMAINS, centre_domains=2,
                 required_capabilities=0))
@example((  # one centre, four two-week trials, room for three: who waits and who is left out is the question
    [CentreCalendar(1, "NOR", frozenset(DOMAINS), frozenset(), 1, frozenset())],
    [TrialRequest(i, "air", frozenset(), 2, 0, deadline, weight, frozenset({"NOR"} if i % 2 else {"EST"}))
     for i, (deadline, weight) in enumerate([(2, 1), (2, 3), (4, 1), (6, 2)], start=1)],
    6,
))
def test_cp_sat_optimum_equals_brute_force(instance):
    centres, requests, horizon = instance
    best = schedule_trials(centres, requests, horizon_weeks=horizon, workers=1, time_limit_seconds=10)
    assert best.status == "optimal"
    target(float(best.objective))  # steer towards instances where capacity and deadlines bite
    assert best.objective == best.bound == brute_force_optimum(centres, requests, horizon)
    assert best.gap == 0.0
