"""The pipeline board and the funnel: every case with its clock, and counts per stage."""

from __future__ import annotations

from collections import Counter, OrderedDict
from threading import Lock
from statistics import median
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ..domain.clock import all_stage_deadlines, read_clock
from ..domain.types import ACTIVE_STAGES, ClockStatus, Stage
from ..store.tables import AdoptionCase, AuditHead, CapabilityNeed, Company, GateDecision, Organisation, Solution
from ..domain.sharing import Actor
from ..store.sharing import restrict, unrestricted
from .records import plain
from .workspace import Workspace


@dataclass(frozen=True)
class BoardCase:
    """One case on the board.

    Attributes:
        id, ref, stage, cots, opened_at: from the case.
        need_title, solution_name, company, owner: for display.
        status: on_track, at_risk, overdue or closed.
        days_left: days to the current stage's deadline (negative when overdue; None when closed).
        months_elapsed: months since opening (to closing for a closed case).
        stage_deadline: the current stage's deadline, or None.
        rejected_at_stage: for a rejected case, the stage whose gate it failed.
        within_budget: for a closed case, whether it closed by its total deadline (24 months, or
            the COTS total); None for an open case.
    """

    id: int
    ref: str | None
    stage: str
    cots: bool
    opened_at: datetime
    need_title: str
    solution_name: str
    company: str
    owner: str
    status: str
    days_left: int | None
    months_elapsed: float
    stage_deadline: datetime | None
    rejected_at_stage: str | None = None
    within_budget: bool | None = None


@dataclass
class Funnel:
    """Counts per stage and the headline figure.

    Attributes:
        total: cases in all.
        current: stage -> cases now in it (terminal stages included).
        reached: active stage -> cases that ever entered it (adopted included).
        passed_on_time: active stage -> cases whose gate out of it was passed by its deadline.
        median_months_to_pass: active stage -> median months from opening to passing its gate
            (months of 30.4375 days), or None when no case passed it.
        passed: active stage -> cases whose gate out of it was passed at all.
        status: status -> open cases with it.
        adopted: cases adopted.
        adopted_within_budget: cases adopted by their total deadline (24 months, or the COTS total).
        adopted_within_budget_share: ``adopted_within_budget / total`` (0.0 when there are no cases).
    """

    total: int = 0
    current: dict[str, int] = field(default_factory=dict)
    reached: dict[str, int] = field(default_factory=dict)
    passed: dict[str, int] = field(default_factory=dict)
    passed_on_time: dict[str, int] = field(default_factory=dict)
    median_months_to_pass: dict[str, float | None] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)
    adopted: int = 0
    adopted_within_budget: int = 0
    adopted_within_budget_share: float = 0.0


@dataclass
class Board:
    """The board: cases grouped by stage (most urgent first) and the funnel."""

    by_stage: dict[str, list[BoardCase]]
    funnel: Funnel
    now: datetime
    urgent: list[BoardCase] = field(default_factory=list)
    """Open cases overdue or at risk, overdue first, then by days left (computed once with the board)."""

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return plain({
            "now": self.now,
            "by_stage": {s: [c.__dict__ for c in cases] for s, cases in self.by_stage.items()},
            "funnel": self.funnel.__dict__,
        })


MONTH_SECONDS = 30.4375 * 86400
STAGE_INDEX = {s.value: i for i, s in enumerate(ACTIVE_STAGES)}


BOARD_CACHE_SIZE = 32
"""How many boards :func:`build_board` keeps in memory (one per reader and state of the data)."""
_boards: OrderedDict[tuple, Board] = OrderedDict()
_boards_lock = Lock()
_building: dict[tuple, Lock] = {}


def _data_version(session) -> tuple:
    """What changes whenever anything the board shows may have changed.

    Every write through the services appends an audit entry in its own transaction, which moves the audit head's
    ``last_change_id`` (token uses and logins do not);
    the cases' and decisions' own counters also catch writes made outside the services (bulk loads).
    """
    head = session.scalar(select(AuditHead.last_change_id).where(AuditHead.id == 1))
    cases = session.execute(unrestricted(select(func.count(), func.max(AdoptionCase.updated_at)),
                                         "cache key of the board: a count, never shown")).one()
    decisions = session.execute(unrestricted(select(func.count(), func.max(GateDecision.id)),
                                             "cache key of the board: a count, never shown")).one()
    return head, tuple(cases), tuple(decisions)


def build_board(workspace: Workspace, actor: Actor) -> Board:
    """The board as ``actor`` sees it at ``workspace.now()``, from memory when nothing changed since the last build.

    A board is kept per workspace, reader, minute of the clock and state of the data (see
    :func:`_data_version`), so a dashboard under load costs a few cheap queries instead of reading every case.
    """
    now = workspace.now()
    with workspace.uow.read() as session:
        key = (workspace.location, actor, now.replace(second=0, microsecond=0), _data_version(session),
               workspace.settings.budgets)
    with _boards_lock:
        if key in _boards:
            _boards.move_to_end(key)
            return _boards[key]
        building = _building.setdefault(key, Lock())
    with building:  # one reader builds a board; the others asking for the same one wait for it
        with _boards_lock:
            if key in _boards:
                return _boards[key]
        board = read_board(workspace, actor)
        with _boards_lock:
            _boards[key] = board
            _building.pop(key, None)
            while len(_boards) > BOARD_CACHE_SIZE:
                _boards.popitem(last=False)
    return board


