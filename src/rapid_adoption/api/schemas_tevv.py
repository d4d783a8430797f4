"""Request and response models of the testing (TEVV) API: evaluation procedures, trials and their results, the
schedule, centre calendars, a case's risk register and its ``tevv`` gate.

As in :mod:`rapid_adoption.api.schemas`, requests are checked here for shape only (types and ranges); the services
check the meaning (a use case of the procedure, a unit that is the measure's, a move the trial's status allows) and
name the field at fault. Responses allow extra fields, so a service may add one without breaking clients.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from .schemas import INT32, Ident, Input, Marked, Model, Text

Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=60)]
"""A use-case or measure key, e.g. ``point_defence`` or ``detection_range``."""
Week = Annotated[Text, Field(min_length=1, max_length=20, description="An ISO week (`2026-W52`) or a date in it "
                                                                      "(`2026-12-24`).")]
TrialStatusName = Literal["requested", "scheduled", "running", "completed", "cancelled"]
RiskCategoryName = Literal["technical", "operational", "supply_chain", "security", "integration"]
OneToFive = Annotated[int, Field(ge=1, le=5)]


# --- evaluation procedures --------------------------------------------------------------------------------------

class ProcedureRow(Model):
    """An evaluation procedure version in a list."""

    id: int
    ref: str
    procedure_version: int
    name: str
    example: bool
    duration_weeks: int
    test_domain: str | None = None
    use_cases: list[str]
    owner: str
    tlp: str


class Procedure(Marked):
    """One version of an evaluation procedure: its use cases with their measures of performance (name, unit,
    direction, threshold), 1-10 rubrics and pass scores, and the versions of it you may see."""

    ref: str
    procedure_version: int
    name: str
    description: str
    example: bool
    duration_weeks: int
    test_domain: str | None = None
    required_capabilities: list[str]
    use_cases: list[dict[str, Any]]
    source: str
    versions: list[int] = []


class MeasureIn(Input):
    """A measure of performance of a use case."""

    key: Key
    name: Text = Field(min_length=1, max_length=300)
    unit: Text = Field(min_length=1, max_length=40, description="The unit values are given in, e.g. `m`, `s`, `%`.")
    direction: Literal["higher_is_better", "lower_is_better"]
    threshold: float = Field(allow_inf_nan=False, description="The value that passes: at least it when higher is "
                                                             "better, at most it when lower is.")


class BandIn(Input):
    """A band of a 1-10 rubric: ``scores`` is a score (`10`) or a range (`7-8`)."""

    scores: Annotated[str, Field(pattern=r"^\d{1,2}(-\d{1,2})?$")] | Annotated[int, Field(ge=1, le=10)]
    description: Text = Field(min_length=1, max_length=2000)


class UseCaseIn(Input):
    """A use case of a procedure: measures, a rubric whose bands cover 1-10 once, and the pass score."""

    key: Key
    name: Text = Field(min_length=1, max_length=300)
    description: Text = Field("", max_length=5000)
    pass_score: int = Field(ge=1, le=10)
    measures: list[MeasureIn] = Field(min_length=1, max_length=50)
    rubric: list[BandIn] = Field(min_length=1, max_length=10)


class ProcedureIn(Input):
    """A procedure version, in the shape of a procedure file (see ``rapid procedures import``).

    A ref that exists takes a new version: a stored version never changes, so the same content again changes
    nothing (200) and other content under a stored version is refused (409).
    """

    ref: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=120)]
    version: int = Field(ge=1, le=100_000)
    name: Text = Field(min_length=1, max_length=300)
    example: bool = False
    description: Text = Field("", max_length=20_000)
    duration_weeks: int = Field(ge=1, le=52)
    test_domain: Text | None = Field(None, max_length=40)
    required_capabilities: list[Annotated[Text, Field(max_length=60)]] = Field([], max_length=50)
    use_cases: list[UseCaseIn] = Field(min_length=1, max_length=50)


# --- trials -----------------------------------------------------------------------------------------------------

class TrialRow(Model):
    """A trial in a list."""

    id: int
    ref: str | None = None
    status: str
    case_id: int | None = None
    solution_ref: str
    procedure_ref: str
    procedure_version: int
    centre_id: int | None = None
    centre_name: str | None = None
    centre_country: str | None = None
    test_domain: str
    window_starts_on: str | None = None
    window_ends_on: str | None = None
    duration_weeks: int
    demonstration: bool
    owner: str
    version: int


class Measured(Model):
    """A measured value of a result, with the measure's unit, threshold and whether it met it."""

    measure: str
    value: float
    unit: str
    threshold: float
    direction: str
    meets_threshold: bool


