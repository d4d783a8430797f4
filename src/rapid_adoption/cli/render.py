"""Rich renderings of the board, the funnel and a case."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..domain.types import ACTIVE_STAGES, Stage
from ..services.board import Board
from ..services.cases import CaseView

STATUS_STYLE = {"on_track": "green", "at_risk": "yellow", "overdue": "red", "closed": "dim"}


def clock_bar(months_elapsed: float, total_months: float, width: int = 12) -> Text:
    """A text progress bar of the 24-month clock; full (and red) past the total."""
    share = months_elapsed / total_months if total_months else 0
    filled = min(width, max(0, round(share * width)))
    style = "red" if share > 1 else "yellow" if share > 0.8 else "green"
    return Text("█" * filled + "░" * (width - filled), style=style)


def _status(case) -> Text:
    """The status cell: the clock status of an open case; for a closed one, whether it closed in time."""
    if case.status != "closed":
        return Text(case.status, style=STATUS_STYLE[case.status])
    if case.stage == "rejected":
        return Text(f"at {case.rejected_at_stage}", style="dim")
    if case.stage == "withdrawn":
        return Text("withdrawn", style="dim")
    return Text("in time", style="green") if case.within_budget else Text("late", style="red")


def _fit(text: str, width: int) -> Text:
    """``text`` as plain text (never markup), cut to ``width`` characters with an ellipsis."""
    return Text(text if len(text) <= width else text[: width - 1] + "…")


def board_tables(board: Board, per_stage: int, total_months: int, width: int = 80) -> Group:
    """One table per stage that has cases (most urgent first, at most ``per_stage`` rows each).

    Args:
        width: the console width in characters; the need/solution column takes what is left.
    """
    need_width = max(20, width - 63)
    parts = []
    for stage in [s.value for s in ACTIVE_STAGES] + [Stage.ADOPTED.value, Stage.REJECTED.value, Stage.WITHDRAWN.value]:
        cases = board.by_stage[stage]
        if not cases:
            continue
        table = Table(title=f"{stage} ({len(cases)})", title_justify="left", expand=False, box=box.SIMPLE_HEAD)
        table.add_column("case", justify="right", no_wrap=True, min_width=4)
        table.add_column("need → solution (company)", no_wrap=True, overflow="ellipsis", width=need_width)
        table.add_column("owner", no_wrap=True, min_width=8, max_width=8, overflow="ellipsis")
        table.add_column("status", no_wrap=True, min_width=8)
        table.add_column("days", justify="right", no_wrap=True, min_width=6)
        table.add_column("months", justify="right", no_wrap=True, min_width=6)
        table.add_column("clock", no_wrap=True, min_width=10)
        for c in cases[:per_stage]:
            table.add_row(
                str(c.id), _fit(f"{c.need_title} → {c.solution_name} ({c.company})", need_width), Text(c.owner),
                _status(c), "-" if c.days_left is None else str(c.days_left),
                f"{c.months_elapsed:.1f}", clock_bar(c.months_elapsed, total_months, width=10),
            )
        if len(cases) > per_stage:
            table.caption = f"{len(cases) - per_stage} more in {stage}; rapid board --all shows them"
        parts.append(table)
    if not parts:
        parts.append(Text("No adoption cases yet: rapid case open NEED SOLUTION, or rapid quickstart."))
    return Group(*parts)


def funnel_table(board: Board, budgets_months: tuple[int, ...]) -> Group:
    """The funnel: per stage, cases now in it, cases that reached it, and gates passed on time."""
    f = board.funnel
    table = Table(title="Funnel (months are counted from each case's opening)", title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("stage", "budget", "now in", "reached", "passed", "on time", "median"):
        table.add_column(column, justify="left" if column == "stage" else "right", no_wrap=True)
    for stage, budget in zip(ACTIVE_STAGES, budgets_months):
        s = stage.value
        passed = f.passed[s]
        on_time = f"{f.passed_on_time[s]} ({f.passed_on_time[s] / passed:.0%})" if passed else "-"
        median = f.median_months_to_pass[s]
        table.add_row(s, f"{budget} mo", str(f.current[s]), str(f.reached[s]), str(passed), on_time,
                      "-" if median is None else f"{median:.1f} mo")
    table.add_row("adopted", "", str(f.current["adopted"]), str(f.reached["adopted"]), "", "", "")
    table.add_row("rejected", "", str(f.current["rejected"]), "", "", "", "")
    table.add_row("withdrawn", "", str(f.current["withdrawn"]), "", "", "", "")
    table.caption = ("budget: deadline to pass the gate; passed: cases that passed it; on time: by the deadline; "
                     "median: months from opening to passing it (inferred gate dates are lower bounds)")
    status = Text.assemble(
        "Open cases: ", (f"{f.status['on_track']} on track", "green"), ", ", (f"{f.status['at_risk']} at risk", "yellow"),
        ", ", (f"{f.status['overdue']} overdue", "red"), ".")
    headline = Text(
        f"Adopted within {budgets_months[-1]} months: {f.adopted_within_budget} of {f.total} cases "
        f"({f.adopted_within_budget_share:.1%}); adopted at all: {f.adopted}.", style="bold")
    return Group(table, status, headline)


def _days(days_left: int) -> str:
    """'1 day left', '12 days left', 'due today', '3 days overdue'."""
    if days_left == 0:
        return "due today"
    n = abs(days_left)
    return f"{n} day{'s' if n != 1 else ''} {'left' if days_left > 0 else 'overdue'}"


def _day(value) -> str:
    text = value if isinstance(value, str) else value.isoformat()
    return text[:10]


def case_panel(view: CaseView) -> Group:
    """A case's marking, header, clock, stage deadlines and timeline, readable at 80 columns."""
    c, clock = view.case, view.clock
    banner = Text(c.get("marking", ""), style="bold reverse")
    header = Text.assemble(
        (f"Case {c['id']}", "bold"), f"{'  ' + c['ref'] if c.get('ref') else ''}  (version {c['version']})\n",
        ("need      ", "bold"), f"{c['need_ref']}: {view.need_title}\n",
        ("solution  ", "bold"), f"{c['solution_ref']}: {view.solution_name} ({view.company_name})\n",
        ("stage     ", "bold"), c["stage"] + (f" at the {c['rejected_at_stage']} gate" if c.get("rejected_at_stage") else ""),
        "   ", ("status ", "bold"), (clock.status.value, STATUS_STYLE[clock.status.value]),
        f"   COTS: {'yes' if c['cots'] else 'no'}\n",
        ("opened    ", "bold"), _day(c["opened_at"]), f"   months elapsed: {clock.months_elapsed:.1f}"
        f"   overall deadline: {_day(clock.total_deadline)}\n",
    )
    if clock.stage_deadline is not None:
        header.append_text(Text.assemble(
            ("deadline  ", "bold"), f"{c['stage']} by {_day(clock.stage_deadline)}: {_days(clock.days_left)}, "
            f"{int(clock.window_used * 100)}% of the stage window used\n"))
    deadlines = Text("stage deadlines: " + ", ".join(f"{s} {_day(w)}" for s, w in view.stage_deadlines.items()) + "\n")
    timeline = Text("Timeline\n", style="bold")
    if not view.timeline:
        timeline.append("  no gate decisions yet\n", style="dim")
    for d in view.timeline:
        on_time = "" if d["on_time"] is None else (" on time" if d["on_time"] else " late")
        timeline.append(f"  {_day(d['decided_at'])}  {d['from_stage']} → {d['to_stage']}", style="bold")
        timeline.append(on_time, style="green" if d["on_time"] else "red")
        timeline.append(f"  by {d['decided_by']}" + (" [inferred]" if d["inferred"] else "") + "\n")
        timeline.append(f"      {d['rationale']}\n")
        for link in d["evidence"]:
            timeline.append(f"      evidence: {link}\n", style="cyan")
    return Group(banner, header, deadlines, timeline)


def sharing_table(example) -> Table:
    """Who sees which of the quickstart's example assessments (one column per example user's nation)."""
    from ..services.example import ASSESSMENTS

    table = Table(title="Sharing between allies: who sees which example assessment", title_justify="left",
                  box=box.SIMPLE_HEAD)
    table.add_column("id", justify="right")
    table.add_column("by")
    table.add_column("shared as", overflow="fold")
    users = list(example.visible)
    for user in users:
        table.add_column(user.split(".")[0].upper(), justify="center")
    for assessment_id, spec in zip(example.assessments, ASSESSMENTS):
        by, _solution, _need, _trl, _mrl, _fit, distribution, tlp, group, rel_to, _text = spec
        shared = f"TLP:{tlp} · {group or distribution}" + (f" · REL TO {rel_to}" if rel_to else "")
        table.add_row(str(assessment_id), by.split(".")[0].upper(), Text(shared),
                      *["yes" if assessment_id in example.visible[u] else "-" for u in users])
    table.caption = (f"Users: {', '.join(users)}. Try: rapid --as est.analyst assess list; "
                     "rapid --as fra.viewer assess show 2")
    return table
