"""``rapid groups`` and ``rapid share``: who may see what."""

from __future__ import annotations

from typing import List

import typer
from rich.table import Table
from rich.text import Text

from ..services import sharing
from .common import console, current_actor, handle_errors, open_workspace, print_json

groups_app = typer.Typer(help="Sharing groups: named sets of organisations, or of every organisation of some nations.",
                         no_args_is_help=True)


@groups_app.command("create")
@handle_errors
def create(name: str = typer.Argument(..., help="The group's name, e.g. Nordic-Baltic."),
           description: str = typer.Option(None, "--description", help="What the group is for.")) -> None:
    """Create a sharing group owned by your organisation."""
    ws = open_workspace()
    sharing.create_group(ws, current_actor(ws), name, description)
    console.print(Text(f"Created the sharing group {name}."))


@groups_app.command("add")
@handle_errors
def add(group: str = typer.Argument(..., help="The group's name."),
        org: str = typer.Option(None, "--org", help="An organisation's ref, e.g. DIANA or DEU."),
        nation: str = typer.Option(None, "--nation", help="Every organisation of this nation (ISO alpha-3)."),
        can_extend: bool = typer.Option(False, "--can-extend", help="The new member may add members too.")) -> None:
    """Add a member to a group (its owner, or a member allowed to extend it)."""
    ws = open_workspace()
    sharing.add_member(ws, current_actor(ws), group, organisation=org, nation=nation, can_extend=can_extend)
    console.print(Text(f"Added {org.upper() if org else 'every organisation of ' + nation.upper()} to {group}."))


@groups_app.command("remove")
@handle_errors
def remove(group: str = typer.Argument(..., help="The group's name."),
           org: str = typer.Option(None, "--org", help="An organisation's ref."),
           nation: str = typer.Option(None, "--nation", help="A nation (ISO alpha-3).")) -> None:
    """Remove a member from a group (its owner only). The group's records are hidden from it at once."""
    ws = open_workspace()
    sharing.remove_member(ws, current_actor(ws), group, organisation=org, nation=nation)
    console.print(Text(f"Removed {org.upper() if org else 'every organisation of ' + nation.upper()} from {group}."))


@groups_app.command("list")
@handle_errors
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The groups your organisation belongs to, with their members (other groups stay hidden)."""
    ws = open_workspace()
    groups = sharing.list_groups(ws, current_actor(ws))
    if as_json:
        print_json(groups)
        return
    table = Table(title="Sharing groups")
    for column in ("name", "owner", "members"):
        table.add_column(column, overflow="fold")
    for g in groups:
        members = ", ".join(m.get("organisation") or f"all of {m['nation']}" for m in g["members"])
        table.add_row(Text(g["name"]), g["owner"], Text(members))
    console.print(table)


@handle_errors
def share(
    record: str = typer.Argument(..., help="TYPE:ID, e.g. assessment:12 or need:EDF-2023-DA-AIR-SPS. TYPE: " + ", ".join(sharing.RECORD_TYPES)),
    distribution: str = typer.Option(None, "--distribution", help="organisation, community, connected or sharing_group."),
    group: str = typer.Option(None, "--group", help="The sharing group (implies --distribution sharing_group)."),
    tlp: str = typer.Option(None, "--tlp", help="CLEAR, GREEN, AMBER, AMBER+STRICT or RED (TLP 2.0)."),
    rel_to: str = typer.Option(None, "--rel-to", help="Releasable to these nations, e.g. DEU,FRA (NATO for NATO bodies); '' clears it."),
    red_to: List[str] = typer.Option(None, "--red-to", help="A user of your organisation named on a RED record; repeat for more."),
    as_json: bool = typer.Option(False, "--json", help="Print the new marking as JSON."),
) -> None:
    """Change who may see a record you own. The change is audited."""
    ws = open_workspace()
    result = sharing.share(ws, current_actor(ws), record, distribution=distribution, group=group, tlp=tlp,
                           releasable_to=rel_to, red_recipients=red_to or None)
    if as_json:
        print_json(result)
        return
    console.print(Text(f"{result['record']}: {result['marking']}"))