def read_board(workspace: Workspace, actor: Actor) -> Board:
    """Read every case ``actor`` may see and compute its clock at ``workspace.now()``, plus the funnel.

    The funnel counts only visible cases (with visible needs and solutions), so it reveals nothing
    hidden.

    Cases in each stage are sorted most urgent first: overdue, then at risk, then on track, each by
    days left. One query reads the cases; one reads the gate decisions.
    """
    now = workspace.now()
    budgets = workspace.settings.budgets
    by_stage: dict[str, list[BoardCase]] = {s.value: [] for s in Stage}
    funnel = Funnel()
    statuses: Counter[str] = Counter()
    reached: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    on_time: Counter[str] = Counter()
    with workspace.uow.read() as session:
        query = (
            select(AdoptionCase.id, AdoptionCase.ref, AdoptionCase.stage, AdoptionCase.cots, AdoptionCase.opened_at,
                   AdoptionCase.closed_at, AdoptionCase.rejected_at_stage, CapabilityNeed.title, Solution.name,
                   Company.legal_name, Organisation.ref)
            .join(CapabilityNeed, CapabilityNeed.id == AdoptionCase.need_id)
            .join(Solution, Solution.id == AdoptionCase.solution_id)
            .join(Company, Company.id == Solution.company_id)
            .join(Organisation, Organisation.id == AdoptionCase.owner_org_id)
        )
        query = restrict(query, actor)
        deadlines_of: dict[int, tuple[datetime, ...]] = {}
        opened_of: dict[int, datetime] = {}
        for cid, ref, stage, cots, opened_at, closed_at, rejected_at, need, solution, company, owner in session.execute(query):
            opened_of[cid] = opened_at
            deadlines = deadlines_of[cid] = all_stage_deadlines(opened_at, cots=cots, budgets=budgets)
            reading = read_clock(opened_at, Stage(stage), now, cots=cots, budgets=budgets, closed_at=closed_at,
                                 deadlines=deadlines)
            by_stage[stage].append(BoardCase(cid, ref, stage, cots, opened_at, need, solution, company, owner,
                                             reading.status.value, reading.days_left, round(reading.months_elapsed, 1),
                                             reading.stage_deadline, rejected_at,
                                             None if closed_at is None else closed_at <= deadlines[-1]))
            funnel.total += 1
            if reading.status != ClockStatus.CLOSED:
                statuses[reading.status.value] += 1
            if stage == Stage.ADOPTED.value:
                funnel.adopted += 1
                if closed_at and closed_at <= deadlines[-1]:
                    funnel.adopted_within_budget += 1
        advances = [row for row in session.execute(restrict(
            select(GateDecision.case_id, GateDecision.from_stage, GateDecision.to_stage, GateDecision.decided_at)
            .where(GateDecision.to_stage.notin_([Stage.REJECTED.value, Stage.WITHDRAWN.value])), actor
        )).all() if row[0] in deadlines_of]
    months_to_pass: dict[str, list[float]] = {}
    # Every case enters market research; it enters a later stage only through a gate decision.
    reached[Stage.MARKET_RESEARCH.value] = funnel.total
    for case_id, from_stage, to_stage, decided_at in advances:
        reached[to_stage] += 1
        passed[from_stage] += 1
        months_to_pass.setdefault(from_stage, []).append((decided_at - opened_of[case_id]).total_seconds() / MONTH_SECONDS)
        if decided_at <= deadlines_of[case_id][STAGE_INDEX[from_stage]]:
            on_time[from_stage] += 1
    for stage_cases in by_stage.values():
        # Open cases: most urgent first. Closed cases: the quickest first.
        stage_cases.sort(key=lambda c: ({"overdue": 0, "at_risk": 1, "on_track": 2, "closed": 3}[c.status],
                                        c.days_left if c.days_left is not None else c.months_elapsed, c.id))
    funnel.current = {s.value: len(by_stage[s.value]) for s in Stage}
    funnel.reached = {s: reached[s] for s in [x.value for x in ACTIVE_STAGES] + [Stage.ADOPTED.value]}
    funnel.passed = {s.value: passed[s.value] for s in ACTIVE_STAGES}
    funnel.passed_on_time = {s.value: on_time[s.value] for s in ACTIVE_STAGES}
    funnel.median_months_to_pass = {
        s.value: round(median(months_to_pass[s.value]), 1) if months_to_pass.get(s.value) else None for s in ACTIVE_STAGES}
    funnel.status = {s: statuses[s] for s in ("on_track", "at_risk", "overdue")}
    funnel.adopted_within_budget_share = funnel.adopted_within_budget / funnel.total if funnel.total else 0.0
    urgent = sorted((c for s in ACTIVE_STAGES for c in by_stage[s.value] if c.status in ("overdue", "at_risk")),
                    key=lambda c: (c.status != "overdue", c.days_left, c.id))
    return Board(by_stage, funnel, now, urgent)
