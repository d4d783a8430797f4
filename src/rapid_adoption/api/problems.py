"""Errors as ``application/problem+json`` (RFC 9457, "Problem Details for HTTP APIs").

The mapping from error to HTTP status lives in one place: each :class:`RapidError` class carries its
``http_status`` (``domain/errors.py``), and this module turns any error into a problem document. The
web pages use :func:`problem_for` too, so a page and the API say the same thing.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..domain.errors import RapidError, ValidationError

PROBLEM_MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    422: "Unprocessable content",
    428: "Precondition required",
    500: "Internal server error",
    503: "Service unavailable",
}


class Problem(BaseModel):
    """An RFC 9457 problem document, with this API's extension members ``field``, ``file`` and ``line``.

    Attributes:
        type: a URI naming the problem type (``about:blank`` when the status says it all).
        title: the status's short summary, e.g. "Not found".
        status: the HTTP status code.
        detail: what went wrong, in words a user can act on.
        field: the request field at fault, where there is one.
        errors: for a request that fails validation, one entry per bad field.
    """

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    field: str | None = None
    file: str | None = None
    line: int | None = None
    errors: list[dict[str, Any]] | None = None


def problem_for(exc: RapidError) -> Problem:
    """The problem document of a :class:`RapidError`: its class's ``http_status`` and its message."""
    status = exc.http_status
    if isinstance(exc, ValidationError):
        return Problem(title=TITLES.get(status, "Error"), status=status, detail=exc.message, field=exc.field,
                       file=exc.file, line=exc.line)
    return Problem(title=TITLES.get(status, "Error"), status=status, detail=str(exc))


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    """A ``JSONResponse`` with the problem, its status and the ``application/problem+json`` media type."""
    return JSONResponse(problem.model_dump(exclude_none=True), status_code=problem.status,
                        media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _located(loc: tuple | list) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(loc[-1] if loc else "")


def _answer(request: Request, problem: Problem, headers: dict[str, str] | None = None):
    """The problem as JSON for the API, or as an HTML page for a browser page (``app.state.error_page``)."""
    page = getattr(request.app.state, "error_page", None)
    if page is not None and not request.url.path.startswith("/api"):
        return page(request, problem)
    return problem_response(problem, headers)


def install(app: FastAPI) -> None:
    """Install the exception handlers on ``app``.

    API requests (paths under ``/api``) get problem documents. Page requests get the HTML page that
    ``app.state.error_page(request, problem)`` renders, when the web pages set one.
    """

    @app.exception_handler(RapidError)
    async def _rapid_error(request: Request, exc: RapidError):
        headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
        return _answer(request, problem_for(exc), headers)

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(request: Request, exc: RequestValidationError):
        errors = [{"field": _located(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors()]
        first = errors[0] if errors else {"field": None, "message": "invalid request"}
        detail = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        return _answer(request, Problem(title=TITLES[422], status=422, detail=detail, field=first["field"] or None,
                                        errors=errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        headers = dict(exc.headers or {})
        return _answer(request, Problem(title=TITLES.get(exc.status_code, "Error"), status=exc.status_code,
                                        detail=str(exc.detail) if exc.detail else None), headers or None)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the problem statuses a route can answer (401 and 422 always)."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted({401, 422, *statuses}):
        out[status] = {"model": Problem, "description": TITLES.get(status, "Error"),
                       "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    return out


__all__ = ["Problem", "PROBLEM_MEDIA_TYPE", "install", "problem_for", "problem_response", "responses"]
