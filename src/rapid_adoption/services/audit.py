"""The audit log: append-only, hash-chained entries written in the same transaction as each change.

Each entry's hash is SHA-256 over the canonical JSON (sorted keys, no spaces) of the entry's fields
and the previous entry's hash, so changing or removing any entry breaks the chain from there on.
The ``audit_head`` row holds the last id and hash; appending locks it, which serialises writers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from ..domain.errors import RapidError
from ..domain.sharing import Actor
from ..store.sharing import restrict, unrestricted
from ..store.tables import SHARED_MODELS, AuditEntry, AuditHead
from .records import plain
from .workspace import Workspace

GENESIS_HASH = "0" * 64


class AuditLogBroken(RapidError):
    """The audit log cannot take an entry (its chain head is gone), or ``verify`` found it altered."""

    exit_code = 10
    http_status = 500


def canonical_json(data: Any) -> str:
    """JSON with sorted keys and no insignificant whitespace, as the hash input."""
    return json.dumps(plain(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(fields: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 (hex) of the entry's canonical JSON together with the previous entry's hash."""
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id, "at": entry.at, "actor": entry.actor, "actor_user_id": entry.actor_user_id,
        "organisation_id": entry.organisation_id, "action": entry.action, "object_type": entry.object_type,
        "object_id": entry.object_id, "before": entry.before, "after": entry.after,
    }


NO_CHANGE_ACTIONS = frozenset({"token.use", "login", "login.failed", "logout"})
"""Audited actions that change no data: they leave ``audit_head.last_change_id`` where it is."""


def record(session: Session, actor: Actor, action: str, object_type: str, object_id: int | None, *,
           now: datetime, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry in the caller's transaction.

    Args:
        session: the session that makes the change (so both commit or neither).
        actor: who acts (the system itself has ``user_id`` None).
        action: e.g. ``create``, ``update``, ``share``, ``gate``, ``login``, ``token.use``, ``import``.
        object_type: the table or kind of object, e.g. ``assessments``.
        object_id: the object's id, or None.
        now: the entry's time (timezone-aware UTC).
        before, after: the object's data before and after (JSON-ready dicts), or None.
    """
    head = session.execute(
        unrestricted(select(AuditHead).where(AuditHead.id == 1).with_for_update(), "the audit chain head")
    ).scalar_one_or_none()
    if head is None:
        raise AuditLogBroken("the audit log's chain head is missing, so no change can be recorded: "
                             "run 'rapid audit verify'")
    entry = AuditEntry(
        id=head.last_id + 1, at=now, actor=actor.username, actor_user_id=actor.user_id,
        organisation_id=actor.org_id, action=action, object_type=object_type, object_id=object_id,
        before=plain(before) if before is not None else None, after=plain(after) if after is not None else None,
        prev_hash=head.last_hash, entry_hash="",
    )
    entry.entry_hash = entry_hash(_fields(entry), head.last_hash)
    session.add(entry)
    session.flush()
    moved = {"last_id": entry.id, "last_hash": entry.entry_hash}
    if action not in NO_CHANGE_ACTIONS:
        moved["last_change_id"] = entry.id
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(**moved))
    return entry


@dataclass(frozen=True)
class ChainReport:
    """The result of :func:`verify`.

    Attributes:
        entries: how many entries were checked.
        problems: one line per problem found, e.g. "entry 7: altered (its hash does not match)".
    """

    entries: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def verify(workspace: Workspace) -> ChainReport:
    """Recompute the chain: every entry's hash, the links between entries, the ids, and the head.

    Finds an altered entry (its hash no longer matches), a missing entry (a gap in the ids or a
    broken link), and a removed tail (the head names a later entry than the last one found).
    """
    problems: list[str] = []
    count = 0
    with workspace.uow.read() as session:
        head = session.execute(unrestricted(select(AuditHead).where(AuditHead.id == 1), "chain check")).scalar_one_or_none()
        if head is None:
            problems.append("the chain head (audit_head) is missing")
        previous_hash, expected_id = GENESIS_HASH, 1
        for entry in session.execute(unrestricted(select(AuditEntry).order_by(AuditEntry.id), "chain check")).scalars():
            count += 1
            if entry.id != expected_id:
                if entry.id == expected_id + 1:
                    problems.append(f"entry {expected_id}: missing")
                else:
                    problems.append(f"entries {expected_id}-{entry.id - 1}: missing")
            if entry.prev_hash != previous_hash:
                problems.append(f"entry {entry.id}: does not follow the entry before it (an entry was removed or altered)")
            if entry_hash(_fields(entry), entry.prev_hash) != entry.entry_hash:
                problems.append(f"entry {entry.id}: altered (its hash does not match its content)")
            previous_hash, expected_id = entry.entry_hash, entry.id + 1
        if head is not None and (head.last_id != expected_id - 1 or head.last_hash != previous_hash):
            problems.append(f"the chain should end at entry {head.last_id}, but the last entry found is {expected_id - 1}")
    return ChainReport(count, problems)


def _visible_entries(actor: Actor):
    """The condition on audit entries that :func:`list_entries` documents (the sharing rules for the audit log)."""
    shared_types = list(SHARED_MODELS)
    own_org = AuditEntry.organisation_id == actor.org_id
    about_visible = []
    for name, model in SHARED_MODELS.items():
        visible_ids = restrict(select(model.id), actor)  # containment included: a record in a hidden case stays hidden
        about_visible.append(and_(AuditEntry.object_type == name, AuditEntry.object_id.in_(visible_ids)))
    condition = or_(*about_visible, and_(own_org, AuditEntry.object_type.notin_(shared_types)))
    if actor.has_role("auditor"):
        condition = or_(condition, own_org)
    return condition


def list_entries(workspace: Workspace, actor: Actor, *, object_type: str | None = None, object_id: int | None = None,
                 limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Audit entries the actor may see, newest first.

    An auditor sees every entry of its own organisation. Anyone sees entries about records the
    sharing filter lets them see now, and their own organisation's entries about objects that are
    not shared records (users, tokens, groups, imports).

    The data before and after a change (``before``, ``after``) is shown only in the entries of the
    reader's own organisation: another organisation's record may have held, before it was shared,
    text its owner never meant to share. Others see that a change was made, by whom and when.
    """
    query = select(AuditEntry).where(_visible_entries(actor))
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    query = restrict(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset), actor)
    with workspace.uow.read() as session:
        return [withheld({**_fields(e), "entry_hash": e.entry_hash}, actor) for e in session.execute(query).scalars()]


