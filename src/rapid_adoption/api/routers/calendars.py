"""``/api/centres/{id}/calendar``: a test centre's calendar: capacity per week, blackout weeks, capabilities, and
its weekly load."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response

from ...domain.errors import Conflict
from ...services import tevv_calendars
from .. import problems
from ..deps import ActorDep, WorkspaceDep
from ..schemas_tevv import CalendarPatch, CentreCalendar
from ._common import WRITE_PROBLEMS, IfMatch, RecordId, tagged, version_of

router = APIRouter(prefix="/centres", tags=["Test centres"])


def numbered(calendar: dict[str, Any]) -> dict[str, Any]:
    """The calendar with ``version`` 0 for a centre whose calendar was never changed (the service gives None), so
    every calendar has a numeric ETag."""
    return {**calendar, "version": calendar["version"] or 0}


@router.get("/{record_id}/calendar", response_model=CentreCalendar, responses=problems.responses(404),
            summary="Show a centre's calendar")
def show_calendar(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep, response: Response,
                  weeks: int = Query(12, ge=1, le=104, description="Weeks of load shown, from this week.")) -> Any:
    """The centre's capacity (its own or its type's default), blackout weeks, capabilities and test domains, and
    for each of the next `weeks` weeks how many trials are booked there (every organisation's, counted only)."""
    return tagged(response, numbered(tevv_calendars.show_calendar(ws, actor, str(record_id), weeks=weeks)))


@router.patch("/{record_id}/calendar", response_model=CentreCalendar, responses=WRITE_PROBLEMS,
              summary="Change a centre's calendar")
def update_calendar(record_id: RecordId, body: CalendarPatch, ws: WorkspaceDep, actor: ActorDep, response: Response,
                    if_match: IfMatch = None) -> Any:
    """Change the capacity, add or remove blackout weeks, or replace the capabilities; what is not sent stays.

    The centre's owner organisation only (roles admin or test_centre). Send `If-Match` with the calendar's
    version (0 before its first change); a stale one answers 409.
    """
    expected = version_of(if_match)
    if expected == 0:  # no calendar row yet: refuse if one was made meanwhile
        current = tevv_calendars.show_calendar(ws, actor, str(record_id), weeks=1)["version"]
        if current is not None:
            raise Conflict(f"the calendar of centre {record_id} is at version {current}, not 0: reload and try again")
    given = body.model_fields_set
    changed = tevv_calendars.set_calendar(
        ws, actor, str(record_id),
        capacity_per_week=body.capacity_per_week if "capacity_per_week" in given else tevv_calendars.UNSET,
        add_blackout=body.add_blackout, remove_blackout=body.remove_blackout, capabilities=body.capabilities,
        expected_version=expected or None)
    return tagged(response, numbered(changed))


__all__ = ["numbered", "router"]
