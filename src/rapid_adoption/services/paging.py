"""Keyset pagination for the services' lists: whitelisted sort keys, ``after`` values, one page and the total.

A page is read with ``ORDER BY key, id`` and, after the first page, ``WHERE (key, id) > (after)`` (``<``
for a descending sort), so a page never skips or repeats a row when rows are added in between, and a
deep page costs no more than the first. Sort keys are non-null columns only, so the comparison is total.
The entry points turn ``next_after`` into an opaque cursor (``api/pagination.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Integer, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from ..domain.errors import ValidationError
from ..domain.sharing import Actor
from ..store.sharing import restrict
from ..store.types import UTCDateTime
from .records import plain

MAX_PAGE = 500
"""The largest page a list returns."""


@dataclass(frozen=True)
class KeysetPage:
    """One page of a list.

    Attributes:
        total: how many visible rows match the filters in all; None when the caller did not ask.
        rows: the page's rows as JSON-ready dicts, in sort order.
        next_after: the key of the page's last row (``[sort value, id]``) when more rows follow, else None.
    """

    total: int | None
    rows: list[dict[str, Any]]
    next_after: list[Any] | None


def parse_sort(sort: str | None, allowed: dict[str, Any], default: str = "id") -> tuple[str, bool]:
    """Parse ``"title"`` or ``"-updated_at"`` into (key name, descending).

    Args:
        sort: the requested sort key, ``-`` in front for descending; None or "" gives ``default``.
        allowed: key name -> column, the whitelist.

    Raises:
        ValidationError: (field ``sort``) a key not in ``allowed``, naming the allowed ones.
    """
    text = (sort or default).strip()
    descending = text.startswith("-")
    name = text[1:] if descending else text
    if name not in allowed:
        options = ", ".join(f"{k}, -{k}" for k in allowed)
        raise ValidationError(f"cannot sort by {text!r}; use one of {options}", field="sort")
    return name, descending


def _bound(column, value: Any) -> Any:
    """A cursor value as the column's Python type.

    Raises:
        ValidationError: (field ``cursor``) a value of the wrong type for the column.
    """
    bad = ValidationError("not a cursor from this API: pass the next_cursor of the page before", field="cursor")
    kind = column.type
    try:
        if isinstance(kind, UTCDateTime):
            parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
            if parsed is None or parsed.tzinfo is None:
                raise bad
            return parsed
        if isinstance(kind, Date):
            if not isinstance(value, str):
                raise bad
            return date.fromisoformat(value)
        if isinstance(kind, Integer):
            if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= 2**63:
                raise bad
            return value
    except ValueError:
        raise bad from None
    if not isinstance(value, str):
        raise bad
    try:
        value.encode("utf-8")  # a lone surrogate cannot come from a real row
    except UnicodeEncodeError:
        raise bad from None
    return value


def keyset_page(session: Session, query: Select, actor: Actor, *, id_column, sorts: dict[str, Any],
                sort: str | None, after: list[Any] | None, limit: int, default: str = "id",
                with_total: bool = True) -> KeysetPage:
    """Read one page of ``query`` (already restricted by the sharing filter) and, if asked, the total.

    Args:
        query: a ``select`` of the row's columns, with the filters applied and :func:`restrict` called.
        id_column: the unique tie-breaker (the table's ``id``).
        sorts: the sort whitelist, key name -> non-null column of a table in ``query``.
        sort: the requested key (see :func:`parse_sort`).
        after: ``[sort value, id]`` of the last row of the page before, or None for the first page.
        limit: rows per page, 1-500.
        with_total: count every visible match too (a scan of all of them: on 100,000 rows it costs far more
            than the page itself); False leaves ``total`` None.

    Returns:
        The page; its ``next_after`` is None on the last page.

    Raises:
        ValidationError: a bad ``sort`` (field ``sort``), ``after`` (field ``cursor``) or ``limit`` (field ``limit``).
    """
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"must be 1-{MAX_PAGE}, got {limit}", field="limit")
    name, descending = parse_sort(sort, sorts, default)
    column = sorts[name]
    total = session.scalar(restrict(select(func.count()).select_from(query.subquery()), actor)) if with_total else None
    page = query.add_columns(column.label("_sort_key"), id_column.label("_sort_id"))
    if after is not None:
        if len(after) != 2:
            raise ValidationError("not a cursor from this API: pass the next_cursor of the page before", field="cursor")
        value, last_id = _bound(column, after[0]), _bound(id_column, after[1])
        if descending:
            page = page.where(or_(column < value, and_(column == value, id_column < last_id)))
        else:
            page = page.where(or_(column > value, and_(column == value, id_column > last_id)))
    order = (column.desc(), id_column.desc()) if descending else (column.asc(), id_column.asc())
    rows = session.execute(page.order_by(*order).limit(limit + 1)).mappings().all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_after = [plain(rows[-1]["_sort_key"]), rows[-1]["_sort_id"]] if more and rows else None
    out = [plain({k: v for k, v in r.items() if k not in ("_sort_key", "_sort_id")}) for r in rows]
    return KeysetPage(total, out, next_after)


__all__ = ["KeysetPage", "MAX_PAGE", "keyset_page", "parse_sort"]