def withheld(entry: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """``entry`` (a JSON-ready dict) as ``actor`` may read it: ``before`` and ``after`` are None unless the entry
    is of the actor's own organisation (see :func:`list_entries`)."""
    entry = plain(entry)
    if entry.get("organisation_id") != actor.org_id:
        entry["before"] = entry["after"] = None
    return entry


AUDIT_SORTS = {"id": AuditEntry.id}
"""The keys an audit list may be sorted by (``-id``, newest first, by default)."""


def page_entries(workspace: Workspace, actor: Actor, *, object_type: str | None = None, object_id: int | None = None,
                 action: str | None = None, sort: str | None = "-id", after: list[Any] | None = None,
                 limit: int = 50, with_total: bool = True):
    """One keyset page of the audit entries ``actor`` may see, by exactly the rules of :func:`list_entries`.

    Args:
        object_type, object_id, action: optional filters (exact match).
        sort: ``-id`` (newest first, the default) or ``id``.
        after: ``[id, id]`` of the last entry of the page before.
        limit: 1-500 entries.

    Returns:
        A :class:`rapid_adoption.services.paging.KeysetPage` whose rows carry the fields of
        :func:`list_entries`' entries and ``entry_hash``.

    Raises:
        ValidationError: a bad sort, cursor or limit.
    """
    from .paging import keyset_page

    query = select(AuditEntry.id, AuditEntry.at, AuditEntry.actor, AuditEntry.actor_user_id, AuditEntry.organisation_id,
                   AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id, AuditEntry.before,
                   AuditEntry.after, AuditEntry.entry_hash).where(_visible_entries(actor))
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    if action:
        query = query.where(AuditEntry.action == action)
    with workspace.uow.read() as session:
        page = keyset_page(session, restrict(query, actor), actor, id_column=AuditEntry.id, sorts=AUDIT_SORTS,
                           sort=sort, after=after, limit=limit, default="-id", with_total=with_total)
    return replace(page, rows=[withheld(row, actor) for row in page.rows])
