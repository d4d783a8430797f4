"""The web application: the REST API under ``/api``, the browser pages, and the vendored static files.

``create_app(workspace)`` is the composition root: it wires the routers to one workspace. It never
opens a database itself, so tests and ``rapid serve`` decide which workspace is served.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..services.workspace import Workspace
from . import problems
from .routers import ROUTERS

API_DESCRIPTION = """\
The REST API of Rapid Adoption: capability needs, solutions, companies, test centres, adoption cases with their
gate decisions, market-research assessments, sharing groups, organisations, users and the audit log.

* **Auth**: every endpoint needs `Authorization: Bearer TOKEN`; make a token with `rapid tokens create --name NAME`.
* **Sharing**: every read goes through the sharing filter. A record you may not see answers 404, exactly as one
  that does not exist.
* **Lists** are cursor-paginated: pass the `next_cursor` of a page as `cursor` to get the next one.
* **Updates** send `If-Match` with the record's `version` (or its `ETag`); a stale version answers 409.
* **Errors** are `application/problem+json` (RFC 9457).
"""


PAGE_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")
"""The Content-Security-Policy of every answer but the interactive API docs: only this server's own scripts and
styles (htmx adds one inline style element for its indicators), never inside another site's frame."""
DOCS_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
"""The policy of ``/api/docs``, whose page starts Swagger UI with an inline script (FastAPI's)."""


def security_headers(path: str) -> dict[str, str]:
    """The security headers of an answer to ``path`` (OWASP Secure Headers Project): no sniffing, no framing, no
    referrer to other sites, a strict CSP, and no caching, since pages and API answers carry shared records."""
    return {
        "Content-Security-Policy": DOCS_CSP if path == "/api/docs" else PAGE_CSP,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "public, max-age=3600" if path.startswith("/static/") else "no-store",
    }


def create_app(workspace: Workspace) -> FastAPI:
    """The FastAPI application serving ``workspace``.

    Args:
        workspace: an open, migrated workspace; the application uses it for every request and does
            not close it.

    Returns:
        The application: OpenAPI 3.1 at ``/api/openapi.json``, interactive docs at ``/api/docs``, the
        API under ``/api``, pages at ``/``, static files at ``/static``.
    """
    app = FastAPI(title="Rapid Adoption API", version=__version__, description=API_DESCRIPTION,
                  openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)
    app.state.workspace = workspace
    problems.install(app)

    @app.middleware("http")
    async def _security_headers(request, call_next):
        response = await call_next(request)
        for name, value in security_headers(request.url.path).items():
            response.headers.setdefault(name, value)
        return response

    api = APIRouter(prefix="/api")
    for router in ROUTERS:
        api.include_router(router)
    app.include_router(api)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs():
        """Interactive API docs (Swagger UI, served from the vendored copy, never a CDN)."""
        return get_swagger_ui_html(openapi_url=app.openapi_url, title="Rapid Adoption API",
                                   swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
                                   swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg")

    # The browser pages are optional to the API: imported here so the API alone stays usable in tests.
    from ..web import install as install_web

    install_web(app)
    static = resources.files("rapid_adoption") / "web" / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app


__all__ = ["create_app"]
