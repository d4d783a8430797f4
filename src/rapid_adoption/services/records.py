"""Looking up records by id or ref, and turning them into plain dicts for output."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import NotFound, PermissionDenied, ValidationError
from ..domain.sharing import Actor
from ..store.sharing import restrict
from ..store.tables import AdoptionCase, Assessment, CapabilityNeed, Company, Solution, TestCentre

LABELS = {
    Assessment: "assessment",
    CapabilityNeed: "capability need",
    Solution: "solution",
    Company: "company",
    TestCentre: "test centre",
    AdoptionCase: "adoption case",
}


def resolve(session: Session, model: type, ident: str | int, actor: Actor, action: str = "view"):
    """Load a record the actor may see, by numeric id or by ref (``EDF-2023-DA-AIR-SPS``, ``PIC-999988327``).

    Args:
        actor: the reader; the sharing filter applies, so a hidden record is "not found".
        action: ``view``, or ``change`` to also require that the actor's organisation owns it.

    Raises:
        NotFound: no visible record has that id or ref, e.g. "no capability need 'X' (give its id or ref)".
        PermissionDenied: ``change`` on a visible record that another organisation owns.
        ValidationError: ``ident`` is the id of one visible record and the ref of another.
    """
    text = str(ident).strip()
    label = LABELS.get(model, model.__name__)
    by_id = by_ref = None
    if text.isascii() and text.isdigit() and len(text) < 19:
        by_id = session.scalar(restrict(select(model).where(model.id == int(text)), actor))
    if hasattr(model, "ref"):
        by_ref = session.scalar(restrict(select(model).where(model.ref == text), actor))
    if by_id is not None and by_ref is not None and by_id is not by_ref:
        raise ValidationError(f"{text!r} is the id of one {label} and the ref of another (id {by_ref.id}); "
                              "give the other's id instead")
    record = by_id if by_id is not None else by_ref
    if record is None:
        raise NotFound(f"no {label} {text!r} (give its id or ref)")
    if action == "change":
        require_owner(record, actor, text)
    return record


def require_owner(record, actor: Actor, ident: str | int | None = None) -> None:
    """Check that ``actor``'s organisation owns ``record`` (a visible shared record already loaded).

    Args:
        ident: how the user named the record, for the message (default its id).

    Raises:
        PermissionDenied: another organisation owns it, e.g. "capability need 5 belongs to another
            organisation: only its owner may change it".
    """
    if record.owner_org_id != actor.org_id:
        label = LABELS.get(type(record), type(record).__name__)
        raise PermissionDenied(f"{label} {record.id if ident is None else ident} belongs to another organisation: "
                               "only its owner may change it")


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


def releasable_codes(stored: str) -> tuple[str, ...]:
    """The nations in a stored ``releasable_to`` value (``",DEU,FRA,"`` gives ``("DEU", "FRA")``)."""
    return tuple(code for code in stored.split(",") if code)


def stored_releasable(codes: tuple[str, ...]) -> str:
    """The stored form of a releasability list: ``("DEU", "FRA")`` gives ``",DEU,FRA,"``; ``()`` gives ``""``."""
    return f",{','.join(codes)}," if codes else ""


def marking_of(session: Session, record) -> dict[str, Any]:
    """A shared record's marking: ``releasable_to`` as a list, its sharing group's name, and the banner text."""
    from ..domain.sharing import marking_banner
    from ..store.tables import SharingGroup

    codes = releasable_codes(record.releasable_to or "")
    group = session.get(SharingGroup, record.sharing_group_id) if record.sharing_group_id else None
    out = {
        "releasable_to": list(codes),
        "sharing_group": group.name if group else None,
        "marking": marking_banner(record.tlp, record.distribution, group.name if group else None, codes),
    }
    if record.tlp == "RED":
        from ..store.tables import RedRecipient, User

        readers = sorted(session.scalars(select(User.username).join(RedRecipient, RedRecipient.user_id == User.id)
                                         .where(RedRecipient.record_table == record.__tablename__,
                                                RedRecipient.record_id == record.id)))
        out["red_recipients"] = readers
        out["marking"] += " · RED to " + (", ".join(readers) if readers else "nobody named")
    return out
