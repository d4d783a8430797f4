"""Scheduling requested trials across the test-centre network with the CP-SAT scheduler, and the plan as shown.

:func:`schedule_requested` turns the actor's requested trials and the centres the actor may see into the scheduler's
inputs (:mod:`rapid_adoption.tevv.scheduler`), solves, and schedules every trial placed, in one transaction (each
trial's change audited). The inputs:

* **Weeks.** Week 0 is the first ISO week (Monday to Sunday, UTC) that starts on or after today
  (:func:`rapid_adoption.tevv.weeks.planning_origin`), so nothing is planned in a week already begun; the horizon
  is 52 weeks by default.
* **Centres.** Every centre the actor may see, with its calendar (:mod:`rapid_adoption.services.tevv_calendars`):
  its test domains, capabilities, capacity and blackout weeks. Trials already scheduled or running there (any
  organisation's) take capacity: a week they fill is closed, and in the other weeks the capacity is lowered by the
  most trials any of them holds. That is conservative (never over capacity), as the scheduler takes one capacity
  per centre.
* **Ready week.** The week of the trial's ready date (the solution's); a date before week 0 means ready now.
* **Deadline.** The case's TEVV deadline on the 24-month clock (month 15 after opening, 9 x 15 / 24 for COTS):
  the trial should end before the week holding it (``(deadline - week 0's Monday) // 7`` whole weeks; negative for
  an overdue case). A trial outside a case has no deadline within the horizon.
* **Weight.** The need's priority: low 1, medium 2, high 3, critical 4 (1 without a case).
* **Preferred countries.** The solution's company's country and the case owner's nation (the actor's nation without
  a case).

CP-SAT's schedule is the one applied; the greedy earliest-deadline-first schedule is computed on the same inputs
for comparison only. If CP-SAT finds no solution within the time limit, nothing is scheduled.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.clock import stage_deadline
from ..domain.errors import PermissionDenied, ValidationError
from ..domain.sharing import Actor
from ..domain.tevv import TrialStatus
from ..domain.types import Stage
from ..store.sharing import restrict
from ..store.tables import AdoptionCase, CapabilityNeed, Company, Organisation, Solution, TestCentre
from ..store.tables_tevv import Trial
from ..tevv import scheduler
from ..tevv.weeks import planning_origin, week_index, week_label, week_monday, week_start, window
from . import audit
from .records import plain, resolve, row_dict
from .tevv_calendars import effective, load, occupancy
from .tevv_trials import SCHEDULE_ROLES
from .workspace import Workspace

PRIORITY_WEIGHTS = {"low": 1, "medium": 2, "high": 3, "critical": 4}
"""Lateness weight of a trial by its case's need priority."""
DEFAULT_HORIZON_WEEKS = 52
DEFAULT_TIME_LIMIT_SECONDS = 10.0


def centre_calendars(session: Session, actor: Actor, origin: date, horizon_weeks: int
                     ) -> tuple[list[scheduler.CentreCalendar], dict[int, TestCentre]]:
    """The scheduler's view of every centre the actor may see, with the capacity already taken removed.

    Returns:
        ``(calendars, centres by id)``.
    """
    rows = load(session, actor)
    last = week_monday(origin, horizon_weeks - 1)
    taken = occupancy(session, [c.id for c, _cal in rows], origin, last)
    calendars, centres = [], {}
    for centre, calendar in rows:
        cal = effective(centre, calendar)
        capacity = cal["capacity_per_week"]
        blackout = {week_index(origin, date.fromisoformat(d)) for d in cal["blackout_weeks"]}
        blackout = {w for w in blackout if 0 <= w < horizon_weeks}
        busiest = 0
        for w in range(horizon_weeks):
            used = taken[(centre.id, week_monday(origin, w))]
            if used >= capacity:
                blackout.add(w)
            elif w not in blackout:
                busiest = max(busiest, used)
        calendars.append(scheduler.CentreCalendar(
            centre_id=centre.id, country=centre.country, test_domains=frozenset(cal["test_domains"]),
            capabilities=frozenset(cal["capabilities"]), capacity_per_week=capacity - busiest,
            blackout_weeks=frozenset(blackout)))
        centres[centre.id] = centre
    return calendars, centres


def trial_request(session: Session, actor: Actor, trial: Trial, origin: date, horizon_weeks: int, budgets
                  ) -> scheduler.TrialRequest:
    """The scheduler's request for one trial (rules in the module docstring)."""
    company_country = session.scalar(restrict(select(Company.country).join(Solution, Solution.company_id == Company.id)
                                              .where(Solution.id == trial.solution_id), actor))
    preferred = {company_country} if company_country else set()
    deadline_week, weight = horizon_weeks, 1
    if trial.case_id is not None:
        case = session.scalar(restrict(select(AdoptionCase).where(AdoptionCase.id == trial.case_id), actor))
        deadline = stage_deadline(case.opened_at, Stage.TEVV, cots=case.cots, budgets=budgets)
        deadline_week = (deadline.date() - origin).days // 7
        priority = session.scalar(restrict(select(CapabilityNeed.priority).where(
            CapabilityNeed.id == case.need_id), actor))
        weight = PRIORITY_WEIGHTS.get(priority or "medium", 2)
        nation = session.scalar(select(Organisation.nation_iso3).where(Organisation.id == case.owner_org_id))
    else:
        nation = actor.nation
    if nation:
        preferred.add(nation)
    return scheduler.TrialRequest(
        trial_id=trial.id, test_domain=trial.test_domain, required_capabilities=frozenset(trial.required_capabilities),
        duration_weeks=trial.duration_weeks, ready_week=week_index(origin, trial.ready_on),
        deadline_week=deadline_week, weight=weight, preferred_countries=frozenset(preferred))


