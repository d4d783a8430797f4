"""Sharing decisions: distribution, sharing groups, TLP 2.0 and releasability, and containment.

Sources: MISP distribution levels (MISP user guide, "Distribution"); Traffic Light Protocol 2.0
(FIRST, 2022); NATO releasability markings ("REL TO" followed by ISO 3166-1 alpha-3 codes).

A reader sees a record only if all three allow it:

1. **Distribution.** ``organisation``: the owner only. ``community`` and ``connected``: every
   organisation of this instance. ``sharing_group``: the organisations that are members of the
   record's sharing group, directly or as an organisation of a member nation.
2. **TLP.** ``CLEAR``, ``GREEN`` and ``AMBER`` leave the distribution to decide. On this platform
   ``AMBER+STRICT`` limits a record to its owner organisation, and ``RED`` to the users of the owner
   organisation named as its recipients, whatever the distribution says.
3. **Releasable to.** An empty list releases to all. Otherwise the reader's organisation must
   belong to a listed nation; ``NATO`` in the list releases to NATO bodies too.

The owner organisation always sees its records, except RED ones to which its user is not named.
A contained record (a gate decision, an assessment inside a case) is never more visible than its
container: the reader must see both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import ValidationError
from .types import TLP, Distribution

NATO_MARKING = "NATO"
"""A releasability entry that releases a record to NATO bodies (organisations without a nation)."""

ROLES = ("admin", "analyst", "test_centre", "board", "viewer", "auditor")
"""User roles. ``auditor`` reads every audit entry of its own organisation."""

_ISO3 = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Actor:
    """Who is reading or writing.

    Attributes:
        user_id: the user's id (None for the system itself, e.g. a bundled-data import).
        username: for the audit log.
        org_id: the user's organisation id.
        org_ref: its ref (``DEU``, ``DIANA``).
        nation: the organisation's nation (ISO alpha-3), or None for a NATO or international body.
        roles: the user's roles.
        group_ids: ids of the sharing groups the organisation belongs to (directly or by nation).
    """

    user_id: int | None
    username: str
    org_id: int
    org_ref: str
    nation: str | None
    roles: frozenset[str] = frozenset()
    group_ids: frozenset[int] = field(default_factory=frozenset)

    def has_role(self, *roles: str) -> bool:
        """True when the actor holds any of ``roles``."""
        return bool(self.roles.intersection(roles))


@dataclass(frozen=True)
class Marking:
    """A record's sharing settings.

    Attributes:
        owner_org_id: the owning organisation.
        distribution: a :class:`Distribution` value.
        tlp: a :class:`TLP` value.
        sharing_group_id: the group, when ``distribution`` is ``sharing_group``.
        releasable_to: nations (ISO alpha-3, or ``NATO``); empty means no restriction.
        red_recipients: user ids named on a RED record.
    """

    owner_org_id: int
    distribution: str
    tlp: str
    sharing_group_id: int | None = None
    releasable_to: tuple[str, ...] = ()
    red_recipients: frozenset[int] = frozenset()


def can_view(actor: Actor, marking: Marking) -> bool:
    """Whether ``actor`` may see a record with ``marking`` (not counting its container).

    This is the rule the SQL filter applies; the module docstring gives its sources.
    """
    if marking.owner_org_id == actor.org_id:
        return marking.tlp != TLP.RED.value or actor.user_id in marking.red_recipients or actor.has_role("auditor")
    if marking.tlp in (TLP.AMBER_STRICT.value, TLP.RED.value):
        return False
    if marking.distribution == Distribution.SHARING_GROUP.value:
        if marking.sharing_group_id not in actor.group_ids:
            return False
    elif marking.distribution not in (Distribution.COMMUNITY.value, Distribution.CONNECTED.value):
        return False
    if marking.releasable_to:
        allowed = set(marking.releasable_to)
        return (actor.nation in allowed) if actor.nation else (NATO_MARKING in allowed)
    return True


def parse_releasable_to(text: str | None) -> tuple[str, ...]:
    """Parse ``"DEU, FRA,pol"`` into ``("DEU", "FRA", "POL")`` (sorted, unique); empty gives ``()``.

    Raises:
        ValidationError: an entry is neither an ISO 3166-1 alpha-3 code nor ``NATO``.
    """
    if not text or not text.strip():
        return ()
    codes = set()
    for part in text.replace(";", ",").split(","):
        code = part.strip().upper()
        if not code:
            continue
        if code != NATO_MARKING and not _ISO3.match(code):
            raise ValidationError(f"must be ISO 3166-1 alpha-3 codes such as DEU, or NATO; got {part.strip()!r}",
                                  field="releasable_to")
        codes.add(code)
    return tuple(sorted(codes))


def marking_banner(tlp: str, distribution: str, group_name: str | None, releasable_to: tuple[str, ...]) -> str:
    """The marking line shown on a shared record, e.g. "TLP:AMBER · Sharing group: Nordic-Baltic · REL TO DNK, EST"."""
    parts = [f"TLP:{tlp}"]
    if distribution == Distribution.SHARING_GROUP.value:
        parts.append(f"Sharing group: {group_name or '?'}")
    else:
        parts.append({"organisation": "Owner organisation only", "community": "All organisations",
                      "connected": "Connected instances"}.get(distribution, distribution))
    if releasable_to:
        parts.append("REL TO " + ", ".join(releasable_to))
    return " · ".join(parts)


def most_restrictive_tlp(*labels: str) -> str:
    """The most restrictive of TLP labels (CLEAR < GREEN < AMBER < AMBER+STRICT < RED)."""
    order = [t.value for t in TLP]
    return max(labels, key=order.index)
