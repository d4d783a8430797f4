"""Cursor pagination for list endpoints.

A cursor is opaque to clients: URL-safe base64 of a small JSON document holding the sort key and the
key values of the last row of the page before (keyset pagination), so a page never skips or repeats a
row when rows are added in between, and deep pages cost no more than the first.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from ..domain.errors import ValidationError

T = TypeVar("T")

MAX_LIMIT = 500
"""The largest page a client may ask for."""


class Page(BaseModel, Generic[T]):
    """One page of a list.

    Attributes:
        items: the rows of this page, in the requested order.
        total: how many visible rows match the filters in all (hidden rows are never counted); null unless the
            request asked for it with ``count=true``.
        next_cursor: pass it as ``cursor`` to get the next page; None on the last page.
    """

    items: list[T]
    total: int | None = None
    next_cursor: str | None = None


def encode_cursor(sort: str, last: list[Any]) -> str:
    """The cursor after a row whose sort-key values are ``last`` (e.g. ``["Counter-UAS", 42]``) under ``sort``."""
    raw = json.dumps({"s": sort, "k": last}, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, sort: str, arity: int) -> list[Any]:
    """The key values in ``cursor``, checked against the current ``sort`` and the key's length ``arity``.

    Raises:
        ValidationError: (field ``cursor``) not a cursor of this API, or made for another sort order.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
        keys = data["k"]
        made_for = data["s"]
    except (ValueError, UnicodeError, binascii.Error, KeyError, TypeError):
        raise ValidationError("not a cursor from this API: pass the next_cursor of the page before",
                              field="cursor") from None
    if made_for != sort:
        raise ValidationError(f"this cursor was made for sort={made_for!r}, not sort={sort!r}", field="cursor")
    if not isinstance(keys, list) or len(keys) != arity or not all(
            isinstance(k, (str, int, float)) or k is None for k in keys) or any(isinstance(k, bool) for k in keys):
        raise ValidationError("not a cursor from this API: pass the next_cursor of the page before", field="cursor")
    return keys


__all__ = ["MAX_LIMIT", "Page", "decode_cursor", "encode_cursor"]
