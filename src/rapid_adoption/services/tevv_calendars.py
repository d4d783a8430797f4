"""Test centres' calendars: capacity (concurrent trials per week), blackout weeks and capabilities.

A centre without a calendar of its own has the default capacity of its type
(:data:`rapid_adoption.tevv.test_domains.DEFAULT_CAPACITY_PER_WEEK`: test range 3, test centre 2, accelerator site
1), no blackout weeks and the capabilities of its catalogue record. Only the centre's owner organisation may change
its calendar (roles admin or test_centre); every change is audited. A calendar is visible exactly when its centre is.

The weekly load counts every scheduled or running trial at the centre, also trials the reader may not see (capacity
is shared), but shows only the count.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any, Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..domain.errors import Conflict, PermissionDenied, ValidationError
from ..domain.sharing import Actor
from ..domain.tevv import TrialStatus
from ..store.sharing import restrict, unrestricted
from ..store.tables import TestCentre
from ..store.tables_tevv import CentreCalendarRecord, Trial
from ..tevv.test_domains import DEFAULT_CAPACITY_PER_WEEK, centre_test_domains
from ..tevv.weeks import parse_week, week_label, week_monday, week_start, weeks_of
from . import audit
from .records import plain, resolve, row_dict
from .workspace import Workspace

CALENDAR_ROLES = ("admin", "test_centre")
"""Roles that may change their own organisation's centre calendars."""
MAX_CAPACITY_PER_WEEK = 100
"""The largest capacity a calendar accepts."""
BUSY = (TrialStatus.SCHEDULED.value, TrialStatus.RUNNING.value)
"""Trial statuses that take a centre's capacity."""

UNSET: Any = object()
"""Marks an argument that was not given (None has a meaning: back to the default)."""


def default_capacity(centre_type: str) -> int:
    """The default capacity of a centre type (1 for an unknown type)."""
    return DEFAULT_CAPACITY_PER_WEEK.get(centre_type, 1)


def effective(centre: TestCentre, calendar: CentreCalendarRecord | None) -> dict[str, Any]:
    """A centre's calendar as used: capacity (its own or its type's default), blackout weeks, capabilities and the
    normalised test domains of its catalogue record (JSON-ready)."""
    capacity = calendar.capacity_per_week if calendar and calendar.capacity_per_week is not None else None
    capabilities = calendar.capabilities if calendar else [c.strip().lower() for c in centre.capabilities if c.strip()]
    return {
        "centre_id": centre.id, "centre_ref": centre.ref, "centre_name": centre.name, "centre_type": centre.centre_type,
        "country": centre.country,
        "capacity_per_week": capacity if capacity is not None else default_capacity(centre.centre_type),
        "capacity_is_default": capacity is None,
        "default_capacity_per_week": default_capacity(centre.centre_type),
        "blackout_weeks": sorted(calendar.blackout_weeks) if calendar else [],
        "capabilities": sorted(set(capabilities)),
        "test_domains": sorted(centre_test_domains(centre.domains)),
        "version": calendar.version if calendar else None,
    }


def load(session: Session, actor: Actor, centre_ids: Iterable[int] | None = None
         ) -> list[tuple[TestCentre, CentreCalendarRecord | None]]:
    """The centres the actor may see (all, or those of ``centre_ids``), each with its calendar row or None, by id."""
    query = select(TestCentre)
    if centre_ids is not None:
        query = query.where(TestCentre.id.in_(sorted(set(centre_ids))))
    centres = list(session.scalars(restrict(query.order_by(TestCentre.id), actor)))
    calendars = {cal.centre_id: cal for cal in session.scalars(restrict(select(CentreCalendarRecord).where(
        CentreCalendarRecord.centre_id.in_([c.id for c in centres])), actor))}
    return [(c, calendars.get(c.id)) for c in centres]


def occupancy(session: Session, centre_ids: Sequence[int] | None, first: date, last: date,
              exclude_trial_id: int | None = None) -> Counter:
    """How many scheduled or running trials each centre holds in each week from ``first`` to ``last``.

    It counts every trial, including those the reader may not see: capacity is shared. Callers show counts only.

    Returns:
        A Counter of ``(centre_id, Monday) -> trials``.
    """
    query = select(Trial.id, Trial.centre_id, Trial.window_starts_on, Trial.window_ends_on).where(
        Trial.status.in_(BUSY), Trial.centre_id.is_not(None), Trial.window_starts_on <= last,
        Trial.window_ends_on >= first)
    if centre_ids is not None:
        query = query.where(Trial.centre_id.in_(sorted(set(centre_ids))))
    counts: Counter = Counter()
    for trial_id, centre_id, starts_on, ends_on in session.execute(unrestricted(
            query, "a centre's weekly load counts every trial there; only the counts are shown")):
        if trial_id == exclude_trial_id:
            continue
        for monday in weeks_of(starts_on, ends_on):
            if first <= monday <= last:
                counts[(centre_id, monday)] += 1
    return counts


