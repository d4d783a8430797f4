"""One router per area of the site; :data:`ROUTERS` lists them."""

from __future__ import annotations

from . import auth, dashboard

ROUTERS = [auth.router, dashboard.router]
"""The page routers, included in this order."""
