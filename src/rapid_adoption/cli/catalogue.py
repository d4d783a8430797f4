"""``rapid needs|solutions|companies|centres list|show``."""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from ..services.catalogue import Filters, list_records, show_record
from .common import MAX_OFFSET, console, current_actor, handle_errors, open_workspace, print_json

COLUMNS = {
    "needs": ("id", "ref", "title", "operational_domain", "priority", "owner"),
    "solutions": ("id", "ref", "name", "company", "country", "trl", "year"),
    "companies": ("id", "ref", "legal_name", "country", "sme", "eu_pic"),
    "centres": ("id", "name", "centre_type", "country", "city"),
}
TITLES = {"needs": "Capability needs", "solutions": "Solutions", "companies": "Companies", "centres": "Test centres"}
HELP = {
    "needs": "Capability needs: problem statements from nations and NATO bodies (EDF calls, SBIR topics, your own).",
    "solutions": "Solutions offered by companies (EDF projects, SBIR Phase II awards, your own).",
    "companies": "Companies and research bodies (EDF participants by PIC, SBIR firms after name merging, your own).",
    "centres": "Test centres, accelerator sites and test ranges of the network.",
}


def _cell(value) -> Text:
    """A table cell as plain text (never Rich markup), shortened to 70 characters."""
    if value is None:
        return Text("-")
    if isinstance(value, list):
        return Text("; ".join(map(str, value)))
    text = str(value)
    return Text(text if len(text) <= 70 else text[:67] + "...")


def make_group(resource: str) -> typer.Typer:
    """Build the ``list`` and ``show`` commands for ``resource``."""
    group = typer.Typer(help=HELP[resource], no_args_is_help=True)

    @group.command("list")
    @handle_errors
    def list_(
        text: str = typer.Option(None, "--text", "-t", help="Words that must all appear in the title, name or text (case-insensitive; 'uas' finds 'counter-UAS' and 'UASs', not 'persuasive')."),
        domain: str = typer.Option(None, "--domain", help="Needs: land, maritime, air, space or cyber. Centres: a domain word."),
        country: str = typer.Option(None, "--country", help="ISO 3166-1 code, e.g. DEU or DE: the owner's nation (needs), the company's country (solutions, companies), the centre's country."),
        trl_min: int = typer.Option(None, "--trl-min", help="Solutions: lowest TRL (1-9)."),
        trl_max: int = typer.Option(None, "--trl-max", help="Solutions: highest TRL (1-9)."),
        limit: int = typer.Option(50, "--limit", help="Rows to show (1-10000)."),
        offset: int = typer.Option(0, "--offset", max=MAX_OFFSET, help="Rows to skip first."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON: {total, rows}."),
    ) -> None:
        """List records matching the filters."""
        ws = open_workspace()
        total, rows = list_records(ws, current_actor(ws), resource,
                                   Filters(text, domain, country, trl_min, trl_max, limit, offset))
        if as_json:
            print_json({"total": total, "offset": offset, "rows": rows})
            return
        table = Table(title=f"{TITLES[resource]}: {len(rows)} of {total}")
        for column in COLUMNS[resource]:
            table.add_column(column, overflow="fold", no_wrap=column in ("id", "ref", "country", "trl", "year", "sme"))
        for row in rows:
            table.add_row(*[_cell(row.get(c)) for c in COLUMNS[resource]])
        console.print(table)
        if total > offset + len(rows):
            console.print(f"{total - offset - len(rows)} more: use --offset {offset + len(rows)}", highlight=False)

    list_.__doc__ = f"List {TITLES[resource].lower()} matching the filters."

    @group.command("show")
    @handle_errors
    def show(
        ident: str = typer.Argument(..., metavar="ID", help="The numeric id or the ref."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Show one record in full."""
        ws = open_workspace()
        record = show_record(ws, current_actor(ws), resource, ident)
        if as_json:
            print_json(record)
            return
        if record.get("marking"):
            console.print(Text(record["marking"], style="bold reverse"))
        table = Table(show_header=False, box=None)
        table.add_column("field", style="bold")
        table.add_column("value", overflow="fold")
        for key, value in record.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                value = "\n".join(", ".join(f"{k}={_cell(v)}" for k, v in item.items()) for item in value)
            elif isinstance(value, dict):
                value = ", ".join(f"{k}={_cell(v)}" for k, v in value.items())
            elif isinstance(value, list):
                value = "; ".join(map(str, value)) or "-"
            table.add_row(key, Text("-" if value is None else str(value)))
        console.print(table)

    return group
