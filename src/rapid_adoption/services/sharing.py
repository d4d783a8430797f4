"""Sharing groups and changing a record's sharing (distribution, group, TLP, releasability, RED recipients).

Changing a record's sharing is its own audited action. Only the owner organisation may do it; a
group's member list is visible to its members only; members may extend a group when they hold
``can_extend``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select

from ..domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..domain.records import check_text
from ..domain.sharing import Actor, parse_releasable_to
from ..domain.types import TLP, Distribution
from ..store.sharing import restrict
from ..store.tables import (
    CONTAINED_IN_CASE,
    SHARED_MODELS,
    AdoptionCase,
    GateDecision,
    Organisation,
    RedRecipient,
    SharingGroup,
    SharingGroupMember,
    User,
)
from . import audit
from .auth import group_ids_for
from .records import marking_of, require_owner, resolve, stored_releasable
from .workspace import Workspace

SHARE_ROLES = ("admin", "analyst", "board", "test_centre")

RECORD_TYPES = {
    "need": "capability_needs", "solution": "solutions", "company": "companies", "centre": "test_centres",
    "case": "adoption_cases", "assessment": "assessments", "membership": "programme_memberships",
    "investment": "investments", "procedure": "evaluation_procedures", "trial": "trials",
}
"""Names used on the command line (``rapid share assessment:12``) and the tables they stand for."""


def _one_member(organisation: str | None, nation: str | None) -> None:
    """Exactly one of an organisation and a nation.

    Raises:
        ValidationError: neither or both.
    """
    if organisation is None and nation is None:
        raise ValidationError("give an organisation (--org) or a nation (--nation)", field="--org/--nation")
    if organisation is not None and nation is not None:
        raise ValidationError("give an organisation or a nation, not both", field="--org/--nation")


def _group_for_member(session, actor: Actor, name: str | int) -> SharingGroup:
    """The group called ``name`` (or with the id ``name``, an int) if the actor's organisation is in it;
    otherwise NotFound (members only see it).

    ``name`` may carry its owner's ref, ``NOR:Nordic-Baltic``, to tell apart groups of one name that
    different organisations own (names are unique per owner only, so no one learns the names of groups
    they are not in). The actor's own group wins when the name alone is given.

    Raises:
        NotFound: no such group among the actor's.
        ValidationError: the name alone matches several groups of other owners (the message names them).
    """
    mine = sorted(group_ids_for(session, actor.org_id, actor.nation))
    if isinstance(name, int):
        found = session.scalar(select(SharingGroup).where(SharingGroup.id == name, SharingGroup.id.in_(mine)))
        if found is None:
            raise NotFound(f"no sharing group {name} that {actor.org_ref} belongs to")
        return found
    owner_ref, _, bare = name.partition(":") if ":" in name else ("", "", name)
    query = select(SharingGroup).where(SharingGroup.name == bare.strip(), SharingGroup.id.in_(mine))
    if owner_ref:
        query = query.join(Organisation, Organisation.id == SharingGroup.owner_org_id).where(
            Organisation.ref == owner_ref.strip().upper())
    groups = list(session.scalars(query))
    owned = [g for g in groups if g.owner_org_id == actor.org_id]
    if owned:
        return owned[0]
    if not groups:
        raise NotFound(f"no sharing group {name!r} that {actor.org_ref} belongs to")
    if len(groups) > 1:
        owners = sorted(session.get(Organisation, g.owner_org_id).ref for g in groups)
        raise ValidationError(f"{actor.org_ref} belongs to several groups called {name!r}: name one with its owner, "
                              f"as {' or '.join(f'{o}:{bare}' for o in owners)}", field="--group")
    return groups[0]


def create_group(workspace: Workspace, actor: Actor, name: str, description: str | None = None) -> dict[str, Any]:
    """Create a sharing group owned by the actor's organisation, with that organisation as a member who can extend it.

    Raises:
        PermissionDenied: the actor is neither admin nor analyst.
        Conflict: the owner organisation already has a group of that name.
        ValidationError: an empty name.
    """
    if not actor.has_role("admin", "analyst"):
        raise PermissionDenied("creating a sharing group needs the role admin or analyst")
    name = check_text(name, "name", max_length=200)
    now = workspace.now()
    with workspace.uow.transaction() as session:
        # Unique per owner only: a workspace-wide check would tell anyone the names of groups they are not in.
        if session.scalar(select(SharingGroup.id).where(SharingGroup.name == name,
                                                        SharingGroup.owner_org_id == actor.org_id)) is not None:
            raise Conflict(f"{actor.org_ref} already has a sharing group called {name!r}")
        group = SharingGroup(name=name, description=description, owner_org_id=actor.org_id, created_at=now, updated_at=now)
        session.add(group)
        session.flush()
        session.add(SharingGroupMember(group_id=group.id, organisation_id=actor.org_id, can_extend=True))
        session.flush()
        audit.record(session, actor, "create", "sharing_groups", group.id, now=now,
                     after={"name": name, "owner": actor.org_ref})
        return {"id": group.id, "name": name}


def add_member(workspace: Workspace, actor: Actor, group_name: str | int, *, organisation: str | None = None,
               nation: str | None = None, can_extend: bool = False) -> None:
    """Add an organisation, or every organisation of a nation, to a group.

    Raises:
        NotFound: the group is not one the actor's organisation belongs to, or no such organisation.
        PermissionDenied: the actor's organisation may not extend the group, or lacks admin/analyst.
        ValidationError: neither or both of ``organisation`` and ``nation``, or a bad nation code.
        Conflict: already a member.
    """
    _one_member(organisation, nation)
    if not actor.has_role("admin", "analyst"):
        raise PermissionDenied("changing a sharing group needs the role admin or analyst")
    now = workspace.now()
    with workspace.uow.transaction() as session:
        group = _group_for_member(session, actor, group_name)
        mine = session.scalar(select(SharingGroupMember).where(
            SharingGroupMember.group_id == group.id, SharingGroupMember.organisation_id == actor.org_id))
        if group.owner_org_id != actor.org_id and not (mine and mine.can_extend):
            raise PermissionDenied(f"{actor.org_ref} may not extend the group {group.name!r}")
        member = SharingGroupMember(group_id=group.id, can_extend=can_extend)
        if organisation is not None:
            org = session.scalar(select(Organisation).where(Organisation.ref == organisation.strip().upper()))
            if org is None:
                raise NotFound(f"no organisation {organisation!r} in this workspace")
            member.organisation_id = org.id
            label = org.ref
            exists_query = select(SharingGroupMember.id).where(
                SharingGroupMember.group_id == group.id, SharingGroupMember.organisation_id == org.id)
        else:
            try:
                codes = parse_releasable_to(nation)
            except ValidationError:
                codes = ()
            if len(codes) != 1 or codes[0] == "NATO":
                raise ValidationError(f"must be one ISO 3166-1 alpha-3 code, got {nation!r}", field="--nation")
            member.nation_iso3 = codes[0]
            label = f"every organisation of {codes[0]}"
            exists_query = select(SharingGroupMember.id).where(
                SharingGroupMember.group_id == group.id, SharingGroupMember.nation_iso3 == codes[0])
        if session.scalar(exists_query) is not None:
            raise Conflict(f"{label} is already in {group.name!r}")
        session.add(member)
        session.flush()
        audit.record(session, actor, "member.add", "sharing_groups", group.id, now=now,
                     after={"member": label, "can_extend": can_extend})


def remove_member(workspace: Workspace, actor: Actor, group_name: str | int, *, organisation: str | None = None,
                  nation: str | None = None) -> None:
    """Remove an organisation or a nation from a group (owner organisation only). Takes effect at once.

    Raises:
        NotFound: no such group for the actor, or no such member.
        PermissionDenied: the actor's organisation does not own the group.
    """
    _one_member(organisation, nation)
    if not actor.has_role("admin", "analyst"):
        raise PermissionDenied("changing a sharing group needs the role admin or analyst")
    now = workspace.now()
    with workspace.uow.transaction() as session:
        group = _group_for_member(session, actor, group_name)
        if group.owner_org_id != actor.org_id:
            raise PermissionDenied(f"only the owner of {group.name!r} may remove members")
        if organisation is not None and organisation.strip().upper() == actor.org_ref:
            raise ValidationError(f"{actor.org_ref} owns {group.name!r} and cannot leave it", field="--org")
        if organisation is not None:
            org = session.scalar(select(Organisation).where(Organisation.ref == organisation.strip().upper()))
            condition = SharingGroupMember.organisation_id == (org.id if org else -1)
            label = organisation.upper()
        else:
            condition = SharingGroupMember.nation_iso3 == nation.strip().upper()
            label = f"every organisation of {nation.strip().upper()}"
        removed = session.execute(delete(SharingGroupMember).where(SharingGroupMember.group_id == group.id, condition))
        if removed.rowcount == 0:
            raise NotFound(f"{label} is not in {group.name!r}")
        audit.record(session, actor, "member.remove", "sharing_groups", group.id, now=now, after={"member": label})


def list_groups(workspace: Workspace, actor: Actor) -> list[dict[str, Any]]:
    """The groups the actor's organisation belongs to, with their members (never other groups' members)."""
    with workspace.uow.read() as session:
        ids = group_ids_for(session, actor.org_id, actor.nation)
        out = []
        for group in session.scalars(select(SharingGroup).where(SharingGroup.id.in_(sorted(ids))).order_by(SharingGroup.name)):
            members = []
            for m in session.scalars(select(SharingGroupMember).where(SharingGroupMember.group_id == group.id)
                                     .order_by(SharingGroupMember.id)):
                if m.organisation_id is not None:
                    members.append({"organisation": session.get(Organisation, m.organisation_id).ref,
                                    "can_extend": m.can_extend})
                else:
                    members.append({"nation": m.nation_iso3, "can_extend": m.can_extend})
            out.append({"id": group.id, "name": group.name, "description": group.description,
                        "owner": session.get(Organisation, group.owner_org_id).ref, "members": members})
        return out


def text_kind(table_name: str) -> str:
    """The command-line type for a table (``assessments`` gives ``assessment``)."""
    return next(k for k, t in RECORD_TYPES.items() if t == table_name)


def checked_releasable_to(text: str | None) -> tuple[str, ...]:
    """Parse a releasability list and check every code is a real ISO 3166-1 alpha-3 country (or NATO).

    Raises:
        ValidationError: an unknown code, e.g. a typo such as ``ETS``.
    """
    from ..ingest.values import country_iso3

    codes = parse_releasable_to(text)
    for code in codes:
        if code != "NATO" and country_iso3(code, "releasable_to") != code:
            raise ValidationError(f"is not an ISO 3166-1 alpha-3 code, got {code!r}", field="releasable_to")
    return codes


def red_readers(session, table_name: str, record_id: int) -> list[str]:
    """User names named on a RED record, sorted."""
    return sorted(session.scalars(select(User.username).join(RedRecipient, RedRecipient.user_id == User.id).where(
        RedRecipient.record_table == table_name, RedRecipient.record_id == record_id)))


def parse_record(text: str) -> tuple[str, str]:
    """Parse ``TYPE:ID`` (``assessment:12``, ``need:EDF-2023-DA-AIR-SPS``) into (table name, id or ref).

    Raises:
        ValidationError: no colon, or an unknown type.
    """
    kind, sep, ident = text.partition(":")
    if not sep or not ident.strip():
        raise ValidationError(f"give the record as TYPE:ID, e.g. assessment:12; TYPE is one of {', '.join(RECORD_TYPES)}",
                              field="RECORD")
    if kind.strip().lower() not in RECORD_TYPES:
        raise ValidationError(f"unknown record type {kind!r}; expected one of {', '.join(RECORD_TYPES)}", field="RECORD")
    return RECORD_TYPES[kind.strip().lower()], ident.strip()


def share(workspace: Workspace, actor: Actor, record: str, *, distribution: str | None = None,
          group: str | None = None, tlp: str | None = None, releasable_to: str | None = None,
          red_recipients: list[str] | None = None, expected_version: int | None = None,
          with_version: bool = False) -> dict[str, Any]:
    """Change a record's sharing; what is not given stays as it is.

    Args:
        record: ``TYPE:ID`` (see :func:`parse_record`).
        distribution: ``organisation``, ``community``, ``connected`` or ``sharing_group``.
        group: the sharing group's name (required with ``sharing_group``; the actor's organisation
            must be a member).
        tlp: ``CLEAR``, ``GREEN``, ``AMBER``, ``AMBER+STRICT`` or ``RED``.
        releasable_to: comma-separated ISO alpha-3 codes (``NATO`` for NATO bodies); ``""`` clears it.
        red_recipients: user names of the owner organisation named on a RED record.
        expected_version: when given, the record's version the change was made from (the API's ``If-Match``).
        with_version: also return the record's ``version`` after the change (the API's ``ETag``).

    A case's gate decisions take the case's new marking (they are contained in it).

    Returns:
        The record's marking after the change.

    Raises:
        NotFound: the record is not visible, or the group is not one of the actor's.
        PermissionDenied: the actor's organisation does not own the record, or the actor is a viewer.
        ValidationError: a bad value, or ``sharing_group`` without a group.
        Conflict: ``expected_version`` is stale.
    """
    table_name, ident = parse_record(record)
    model = SHARED_MODELS[table_name]
    now = workspace.now()
    with workspace.uow.transaction() as session:
        # Found first: a record the actor may not see is "not found" whatever the actor's roles; then the role;
        # then the ownership.
        row = resolve(session, model, ident, actor)
        if not actor.has_role(*SHARE_ROLES):
            raise PermissionDenied(f"changing sharing needs the role {', '.join(SHARE_ROLES)}")
        require_owner(row, actor, ident)
        if expected_version is not None and row.version != expected_version:
            raise Conflict(f"{text_kind(table_name)} {row.id} is at version {row.version}, not {expected_version}: "
                           "reload and try again")
        before = {"distribution": row.distribution, "tlp": row.tlp, "sharing_group_id": row.sharing_group_id,
                  "releasable_to": row.releasable_to}
        kind = text_kind(table_name)
        if distribution is not None:
            try:
                row.distribution = Distribution(distribution.strip().lower()).value
            except ValueError:
                raise ValidationError(f"must be one of {', '.join(d.value for d in Distribution)}, got {distribution!r}",
                                      field="--distribution") from None
        if group is not None:
            row.sharing_group_id = _group_for_member(session, actor, group).id
            if distribution is None:
                row.distribution = Distribution.SHARING_GROUP.value
        if row.distribution == Distribution.SHARING_GROUP.value and row.sharing_group_id is None:
            raise ValidationError("sharing_group needs --group NAME", field="--group")
        if row.distribution != Distribution.SHARING_GROUP.value:
            row.sharing_group_id = None
        if tlp is not None:
            try:
                row.tlp = TLP(tlp.strip().upper()).value
            except ValueError:
                raise ValidationError(f"must be one of {', '.join(t.value for t in TLP)}, got {tlp!r}", field="--tlp") from None
        if releasable_to is not None:
            row.releasable_to = stored_releasable(checked_releasable_to(releasable_to))
        before["red_recipients"] = red_readers(session, table_name, row.id)
        if red_recipients is not None:
            session.execute(delete(RedRecipient).where(RedRecipient.record_table == table_name,
                                                       RedRecipient.record_id == row.id))
            for username in dict.fromkeys(r.strip() for r in red_recipients if r.strip()):
                user = session.scalar(select(User).where(User.username == username, User.organisation_id == actor.org_id))
                if user is None:
                    raise NotFound(f"no user {username!r} in {actor.org_ref} to name on the RED record")
                session.add(RedRecipient(record_table=table_name, record_id=row.id, user_id=user.id))
        added_self = False
        if row.tlp == TLP.RED.value and actor.user_id is not None:
            named = session.scalar(select(RedRecipient.id).where(
                RedRecipient.record_table == table_name, RedRecipient.record_id == row.id,
                RedRecipient.user_id == actor.user_id))
            if named is None:  # whoever marks a record RED stays able to read it
                session.add(RedRecipient(record_table=table_name, record_id=row.id, user_id=actor.user_id))
                added_self = True
        session.flush()
        after = {"distribution": row.distribution, "tlp": row.tlp, "sharing_group_id": row.sharing_group_id,
                 "releasable_to": row.releasable_to, "red_recipients": red_readers(session, table_name, row.id)}
        if after == before and not added_self:
            return {"record": f"{kind}:{row.id}", **marking_of(session, row), "distribution": row.distribution,
                    "tlp": row.tlp, "red_recipients": after["red_recipients"], "changed": False,
                    **({"version": row.version} if with_version else {})}
        row.updated_at = now
        if table_name == "adoption_cases":
            session.flush()
            readers = list(session.scalars(select(RedRecipient.user_id).where(
                RedRecipient.record_table == table_name, RedRecipient.record_id == row.id)))
            for decision in session.scalars(select(GateDecision).where(GateDecision.case_id == row.id)
                                            .execution_options(rapid_unrestricted="decisions follow their case")):
                decision.distribution, decision.tlp = row.distribution, row.tlp
                decision.sharing_group_id, decision.releasable_to = row.sharing_group_id, row.releasable_to
                # a decision is read by the case's named RED readers too
                session.execute(delete(RedRecipient).where(RedRecipient.record_table == "gate_decisions",
                                                           RedRecipient.record_id == decision.id))
                for user_id in readers:
                    session.add(RedRecipient(record_table="gate_decisions", record_id=decision.id, user_id=user_id))
        session.flush()
        audit.record(session, actor, "share", table_name, row.id, now=now, before=before, after=after)
        return {"record": f"{kind}:{row.id}", **marking_of(session, row), "distribution": row.distribution,
                "tlp": row.tlp, "red_recipients": after["red_recipients"], "changed": True,
                **({"version": row.version} if with_version else {})}


__all__ = ["create_group", "add_member", "remove_member", "list_groups", "share", "parse_record", "RECORD_TYPES",
           "CONTAINED_IN_CASE", "AdoptionCase", "or_", "restrict"]
