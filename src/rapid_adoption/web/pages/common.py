"""Helpers the page routers share: paging, form errors, the clock bar's geometry, and htmx fragments.

Nothing here decides who may see what: the services do (through the sharing filter). These helpers
only shape what the services return for the templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlencode

from fastapi import Request

from ...domain.clock import StageBudgets
from ...domain.errors import RapidError, ValidationError
from ...services.workspace import Workspace
from ..render import templates

PAGE_SIZE = 50
"""Rows per page on every list page."""

FIELD_ALIASES = {"fit": "fit_0_to_100", "group": "group", "trl_min/__trl_max": "trl_min", "org/__nation": "member"}
"""Service field names (often the CLI's ``--option``) that differ from the form field they belong to."""


def workspace_of(request: Request) -> Workspace:
    """The workspace the application serves (set by ``create_app``)."""
    return request.app.state.workspace


def is_htmx(request: Request) -> bool:
    """True for an htmx request (header ``HX-Request: true``), which gets a fragment instead of a whole page."""
    return request.headers.get("HX-Request", "").lower() == "true"


def page_number(text: str | None) -> int:
    """The 1-based page number of a ``?page=`` value.

    Raises:
        ValidationError: field ``page``, when it is not a whole number of 1 or more.
    """
    if text is None or not str(text).strip():
        return 1
    text = str(text).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9 or int(text) < 1:
        raise ValidationError(f"must be a whole number of 1 or more, got {text!r}", field="page")
    return int(text)


@dataclass(frozen=True)
class Pager:
    """One page of a list and the links around it.

    Attributes:
        page: this page's number (1-based).
        pages: how many pages there are (at least 1).
        total: how many rows the list has in all (visible rows only).
        first, last: the 1-based positions of this page's first and last rows (0 and 0 when empty).
        prev_url, next_url: links to the pages around this one, or None at either end.
    """

    page: int
    pages: int
    total: int
    first: int
    last: int
    prev_url: str | None
    next_url: str | None


def make_pager(request: Request, page: int, total: int, shown: int, size: int = PAGE_SIZE) -> Pager:
    """The :class:`Pager` for page ``page`` of ``total`` rows, of which ``shown`` are on this page.

    The links keep the request's other query parameters (the filters) and change only ``page``.
    """
    pages = max(1, -(-total // size))
    params = {k: v for k, v in request.query_params.items() if k != "page" and v != ""}

    def url(n: int) -> str:
        return request.url.path + "?" + urlencode({**params, "page": n})

    first = (page - 1) * size + 1 if shown else 0
    return Pager(page, pages, total, first, first + shown - 1 if shown else 0,
                 url(page - 1) if page > 1 else None, url(page + 1) if page < pages else None)


def form_field(exc: RapidError) -> str:
    """The form field a service error belongs to: ``--tlp`` gives ``tlp``, ``fit`` gives ``fit_0_to_100``.

    Returns:
        The field name, or ``"_form"`` when the error names no field (shown at the top of the form).
    """
    field = getattr(exc, "field", None)
    if not field:
        return "_form"
    name = field.lstrip("-").replace("-", "_").lower()
    return FIELD_ALIASES.get(name, name)


def error_message(exc: RapidError) -> str:
    """The message of an error as a form shows it next to its field (without repeating the field's name)."""
    return exc.message if isinstance(exc, ValidationError) else str(exc)


def form_errors(exc: RapidError, fields: tuple[str, ...]) -> dict[str, str]:
    """``{field: message}`` for an error raised by a form's service call.

    Args:
        exc: the service's error.
        fields: the names of the form's fields; an error about another field goes to ``"_form"``.
    """
    name = form_field(exc)
    if name not in fields:
        return {"_form": str(exc)}
    return {name: error_message(exc)}


def clock_bar(months_elapsed: float, status: str, cots: bool, budgets: StageBudgets) -> dict[str, Any]:
    """The geometry of a case's 24-month clock drawn as a progress bar (server-made SVG, see ``_macros.html``).

    Args:
        months_elapsed: months since the case opened (to its closing for a closed case).
        status: ``on_track``, ``at_risk``, ``overdue`` or ``closed``.
        cots: a COTS case (its whole budget is ``budgets.cots_total_months``).
        budgets: the deployment's stage budgets, in months.

    Returns:
        ``fill_pct`` (0-100, capped), ``ticks_pct`` (the stage deadlines as percentages of the
        whole budget), ``total_months``, ``over`` (the case ran past its whole budget), ``status``
        and ``label`` (e.g. "14.0 of 24 months, overdue").
    """
    total = budgets.cots_total_months if cots else budgets.fielding_months
    scale = total / budgets.fielding_months
    ticks = [round(100 * m * scale / total, 2) for m in budgets.as_tuple()[:-1]]
    fill = max(0.0, min(100.0, 100 * months_elapsed / total))
    label = f"{months_elapsed:.1f} of {total} months, {status.replace('_', ' ')}"
    return {"fill_pct": round(fill, 2), "ticks_pct": ticks, "total_months": total, "over": months_elapsed > total,
            "status": status, "label": label}


def fragment_or_page(request: Request, page: str, fragment: str, context: Mapping[str, Any], status_code: int = 200):
    """Render ``fragment`` for an htmx request and the whole ``page`` otherwise (with the same context)."""
    from ..render import render

    return render(request, fragment if is_htmx(request) else page, dict(context), status_code=status_code)


STAGE_LABELS = {"market_research": "Market research", "tevv": "TEVV", "badge": "Badge", "contracting": "Contracting",
                "fielding": "Fielding", "adopted": "Adopted", "rejected": "Rejected", "withdrawn": "Withdrawn"}
"""How each stage is named in headings."""



def days_text(days_left: int | None) -> str:
    """``12`` gives "12 days left", ``1`` "1 day left", ``-638`` "638 days overdue", ``0`` "due today"."""
    if days_left is None:
        return ""
    if days_left == 0:
        return "due today"
    count = abs(days_left)
    unit = "day" if count == 1 else "days"
    return f"{count} {unit} left" if days_left > 0 else f"{count} {unit} overdue"


def stage_words(stage: str) -> str:
    """A stage as words in a sentence: ``market_research`` gives "market research", ``tevv`` "TEVV"."""
    label = STAGE_LABELS.get(stage, stage)
    return label if label.isupper() else label.lower()


templates.env.globals["clock_bar"] = clock_bar
templates.env.globals["STAGE_LABELS"] = STAGE_LABELS
templates.env.filters["days_text"] = days_text
templates.env.filters["stage_words"] = stage_words

__all__ = ["PAGE_SIZE", "Pager", "make_pager", "page_number", "form_errors", "form_field", "error_message",
           "clock_bar", "STAGE_LABELS", "days_text", "stage_words", "fragment_or_page", "is_htmx", "workspace_of"]
