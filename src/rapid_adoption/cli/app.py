"""The root ``rapid`` command."""

from __future__ import annotations

import typer

from .. import __version__
from .board import board
from .case import case_app
from .catalogue import make_group
from .imports import import_
from .match import index_app, match_app
from .quickstart import quickstart
from .access import tokens_app, users_app
from .assess import assess_app
from .audit import audit_app
from .badge import badge_app, issuer_app
from .common import IDENTITY
from .serve import serve
from .setup import db_app, init
from .sharing import groups_app, share
from .trials import calendar_app, procedures_app, risks_app, trials_app

app = typer.Typer(
    name="rapid",
    help="Rapid Adoption: run an alliance's defence-technology adoption pipeline, from capability need to fielded "
    "capability within 24 months. The workspace is RAPID_DATABASE_URL (default sqlite ./rapid.db).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rapid-adoption {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    as_user: str = typer.Option(None, "--as", metavar="USER", help="Act as this user of the workspace (local use). Else RAPID_TOKEN, RAPID_USER, or the first admin."),
) -> None:
    """Rapid Adoption command line."""
    IDENTITY["as"] = as_user


app.command("quickstart")(quickstart)
app.command("init")(init)
app.command("serve")(serve)
app.command("import")(import_)
app.command("board")(board)
app.add_typer(db_app, name="db")
app.add_typer(case_app, name="case")
app.add_typer(assess_app, name="assess")
app.command("share")(share)
app.add_typer(groups_app, name="groups")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(audit_app, name="audit")
app.add_typer(match_app, name="match")
app.add_typer(index_app, name="index")
app.add_typer(trials_app, name="trials")
app.add_typer(procedures_app, name="procedures")
app.add_typer(risks_app, name="risks")
app.add_typer(calendar_app, name="calendar")
app.add_typer(badge_app, name="badge")
app.add_typer(issuer_app, name="issuer")
for _resource in ("needs", "solutions", "companies", "centres"):
    app.add_typer(make_group(_resource), name=_resource)


def main() -> None:
    """Entry point of the ``rapid`` console script."""
    app()
