"""``rapid assess``: market-research assessments, the thing allies share."""

from __future__ import annotations

from datetime import date
from typing import List

import typer
from rich.table import Table
from rich.text import Text

from ..domain.errors import ValidationError
from ..services import assessments
from ..services.assessments import AssessmentInput
from .common import MAX_OFFSET, console, current_actor, handle_errors, open_workspace, print_json

assess_app = typer.Typer(help="Market-research assessments of solutions (TRL, MRL, fit, strengths, weaknesses, risks).",
                         no_args_is_help=True)


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"is not a date (expected YYYY-MM-DD), got {text!r}", field="--assessed-on") from None


def _values(trl, mrl, fit, strengths, weaknesses, risks, source, assessed_on) -> AssessmentInput:
    return AssessmentInput(trl=trl, mrl=mrl, fit_0_to_100=fit, strengths=strengths, weaknesses=weaknesses, risks=risks,
                           sources=tuple(source) if source else None, assessed_on=_date(assessed_on))


def _print(view: dict) -> None:
    console.print(Text(view["marking"], style="bold reverse"))
    table = Table(show_header=False, box=None)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key in ("id", "solution_ref", "need_ref", "case_id", "owner", "trl", "mrl", "fit_0_to_100", "strengths",
                "weaknesses", "risks", "sources", "assessed_on", "version"):
        if key in view:
            value = view[key]
            table.add_row(key, Text("-" if value in (None, []) else "; ".join(value) if isinstance(value, list) else str(value)))
    console.print(table)


TRL = typer.Option(None, "--trl", help="TRL as assessed (1-9).")
MRL = typer.Option(None, "--mrl", help="MRL as assessed (1-10).")
FIT = typer.Option(None, "--fit", help="Fit to the need (0-100).")
STRENGTHS = typer.Option(None, "--strengths")
WEAKNESSES = typer.Option(None, "--weaknesses")
RISKS = typer.Option(None, "--risks")
SOURCE = typer.Option(None, "--source", help="A source (link or reference); repeat for more.")
ASSESSED_ON = typer.Option(None, "--assessed-on", help="YYYY-MM-DD (default today).")


@assess_app.command("create")
@handle_errors
def create(
    solution: str = typer.Argument(..., help="The solution's id or ref."),
    need: str = typer.Option(None, "--need", help="The capability need it is assessed against."),
    case: str = typer.Option(None, "--case", help="The adoption case it belongs to (then it is never more visible than the case)."),
    trl: int = TRL, mrl: int = MRL, fit: int = FIT, strengths: str = STRENGTHS, weaknesses: str = WEAKNESSES,
    risks: str = RISKS, source: List[str] = SOURCE, assessed_on: str = ASSESSED_ON,
    distribution: str = typer.Option("organisation", "--distribution", help="organisation (default), community, connected or sharing_group."),
    group: str = typer.Option(None, "--group", help="The sharing group, with --distribution sharing_group."),
    tlp: str = typer.Option("AMBER", "--tlp", help="CLEAR, GREEN, AMBER (default), AMBER+STRICT or RED."),
    rel_to: str = typer.Option(None, "--rel-to", help="Releasable to these nations, e.g. DEU,FRA."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Record your organisation's assessment of a solution. It is private until you share it."""
    ws = open_workspace()
    view = assessments.create(ws, current_actor(ws), solution,
                              _values(trl, mrl, fit, strengths, weaknesses, risks, source, assessed_on),
                              need=need, case=case, distribution=distribution, tlp=tlp, group=group, releasable_to=rel_to)
    print_json(view) if as_json else _print(view)


@assess_app.command("update")
@handle_errors
def update(
    assessment: str = typer.Argument(..., help="The assessment's id."),
    trl: int = TRL, mrl: int = MRL, fit: int = FIT, strengths: str = STRENGTHS, weaknesses: str = WEAKNESSES,
    risks: str = RISKS, source: List[str] = SOURCE, assessed_on: str = ASSESSED_ON,
    if_version: int = typer.Option(None, "--if-version", help="Refuse if the assessment's version differs."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Change your organisation's assessment (only the fields given). Use 'rapid share' to change its sharing."""
    ws = open_workspace()
    view = assessments.update(ws, current_actor(ws), assessment,
                              _values(trl, mrl, fit, strengths, weaknesses, risks, source, assessed_on),
                              expected_version=if_version)
    print_json(view) if as_json else _print(view)


@assess_app.command("show")
@handle_errors
def show(assessment: str = typer.Argument(..., help="The assessment's id."),
         as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show an assessment you may see, with its marking."""
    ws = open_workspace()
    view = assessments.show(ws, current_actor(ws), assessment)
    print_json(view) if as_json else _print(view)


@assess_app.command("list")
@handle_errors
def list_(solution: str = typer.Option(None, "--solution", help="Only for this solution."),
          need: str = typer.Option(None, "--need", help="Only against this need."),
          limit: int = typer.Option(50, "--limit", min=1, max=10000),
          offset: int = typer.Option(0, "--offset", min=0, max=MAX_OFFSET),
          as_json: bool = typer.Option(False, "--json", help="Print JSON: {total, rows}.")) -> None:
    """List the assessments you may see: your organisation's and those shared with it."""
    ws = open_workspace()
    total, rows = assessments.list_visible(ws, current_actor(ws), solution=solution, need=need, limit=limit, offset=offset)
    if as_json:
        print_json({"total": total, "offset": offset, "rows": rows})
        return
    table = Table(title=f"Assessments: {len(rows)} of {total}")
    for column in ("id", "solution", "trl", "mrl", "fit", "tlp", "distribution", "rel to"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r["id"]), Text(r["solution"]), *[str(r[k]) if r[k] is not None else "-" for k in ("trl", "mrl", "fit_0_to_100")],
                      r["tlp"], r["distribution"], ", ".join(r["releasable_to"]) or "-")
    console.print(table)
