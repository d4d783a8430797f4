"""The Jinja2 environment and the one function pages render with."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from ..domain.sharing import marking_banner

templates = Jinja2Templates(directory=str(resources.files("rapid_adoption") / "web" / "templates"))
templates.env.globals["marking_banner"] = marking_banner


def render(request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200):
    """Render ``template`` with ``context`` plus the page's ``actor`` and ``csrf_token`` (None before login).

    Autoescaping is on for every ``.html`` template, so record text is never taken as markup.
    """
    data = {"actor": getattr(request.state, "actor", None), "csrf_token": getattr(request.state, "csrf_token", None)}
    data.update(context or {})
    return templates.TemplateResponse(request, template, data, status_code=status_code)


__all__ = ["render", "templates"]
