"""Pure rules of testing (TEVV): evaluation procedures, trial statuses, use-case outcomes, the risk matrix and the
coverage the ``tevv`` gate needs.

No I/O here: the services load rows and hand these functions plain values.

Sources: Rapid Adoption DESIGN, "Testing"; NATO Rapid Adoption Action Plan (The Hague, June 2025): results are scored
against commonly agreed evaluation procedures with a 1-10 score per use case (for counter-drone: point defence,
perimeter, border and convoy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Iterable, Mapping, Sequence

from .errors import GateNotSatisfied, ValidationError

SCORE_RANGE = range(1, 11)
"""A use case is scored 1-10 (the Action Plan's badge scale)."""
RISK_RANGE = range(1, 6)
"""Likelihood and impact are each scored 1-5 on the 5x5 risk matrix."""


class Direction(StrEnum):
    """Which way a measure of performance improves."""

    HIGHER = "higher_is_better"
    LOWER = "lower_is_better"


class TrialStatus(StrEnum):
    """A trial's status. ``completed`` and ``cancelled`` are final."""

    REQUESTED = "requested"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


TRIAL_TRANSITIONS: dict[TrialStatus, frozenset[TrialStatus]] = {
    TrialStatus.REQUESTED: frozenset({TrialStatus.SCHEDULED, TrialStatus.CANCELLED}),
    TrialStatus.SCHEDULED: frozenset({TrialStatus.RUNNING, TrialStatus.CANCELLED}),
    TrialStatus.RUNNING: frozenset({TrialStatus.COMPLETED, TrialStatus.CANCELLED}),
    TrialStatus.COMPLETED: frozenset(),
    TrialStatus.CANCELLED: frozenset(),
}
"""The statuses a trial may move to from each status: requested -> scheduled -> running -> completed, and any status
that is not final -> cancelled."""


def check_transition(current: str, target: str) -> TrialStatus:
    """Check that a trial in ``current`` may move to ``target``.

    Args:
        current, target: :class:`TrialStatus` values.

    Returns:
        ``target`` as a :class:`TrialStatus`.

    Raises:
        ValidationError: field ``status``: an unknown status, or a move the table :data:`TRIAL_TRANSITIONS` does not
            allow, e.g. "a completed trial is final: it cannot become running" or "a requested trial cannot become
            running: it can become scheduled or cancelled".
    """
    try:
        now, then = TrialStatus(current), TrialStatus(target)
    except ValueError:
        raise ValidationError(f"must be one of {', '.join(s.value for s in TrialStatus)}, got {target!r}",
                              field="status") from None
    allowed = TRIAL_TRANSITIONS[now]
    if then in allowed:
        return then
    if not allowed:
        raise ValidationError(f"a {now.value} trial is final: it cannot become {then.value}", field="status")
    options = " or ".join(s.value for s in TrialStatus if s in allowed)
    raise ValidationError(f"a {now.value} trial cannot become {then.value}: it can become {options}", field="status")


@dataclass(frozen=True)
class Measure:
    """A measure of performance of a use case.

    Attributes:
        key: its identifier in the procedure, e.g. ``detection_range``.
        name: in words, e.g. "Detection range of a Group 1 UAS".
        unit: the unit values are given in, e.g. ``m``, ``s``, ``%``, ``h`` (compared as written, never converted).
        direction: whether a higher or a lower value is better.
        threshold: the value a trial must reach to pass: at least it when higher is better, at most it when lower is.
    """

    key: str
    name: str
    unit: str
    direction: Direction
    threshold: float

    def meets(self, value: float) -> bool:
        """True when ``value`` (in :attr:`unit`) reaches the threshold in the measure's direction."""
        return value >= self.threshold if self.direction == Direction.HIGHER else value <= self.threshold

    def as_dict(self) -> dict[str, Any]:
        """The measure as stored and shown (JSON-ready)."""
        return {"key": self.key, "name": self.name, "unit": self.unit, "direction": self.direction.value,
                "threshold": self.threshold}


@dataclass(frozen=True)
class RubricBand:
    """One band of a 1-10 scoring rubric: the scores ``low``..``high`` (inclusive) and what earns them."""

    low: int
    high: int
    description: str

    def as_dict(self) -> dict[str, Any]:
        """The band as stored and shown: ``{"scores": "7-8", "description": ...}``."""
        return {"scores": f"{self.low}-{self.high}" if self.low != self.high else str(self.low),
                "description": self.description}


def check_rubric(bands: Sequence[RubricBand]) -> None:
    """Check that a rubric's bands cover the scores 1-10 exactly once each.

    Raises:
        ValidationError: field ``rubric``: a band outside 1-10 or upside down, a score in two bands, or a score in
            none (the message names the scores).
    """
    seen: dict[int, int] = {}
    for index, band in enumerate(bands):
        if band.low not in SCORE_RANGE or band.high not in SCORE_RANGE or band.low > band.high:
            raise ValidationError(f"band {index + 1} ({band.low}-{band.high}) must lie within 1-10, low to high",
                                  field="rubric")
        for score in range(band.low, band.high + 1):
            if score in seen:
                raise ValidationError(f"score {score} is in band {seen[score] + 1} and band {index + 1}", field="rubric")
            seen[score] = index
    missing = [s for s in SCORE_RANGE if s not in seen]
    if missing:
        which = f"scores {', '.join(map(str, missing))} are" if len(missing) > 1 else f"score {missing[0]} is"
        raise ValidationError(f"{which} in no band: the bands must cover 1-10", field="rubric")


@dataclass(frozen=True)
class UseCase:
    """A use case of an evaluation procedure, e.g. counter-UAS point defence.

    Attributes:
        key: its identifier, e.g. ``point_defence``.
        name, description: in words.
        measures: its measures of performance (at least one).
        rubric: the 1-10 scoring rubric (bands covering 1-10).
        pass_score: the lowest score (1-10) that passes.
    """

    key: str
    name: str
    description: str
    measures: tuple[Measure, ...]
    rubric: tuple[RubricBand, ...]
    pass_score: int

    def as_dict(self) -> dict[str, Any]:
        """The use case as stored and shown (JSON-ready)."""
        return {"key": self.key, "name": self.name, "description": self.description,
                "measures": [m.as_dict() for m in self.measures], "rubric": [b.as_dict() for b in self.rubric],
                "pass_score": self.pass_score}

    def band_for(self, score: int) -> RubricBand | None:
        """The rubric band that holds ``score``, or None."""
        return next((b for b in self.rubric if b.low <= score <= b.high), None)


@dataclass(frozen=True)
class Procedure:
    """A version of an evaluation procedure: named, versioned, with use cases.

    Attributes:
        ref: the procedure's identifier across versions, e.g. ``cuas-example``.
        procedure_version: its version number (1, 2, ...); a new version is a new record, and a trial pins one.
        name, description: in words.
        example: True for a shipped illustration, not an agreed procedure.
        duration_weeks: how many consecutive weeks a trial under it takes by default (1-52).
        test_domain: the test domain its trials need, or None to take it from the capability need.
        required_capabilities: capability tags a centre must have to run it (may be empty).
        use_cases: at least one; keys unique.
    """

    ref: str
    procedure_version: int
    name: str
    description: str
    example: bool
    duration_weeks: int
    test_domain: str | None
    required_capabilities: tuple[str, ...]
    use_cases: tuple[UseCase, ...]

    @property
    def use_case_keys(self) -> tuple[str, ...]:
        """The keys of the use cases, in the procedure's order."""
        return tuple(u.key for u in self.use_cases)

    def use_case(self, key: str) -> UseCase:
        """The use case ``key``.

        Raises:
            ValidationError: field ``use_case``: no such use case (the message lists the valid keys).
        """
        for use_case in self.use_cases:
            if use_case.key == key.strip():
                return use_case
        raise ValidationError(f"procedure {self.ref} v{self.procedure_version} has no use case {key!r}; expected one "
                              f"of {', '.join(self.use_case_keys)}", field="use_case")

    def use_cases_json(self) -> list[dict[str, Any]]:
        """The use cases as stored in the database (JSON-ready)."""
        return [u.as_dict() for u in self.use_cases]


def _band(data: Mapping[str, Any]) -> RubricBand:
    low, _, high = str(data["scores"]).partition("-")
    return RubricBand(int(low), int(high or low), str(data["description"]))


def use_cases_from_json(data: Iterable[Mapping[str, Any]]) -> tuple[UseCase, ...]:
    """Rebuild use cases from their stored form (:meth:`Procedure.use_cases_json`)."""
    return tuple(UseCase(
        key=u["key"], name=u["name"], description=u.get("description") or "",
        measures=tuple(Measure(m["key"], m["name"], m["unit"], Direction(m["direction"]), float(m["threshold"]))
                       for m in u["measures"]),
        rubric=tuple(_band(b) for b in u["rubric"]), pass_score=int(u["pass_score"]),
    ) for u in data)


@dataclass(frozen=True)
class Outcome:
    """The outcome of one use case of a trial, computed from the procedure's thresholds.

    Attributes:
        passed: True when every measure reached its threshold and the score reached the pass score.
        reasons: for a failure, one sentence per shortfall, e.g. "detection_range 1800 m is below the threshold
            2000 m"; empty for a pass.
    """

    passed: bool
    reasons: tuple[str, ...] = ()


def _number(value: float) -> str:
    return f"{value:g}"


def check_score(score: Any) -> int:
    """Check a use-case score: a whole number 1-10.

    Raises:
        ValidationError: field ``score``.
    """
    if isinstance(score, bool) or not isinstance(score, int) and not (isinstance(score, float) and score.is_integer()):
        raise ValidationError(f"must be a whole number 1-10, got {score!r}", field="score")
    if int(score) not in SCORE_RANGE:
        raise ValidationError(f"must be 1-10, got {score}", field="score")
    return int(score)


def evaluate_use_case(use_case: UseCase, measured: Mapping[str, tuple[float, str | None]], score: int) -> Outcome:
    """Check measured values against ``use_case`` and decide pass or fail from its thresholds.

    Args:
        use_case: the procedure's use case.
        measured: measure key -> (value, unit as given or None for the measure's own unit). Every measure of the use
            case must be there, and no other.
        score: the evaluator's 1-10 score, by the rubric.

    Returns:
        The :class:`Outcome`: a pass needs every measure at its threshold and ``score >= pass_score``.

    Raises:
        ValidationError: field ``measured`` for a missing or unknown measure, a unit that is not the measure's, or a
            value that is not a finite number; field ``score`` for a score outside 1-10.
    """
    score = check_score(score)
    known = {m.key: m for m in use_case.measures}
    unknown = [k for k in measured if k not in known]
    if unknown:
        raise ValidationError(f"use case {use_case.key} has no measure {unknown[0]!r}; its measures are "
                              f"{', '.join(known)}", field="measured")
    missing = [k for k in known if k not in measured]
    if missing:
        raise ValidationError(f"use case {use_case.key} needs a value for {', '.join(missing)} "
                              f"({', '.join(known[k].unit for k in missing)})", field="measured")
    reasons = []
    for key, measure in known.items():
        value, unit = measured[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (
                float("inf"), float("-inf")):
            raise ValidationError(f"{key}: must be a finite number, got {value!r}", field="measured")
        if unit is not None and unit.strip() != measure.unit:
            raise ValidationError(f"{key}: the unit must be {measure.unit!r} as the procedure says, got {unit!r} "
                                  "(values are not converted)", field="measured")
        if not measure.meets(float(value)):
            side = "below" if measure.direction == Direction.HIGHER else "above"
            reasons.append(f"{key} {_number(value)} {measure.unit} is {side} the threshold "
                           f"{_number(measure.threshold)} {measure.unit}")
    if score < use_case.pass_score:
        reasons.append(f"score {score} is below the pass score {use_case.pass_score}")
    return Outcome(not reasons, tuple(reasons))


class RiskCategory(StrEnum):
    """The category of a risk in a case's risk register."""

    TECHNICAL = "technical"
    OPERATIONAL = "operational"
    SUPPLY_CHAIN = "supply_chain"
    SECURITY = "security"
    INTEGRATION = "integration"


def parse_risk_category(text: str) -> RiskCategory:
    """Parse a risk category; ``supply chain`` and ``supply-chain`` mean ``supply_chain``.

    Raises:
        ValidationError: field ``category``, listing the valid names.
    """
    try:
        return RiskCategory(text.strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError:
        raise ValidationError(f"must be one of {', '.join(c.value for c in RiskCategory)}, got {text!r}",
                              field="category") from None


def risk_score(likelihood: Any, impact: Any) -> int:
    """The score of a risk on the 5x5 matrix: likelihood (1-5) times impact (1-5), so 1-25.

    Raises:
        ValidationError: field ``likelihood`` or ``impact``: not a whole number 1-5.
    """
    for name, value in (("likelihood", likelihood), ("impact", impact)):
        if isinstance(value, bool) or not isinstance(value, int) or value not in RISK_RANGE:
            raise ValidationError(f"must be a whole number 1-5, got {value!r}", field=name)
    return likelihood * impact


RISK_LEVELS: tuple[tuple[int, str], ...] = ((4, "low"), (9, "medium"), (16, "high"), (25, "critical"))
"""Score bands of the 5x5 matrix, this project's convention: 1-4 low, 5-9 medium, 10-16 high, 20-25 critical
(no product of two numbers 1-5 lies between 17 and 19)."""


def risk_level(score: int) -> str:
    """The level of a risk score 1-25 by :data:`RISK_LEVELS`.

    Raises:
        ValidationError: field ``score``: outside 1-25.
    """
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 25:
        raise ValidationError(f"must be 1-25, got {score!r}", field="score")
    return next(level for top, level in RISK_LEVELS if score <= top)


@dataclass(frozen=True)
class UseCaseResult:
    """The latest recorded result of one use case in a completed trial (the input of :func:`coverage`).

    Attributes:
        use_case: its key.
        trial_id: the trial that recorded it.
        passed: the outcome from the thresholds.
        reasons: why it failed (empty for a pass).
    """

    use_case: str
    trial_id: int
    passed: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Coverage:
    """How completed trials cover one procedure version's use cases.

    Attributes:
        procedure: ``REF vN`` for messages.
        missing: use-case keys that no completed trial recorded, in the procedure's order.
        failed: the failing results not overridden by the board, in the procedure's order.
        overridden: use-case keys that failed but the board overrode with a rationale.
        passed: use-case keys that passed.
    """

    procedure: str
    missing: tuple[str, ...]
    failed: tuple[UseCaseResult, ...]
    overridden: tuple[str, ...]
    passed: tuple[str, ...] = field(default=())

    @property
    def satisfied(self) -> bool:
        """True when no use case is missing and none failed without an override."""
        return not self.missing and not self.failed


def coverage(procedure: str, use_case_keys: Sequence[str], results: Iterable[UseCaseResult],
             overrides: Iterable[str]) -> Coverage:
    """Check that completed trials cover every use case of one procedure version.

    Args:
        procedure: the procedure's label for messages, e.g. ``cuas-example v1``.
        use_case_keys: the procedure's use cases, in order.
        results: the latest result of each use case across the case's completed trials (at most one per use case;
            later ones win when several are given).
        overrides: use-case keys the board overrode (a failure there does not block).

    Returns:
        The :class:`Coverage`.
    """
    latest = {r.use_case: r for r in results}
    overridden = set(overrides)
    missing = tuple(k for k in use_case_keys if k not in latest)
    failed = tuple(latest[k] for k in use_case_keys if k in latest and not latest[k].passed and k not in overridden)
    over = tuple(k for k in use_case_keys if k in latest and not latest[k].passed and k in overridden)
    passed = tuple(k for k in use_case_keys if k in latest and latest[k].passed)
    return Coverage(procedure, missing, failed, over, passed)


def check_gate(case_label: str, coverages: Sequence[Coverage]) -> None:
    """The ``tevv`` gate: every procedure of the case's trials is covered by completed trials, with no failure left
    without a board override.

    Args:
        case_label: e.g. ``case 23``.
        coverages: one per procedure version the case's trials (not cancelled) use; empty when it has none.

    Raises:
        GateNotSatisfied: with every reason in one message, e.g. "case 23 cannot pass the tevv gate: it has no
            trial: request one with 'rapid trials request'" or "case 23 cannot pass the tevv gate: cuas-example v1:
            no completed trial covers the use cases border, convoy; the use case perimeter failed in trial 7
            (detection_range 1800 m is below the threshold 2000 m); a board override with a rationale lets a failed
            use case pass ('rapid trials override')".
    """
    if not coverages:
        raise GateNotSatisfied(f"{case_label} cannot pass the tevv gate: it has no trial: request one with "
                               "'rapid trials request'")
    problems = []
    for cov in coverages:
        parts = []
        if cov.missing:
            parts.append(f"no completed trial covers the use case{'s' if len(cov.missing) > 1 else ''} "
                         f"{', '.join(cov.missing)}")
        for failure in cov.failed:
            parts.append(f"the use case {failure.use_case} failed in trial {failure.trial_id} "
                         f"({'; '.join(failure.reasons)})")
        if parts:
            problems.append(f"{cov.procedure}: {'; '.join(parts)}")
    if problems:
        hint = ""
        if any(cov.failed for cov in coverages):
            hint = "; a board override with a rationale lets a failed use case pass ('rapid trials override')"
        raise GateNotSatisfied(f"{case_label} cannot pass the tevv gate: {'; '.join(problems)}{hint}")


__all__ = [
    "Coverage", "Direction", "Measure", "Outcome", "Procedure", "RISK_LEVELS", "RISK_RANGE", "RiskCategory",
    "RubricBand", "SCORE_RANGE", "TRIAL_TRANSITIONS", "TrialStatus", "UseCase", "UseCaseResult", "check_gate",
    "check_rubric", "check_score", "check_transition", "coverage", "evaluate_use_case", "parse_risk_category",
    "risk_level", "risk_score", "use_cases_from_json",
]
