"""The trial scheduler: assign requested trials to test centres and weeks (OR-Tools CP-SAT), and a greedy baseline.

No database and no I/O: callers build :class:`CentreCalendar` and :class:`TrialRequest` values and get a
:class:`Schedule` back.

**Rules.** A trial occupies ``duration_weeks`` consecutive weeks at one centre, all inside
``[max(0, ready_week), horizon_weeks)``, none of them a blackout week of that centre. The centre must support the
trial's test domain and have every required capability. In any week a centre runs at most ``capacity_per_week``
trials.

**Unplaced trials and their reasons.** Before solving, each request is classified:

- ``"no capable centre"``: no centre supports its test domain with all its required capabilities;
- ``"window"``: capable centres exist, but at none of them does a run of ``duration_weeks`` weeks free of blackouts
  fit between the ready week and the horizon.

Both are left out of the model. A request that would fit but is left out because the capacity is taken by other
trials is ``"capacity"``.

**Objective** (one integer, minimised; the same formula scores the greedy schedule):

- primary = Σ over placements of ``weight × lateness_weeks`` + Σ over ``"capacity"`` unplaced trials of
  ``unplaced_penalty(request)`` (see :func:`unplaced_penalty`: ``weight × (horizon_weeks + 1 + max(0,
  -deadline_week))``, more than the trial's worst possible lateness: leaving a trial out always costs more than
  placing it late, so a trial is left out only when fitting it in would make others later by more);
  trials that cannot be placed by any schedule ("no capable centre", "window") add nothing, as no schedule can change
  them;
- secondary = ``preference_misses``: placements at a centre outside the request's ``preferred_countries`` (a request
  with no preferred countries never counts as a miss);
- ``objective = primary × (N + 1) + preference_misses``, with N the number of requests. Since misses never exceed N,
  this is the lexicographic order: weighted lateness first, then preference.

**Model.** Time-indexed: one Boolean (a fixed interval) per (trial, capable centre, feasible start week), which
handles blackouts and the ready week by leaving those starts out; "exactly one" per trial with its unplaced literal;
one linear capacity constraint per (centre, week) that could be over-subscribed. Lateness and preference are linear
in these Booleans, so the LP relaxation gives a strong bound. The greedy schedule is the solver's hint. Small
instances are solved whole; large ones (hundreds of thousands of Booleans) go through an LP relaxation solved by
column generation, which gives the proven bound and ranks the columns for restricted CP-SAT models (see
:func:`schedule_trials`). A cumulative model with one optional interval per (trial, centre) was tried first: on
2,000 requests its propagation took tens of seconds per search step and never improved the hint in 300 s.

Finally every placed trial is moved to its earliest free start at its centre (never worse for the objective), so
equally good schedules come out as early as possible and in one form.

Source: OR-Tools CP-SAT (https://developers.google.com/optimization/cp/cp_solver); earliest due date (Jackson's rule)
for the baseline.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..domain.errors import ValidationError

REASON_NO_CAPABLE_CENTRE = "no capable centre"
REASON_CAPACITY = "capacity"
REASON_WINDOW = "window"
REASONS: tuple[str, ...] = (REASON_NO_CAPABLE_CENTRE, REASON_CAPACITY, REASON_WINDOW)
"""The reasons an unplaced trial may carry."""


@dataclass(frozen=True)
class CentreCalendar:
    """A test centre as the scheduler sees it.

    Attributes:
        centre_id: unique id (the store's test-centre id).
        country: ISO 3166-1 alpha-3 code, e.g. "NOR".
        test_domains: normalised test domains it supports (see ``tevv/test_domains.py``).
        capabilities: free tags such as "rf-shielded-range"; may be empty.
        capacity_per_week: trials it can run concurrently in one week, >= 1.
        blackout_weeks: week indexes 0..horizon_weeks-1 when nothing may run there.
    """

    centre_id: int
    country: str
    test_domains: frozenset[str]
    capabilities: frozenset[str]
    capacity_per_week: int
    blackout_weeks: frozenset[int]


@dataclass(frozen=True)
class TrialRequest:
    """A trial to place.

    Attributes:
        trial_id: unique id.
        test_domain: the one normalised test domain the centre must support.
        required_capabilities: tags that must all be in the centre's capabilities.
        duration_weeks: consecutive weeks the trial takes, >= 1.
        ready_week: the earliest start week (the solution's ready date); below 0 means ready now.
        deadline_week: the week index the trial should end by (end exclusive), from the case's TEVV budget; may be
            beyond the horizon, or below 0 for an overdue case.
        weight: lateness weight, >= 1 (e.g. from the case's urgency).
        preferred_countries: ISO alpha-3 codes of the solution's and the requesting nation.
    """

    trial_id: int
    test_domain: str
    required_capabilities: frozenset[str]
    duration_weeks: int
    ready_week: int
    deadline_week: int
    weight: int
    preferred_countries: frozenset[str]


@dataclass(frozen=True)
class Placement:
    """Where and when a trial runs.

    Attributes:
        trial_id, centre_id: the trial and its centre.
        start_week, end_week: the weeks it runs, ``[start_week, end_week)``.
        lateness_weeks: ``max(0, end_week - deadline_week)``.
        in_preferred_country: the centre's country is one of the request's preferred countries.
    """

    trial_id: int
    centre_id: int
    start_week: int
    end_week: int
    lateness_weeks: int
    in_preferred_country: bool


@dataclass(frozen=True)
class Unplaced:
    """A trial the schedule leaves out.

    Attributes:
        trial_id: the trial.
        reason: one of "no capable centre", "capacity", "window".
        detail: a sentence saying why, e.g. "no centre supports test domain 'c-uas' with capabilities 'x'".
    """

    trial_id: int
    reason: str
    detail: str


@dataclass(frozen=True)
class Schedule:
    """A schedule and how good it is.

    Attributes:
        method: "cp-sat" or "greedy-edf".
        placements: sorted by (start_week, centre_id, trial_id).
        unplaced: sorted by trial_id.
        weighted_lateness: Σ weight × lateness_weeks over the placements.
        preference_misses: placements outside the request's preferred countries (requests with none never count).
        objective: ``(weighted_lateness + Σ unplaced_penalty of "capacity" trials) × (N + 1) + preference_misses``.
        bound: a proven lower bound on the optimal ``objective`` (CP-SAT's, the LP's or the capacity-free one;
            None for greedy).
        gap: ``(objective - bound) / max(1, objective)`` (None for greedy).
        status: "optimal" (the objective equals the proven bound) or "feasible" (cp-sat); "heuristic" (greedy).
        solve_seconds: wall-clock seconds spent, model building included.
    """

    method: str
    placements: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]
    weighted_lateness: int
    preference_misses: int
    objective: int
    bound: int | None
    gap: float | None
    status: str
    solve_seconds: float


@dataclass(frozen=True)
class _Option:
    """One centre a request may run at, with its feasible start weeks (ascending)."""

    centre: CentreCalendar
    starts: tuple[int, ...]


def unplaced_penalty(request: TrialRequest, horizon_weeks: int) -> int:
    """The primary-objective cost of leaving ``request`` out for lack of capacity.

    It is ``weight × (horizon_weeks + 1 + max(0, -deadline_week))``: more than ``weight × lateness_weeks`` for any
    placement inside the horizon (lateness is at most ``horizon_weeks - deadline_week``).

    Args:
        request: the trial request.
        horizon_weeks: the planning horizon in weeks.

    Returns:
        The penalty, a positive integer.
    """
    return request.weight * (horizon_weeks + 1 + max(0, -request.deadline_week))


def _check_inputs(centres: Sequence[CentreCalendar], requests: Sequence[TrialRequest], horizon_weeks: int) -> None:
    if isinstance(horizon_weeks, bool) or not isinstance(horizon_weeks, int) or horizon_weeks < 1:
        raise ValidationError(f"must be a whole number of weeks, 1 or more, got {horizon_weeks!r}", field="horizon_weeks")
    seen: set[int] = set()
    for centre in centres:
        if centre.centre_id in seen:
            raise ValidationError(f"centre {centre.centre_id} is given twice", field="centre_id")
        seen.add(centre.centre_id)
        if isinstance(centre.capacity_per_week, bool) or not isinstance(centre.capacity_per_week, int) \
                or centre.capacity_per_week < 1:
            raise ValidationError(f"centre {centre.centre_id}: must be 1 or more, got {centre.capacity_per_week!r}",
                                  field="capacity_per_week")
        bad = sorted(w for w in centre.blackout_weeks if not 0 <= w < horizon_weeks)
        if bad:
            raise ValidationError(f"centre {centre.centre_id}: week {bad[0]} is outside 0..{horizon_weeks - 1}",
                                  field="blackout_weeks")
    seen = set()
    for request in requests:
        if request.trial_id in seen:
            raise ValidationError(f"trial {request.trial_id} is requested twice", field="trial_id")
        seen.add(request.trial_id)
        if isinstance(request.duration_weeks, bool) or not isinstance(request.duration_weeks, int) \
                or request.duration_weeks < 1:
            raise ValidationError(f"trial {request.trial_id}: must be 1 or more weeks, got {request.duration_weeks!r}",
                                  field="duration_weeks")
        if isinstance(request.weight, bool) or not isinstance(request.weight, int) or request.weight < 1:
            raise ValidationError(f"trial {request.trial_id}: must be 1 or more, got {request.weight!r}", field="weight")
        if not request.test_domain:
            raise ValidationError(f"trial {request.trial_id}: a test domain is required", field="test_domain")


def feasible_starts(centre: CentreCalendar, request: TrialRequest, horizon_weeks: int) -> tuple[int, ...]:
    """The start weeks at which ``request`` fits at ``centre`` (ignoring other trials), ascending.

    A start ``s`` fits when ``max(0, ready_week) <= s``, ``s + duration_weeks <= horizon_weeks`` and none of the weeks
    ``s .. s + duration_weeks - 1`` is a blackout week of the centre. Domains and capabilities are not checked here.

    Args:
        centre: the centre's calendar.
        request: the trial request.
        horizon_weeks: the planning horizon in weeks.

    Returns:
        The feasible start weeks; empty when none fits.
    """
    duration = request.duration_weeks
    starts = []
    free_run = 0  # consecutive non-blackout weeks ending at week w
    for week in range(horizon_weeks):
        free_run = 0 if week in centre.blackout_weeks else free_run + 1
        start = week - duration + 1
        if free_run >= duration and start >= max(0, request.ready_week):
            starts.append(start)
    return tuple(starts)


def _capable(centre: CentreCalendar, request: TrialRequest) -> bool:
    return request.test_domain in centre.test_domains and request.required_capabilities <= centre.capabilities


def _analyse(centres: Sequence[CentreCalendar], requests: Sequence[TrialRequest], horizon_weeks: int
             ) -> tuple[dict[int, list[_Option]], dict[int, Unplaced]]:
    """Each request's options, or why it can never be placed ("no capable centre", "window")."""
    options: dict[int, list[_Option]] = {}
    never: dict[int, Unplaced] = {}
    ordered = sorted(centres, key=lambda c: c.centre_id)
    for request in requests:
        capable = [c for c in ordered if _capable(c, request)]
        if not capable:
            caps = ", ".join(repr(x) for x in sorted(request.required_capabilities))
            detail = f"no centre supports test domain {request.test_domain!r}" + (f" with capabilities {caps}" if caps else "")
            never[request.trial_id] = Unplaced(request.trial_id, REASON_NO_CAPABLE_CENTRE, detail)
            continue
        found = []
        for centre in capable:
            starts = feasible_starts(centre, request, horizon_weeks)
            if starts:
                found.append(_Option(centre, starts))
        if not found:
            ready = max(0, request.ready_week)
            detail = (f"{len(capable)} capable centre(s), but none has {request.duration_weeks} consecutive week(s) free "
                      f"of blackouts between week {ready} and the horizon (week {horizon_weeks})")
            never[request.trial_id] = Unplaced(request.trial_id, REASON_WINDOW, detail)
            continue
        options[request.trial_id] = found
    return options, never


def _capacity_detail(request: TrialRequest, opts: list[_Option]) -> str:
    return (f"{len(opts)} capable centre(s) could fit it, but their capacity in the weeks it could run "
            f"(from week {min(o.starts[0] for o in opts)}) is taken by other trials")


def _is_miss(request: TrialRequest, centre: CentreCalendar) -> bool:
    return bool(request.preferred_countries) and centre.country not in request.preferred_countries


def _assemble(method: str, requests: Sequence[TrialRequest], chosen: dict[int, tuple[CentreCalendar, int]],
              unplaced: dict[int, Unplaced], horizon_weeks: int, *, bound: int | None, status: str,
              started: float) -> Schedule:
    """Build the Schedule, with its figures, from chosen (centre, start) per trial and the unplaced trials."""
    placements = []
    lateness = misses = penalty = 0
    for request in requests:
        if request.trial_id in chosen:
            centre, start = chosen[request.trial_id]
            end = start + request.duration_weeks
            late = max(0, end - request.deadline_week)
            placements.append(Placement(request.trial_id, centre.centre_id, start, end, late,
                                        centre.country in request.preferred_countries))
            lateness += request.weight * late
            misses += _is_miss(request, centre)
        elif unplaced[request.trial_id].reason == REASON_CAPACITY:
            penalty += unplaced_penalty(request, horizon_weeks)
    objective = (lateness + penalty) * (len(requests) + 1) + misses
    gap = None if bound is None else (objective - bound) / max(1, objective)
    return Schedule(
        method=method,
        placements=tuple(sorted(placements, key=lambda p: (p.start_week, p.centre_id, p.trial_id))),
        unplaced=tuple(sorted(unplaced.values(), key=lambda u: u.trial_id)),
        weighted_lateness=lateness,
        preference_misses=misses,
        objective=objective,
        bound=bound,
        gap=gap,
        status=status,
        solve_seconds=time.perf_counter() - started,
    )


def _left_shift(chosen: dict[int, tuple[CentreCalendar, int]], options: dict[int, list[_Option]],
                by_id: dict[int, TrialRequest], horizon_weeks: int) -> dict[int, tuple[CentreCalendar, int]]:
    """Move each placed trial to the earliest feasible start at its centre that the other trials leave free, until
    none moves. Lateness never grows (it only depends on the end week) and the centres do not change, so the
    objective never gets worse; equally good schedules come out in one canonical, as-early-as-possible form."""
    load = {}
    for trial_id, (centre, start) in chosen.items():
        row = load.setdefault(centre.centre_id, [0] * horizon_weeks)
        for week in range(start, start + by_id[trial_id].duration_weeks):
            row[week] += 1
    result = dict(chosen)
    moved = True
    while moved:
        moved = False
        for trial_id in sorted(result, key=lambda t: (result[t][1], result[t][0].centre_id, t)):
            centre, start = result[trial_id]
            duration, row = by_id[trial_id].duration_weeks, load[centre.centre_id]
            starts = next(o.starts for o in options[trial_id] if o.centre.centre_id == centre.centre_id)
            for earlier in starts:
                if earlier >= start:
                    break
                weeks = range(earlier, earlier + duration)
                if all(row[w] + (0 if start <= w < start + duration else 1) <= centre.capacity_per_week for w in weeks):
                    for week in range(start, start + duration):
                        row[week] -= 1
                    for week in weeks:
                        row[week] += 1
                    result[trial_id] = (centre, earlier)
                    moved = True
                    break
    return result


def _greedy_choice(centres: Sequence[CentreCalendar], requests: Sequence[TrialRequest], horizon_weeks: int,
                   options: dict[int, list[_Option]]) -> tuple[dict[int, tuple[CentreCalendar, int]], list[int]]:
    """Earliest deadline first: (chosen placements, trial ids left out for capacity)."""
    load = {c.centre_id: [0] * horizon_weeks for c in centres}
    chosen: dict[int, tuple[CentreCalendar, int]] = {}
    left_out: list[int] = []
    order = sorted((r for r in requests if r.trial_id in options),
                   key=lambda r: (r.deadline_week, -r.weight, max(0, r.ready_week), r.trial_id))
    for request in order:
        best: tuple[tuple[int, int, int, int], CentreCalendar, int] | None = None
        for option in options[request.trial_id]:
            used, cap = load[option.centre.centre_id], option.centre.capacity_per_week
            for start in option.starts:
                if all(used[w] < cap for w in range(start, start + request.duration_weeks)):
                    late = max(0, start + request.duration_weeks - request.deadline_week)
                    key = (late, _is_miss(request, option.centre), start, option.centre.centre_id)
                    if best is None or key < best[0]:
                        best = (key, option.centre, start)
                    break  # later starts at this centre are no better on lateness
        if best is None:
            left_out.append(request.trial_id)
            continue
        _, centre, start = best
        for week in range(start, start + request.duration_weeks):
            load[centre.centre_id][week] += 1
        chosen[request.trial_id] = (centre, start)
    return chosen, left_out


def schedule_greedy(centres: Sequence[CentreCalendar], requests: Sequence[TrialRequest], *,
                    horizon_weeks: int = 52) -> Schedule:
    """The earliest-deadline-first baseline.

    Requests are taken by (deadline_week, heavier weight first, ready_week, trial_id). Each goes to the capable centre
    and earliest start that still has capacity in every week it runs, choosing the least lateness, then a preferred
    country, then the earlier start, then the lower centre id. A request with no free slot left is unplaced for
    "capacity". The schedule is scored with the same objective as :func:`schedule_trials` (module docstring).

    Args:
        centres: the centres' calendars (unique ``centre_id``).
        requests: the trial requests (unique ``trial_id``).
        horizon_weeks: weeks in the plan, week 0 first.

    Returns:
        A :class:`Schedule` with method "greedy-edf", status "heuristic", bound and gap None.

    Raises:
        ValidationError: a duplicate id, a capacity, duration or weight below 1, a blackout week outside the horizon,
            a request without a test domain, or a horizon below 1 (the field is named).
    """
    started = time.perf_counter()
    _check_inputs(centres, requests, horizon_weeks)
    options, unplaced = _analyse(centres, requests, horizon_weeks)
    chosen, left_out = _greedy_choice(centres, requests, horizon_weeks, options)
    by_id = {r.trial_id: r for r in requests}
    for trial_id in left_out:
        unplaced[trial_id] = Unplaced(trial_id, REASON_CAPACITY, _capacity_detail(by_id[trial_id], options[trial_id]))
    return _assemble("greedy-edf", requests, chosen, unplaced, horizon_weeks, bound=None, status="heuristic",
                     started=started)


@dataclass
class _Columns:
    """The time-indexed columns: one per (trial, capable centre, feasible start), in trial order."""

    trial_ids: list[int]
    trial: list[int]  # index into trial_ids
    centre: list[CentreCalendar]
    start: list[int]
    cost: list[int]


def _columns(requests: Sequence[TrialRequest], options: dict[int, list[_Option]], scale: int) -> _Columns:
    cols = _Columns(list(options), [], [], [], [])
    by_id = {r.trial_id: r for r in requests}
    for index, trial_id in enumerate(cols.trial_ids):
        request = by_id[trial_id]
        for option in options[trial_id]:
            miss = int(_is_miss(request, option.centre))
            for start in option.starts:
                late = max(0, start + request.duration_weeks - request.deadline_week)
                cols.trial.append(index)
                cols.centre.append(option.centre)
                cols.start.append(start)
                cols.cost.append(request.weight * late * scale + miss)
    return cols


def _subset(cols: _Columns, keep: Sequence[int]) -> _Columns:
    """The columns at the indexes ``keep`` (ascending), trials unchanged."""
    return _Columns(cols.trial_ids, [cols.trial[j] for j in keep], [cols.centre[j] for j in keep],
                    [cols.start[j] for j in keep], [cols.cost[j] for j in keep])


def _least_costs(cols: _Columns) -> list[int]:
    """Per trial (index into ``cols.trial_ids``), its least column cost: its cost with every other trial away."""
    least: list[int | None] = [None] * len(cols.trial_ids)
    for index, cost in zip(cols.trial, cols.cost):
        if least[index] is None or cost < least[index]:
            least[index] = cost
    return [c or 0 for c in least]


def _keep_columns(cols: _Columns, hint: dict[int, tuple[CentreCalendar, int]], upper: int, lower: float,
                  extra: Sequence[float]) -> list[int]:
    """Columns that can be in a schedule better than ``upper`` (the hint's objective), plus the hint's own.

    Column j of a trial can be dropped when ``lower + extra[j] > upper``: every schedule using it costs more than the
    hint. With ``lower`` the sum of least costs and ``extra[j]`` the column's cost above its trial's least cost, or
    ``lower`` the LP bound and ``extra[j]`` its reduced cost, this is reduced-cost fixing; it keeps every optimum.
    """
    keep = []
    slack = upper - lower + 1e-6 * max(1.0, abs(upper))
    hinted = {t: (c.centre_id, s) for t, (c, s) in hint.items()}
    for j, (index, centre, start) in enumerate(zip(cols.trial, cols.centre, cols.start)):
        if extra[j] <= slack or hinted.get(cols.trial_ids[index]) == (centre.centre_id, start):
            keep.append(j)
    return keep


@dataclass
class _LpResult:
    """The LP relaxation of the time-indexed model, solved by column generation.

    Attributes:
        bound: a proven lower bound on the integer optimum (the LP optimum once converged, else the Lagrangian
            bound of the last restricted LP).
        converged: no column has a negative reduced cost: ``bound`` is the LP optimum.
        values, reduced: per column of the given ``_Columns``, its LP value (0 when never generated) and its reduced
            cost under the duals that gave ``bound``.
        least: per trial, its least reduced cost (0 or below) under those duals; a schedule that uses column j of
            trial t costs at least ``bound - least[t] + reduced[j]``.
    """

    bound: float
    converged: bool
    values: list[float]
    reduced: list[float]
    least: list[float]


def _lp_relaxation(requests: Sequence[TrialRequest], cols: _Columns, horizon_weeks: int, scale: int,
                   time_limit: float, hint: dict[int, tuple[CentreCalendar, int]]) -> _LpResult | None:
    """The LP relaxation of the time-indexed model by column generation (GLOP, dual simplex).

    A restricted LP starts with each trial's ``LP_COLUMNS_PER_ROUND`` cheapest columns, the hint's column and its
    unplaced column; each round prices every column with the duals (numpy) and adds up to ``LP_COLUMNS_PER_ROUND`` of
    each trial's columns of negative reduced cost, until none is left or ``time_limit`` seconds pass. Any round's
    duals give a valid (Lagrangian) lower bound: since each trial takes exactly one column, every schedule costs at
    least the restricted LP's optimum plus, per trial, its least negative reduced cost; the best round is kept.
    Returns None when no restricted LP could be solved in time.
    """
    import numpy as np
    from ortools.linear_solver.python import model_builder_helper as mbh

    deadline = time.perf_counter() + time_limit
    by_id = {r.trial_id: r for r in requests}
    n_trials, n_cols = len(cols.trial_ids), len(cols.trial)
    centre_index: dict[int, int] = {}
    for centre in cols.centre:
        centre_index.setdefault(centre.centre_id, len(centre_index))
    capacity = np.zeros(len(centre_index))
    for centre in cols.centre:
        capacity[centre_index[centre.centre_id]] = centre.capacity_per_week
    trial = np.asarray(cols.trial, dtype=np.int64)
    cidx = np.asarray([centre_index[c.centre_id] for c in cols.centre], dtype=np.int64)
    start = np.asarray(cols.start, dtype=np.int64)
    duration = np.asarray([by_id[cols.trial_ids[i]].duration_weeks for i in cols.trial], dtype=np.int64)
    cost = np.asarray(cols.cost, dtype=np.float64)
    penalty = np.asarray([unplaced_penalty(by_id[t], horizon_weeks) * scale for t in cols.trial_ids], dtype=np.float64)

    active = np.zeros(n_cols, dtype=bool)
    order = np.lexsort((start, cost, trial))  # by trial, then cost, then start
    first = np.searchsorted(trial[order], np.arange(n_trials))
    rank = np.arange(n_cols) - np.repeat(first, np.diff(np.append(first, n_cols)))
    active[order[rank < LP_COLUMNS_PER_ROUND]] = True
    hinted = {t: (c.centre_id, s) for t, (c, s) in hint.items()}
    for j, (index, centre, begin) in enumerate(zip(cols.trial, cols.centre, cols.start)):
        if hinted.get(cols.trial_ids[index]) == (centre.centre_id, begin):
            active[j] = True

    result = None
    while time.perf_counter() < deadline:
        members = np.flatnonzero(active)
        helper = mbh.ModelBuilderHelper()
        total = len(members) + n_trials
        helper.add_var_array_with_bounds(np.zeros(total), np.full(total, np.inf), np.zeros(total, dtype=bool), "y")
        helper.set_objective_coefficients(list(range(total)), np.concatenate([cost[members], penalty]).tolist())
        for index in range(n_trials):
            row = helper.add_linear_constraint()
            helper.set_constraint_lower_bound(row, 1.0)
            helper.set_constraint_upper_bound(row, 1.0)
            helper.add_term_to_constraint(row, len(members) + index, 1.0)
        covering: dict[tuple[int, int], list[int]] = {}
        for k, j in enumerate(members.tolist()):
            helper.add_term_to_constraint(int(trial[j]), k, 1.0)
            for week in range(int(start[j]), int(start[j] + duration[j])):
                covering.setdefault((int(cidx[j]), week), []).append(k)
        rows = [(key, ks) for key, ks in covering.items() if len(ks) > capacity[key[0]]]
        for key, ks in rows:
            row = helper.add_linear_constraint()
            helper.set_constraint_upper_bound(row, float(capacity[key[0]]))
            for k in ks:
                helper.add_term_to_constraint(row, k, 1.0)
        solver = mbh.ModelSolverHelper("glop")
        solver.set_solver_specific_parameters("use_dual_simplex: true")
        solver.set_time_limit_in_seconds(max(0.1, deadline - time.perf_counter()))
        solver.solve(helper)
        if solver.status() != mbh.SolveStatus.OPTIMAL:
            break
        duals = np.asarray(solver.dual_values())
        pi = duals[:n_trials]
        mu = np.zeros((len(centre_index), horizon_weeks + 1))
        for r, (key, _ks) in enumerate(rows):
            mu[key] = min(0.0, duals[n_trials + r])
        prefix = np.concatenate([np.zeros((len(centre_index), 1)), np.cumsum(mu, axis=1)], axis=1)
        reduced = cost - pi[trial] - (prefix[cidx, start + duration] - prefix[cidx, start])
        values = np.zeros(n_cols)
        values[members] = np.asarray(solver.variable_values())[:len(members)]
        least = penalty - pi  # the unplaced column's reduced cost
        np.minimum.at(least, trial, reduced)
        negative = (reduced < -1e-4) & ~active
        converged = not negative.any()
        # Valid for any duals with mu <= 0: a schedule takes one column per trial and loads each week up to its
        # capacity, so it costs at least sum(pi) + sum(mu * capacity) + sum over trials of the least reduced cost.
        bound = float(pi.sum() + sum(mu[key] * capacity[key[0]] for key, _ks in rows) + least.sum())
        if result is None or bound > result.bound:
            result = _LpResult(bound, converged, values.tolist(), reduced.tolist(), least.tolist())
        if converged:
            break
        candidates = np.flatnonzero(negative)
        ranked = candidates[np.lexsort((reduced[candidates], trial[candidates]))]
        head = np.searchsorted(trial[ranked], np.unique(trial[ranked]))
        within = np.arange(len(ranked)) - np.repeat(head, np.diff(np.append(head, len(ranked))))
        active[ranked[within < LP_COLUMNS_PER_ROUND]] = True
    return result


def _restrict(cols: _Columns, hint: dict[int, tuple[CentreCalendar, int]], per_trial: int,
              lp: tuple[Sequence[float], Sequence[float]] | None) -> list[int]:
    """The columns of the restricted model: per trial the ``per_trial`` best (by LP reduced cost, else by cost and
    start), the LP solution's support and the hint's column. ``lp`` is (values, reduced costs) aligned with ``cols``."""
    keep: set[int] = set()
    by_trial: dict[int, list[int]] = {}
    for j, index in enumerate(cols.trial):
        by_trial.setdefault(index, []).append(j)
    for index, members in by_trial.items():
        if lp is not None:
            values, reduced = lp
            keep.update(j for j in members if values[j] > 1e-9)
            ranked = sorted(members, key=lambda j: (reduced[j], cols.start[j], cols.centre[j].centre_id))
        else:
            ranked = sorted(members, key=lambda j: (cols.cost[j], cols.start[j], cols.centre[j].centre_id))
        keep.update(ranked[:per_trial])
        hinted = hint.get(cols.trial_ids[index])
        if hinted is not None:
            keep.update(j for j in members
                        if cols.centre[j].centre_id == hinted[0].centre_id and cols.start[j] == hinted[1])
    return sorted(keep)


def _solve_columns(cols: _Columns, by_id: dict[int, TrialRequest], centres: Sequence[CentreCalendar],
                   hint: dict[int, tuple[CentreCalendar, int]], horizon_weeks: int, scale: int, time_limit: float,
                   workers: int, seed: int) -> tuple[dict[int, tuple[CentreCalendar, int]] | None, float, bool]:
    """CP-SAT on the time-indexed model over ``cols``: (chosen (centre, start) per placed trial or None when no
    solution came in time, CP-SAT's bound for this model, whether it proved this model's optimum)."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    terms: list[tuple[int, object]] = []
    literals: dict[int, list[object]] = {index: [] for index in range(len(cols.trial_ids))}
    covering: dict[tuple[int, int], list[object]] = {}
    ys: list[tuple[object, int]] = []
    for j, (index, centre, start, cost) in enumerate(zip(cols.trial, cols.centre, cols.start, cols.cost)):
        trial_id = cols.trial_ids[index]
        y = model.new_bool_var(f"y_{trial_id}_{centre.centre_id}_{start}")
        ys.append((y, j))
        literals[index].append(y)
        if cost:
            terms.append((cost, y))
        for week in range(start, start + by_id[trial_id].duration_weeks):
            covering.setdefault((centre.centre_id, week), []).append(y)
        hinted = hint.get(trial_id)
        model.add_hint(y, hinted is not None and hinted[0].centre_id == centre.centre_id and hinted[1] == start)
    for index, trial_id in enumerate(cols.trial_ids):
        u = model.new_bool_var(f"unplaced_{trial_id}")
        terms.append((unplaced_penalty(by_id[trial_id], horizon_weeks) * scale, u))
        model.add_exactly_one([*literals[index], u])
        model.add_hint(u, trial_id not in hint)
    capacity = {c.centre_id: c.capacity_per_week for c in centres}
    for (centre_id, _week), members in covering.items():
        if len(members) > capacity[centre_id]:
            model.add(sum(members) <= capacity[centre_id])
    model.minimize(sum(cost * var for cost, var in terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, float(time_limit))
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, float("-inf"), False
    chosen = {cols.trial_ids[cols.trial[j]]: (cols.centre[j], cols.start[j]) for y, j in ys if solver.boolean_value(y)}
    return chosen, solver.best_objective_bound, code == cp_model.OPTIMAL


FULL_MODEL_COLUMNS = 40_000
"""Up to this many (trial, centre, start) columns the whole time-indexed model goes to CP-SAT (exact)."""
RESTRICTED_COLUMNS_PER_TRIAL = 10
"""Columns per trial in the first restricted model of a larger instance (besides the LP support and the hint);
doubled each time CP-SAT proves a restricted model's optimum with time left."""
LP_COLUMNS_PER_ROUND = 10
"""Columns per trial that the LP's column generation starts with and adds per round at most."""
LP_TIME_SHARE = 0.5
"""Share of the time limit the LP relaxation of a larger instance may take."""


def schedule_trials(centres: Sequence[CentreCalendar], requests: Sequence[TrialRequest], *, horizon_weeks: int = 52,
                    time_limit_seconds: float = 30.0, workers: int = 2, seed: int = 0,
                    full_model_columns: int = FULL_MODEL_COLUMNS) -> Schedule:
    """The best schedule CP-SAT finds within the time limit, with a proven bound and the gap.

    The model is the time-indexed one of the module docstring: a Boolean per (trial, capable centre, feasible start).
    Columns that cannot be in a schedule better than the greedy one are dropped first (reduced-cost fixing against
    the capacity-free bound); this keeps every optimum.

    - Up to ``full_model_columns`` columns, CP-SAT solves the whole model, hinted with the greedy schedule; the bound
      is the larger of CP-SAT's and the capacity-free one.
    - Above that (about 200,000 columns for 500 requests on the real network), the LP relaxation of the same model is
      solved first by column generation (GLOP, at most ``LP_TIME_SHARE`` of the time limit); its (Lagrangian) bound
      is proven, and its reduced costs drop more columns. CP-SAT then solves restricted models: per trial the
      ``RESTRICTED_COLUMNS_PER_TRIAL`` columns of least reduced cost, every column the LP uses and the hint's column;
      when CP-SAT proves a restricted model's optimum with time left, the next model keeps twice as many columns per
      trial, hinted with the best schedule so far. Each solution is a valid schedule of the full problem; the
      reported bound is the proven one (CP-SAT's bound on a restricted model is not a bound on the full problem,
      except once the restricted model holds every remaining column).

    Args:
        centres: the centres' calendars (unique ``centre_id``).
        requests: the trial requests (unique ``trial_id``).
        horizon_weeks: weeks in the plan, week 0 first.
        time_limit_seconds: wall-clock limit in seconds, > 0, for the whole call: the greedy hint, the LP, building
            the models and the search (the last CP-SAT run may overrun it by a fraction of a second).
        workers: CP-SAT search workers (threads), >= 1. With ``workers=1`` and a given ``seed`` the result is
            repeatable when the search ends before the time limit.
        seed: CP-SAT's random seed.
        full_model_columns: the size up to which the whole model is solved (see above), >= 0.

    Returns:
        A :class:`Schedule` with method "cp-sat". Its status is "optimal" when the objective equals the proven bound,
        else "feasible" (the bound and gap say how far from optimal it may be). When CP-SAT reports no solution
        within the limit (it can spend a very short limit in presolve), the greedy hint is the best schedule known
        and is returned, scored the same way.

    Raises:
        ValidationError: as :func:`schedule_greedy`, or a time limit not above 0, fewer than 1 worker or a negative
            ``full_model_columns``.
    """
    started = time.perf_counter()
    _check_inputs(centres, requests, horizon_weeks)
    if not time_limit_seconds > 0:
        raise ValidationError(f"must be above 0, got {time_limit_seconds!r}", field="time_limit_seconds")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValidationError(f"must be 1 or more, got {workers!r}", field="workers")
    if not isinstance(full_model_columns, int) or full_model_columns < 0:
        raise ValidationError(f"must be 0 or more, got {full_model_columns!r}", field="full_model_columns")
    options, unplaced = _analyse(centres, requests, horizon_weeks)
    hint, _ = _greedy_choice(centres, requests, horizon_weeks, options)
    by_id = {r.trial_id: r for r in requests}
    scale = len(requests) + 1
    cols = _columns(requests, options, scale)
    least = _least_costs(cols)
    proven = sum(least)  # capacity-free bound: each trial at its cheapest column
    hinted = {t: (c.centre_id, s) for t, (c, s) in hint.items()}
    upper = sum(unplaced_penalty(by_id[t], horizon_weeks) * scale for t in options if t not in hint) + sum(
        cost for index, centre, start, cost in zip(cols.trial, cols.centre, cols.start, cols.cost)
        if hinted.get(cols.trial_ids[index]) == (centre.centre_id, start))
    cols = _subset(cols, _keep_columns(cols, hint, upper, proven, [c - least[i] for i, c in zip(cols.trial, cols.cost)]))
    search_until = started + time_limit_seconds
    ranking: tuple[list[float], list[float]] | None = None
    if len(cols.trial) > full_model_columns:
        lp = _lp_relaxation(requests, cols, horizon_weeks, scale, time_limit_seconds * LP_TIME_SHARE, hint)
        if lp is not None:
            proven = max(proven, math.ceil(lp.bound - 1e-6 * max(1.0, abs(lp.bound))))
            extra = [r - lp.least[i] for i, r in zip(cols.trial, lp.reduced)]
            keep = _keep_columns(cols, hint, upper, lp.bound, extra)  # reduced-cost fixing
            cols, ranking = _subset(cols, keep), ([lp.values[j] for j in keep], [lp.reduced[j] for j in keep])

    best, best_value, bound = hint, upper, proven
    per_trial = RESTRICTED_COLUMNS_PER_TRIAL
    while True:
        whole = len(cols.trial) <= full_model_columns
        model_cols = cols if whole else _subset(cols, _restrict(cols, best, per_trial, ranking))
        whole = whole or len(model_cols.trial) == len(cols.trial)
        chosen, cp_bound, proved = _solve_columns(model_cols, by_id, centres, best, horizon_weeks, scale,
                                                  search_until - time.perf_counter(), workers, seed)
        if chosen is not None:
            value = sum(unplaced_penalty(by_id[t], horizon_weeks) * scale for t in options if t not in chosen) + sum(
                by_id[t].weight * max(0, s + by_id[t].duration_weeks - by_id[t].deadline_week) * scale
                + _is_miss(by_id[t], c) for t, (c, s) in chosen.items())
            if value <= best_value:
                best, best_value = chosen, value
            if whole:
                bound = max(bound, math.ceil(cp_bound - 1e-6))
        if whole or not proved or best_value <= bound or search_until - time.perf_counter() < 1.0:
            break
        per_trial *= 2

    chosen = _left_shift(best, options, by_id, horizon_weeks)
    for trial_id in options:
        if trial_id not in chosen:
            unplaced[trial_id] = Unplaced(trial_id, REASON_CAPACITY, _capacity_detail(by_id[trial_id], options[trial_id]))
    schedule = _assemble("cp-sat", requests, chosen, unplaced, horizon_weeks, bound=bound, status="feasible",
                         started=started)
    if schedule.objective <= bound:
        schedule = replace(schedule, status="optimal")
    return schedule


def check_schedule(centres: Sequence[CentreCalendar], requests: Sequence[TrialRequest], schedule: Schedule, *,
                   horizon_weeks: int = 52) -> list[str]:
    """Every rule a schedule breaks, in words; empty for a valid schedule.

    Checks: each request is placed or unplaced exactly once and nothing else is listed; each placement is at a
    capable centre, inside ``[max(0, ready_week), horizon_weeks)``, ``duration_weeks`` long, in no blackout week,
    with the right lateness and preference flag; no centre is over capacity in any week; and the schedule's
    ``weighted_lateness`` and ``preference_misses`` add up.

    Args:
        centres, requests: the scheduler's inputs.
        schedule: a schedule of ``requests``.
        horizon_weeks: the horizon it was made for.

    Returns:
        The violations, e.g. ``["centre 3 runs 3 trials in week 7, capacity 2"]``.
    """
    problems: list[str] = []
    by_centre = {c.centre_id: c for c in centres}
    by_trial = {r.trial_id: r for r in requests}
    listed = [p.trial_id for p in schedule.placements] + [u.trial_id for u in schedule.unplaced]
    if sorted(listed) != sorted(by_trial):
        problems.append(f"placements and unplaced list trials {sorted(listed)}, requests are {sorted(by_trial)}")
    load: dict[tuple[int, int], int] = {}
    lateness = misses = 0
    for p in schedule.placements:
        request, centre = by_trial.get(p.trial_id), by_centre.get(p.centre_id)
        if request is None or centre is None:
            problems.append(f"trial {p.trial_id} at centre {p.centre_id}: unknown trial or centre")
            continue
        if not _capable(centre, request):
            problems.append(f"trial {p.trial_id}: centre {p.centre_id} lacks domain {request.test_domain!r} "
                            f"or capabilities {sorted(request.required_capabilities)}")
        if p.end_week - p.start_week != request.duration_weeks:
            problems.append(f"trial {p.trial_id}: runs {p.end_week - p.start_week} weeks, needs {request.duration_weeks}")
        if p.start_week < max(0, request.ready_week) or p.end_week > horizon_weeks:
            problems.append(f"trial {p.trial_id}: weeks {p.start_week}..{p.end_week - 1} outside "
                            f"{max(0, request.ready_week)}..{horizon_weeks - 1}")
        blocked = sorted(w for w in range(p.start_week, p.end_week) if w in centre.blackout_weeks)
        if blocked:
            problems.append(f"trial {p.trial_id}: runs in blackout week(s) {blocked} of centre {p.centre_id}")
        if p.lateness_weeks != max(0, p.end_week - request.deadline_week):
            problems.append(f"trial {p.trial_id}: lateness {p.lateness_weeks} is wrong")
        if p.in_preferred_country != (centre.country in request.preferred_countries):
            problems.append(f"trial {p.trial_id}: preferred-country flag is wrong")
        lateness += request.weight * p.lateness_weeks
        misses += _is_miss(request, centre)
        for week in range(p.start_week, p.end_week):
            load[(p.centre_id, week)] = load.get((p.centre_id, week), 0) + 1
    for (centre_id, week), count in sorted(load.items()):
        if count > by_centre[centre_id].capacity_per_week:
            problems.append(f"centre {centre_id} runs {count} trials in week {week}, "
                            f"capacity {by_centre[centre_id].capacity_per_week}")
    if lateness != schedule.weighted_lateness:
        problems.append(f"weighted lateness is {schedule.weighted_lateness}, placements add up to {lateness}")
    if misses != schedule.preference_misses:
        problems.append(f"preference misses are {schedule.preference_misses}, placements add up to {misses}")
    for u in schedule.unplaced:
        if u.reason not in REASONS:
            problems.append(f"trial {u.trial_id}: unknown reason {u.reason!r}")
    return problems


__all__ = [
    "CentreCalendar",
    "Placement",
    "REASONS",
    "REASON_CAPACITY",
    "REASON_NO_CAPABLE_CENTRE",
    "REASON_WINDOW",
    "Schedule",
    "TrialRequest",
    "Unplaced",
    "check_schedule",
    "feasible_starts",
    "schedule_greedy",
    "schedule_trials",
    "unplaced_penalty",
]