def show_calendar(workspace: Workspace, actor: Actor, centre: str | int, *, weeks: int = 12) -> dict[str, Any]:
    """A centre's calendar and its load over the next ``weeks`` weeks (1-104), from this week.

    Returns:
        :func:`effective`'s fields and ``weeks``: one row per week with ``week`` (``2026-W49``), ``monday``,
        ``booked`` (trials there, all organisations'), ``capacity`` and ``blackout``.

    Raises:
        NotFound: no such visible centre.
        ValidationError: ``weeks`` outside 1-104.
    """
    if not 1 <= weeks <= 104:
        raise ValidationError(f"must be 1-104, got {weeks}", field="weeks")
    origin = week_start(workspace.now())
    last = week_monday(origin, weeks - 1)
    with workspace.uow.read() as session:
        row = resolve(session, TestCentre, centre, actor)
        calendar = session.scalar(restrict(select(CentreCalendarRecord).where(
            CentreCalendarRecord.centre_id == row.id), actor))
        data = effective(row, calendar)
        load_counts = occupancy(session, [row.id], origin, last)
    blackout = set(data["blackout_weeks"])
    data["weeks"] = [{"week": week_label(week_monday(origin, i)), "monday": week_monday(origin, i).isoformat(),
                      "booked": load_counts[(data["centre_id"], week_monday(origin, i))],
                      "capacity": data["capacity_per_week"],
                      "blackout": week_monday(origin, i).isoformat() in blackout} for i in range(weeks)]
    return plain(data)


def _capabilities(values: Iterable[str]) -> list[str]:
    out = set()
    for value in values:
        for part in str(value).split(","):
            tag = part.strip().lower()
            if not tag:
                continue
            if len(tag) > 60:
                raise ValidationError(f"a capability tag is at most 60 characters, got {tag[:20]!r}...",
                                      field="capabilities")
            out.add(tag)
    return sorted(out)


def set_calendar(workspace: Workspace, actor: Actor, centre: str | int, *, capacity_per_week: Any = UNSET,
                 add_blackout: Sequence[str] = (), remove_blackout: Sequence[str] = (),
                 capabilities: Sequence[str] | None = None, expected_version: int | None = None) -> dict[str, Any]:
    """Change a centre's calendar; what is not given stays as it is.

    Args:
        centre: the centre's id or ref.
        capacity_per_week: concurrent trials per week (1-100), or None for the type's default; leave it out to keep.
        add_blackout, remove_blackout: weeks as ISO weeks (``2026-W52``) or dates in them.
        capabilities: the full new list of capability tags (lower-cased; ``,`` also separates); None keeps them.
        expected_version: the calendar's version the change was made from (optimistic locking).

    Returns:
        The calendar as :func:`effective` gives it, with ``changed``.

    Raises:
        NotFound: no such visible centre.
        PermissionDenied: another organisation's centre, or the actor is neither admin nor test_centre.
        ValidationError: a capacity outside 1-100, a bad week or tag.
        Conflict: ``expected_version`` is stale.
    """
    if capacity_per_week is not UNSET and capacity_per_week is not None and (
            isinstance(capacity_per_week, bool) or not isinstance(capacity_per_week, int)
            or not 1 <= capacity_per_week <= MAX_CAPACITY_PER_WEEK):
        raise ValidationError(f"must be a whole number 1-{MAX_CAPACITY_PER_WEEK}, got {capacity_per_week!r}",
                              field="capacity_per_week")
    added = {parse_week(w, "blackout").isoformat() for w in add_blackout}
    removed = {parse_week(w, "blackout").isoformat() for w in remove_blackout}
    tags = _capabilities(capabilities) if capabilities is not None else None
    now = workspace.now()
    try:
        with workspace.uow.transaction() as session:
            row = resolve(session, TestCentre, centre, actor, "change")
            if not actor.has_role(*CALENDAR_ROLES):
                raise PermissionDenied(f"changing a centre's calendar needs the role {' or '.join(CALENDAR_ROLES)}")
            calendar = session.scalar(restrict(select(CentreCalendarRecord).where(
                CentreCalendarRecord.centre_id == row.id), actor))
            if expected_version is not None and (calendar.version if calendar else None) != expected_version:
                raise Conflict(f"the calendar of centre {row.id} is at version {calendar.version if calendar else 'none'}"
                               f", not {expected_version}: reload and try again")
            before = effective(row, calendar)
            if calendar is None:
                calendar = CentreCalendarRecord(centre_id=row.id, capacity_per_week=None, blackout_weeks=[],
                                                capabilities=before["capabilities"], created_at=now, updated_at=now)
                session.add(calendar)
            if capacity_per_week is not UNSET:
                calendar.capacity_per_week = capacity_per_week
            calendar.blackout_weeks = sorted((set(calendar.blackout_weeks) | added) - removed)
            if tags is not None:
                calendar.capabilities = tags
            after = effective(row, calendar)
            changed = {k: v for k, v in after.items() if k != "version"} != {
                k: v for k, v in before.items() if k != "version"}
            if not changed:
                if calendar.id is None:
                    session.expunge(calendar)
                return {**before, "changed": False}
            calendar.updated_at = now
            session.flush()
            after = effective(row, calendar)
            audit.record(session, actor, "update", "centre_calendars", calendar.id, now=now, before=before,
                         after=row_dict(calendar))
            return plain({**after, "changed": True})
    except StaleDataError:
        raise Conflict(f"the calendar of centre {centre} was changed by someone else meanwhile: reload and try again"
                       ) from None


__all__ = ["BUSY", "CALENDAR_ROLES", "UNSET", "default_capacity", "effective", "load", "occupancy", "set_calendar",
           "show_calendar"]
