"""Idempotent writes keyed by a natural key: insert what is new, update what changed, leave the rest.

Running the same rows twice changes nothing: no ``version`` bump and no ``updated_at`` change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ..store.sharing import unrestricted

CHUNK = 2000
WHY = "an import matches rows on their natural key; it writes only what its owner may (see protect_owner)"


@dataclass
class UpsertCount:
    """How many rows one upsert inserted, updated, left unchanged, and kept because another owner holds them.

    Attributes:
        kept: keys of rows left as they are because another organisation owns them (only with
            ``protect_owner``).
    """

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: list = field(default_factory=list)

    def __iadd__(self, other: "UpsertCount") -> "UpsertCount":
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.kept.extend(other.kept)
        return self


def _norm(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_norm(v) for v in value]
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def upsert(
    session: Session,
    model: type,
    key: Sequence[str],
    rows: Sequence[dict[str, Any]],
    *,
    now: datetime,
    versioned: bool = True,
    protect_owner: bool = False,
) -> tuple[UpsertCount, dict[tuple, int]]:
    """Insert or update ``rows`` of ``model`` matched on the ``key`` columns.

    Args:
        session: an open session inside a transaction.
        model: a mapped class with a single-column primary key.
        key: the natural-key column names, e.g. ``("ref",)``.
        rows: dicts of column values; every dict has the same keys, including the key columns.
        now: the timestamp for ``created_at`` and ``updated_at`` (timezone-aware UTC).
        versioned: the model has ``version``, ``created_at`` and ``updated_at`` columns.
        protect_owner: an existing row owned by another organisation (``owner_org_id``) than the
            new row is never changed; its key is listed in ``counts.kept``.

    Returns:
        ``(counts, ids)`` where ``ids`` maps each key tuple to the row's id (new and old alike).
    """
    counts = UpsertCount()
    pk = model.__mapper__.primary_key[0]
    key_cols = [getattr(model, c) for c in key]
    if not rows:
        return counts, {tuple(r[1:]): r[0] for r in session.execute(unrestricted(select(pk, *key_cols), WHY))}
    columns = list(rows[0].keys())
    compare = [c for c in columns if c not in key]
    selected = [pk] + [getattr(model, c) for c in columns]
    if versioned:
        selected.append(getattr(model, "version"))
    existing: dict[tuple, tuple[int, dict[str, Any], int]] = {}
    for record in session.execute(unrestricted(select(*selected), WHY)):
        values = dict(zip(columns, record[1 : 1 + len(columns)]))
        existing[tuple(values[k] for k in key)] = (record[0], values, record[-1] if versioned else 0)
    to_insert: list[dict[str, Any]] = []
    to_update: list[dict[str, Any]] = []
    seen: set[tuple] = set()
    for row in rows:
        row = {c: _norm(v) for c, v in row.items()}
        k = tuple(row[c] for c in key)
        if k in seen:
            continue
        seen.add(k)
        if k not in existing:
            if versioned:
                row = {**row, "version": 1, "created_at": now, "updated_at": now}
            to_insert.append(row)
            continue
        row_id, old, version = existing[k]
        if protect_owner and old.get("owner_org_id") != row.get("owner_org_id"):
            counts.kept.append(k)
            continue
        if all(_norm(old[c]) == row[c] for c in compare):
            counts.unchanged += 1
            continue
        change = {"__pk": row_id, **{c: row[c] for c in compare}}
        if versioned:
            change.update(version=version + 1, updated_at=now)
        to_update.append(change)
    table = model.__table__
    for start in range(0, len(to_insert), CHUNK):
        session.execute(insert(table), to_insert[start : start + CHUNK])
    for row in to_update:
        row_id = row.pop("__pk")
        session.execute(update(table).where(table.c[pk.name] == row_id).values(**row))
    counts.inserted = len(to_insert)
    counts.updated = len(to_update)
    ids: dict[tuple, int] = {}
    for record in session.execute(unrestricted(select(pk, *key_cols), WHY)):
        ids[tuple(record[1:])] = record[0]
    return counts, ids
