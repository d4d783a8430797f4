"""``rapid import``: load bundled real data or a user's own file."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.table import Table

from ..domain.errors import ValidationError
from ..ingest.files import write_rejects
from ..services.imports import BUNDLED_SOURCES, ImportReport, run_import
from .common import console, current_actor, err_console, handle_errors, open_workspace, step_progress

SOURCE_HELP = (
    "What to import: 'all' (every bundled data set), a bundled set ("
    + ", ".join(BUNDLED_SOURCES)
    + "), or a kind of your own records (needs, companies, solutions, centres) followed by its FILE."
)


def print_report(report: ImportReport) -> None:
    """Print the per-table counts and the readers' notes."""
    table = Table(title="Import", show_lines=False)
    for column in ("table", "inserted", "updated", "unchanged"):
        table.add_column(column, justify="right" if column != "table" else "left")
    for name, c in report.counts.items():
        if c.inserted + c.updated + c.unchanged == 0:
            continue
        table.add_row(name, str(c.inserted), str(c.updated), str(c.unchanged))
    if table.row_count:
        console.print(table)
    for note, value in report.notes.items():
        console.print(f"  {note}: {value}", highlight=False)


REJECTS_HEADER = "file,line,field,message,row"


def _is_rejects_file(path: Path) -> bool:
    """True when ``path`` starts with the header this command writes (so replacing it loses nothing of the user's)."""
    try:
        with path.open(encoding="utf-8") as handle:
            return handle.readline().strip() == REJECTS_HEADER
    except (OSError, UnicodeDecodeError):
        return False


def check_rejects_path(rejects: Path, source_file: Path | None) -> None:
    """Refuse a rejects path that would overwrite the input, or that cannot be written, before importing.

    Raises:
        ValidationError: field ``--rejects``.
    """
    target = rejects.resolve()
    if source_file is not None and target == source_file.resolve():
        raise ValidationError("is the file being imported; choose another name for the rejects", field="--rejects")
    if target.is_dir():
        raise ValidationError(f"{rejects} is a folder; give a file name", field="--rejects")
    if target.exists() and not _is_rejects_file(target):
        raise ValidationError(f"{rejects} exists and is not a rejects file from an earlier import; give another "
                              "--rejects path", field="--rejects")
    if not target.parent.is_dir() or not os.access(target.parent, os.W_OK):
        raise ValidationError(f"cannot write {rejects}: the folder {target.parent} does not exist or is not writable",
                              field="--rejects")


@handle_errors
def import_(
    source: str = typer.Argument(..., help=SOURCE_HELP, metavar="SOURCE"),
    file: Path = typer.Argument(None, help="Your file (CSV, JSON or JSONL) for needs/companies/solutions/centres, or a folder to read a bundled set from instead of the bundled copy.", metavar="[FILE]"),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Import the good rows and write the bad ones, with their reasons, to the rejects file."),
    rejects: Path = typer.Option(Path("rejects.csv"), "--rejects", help="Where --skip-invalid writes the rejected rows."),
) -> None:
    """Import data transactionally: a bad row stops the import and nothing is written; running it twice changes nothing.

    Your own files use these columns (* required; lists separated by ';'):

    needs: ref*, title*, statement, operational_domain, technology_areas, priority, owner, source, published_on

    companies: ref*, legal_name*, aliases, country, eu_pic, duns, uei, ncage, sme, website, city, source

    solutions: ref*, company*, name*, description, technology_areas, trl, mrl, cots, dual_use, year, need, source

    centres: ref, name*, type*, country*, city, operator, domains, capabilities, source, notes
    """
    if skip_invalid:
        check_rejects_path(rejects, file)
    ws = open_workspace()
    with step_progress(9 if source == "all" else 6) as step:
        report = run_import(ws, source, actor=current_actor(ws), path=file, skip_invalid=skip_invalid, progress=step)
    print_report(report)
    if report.rejects:
        write_rejects(rejects, report.rejects)
        err_console.print(f"[yellow]{len(report.rejects)} row(s) rejected[/]; the rows and the reasons are in {rejects}",
                          highlight=False)
        if report.changed == 0 and not any(c.unchanged for c in report.counts.values()
                                           if c is not report.counts.get("organisations")):
            raise ValidationError(f"no row was imported: every row was rejected (see {rejects})")
    elif report.changed == 0:
        console.print("Nothing changed: the workspace already holds this data.")
