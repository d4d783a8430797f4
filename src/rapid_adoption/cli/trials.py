"""``rapid trials``, ``rapid procedures``, ``rapid risks`` and ``rapid calendar``: testing (TEVV) from the command line.

Each command calls one service and prints its result; ``--json`` prints the service's data as JSON.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, List

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from ..domain.errors import ValidationError
from ..services import tevv_calendars, tevv_procedures, tevv_risks, tevv_schedule, tevv_trials
from ..services.tevv_trials import TrialRequestInput
from .common import console, current_actor, handle_errors, open_workspace, print_json

trials_app = typer.Typer(help="Trials at test centres: request, schedule (CP-SAT), record results per use case, and "
                              "the tevv gate's coverage.", no_args_is_help=True)
procedures_app = typer.Typer(help="Evaluation procedures: use cases, measures of performance, 1-10 rubrics and pass "
                                  "thresholds (YAML or JSON files).", no_args_is_help=True)
risks_app = typer.Typer(help="The risk register of a case: 5x5 likelihood x impact, residual scores after trials, "
                             "burn-down.", no_args_is_help=True)
calendar_app = typer.Typer(help="A test centre's calendar: capacity per week, blackout weeks, capabilities.",
                           no_args_is_help=True)

JSON = typer.Option(False, "--json", help="Print JSON.")
OUTCOME_STYLE = {"pass": "green", "fail": "red", "not recorded": "dim"}


def _text(value: Any) -> Text:
    if value is None or value == []:
        return Text("-")
    if isinstance(value, list):
        return Text("; ".join(map(str, value)))
    return Text(str(value))


def _fields(data: dict[str, Any], keys: tuple[str, ...]) -> Table:
    table = Table(show_header=False, box=None)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for key in keys:
        if key in data:
            table.add_row(key, _text(data[key]))
    return table


# --- procedures --------------------------------------------------------------------------------------------------


@procedures_app.command("list")
@handle_errors
def procedures_list(all_versions: bool = typer.Option(False, "--all-versions", help="Every version, not the newest only."),
                    as_json: bool = typer.Option(False, "--json", help="Print JSON: {total, rows}.")) -> None:
    """List the evaluation procedures you may see (the newest version of each)."""
    ws = open_workspace()
    rows = tevv_procedures.list_procedures(ws, current_actor(ws), all_versions=all_versions)
    if as_json:
        print_json({"total": len(rows), "rows": rows})
        return
    table = Table(title=f"Evaluation procedures: {len(rows)}", box=box.SIMPLE_HEAD)
    for column in ("id", "ref", "version", "name", "weeks", "domain", "use cases", "owner"):
        table.add_column(column, no_wrap=column in ("ref", "domain"))
    for r in rows:
        name = r["name"] + (" [EXAMPLE]" if r["example"] else "")
        table.add_row(str(r["id"]), Text(r["ref"]), str(r["procedure_version"]), Text(name), str(r["duration_weeks"]),
                      r["test_domain"] or "(the need's)", Text(", ".join(r["use_cases"])), r["owner"])
    console.print(table)


@procedures_app.command("show")
@handle_errors
def procedures_show(procedure: str = typer.Argument(..., help="The procedure's id, ref (newest version) or REF@VERSION."),
                    version: int = typer.Option(None, "--version", min=1, help="This version."),
                    as_json: bool = JSON) -> None:
    """Show a procedure version: its use cases, measures of performance with units and thresholds, and rubrics."""
    ws = open_workspace()
    data = tevv_procedures.show_procedure(ws, current_actor(ws), procedure, version)
    if as_json:
        print_json(data)
        return
    console.print(Text(data["marking"], style="bold reverse"))
    title = f"{data['name']} ({data['ref']} v{data['procedure_version']})"
    console.print(Text(title, style="bold") + (Text("  EXAMPLE, not an agreed procedure", style="yellow")
                                                if data["example"] else Text("")))
    console.print(Text(data["description"]))
    console.print(Text(f"Trial length {data['duration_weeks']} weeks; test domain "
                       f"{data['test_domain'] or 'from the need'}; capabilities "
                       f"{', '.join(data['required_capabilities']) or 'none'}; versions {data['versions']}."))
    for use in data["use_cases"]:
        table = Table(title=f"{use['key']}: {use['name']} (passes at score >= {use['pass_score']} and every threshold)",
                      title_justify="left", box=box.SIMPLE_HEAD)
        for column in ("measure", "name", "unit", "direction", "threshold"):
            table.add_column(column)
        for m in use["measures"]:
            table.add_row(Text(m["key"]), Text(m["name"]), Text(m["unit"]),
                          "higher is better" if m["direction"] == "higher_is_better" else "lower is better",
                          f"{'>=' if m['direction'] == 'higher_is_better' else '<='} {m['threshold']:g}")
        console.print(table)
        for band in use["rubric"]:
            console.print(Text(f"    {band['scores']:>5}: {band['description']}"))


@procedures_app.command("import")
@handle_errors
def procedures_import(files: List[Path] = typer.Argument(None, help="Procedure files (.yaml, .yml or .json)."),
                      examples: bool = typer.Option(False, "--examples", help="Import the shipped example procedures."),
                      as_json: bool = JSON) -> None:
    """Import evaluation procedures; the same content again changes nothing, and a stored version never changes."""
    if not files and not examples:
        raise ValidationError("give procedure files, or --examples for the shipped ones", field="FILES")
    ws = open_workspace()
    actor = current_actor(ws)
    out = tevv_procedures.import_examples(ws, actor) if examples else []
    out += [tevv_procedures.import_procedure(ws, actor, path) for path in files or []]
    if as_json:
        print_json(out)
        return
    for r in out:
        state = "imported" if r["created"] else "already there, unchanged"
        console.print(Text(f"{r['ref']} v{r['procedure_version']} (id {r['id']}): {state}; use cases "
                           f"{', '.join(u['key'] for u in r['use_cases'])}."))


# --- trials ------------------------------------------------------------------------------------------------------


def print_trial(data: dict[str, Any]) -> None:
    """Print a trial's view: marking, fields, and its results per use case."""
    console.print(Text(data["marking"], style="bold reverse"))
    if data["demonstration"]:
        console.print(Text("DEMONSTRATION: the results show how the system works; they are not a real trial's.",
                           style="bold yellow"))
    shown = dict(data)
    shown["solution"] = f"{data['solution']['ref']}: {data['solution']['name']}" if data["solution"] else None
    shown["case"] = f"{data['case']['id']} ({data['case']['stage']})" if data["case"] else None
    p = data["procedure"]
    shown["procedure"] = f"{p['ref']} v{p['procedure_version']}: {p['name']}" + (" [EXAMPLE]" if p["example"] else "")
    shown["centre"] = f"{data['centre']['name']} ({data['centre']['country']})" if data["centre"] else None
    console.print(_fields(shown, ("id", "ref", "status", "case", "solution", "procedure", "test_domain",
                                  "required_capabilities", "centre", "window", "window_starts_on", "window_ends_on",
                                  "duration_weeks", "ready_on", "scheduled_by", "owner", "requested_by",
                                  "requested_at", "started_at", "completed_at", "cancelled_at", "cancel_reason",
                                  "notes", "version")))
    table = Table(title="Use cases", title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("use case", "outcome", "score", "measured", "why it failed"):
        table.add_column(column, overflow="fold")
    results = {r["use_case"]: r for r in data["results"]}
    for key, state in data["use_case_states"].items():
        r = results.get(key)
        measured = "; ".join(f"{m['measure']} {m['value']:g} {m['unit']}" for m in r["measured"]) if r else "-"
        table.add_row(Text(key), Text(state, style=OUTCOME_STYLE[state]), str(r["score_1_to_10"]) if r else "-",
                      Text(measured), Text("; ".join(r["outcome_reasons"]) if r else ""))
    console.print(table)


@trials_app.command("request")
@handle_errors
def request(
    procedure: str = typer.Option(..., "--procedure", "-p", help="The procedure: id, ref (newest version) or REF@VERSION."),
    case: str = typer.Option(None, "--case", help="The adoption case (id or ref) the trial belongs to."),
    solution: str = typer.Option(None, "--solution", help="The solution (id or ref); needed without --case."),
    use_case: List[str] = typer.Option(None, "--use-case", help="A use case the trial covers; repeat (default all)."),
    domain: str = typer.Option(None, "--domain", help="The test domain a centre must support (default the procedure's, else the need's)."),
    weeks: int = typer.Option(None, "--weeks", help="Duration in consecutive weeks, 1-52 (default the procedure's)."),
    ready_on: str = typer.Option(None, "--ready-on", help="The solution's ready date, YYYY-MM-DD (default today)."),
    capability: List[str] = typer.Option(None, "--capability", help="A capability the centre must list; repeat (default the procedure's)."),
    ref: str = typer.Option(None, "--ref", help="A unique reference of your own."),
    demonstration: bool = typer.Option(False, "--demonstration", help="Mark the trial as a demonstration."),
    notes: str = typer.Option(None, "--notes"),
    as_json: bool = JSON,
) -> None:
    """Request a trial of a solution under a procedure version; 'rapid trials schedule' places it."""
    ws = open_workspace()
    data = tevv_trials.request_trial(ws, current_actor(ws), TrialRequestInput(
        procedure=procedure, case=case, solution=solution, use_cases=use_case or None, test_domain=domain,
        duration_weeks=weeks, ready_on=ready_on, capabilities=capability or None, ref=ref,
        demonstration=demonstration, notes=notes))
    if as_json:
        print_json(data)
        return
    console.print(Text(f"Requested trial {data['id']}: {data['procedure']['ref']} v{data['procedure']['procedure_version']}"
                       f" ({', '.join(data['use_cases'])}), test domain {data['test_domain']}, "
                       f"{data['duration_weeks']} weeks, ready {data['ready_on']}. Next: rapid trials schedule "
                       f"{data['id']} (or --centre CENTRE --start WEEK)."))


def plan_table(plan: dict[str, Any], limit: int | None = None) -> Table:
    """The placements of a scheduling run as a compact table (first ``limit`` rows)."""
    rows = plan["placements"][:limit] if limit else plan["placements"]
    table = Table(title=f"Plan: {len(plan['placements'])} trials placed (late: weeks after the case's TEVV deadline)"
                        + (f" (first {len(rows)} shown)" if len(rows) < len(plan["placements"]) else ""),
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for column, width in (("trial", 5), ("case", 4), ("solution", 13), ("where", 5), ("centre", None),
                          ("starts", 10), ("wks", 3), ("late", 4)):
        table.add_column(column, no_wrap=True, overflow="ellipsis", min_width=width, max_width=width or 18,
                         justify="right" if column in ("trial", "case", "wks", "late") else "left")
    for p in rows:
        weeks = (date.fromisoformat(p["window_ends_on"]) - date.fromisoformat(p["window_starts_on"])).days // 7 + 1
        table.add_row(str(p["trial_id"]), str(p["case_id"] or "-"), Text(p["solution_ref"]),
                      p["country"] + ("" if p["in_preferred_country"] else " *"), Text(p["centre_name"]),
                      p["window_starts_on"], str(weeks), str(p["lateness_weeks"]))
    return table


def plan_summary(plan: dict[str, Any]) -> str:
    """One paragraph on a scheduling run: what was placed, the solver's status, objective, bound, gap and greedy."""
    if not plan["requested"]:
        return "No requested trial of yours to schedule ('rapid trials request' makes one)."
    placed = len(plan["placements"])
    gap = "-" if plan["gap"] is None else f"{plan['gap']:.1%}"
    reasons: dict[str, int] = {}
    for u in plan["unplaced"]:
        reasons[u["reason"]] = reasons.get(u["reason"], 0) + 1
    unplaced = ", ".join(f"{n} for {reason}" for reason, n in sorted(reasons.items())) or "none"
    centres = len({p["centre_id"] for p in plan["placements"]})
    countries = len({p["country"] for p in plan["placements"]})
    return (f"{plan['requested']} requested trials: {placed} placed at {centres} centres in {countries} countries, "
            f"unplaced {unplaced}. CP-SAT {plan['status']} in {plan['solve_seconds']:.2f} s: weighted lateness "
            f"{plan['weighted_lateness']} weeks, {plan['preference_misses']} outside a preferred country (*), "
            f"objective {plan['objective']}, bound {plan['bound']}, gap {gap}; greedy (earliest deadline first) "
            f"objective {plan['greedy']['objective']}. Week 0 starts {plan['origin']}."
            + ("" if plan["applied"] else " Dry run: nothing scheduled."))


@trials_app.command("schedule")
@handle_errors
def schedule(
    trials: List[str] = typer.Argument(None, help="Trials (id or ref); default every requested trial of yours."),
    centre: str = typer.Option(None, "--centre", help="Schedule ONE trial by hand at this centre (id or ref)."),
    start: str = typer.Option(None, "--start", help="With --centre: the first week, 2026-W50 or a date in it."),
    horizon: int = typer.Option(tevv_schedule.DEFAULT_HORIZON_WEEKS, "--horizon", help="Weeks in the plan (1-104)."),
    time_limit: float = typer.Option(tevv_schedule.DEFAULT_TIME_LIMIT_SECONDS, "--time-limit", help="CP-SAT's time limit in seconds."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Solve and show, but schedule nothing."),
    as_json: bool = JSON,
) -> None:
    """Place requested trials at centres and weeks with CP-SAT (least weighted lateness, then a centre in the
    solution's or requesting nation), or schedule one trial by hand with --centre and --start."""
    ws = open_workspace()
    actor = current_actor(ws)
    if centre is not None or start is not None:
        if centre is None or start is None or len(trials or []) != 1:
            raise ValidationError("scheduling by hand takes one trial, --centre and --start", field="--centre")
        data = tevv_trials.schedule_trial(ws, actor, trials[0], centre, start)
        if as_json:
            print_json(data)
            return
        console.print(Text(f"Trial {data['id']} is scheduled at {data['centre']['name']} ({data['centre']['country']}), "
                           f"{data['window']} ({data['window_starts_on']} to {data['window_ends_on']})."))
        return
    plan = tevv_schedule.schedule_requested(ws, actor, trials=trials or None, horizon_weeks=horizon,
                                            time_limit_seconds=time_limit, dry_run=dry_run)
    if as_json:
        print_json(plan)
        return
    console.print(Text(plan_summary(plan)))
    if plan["placements"]:
        console.print(plan_table(plan))
    for u in plan["unplaced"]:
        console.print(Text(f"  not placed: trial {u['trial_id']}: {u['reason']}: {u['detail']}"))


@trials_app.command("show")
@handle_errors
def show(trial: str = typer.Argument(..., help="The trial's id or ref."), as_json: bool = JSON) -> None:
    """Show a trial: its solution, procedure, centre, window, status and each use case's outcome."""
    ws = open_workspace()
    data = tevv_trials.show_trial(ws, current_actor(ws), trial)
    print_json(data) if as_json else print_trial(data)


@trials_app.command("record")
@handle_errors
def record(
    trial: str = typer.Argument(..., help="The trial's id or ref."),
    use_case: str = typer.Argument(..., help="The use case's key, e.g. point_defence."),
    value: List[str] = typer.Option(None, "--value", "-v", help="A measured value, KEY=NUMBER [UNIT], e.g. 'detection_range=3200 m'; one per measure."),
    score: int = typer.Option(..., "--score", help="The 1-10 score by the use case's rubric."),
    notes: str = typer.Option(None, "--notes"),
    evidence: List[str] = typer.Option(None, "--evidence", "-e", help="A link to evidence (http or https); repeat for more."),
    as_json: bool = JSON,
) -> None:
    """Record the result of one use case; pass or fail comes from the procedure's thresholds."""
    ws = open_workspace()
    data = tevv_trials.record_result(ws, current_actor(ws), trial, use_case, tevv_trials.parse_measured(value or []),
                                     score, notes=notes, evidence=evidence or [])
    if as_json:
        print_json(data)
        return
    outcome = Text(data["outcome"].upper(), style=OUTCOME_STYLE[data["outcome"]])
    console.print(Text(f"Trial {trial}, {data['use_case']}: score {data['score_1_to_10']}, ") + outcome
                  + Text(f"{': ' + '; '.join(data['outcome_reasons']) if data['outcome_reasons'] else ''}."))


def _status_command(name: str, fn, doc: str):
    @handle_errors
    def command(trial: str = typer.Argument(..., help="The trial's id or ref."), as_json: bool = JSON) -> None:
        ws = open_workspace()
        data = fn(ws, current_actor(ws), trial)
        if as_json:
            print_json(data)
            return
        console.print(Text(f"Trial {data['id']} is {data['status']}."))

    command.__doc__ = doc
    trials_app.command(name)(command)


_status_command("start", tevv_trials.start_trial, "Start a scheduled trial once its window has begun.")
_status_command("complete", tevv_trials.complete_trial, "Complete a running trial (every use case it covers needs a result).")


@trials_app.command("cancel")
@handle_errors
def cancel(trial: str = typer.Argument(..., help="The trial's id or ref."),
           reason: str = typer.Option(..., "--reason", help="Why it is cancelled."), as_json: bool = JSON) -> None:
    """Cancel a trial that is not completed."""
    ws = open_workspace()
    data = tevv_trials.cancel_trial(ws, current_actor(ws), trial, reason)
    print_json(data) if as_json else console.print(Text(f"Trial {data['id']} is cancelled."))


@trials_app.command("list")
@handle_errors
def list_(
    status: str = typer.Option(None, "--status", help="requested, scheduled, running, completed or cancelled."),
    case: str = typer.Option(None, "--case", help="Only this case's trials."),
    solution: str = typer.Option(None, "--solution", help="Only this solution's."),
    centre: str = typer.Option(None, "--centre", help="Only at this centre."),
    procedure: str = typer.Option(None, "--procedure", help="Only under this procedure (ref, or REF@VERSION)."),
    limit: int = typer.Option(50, "--limit", min=1, max=500, help="Rows to show (1-500)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: {total, rows}."),
) -> None:
    """List the trials you may see."""
    ws = open_workspace()
    page = tevv_trials.page_trials(ws, current_actor(ws), status=status, case=case, solution=solution, centre=centre,
                                   procedure=procedure, limit=limit)
    if as_json:
        print_json({"total": page.total, "rows": page.rows})
        return
    table = Table(title=f"Trials: {len(page.rows)} of {page.total} (rapid trials show ID for one)", box=box.SIMPLE_HEAD,
                  pad_edge=False, collapse_padding=True)
    widths = {"id": 3, "status": 9, "case": 4, "solution": 13, "centre": None, "starts": 10, "owner": 8}
    for column, width in widths.items():
        table.add_column(column, overflow="ellipsis", no_wrap=True, min_width=width, max_width=width or 26)
    for r in page.rows:
        centre = f"{r['centre_country']} {r['centre_name']}" if r["centre_name"] else "-"
        table.add_row(str(r["id"]) + ("*" if r["demonstration"] else ""), r["status"], str(r["case_id"] or "-"),
                      Text(r["solution_ref"]), Text(centre), r["window_starts_on"] or "-", r["owner"])
    if any(r["demonstration"] for r in page.rows):
        table.caption = "* a demonstration: its results are not a real trial's"
    console.print(table)


@trials_app.command("plan")
@handle_errors
def plan(weeks: int = typer.Option(12, "--weeks", help="Weeks from this week (1-104)."),
         centre: str = typer.Option(None, "--centre", help="Only this centre."), as_json: bool = JSON) -> None:
    """The schedule per centre: scheduled and running trials you may see, over the next weeks."""
    ws = open_workspace()
    data = tevv_schedule.plan(ws, current_actor(ws), weeks=weeks, centre=centre)
    if as_json:
        print_json(data)
        return
    table = Table(title=f"Trials per centre, {weeks} weeks from {data['origin']} (# = running or scheduled)",
                  title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("centre", overflow="ellipsis", no_wrap=True, max_width=40)
    table.add_column("trial", justify="right")
    table.add_column("weeks", no_wrap=True)
    for group in data["centres"]:
        for t in group["trials"]:
            bar = "".join("#" if t["start_week"] <= w < t["end_week"] else "." for w in range(weeks))
            table.add_row(Text(f"{group['centre_name']} ({group['country']})"), str(t["trial_id"]), bar)
    console.print(table)


@trials_app.command("gate")
@handle_errors
def gate(case: str = typer.Argument(..., help="The case's id or ref."), as_json: bool = JSON) -> None:
    """What the tevv gate of a case still needs: use cases without a completed result, failures, overrides."""
    ws = open_workspace()
    data = tevv_trials.gate_status(ws, current_actor(ws), case)
    if as_json:
        print_json(data)
        return
    for p in data["procedures"]:
        console.print(Text(f"{p['procedure']}: passed {', '.join(p['passed']) or 'none'}; missing "
                           f"{', '.join(p['missing']) or 'none'}; failed "
                           f"{', '.join(f['use_case'] for f in p['failed']) or 'none'}; overridden "
                           f"{', '.join(p['overridden']) or 'none'}."))
    for o in data["overrides"]:
        console.print(Text(f"  override of {o['use_case']} ({o['procedure']}) by {o['decided_by']}: {o['rationale']}"))
    console.print(Text(f"Case {data['case_id']} can pass the tevv gate.", style="green") if data["ready"]
                  else Text(data["problem"], style="yellow"))


@trials_app.command("override")
@handle_errors
def override(case: str = typer.Argument(..., help="The case's id or ref."),
             use_case: str = typer.Argument(..., help="The failed use case's key."),
             rationale: str = typer.Option(..., "--rationale", "-r", help="Why the board lets it pass (required)."),
             procedure: str = typer.Option(None, "--procedure", help="The procedure, when the case's trials use several."),
             as_json: bool = JSON) -> None:
    """Record the board's override of a failed use case at the case's tevv gate, with its rationale."""
    ws = open_workspace()
    data = tevv_trials.record_override(ws, current_actor(ws), case, use_case, rationale, procedure=procedure)
    if as_json:
        print_json(data)
        return
    console.print(Text(f"Override {data['id']}: {data['use_case']} of {data['procedure']} no longer blocks case "
                       f"{data['case_id']}'s tevv gate."))


# --- risks -------------------------------------------------------------------------------------------------------


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"is not a date or time (YYYY-MM-DD or ISO 8601), got {text!r}",
                              field="--recorded-at") from None
    if moment.tzinfo is None:
        from datetime import timezone

        moment = moment.replace(tzinfo=timezone.utc)
    return moment


RECORDED_AT = typer.Option(None, "--recorded-at", help="When, to enter it afterwards (YYYY-MM-DD or ISO 8601, UTC).")


def _print_risk(r: dict[str, Any]) -> None:
    console.print(Text(f"Risk {r['id']} ({r['category']}): {r['title']}: score {r['score_1_to_25']} ({r['level']}), "
                       f"likelihood {r['likelihood_1_to_5']} x impact {r['impact_1_to_5']}; owner {r['risk_owner']}."))


@risks_app.command("add")
@handle_errors
def risks_add(
    case: str = typer.Argument(..., help="The case's id or ref."),
    category: str = typer.Option(..., "--category", help="technical, operational, supply_chain, security or integration."),
    title: str = typer.Option(..., "--title", help="The risk in a line."),
    likelihood: int = typer.Option(..., "--likelihood", help="1 (rare) to 5 (almost certain)."),
    impact: int = typer.Option(..., "--impact", help="1 (negligible) to 5 (severe)."),
    owner: str = typer.Option(..., "--owner", help="Who owns the risk (a person or a role)."),
    mitigation: List[str] = typer.Option(None, "--mitigation", help="A mitigation; repeat for more."),
    description: str = typer.Option(None, "--description"),
    recorded_at: str = RECORDED_AT,
    as_json: bool = JSON,
) -> None:
    """Add a risk to a case's register, with its initial score."""
    ws = open_workspace()
    data = tevv_risks.add_risk(ws, current_actor(ws), case, category=category, title=title, likelihood=likelihood,
                               impact=impact, risk_owner=owner, mitigations=mitigation or [], description=description,
                               recorded_at=_moment(recorded_at))
    print_json(data) if as_json else _print_risk(data)


@risks_app.command("score")
@handle_errors
def risks_score(
    risk: str = typer.Argument(..., help="The risk's id."),
    likelihood: int = typer.Option(..., "--likelihood", help="1-5."),
    impact: int = typer.Option(..., "--impact", help="1-5."),
    trial: str = typer.Option(None, "--trial", help="The completed trial (of the same case) this residual score follows."),
    note: str = typer.Option(None, "--note", help="Why the score changed."),
    mitigation: List[str] = typer.Option(None, "--mitigation", help="A mitigation to add; repeat for more."),
    recorded_at: str = RECORDED_AT,
    as_json: bool = JSON,
) -> None:
    """Record a risk's residual score, e.g. after a trial."""
    ws = open_workspace()
    data = tevv_risks.score_risk(ws, current_actor(ws), risk, likelihood=likelihood, impact=impact, trial=trial,
                                 note=note, add_mitigations=mitigation or [], recorded_at=_moment(recorded_at))
    print_json(data) if as_json else _print_risk(data)


@risks_app.command("list")
@handle_errors
def risks_list(case: str = typer.Argument(..., help="The case's id or ref."), as_json: bool = JSON) -> None:
    """A case's risk register, highest score first, with its burn-down (total score over time)."""
    ws = open_workspace()
    data = tevv_risks.list_risks(ws, current_actor(ws), case)
    if as_json:
        print_json(data)
        return
    table = Table(title=f"Risks of case {data['case_id']}: total score {data['total_score']}", box=box.SIMPLE_HEAD)
    for column in ("id", "category", "title", "L", "I", "score", "level", "first", "owner", "mitigations"):
        table.add_column(column, overflow="fold")
    for r in data["risks"]:
        table.add_row(str(r["id"]), r["category"], Text(r["title"]), str(r["likelihood_1_to_5"]), str(r["impact_1_to_5"]),
                      str(r["score_1_to_25"]), r["level"], str(r["initial_score"]), Text(r["risk_owner"]),
                      Text("; ".join(r["mitigations"]) or "-"))
    console.print(table)
    if data["burn_down"]:
        top = max(p["total_score"] for p in data["burn_down"]) or 1
        console.print(Text("Burn-down (total score):"))
        for p in data["burn_down"]:
            console.print(Text(f"  {p['at'][:10]}  {'#' * max(1, round(30 * p['total_score'] / top)):<30} "
                               f"{p['total_score']} ({p['risks']} risks)"))


# --- calendars ---------------------------------------------------------------------------------------------------


def _print_calendar(data: dict[str, Any]) -> None:
    default = " (its type's default)" if data["capacity_is_default"] else ""
    console.print(Text(f"{data['centre_name']} ({data['centre_type']}, {data['country']}): capacity "
                       f"{data['capacity_per_week']} trials a week{default}; test domains "
                       f"{', '.join(data['test_domains'])}; capabilities {', '.join(data['capabilities']) or 'none'}; "
                       f"blackout weeks {', '.join(data['blackout_weeks']) or 'none'}."))
    for w in data.get("weeks", []):
        state = "closed" if w["blackout"] else f"{w['booked']} of {w['capacity']}"
        console.print(Text(f"  {w['week']} ({w['monday']}): {state}"))


@calendar_app.command("show")
@handle_errors
def calendar_show(centre: str = typer.Argument(..., help="The centre's id or ref."),
                  weeks: int = typer.Option(12, "--weeks", help="Weeks of load to show (1-104)."),
                  as_json: bool = JSON) -> None:
    """A centre's capacity, blackout weeks, capabilities, test domains and weekly load."""
    ws = open_workspace()
    data = tevv_calendars.show_calendar(ws, current_actor(ws), centre, weeks=weeks)
    print_json(data) if as_json else _print_calendar(data)


@calendar_app.command("set")
@handle_errors
def calendar_set(
    centre: str = typer.Argument(..., help="The centre's id or ref (your organisation's)."),
    capacity: int = typer.Option(None, "--capacity", help="Concurrent trials per week (1-100)."),
    default_capacity: bool = typer.Option(False, "--default-capacity", help="Go back to the centre type's default."),
    blackout: List[str] = typer.Option(None, "--blackout", help="Close a week (2026-W52 or a date in it); repeat."),
    reopen: List[str] = typer.Option(None, "--open", help="Reopen a closed week; repeat."),
    capabilities: str = typer.Option(None, "--capabilities", help="The full list of capability tags, comma-separated ('' clears)."),
    as_json: bool = JSON,
) -> None:
    """Change your centre's calendar; what you do not give stays as it is."""
    if capacity is not None and default_capacity:
        raise ValidationError("give --capacity or --default-capacity, not both", field="--capacity")
    ws = open_workspace()
    value = None if default_capacity else capacity if capacity is not None else tevv_calendars.UNSET
    data = tevv_calendars.set_calendar(ws, current_actor(ws), centre, capacity_per_week=value,
                                       add_blackout=blackout or [], remove_blackout=reopen or [],
                                       capabilities=[capabilities] if capabilities is not None else None)
    print_json(data) if as_json else _print_calendar(data)


__all__ = ["calendar_app", "plan_summary", "plan_table", "print_tevv_example", "print_trial", "procedures_app", "risks_app",
           "trials_app"]


def print_tevv_example(example) -> None:
    """Print the quickstart's TEVV part: procedures, trials requested, the plan (compact) and the demonstration."""
    created = sum(1 for _ref, _version, new in example.procedures if new)
    requested = ", ".join(f"{n} under {ref}" for ref, n in sorted(example.requested.items())) or "none new"
    console.print(Text(f"\nTesting: {len(example.procedures)} example evaluation procedures ({created} new). Trials "
                       f"requested for the cases in tevv: {requested}; already there: {example.already_requested}."))
    if example.plan is not None:
        console.print(Text(plan_summary(example.plan)))
        console.print(plan_table(example.plan, limit=10))
        for u in example.plan["unplaced"]:
            console.print(Text(f"  not placed: trial {u['trial_id']}: {u['reason']}: {u['detail']}"))
    demo = example.demo
    if demo is not None:
        outcomes = "; ".join(f"{r['use_case']} {r['outcome']} ({r['score']}/10)" for r in demo["results"])
        first, last = demo["burn_down"][0], demo["burn_down"][-1]
        console.print(Text(f"Demonstration (made-up results, marked as such): case {demo['case_id']} "
                           f"({demo['case_ref']}), trial {demo['trial_id']}: {outcomes}. The board overrode "
                           f"{demo['override']['use_case']}; risk total {first['total_score']} -> "
                           f"{last['total_score']}; the case passed the tevv gate and is at {demo['stage']}. "
                           f"See: rapid trials show {demo['trial_id']}, rapid risks list {demo['case_id']}."))
