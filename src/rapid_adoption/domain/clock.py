"""The 24-month clock: month arithmetic, stage deadlines and a case's status at a given moment.

Source of the rules: NATO Rapid Adoption Action Plan (The Hague, June 2025) as summarised in the
Rapid Adoption DESIGN ("The pipeline: stage gates and the 24-month clock").

All datetimes are timezone-aware; naive datetimes are refused with ``ValidationError`` so that no
local time can slip into a deadline.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timezone

from .errors import ValidationError
from .types import ACTIVE_STAGES, ClockStatus, Stage

MAX_BUDGET_MONTHS = 1200
"""The largest stage budget accepted, in months (a century)."""
AT_RISK_FRACTION = 0.8
"""Share of a stage's window after which a case is ``at_risk`` (DESIGN: "more than 80%")."""


def require_aware(moment: datetime, name: str = "datetime") -> datetime:
    """Return ``moment`` converted to UTC.

    Args:
        moment: a timezone-aware datetime.
        name: the argument's name, used in the error.

    Raises:
        ValidationError: ``moment`` is naive (has no tzinfo).
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(f"{name} must be timezone-aware (UTC), got naive {moment.isoformat()}")
    return moment.astimezone(timezone.utc)


def add_months(moment: datetime, months: int) -> datetime:
    """Add whole calendar months, clamping the day to the target month's last day.

    2024-01-31 + 1 month is 2024-02-29 (leap year); 2023-01-31 + 1 month is 2023-02-28;
    2024-02-29 + 12 months is 2025-02-28. The time of day and tzinfo are kept. This is the
    convention of ``dateutil.relativedelta`` and of ISO 8601 durations applied to calendar dates.

    Args:
        moment: a datetime (aware or naive; the result keeps its tzinfo).
        months: the number of months to add; may be negative.

    Returns:
        The shifted datetime.
    """
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def add_fractional_months(moment: datetime, months: float) -> datetime:
    """Add a possibly fractional number of calendar months.

    The whole months are added with :func:`add_months`; the fraction is that share of the
    following calendar month's length. 1.125 months after 2025-01-01 is 2025-02-01 plus 1/8 of
    February's 28 days (3.5 days): 2025-02-04T12:00.

    Args:
        moment: a datetime.
        months: months to add (0 or more).
    """
    whole = int(months)
    base = add_months(moment, whole)
    fraction = months - whole
    if not fraction:
        return base
    return base + (add_months(moment, whole + 1) - base) * fraction


@dataclass(frozen=True)
class StageBudgets:
    """Per-deployment stage budgets, in months since the case opened.

    Attributes:
        market_research_months .. fielding_months: cumulative deadlines in months (defaults 3, 15,
            16, 21, 24); each must be larger than the one before.
        cots_total_months: the total budget of a commercial-off-the-shelf case (default 9); its
            stage deadlines scale by ``cots_total_months / fielding_months``.

    Raises:
        ValidationError: a budget is not positive, or the budgets do not increase.
    """

    market_research_months: int = 3
    tevv_months: int = 15
    badge_months: int = 16
    contracting_months: int = 21
    fielding_months: int = 24
    cots_total_months: int = 9

    def __post_init__(self) -> None:
        months = self.as_tuple()
        if any(m <= 0 or m > MAX_BUDGET_MONTHS for m in months):
            raise ValidationError(f"stage budgets must be 1-{MAX_BUDGET_MONTHS} months, got {', '.join(map(str, months))}",
                                  field="RAPID_STAGE_BUDGETS_MONTHS")
        if any(b <= a for a, b in zip(months, months[1:])):
            raise ValidationError(
                f"stage budgets must increase stage by stage, got {', '.join(map(str, months))}",
                field="RAPID_STAGE_BUDGETS_MONTHS",
            )
        if not 0 < self.cots_total_months <= self.fielding_months:
            raise ValidationError(
                f"must be 1 to the fielding budget ({self.fielding_months}) months, got {self.cots_total_months}",
                field="RAPID_COTS_TOTAL_MONTHS",
            )

    def as_tuple(self) -> tuple[int, int, int, int, int]:
        """The five cumulative budgets in stage order, in months."""
        return (
            self.market_research_months,
            self.tevv_months,
            self.badge_months,
            self.contracting_months,
            self.fielding_months,
        )

    @classmethod
    def parse(cls, text: str, cots_total_months: int = 9) -> "StageBudgets":
        """Build budgets from ``"3,15,16,21,24"`` (five comma-separated integers).

        Raises:
            ValidationError: not five integers, or not increasing.
        """
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 5 or not all(p.isascii() and p.isdigit() and len(p) < 6 for p in parts):
            raise ValidationError(
                f"stage budgets must be five comma-separated whole months, got {text!r}",
                field="RAPID_STAGE_BUDGETS_MONTHS",
            )
        values = [int(p) for p in parts]
        return cls(*values, cots_total_months=cots_total_months)


DEFAULT_BUDGETS = StageBudgets()


def stage_deadline(opened_at: datetime, stage: Stage, *, cots: bool, budgets: StageBudgets = DEFAULT_BUDGETS) -> datetime:
    """The moment by which a case must leave ``stage``.

    A standard case's deadline is ``opened_at`` plus the stage's budget in calendar months. A COTS
    case's budgets scale by ``cots_total_months / fielding_months`` (9/24 by default), in calendar
    months: market research 1.125 months, TEVV 5.625, badge 6, contracting 7.875, fielding 9 (see
    :func:`add_fractional_months`).

    Args:
        opened_at: the case's opening, timezone-aware.
        stage: an active stage.
        cots: whether the case buys commercial off the shelf.
        budgets: the deployment's budgets.

    Raises:
        ValidationError: ``stage`` is terminal, or ``opened_at`` is naive.
    """
    opened_at = require_aware(opened_at, "opened_at")
    if stage not in ACTIVE_STAGES:
        raise ValidationError(f"stage {stage.value} has no deadline: it is terminal")
    return all_stage_deadlines(opened_at, cots=cots, budgets=budgets)[ACTIVE_STAGES.index(stage)]


def all_stage_deadlines(opened_at: datetime, *, cots: bool, budgets: StageBudgets = DEFAULT_BUDGETS) -> tuple[datetime, ...]:
    """The five active stages' deadlines in stage order (see :func:`stage_deadline`), computed at once.

    Raises:
        ValidationError: ``opened_at`` is naive.
    """
    opened_at = require_aware(opened_at, "opened_at")
    if not cots:
        return tuple(add_months(opened_at, months) for months in budgets.as_tuple())
    scale = budgets.cots_total_months / budgets.fielding_months
    return tuple(add_fractional_months(opened_at, months * scale) for months in budgets.as_tuple())


def stage_window_start(opened_at: datetime, stage: Stage, *, cots: bool, budgets: StageBudgets = DEFAULT_BUDGETS) -> datetime:
    """Start of ``stage``'s window: the previous stage's deadline, or ``opened_at`` for the first stage."""
    index = ACTIVE_STAGES.index(stage)
    if index == 0:
        return require_aware(opened_at, "opened_at")
    return stage_deadline(opened_at, ACTIVE_STAGES[index - 1], cots=cots, budgets=budgets)


def total_deadline(opened_at: datetime, *, cots: bool, budgets: StageBudgets = DEFAULT_BUDGETS) -> datetime:
    """The moment the whole case must be adopted by: 24 months (9 for COTS) after opening."""
    return stage_deadline(opened_at, Stage.FIELDING, cots=cots, budgets=budgets)


@dataclass(frozen=True)
class ClockReading:
    """A case's clock at one moment.

    Attributes:
        status: ``on_track``, ``at_risk``, ``overdue``, or ``closed`` for a terminal case.
        stage_deadline: the current stage's deadline (None when closed).
        days_left: calendar days (UTC) from today to the stage deadline's day: 0 when it is due
            today, negative once that day has passed (None when closed).
        window_used: the share of the current stage's window that has passed, 0.0 before the
            window opens (None when closed).
        months_elapsed: calendar time since opening, in months of 30.4375 days (for display).
        total_deadline: the case's overall deadline (24 months, or the COTS total).
    """

    status: ClockStatus
    stage_deadline: datetime | None
    days_left: int | None
    window_used: float | None
    months_elapsed: float
    total_deadline: datetime


def read_clock(
    opened_at: datetime,
    stage: Stage,
    now: datetime,
    *,
    cots: bool,
    budgets: StageBudgets = DEFAULT_BUDGETS,
    closed_at: datetime | None = None,
    deadlines: tuple[datetime, ...] | None = None,
) -> ClockReading:
    """Read a case's clock at ``now``.

    Rules (DESIGN): ``overdue`` once ``now`` is past the current stage's deadline; ``at_risk`` once
    more than 80% of the stage's window (previous deadline to own deadline) has passed; otherwise
    ``on_track``. A terminal stage reads ``closed``; its elapsed months run to ``closed_at``.

    Args:
        opened_at, now, closed_at: timezone-aware datetimes.
        stage: the case's current stage.
        cots: whether the case is COTS.
        budgets: the deployment's budgets.
        deadlines: the case's :func:`all_stage_deadlines`, if the caller already has them.

    Raises:
        ValidationError: a naive datetime.
    """
    opened_at = require_aware(opened_at, "opened_at")
    if deadlines is None:
        deadlines = all_stage_deadlines(opened_at, cots=cots, budgets=budgets)
    now = require_aware(now, "now")
    end = require_aware(closed_at, "closed_at") if (stage.is_terminal and closed_at) else now
    months_elapsed = (end - opened_at).total_seconds() / (30.4375 * 86400)
    overall = deadlines[-1]
    if stage.is_terminal:
        return ClockReading(ClockStatus.CLOSED, None, None, None, months_elapsed, overall)
    index = ACTIVE_STAGES.index(stage)
    deadline = deadlines[index]
    start = deadlines[index - 1] if index else opened_at
    window = (deadline - start).total_seconds()
    used = max(0.0, (now - start).total_seconds() / window)
    days_left = (deadline.date() - now.date()).days
    if now > deadline:
        status = ClockStatus.OVERDUE
    elif used > AT_RISK_FRACTION:
        status = ClockStatus.AT_RISK
    else:
        status = ClockStatus.ON_TRACK
    return ClockReading(status, deadline, days_left, used, months_elapsed, overall)
