"""``rapid match need|solution|text`` and ``rapid index rebuild``: ranked, explained candidates."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from ..services.matching import MatchFilters, candidates_for_need, match_text, needs_for_solution, rebuild_index
from .common import console, current_actor, handle_errors, open_workspace, print_json

match_app = typer.Typer(help="Rank solutions for a capability need, or needs for a solution (BM25, explained).",
                        no_args_is_help=True)
index_app = typer.Typer(help="The retrieval index behind 'rapid match'.", no_args_is_help=True)


def passage_text(passage: dict[str, Any]) -> Text:
    """A passage as Rich text with its matched words in bold (never Rich markup from the data)."""
    out = Text()
    at = 0
    for start, end in passage["highlights"]:
        out.append(passage["text"][at:start])
        out.append(passage["text"][start:end], style="bold reverse")
        at = end
    out.append(passage["text"][at:])
    return out


def candidates_table(result: dict[str, Any], passages: bool = True) -> Table:
    """The ranked candidates as a table: rank, ref, name, company or owner, TRL, score, matched words and passage."""
    solutions = result["ranked"] == "solutions"
    query = result["query"]
    label = query.get("ref") or repr(query.get("text"))
    table = Table(title=f"Top {len(result['candidates'])} of {result['total']} matching {result['ranked']} for {label}",
                  show_lines=passages)
    for column in ("#", "ref", "name" if solutions else "title", "company" if solutions else "owner", "TRL" if solutions else "domain",
                   "score", "why"):
        table.add_column(column, overflow="fold", no_wrap=column in ("#", "ref", "score"))
    for c in result["candidates"]:
        why = Text("matched: " + ", ".join(c["explanation"]["terms"][:8]))
        if passages and c["explanation"]["passages"]:
            why.append("\n")
            why.append_text(passage_text(c["explanation"]["passages"][-1]))
        if solutions:
            company = c["company"]["legal_name"] if c["company"] else "-"
            cells = [c["name"], company, "-" if c["trl"] is None else str(c["trl"])]
        else:
            cells = [c["title"], c["owner"], c["operational_domain"] or "-"]
        table.add_row(str(c["rank"]), c["ref"], *[Text(x) for x in cells], f"{c['score']:.1f}", why)
    return table


def _show(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(result)
        return
    console.print(candidates_table(result))
    if not result["candidates"]:
        console.print("No visible record shares a word with the query.", highlight=False)


TOP = typer.Option(20, "--top", min=1, max=100, help="How many candidates (1-100).")
JSON = typer.Option(False, "--json", help="Print JSON: {query, ranked, total, candidates}.")
AREA = typer.Option(None, "--technology-area", help="Only records listing this technology area (whole name).")
NATION = typer.Option(None, "--nation", help="ISO 3166-1 code: the company's country (solutions) or the owner's nation (needs).")


@match_app.command("need")
@handle_errors
def match_need(
    ident: str = typer.Argument(..., metavar="ID", help="The need's numeric id or ref, e.g. EDF-2023-DA-AIRDEF-CUAS."),
    top: int = TOP,
    technology_area: str = AREA,
    trl_min: int = typer.Option(None, "--trl-min", help="Lowest TRL (1-9)."),
    trl_max: int = typer.Option(None, "--trl-max", help="Highest TRL (1-9)."),
    nation: str = NATION,
    as_json: bool = JSON,
) -> None:
    """Rank the solutions you may see for a capability need, with the words and passages that matched."""
    ws = open_workspace()
    _show(candidates_for_need(ws, current_actor(ws), ident, MatchFilters(top, None, technology_area, trl_min, trl_max,
                                                                          nation)), as_json)


@match_app.command("solution")
@handle_errors
def match_solution(
    ident: str = typer.Argument(..., metavar="ID", help="The solution's numeric id or ref, e.g. EDF-101167796."),
    top: int = TOP,
    domain: str = typer.Option(None, "--domain", help="land, maritime, air, space or cyber."),
    technology_area: str = AREA,
    nation: str = NATION,
    as_json: bool = JSON,
) -> None:
    """Rank the capability needs you may see for a solution, with the words and passages that matched."""
    ws = open_workspace()
    _show(needs_for_solution(ws, current_actor(ws), ident, MatchFilters(top, domain, technology_area, None, None,
                                                                         nation)), as_json)


@match_app.command("text")
@handle_errors
def match_free_text(
    text: str = typer.Argument(..., help="Your need in your own words, e.g. 'detect small drones at night'."),
    needs: bool = typer.Option(False, "--needs", help="Rank needs instead of solutions."),
    top: int = TOP,
    technology_area: str = AREA,
    trl_min: int = typer.Option(None, "--trl-min", help="Solutions: lowest TRL (1-9)."),
    trl_max: int = typer.Option(None, "--trl-max", help="Solutions: highest TRL (1-9)."),
    nation: str = NATION,
    as_json: bool = JSON,
) -> None:
    """Rank solutions (or needs) for a need you write yourself, before you record it."""
    ws = open_workspace()
    _show(match_text(ws, current_actor(ws), text, "needs" if needs else "solutions",
                     MatchFilters(top, None, technology_area, trl_min, trl_max, nation)), as_json)


@index_app.command("rebuild")
@handle_errors
def index_rebuild() -> None:
    """Rebuild the retrieval index of every need and solution (imports and edits keep it current anyway)."""
    ws = open_workspace()
    counts = rebuild_index(ws, current_actor(ws))
    console.print(f"Indexed {counts['needs']} needs and {counts['solutions']} solutions.", highlight=False)
