"""Trials: request, schedule at a centre, start, record results per use case, complete, cancel; show and list; the
``tevv`` gate's coverage check and the board's overrides.

A trial is a solution x a test centre x a time window x a procedure version, optionally inside an adoption case. Its
status moves requested -> scheduled -> running -> completed, or to cancelled from any status that is not final
(:data:`rapid_adoption.domain.tevv.TRIAL_TRANSITIONS`). Results are recorded per use case; the outcome (pass or fail)
is computed from the procedure's thresholds, never typed in.

Who may do what:

* request: admin, analyst or board. A trial inside a case needs the case's owner organisation, and takes the case's
  marking; otherwise it is the actor's organisation's, shared with the community at TLP:GREEN.
* schedule by hand: the trial's owner organisation (admin, analyst, board or test_centre), or the chosen centre's
  owner organisation (admin or test_centre). The scheduler (:mod:`rapid_adoption.services.tevv_schedule`) places
  many at once.
* start, record results, complete: the trial's owner organisation or its centre's (admin, analyst or test_centre).
* cancel: the same organisations (admin, analyst, board or test_centre), with a reason.
* override a failed use case at the gate: the case's owner organisation (admin or board), with a rationale.

Every change is audited in the same transaction. Reads go through the sharing filter: a trial is visible only with its
solution, company, procedure, centre and case (:mod:`rapid_adoption.store.sharing_tevv`), and results follow it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any, Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.errors import Conflict, PermissionDenied, ValidationError
from ..domain.records import check_text
from ..domain.sharing import Actor
from ..domain.tevv import (Coverage, TrialStatus, UseCaseResult, check_gate, check_transition, coverage,
                           evaluate_use_case)
from ..domain.types import TLP, Distribution, Stage
from ..store.sharing import restrict
from ..store.tables import AdoptionCase, CapabilityNeed, Company, Organisation, Solution, TestCentre
from ..store.tables_tevv import CentreCalendarRecord, EvaluationProcedure, GateOverride, Trial, TrialResult
from ..tevv.test_domains import TEST_DOMAINS, need_test_domain
from ..tevv.weeks import parse_week, week_label, weeks_of, window
from . import audit
from .cases import check_evidence
from .records import LABELS, marking_of, plain, resolve, row_dict
from .tevv_calendars import effective, occupancy
from .tevv_procedures import label, procedure_of, resolve_procedure
from .workspace import Workspace

REQUEST_ROLES = ("admin", "analyst", "board")
SCHEDULE_ROLES = ("admin", "analyst", "board", "test_centre")
CENTRE_ROLES = ("admin", "test_centre")
RUN_ROLES = ("admin", "analyst", "test_centre")
CANCEL_ROLES = ("admin", "analyst", "board", "test_centre")
OVERRIDE_ROLES = ("admin", "board")
TRIAL_STAGES = (Stage.MARKET_RESEARCH.value, Stage.TEVV.value)
"""A case takes new trials in these stages (trials belong before the tevv gate)."""

LABELS.setdefault(Trial, "trial")


def _require(actor: Actor, roles: tuple[str, ...], what: str) -> None:
    if not actor.has_role(*roles):
        raise PermissionDenied(f"{what} needs the role {' or '.join(roles)}; {actor.username} has "
                               f"{', '.join(sorted(actor.roles)) or 'none'}")


def start_of(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


def _check_date(value: date | str | None, field: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(f"is not a date (expected YYYY-MM-DD), got {value!r}", field=field) from None


# --- views -------------------------------------------------------------------------------------------------------


def result_view(result: TrialResult, use_case_name: str | None = None) -> dict[str, Any]:
    """A result as shown (JSON-ready), with ``outcome`` ``pass`` or ``fail``."""
    data = row_dict(result)
    data["outcome"] = "pass" if result.passed else "fail"
    if use_case_name is not None:
        data["use_case_name"] = use_case_name
    return plain(data)


def trial_view(session: Session, row: Trial, actor: Actor) -> dict[str, Any]:
    """A trial as ``actor`` may see it (JSON-ready): its fields, owner, marking, solution, case, procedure, centre,
    window as ISO weeks, results (in the procedure's use-case order) and each use case's state (``pass``, ``fail`` or
    ``not recorded``)."""
    data = row_dict(row, exclude=("owner_org_id",))
    data["owner"] = session.get(Organisation, row.owner_org_id).ref
    data.update(marking_of(session, row))
    solution = session.execute(restrict(select(Solution.ref, Solution.name, Company.legal_name, Company.country)
                                        .join(Company, Company.id == Solution.company_id)
                                        .where(Solution.id == row.solution_id), actor)).one_or_none()
    data["solution"] = ({"id": row.solution_id, "ref": solution[0], "name": solution[1], "company": solution[2],
                         "country": solution[3]} if solution else None)
    case = session.execute(restrict(select(AdoptionCase.id, AdoptionCase.ref, AdoptionCase.stage)
                                    .where(AdoptionCase.id == row.case_id), actor)).one_or_none() if row.case_id else None
    data["case"] = {"id": case[0], "ref": case[1], "stage": case[2]} if case else None
    procedure_row = session.scalar(restrict(select(EvaluationProcedure).where(
        EvaluationProcedure.id == row.procedure_id), actor))
    procedure = procedure_of(procedure_row)
    data["procedure"] = {"id": procedure_row.id, "ref": procedure_row.ref,
                         "procedure_version": procedure_row.procedure_version, "name": procedure_row.name,
                         "example": procedure_row.example}
    centre = session.execute(restrict(select(TestCentre.id, TestCentre.ref, TestCentre.name, TestCentre.country,
                                             TestCentre.centre_type).where(TestCentre.id == row.centre_id),
                                      actor)).one_or_none() if row.centre_id else None
    data["centre"] = ({"id": centre[0], "ref": centre[1], "name": centre[2], "country": centre[3],
                       "centre_type": centre[4]} if centre else None)
    data["window"] = (f"{week_label(row.window_starts_on)} to {week_label(row.window_ends_on)}"
                      if row.window_starts_on else None)
    results = {r.use_case: r for r in session.scalars(restrict(
        select(TrialResult).where(TrialResult.trial_id == row.id), actor))}
    names = {u.key: u.name for u in procedure.use_cases}
    data["results"] = [result_view(results[k], names.get(k)) for k in row.use_cases if k in results]
    data["use_case_states"] = {k: ("not recorded" if k not in results else "pass" if results[k].passed else "fail")
                               for k in row.use_cases}
    return plain(data)


# --- request -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrialRequestInput:
    """What a trial request may say; None takes the default.

    Attributes:
        procedure: the procedure's id, ref (newest visible version) or ``REF@N``.
        case: the adoption case (id or ref) the trial belongs to; gives the solution.
        solution: the solution (id or ref); needed without a case, and must match the case's with one.
        use_cases: the procedure's use cases this trial covers (default all).
        test_domain: the test domain a centre must support (default: the procedure's, else the need's by
            :func:`rapid_adoption.tevv.test_domains.need_test_domain`, else ``general``).
        duration_weeks: 1-52 consecutive weeks (default the procedure's).
        ready_on: the solution's ready date: the trial starts no earlier (default today).
        capabilities: capability tags the centre must have (default the procedure's).
        ref: an optional unique reference.
        demonstration: marks a trial whose results only demonstrate the system (shown everywhere it appears).
        notes: free text.
    """

    procedure: str | int
    case: str | int | None = None
    solution: str | int | None = None
    use_cases: Sequence[str] | None = None
    test_domain: str | None = None
    duration_weeks: int | None = None
    ready_on: date | str | None = None
    capabilities: Sequence[str] | None = None
    ref: str | None = None
    demonstration: bool = False
    notes: str | None = None


def request_trial(workspace: Workspace, actor: Actor, values: TrialRequestInput, *,
                  session: Session | None = None) -> dict[str, Any]:
    """Request a trial (status ``requested``, no centre or window yet).

    Args:
        values: see :class:`TrialRequestInput`.
        session: write in this transaction instead of a new one.

    Returns:
        The trial's view (:func:`trial_view`).

    Raises:
        PermissionDenied: the actor is not admin, analyst or board; a case of another organisation.
        NotFound: the case, solution or procedure is not visible.
        ValidationError: a closed or later-stage case, a solution that is not the case's, an unknown use case or
            test domain, a duration outside 1-52, a bad date.
        Conflict: the ref is taken.
    """
    if session is None:
        with workspace.uow.transaction() as s:
            return request_trial(workspace, actor, values, session=s)
    _require(actor, REQUEST_ROLES, "requesting a trial")
    now = workspace.now()
    case = resolve(session, AdoptionCase, values.case, actor, "change") if values.case is not None else None
    if case is not None and case.stage not in TRIAL_STAGES:
        raise ValidationError(f"case {case.id} is at {case.stage}: trials are requested before its tevv gate "
                              "(in market_research or tevv)", field="case")
    if values.solution is None and case is None:
        raise ValidationError("give the case (--case) or the solution (--solution) to trial", field="solution")
    solution = resolve(session, Solution, values.solution, actor) if values.solution is not None else case.solution
    if case is not None and solution.id != case.solution_id:
        raise ValidationError(f"case {case.id} is about solution {case.solution.ref}, not {solution.ref}",
                              field="solution")
    procedure_row = resolve_procedure(session, actor, values.procedure)
    procedure = procedure_of(procedure_row)
    if values.use_cases:
        keys = list(dict.fromkeys(procedure.use_case(k).key for k in values.use_cases))
        keys = [k for k in procedure.use_case_keys if k in keys]
    else:
        keys = list(procedure.use_case_keys)
    test_domain = values.test_domain.strip().lower() if values.test_domain else procedure.test_domain
    if test_domain is None:
        need = case.need if case is not None else (session.scalar(restrict(select(CapabilityNeed).where(
            CapabilityNeed.id == solution.responds_to_need_id), actor)) if solution.responds_to_need_id else None)
        test_domain = need_test_domain(need.operational_domain, need.technology_areas,
                                       f"{need.title}\n{need.statement or ''}") if need is not None else "general"
    if test_domain not in TEST_DOMAINS:
        raise ValidationError(f"must be one of {', '.join(TEST_DOMAINS)}, got {values.test_domain!r}",
                              field="test_domain")
    duration = values.duration_weeks if values.duration_weeks is not None else procedure.duration_weeks
    if isinstance(duration, bool) or not isinstance(duration, int) or not 1 <= duration <= 52:
        raise ValidationError(f"must be a whole number of weeks 1-52, got {duration!r}", field="duration_weeks")
    ready_on = _check_date(values.ready_on, "ready_on") or now.date()
    capabilities = sorted({c.strip().lower() for c in (values.capabilities if values.capabilities is not None
                                                         else procedure.required_capabilities) if c.strip()})
    ref = check_text(values.ref, "ref", required=False, max_length=160)
    if ref is not None and session.scalar(select(func.count()).select_from(Trial).where(Trial.ref == ref)
                                          .execution_options(rapid_unrestricted="a unique-key check")):
        raise Conflict(f"the ref {ref!r} is taken by another trial: choose another")
    marking = ({"distribution": case.distribution, "tlp": case.tlp, "sharing_group_id": case.sharing_group_id,
                "releasable_to": case.releasable_to, "owner_org_id": case.owner_org_id} if case is not None else
               {"distribution": Distribution.COMMUNITY.value, "tlp": TLP.GREEN.value, "sharing_group_id": None,
                "releasable_to": "", "owner_org_id": actor.org_id})
    row = Trial(ref=ref, solution_id=solution.id, case_id=case.id if case else None, procedure_id=procedure_row.id,
                status=TrialStatus.REQUESTED.value, use_cases=keys, test_domain=test_domain,
                required_capabilities=capabilities, duration_weeks=duration, ready_on=ready_on, requested_at=now,
                requested_by=actor.username, demonstration=bool(values.demonstration),
                notes=check_text(values.notes, "notes", required=False, max_length=20_000),
                created_at=now, updated_at=now, **marking)
    session.add(row)
    session.flush()
    if row.tlp == TLP.RED.value:
        from ..store.tables import RedRecipient

        for user_id in session.scalars(select(RedRecipient.user_id).where(
                RedRecipient.record_table == "adoption_cases", RedRecipient.record_id == case.id)):
            session.add(RedRecipient(record_table="trials", record_id=row.id, user_id=user_id))
        session.flush()
    audit.record(session, actor, "create", "trials", row.id, now=now, after=row_dict(row))
    return trial_view(session, row, actor)


# --- loading and permissions -------------------------------------------------------------------------------------


def _load(session: Session, actor: Actor, ident: str | int, expected_version: int | None = None) -> Trial:
    """The visible trial ``ident``, checked against ``expected_version`` (the API's ``If-Match``) in the caller's
    transaction. NotFound when hidden; Conflict when it is at another version."""
    row = resolve(session, Trial, ident, actor)
    if expected_version is not None and row.version != expected_version:
        raise Conflict(f"trial {row.id} is at version {row.version}, not {expected_version}: reload and try again")
    return row


def _centre_owner(session: Session, centre_id: int | None) -> int | None:
    if centre_id is None:
        return None
    return session.scalar(select(TestCentre.owner_org_id).where(TestCentre.id == centre_id)
                          .execution_options(rapid_unrestricted="the owner of a centre the reader sees"))


def _may_run(session: Session, actor: Actor, trial: Trial, roles: tuple[str, ...], what: str) -> None:
    """The actor's organisation owns the trial or its centre, and the actor holds one of ``roles``.

    Raises:
        PermissionDenied: otherwise.
    """
    if actor.org_id not in (trial.owner_org_id, _centre_owner(session, trial.centre_id)):
        raise PermissionDenied(f"trial {trial.id} belongs to another organisation: only its owner or its test "
                               f"centre's may {what}")
    _require(actor, roles, what)


def _status(session: Session, actor: Actor, trial: Trial, target: TrialStatus, now: datetime, *,
            extra: Mapping[str, Any] | None = None) -> None:
    """Move ``trial`` to ``target`` (checked), set its timestamp, and audit the change."""
    check_transition(trial.status, target.value)
    before = row_dict(trial)
    trial.status = target.value
    stamp = {TrialStatus.SCHEDULED: "scheduled_at", TrialStatus.RUNNING: "started_at",
             TrialStatus.COMPLETED: "completed_at", TrialStatus.CANCELLED: "cancelled_at"}[target]
    setattr(trial, stamp, now)
    for key, value in (extra or {}).items():
        setattr(trial, key, value)
    trial.updated_at = now
    session.flush()
    action = {TrialStatus.SCHEDULED: "schedule", TrialStatus.RUNNING: "start", TrialStatus.COMPLETED: "complete",
              TrialStatus.CANCELLED: "cancel"}[target]
    audit.record(session, actor, action, "trials", trial.id, now=now, before=before, after=row_dict(trial))


# --- scheduling by hand ------------------------------------------------------------------------------------------


def check_placement(session: Session, trial: Trial, centre: TestCentre, calendar: CentreCalendarRecord | None,
                    starts_on: date) -> tuple[date, date]:
    """Check that ``trial`` fits at ``centre`` from the week of ``starts_on``.

    Returns:
        The window: its Monday and its last Sunday.

    Raises:
        ValidationError: field ``centre``: the centre does not support the trial's test domain or lacks a required
            capability; field ``start``: the window begins before the trial's ready date, touches a blackout week,
            or a week is full.
    """
    cal = effective(centre, calendar)
    if trial.test_domain not in cal["test_domains"]:
        raise ValidationError(f"{centre.name} does not support the test domain {trial.test_domain!r} (it supports "
                              f"{', '.join(cal['test_domains'])})", field="centre")
    missing = sorted(set(trial.required_capabilities) - set(cal["capabilities"]))
    if missing:
        raise ValidationError(f"{centre.name} lacks the capabilities {', '.join(missing)}", field="centre")
    first, last = window(parse_week(starts_on.isoformat()), 0, trial.duration_weeks)
    if first < parse_week(trial.ready_on.isoformat()):
        raise ValidationError(f"the trial is ready on {trial.ready_on.isoformat()}: it cannot start in "
                              f"{week_label(first)}", field="start")
    blackout = set(cal["blackout_weeks"])
    load = occupancy(session, [centre.id], first, last, exclude_trial_id=trial.id)
    for monday in weeks_of(first, last):
        if monday.isoformat() in blackout:
            raise ValidationError(f"{centre.name} is closed (blackout) in {week_label(monday)}", field="start")
        if load[(centre.id, monday)] >= cal["capacity_per_week"]:
            raise ValidationError(f"{centre.name} is full in {week_label(monday)} ({load[(centre.id, monday)]} of "
                                  f"{cal['capacity_per_week']} trials)", field="start")
    return first, last


def schedule_trial(workspace: Workspace, actor: Actor, trial: str | int, centre: str | int, start: date | str, *,
                   session: Session | None = None, expected_version: int | None = None) -> dict[str, Any]:
    """Schedule a requested trial (or move a scheduled one) at ``centre`` from the week of ``start``.

    The window may lie in the past: a trial that already ran can be entered afterwards.

    Args:
        trial: the trial's id or ref.
        centre: the centre's id or ref.
        start: a date (its week's Monday is taken) or an ISO week such as ``2026-W50``.

    Returns:
        The trial's view.

    Raises:
        NotFound: the trial or centre is not visible.
        PermissionDenied: the actor's organisation owns neither the trial nor the centre, or lacks the role.
        ValidationError: the trial is running or final; see :func:`check_placement`.
    """
    if session is None:
        with workspace.uow.transaction() as s:
            return schedule_trial(workspace, actor, trial, centre, start, session=s, expected_version=expected_version)
    now = workspace.now()
    row = _load(session, actor, trial, expected_version)
    centre_row = resolve(session, TestCentre, centre, actor)
    if actor.org_id == centre_row.owner_org_id and actor.org_id != row.owner_org_id:
        _require(actor, CENTRE_ROLES, "scheduling a trial at your centre")
    elif actor.org_id == row.owner_org_id:
        _require(actor, SCHEDULE_ROLES, "scheduling a trial")
    else:
        raise PermissionDenied(f"trial {row.id} belongs to another organisation: only its owner, or the owner of the "
                               "centre it goes to, may schedule it")
    if row.status not in (TrialStatus.REQUESTED.value, TrialStatus.SCHEDULED.value):
        check_transition(row.status, TrialStatus.SCHEDULED.value)
    starts_on = parse_week(start.isoformat() if isinstance(start, date) else start, "start")
    calendar = session.scalar(restrict(select(CentreCalendarRecord).where(
        CentreCalendarRecord.centre_id == centre_row.id), actor))
    first, last = check_placement(session, row, centre_row, calendar, starts_on)
    placement = {"centre_id": centre_row.id, "window_starts_on": first, "window_ends_on": last, "scheduled_by": "manual"}
    if row.status == TrialStatus.REQUESTED.value:
        _status(session, actor, row, TrialStatus.SCHEDULED, now, extra=placement)
    else:
        before = row_dict(row)
        for key, value in placement.items():
            setattr(row, key, value)
        row.scheduled_at = row.updated_at = now
        session.flush()
        audit.record(session, actor, "schedule", "trials", row.id, now=now, before=before, after=row_dict(row))
    return trial_view(session, row, actor)


# --- running -----------------------------------------------------------------------------------------------------


def _check_started(trial: Trial, now: datetime) -> None:
    if trial.window_starts_on is None or start_of(trial.window_starts_on) > now:
        raise ValidationError(f"trial {trial.id} starts on {trial.window_starts_on.isoformat()}: it can start, and take "
                              "results, from that day", field="status")


def start_trial(workspace: Workspace, actor: Actor, trial: str | int, *, expected_version: int | None = None
                ) -> dict[str, Any]:
    """Start a scheduled trial (status ``running``) once its window has begun.

    Raises:
        NotFound, PermissionDenied: as :func:`record_result`.
        ValidationError: the trial is not scheduled, or its window starts after today.
    """
    now = workspace.now()
    with workspace.uow.transaction() as session:
        row = _load(session, actor, trial, expected_version)
        _may_run(session, actor, row, RUN_ROLES, "start a trial")
        check_transition(row.status, TrialStatus.RUNNING.value)
        _check_started(row, now)
        _status(session, actor, row, TrialStatus.RUNNING, now)
        return trial_view(session, row, actor)


def parse_measured(items: Sequence[str]) -> dict[str, tuple[float, str | None]]:
    """Parse measured values given as ``KEY=NUMBER [UNIT]`` (``detection_range=3200 m``, ``false_alarms=1``).

    Raises:
        ValidationError: field ``measured``: no ``=``, a value that is not a number, or a key given twice.
    """
    out: dict[str, tuple[float, str | None]] = {}
    for item in items:
        key, sep, rest = str(item).partition("=")
        key, rest = key.strip(), rest.strip()
        if not sep or not key or not rest:
            raise ValidationError(f"give each value as KEY=NUMBER [UNIT], e.g. detection_range=3200 m; got {item!r}",
                                  field="measured")
        number, _, unit = rest.partition(" ")
        try:
            value = float(number)
        except ValueError:
            raise ValidationError(f"{key}: {number!r} is not a number", field="measured") from None
        if key in out:
            raise ValidationError(f"{key} is given twice", field="measured")
        out[key] = (value, unit.strip() or None)
    return out


def record_result(workspace: Workspace, actor: Actor, trial: str | int, use_case: str,
                  measured: Mapping[str, tuple[float, str | None]], score: int, *, notes: str | None = None,
                  evidence: Sequence[str] = (), session: Session | None = None,
                  expected_version: int | None = None) -> dict[str, Any]:
    """Record (or correct) the result of one use case of a running trial; the outcome comes from the procedure.

    A scheduled trial whose window has begun is started first (audited). A completed trial's results are final.

    Args:
        trial: the trial's id or ref.
        use_case: the use case's key; one of the trial's.
        measured: measure key -> (value, unit or None for the measure's own unit): every measure of the use case.
        score: the 1-10 score by the use case's rubric.
        notes: free text.
        evidence: links (http or https) to evidence.
        session: write in this transaction instead of a new one.

    Returns:
        The result's view with ``outcome`` (``pass`` or ``fail``) and ``outcome_reasons``.

    Raises:
        NotFound: the trial is not visible.
        PermissionDenied: the actor's organisation owns neither the trial nor its centre, or the actor is not
            admin, analyst or test_centre.
        ValidationError: the trial is not running (or its window has not begun), an unknown use case or one the
            trial does not cover, missing or unknown measures, a unit that is not the procedure's, a score outside
            1-10, a bad evidence link.
    """
    if session is None:
        with workspace.uow.transaction() as s:
            return record_result(workspace, actor, trial, use_case, measured, score, notes=notes, evidence=evidence,
                                 session=s, expected_version=expected_version)
    now = workspace.now()
    row = _load(session, actor, trial, expected_version)
    _may_run(session, actor, row, RUN_ROLES, "record results")
    procedure_row = session.scalar(restrict(select(EvaluationProcedure).where(
        EvaluationProcedure.id == row.procedure_id), actor))
    use = procedure_of(procedure_row).use_case(use_case)
    if use.key not in row.use_cases:
        raise ValidationError(f"trial {row.id} covers the use cases {', '.join(row.use_cases)}, not {use.key}",
                              field="use_case")
    outcome = evaluate_use_case(use, measured, score)
    evidence = check_evidence(evidence)
    notes = check_text(notes, "notes", required=False, max_length=20_000)
    if row.status == TrialStatus.SCHEDULED.value:
        _check_started(row, now)
        _status(session, actor, row, TrialStatus.RUNNING, now)
    elif row.status != TrialStatus.RUNNING.value:
        final = " (its results are final)" if row.status == TrialStatus.COMPLETED.value else ""
        raise ValidationError(f"trial {row.id} is {row.status}{final}: results are recorded while it runs",
                              field="status")
    values = [{"measure": m.key, "name": m.name, "value": float(measured[m.key][0]), "unit": m.unit,
               "threshold": m.threshold, "direction": m.direction.value,
               "meets_threshold": m.meets(float(measured[m.key][0]))} for m in use.measures]
    existing = session.scalar(restrict(select(TrialResult).where(TrialResult.trial_id == row.id,
                                                                 TrialResult.use_case == use.key), actor))
    before = row_dict(existing) if existing is not None else None
    result = existing or TrialResult(trial_id=row.id, use_case=use.key, created_at=now)
    result.measured, result.score_1_to_10 = values, int(score)
    result.passed, result.outcome_reasons = outcome.passed, list(outcome.reasons)
    result.notes, result.evidence = notes, evidence
    result.recorded_at, result.recorded_by, result.updated_at = now, actor.username, now
    if existing is None:
        session.add(result)
    session.flush()
    audit.record(session, actor, "update" if before else "create", "trial_results", result.id, now=now,
                 before=before, after=row_dict(result))
    return result_view(result, use.name)


def complete_trial(workspace: Workspace, actor: Actor, trial: str | int, *, session: Session | None = None,
                   expected_version: int | None = None) -> dict[str, Any]:
    """Complete a running trial: every use case it covers must have a result.

    Raises:
        NotFound, PermissionDenied: as :func:`record_result`.
        ValidationError: the trial is not running, or use cases lack results (named).
    """
    if session is None:
        with workspace.uow.transaction() as s:
            return complete_trial(workspace, actor, trial, session=s, expected_version=expected_version)
    now = workspace.now()
    row = _load(session, actor, trial, expected_version)
    _may_run(session, actor, row, RUN_ROLES, "complete a trial")
    check_transition(row.status, TrialStatus.COMPLETED.value)
    recorded = set(session.scalars(restrict(select(TrialResult.use_case).where(TrialResult.trial_id == row.id), actor)))
    missing = [k for k in row.use_cases if k not in recorded]
    if missing:
        raise ValidationError(f"trial {row.id} has no result yet for {', '.join(missing)}: record "
                              f"{'them' if len(missing) > 1 else 'it'} first ('rapid trials record')", field="status")
    _status(session, actor, row, TrialStatus.COMPLETED, now)
    return trial_view(session, row, actor)


def cancel_trial(workspace: Workspace, actor: Actor, trial: str | int, reason: str, *,
                 expected_version: int | None = None) -> dict[str, Any]:
    """Cancel a trial that is not final, with a reason.

    Raises:
        NotFound, PermissionDenied: as :func:`record_result` (roles admin, analyst, board or test_centre).
        ValidationError: an empty reason, or a final trial.
    """
    reason = check_text(reason, "reason", max_length=5000)
    now = workspace.now()
    with workspace.uow.transaction() as session:
        row = _load(session, actor, trial, expected_version)
        _may_run(session, actor, row, CANCEL_ROLES, "cancel a trial")
        _status(session, actor, row, TrialStatus.CANCELLED, now, extra={"cancel_reason": reason})
        return trial_view(session, row, actor)


# --- reading -----------------------------------------------------------------------------------------------------


def show_trial(workspace: Workspace, actor: Actor, trial: str | int) -> dict[str, Any]:
    """One trial the actor may see (:func:`trial_view`).

    Raises:
        NotFound: no such visible trial.
    """
    with workspace.uow.read() as session:
        return trial_view(session, _load(session, actor, trial), actor)


TRIAL_SORTS = {"id": Trial.id, "requested_at": Trial.requested_at, "status": Trial.status,
               "updated_at": Trial.updated_at}
"""The keys a trial list may be sorted by."""


def page_trials(workspace: Workspace, actor: Actor, *, status: str | None = None, case: str | int | None = None,
                solution: str | int | None = None, centre: str | int | None = None,
                procedure: str | int | None = None, sort: str | None = "id", after: list[Any] | None = None,
                limit: int = 50, with_total: bool = True):
    """One keyset page of the trials the actor may see.

    Args:
        status: only this status (a :class:`TrialStatus` value).
        case, solution, centre: only trials of this case, solution or centre (id or ref; must be visible).
        procedure: only trials under this procedure (id, ref for every version, or ``REF@N``).
        sort: a key of :data:`TRIAL_SORTS`, ``-`` in front for descending.
        after: ``[sort value, id]`` of the last row of the page before.
        limit: 1-500 rows.

    Returns:
        A :class:`rapid_adoption.services.paging.KeysetPage` whose rows have ``id``, ``ref``, ``status``,
        ``case_id``, ``solution_ref``, ``procedure_ref``, ``procedure_version``, ``centre_id``, ``centre_name``,
        ``centre_country``, ``test_domain``, ``window_starts_on``, ``window_ends_on``, ``duration_weeks``,
        ``demonstration``, ``owner``, ``tlp``, ``distribution`` and ``version``.

    Raises:
        ValidationError: an unknown status, sort, cursor or limit.
        NotFound: a case, solution, centre or procedure the actor may not see.
    """
    from .paging import keyset_page

    query = (select(Trial.id, Trial.ref, Trial.status, Trial.case_id, Solution.ref.label("solution_ref"),
                    EvaluationProcedure.ref.label("procedure_ref"), EvaluationProcedure.procedure_version,
                    Trial.centre_id, Trial.test_domain, Trial.window_starts_on, Trial.window_ends_on, Trial.duration_weeks,
                    Trial.demonstration, Organisation.ref.label("owner"), Trial.tlp, Trial.distribution, Trial.version)
             .join(Solution, Solution.id == Trial.solution_id)
             .join(EvaluationProcedure, EvaluationProcedure.id == Trial.procedure_id)
             .join(Organisation, Organisation.id == Trial.owner_org_id))
    # The centre's name and country are read after paging, by a query of their own through the sharing filter:
    # an outer join would put the centre's sharing condition on the NULL row of a trial that has no centre yet
    # (every requested trial) and drop it. The trial's own containment rule already hides trials at hidden centres.
    if status:
        try:
            query = query.where(Trial.status == TrialStatus(status.strip().lower()).value)
        except ValueError:
            raise ValidationError(f"must be one of {', '.join(s.value for s in TrialStatus)}, got {status!r}",
                                  field="status") from None
    with workspace.uow.read() as session:
        if case is not None:
            query = query.where(Trial.case_id == resolve(session, AdoptionCase, case, actor).id)
        if solution is not None:
            query = query.where(Trial.solution_id == resolve(session, Solution, solution, actor).id)
        if centre is not None:
            query = query.where(Trial.centre_id == resolve(session, TestCentre, centre, actor).id)
        if procedure is not None:
            text = str(procedure).strip()
            if "@" in text or text.isdigit():
                query = query.where(Trial.procedure_id == resolve_procedure(session, actor, text).id)
            else:
                resolve_procedure(session, actor, text)
                query = query.where(EvaluationProcedure.ref == text)
        page = keyset_page(session, restrict(query, actor), actor, id_column=Trial.id, sorts=TRIAL_SORTS, sort=sort,
                           after=after, limit=limit, with_total=with_total)
        centre_ids = {row["centre_id"] for row in page.rows if row["centre_id"] is not None}
        centres = {c.id: c for c in session.execute(restrict(
            select(TestCentre.id, TestCentre.name, TestCentre.country).where(TestCentre.id.in_(centre_ids)), actor))}
        for row in page.rows:
            centre_row = centres.get(row["centre_id"])
            row["centre_name"] = centre_row.name if centre_row else None
            row["centre_country"] = centre_row.country if centre_row else None
        return page


# --- the tevv gate -----------------------------------------------------------------------------------------------


def case_coverage(session: Session, actor: Actor, case: AdoptionCase) -> list[tuple[EvaluationProcedure, Coverage]]:
    """How the case's completed trials cover each procedure version its trials (not cancelled) use.

    The latest result of each use case across the case's completed trials counts (by time recorded, then id).

    Returns:
        ``(procedure row, coverage)`` per procedure version, in the order of the case's first trial under each.
    """
    trials = list(session.scalars(restrict(select(Trial).where(
        Trial.case_id == case.id, Trial.status != TrialStatus.CANCELLED.value).order_by(Trial.id), actor)))
    out = []
    for procedure_id in dict.fromkeys(t.procedure_id for t in trials):
        procedure_row = session.scalar(restrict(select(EvaluationProcedure).where(
            EvaluationProcedure.id == procedure_id), actor))
        rows = session.execute(restrict(
            select(TrialResult.use_case, TrialResult.trial_id, TrialResult.passed, TrialResult.outcome_reasons)
            .join(Trial, Trial.id == TrialResult.trial_id)
            .where(Trial.case_id == case.id, Trial.procedure_id == procedure_id,
                   Trial.status == TrialStatus.COMPLETED.value)
            .order_by(TrialResult.recorded_at, TrialResult.id), actor)).all()
        overrides = session.scalars(restrict(select(GateOverride.use_case).where(
            GateOverride.case_id == case.id, GateOverride.procedure_id == procedure_id), actor))
        results = [UseCaseResult(u, t, p, tuple(r)) for u, t, p, r in rows]
        out.append((procedure_row, coverage(label(procedure_row), procedure_of(procedure_row).use_case_keys, results,
                                            overrides)))
    return out


def check_tevv_gate(session: Session, actor: Actor, case: AdoptionCase) -> None:
    """The ``tevv`` gate of ``case`` (called by :meth:`rapid_adoption.services.cases.CaseService.advance` when a
    case moves from ``tevv`` to ``badge``).

    Raises:
        GateNotSatisfied: no trial, a use case no completed trial covers, or a failed use case without a board
            override (see :func:`rapid_adoption.domain.tevv.check_gate` for the message).
    """
    check_gate(f"case {case.id}", [cov for _row, cov in case_coverage(session, actor, case)])


def _coverage_view(procedure_row: EvaluationProcedure, cov: Coverage) -> dict[str, Any]:
    return {"procedure_id": procedure_row.id, "procedure": cov.procedure, "satisfied": cov.satisfied,
            "passed": list(cov.passed), "missing": list(cov.missing), "overridden": list(cov.overridden),
            "failed": [{"use_case": f.use_case, "trial_id": f.trial_id, "reasons": list(f.reasons)} for f in cov.failed]}


def gate_status(workspace: Workspace, actor: Actor, case: str | int) -> dict[str, Any]:
    """What the ``tevv`` gate of a case needs now.

    Returns:
        ``{"case_id", "stage", "ready": bool, "problem": the gate's message or None, "procedures": [{procedure_id,
        procedure, satisfied, passed, missing, overridden, failed: [{use_case, trial_id, reasons}]}], "overrides":
        [{use_case, procedure, rationale, decided_by, decided_at}]}``.

    Raises:
        NotFound: no such visible case.
    """
    from ..domain.errors import GateNotSatisfied

    with workspace.uow.read() as session:
        row = resolve(session, AdoptionCase, case, actor)
        coverages = case_coverage(session, actor, row)
        try:
            check_gate(f"case {row.id}", [cov for _p, cov in coverages])
            problem = None
        except GateNotSatisfied as exc:
            problem = str(exc)
        overrides = session.execute(restrict(
            select(GateOverride, EvaluationProcedure.ref, EvaluationProcedure.procedure_version)
            .join(EvaluationProcedure, EvaluationProcedure.id == GateOverride.procedure_id)
            .where(GateOverride.case_id == row.id).order_by(GateOverride.id), actor)).all()
        return plain({"case_id": row.id, "stage": row.stage, "ready": problem is None, "problem": problem,
                      "procedures": [_coverage_view(p, cov) for p, cov in coverages],
                      "overrides": [{"use_case": o.use_case, "procedure": f"{ref} v{version}", "rationale": o.rationale,
                                     "decided_by": o.decided_by, "decided_at": o.decided_at}
                                    for o, ref, version in overrides]})


def record_override(workspace: Workspace, actor: Actor, case: str | int, use_case: str, rationale: str, *,
                    procedure: str | int | None = None) -> dict[str, Any]:
    """Record the board's override of a failed use case at the case's ``tevv`` gate, with its rationale.

    Args:
        case: the case's id or ref (in ``tevv``).
        use_case: the failed use case's key.
        rationale: why the board lets it pass.
        procedure: the procedure version (needed only when the case's trials use several).

    Returns:
        ``{"id", "case_id", "procedure", "use_case", "rationale", "decided_by", "decided_at"}``.

    Raises:
        NotFound: the case or procedure is not visible.
        PermissionDenied: another organisation's case, or the actor is neither admin nor board.
        ValidationError: the case is not in tevv, an empty rationale, the procedure is ambiguous or not the case's,
            or the use case has not failed (nothing to override) or is overridden already.
    """
    _require(actor, OVERRIDE_ROLES, "a gate override")
    rationale = check_text(rationale, "rationale", max_length=20_000)
    now = workspace.now()
    with workspace.uow.transaction() as session:
        row = resolve(session, AdoptionCase, case, actor, "change")
        if row.stage != Stage.TEVV.value:
            raise ValidationError(f"case {row.id} is at {row.stage}: overrides belong to its tevv gate", field="case")
        coverages = case_coverage(session, actor, row)
        if procedure is not None:
            wanted = resolve_procedure(session, actor, procedure).id
            coverages = [(p, c) for p, c in coverages if p.id == wanted]
            if not coverages:
                raise ValidationError(f"case {row.id} has no trial under that procedure", field="procedure")
        candidates = [(p, c) for p, c in coverages if use_case.strip() in procedure_of(p).use_case_keys]
        if not candidates:
            raise ValidationError(f"no procedure of case {row.id}'s trials has the use case {use_case!r}",
                                  field="use_case")
        if len(candidates) > 1:
            raise ValidationError(f"several procedures of case {row.id} have the use case {use_case!r}: name one with "
                                  f"--procedure ({', '.join(c.procedure for _p, c in candidates)})", field="procedure")
        procedure_row, cov = candidates[0]
        key = use_case.strip()
        if key in cov.overridden:
            raise ValidationError(f"the use case {key} of {cov.procedure} is overridden already", field="use_case")
        if not any(f.use_case == key for f in cov.failed):
            state = "has no completed result" if key in cov.missing else "passed"
            raise ValidationError(f"the use case {key} of {cov.procedure} {state}: only a failed use case can be "
                                  "overridden", field="use_case")
        override = GateOverride(case_id=row.id, procedure_id=procedure_row.id, use_case=key, rationale=rationale,
                                decided_at=now, decided_by=actor.username, created_at=now, updated_at=now)
        session.add(override)
        session.flush()
        audit.record(session, actor, "create", "tevv_overrides", override.id, now=now, after=row_dict(override))
        return plain({"id": override.id, "case_id": row.id, "procedure": cov.procedure, "use_case": key,
                      "rationale": rationale, "decided_by": actor.username, "decided_at": now})


__all__ = ["REQUEST_ROLES", "TRIAL_SORTS", "TrialRequestInput", "cancel_trial", "case_coverage", "check_placement",
           "check_tevv_gate", "complete_trial", "gate_status", "page_trials", "parse_measured", "record_override",
           "record_result", "request_trial", "result_view", "schedule_trial", "show_trial", "start_of",
           "start_trial", "trial_view"]