class TrialResult(Model):
    """The result of one use case: measured values, the 1-10 score, and the outcome from the thresholds."""

    id: int
    use_case: str
    use_case_name: str | None = None
    measured: list[Measured]
    score_1_to_10: int
    outcome: Literal["pass", "fail"]
    outcome_reasons: list[str]
    notes: str | None = None
    evidence: list[str]
    recorded_at: str
    recorded_by: str


class Trial(Marked):
    """A trial: a solution x a test centre x a time window x a procedure version, with its results per use case
    and each use case's state (`pass`, `fail` or `not recorded`)."""

    ref: str | None = None
    status: str
    use_cases: list[str]
    test_domain: str
    required_capabilities: list[str]
    duration_weeks: int
    ready_on: str
    window_starts_on: str | None = None
    window_ends_on: str | None = None
    window: str | None = None
    demonstration: bool
    solution: dict[str, Any] | None = None
    case: dict[str, Any] | None = None
    procedure: dict[str, Any]
    centre: dict[str, Any] | None = None
    results: list[TrialResult]
    use_case_states: dict[str, str]


class TrialIn(Input):
    """A trial request: a procedure, and a case or a solution. What is not sent takes the default."""

    procedure: Ident = Field(description="The procedure's id, ref (newest version you may see) or `REF@VERSION`.")
    case: Ident | None = Field(None, description="The adoption case it belongs to (id or ref); gives the solution.")
    solution: Ident | None = Field(None, description="The solution (id or ref); needed without a case.")
    use_cases: list[Key] | None = Field(None, max_length=50, description="Default: every use case of the procedure.")
    test_domain: Text | None = Field(None, max_length=40, description="Default: the procedure's, else the need's.")
    duration_weeks: int | None = Field(None, ge=1, le=52, description="Default: the procedure's.")
    ready_on: date | None = Field(None, description="The solution's ready date: no earlier start. Default today.")
    capabilities: list[Annotated[Text, Field(max_length=60)]] | None = Field(None, max_length=50)
    ref: Text | None = Field(None, max_length=160)
    demonstration: bool = False
    notes: Text | None = Field(None, max_length=20_000)


class ScheduleTrialIn(Input):
    """Schedule a trial by hand at a centre, from the week of ``start``."""

    centre: Ident = Field(description="The test centre's id or ref.")
    start: Week


class CancelIn(Input):
    """Why the trial is cancelled."""

    reason: Text = Field(min_length=1, max_length=5000)


class MeasuredIn(Input):
    """A measured value; ``unit`` must be the measure's when given (values are never converted)."""

    value: float = Field(allow_inf_nan=False)
    unit: Text | None = Field(None, max_length=40)


class ResultIn(Input):
    """The result of one use case: every measure's value, the 1-10 score by the rubric, notes and evidence links."""

    measured: dict[Key, MeasuredIn] = Field(description="Measure key -> value, e.g. "
                                                        '`{"detection_range": {"value": 3200, "unit": "m"}}`.')
    score_1_to_10: int = Field(ge=1, le=10)
    notes: Text | None = Field(None, max_length=20_000)
    evidence: list[Text] = Field([], max_length=50, description="http(s) links to the evidence.")


