"""``rapid users`` and ``rapid tokens``: people and API tokens of your organisation."""

from __future__ import annotations

import sys
from typing import List

import typer
from rich.table import Table
from rich.text import Text

from ..services import auth
from .common import MAX_ID, console, current_actor, handle_errors, open_workspace, print_json

users_app = typer.Typer(help="Users of your organisation (admins manage them).", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens: shown once, stored only as a hash, with an expiry.", no_args_is_help=True)


@users_app.command("add")
@handle_errors
def add(
    username: str = typer.Argument(..., help="The new user's name (letters, digits, . _ @ -)."),
    role: List[str] = typer.Option(..., "--role", "-r", help="admin, analyst, test_centre, board, viewer or auditor; repeat for more."),
    name: str = typer.Option(None, "--name", help="Display name."),
    org: str = typer.Option(None, "--org", help="Another organisation (only an admin of the workspace's own organisation onboards others)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read a password (12+ characters) for the web login from standard input."),
) -> None:
    """Add a user to your organisation (admin only), or onboard another organisation's user (--org)."""
    ws = open_workspace()
    actor = current_actor(ws)
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    user = auth.create_user(ws, actor, username, org or actor.org_ref, role, password=password, display_name=name)
    console.print(Text(f"Added {user['username']} to {user['organisation']} as {', '.join(user['roles'])}."))


@users_app.command("list")
@handle_errors
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the users of your organisation."""
    ws = open_workspace()
    users = auth.list_users(ws, current_actor(ws))
    if as_json:
        print_json(users)
        return
    table = Table(title="Users")
    for column in ("username", "organisation", "roles", "active"):
        table.add_column(column)
    for u in users:
        table.add_row(Text(u["username"]), u["organisation"], ", ".join(u["roles"]), "yes" if u["active"] else "no")
    console.print(table)


@users_app.command("passwd")
@handle_errors
def passwd(
    username: str = typer.Argument(None, help="Whose password (default: yours; an admin may set its users')."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input instead of asking."),
) -> None:
    """Set a password (12+ characters) for the web login; it is stored only as an argon2 hash."""
    ws = open_workspace()
    actor = current_actor(ws)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    auth.set_password(ws, actor, username or actor.username, password)
    console.print(Text(f"Password set for {username or actor.username}."))


@users_app.command("deactivate")
@handle_errors
def deactivate(username: str = typer.Argument(..., help="The user to deactivate.")) -> None:
    """Deactivate a user: from now on they get nothing, with any token (admin only)."""
    ws = open_workspace()
    auth.set_active(ws, current_actor(ws), username, False)
    console.print(Text(f"Deactivated {username}."))


@users_app.command("activate")
@handle_errors
def activate(username: str = typer.Argument(..., help="The user to reactivate.")) -> None:
    """Reactivate a user (admin only)."""
    ws = open_workspace()
    auth.set_active(ws, current_actor(ws), username, True)
    console.print(Text(f"Reactivated {username}."))


@tokens_app.command("create")
@handle_errors
def create(
    name: str = typer.Option(..., "--name", help="What the token is for, e.g. 'ci'."),
    user: str = typer.Option(None, "--user", help="For another user of your organisation (admin only)."),
    expires_days: int = typer.Option(auth.DEFAULT_TOKEN_DAYS, "--expires-days", help="Lifetime in days (1-366)."),
) -> None:
    """Create an API token. It is printed once; only its hash is stored."""
    ws = open_workspace()
    token = auth.create_token(ws, current_actor(ws), name, username=user, expires_days=expires_days)
    console.print(Text(f"Token {token.id} ({token.name}), expires {token.expires_at:%Y-%m-%d}. "
                       "Copy it now; it is not shown again:"), highlight=False)
    sys.stdout.write(token.token + "\n")


@tokens_app.command("list")
@handle_errors
def list_tokens(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List tokens (yours; all of your organisation's for an admin). Never shows a token itself."""
    ws = open_workspace()
    rows = auth.list_tokens(ws, current_actor(ws))
    if as_json:
        print_json(rows)
        return
    table = Table(title="API tokens")
    for column in ("id", "name", "user", "expires_at", "revoked", "last_used_at"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r["id"]), Text(r["name"]), Text(r["user"]), r["expires_at"][:10], "yes" if r["revoked"] else "no",
                      (r["last_used_at"] or "-")[:19])
    console.print(table)


@tokens_app.command("revoke")
@handle_errors
def revoke(token_id: int = typer.Argument(..., min=1, max=MAX_ID, help="The token's id (from 'rapid tokens list').")) -> None:
    """Revoke a token at once."""
    ws = open_workspace()
    auth.revoke_token(ws, current_actor(ws), token_id)
    console.print(f"Revoked token {token_id}.", highlight=False)
