"""Who is looking at a page: the session cookie, the CSRF check on every form, and the login redirect."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Form, Request

from ..domain.errors import PermissionDenied, RapidError
from ..domain.sharing import Actor
from ..services.auth import AuthenticationFailed
from ..services.sessions import actor_for_session, csrf_ok, csrf_token_for

SESSION_COOKIE = "rapid_session"
LOGIN_CSRF_COOKIE = "rapid_login_csrf"


class LoginRequired(RapidError):
    """A page needs a logged-in user; the browser is sent to the login page."""

    http_status = 401

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url
        super().__init__("log in to see this page")


class CsrfRejected(PermissionDenied):
    """A form came without this session's CSRF token (OWASP CSRF Prevention Cheat Sheet)."""

    def __init__(self) -> None:
        super().__init__("the form is out of date or came from another site: reload the page and try again")


def _next_of(request: Request) -> str:
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return path


def page_actor(request: Request) -> Actor:
    """The logged-in actor of a page request.

    Raises:
        LoginRequired: no session cookie, or one that ended or expired.
    """
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        raise LoginRequired(_next_of(request))
    try:
        actor = actor_for_session(request.app.state.workspace, secret)
    except AuthenticationFailed:
        raise LoginRequired(_next_of(request)) from None
    request.state.actor = actor
    request.state.csrf_token = csrf_token_for(secret)
    return actor


CSRF_HEADER = "X-CSRF-Token"
"""The header htmx requests carry the CSRF token in (``base.html`` sets it with ``hx-headers``)."""


def checked_form_actor(request: Request, csrf_token: Annotated[str | None, Form()] = None) -> Actor:
    """The actor of a form post, after checking the CSRF token against the session.

    The token comes from the form's ``csrf_token`` field or, for htmx requests, the ``X-CSRF-Token``
    header; either one must match.

    Raises:
        LoginRequired: not logged in.
        CsrfRejected: the token is missing or wrong.
    """
    actor = page_actor(request)
    secret = request.cookies.get(SESSION_COOKIE, "")
    if not (csrf_ok(secret, csrf_token) or csrf_ok(secret, request.headers.get(CSRF_HEADER))):
        raise CsrfRejected()
    return actor


def login_csrf(request: Request) -> str:
    """The login form's CSRF value: the one in the browser's pre-login cookie, or a new one."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def safe_next(next_url: str | None) -> str:
    """A local path to go to after login: anything else (another site, ``//host``) becomes ``/``."""
    if not next_url or not next_url.startswith("/") or next_url.startswith("//") or "\\" in next_url:
        return "/"
    return next_url


def login_url(next_url: str) -> str:
    """The login page's URL that comes back to ``next_url`` afterwards."""
    return "/login" if next_url == "/" else f"/login?next={quote(next_url, safe='')}"


PageActor = Annotated[Actor, Depends(page_actor)]
FormActor = Annotated[Actor, Depends(checked_form_actor)]

__all__ = ["FormActor", "PageActor", "LoginRequired", "CsrfRejected", "SESSION_COOKIE", "LOGIN_CSRF_COOKIE",
           "page_actor", "checked_form_actor", "CSRF_HEADER", "login_csrf", "safe_next", "login_url"]
