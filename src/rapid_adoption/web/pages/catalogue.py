"""The catalogue: lists with search and paging, and detail pages, for needs, solutions, companies and test centres.

Every list and page reads through ``services.catalogue`` (and so through the sharing filter): a hidden
record answers the same 404 page as a missing one. A list asked for by htmx (live search) gets only
its results fragment.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from ...domain.errors import Conflict, GateNotSatisfied, NotFound, RapidError, ValidationError
from ...domain.types import OperationalDomain
from ...services import assessments, matching
from ...services.cases import CaseService
from ...services.catalogue import Filters, list_records, show_record
from ..render import render
from ..session import FormActor, PageActor
from .common import PAGE_SIZE, form_errors, fragment_or_page, is_htmx, make_pager, page_number, workspace_of

router = APIRouter(include_in_schema=False)

NOUNS = {"needs": "capability needs", "solutions": "solutions", "companies": "companies", "centres": "test centres"}
"""What each list is called on its page."""

FILTER_FIELDS = {"needs": ("text", "domain", "country"), "solutions": ("text", "country", "trl_min", "trl_max"),
                 "companies": ("text", "country"), "centres": ("text", "domain", "country")}
"""The filters each list's search form offers."""

PAGE_SIZES = {"centres": 200}
"""Lists with a page size other than :data:`PAGE_SIZE`: the centres (100 in the bundled data) fit on one page."""

OPEN_CASE_FIELDS = ("solution", "cots")
"""The fields of the "Open a case" form on a need's page."""


def _int_or_none(text: str | None, field: str) -> int | None:
    """A whole number from a query value, None when empty.

    Raises:
        ValidationError: naming ``field``, when the value is not a whole number.
    """
    if text is None or not text.strip():
        return None
    text = text.strip()
    if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 6:
        raise ValidationError(f"must be a whole number, got {text!r}", field=field)
    return int(text)


