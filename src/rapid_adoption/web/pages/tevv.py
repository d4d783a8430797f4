"""Testing (TEVV) pages: trials and their results form, the schedule as a Gantt chart per centre, a centre's
calendar, evaluation procedures, and the testing panel of a case's page (its trials, the ``tevv`` gate's coverage
and the risk burn-down).

Every read and change goes through the TEVV services (and so through the sharing filter): a hidden trial, centre
or case answers the same 404 page as a missing one. Charts are server-made SVG with a table alternative; no page
needs JavaScript to be read or used.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from ...api.pagination import decode_cursor, encode_cursor
from ...domain.errors import Conflict, NotFound, PermissionDenied, RapidError, ValidationError
from ...domain.tevv import RiskCategory, TrialStatus
from ...services import tevv_calendars, tevv_procedures, tevv_risks, tevv_schedule, tevv_trials
from ...services.tevv_trials import TrialRequestInput
from ...tevv.weeks import week_label, week_monday, week_start
from ..render import render
from ..session import FormActor, PageActor
from .common import PAGE_SIZE, form_errors, workspace_of

router = APIRouter(include_in_schema=False)

STATUSES = [s.value for s in TrialStatus]
"""The trial statuses a list can be filtered by."""
GANTT_WEEKS = 26
"""Weeks the schedule page shows by default."""
CALENDAR_WEEKS = 12
"""Weeks a centre's calendar shows by default."""

REQUEST_FIELDS = ("procedure", "ready_on", "duration_weeks", "use_cases", "notes")
"""The fields of the "Request a trial" form on a case's page."""
RISK_FIELDS = ("category", "title", "likelihood", "impact", "risk_owner", "mitigations", "description")
"""The fields of the "Add a risk" form on a case's page."""
SCORE_FIELDS = ("risk", "likelihood", "impact", "trial", "note")
"""The fields of the "Record a residual score" form on a case's page."""
OVERRIDE_FIELDS = ("use_case", "rationale")
"""The fields of the board's override form on a case's page."""
SCHEDULE_FIELDS = ("centre", "start")
"""The fields of the "Schedule by hand" form on a trial's page."""
CALENDAR_FIELDS = ("capacity_per_week", "add_blackout", "remove_blackout", "capabilities", "version")
"""The fields of the calendar form on a centre's calendar page."""


# --- small parsers -------------------------------------------------------------------------------------------------


def _whole(text: str, field: str, low: int, high: int, required: bool = False) -> int | None:
    """A whole number ``low``-``high`` typed into a form, None when blank (unless ``required``).

    Raises:
        ValidationError: naming ``field``, when it is not a whole number in range, or blank and ``required``.
    """
    text = (text or "").strip()
    if not text:
        if required:
            raise ValidationError(f"give a whole number {low}-{high}", field=field)
        return None
    if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 9 or not low <= int(text) <= high:
        raise ValidationError(f"must be a whole number {low}-{high}, got {text!r}", field=field)
    return int(text)


def _lines(text: str) -> list[str]:
    """The non-blank lines of a textarea, stripped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _number(text: str, field: str) -> float | None:
    """A measured value typed into the results form (``3200``, ``1.5``, ``-2``), None when blank.

    Raises:
        ValidationError: naming ``field``, when it is not a finite number.
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValidationError(f"must be a number, e.g. 3200 or 1.5, got {text!r}", field=field) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValidationError(f"must be a finite number, got {text!r}", field=field)
    return value


def _check_version(workspace, actor, trial_id: int, text: str) -> None:
    """Refuse a form made from a stale version of the trial (its hidden ``version`` field).

    Raises:
        ValidationError: field ``version``: not a whole number.
        Conflict: the trial changed since the form was made.
    """
    expected = _whole(text, "version", 1, 10**9)
    if expected is None:
        return
    current = tevv_trials.show_trial(workspace, actor, trial_id)["version"]
    if current != expected:
        raise Conflict(f"trial {trial_id} was changed meanwhile (version {current}, the form had {expected}): "
                       "reload the page and try again")


# --- charts ----------------------------------------------------------------------------------------------------------


