"""One router per resource; :data:`ROUTERS` lists them in the order the OpenAPI document shows them."""

from __future__ import annotations

from . import assessments, audit, cases, centres, companies, matching, needs, organisations, sharing_groups, solutions, users
from . import calendars, procedures, risks, trials

ROUTERS: list = [needs.router, solutions.router, companies.router, centres.router, cases.router, assessments.router,
                 sharing_groups.router, organisations.router, users.router, audit.router, matching.router,
                 procedures.router, trials.router, trials.schedule_router, calendars.router, risks.case_router,
                 risks.router]
"""The resource routers, each with its own prefix under ``/api``."""

from . import badges  # noqa: E402 - badges of approval (issue 7)

ROUTERS.append(badges.router)