def _list(request: Request, actor, resource: str, values: dict[str, str | None], page_text: str | None):
    """Render one catalogue list, or its fragment for htmx, or the form with the error next to the field (422)."""
    workspace = workspace_of(request)
    fields = FILTER_FIELDS[resource]
    size = PAGE_SIZES.get(resource, PAGE_SIZE)
    shown = {k: (values.get(k) or "") for k in fields}
    context: dict[str, Any] = {"resource": resource, "noun": NOUNS[resource], "values": shown, "fields": fields,
                               "domains": [d.value for d in OperationalDomain], "errors": {}, "rows": [],
                               "pager": None, "fragment": is_htmx(request)}
    try:
        page = page_number(page_text)
        filters = Filters(text=shown.get("text") or None, domain=shown.get("domain") or None,
                          country=shown.get("country") or None,
                          trl_min=_int_or_none(shown.get("trl_min"), "trl_min"),
                          trl_max=_int_or_none(shown.get("trl_max"), "trl_max"),
                          limit=size, offset=(page - 1) * size)
        total, rows = list_records(workspace, actor, resource, filters)
    except ValidationError as exc:
        context["errors"] = form_errors(exc, fields)  # a bad ?page= has no field of its own: shown above the form
        return fragment_or_page(request, "list.html", "_list_results.html", context, status_code=exc.http_status)
    last = max(1, -(-total // size))
    if page > last:  # past the end: the last page, not an empty one
        params = {k: v for k, v in request.query_params.items() if k != "page" and v != ""}
        return RedirectResponse(request.url.path + "?" + urlencode({**params, "page": last}), status_code=303)
    context.update(rows=rows, pager=make_pager(request, page, total, len(rows), size))
    if resource == "centres":  # the countries to choose from, with how many visible centres each has
        _, every = list_records(workspace, actor, "centres", Filters(limit=10_000))
        context["countries"] = sorted(Counter(r["country"] for r in every).items())
    return fragment_or_page(request, "list.html", "_list_results.html", context)


@router.get("/needs")
def needs_list(request: Request, actor: PageActor, text: str | None = None, domain: str | None = None,
               country: str | None = None, page: str | None = None):
    """Capability needs the actor may see, searchable by words, operational domain and owner nation."""
    return _list(request, actor, "needs", {"text": text, "domain": domain, "country": country}, page)


@router.get("/solutions")
def solutions_list(request: Request, actor: PageActor, text: str | None = None, country: str | None = None,
                   trl_min: str | None = None, trl_max: str | None = None, page: str | None = None):
    """Solutions the actor may see, searchable by words, the company's country and a TRL range."""
    return _list(request, actor, "solutions",
                 {"text": text, "country": country, "trl_min": trl_min, "trl_max": trl_max}, page)


@router.get("/companies")
def companies_list(request: Request, actor: PageActor, text: str | None = None, country: str | None = None,
                   page: str | None = None):
    """Companies the actor may see, searchable by name (and aliases) and country."""
    return _list(request, actor, "companies", {"text": text, "country": country}, page)


@router.get("/centres")
def centres_list(request: Request, actor: PageActor, text: str | None = None, domain: str | None = None,
                 country: str | None = None, page: str | None = None):
    """Test centres, accelerator sites and ranges by country and domain, grouped by country on the page."""
    return _list(request, actor, "centres", {"text": text, "domain": domain, "country": country}, page)


@router.get("/solutions-suggest")
def solution_suggestions(request: Request, actor: PageActor, solution: str = ""):
    """Up to 10 visible solutions whose name or description has words starting with the typed ones.

    Returns ``<option>`` elements for the "Open a case" form's datalist (htmx swaps them in); an
    empty or invalid query gives no options.
    """
    rows: list[dict[str, Any]] = []
    if solution.strip():
        try:
            _, rows = list_records(workspace_of(request), actor, "solutions", Filters(text=solution, limit=10))
        except ValidationError:
            rows = []
    return render(request, "_solution_options.html", {"options": rows})


CANDIDATES = 10
"""How many ranked candidate solutions a need's page shows."""


def _need_context(request: Request, actor, ident: str) -> dict[str, Any]:
    """A need's page: the record, its cases (with their clocks) and the assessments of it the actor may see.

    Raises:
        NotFound: the need is missing or hidden from the actor.
    """
    workspace = workspace_of(request)
    need = show_record(workspace, actor, "needs", ident)
    service = CaseService(workspace, actor)
    cases = []
    for row in need["cases"]:
        try:
            cases.append(service.show(row["id"]))
        except NotFound:  # a case whose solution the actor may not see is left out, as on the board
            continue
    total, rows = assessments.list_visible(workspace, actor, need=need["ref"], limit=PAGE_SIZE)
    try:  # the solutions ranked for this need, among those the actor may see
        ranked, ranked_error = matching.candidates_for_need(workspace, actor, need["id"],
                                                            matching.MatchFilters(top=CANDIDATES)), None
    except ValidationError as exc:  # a need with no word to match on
        ranked, ranked_error = None, str(exc)
    return {"need": need, "cases": cases, "assessment_total": total, "assessments": rows,
            "budgets": workspace.settings.budgets, "can_open": actor.has_role("admin", "analyst", "board"),
            "errors": {}, "values": {"solution": "", "cots": False}, "ranked": ranked, "ranked_error": ranked_error}


@router.get("/needs/{ident}")
def need_page(request: Request, actor: PageActor, ident: str):
    """A capability need with its marking, the solutions that responded, its cases and the "Open a case" form."""
    return render(request, "need.html", _need_context(request, actor, ident))


@router.post("/needs/{ident}/cases")
def open_case(request: Request, actor: FormActor, ident: str, solution: Annotated[str, Form()] = "",
              cots: Annotated[str | None, Form()] = None):
    """Open a case on this need for the chosen solution (its id or ref) and go to the new case's page.

    A bad or unknown solution re-renders the need's page with the message next to the field.
    """
    workspace = workspace_of(request)
    context = _need_context(request, actor, ident)  # the need itself must be visible: 404 otherwise
    context["values"] = {"solution": solution, "cots": bool(cots)}
    if not solution.strip():
        exc: RapidError = ValidationError("choose a solution: type its name and pick one, or give its ref",
                                          field="solution")
        context["errors"] = form_errors(exc, OPEN_CASE_FIELDS)
        return render(request, "need.html", context, status_code=exc.http_status)
    try:
        case_id = CaseService(workspace, actor).open(context["need"]["ref"], solution.strip(), cots=bool(cots))
    except NotFound as exc:  # the need was found above, so it is the solution
        context["errors"] = {"solution": str(exc)}
        return render(request, "need.html", context, status_code=exc.http_status)
    except (ValidationError, Conflict, GateNotSatisfied) as exc:
        context["errors"] = form_errors(exc, OPEN_CASE_FIELDS)
        return render(request, "need.html", context, status_code=exc.http_status)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/solutions/{ident}")
def solution_page(request: Request, actor: PageActor, ident: str):
    """A solution with its marking, company, consortium, cases and the assessments of it the actor may see."""
    workspace = workspace_of(request)
    solution = show_record(workspace, actor, "solutions", ident)
    total, rows = assessments.list_visible(workspace, actor, solution=solution["ref"], limit=PAGE_SIZE)
    return render(request, "solution.html", {"solution": solution, "assessment_total": total, "assessments": rows,
                                             "can_assess": actor.has_role("admin", "analyst")})


@router.get("/companies/{ident}")
def company_page(request: Request, actor: PageActor, ident: str):
    """A company with its marking, solutions, programme memberships and investments."""
    company = show_record(workspace_of(request), actor, "companies", ident)
    return render(request, "company.html", {"company": company})


@router.get("/centres/{ident}")
def centre_page(request: Request, actor: PageActor, ident: str):
    """A test centre, accelerator site or test range with its marking, domains and capabilities."""
    centre = show_record(workspace_of(request), actor, "centres", ident)
    return render(request, "centre.html", {"centre": centre})


__all__ = ["router", "NOUNS", "FILTER_FIELDS", "OPEN_CASE_FIELDS"]
