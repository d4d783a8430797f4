"""Shared CLI plumbing: opening the workspace, printing, and turning errors into exit codes."""

from __future__ import annotations

import functools
import getpass
import json
import sys
from typing import Any, Callable

import typer
from rich.console import Console

from ..domain.errors import RapidError
from ..services.workspace import Workspace

console = Console()
err_console = Console(stderr=True)


def handle_errors(fn: Callable) -> Callable:
    """Wrap a command: a :class:`RapidError` prints ``error: ...`` on stderr and exits with its code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except RapidError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def open_workspace(require_schema: bool = True) -> Workspace:
    """Open the workspace named by ``RAPID_DATABASE_URL`` (default ``./rapid.db``).

    Raises:
        NotInitialised: ``require_schema`` and the database has no schema.
    """
    ws = Workspace.open()
    if require_schema:
        ws.require_schema()
    return ws


def actor_name() -> str:
    """Who is acting, for gate decisions: the local user name (accounts arrive with sharing)."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "local user"


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout (no colour, no wrapping)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