def gantt_chart(plan: dict[str, Any], now: datetime | None = None, width: int = 960) -> dict[str, Any]:
    """The geometry of the schedule as a Gantt chart (server-made SVG): one band per centre, one bar per trial.

    Args:
        plan: :func:`rapid_adoption.services.tevv_schedule.plan`'s answer (``origin``, ``weeks``, ``centres``).
        now: marks today on the chart (``today_x``) when it falls in the weeks shown.
        width: the drawing's width in pixels.

    Returns:
        ``width``, ``height``, ``left`` (the label column's width), ``cell`` (pixels per week), ``weeks`` (one per
        week: ``x``, ``label`` such as ``W49``, ``monday``), and ``rows``: per centre a heading row (``kind``
        ``centre``) then one row per trial (``kind`` ``trial``, with ``x``, ``w`` clipped to the weeks shown,
        ``label``, ``status``, ``title``), each with its ``y``; and ``today_x``, or None.
    """
    weeks = plan["weeks"]
    origin = date.fromisoformat(plan["origin"])
    left, top, row_h = 260, 34, 20
    cell = (width - left - 8) / weeks
    rows: list[dict[str, Any]] = []
    y = top
    for centre in plan["centres"]:
        rows.append({"kind": "centre", "y": y, "label": f"{centre['centre_name']} ({centre['country']})",
                     "load": centre["load"], "capacity": centre["capacity_per_week"]})
        y += row_h
        for trial in centre["trials"]:
            start, end = max(0, trial["start_week"]), min(weeks, trial["end_week"])
            title = (f"Trial {trial['trial_id']}: {trial['solution_ref']}, {trial['window_starts_on']} to "
                     f"{trial['window_ends_on']}, {trial['status']}"
                     + (" (demonstration)" if trial["demonstration"] else ""))
            rows.append({"kind": "trial", "y": y, "x": round(left + start * cell, 1),
                         "w": round(max(cell * (end - start), 2), 1), "label": f"Trial {trial['trial_id']}",
                         "solution": trial["solution_ref"], "status": trial["status"], "title": title,
                         "trial_id": trial["trial_id"], "demonstration": trial["demonstration"]})
            y += row_h
    marks = [{"x": round(left + i * cell, 1), "label": f"W{week_label(week_monday(origin, i))[-2:]}",
              "monday": week_monday(origin, i).isoformat()} for i in range(weeks)]
    today_x = None
    if now is not None:
        days = (now - datetime.combine(origin, datetime.min.time(), tzinfo=now.tzinfo)).total_seconds() / 86400
        if 0 <= days < 7 * weeks:
            today_x = round(left + cell * days / 7, 1)
    return {"width": width, "height": y + 8, "left": left, "cell": round(cell, 2), "weeks": marks, "rows": rows,
            "top": top, "today_x": today_x}


