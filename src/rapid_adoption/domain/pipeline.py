"""Stage-gate transitions of an adoption case.

Source: Rapid Adoption DESIGN, "The pipeline": ``market_research -> tevv -> badge -> contracting
-> fielding -> adopted``, with ``rejected`` and ``withdrawn`` as terminal states reachable from any
active stage.
"""

from __future__ import annotations

from .errors import GateNotSatisfied, ValidationError
from .types import ACTIVE_STAGES, Stage


def next_stage(stage: Stage) -> Stage:
    """The stage a case enters when it passes ``stage``'s gate.

    Raises:
        GateNotSatisfied: ``stage`` is terminal.
    """
    if stage.is_terminal:
        raise GateNotSatisfied(f"the case is {stage.value}: a closed case cannot move")
    index = ACTIVE_STAGES.index(stage)
    return ACTIVE_STAGES[index + 1] if index + 1 < len(ACTIVE_STAGES) else Stage.ADOPTED


def check_advance(current: Stage, target: Stage) -> None:
    """Check that a case in ``current`` may advance to ``target``.

    Only the next stage is allowed: a gate cannot be skipped and a case never moves back.

    Raises:
        GateNotSatisfied: with the reason, e.g. "cannot advance from market_research to badge:
            the next stage is tevv".
    """
    expected = next_stage(current)
    if target in (Stage.REJECTED, Stage.WITHDRAWN):
        raise GateNotSatisfied(f"use reject or withdraw, not advance, to close a case as {target.value}")
    if target != expected:
        raise GateNotSatisfied(
            f"cannot advance from {current.value} to {target.value}: the next stage is {expected.value}"
        )


def check_close(current: Stage, target: Stage) -> None:
    """Check that a case in ``current`` may be closed as ``target`` (``rejected`` or ``withdrawn``).

    Raises:
        ValidationError: ``target`` is not rejected or withdrawn.
        GateNotSatisfied: the case is already terminal.
    """
    if target not in (Stage.REJECTED, Stage.WITHDRAWN):
        raise ValidationError(f"a case closes as rejected or withdrawn, not {target.value}")
    if current.is_terminal:
        raise GateNotSatisfied(f"the case is already {current.value}")


def parse_stage(text: str) -> Stage:
    """Parse a stage name such as ``"tevv"``.

    Raises:
        ValidationError: unknown name; the message lists the valid names.
    """
    try:
        return Stage(text.strip().lower())
    except ValueError:
        valid = ", ".join(s.value for s in Stage)
        raise ValidationError(f"unknown stage {text!r}; expected one of {valid}", field="stage") from None


def parse_advance_target(text: str) -> Stage:
    """Parse the stage a case advances to: ``tevv``, ``badge``, ``contracting``, ``fielding`` or ``adopted``.

    Raises:
        ValidationError: anything else; the message lists the valid targets.
    """
    targets = (Stage.TEVV, Stage.BADGE, Stage.CONTRACTING, Stage.FIELDING, Stage.ADOPTED)
    try:
        stage = Stage(text.strip().lower())
    except ValueError:
        stage = None
    if stage not in targets:
        raise ValidationError(f"cannot advance to {text!r}; expected one of {', '.join(s.value for s in targets)}",
                              field="--to")
    return stage
