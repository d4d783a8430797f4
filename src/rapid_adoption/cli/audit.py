"""``rapid audit``: the append-only, hash-chained log."""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from ..domain.errors import PermissionDenied
from ..services import audit
from .common import MAX_ID, MAX_OFFSET, console, current_actor, handle_errors, open_workspace, print_json

audit_app = typer.Typer(help="The audit log: every change, share, gate decision, login and token use.", no_args_is_help=True)


ChainBroken = audit.AuditLogBroken


@audit_app.command("list")
@handle_errors
def list_(object_type: str = typer.Option(None, "--type", help="Only entries about this kind of object, e.g. assessments."),
          object_id: int = typer.Option(None, "--id", min=1, max=MAX_ID, help="Only entries about this object id."),
          limit: int = typer.Option(50, "--limit", min=1, max=10000),
          offset: int = typer.Option(0, "--offset", min=0, max=MAX_OFFSET),
          as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Entries you may see, newest first: about records shared with you, and your organisation's own (all of it for an auditor)."""
    ws = open_workspace()
    rows = audit.list_entries(ws, current_actor(ws), object_type=object_type, object_id=object_id, limit=limit, offset=offset)
    if as_json:
        print_json(rows)
        return
    table = Table(title="Audit log")
    for column in ("id", "at", "actor", "action", "object"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r["id"]), r["at"][:19], Text(r["actor"]), r["action"],
                      f"{r['object_type']}:{r['object_id']}" if r["object_id"] is not None else r["object_type"])
    console.print(table)


@audit_app.command("verify")
@handle_errors
def verify() -> None:
    """Recompute the hash chain; exit 10 and name each altered or missing entry if it is broken."""
    ws = open_workspace()
    actor = current_actor(ws)
    if not actor.has_role("admin", "auditor"):
        raise PermissionDenied("verifying the audit log needs the role admin or auditor")
    report = audit.verify(ws)
    if report.ok:
        console.print(f"The audit log is intact: {report.entries} entries, chain verified.", highlight=False)
        return
    for problem in report.problems:
        console.print(Text(problem, style="red"))
    raise ChainBroken(f"the audit log is broken: {len(report.problems)} problem(s) in {report.entries} entries")
