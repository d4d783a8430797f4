"""``rapid match need|solution|text``, ``rapid index rebuild`` and ``rapid index embed``: ranked, explained
candidates."""

from __future__ import annotations

from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from ..services.matching import (MatchFilters, candidates_for_need, embed_vectors, match_text, needs_for_solution,
                                 rebuild_index)
from .common import console, current_actor, err_console, handle_errors, open_workspace, print_json

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
        console.print("No visible record shares a word with the query and passes the filters. A TRL filter keeps only "
                      "solutions with a recorded TRL (the bundled EDF and SBIR records have none; import your "
                      "solutions with a `trl` column to use it).", highlight=False)


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


class RateColumn(ProgressColumn):
    """The embedding rate, in records per second (Rich's estimate over the last 30 seconds)."""

    def render(self, task) -> Text:
        """``12.3 records/s``, or ``? records/s`` before the first batch is done."""
        return Text("? records/s" if task.speed is None else f"{task.speed:,.1f} records/s")


@index_app.command("embed")
@handle_errors
def index_embed(
    model: str = typer.Option("minilm", "--model", help="minilm (Apache-2.0; the 'transformers' extra) or wordllama "
                              "(torch-free, the 'wordllama' extra; see data/PROVENANCE.md for its licence question)."),
    batch: int = typer.Option(64, "--batch",
                              help="Records per batch; each batch is saved in its own transaction (1-10,000)."),
    limit: int = typer.Option(None, "--limit", help="Embed at most this many records in this run."),
) -> None:
    """Embed each need and solution whose dense vector is missing or stale, with a progress bar.

    Each batch is saved once encoded: after Ctrl-C or --limit, run it again to carry on.

    Vectors of deleted records are removed. The shipped ranking (BM25) does not use them.
    """
    ws = open_workspace()
    actor = current_actor(ws)
    bar = Progress(TextColumn(model), BarColumn(), MofNCompleteColumn(), RateColumn(), TextColumn("ETA"),
                   TimeRemainingColumn(), console=err_console)
    task = bar.add_task("embed", total=None)
    state = {"done": 0}

    def progress(done: int, total: int) -> None:
        if not bar.live.is_started:
            bar.start()
        state["done"] = done
        bar.update(task, completed=done, total=total)

    try:
        result = embed_vectors(ws, actor, model, batch, limit, progress)
    except KeyboardInterrupt:
        bar.stop()
        err_console.print(f"interrupted: {_records(state['done'])} embedded and saved; run the same command again "
                          "to carry on.", highlight=False)
        raise typer.Exit(130) from None
    finally:
        bar.stop()
    message = f"Embedded {_records(result['embedded'])} with {model}" + (
        f" ({result['dimensions']} dimensions)." if result["dimensions"] else ".")
    if result["removed"]:
        message += f" Removed the vectors of {_records(result['removed'])} deleted since."
    message += (f" {_records(result['remaining'])} still to embed: run it again to carry on." if result["remaining"]
                else " Every need and solution has a current vector.")
    console.print(message, highlight=False)


def _records(n: int) -> str:
    return f"{n:,} record" + ("" if n == 1 else "s")
