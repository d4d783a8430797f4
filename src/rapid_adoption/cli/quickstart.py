"""``rapid quickstart``: the main job."""

from __future__ import annotations

import typer
from rich.text import Text

from ..services.quickstart import run_quickstart
from ..services.workspace import Workspace
from .board import show_board
from .render import sharing_table
from .common import console, handle_errors, step_progress
from .imports import print_report
from .match import candidates_table
from .serve import DEFAULT_HOST, DEFAULT_PORT, run_server
from .trials import print_tevv_example
from .badge import write_quickstart_badge

HELP_TEXT = """Build a workspace from the bundled real data and show how real programmes compare with the 24-month target.

It makes a fresh workspace (an existing ./rapid.db is moved aside to rapid.db.TIMESTAMP.bak, never deleted), or imports into the current one with --reuse. It loads every bundled data set: EDF calls, projects and participants; SBIR Phase II awards, topics and Navy transitions; the test-centre network; DIANA cohorts and NIF investments; TRL, MRL and NATO reference tables.

It then opens adoption cases from real need-solution pairs, by these inference rules.

EDF projects: each project is a case on its call, owned by the European Commission (DG DEFIS) and opened on the project's start date. Its market-research gate is taken as passed that day (the call's evaluation chose it), so it is in tevv. A project whose status is Ended, or whose end date has passed, passed tevv on its end date and waits at badge.

Navy SBIR-to-Phase-III transitions: each is a case owned by the USA, opened on 1 October before the fiscal year of its earliest prior SBIR topic (N112-137 is FY2011: 2010-10-01). Its Phase III contract is dated 1 October before the transition's fiscal year (a lower bound), and every gate up to contracting is recorded then. Every transition in the file is a procurement (the Navy bought the capability for use), so the case is adopted on that date.

Every inferred decision is marked as inferred. Finally it prints the board and the funnel.

Testing: it imports the example evaluation procedures, requests a trial for every case in tevv (counter-UAS, maritime USV or generic system demonstration, by the need's test domain), schedules them across the test-centre network with CP-SAT and prints the plan. One case, E-CUAS (QS-EDF-101167796), is a demonstration: its trial's results are made-up values, marked as a demonstration, and it passes the tevv gate into badge.

Badges: the board of that demonstration case then passes its badge gate, which issues the badge of approval (an Open Badges 3.0 credential, signed with the European Commission's issuer key). The quickstart writes it next to the workspace as badge-QS-EDF-101167796.json and .jwt, and checks it as 'rapid badge verify' does.
"""


@handle_errors
def quickstart(
    reuse: bool = typer.Option(False, "--reuse", help="Import into the existing workspace instead of starting afresh."),
    per_stage: int = typer.Option(8, "--per-stage", min=1, help="Cases shown per stage on the board."),
    serve: bool = typer.Option(False, "--serve", help="Then serve the workspace in a browser (like 'rapid serve')."),
    host: str = typer.Option(DEFAULT_HOST, "--host", help="With --serve: address to listen on (default loopback only)."),
    port: int = typer.Option(DEFAULT_PORT, "--port", min=1, max=65535, help="With --serve: TCP port."),
) -> None:
    """Build a workspace from the bundled real data, open cases from real pairs, and print the board."""
    ws = Workspace.open()
    with step_progress(13) as step:
        report = run_quickstart(ws, reuse=reuse, progress=step)
    if report.backup:
        console.print(f"The previous workspace was moved to {report.backup}.", highlight=False)
    print_report(report.imported)
    opened = ", ".join(f"{n} from {label}" for label, n in report.opened.items()) or "none new"
    console.print(f"Adoption cases opened: {opened}; already present: {report.already_open}.", highlight=False)
    for ref, reason in report.skipped:
        console.print(Text(f"  not opened: {ref}: {reason}"), highlight=False)
    show_board(per_stage)
    if report.sharing is not None:
        console.print(sharing_table(report.sharing), highlight=False)
    if report.tevv is not None:
        print_tevv_example(report.tevv)
    if report.badge is not None:
        write_quickstart_badge(ws, report.badge)
    for result in report.candidates.values():
        console.print(candidates_table(result, passages=False))
    if report.candidates:
        console.print("More: rapid match need ID, rapid match text 'your need in words'", highlight=False)
    if report.demo_password:
        users = ", ".join(report.sharing.visible) if report.sharing else ""
        console.print(f"\nWeb login: user admin (or {users}), password {report.demo_password} "
                      "(shown once; change it with 'rapid users passwd').", highlight=False)
    console.print(f"\nWorkspace: {ws.location}. Try: rapid board --all, rapid case show 1, rapid needs list --text drone, "
                  "rapid serve", highlight=False)
    if serve:
        ws.close()
        run_server(host, port)


quickstart.__doc__ = HELP_TEXT  # the full inference rules, shown by --help
