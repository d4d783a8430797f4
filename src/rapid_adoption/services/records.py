"""Looking up records by id or ref, and turning them into plain dicts for output."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import NotFound, ValidationError
from ..store.tables import AdoptionCase, CapabilityNeed, Company, Solution, TestCentre

LABELS = {
    CapabilityNeed: "capability need",
    Solution: "solution",
    Company: "company",
    TestCentre: "test centre",
    AdoptionCase: "adoption case",
}


def resolve(session: Session, model: type, ident: str | int):
    """Load a record by numeric id or by ref (``EDF-2023-DA-AIR-SPS``, ``PIC-999988327``, ...).

    Raises:
        NotFound: no record has that id or ref, e.g. "no capability need 'X' (give its id or ref)".
        ValidationError: ``ident`` is the id of one record and the ref of another.
    """
    text = str(ident).strip()
    by_id = session.get(model, int(text)) if text.isascii() and text.isdigit() and len(text) < 19 else None
    by_ref = session.scalar(select(model).where(model.ref == text)) if hasattr(model, "ref") else None
    if by_id is not None and by_ref is not None and by_id is not by_ref:
        raise ValidationError(
            f"{text!r} is the id of one {LABELS.get(model, model.__name__)} and the ref of another "
            f"(id {by_ref.id}); give the other's id instead")
    record = by_id if by_id is not None else by_ref
    if record is None:
        raise NotFound(f"no {LABELS.get(model, model.__name__)} {text!r} (give its id or ref)")
    return record


def plain(value: Any) -> Any:
    """A JSON-ready value: datetimes and dates as ISO 8601 strings, tuples as lists."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def row_dict(record: Any, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """All column values of an ORM ``record`` as a JSON-ready dict."""
    return {c.key: plain(getattr(record, c.key)) for c in record.__table__.columns if c.key not in exclude}
