"""Log in and log out."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from ...services import sessions
from ...services.auth import AuthenticationFailed
from ..render import render
from ..session import LOGIN_CSRF_COOKIE, SESSION_COOKIE, FormActor, login_csrf, safe_next

router = APIRouter(include_in_schema=False)


def _login_form(request: Request, next_url: str, error: str | None = None, username: str = "", status_code: int = 200):
    token = login_csrf(request)
    response = render(request, "login.html", {"next": safe_next(next_url), "error": error, "username": username,
                                              "login_csrf": token}, status_code=status_code)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/login")
    return response


@router.get("/login")
def login_page(request: Request, next: str = "/"):
    """The login form."""
    return _login_form(request, next)


@router.post("/login")
def login(request: Request, username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          csrf_token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/"):
    """Check the user name and password; on success set the session cookie and go to ``next``."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or not csrf_token or not hmac.compare_digest(expected, csrf_token):
        return _login_form(request, next, "The form expired: please log in again.", username, status_code=403)
    try:
        made = sessions.login(request.app.state.workspace, username, password)
    except AuthenticationFailed as exc:
        return _login_form(request, next, str(exc), username, status_code=401)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, made.secret, max_age=sessions.SESSION_HOURS * 3600, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, actor: FormActor):
    """End the session and go back to the login page."""
    sessions.logout(request.app.state.workspace, request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
