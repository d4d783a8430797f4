"""The dashboard: the pipeline board, the funnel, cases at risk and overdue, and the headline figure."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ...services.board import build_board
from ..render import render
from ..session import PageActor

router = APIRouter(include_in_schema=False)


@router.get("/")
def dashboard(request: Request, actor: PageActor):
    """The pipeline board as the actor may see it."""
    board = build_board(request.app.state.workspace, actor)
    return render(request, "dashboard.html", {"board": board})
