"""``rapid serve``: the web application and REST API over the workspace."""

from __future__ import annotations

import typer

from .common import console, handle_errors, open_workspace

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def run_server(host: str, port: int) -> None:
    """Serve the workspace of ``RAPID_DATABASE_URL`` with uvicorn until interrupted (Ctrl+C).

    Raises:
        NotInitialised: the workspace has no schema (run ``rapid init`` or ``rapid quickstart``).
    """
    import uvicorn

    from ..api import create_app

    ws = open_workspace()
    app = create_app(ws)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"Serving {ws.location} at http://{shown}:{port}/ (API docs at /api/docs). Ctrl+C stops.",
                  highlight=False)
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[yellow]warning:[/] listening on {host}, not only this machine: put TLS in front of it.")
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False, server_header=False)
    finally:
        ws.close()


@handle_errors
def serve(
    host: str = typer.Option(DEFAULT_HOST, "--host", help="Address to listen on (default loopback only)."),
    port: int = typer.Option(DEFAULT_PORT, "--port", min=1, max=65535, help="TCP port."),
) -> None:
    """Serve the web pages and the REST API (default http://127.0.0.1:8000/; API docs at /api/docs)."""
    run_server(host, port)