def _requested(session: Session, actor: Actor, trials: Sequence[str | int] | None) -> list[Trial]:
    if trials:
        rows = [resolve(session, Trial, t, actor, "change") for t in trials]
        for row in rows:
            if row.status != TrialStatus.REQUESTED.value:
                raise ValidationError(f"trial {row.id} is {row.status}: the scheduler places requested trials only",
                                      field="trials")
        return sorted({r.id: r for r in rows}.values(), key=lambda r: r.id)
    return list(session.scalars(restrict(select(Trial).where(Trial.status == TrialStatus.REQUESTED.value)
                                         .order_by(Trial.id), actor, "change")))


def schedule_requested(workspace: Workspace, actor: Actor, *, trials: Sequence[str | int] | None = None,
                       horizon_weeks: int = DEFAULT_HORIZON_WEEKS,
                       time_limit_seconds: float = DEFAULT_TIME_LIMIT_SECONDS, workers: int = 2, seed: int = 0,
                       dry_run: bool = False) -> dict[str, Any]:
    """Schedule the actor's organisation's requested trials (or the given ones) with CP-SAT.

    Args:
        trials: ids or refs of requested trials of the actor's organisation; default all of them.
        horizon_weeks: weeks in the plan (1-104), week 0 being this week.
        time_limit_seconds: CP-SAT's time limit (above 0, at most 600).
        workers: CP-SAT's worker threads (1-16); with 1, the result is repeatable for a seed.
        seed: CP-SAT's random seed.
        dry_run: solve and report, but schedule nothing.

    Returns:
        The plan (JSON-ready): ``method``, ``status``, ``objective``, ``bound``, ``gap``, ``solve_seconds``,
        ``weighted_lateness``, ``preference_misses``, ``greedy`` (the same figures of the greedy baseline),
        ``origin`` (week 0's Monday), ``horizon_weeks``, ``requested`` (trials considered), ``placements`` (one per
        trial placed: ``trial_id``, ``case_id``, ``solution_ref``, ``centre_id``, ``centre_name``, ``country``,
        ``window_starts_on``, ``window_ends_on``, ``weeks``, ``lateness_weeks``, ``in_preferred_country``) and
        ``unplaced`` (``trial_id``, ``reason``: "no capable centre", "capacity" or "window", ``detail``), and
        ``applied`` (False for a dry run).

    Raises:
        PermissionDenied: the actor lacks the role (admin, analyst, board or test_centre).
        NotFound: a given trial is not visible; PermissionDenied: another organisation's.
        ValidationError: a given trial is not requested; a bad horizon, time limit or worker count; or CP-SAT found
            no schedule within the time limit (field ``time_limit_seconds``).
    """
    if not actor.has_role(*SCHEDULE_ROLES):
        raise PermissionDenied(f"scheduling trials needs the role {' or '.join(SCHEDULE_ROLES)}")
    if isinstance(horizon_weeks, bool) or not isinstance(horizon_weeks, int) or not 1 <= horizon_weeks <= 104:
        raise ValidationError(f"must be 1-104 weeks, got {horizon_weeks!r}", field="horizon_weeks")
    if not 0 < time_limit_seconds <= 600:
        raise ValidationError(f"must be above 0 and at most 600 seconds, got {time_limit_seconds!r}",
                              field="time_limit_seconds")
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= 16:
        raise ValidationError(f"must be 1-16, got {workers!r}", field="workers")
    now = workspace.now()
    origin = planning_origin(now)
    with workspace.uow.transaction() as session:
        rows = _requested(session, actor, trials)
        calendars, centres = centre_calendars(session, actor, origin, horizon_weeks)
        requests = [trial_request(session, actor, row, origin, horizon_weeks, workspace.settings.budgets)
                    for row in rows]
        plan = {"origin": origin.isoformat(), "horizon_weeks": horizon_weeks, "requested": len(rows),
                "applied": not dry_run}
        if not requests:
            return {**plan, "method": "cp-sat", "status": "optimal", "objective": 0, "bound": 0, "gap": 0.0,
                    "solve_seconds": 0.0, "weighted_lateness": 0, "preference_misses": 0, "placements": [],
                    "unplaced": [], "greedy": {"objective": 0, "weighted_lateness": 0, "preference_misses": 0}}
        greedy = scheduler.schedule_greedy(calendars, requests, horizon_weeks=horizon_weeks)
        result = scheduler.schedule_trials(calendars, requests, horizon_weeks=horizon_weeks,
                                           time_limit_seconds=time_limit_seconds, workers=workers, seed=seed)
        if result.status not in ("optimal", "feasible"):
            raise ValidationError(f"CP-SAT found no schedule within {time_limit_seconds:g} s (status {result.status}): "
                                  "give it more time", field="time_limit_seconds")
        by_id = {r.id: r for r in rows}
        placements = []
        for p in result.placements:
            row = by_id[p.trial_id]
            starts_on, ends_on = window(origin, p.start_week, p.end_week - p.start_week)
            centre = centres[p.centre_id]
            placements.append({"trial_id": row.id, "case_id": row.case_id,
                               "solution_ref": session.scalar(restrict(select(Solution.ref).where(
                                   Solution.id == row.solution_id), actor)),
                               "centre_id": centre.id, "centre_name": centre.name, "country": centre.country,
                               "window_starts_on": starts_on, "window_ends_on": ends_on,
                               "weeks": f"{week_label(starts_on)} to {week_label(ends_on)}",
                               "lateness_weeks": p.lateness_weeks, "in_preferred_country": p.in_preferred_country})
            if dry_run:
                continue
            before = row_dict(row)
            row.status, row.centre_id = TrialStatus.SCHEDULED.value, centre.id
            row.window_starts_on, row.window_ends_on = starts_on, ends_on
            row.scheduled_by, row.scheduled_at, row.updated_at = result.method, now, now
            session.flush()
            audit.record(session, actor, "schedule", "trials", row.id, now=now, before=before, after=row_dict(row))
        return plain({
            **plan, "method": result.method, "status": result.status,
            "objective": result.objective, "bound": result.bound,
            "gap": None if result.gap is None else round(result.gap, 6), "solve_seconds": round(result.solve_seconds, 3),
            "weighted_lateness": result.weighted_lateness, "preference_misses": result.preference_misses,
            "greedy": {"objective": greedy.objective, "weighted_lateness": greedy.weighted_lateness,
                       "preference_misses": greedy.preference_misses},
            "placements": placements,
            "unplaced": [{"trial_id": u.trial_id, "reason": u.reason, "detail": u.detail} for u in result.unplaced],
        })


