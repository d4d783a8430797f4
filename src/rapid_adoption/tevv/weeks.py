"""Weeks of the trial calendar: ISO 8601 weeks, Monday to Sunday, in UTC.

A trial occupies whole weeks. Its window runs from a Monday (``window_starts_on``) to a Sunday (``window_ends_on``).
The scheduler counts weeks from an origin, :func:`planning_origin`: the first Monday on or after today, so no
trial is planned to start in a week that has already begun. Week 0 is the week from that Monday.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from ..domain.errors import ValidationError

_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)


def week_start(day: date | datetime) -> date:
    """The Monday of the ISO week that holds ``day`` (a date, or a datetime taken as its date)."""
    if isinstance(day, datetime):
        day = day.date()
    return day - timedelta(days=day.weekday())


def planning_origin(now: date | datetime) -> date:
    """Week 0 of a plan made at ``now``: the first Monday on or after ``now``'s date (today when it is a Monday)."""
    if isinstance(now, datetime):
        now = now.date()
    return week_start(now + timedelta(days=6))


def week_label(day: date) -> str:
    """The ISO week of ``day`` as ``2026-W49``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str, field: str = "week") -> date:
    """The Monday of a week given as an ISO week (``2026-W52``) or as any date in it (``2026-12-24``).

    Raises:
        ValidationError: naming ``field``: neither form, or a week that does not exist (``2026-W54``).
    """
    value = str(text).strip()
    match = _ISO_WEEK.match(value)
    try:
        if match:
            return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        return week_start(date.fromisoformat(value))
    except ValueError:
        raise ValidationError(f"must be an ISO week such as 2026-W52 or a date such as 2026-12-24, got {value!r}",
                              field=field) from None


def week_index(origin: date, day: date) -> int:
    """Whole weeks from the Monday ``origin`` to the week holding ``day`` (negative before the origin)."""
    return (week_start(day) - origin).days // 7


def week_monday(origin: date, index: int) -> date:
    """The Monday of week ``index`` counted from the Monday ``origin``."""
    return origin + timedelta(weeks=index)


def window(origin: date, start_week: int, duration_weeks: int) -> tuple[date, date]:
    """A trial's window: the Monday of ``start_week`` and the Sunday ``duration_weeks`` weeks later (inclusive)."""
    starts_on = week_monday(origin, start_week)
    return starts_on, starts_on + timedelta(weeks=duration_weeks, days=-1)


def weeks_of(starts_on: date, ends_on: date) -> list[date]:
    """The Mondays of every week from ``starts_on`` to ``ends_on`` (inclusive)."""
    monday, out = week_start(starts_on), []
    while monday <= ends_on:
        out.append(monday)
        monday += timedelta(weeks=1)
    return out


__all__ = ["parse_week", "planning_origin", "week_index", "week_label", "week_monday", "week_start", "weeks_of", "window"]
