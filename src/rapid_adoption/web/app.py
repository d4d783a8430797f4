"""Wiring the pages into the application: routers, the error page and the login redirect."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

from ..api.problems import Problem
from .pages import ROUTERS
from .render import render
from .session import LoginRequired, login_url


def error_page(request: Request, problem: Problem):
    """The HTML page for an error on a page request: the same status and message as the API's problem."""
    return render(request, "error.html", {"problem": problem}, status_code=problem.status)


def install(app: FastAPI) -> None:
    """Add the pages to ``app``: their routers, the HTML error page, and the redirect to the login page."""
    app.state.error_page = error_page

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired):
        if request.headers.get("HX-Request"):
            # htmx follows this header with a full page load instead of swapping the login form into a fragment.
            return RedirectResponse(login_url(exc.next_url), status_code=200, headers={"HX-Redirect": login_url(exc.next_url)})
        return RedirectResponse(login_url(exc.next_url), status_code=303)

    for router in ROUTERS:
        app.include_router(router)


__all__ = ["install", "error_page"]