# --- the schedule -------------------------------------------------------------------------------------------------

class ScheduleIn(Input):
    """Run the CP-SAT scheduler over your organisation's requested trials (or the ones named)."""

    trials: list[Ident] | None = Field(None, min_length=1, max_length=2000,
                                       description="Default: every requested trial you may schedule.")
    horizon_weeks: int = Field(52, ge=1, le=104)
    time_limit_seconds: float = Field(10.0, gt=0, le=60)
    seed: int = Field(0, ge=0, le=INT32)
    dry_run: bool = Field(False, description="Solve and report, but schedule nothing.")


class Placement(Model):
    """A trial the scheduler placed."""

    trial_id: int
    case_id: int | None = None
    solution_ref: str | None = None
    centre_id: int
    centre_name: str
    country: str
    window_starts_on: str
    window_ends_on: str
    weeks: str
    lateness_weeks: int
    in_preferred_country: bool


class Unplaced(Model):
    """A trial the scheduler could not place, with the reason."""

    trial_id: int
    reason: Literal["no capable centre", "capacity", "window"]
    detail: str


class SchedulePlan(Model):
    """The scheduler's plan: the objective with the solver's bound and gap, the greedy baseline's figures, and
    each trial placed or not (with the reason)."""

    method: str
    status: str
    objective: int
    bound: int | None = None
    gap: float | None = None
    solve_seconds: float
    weighted_lateness: int
    preference_misses: int
    greedy: dict[str, int]
    origin: str
    horizon_weeks: int
    requested: int
    applied: bool
    placements: list[Placement]
    unplaced: list[Unplaced]


class GanttTrial(Model):
    """A scheduled or running trial on the schedule, as week indexes from the plan's origin."""

    trial_id: int
    case_id: int | None = None
    solution_ref: str
    status: str
    window_starts_on: str
    window_ends_on: str
    start_week: int
    end_week: int
    demonstration: bool


class GanttCentre(Model):
    """A centre on the schedule: its capacity, its load per week (every organisation's trials) and its trials."""

    centre_id: int
    centre_name: str
    country: str
    capacity_per_week: int
    load: list[int]
    trials: list[GanttTrial]


class Gantt(Model):
    """The schedule you may see, by centre, from this week's Monday (``origin``) for ``weeks`` weeks."""

    origin: str
    weeks: int
    centres: list[GanttCentre]


# --- centre calendars ---------------------------------------------------------------------------------------------

class CalendarWeek(Model):
    """One week of a centre's calendar: trials booked there (every organisation's, counted only) and whether it is
    a blackout week."""

    week: str
    monday: str
    booked: int
    capacity: int
    blackout: bool


class CentreCalendar(Model):
    """A test centre's calendar: capacity per week (its own or its type's default), blackout weeks (Mondays),
    capabilities and the test domains of its catalogue record. ``version`` is 0 before its first change."""

    centre_id: int
    centre_ref: str
    centre_name: str
    centre_type: str
    country: str
    capacity_per_week: int
    capacity_is_default: bool
    default_capacity_per_week: int
    blackout_weeks: list[str]
    capabilities: list[str]
    test_domains: list[str]
    version: int
    weeks: list[CalendarWeek] = []
    changed: bool | None = None


class CalendarPatch(Input):
    """A change of a centre's calendar; what is not sent stays as it is."""

    capacity_per_week: int | None = Field(None, ge=1, le=100, description="Concurrent trials per week; `null` "
                                                                          "goes back to the type's default.")
    add_blackout: list[Week] = Field([], max_length=104)
    remove_blackout: list[Week] = Field([], max_length=104)
    capabilities: list[Annotated[Text, Field(max_length=60)]] | None = Field(
        None, max_length=100, description="The full new list of capability tags.")


# --- risks and the tevv gate --------------------------------------------------------------------------------------

