"""``rapid init`` and ``rapid db``: create and migrate the workspace."""

from __future__ import annotations

import sys

import typer

from ..services.setup import init_workspace
from ..store import migrate
from .common import console, handle_errors, open_workspace

db_app = typer.Typer(help="Database schema: migrations are the only way the schema is made.", no_args_is_help=True)


@handle_errors
def init(
    org: str = typer.Option(None, "--org", help="The organisation this workspace acts for: a NATO member's ISO alpha-3 code (DEU) or a NATO body (DIANA, NIF, NCIA, NSPA, ACT, CMRE). Default DIANA."),
    admin: str = typer.Option(None, "--admin", help="The first admin's user name (default 'admin'); made once, when the workspace has no user."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the first admin's web-login password (12+ characters) from standard input."),
) -> None:
    """Create or upgrade the workspace (RAPID_DATABASE_URL, default ./rapid.db), load the reference data, and make its first admin."""
    ws = open_workspace(require_schema=False)
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    init_workspace(ws, org, admin=admin, admin_password=password)
    console.print(f"Workspace ready at [bold]{ws.location}[/] (schema {migrate.current_revision(ws.uow.engine)}), "
                  f"acting for [bold]{ws.home_org_ref()}[/].", highlight=False)
    console.print("Next: [bold]rapid import all[/] to load the bundled real data, or [bold]rapid quickstart[/].")


@db_app.command("upgrade")
@handle_errors
def upgrade() -> None:
    """Apply every pending migration (alembic upgrade head)."""
    ws = open_workspace(require_schema=False)
    ws.upgrade()
    console.print(f"Schema at revision {migrate.current_revision(ws.uow.engine)} ({ws.location}).", highlight=False)


@db_app.command("current")
@handle_errors
def current() -> None:
    """Print the database's schema revision and the newest one this version ships."""
    ws = open_workspace(require_schema=False)
    path = ws.sqlite_path()
    if path is not None and not path.exists() and path.parent.is_dir():
        current_text = "(no database file yet)"
    else:
        ws.check_reachable(create=path is not None and not path.exists())
        current_text = migrate.current_revision(ws.uow.engine) or "(empty)"
    console.print(f"database: {current_text}; newest: {migrate.head_revision(ws.uow.engine)}", highlight=False)