def plan(workspace: Workspace, actor: Actor, *, weeks: int = 26, centre: str | int | None = None) -> dict[str, Any]:
    """The schedule as the actor may see it: scheduled and running trials whose window meets the next ``weeks``
    weeks (from this week), grouped by centre, for a table or a Gantt chart.

    Returns:
        ``{"origin", "weeks", "centres": [{"centre_id", "centre_name", "country", "capacity_per_week", "load":
        [trials in each week, every organisation's], "trials": [{"trial_id", "case_id", "solution_ref", "status",
        "window_starts_on", "window_ends_on", "start_week", "end_week" (exclusive, week indexes from origin),
        "demonstration"}]}]}``, centres by name.

    Raises:
        ValidationError: ``weeks`` outside 1-104.
        NotFound: ``centre`` is not visible.
    """
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= 104:
        raise ValidationError(f"must be 1-104, got {weeks!r}", field="weeks")
    origin = week_start(workspace.now())
    last = week_monday(origin, weeks - 1)
    query = (select(Trial, Solution.ref).join(Solution, Solution.id == Trial.solution_id)
             .where(Trial.status.in_([TrialStatus.SCHEDULED.value, TrialStatus.RUNNING.value]),
                    Trial.window_starts_on <= last,
                    Trial.window_ends_on >= origin).order_by(Trial.window_starts_on, Trial.id))
    with workspace.uow.read() as session:
        if centre is not None:
            query = query.where(Trial.centre_id == resolve(session, TestCentre, centre, actor).id)
        found = session.execute(restrict(query, actor)).all()
        ids = sorted({t.centre_id for t, _ref in found})
        calendars = {c.id: (c, cal) for c, cal in load(session, actor, ids)}
        taken = occupancy(session, ids, origin, last)
        groups: dict[int, dict[str, Any]] = {}
        for trial, solution_ref in found:
            centre_row, cal = calendars[trial.centre_id]
            group = groups.setdefault(trial.centre_id, {
                "centre_id": centre_row.id, "centre_name": centre_row.name, "country": centre_row.country,
                "capacity_per_week": effective(centre_row, cal)["capacity_per_week"],
                "load": [taken[(centre_row.id, week_monday(origin, w))] for w in range(weeks)], "trials": []})
            group["trials"].append({
                "trial_id": trial.id, "case_id": trial.case_id, "solution_ref": solution_ref, "status": trial.status,
                "window_starts_on": trial.window_starts_on, "window_ends_on": trial.window_ends_on,
                "start_week": week_index(origin, trial.window_starts_on),
                "end_week": week_index(origin, trial.window_ends_on) + 1, "demonstration": trial.demonstration})
    return plain({"origin": origin, "weeks": weeks,
                  "centres": sorted(groups.values(), key=lambda g: (g["centre_name"], g["centre_id"]))})


__all__ = ["DEFAULT_HORIZON_WEEKS", "DEFAULT_TIME_LIMIT_SECONDS", "PRIORITY_WEIGHTS", "centre_calendars", "plan",
           "schedule_requested", "trial_request"]
