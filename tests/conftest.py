"""Shared fixtures: workspaces on real SQLite files, a frozen clock, and the quickstart database built once."""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from rapid_adoption.domain.clock import StageBudgets
from rapid_adoption.domain.sharing import Actor
from rapid_adoption.services.auth import actor_for_username, system_actor
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


POSTGRES_URL = os.environ.get("RAPID_TEST_POSTGRES_URL", "").strip()
"""A PostgreSQL server for the tests (``.ci/run`` starts one); without it the tests run on SQLite only."""
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def open_ws(path_or_url) -> Workspace:
    """A workspace with the frozen clock on a SQLite file path, or on a database URL."""
    url = str(path_or_url) if "://" in str(path_or_url) else f"sqlite:///{path_or_url}"
    return Workspace.open(Settings(url, StageBudgets()), now=frozen_now)


class Postgres:
    """Creates and drops throwaway databases on the test server, from templates built once."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")

    def url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        name = f"rapid_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        return name

    def drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres():
    """The PostgreSQL helper, or None when no server was given."""
    if not POSTGRES_URL:
        yield None
        return
    helper = Postgres(POSTGRES_URL)
    yield helper
    helper.admin.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory, postgres):
    """Per backend, a database built once: 'empty' (initialised) and 'quickstart' (the real quickstart)."""
    built: dict[tuple[str, str], str] = {}

    def get(backend: str, kind: str) -> str:
        key = (backend, kind)
        if key in built:
            return built[key]
        if backend == "sqlite":
            location = str(tmp_path_factory.mktemp(kind) / "rapid.db")
        else:
            location = postgres.create()
        ws = open_ws(location if backend == "sqlite" else postgres.url_for(location))
        if kind == "empty":
            init_workspace(ws)
        else:
            run_quickstart(ws)
        ws.close()
        built[key] = location
        return location

    yield get
    for (backend, _kind), location in built.items():
        if backend == "postgresql":
            postgres.drop(location)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """Each test that uses a workspace runs once per database backend."""
    return request.param


def _copy_of(kind: str, backend, templates, postgres, tmp_path):
    source = templates(backend, kind)
    if backend == "sqlite":
        path = tmp_path / "rapid.db"
        shutil.copy(source, path)
        ws = open_ws(path)
        yield ws
        ws.close()
        path.unlink(missing_ok=True)
        return
    name = postgres.create(template=source)
    ws = open_ws(postgres.url_for(name))
    yield ws
    ws.close()
    postgres.drop(name)


@pytest.fixture
def empty_ws(backend, templates, postgres, tmp_path) -> Workspace:
    """An initialised workspace with only the reference data (NATO members, bodies, TRL/MRL) and its first admin."""
    yield from _copy_of("empty", backend, templates, postgres, tmp_path)


@pytest.fixture
def qs_ws(backend, templates, postgres, tmp_path) -> Workspace:
    """A private copy of the quickstart database, so a test may change it."""
    yield from _copy_of("quickstart", backend, templates, postgres, tmp_path)


@pytest.fixture(scope="session")
def quickstart_file(templates) -> Path:
    """The SQLite database built once by the real quickstart (for the CLI tests, which run on files)."""
    return Path(templates("sqlite", "quickstart"))


def admin_of(ws: Workspace) -> Actor:
    """The workspace's first admin (DIANA's 'admin', roles admin, analyst, board)."""
    return actor_for_username(ws, "admin")


def system_of(ws: Workspace, org_ref: str) -> Actor:
    """The system itself acting for ``org_ref`` (as the quickstart does)."""
    with Session(ws.uow.engine) as session:
        return system_actor(session, org_ref)


@contextmanager
def inspect_db(ws: Workspace):
    """A plain session on the workspace's database for tests that check rows directly.

    It bypasses the sharing filter on purpose (a test looks at everything); the product's own reads
    go through ``ws.uow``, whose sessions refuse unfiltered reads.
    """
    with Session(ws.uow.engine) as session:
        yield session
        session.rollback()