class RiskScore(Model):
    """A score of a risk at a moment: the initial one, or a residual one after a trial."""

    id: int
    recorded_at: str
    likelihood_1_to_5: int
    impact_1_to_5: int
    score_1_to_25: int
    level: str
    kind: str
    trial_id: int | None = None
    note: str | None = None
    recorded_by: str


class Risk(Model):
    """A risk in a case's register, with its current score (likelihood x impact on the 5x5 matrix) and history."""

    id: int
    case_id: int
    category: str
    title: str
    description: str | None = None
    risk_owner: str
    mitigations: list[str]
    likelihood_1_to_5: int
    impact_1_to_5: int
    score_1_to_25: int
    level: str
    initial_score: int
    history: list[RiskScore]
    version: int


class BurnDownPoint(Model):
    """The register's total score at a moment it changed."""

    at: str
    total_score: int
    risks: int


class RiskRegister(Model):
    """A case's risks (highest current score first) and the burn-down of their total score over time."""

    case_id: int
    risks: list[Risk]
    total_score: int
    burn_down: list[BurnDownPoint]


class RiskIn(Input):
    """A new risk in a case's register, with its initial score."""

    category: RiskCategoryName
    title: Text = Field(min_length=1, max_length=300)
    likelihood_1_to_5: OneToFive
    impact_1_to_5: OneToFive
    risk_owner: Text = Field(min_length=1, max_length=200, description="Who owns the risk (a person or a role).")
    mitigations: list[Annotated[Text, Field(max_length=5000)]] = Field([], max_length=50)
    description: Text | None = Field(None, max_length=20_000)
    recorded_at: datetime | None = Field(None, description="When it was identified (with a timezone; not before "
                                                           "the case opened); default now.")


class RiskScoreIn(Input):
    """A residual score of a risk, after a completed trial of its case when ``trial`` is given."""

    likelihood_1_to_5: OneToFive
    impact_1_to_5: OneToFive
    trial: Ident | None = None
    note: Text | None = Field(None, max_length=20_000)
    add_mitigations: list[Annotated[Text, Field(max_length=5000)]] = Field([], max_length=50)
    recorded_at: datetime | None = Field(None, description="With a timezone; default now; never in the future.")


class GateCoverage(Model):
    """How the case's completed trials cover one procedure version's use cases."""

    procedure_id: int
    procedure: str
    satisfied: bool
    passed: list[str]
    missing: list[str]
    overridden: list[str]
    failed: list[dict[str, Any]]


class GateOverride(Model):
    """The board's override of a failed use case, with its rationale."""

    use_case: str
    procedure: str
    rationale: str
    decided_by: str
    decided_at: str


class TevvGate(Model):
    """What the case's ``tevv`` gate needs now: ``ready`` when it would pass, else ``problem`` says why."""

    case_id: int
    stage: str
    ready: bool
    problem: str | None = None
    procedures: list[GateCoverage]
    overrides: list[GateOverride]


class OverrideIn(Input):
    """The board lets a failed use case pass the case's ``tevv`` gate, with its rationale."""

    use_case: Key
    rationale: Text = Field(min_length=1, max_length=20_000)
    procedure: Ident | None = Field(None, description="Needed only when the case's trials use several procedures.")


class OverrideOut(GateOverride):
    """A recorded override."""

    id: int
    case_id: int


__all__ = [
    "BandIn", "BurnDownPoint", "CalendarPatch", "CalendarWeek", "CancelIn", "CentreCalendar", "Gantt", "GanttCentre",
    "GanttTrial", "GateCoverage", "GateOverride", "MeasureIn", "Measured", "MeasuredIn", "OverrideIn", "OverrideOut",
    "Placement", "Procedure", "ProcedureIn", "ProcedureRow", "ResultIn", "Risk", "RiskIn", "RiskRegister",
    "RiskScore", "RiskScoreIn", "ScheduleIn", "SchedulePlan", "ScheduleTrialIn", "TevvGate", "Trial", "TrialIn",
    "TrialResult", "TrialRow", "Unplaced", "UseCaseIn",
]