def burn_down_chart(points: list[dict[str, Any]], now: datetime, width: int = 560, height: int = 200
                    ) -> dict[str, Any] | None:
    """The geometry of a case's risk burn-down (server-made SVG): the register's total score as a step line over
    time, from its first score to now.

    Args:
        points: :func:`rapid_adoption.services.tevv_risks.burn_down`'s series (``at``, ``total_score``, ``risks``).
        now: the right end of the time axis (when later than the last point).

    Returns:
        ``width``, ``height``, the plot box (``x0``, ``x1``, ``y0``, ``y1``), ``path`` (the SVG path of the step
        line), ``dots`` (``x``, ``y``, ``label``), ``y_ticks`` and ``x_labels``; None without points.
    """
    if not points:
        return None
    x0, x1, y0, y1 = 48, width - 12, 26, height - 30
    times = [datetime.fromisoformat(p["at"]) for p in points]
    start, end = times[0], max(times[-1], now)
    span = max((end - start).total_seconds(), 1.0)
    top = max(p["total_score"] for p in points)
    top = max(5, -(-top // 5) * 5)

    def x(at: datetime) -> float:
        return round(x0 + (x1 - x0) * (at - start).total_seconds() / span, 1)

    def y(score: int) -> float:
        return round(y1 - (y1 - y0) * score / top, 1)

    path, dots = [], []
    for i, (at, point) in enumerate(zip(times, points)):
        px, py = x(at), y(point["total_score"])
        path.append(f"M {px} {py}" if i == 0 else f"H {px} V {py}")
        dots.append({"x": px, "y": py, "label": f"{at.date().isoformat()}: total {point['total_score']} "
                                                f"({point['risks']} risk{'s' if point['risks'] != 1 else ''})"})
    path.append(f"H {x(end)}")
    ticks = [{"y": y(v), "label": str(v)} for v in range(0, top + 1, max(1, top // 5))]
    labels = [{"x": x0, "label": start.date().isoformat(), "anchor": "start"},
              {"x": x1, "label": end.date().isoformat(), "anchor": "end"}]
    return {"width": width, "height": height, "x0": x0, "x1": x1, "y0": y0, "y1": y1, "path": " ".join(path),
            "dots": dots, "y_ticks": ticks, "x_labels": labels}


# --- the case page's testing panel ----------------------------------------------------------------------------------


def case_testing(request: Request, actor, case: dict[str, Any]) -> dict[str, Any]:
    """The testing panel of a case's page: its trials, the ``tevv`` gate's coverage, its risks and burn-down, and
    what the actor may do (request a trial, add or score a risk, override a failed use case).

    Args:
        case: the case as :meth:`rapid_adoption.services.cases.CaseService.show` gives it (``as_dict``).

    Returns:
        The template context under ``testing``.
    """
    workspace = workspace_of(request)
    case_id = case["id"]
    page = tevv_trials.page_trials(workspace, actor, case=case_id, limit=500, with_total=False)
    for row in page.rows:  # a case has few trials: each with its use cases' states (pass, fail, not recorded)
        row["use_case_states"] = tevv_trials.show_trial(workspace, actor, row["id"])["use_case_states"]
    register = tevv_risks.list_risks(workspace, actor, case_id)
    gate = tevv_trials.gate_status(workspace, actor, case_id)
    own = case["owner"] == actor.org_ref
    is_open = case["stage"] in ("market_research", "tevv", "badge", "contracting", "fielding")
    return {
        "trials": page.rows, "gate": gate, "register": register,
        "burn_down": burn_down_chart(register["burn_down"], workspace.now()),
        "procedures": tevv_procedures.list_procedures(workspace, actor),
        "can_request": own and actor.has_role(*tevv_trials.REQUEST_ROLES) and case["stage"] in tevv_trials.TRIAL_STAGES,
        "can_risk": own and actor.has_role(*tevv_risks.RISK_ROLES) and is_open,
        "can_override": own and actor.has_role(*tevv_trials.OVERRIDE_ROLES) and case["stage"] == "tevv",
        "completed": [t for t in page.rows if t["status"] == TrialStatus.COMPLETED.value],
        "categories": [c.value for c in RiskCategory], "errors": {}, "form": None, "typed": {},
    }


def _case_page(request: Request, actor, case_ident: str, form: str, errors: dict[str, str], values: dict[str, Any],
               status_code: int):
    """The case's page again, with a refused testing form's errors next to its fields and what was typed kept."""
    from .cases import _context

    context = _context(request, actor, case_ident)
    context["testing"].update(form=form, errors=errors, typed=values)
    return render(request, "case.html", context, status_code=status_code)


NOT_FOUND_FIELDS = {"no evaluation procedure": "procedure", "no trial": "trial", "no risk": "risk",
                    "no test centre": "centre"}
"""Which form field a "not found" message is about, by the message's start."""


def _errors(exc: RapidError, fields: tuple[str, ...]) -> dict[str, str]:
    """The form errors of a service error; a "not found" goes next to the field whose record was not found."""
    if isinstance(exc, NotFound):
        for start, field in NOT_FOUND_FIELDS.items():
            if str(exc).startswith(start) and field in fields:
                return {field: str(exc)}
        return {"_form": str(exc)}
    return form_errors(exc, fields)


@router.post("/trials")
def request_trial(request: Request, actor: FormActor, case: Annotated[str, Form()] = "",
                  procedure: Annotated[str, Form()] = "", ready_on: Annotated[str, Form()] = "",
                  duration_weeks: Annotated[str, Form()] = "", notes: Annotated[str, Form()] = ""):
    """Request a trial for a case (the form on the case's page); then go to the new trial's page.

    A refused request comes back on the case's page with the message next to the field.
    """
    workspace = workspace_of(request)
    values = {"procedure": procedure, "ready_on": ready_on, "duration_weeks": duration_weeks, "notes": notes}
    if not case.strip():
        raise ValidationError("give the case the trial belongs to", field="case")
    try:
        if not procedure.strip():
            raise ValidationError("choose the evaluation procedure", field="procedure")
        made = tevv_trials.request_trial(workspace, actor, TrialRequestInput(
            procedure=procedure.strip(), case=case.strip(), ready_on=ready_on.strip() or None,
            duration_weeks=_whole(duration_weeks, "duration_weeks", 1, 52), notes=notes.strip() or None))
    except (ValidationError, Conflict, PermissionDenied, NotFound) as exc:  # a hidden case: 404 from _case_page
        return _case_page(request, actor, case.strip(), "request", _errors(exc, REQUEST_FIELDS), values,
                          exc.http_status)
    return RedirectResponse(f"/trials/{made['id']}", status_code=303)


@router.post("/risks")
def add_risk(request: Request, actor: FormActor, case: Annotated[str, Form()] = "",
             category: Annotated[str, Form()] = "", title: Annotated[str, Form()] = "",
             likelihood: Annotated[str, Form()] = "", impact: Annotated[str, Form()] = "",
             risk_owner: Annotated[str, Form()] = "", mitigations: Annotated[str, Form()] = "",
             description: Annotated[str, Form()] = ""):
    """Add a risk to a case's register (the form on the case's page); then back to the case's risks."""
    workspace = workspace_of(request)
    values = {"category": category, "title": title, "likelihood": likelihood, "impact": impact,
              "risk_owner": risk_owner, "mitigations": mitigations, "description": description}
    if not case.strip():
        raise ValidationError("give the case the risk belongs to", field="case")
    try:
        made = tevv_risks.add_risk(workspace, actor, case.strip(), category=category, title=title,
                                   likelihood=_whole(likelihood, "likelihood", 1, 5, required=True),
                                   impact=_whole(impact, "impact", 1, 5, required=True), risk_owner=risk_owner,
                                   mitigations=_lines(mitigations), description=description.strip() or None)
    except (ValidationError, PermissionDenied) as exc:
        return _case_page(request, actor, case.strip(), "risk", _errors(exc, RISK_FIELDS), values, exc.http_status)
    return RedirectResponse(f"/cases/{made['case_id']}#risks-h", status_code=303)


@router.post("/risks/score")
def score_risk(request: Request, actor: FormActor, case: Annotated[str, Form()] = "",
               risk: Annotated[str, Form()] = "", likelihood: Annotated[str, Form()] = "",
               impact: Annotated[str, Form()] = "", trial: Annotated[str, Form()] = "",
               note: Annotated[str, Form()] = ""):
    """Record a residual score of one of a case's risks, after a completed trial when one is chosen."""
    workspace = workspace_of(request)
    values = {"risk": risk, "likelihood": likelihood, "impact": impact, "trial": trial, "note": note}
    if not case.strip():
        raise ValidationError("give the case the risk belongs to", field="case")
    try:
        if not risk.strip():
            raise ValidationError("choose the risk", field="risk")
        scored = tevv_risks.score_risk(workspace, actor, risk.strip(),
                                       likelihood=_whole(likelihood, "likelihood", 1, 5, required=True),
                                       impact=_whole(impact, "impact", 1, 5, required=True),
                                       trial=trial.strip() or None, note=note.strip() or None)
    except (ValidationError, PermissionDenied, NotFound) as exc:
        return _case_page(request, actor, case.strip(), "score", _errors(exc, SCORE_FIELDS), values, exc.http_status)
    return RedirectResponse(f"/cases/{scored['case_id']}#risks-h", status_code=303)


@router.post("/tevv-overrides")
def override(request: Request, actor: FormActor, case: Annotated[str, Form()] = "",
             use_case: Annotated[str, Form()] = "", procedure: Annotated[str, Form()] = "",
             rationale: Annotated[str, Form()] = ""):
    """The board lets a failed use case pass the case's ``tevv`` gate, with its rationale (the form on the case's
    page); then back to the gate's coverage."""
    values = {"use_case": use_case, "rationale": rationale}
    if not case.strip():
        raise ValidationError("give the case of the override", field="case")
    try:
        made = tevv_trials.record_override(workspace_of(request), actor, case.strip(), use_case, rationale,
                                           procedure=procedure.strip() or None)
    except (ValidationError, PermissionDenied) as exc:
        return _case_page(request, actor, case.strip(), "override", _errors(exc, OVERRIDE_FIELDS), values,
                          exc.http_status)
    return RedirectResponse(f"/cases/{made['case_id']}#gate-h", status_code=303)


# --- trials ----------------------------------------------------------------------------------------------------------


@router.get("/trials")
def trials_list(request: Request, actor: PageActor, status: str = "", centre: str = "", case: str = "",
                cursor: str = ""):
    """The trials the actor may see, 50 at a time, optionally with one status, at one centre or of one case."""
    workspace = workspace_of(request)
    values = {"status": status, "centre": centre, "case": case}
    context: dict[str, Any] = {"values": values, "statuses": STATUSES, "rows": [], "total": 0, "next_url": None,
                               "errors": {}, "first_url": None}
    try:
        after = decode_cursor(cursor, "id", 2) if cursor.strip() else None
        page = tevv_trials.page_trials(workspace, actor, status=status or None, centre=centre.strip() or None,
                                       case=case.strip() or None, after=after, limit=PAGE_SIZE)
    except (ValidationError, NotFound) as exc:
        context["errors"] = {"_form": str(exc)} if isinstance(exc, NotFound) else form_errors(
            exc, ("status", "centre", "case"))
        return render(request, "tevv/trials.html", context, status_code=exc.http_status)
    params = {k: v for k, v in values.items() if v}
    context.update(rows=page.rows, total=page.total)
    if page.next_after is not None:
        context["next_url"] = "/trials?" + urlencode({**params, "cursor": encode_cursor("id", page.next_after)})
    if cursor.strip():
        context["first_url"] = "/trials" + ("?" + urlencode(params) if params else "")
    return render(request, "tevv/trials.html", context)


def _trial_context(request: Request, actor, ident: str) -> dict[str, Any]:
    """A trial's page: the trial, its procedure's use cases, and what the actor may do with it.

    Raises:
        NotFound: the trial is missing or hidden from the actor.
    """
    workspace = workspace_of(request)
    trial = tevv_trials.show_trial(workspace, actor, ident)
    procedure = tevv_procedures.show_procedure(workspace, actor, f"{trial['procedure']['ref']}@"
                                                                 f"{trial['procedure']['procedure_version']}")
    centre_owner = trial["centre"] is not None and _centre_owner(workspace, actor, trial["centre"]["id"])
    runs = actor.has_role(*tevv_trials.RUN_ROLES) and (trial["owner"] == actor.org_ref or centre_owner)
    status = trial["status"]
    now = workspace.now()
    begun = trial["window_starts_on"] is not None and date.fromisoformat(trial["window_starts_on"]) <= now.date()
    return {
        "trial": trial, "procedure": procedure, "errors": {}, "values": {"centre": "", "start": "", "reason": ""},
        "use_cases": {u["key"]: u for u in procedure["use_cases"]},
        "can_schedule": status in ("requested", "scheduled") and (
            (trial["owner"] == actor.org_ref and actor.has_role(*tevv_trials.SCHEDULE_ROLES))
            or actor.has_role(*tevv_trials.CENTRE_ROLES)),
        "can_start": runs and status == "scheduled" and begun,
        "can_record": runs and (status == "running" or (status == "scheduled" and begun)),
        "can_complete": runs and status == "running",
        "can_cancel": status in ("requested", "scheduled", "running") and actor.has_role(*tevv_trials.CANCEL_ROLES)
        and (trial["owner"] == actor.org_ref or centre_owner),
        "this_week": week_label(week_start(now)),
    }


def _centre_owner(workspace, actor, centre_id: int) -> bool:
    """True when the actor's organisation owns the (visible) centre ``centre_id``."""
    from ...services.catalogue import show_record

    try:
        return show_record(workspace, actor, "centres", str(centre_id))["owner"] == actor.org_ref
    except NotFound:
        return False


@router.get("/trials/{ident}")
def trial_page(request: Request, actor: PageActor, ident: str):
    """A trial: solution, case, procedure, centre, window, status, results per use case with their outcomes, and
    the actions the actor may take (schedule by hand, start, record results, complete, cancel)."""
    return render(request, "tevv/trial.html", _trial_context(request, actor, ident))


def _results_values(context: dict[str, Any]) -> dict[str, str]:
    """The results form's fields filled from the results already recorded (``USE_CASE.MEASURE``, ``USE_CASE.score``,
    ``USE_CASE.notes``, ``USE_CASE.evidence``)."""
    values: dict[str, str] = {}
    for result in context["trial"]["results"]:
        key = result["use_case"]
        for m in result["measured"]:
            values[f"{key}.{m['measure']}"] = f"{m['value']:g}"
        values[f"{key}.score"] = str(result["score_1_to_10"])
        values[f"{key}.notes"] = result["notes"] or ""
        values[f"{key}.evidence"] = "\n".join(result["evidence"])
    return values


@router.get("/trials/{ident}/results")
def results_form(request: Request, actor: PageActor, ident: str):
    """The results form of a trial: per use case, the measured value of each measure (in the procedure's unit),
    the 1-10 score by the rubric, notes and evidence links; filled with what is recorded already."""
    context = _trial_context(request, actor, ident)
    context.update(values=_results_values(context), complete=False)
    return render(request, "tevv/results_form.html", context)


def record_results(workspace, actor, trial: dict[str, Any], use_cases: dict[str, dict[str, Any]],
                   form: dict[str, str], complete: bool) -> list[str]:
    """Record the results typed into the form, all in one transaction, and complete the trial when asked.

    A use case whose fields are all blank is left as it is; the others are recorded (or corrected) through
    :func:`rapid_adoption.services.tevv_trials.record_result`, whose outcome comes from the thresholds.

    Args:
        trial: the trial's view.
        use_cases: the procedure's use cases by key.
        form: the posted fields (``USE_CASE.MEASURE``, ``USE_CASE.score``, ``USE_CASE.notes``,
            ``USE_CASE.evidence``).
        complete: also complete the trial.

    Returns:
        The keys of the use cases recorded.

    Raises:
        ValidationError: with ``field`` ``USE_CASE.FIELD`` for a bad value of a use case (or ``_form``); nothing
            is written then.
        Conflict, PermissionDenied: as the services raise them; nothing is written.
    """
    recorded = []
    with workspace.uow.transaction() as session:
        for key in trial["use_cases"]:
            use_case = use_cases[key]
            names = [f"{key}.{m['key']}" for m in use_case["measures"]] + [f"{key}.score", f"{key}.notes",
                                                                            f"{key}.evidence"]
            if not any((form.get(n) or "").strip() for n in names):
                continue
            try:
                measured = {}
                for m in use_case["measures"]:
                    value = _number(form.get(f"{key}.{m['key']}", ""), f"{key}.{m['key']}")
                    if value is None:
                        raise ValidationError(f"give the {m['name'].lower()} in {m['unit']}", field=f"{key}.{m['key']}")
                    measured[m["key"]] = (value, None)
                score = _whole(form.get(f"{key}.score", ""), f"{key}.score", 1, 10)
                if score is None:
                    raise ValidationError("give a score 1-10 by the rubric", field=f"{key}.score")
                tevv_trials.record_result(workspace, actor, trial["id"], key, measured, score,
                                          notes=(form.get(f"{key}.notes") or "").strip() or None,
                                          evidence=_lines(form.get(f"{key}.evidence", "")), session=session)
            except ValidationError as exc:
                if exc.field and exc.field.startswith(f"{key}."):
                    raise
                if exc.field in ("measured", "score", "notes", "evidence"):
                    field = exc.field if exc.field != "measured" else _measure_of(exc.message, use_case, key)
                    raise ValidationError(exc.message, field=field if "." in field else f"{key}.{field}") from None
                raise
            recorded.append(key)
        if complete:
            tevv_trials.complete_trial(workspace, actor, trial["id"], session=session)
    return recorded


def _measure_of(message: str, use_case: dict[str, Any], key: str) -> str:
    """The form field a service's ``measured`` error is about: the measure its message starts with, else the
    use case's score field."""
    for m in use_case["measures"]:
        if message.startswith(f"{m['key']}:"):
            return f"{key}.{m['key']}"
    return f"{key}.score"


@router.post("/trials/{ident}/results")
async def record_results_form(request: Request, actor: FormActor, ident: str):
    """Record the results typed into the form (all or nothing), complete the trial when asked, and go back to the
    trial's page with its outcomes. A refused form comes back with the message next to the field."""
    context = _trial_context(request, actor, ident)  # 404 for a hidden trial
    workspace = workspace_of(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    complete = form.get("complete") == "yes"
    try:
        _check_version(workspace, actor, context["trial"]["id"], form.get("version", ""))
        recorded = record_results(workspace, actor, context["trial"], context["use_cases"], form, complete)
        if not recorded and not complete:
            raise ValidationError("fill in at least one use case", field="_form")
    except (ValidationError, Conflict, PermissionDenied) as exc:
        field = getattr(exc, "field", None)
        errors = {field: exc.message} if isinstance(exc, ValidationError) and field and "." in field else {
            "_form": str(exc)}
        context.update(values=form, errors=errors, complete=complete)
        return render(request, "tevv/results_form.html", context, status_code=exc.http_status)
    return RedirectResponse(f"/trials/{context['trial']['id']}#results-h", status_code=303)


@router.post("/trials/{ident}/{action}")
def trial_action(request: Request, actor: FormActor, ident: str, action: str, version: Annotated[str, Form()] = "",
                 centre: Annotated[str, Form()] = "", start: Annotated[str, Form()] = "",
                 reason: Annotated[str, Form()] = ""):
    """Schedule a trial by hand, start, complete or cancel it; then back to its page. A refused action comes back
    on the trial's page with the message next to the field."""
    context = _trial_context(request, actor, ident)  # 404 for a hidden trial, before anything else
    workspace = workspace_of(request)
    trial_id = context["trial"]["id"]
    actions = ("schedule", "start", "complete", "cancel")
    if action not in actions:
        raise NotFound(f"no page /trials/{ident}/{action} (the actions are {', '.join(actions)})")
    try:
        _check_version(workspace, actor, trial_id, version)
        if action == "schedule":
            if not centre.strip():
                raise ValidationError("give the centre's ref or id", field="centre")
            if not start.strip():
                raise ValidationError("give the first week, e.g. 2026-W50 or a date in it", field="start")
            tevv_trials.schedule_trial(workspace, actor, trial_id, centre.strip(), start.strip())
        elif action == "start":
            tevv_trials.start_trial(workspace, actor, trial_id)
        elif action == "complete":
            tevv_trials.complete_trial(workspace, actor, trial_id)
        else:
            tevv_trials.cancel_trial(workspace, actor, trial_id, reason)
    except (ValidationError, Conflict, PermissionDenied, NotFound) as exc:
        fields = {"schedule": SCHEDULE_FIELDS, "cancel": ("reason",)}.get(action, ())
        if isinstance(exc, NotFound) and "centre" not in _errors(exc, fields):
            raise
        context.update(errors={"action": action, **_errors(exc, fields)},
                       values={"centre": centre, "start": start, "reason": reason})
        return render(request, "tevv/trial.html", context, status_code=exc.http_status)
    return RedirectResponse(f"/trials/{trial_id}", status_code=303)


# --- the schedule and centre calendars ------------------------------------------------------------------------------


def _schedule_page(request: Request, actor, weeks: int, centre: str, result: dict[str, Any] | None = None,
                   errors: dict[str, str] | None = None, status_code: int = 200):
    """The schedule page: the Gantt chart and its table, the scheduler's form, and the last run's plan."""
    workspace = workspace_of(request)
    plan = tevv_schedule.plan(workspace, actor, weeks=weeks, centre=centre.strip() or None)
    return render(request, "tevv/schedule.html", {
        "plan": plan, "chart": gantt_chart(plan, workspace.now()), "weeks": weeks, "centre": centre,
        "result": result, "can_run": actor.has_role(*tevv_trials.SCHEDULE_ROLES),
        "errors": errors or {}}, status_code=status_code)


@router.get("/schedule")
def schedule_page(request: Request, actor: PageActor, weeks: str = "", centre: str = ""):
    """The schedule as the actor may see it: a Gantt chart per centre (server-made SVG) with a table alternative,
    and the form to run the scheduler over the actor's organisation's requested trials."""
    return _schedule_page(request, actor, _whole(weeks, "weeks", 1, 104) or GANTT_WEEKS, centre)


@router.post("/schedule")
def run_scheduler(request: Request, actor: FormActor, mode: Annotated[str, Form()] = "dry_run",
                  time_limit_seconds: Annotated[str, Form()] = ""):
    """Run the CP-SAT scheduler over the actor's organisation's requested trials, as a dry run or for real, and
    show the plan: objective, bound and gap, the greedy baseline, and each trial placed or not with the reason."""
    try:
        limit = _whole(time_limit_seconds, "time_limit_seconds", 1, 60) or 10
        result = tevv_schedule.schedule_requested(workspace_of(request), actor, time_limit_seconds=float(limit),
                                                  dry_run=mode != "apply")
    except (ValidationError, PermissionDenied) as exc:
        return _schedule_page(request, actor, GANTT_WEEKS, "", errors=form_errors(exc, ("time_limit_seconds",)),
                              status_code=exc.http_status)
    return _schedule_page(request, actor, GANTT_WEEKS, "", result=result)


def _calendar_context(request: Request, actor, ident: str, weeks: int) -> dict[str, Any]:
    """A centre's calendar page: the calendar, its weeks, the trials there (a weeks x trials grid) and whether the
    actor may change it.

    Raises:
        NotFound: the centre is missing or hidden from the actor.
    """
    from ...services.catalogue import show_record

    workspace = workspace_of(request)
    centre = show_record(workspace, actor, "centres", ident)
    calendar = tevv_calendars.show_calendar(workspace, actor, centre["id"], weeks=weeks)
    plan = tevv_schedule.plan(workspace, actor, weeks=weeks, centre=centre["id"])
    trials = plan["centres"][0]["trials"] if plan["centres"] else []
    capacity = "" if calendar["capacity_is_default"] else str(calendar["capacity_per_week"])
    return {"centre": centre, "calendar": calendar, "plan": plan, "chart": gantt_chart(plan, workspace.now()),
            "trials": trials, "weeks": weeks, "errors": {},
            "can_change": centre["owner"] == actor.org_ref and actor.has_role(*tevv_calendars.CALENDAR_ROLES),
            "values": {"capacity_per_week": capacity, "add_blackout": "",
                       "capabilities": "\n".join(calendar["capabilities"])}}


@router.get("/centres/{ident}/calendar")
def calendar_page(request: Request, actor: PageActor, ident: str, weeks: str = ""):
    """A centre's capabilities and calendar: capacity per week, blackout weeks, and the weeks x trials grid with
    each week's load (every organisation's trials, counted only); for its owner, the form to change it."""
    shown = _whole(weeks, "weeks", 1, 104) or CALENDAR_WEEKS
    return render(request, "tevv/calendar.html", _calendar_context(request, actor, ident, shown))


@router.post("/centres/{ident}/calendar")
async def change_calendar(request: Request, actor: FormActor, ident: str):
    """Change a centre's calendar (its owner organisation; admin or test_centre): capacity (blank for the type's
    default), blackout weeks to add (ISO weeks or dates, comma or line separated) and to remove (ticked), and the
    capabilities (one per line); then back to the calendar."""
    context = _calendar_context(request, actor, ident, CALENDAR_WEEKS)
    form = await request.form()
    capacity = str(form.get("capacity_per_week") or "")
    add = str(form.get("add_blackout") or "")
    capabilities = str(form.get("capabilities") or "")
    remove = [str(v) for v in form.getlist("remove_blackout")]
    try:
        expected = _whole(str(form.get("version") or ""), "version", 0, 10**9)
        if expected == 0 and context["calendar"]["version"] is not None:
            raise Conflict("the calendar was changed meanwhile: reload the page and try again")
        tevv_calendars.set_calendar(
            workspace_of(request), actor, context["centre"]["id"],
            capacity_per_week=_whole(capacity, "capacity_per_week", 1, tevv_calendars.MAX_CAPACITY_PER_WEEK),
            add_blackout=[w.strip() for w in add.replace(",", "\n").splitlines() if w.strip()],
            remove_blackout=remove, capabilities=_lines(capabilities), expected_version=expected or None)
    except (ValidationError, Conflict, PermissionDenied) as exc:
        context.update(errors=form_errors(exc, CALENDAR_FIELDS),
                       values={"capacity_per_week": capacity, "add_blackout": add, "capabilities": capabilities})
        if isinstance(exc, ValidationError) and exc.field == "blackout":
            context["errors"] = {"add_blackout": exc.message}
        return render(request, "tevv/calendar.html", context, status_code=exc.http_status)
    return RedirectResponse(f"/centres/{context['centre']['id']}/calendar", status_code=303)


# --- procedures ------------------------------------------------------------------------------------------------------


@router.get("/procedures")
def procedures_list(request: Request, actor: PageActor):
    """The evaluation procedures the actor may see (every version), with their use cases."""
    rows = tevv_procedures.list_procedures(workspace_of(request), actor, all_versions=True)
    return render(request, "tevv/procedures.html", {"rows": rows})


@router.get("/procedures/{ident}")
def procedure_page(request: Request, actor: PageActor, ident: str):
    """One procedure version: its use cases with their measures of performance (unit, direction, threshold),
    1-10 rubrics and pass scores. ``ident`` is an id, a ref (newest version) or ``REF@VERSION``."""
    procedure = tevv_procedures.show_procedure(workspace_of(request), actor, ident)
    return render(request, "tevv/procedure.html", {"procedure": procedure})


__all__ = ["burn_down_chart", "case_testing", "gantt_chart", "record_results", "router"]
