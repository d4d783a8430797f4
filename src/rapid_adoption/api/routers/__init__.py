"""One router per resource; :data:`ROUTERS` lists them in the order the OpenAPI document shows them."""

from __future__ import annotations

ROUTERS: list = []
"""The resource routers, each with its own prefix under ``/api``."""
