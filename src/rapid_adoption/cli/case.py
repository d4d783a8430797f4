"""``rapid case``: open, advance, reject, withdraw, show."""

from __future__ import annotations

from typing import List

import typer
from rich.text import Text

from ..domain.pipeline import parse_advance_target
from ..domain.types import Stage
from ..services.cases import CaseService
from .common import console, current_actor, handle_errors, open_workspace, print_json
from .render import case_panel

case_app = typer.Typer(help="Adoption cases: one need, one solution, one owner, through the stage gates on the 24-month clock.",
                       no_args_is_help=True)

RATIONALE = typer.Option(..., "--rationale", "-r", help="Why the board decided so (required).")
EVIDENCE = typer.Option(None, "--evidence", "-e", help="A link to evidence (http or https); repeat for more.")
VERSION = typer.Option(None, "--if-version", help="Refuse if the case's version differs (optimistic locking).")


@case_app.command("open")
@handle_errors
def open_(
    need: str = typer.Argument(..., help="The capability need's id or ref."),
    solution: str = typer.Argument(..., help="The solution's id or ref."),
    cots: bool = typer.Option(False, "--cots", help="Commercial off the shelf: a 9-month total budget."),
    as_json: bool = typer.Option(False, "--json", help="Print the new case as JSON."),
) -> None:
    """Open an adoption case; its clock starts now."""
    ws = open_workspace()
    service = CaseService(ws, current_actor(ws))
    case_id = service.open(need, solution, cots=cots)
    view = service.show(case_id)
    if as_json:
        print_json(view.as_dict())
        return
    console.print(f"Opened case {case_id}: market research is due by "
                  f"{view.clock.stage_deadline:%Y-%m-%d %H:%M} UTC ({view.clock.days_left} day"
                  f"{'s' if view.clock.days_left != 1 else ''}).", highlight=False)
    console.print(Text(f"Marking: {view.case['marking']} ('rapid share case:{case_id}' changes it)."))


@case_app.command("advance")
@handle_errors
def advance(
    case: str = typer.Argument(..., help="The case's id or ref."),
    to: str = typer.Option(..., "--to", help="The next stage: tevv, badge, contracting, fielding or adopted."),
    rationale: str = RATIONALE,
    evidence: List[str] = EVIDENCE,
    if_version: int = VERSION,
) -> None:
    """Pass the current stage's gate into the next stage, recording the decision."""
    ws = open_workspace()
    service = CaseService(ws, current_actor(ws))
    service.advance(case, parse_advance_target(to), rationale, evidence or [], expected_version=if_version)
    view = service.show(case)
    console.print(f"Case {case} is now in {view.case['stage']} ({view.clock.status.value}).", highlight=False)


def _close(case: str, as_stage: Stage, rationale: str, evidence: list[str], if_version: int | None) -> None:
    ws = open_workspace()
    service = CaseService(ws, current_actor(ws))
    service.close(case, as_stage, rationale, evidence or [], expected_version=if_version)
    view = service.show(case)
    extra = f" at the {view.case['rejected_at_stage']} gate" if as_stage == Stage.REJECTED else ""
    console.print(f"Case {case} is {as_stage.value}{extra}.", highlight=False)


@case_app.command("reject")
@handle_errors
def reject(case: str = typer.Argument(..., help="The case's id or ref."), rationale: str = RATIONALE,
           evidence: List[str] = EVIDENCE, if_version: int = VERSION) -> None:
    """Close the case as rejected at its current gate."""
    _close(case, Stage.REJECTED, rationale, evidence, if_version)


@case_app.command("withdraw")
@handle_errors
def withdraw(case: str = typer.Argument(..., help="The case's id or ref."), rationale: str = RATIONALE,
             evidence: List[str] = EVIDENCE, if_version: int = VERSION) -> None:
    """Close the case as withdrawn."""
    _close(case, Stage.WITHDRAWN, rationale, evidence, if_version)


@case_app.command("show")
@handle_errors
def show(case: str = typer.Argument(..., help="The case's id or ref."),
         as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show the case: its clock, stage deadlines and timeline of gate decisions."""
    ws = open_workspace()
    view = CaseService(ws, current_actor(ws)).show(case)
    if as_json:
        print_json(view.as_dict())
        return
    console.print(case_panel(view), highlight=False)
