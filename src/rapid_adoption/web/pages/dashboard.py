"""The dashboard: the pipeline board, the funnel, cases at risk and overdue, and the headline figure."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ...domain.types import ACTIVE_STAGES, Stage
from ...services.board import build_board
from ..render import render
from ..session import PageActor
from .common import workspace_of

router = APIRouter(include_in_schema=False)

BOARD_SHOWN = 25
"""Cases shown per stage (most urgent first) and in the at-risk table, unless the reader asks for all."""


@router.get("/")
def dashboard(request: Request, actor: PageActor, all: bool = False):
    """The pipeline board as the actor may see it: headline, funnel chart, urgent cases and the board by stage.

    Each stage shows its :data:`BOARD_SHOWN` most urgent cases and a link to show all (``?all=1``).
    """
    workspace = workspace_of(request)
    board = build_board(workspace, actor)
    return render(request, "dashboard.html", {
        "board": board, "funnel": board.funnel, "shown": 1_000_000_000 if all else BOARD_SHOWN,
        "budgets": workspace.settings.budgets, "urgent": board.urgent,
        "active": [s.value for s in ACTIVE_STAGES],
        "terminal": [Stage.ADOPTED.value, Stage.REJECTED.value, Stage.WITHDRAWN.value],
        "funnel_stages": [s.value for s in ACTIVE_STAGES] + [Stage.ADOPTED.value],
    })
