"""Shared CLI plumbing: opening the workspace, printing, and turning errors into exit codes."""

from __future__ import annotations

import functools
import json
import os
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import typer
from rich.console import Console
from rich.text import Text
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..domain.errors import RapidError
from ..domain.sharing import Actor
from ..services.auth import AuthenticationFailed, actor_for_token, actor_for_username
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
            err_console.print(Text.assemble(("error:", "bold red"), f" {exc}"), highlight=False, soft_wrap=True)
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


MAX_ID = 2**63 - 1
"""The largest id or offset the database can hold (a signed 64-bit integer)."""
MAX_OFFSET = 10**9
"""The largest --offset accepted."""

IDENTITY: dict[str, str | None] = {"as": None}
"""The ``--as USER`` given to the root command for this invocation."""


def current_actor(ws: Workspace) -> Actor:
    """Who this command acts as: ``RAPID_TOKEN`` when set (then ``--as`` is refused), else ``--as USER``,
    ``RAPID_USER``, or the workspace's first admin (made by ``rapid init``).

    Raises:
        AuthenticationFailed: an unknown user, a bad token, or a deactivated user.
    """
    token = os.environ.get("RAPID_TOKEN", "").strip()
    if token:
        if IDENTITY["as"]:
            raise AuthenticationFailed("RAPID_TOKEN is set: it decides who you are, and --as cannot override it")
        return actor_for_token(ws, token)
    if IDENTITY["as"]:
        return actor_for_username(ws, IDENTITY["as"])
    username = os.environ.get("RAPID_USER", "").strip() or ws.default_username()
    if not username:
        raise AuthenticationFailed("this workspace has no user yet: run 'rapid init'")
    return actor_for_username(ws, username)


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout (no colour, no wrapping)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@contextmanager
def step_progress(expected_steps: int) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr over about ``expected_steps`` steps; yields a callback taking a step's message.

    Each call of the callback completes the previous step and shows the new message; the total grows
    if more steps arrive than expected.
    """
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        task = progress.add_task("starting", total=expected_steps)
        state = {"done": -1}

        def step(message: str) -> None:
            state["done"] += 1
            total = max(expected_steps, state["done"] + 1)
            progress.update(task, description=message, completed=state["done"], total=total)

        yield step
        progress.update(task, completed=max(expected_steps, state["done"] + 1))
