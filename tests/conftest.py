"""Shared fixtures: workspaces on real SQLite files, a frozen clock, and the quickstart database built once."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from rapid_adoption.domain.clock import StageBudgets
from rapid_adoption.services import workspace as workspace_module
from rapid_adoption.services.quickstart import run_quickstart
from rapid_adoption.services.setup import init_workspace
from rapid_adoption.services.workspace import Workspace
from rapid_adoption.settings import Settings

FROZEN_NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
"""Every test runs at this moment."""


def frozen_now() -> datetime:
    """The frozen clock."""
    return FROZEN_NOW


@pytest.fixture(autouse=True)
def freeze_clock(monkeypatch):
    """Freeze the default clock used by the CLI and by workspaces opened without one."""
    monkeypatch.setattr(workspace_module.CLOCK, "now", frozen_now)
    monkeypatch.delenv("RAPID_DATABASE_URL", raising=False)
    monkeypatch.delenv("RAPID_STAGE_BUDGETS_MONTHS", raising=False)
    monkeypatch.delenv("RAPID_COTS_TOTAL_MONTHS", raising=False)


def open_ws(path: Path) -> Workspace:
    """A workspace on the SQLite file ``path`` with the frozen clock."""
    return Workspace.open(Settings(f"sqlite:///{path}", StageBudgets()), now=frozen_now)


@pytest.fixture
def empty_ws(tmp_path) -> Workspace:
    """An initialised workspace with only the reference data (NATO members, bodies, TRL/MRL)."""
    ws = open_ws(tmp_path / "rapid.db")
    init_workspace(ws)
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def quickstart_file(tmp_path_factory) -> Path:
    """A database built once per test session by the real quickstart on the bundled data."""
    path = tmp_path_factory.mktemp("quickstart") / "rapid.db"
    ws = open_ws(path)
    run_quickstart(ws)
    ws.close()
    return path


@pytest.fixture
def qs_ws(quickstart_file, tmp_path) -> Workspace:
    """A private copy of the quickstart database, so a test may change it."""
    path = tmp_path / "rapid.db"
    shutil.copy(quickstart_file, path)
    ws = open_ws(path)
    yield ws
    ws.close()


@contextmanager
def inspect_db(ws: Workspace):
    """A plain session on the workspace's database for tests that check rows directly.

    It bypasses the sharing filter on purpose (a test looks at everything); the product's own reads
    go through ``ws.uow``, whose sessions refuse unfiltered reads.
    """
    with Session(ws.uow.engine) as session:
        yield session
        session.rollback()
