"""``rapid board``: cases by stage with their clocks, and the funnel."""

from __future__ import annotations

import typer

from ..services.board import build_board
from .common import console, current_actor, handle_errors, open_workspace, print_json
from .render import board_tables, funnel_table


def show_board(per_stage: int = 10) -> None:
    """Print the board and the funnel of the current workspace."""
    ws = open_workspace()
    board = build_board(ws, current_actor(ws))
    budgets = ws.settings.budgets.as_tuple()
    console.print(board_tables(board, per_stage, budgets[-1], console.width), highlight=False)
    console.print(funnel_table(board, budgets), highlight=False)


@handle_errors
def board(
    per_stage: int = typer.Option(10, "--per-stage", min=1, help="Cases shown per stage, most urgent first."),
    show_all: bool = typer.Option(False, "--all", help="Show every case."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: every case and the funnel."),
) -> None:
    """The pipeline board: cases by stage with status and days left, then the funnel."""
    if as_json:
        ws = open_workspace()
        print_json(build_board(ws, current_actor(ws)).as_dict())
        return
    show_board(10**9 if show_all else per_stage)
