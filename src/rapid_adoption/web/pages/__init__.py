"""One router per area of the site; :data:`ROUTERS` lists them."""

from __future__ import annotations

from . import admin, assessments, auth, cases, catalogue, dashboard, tevv

ROUTERS = [auth.router, dashboard.router, catalogue.router, cases.router, assessments.router, admin.router, tevv.router]
"""The page routers, included in this order."""

from . import badges, public  # noqa: E402 - badges of approval (issue 7): pages for users, and public pages

ROUTERS += [public.router, badges.router]
