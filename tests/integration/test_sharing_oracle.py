"""The SQL sharing filter against a reference oracle, on random worlds, on every backend.

The oracle below is written straight from the rules in the docstring of
``rapid_adoption.domain.sharing`` (and the brief's note that the owner organisation's auditor reads
its RED records), without calling ``can_view`` or anything else of the product, so that the two are
independent. For each generated world (organisations of some nations and NATO bodies without a
nation, sharing groups with organisation members and nation-wide members, users with random roles,
adoption cases, assessments inside and outside cases, gate decisions inside cases, each with a
random marking and random RED recipients) the test inserts the rows into the real database, builds
each user's :class:`Actor` the way the product does, and checks that ``restrict()`` returns exactly
the ids the oracle allows, for assessments, gate decisions and cases.

Every example runs inside one transaction that is rolled back at its end, so examples do not see
each other and the database stays small. ``RAPID_ORACLE_EXAMPLES`` sets how many (default 1000).
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from rapid_adoption.domain.sharing import Marking, can_view
from rapid_adoption.services.auth import actor_from_user
from rapid_adoption.store.sharing import restrict
from rapid_adoption.store.tables import (
    AdoptionCase,
    Assessment,
    CapabilityNeed,
    Company,
    GateDecision,
    Organisation,
    RedRecipient,
    SharingGroup,
    SharingGroupMember,
    Solution,
    User,
)

from conftest import FROZEN_NOW

EXAMPLES = int(os.environ.get("RAPID_ORACLE_EXAMPLES", "1000"))

# ------------------------------------------------------------------------------------------------
# The oracle: the rules of domain/sharing.py, written out again with plain Python values.
# ------------------------------------------------------------------------------------------------

DISTRIBUTIONS = ("organisation", "community", "connected", "sharing_group")
TLPS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
ROLE_NAMES = ("admin", "analyst", "test_centre", "board", "viewer", "auditor")
NATIONS = ("DEU", "FRA", "POL", "EST")
"""Nations of the generated organisations: few, so that several organisations share one."""
MARKS = NATIONS + ("NATO", "USA")
"""What a releasability list may name: the nations above, NATO, and a nation no organisation has."""


@dataclass(frozen=True)
class OMarking:
    owner: int  # index of the owning organisation
    distribution: str
    tlp: str
    group: int | None  # index of the sharing group (only meaningful with sharing_group)
    rel: frozenset[str]
    red: frozenset[int]  # indexes of users named on a RED record


@dataclass(frozen=True)
class OUser:
    org: int
    roles: frozenset[str]


@dataclass(frozen=True)
class OGroup:
    owner: int
    orgs: frozenset[int]
    nations: frozenset[str]
    extend: bool


@dataclass
class World:
    nations: list[str | None]  # per organisation; None for a NATO body
    groups: list[OGroup]
    users: list[OUser]
    cases: list[OMarking]
    assessments: list[tuple[OMarking, int | None]]  # marking, index of the containing case or None
    decisions: list[tuple[OMarking, int]]  # marking, index of the containing case


def oracle_groups(world: World, org: int) -> set[int]:
    """Groups an organisation belongs to: as a member itself, or through a member nation."""
    nation = world.nations[org]
    return {g for g, group in enumerate(world.groups)
            if org in group.orgs or (nation is not None and nation in group.nations)}


def oracle_sees(world: World, user_index: int, m: OMarking) -> bool:
    """Whether a user sees a record with marking ``m``, the container not counted."""
    user = world.users[user_index]
    # The owner organisation always sees its records, except RED ones to which its user is not
    # named (its auditor reads them all).
    if m.owner == user.org:
        if m.tlp == "RED":
            return user_index in m.red or "auditor" in user.roles
        return True
    # TLP: AMBER+STRICT keeps a record in its owner organisation; RED keeps it to named users of
    # the owner organisation. Everyone else is out whatever the distribution says.
    if m.tlp in ("AMBER+STRICT", "RED"):
        return False
    # Distribution.
    if m.distribution == "organisation":
        return False
    if m.distribution == "sharing_group":
        if m.group is None or m.group not in oracle_groups(world, user.org):
            return False
    else:
        assert m.distribution in ("community", "connected")
    # Releasability: empty releases to all; otherwise the reader's nation must be listed, and a
    # reader without a nation (a NATO body) needs NATO listed.
    if not m.rel:
        return True
    nation = world.nations[user.org]
    if nation is None:
        return "NATO" in m.rel
    return nation in m.rel


def oracle_visible(world: World, user_index: int) -> tuple[set[int], set[int], set[int]]:
    """Indexes of the cases, assessments and decisions the user sees (a contained record needs its case)."""
    cases = {i for i, m in enumerate(world.cases) if oracle_sees(world, user_index, m)}
    assessments = {i for i, (m, case) in enumerate(world.assessments)
                   if oracle_sees(world, user_index, m) and (case is None or case in cases)}
    decisions = {i for i, (m, case) in enumerate(world.decisions)
                 if oracle_sees(world, user_index, m) and case in cases}
    return cases, assessments, decisions


# ------------------------------------------------------------------------------------------------
# Random worlds
# ------------------------------------------------------------------------------------------------


def _subset(items, mask: int) -> frozenset:
    """The items whose bit is set in ``mask`` (one draw per set instead of one per element)."""
    return frozenset(item for bit, item in enumerate(items) if mask >> bit & 1)


def _mask(n: int):
    """A bit mask over ``n`` items, often empty."""
    return st.just(0) if n == 0 else st.one_of(st.just(0), st.integers(0, 2 ** n - 1))


@st.composite
def markings(draw, n_orgs: int, n_groups: int, n_users: int) -> OMarking:
    owner = draw(st.integers(0, n_orgs - 1))
    distribution = draw(st.sampled_from(DISTRIBUTIONS))
    tlp = draw(st.sampled_from(TLPS))
    group = draw(st.integers(-1, n_groups - 1))  # -1: no group (also with sharing_group, which then shares with none)
    rel = _subset(MARKS, draw(_mask(len(MARKS))))
    red = _subset(range(n_users), draw(_mask(n_users))) if tlp == "RED" or draw(st.booleans()) else frozenset()
    return OMarking(owner, distribution, tlp, None if group < 0 else group, rel, red)


@st.composite
def worlds(draw) -> World:
    n_orgs = draw(st.integers(1, 6))
    nations = [draw(st.sampled_from((None,) + NATIONS)) for _ in range(n_orgs)]
    groups = [OGroup(owner=draw(st.integers(0, n_orgs - 1)), orgs=_subset(range(n_orgs), draw(_mask(n_orgs))),
                     nations=_subset(NATIONS + ("USA",), draw(_mask(len(NATIONS) + 1))), extend=draw(st.booleans()))
              for _ in range(draw(st.integers(0, 4)))]
    users = [OUser(org=draw(st.integers(0, n_orgs - 1)),
                   roles=_subset(ROLE_NAMES, draw(st.integers(1, 2 ** len(ROLE_NAMES) - 1))))
             for _ in range(draw(st.integers(1, 8)))]
    marking = markings(n_orgs, len(groups), len(users))
    cases = [draw(marking) for _ in range(draw(st.integers(0, 3)))]
    assessments = [(draw(marking), draw(st.integers(-1, len(cases) - 1)) if cases else -1)
                   for _ in range(draw(st.integers(0, 12 - len(cases))))]
    assessments = [(m, None if c < 0 else c) for m, c in assessments]
    decisions = []
    if cases:
        room = min(4, 12 - len(cases) - len(assessments))
        decisions = [(draw(marking), draw(st.integers(0, len(cases) - 1))) for _ in range(draw(st.integers(0, room)))]
    return World(nations, groups, users, cases, assessments, decisions)


# ------------------------------------------------------------------------------------------------
# Writing a world into the database
# ------------------------------------------------------------------------------------------------

SERIAL = itertools.count(1)


def _base(ws) -> dict[str, int]:
    """One company, solution and need (public, owned by DIANA) that cases and assessments hang on."""
    now = FROZEN_NOW
    with Session(ws.uow.engine) as session:
        diana = session.scalar(select(Organisation.id).where(Organisation.ref == "DIANA"))
        common = dict(owner_org_id=diana, distribution="community", tlp="CLEAR", created_at=now, updated_at=now)
        company = Company(ref="ORACLE-CO", legal_name="Oracle Test Company", **common)
        session.add(company)
        session.flush()
        need = CapabilityNeed(ref="ORACLE-NEED", title="Oracle need", **common)
        solution = Solution(ref="ORACLE-SOL", company_id=company.id, name="Oracle solution", **common)
        session.add_all([need, solution])
        session.commit()
        return {"need": need.id, "solution": solution.id}


def _sharing(m: OMarking, orgs: list[int], groups: list[int]) -> dict:
    return dict(owner_org_id=orgs[m.owner], distribution=m.distribution, tlp=m.tlp,
                sharing_group_id=None if m.group is None else groups[m.group],
                releasable_to="" if not m.rel else "," + ",".join(sorted(m.rel)) + ",",
                created_at=FROZEN_NOW, updated_at=FROZEN_NOW)


def _insert(session: Session, world: World, base: dict[str, int]):
    """Insert the world; return the ids of its organisations, groups, users, cases, assessments, decisions."""
    serial = next(SERIAL)
    now = FROZEN_NOW
    org_rows = [Organisation(ref=f"ORC{serial}-{i}", name=f"Oracle org {i}", kind="nation" if n else "nato_body",
                             nation_iso3=n, created_at=now, updated_at=now) for i, n in enumerate(world.nations)]
    session.add_all(org_rows)
    session.flush()
    orgs = [o.id for o in org_rows]
    group_rows = [SharingGroup(name=f"oracle-{serial}-{g}", owner_org_id=orgs[group.owner], created_at=now, updated_at=now)
                  for g, group in enumerate(world.groups)]
    session.add_all(group_rows)
    session.flush()
    groups = [g.id for g in group_rows]
    for g, group in enumerate(world.groups):
        for o in sorted(group.orgs):
            session.add(SharingGroupMember(group_id=groups[g], organisation_id=orgs[o], can_extend=group.extend))
        for n in sorted(group.nations):
            session.add(SharingGroupMember(group_id=groups[g], nation_iso3=n, can_extend=group.extend))
    user_rows = [User(username=f"orc{serial}-u{i}", organisation_id=orgs[u.org], roles=sorted(u.roles), active=True,
                      created_at=now, updated_at=now) for i, u in enumerate(world.users)]
    session.add_all(user_rows)
    session.flush()
    users = [u.id for u in user_rows]

    def red(table: str, record_id: int, m: OMarking) -> None:
        for u in sorted(m.red):
            session.add(RedRecipient(record_table=table, record_id=record_id, user_id=users[u]))

    case_rows = [AdoptionCase(need_id=base["need"], solution_id=base["solution"], stage="market_research",
                              opened_at=now - timedelta(days=10), **_sharing(m, orgs, groups)) for m in world.cases]
    session.add_all(case_rows)
    session.flush()
    cases = [c.id for c in case_rows]
    assessment_rows = [Assessment(solution_id=base["solution"], case_id=None if c is None else cases[c], sources=[],
                                  assessed_on=date(2026, 11, 1), **_sharing(m, orgs, groups))
                       for m, c in world.assessments]
    decision_rows = [GateDecision(case_id=cases[c], from_stage="market_research", to_stage="tevv",
                                  decided_at=now - timedelta(days=1), decided_by="oracle", rationale="oracle",
                                  evidence=[], **_sharing(m, orgs, groups)) for m, c in world.decisions]
    session.add_all(assessment_rows + decision_rows)
    session.flush()
    for row, m in zip(case_rows, world.cases):
        red("adoption_cases", row.id, m)
    for row, (m, _) in zip(assessment_rows, world.assessments):
        red("assessments", row.id, m)
    for row, (m, _) in zip(decision_rows, world.decisions):
        red("gate_decisions", row.id, m)
    session.flush()
    return orgs, groups, user_rows, cases, [a.id for a in assessment_rows], [d.id for d in decision_rows]


def _product_marking(m: OMarking, orgs, groups, users) -> Marking:
    return Marking(orgs[m.owner], m.distribution, m.tlp, None if m.group is None else groups[m.group],
                   tuple(sorted(m.rel)), frozenset(users[u].id for u in m.red))


# ------------------------------------------------------------------------------------------------
# The property
# ------------------------------------------------------------------------------------------------


def test_restrict_agrees_with_the_oracle_on_random_worlds(empty_ws):
    base = _base(empty_ws)
    engine = empty_ws.uow.engine
    connection = engine.connect()
    try:

        @settings(max_examples=EXAMPLES, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                         HealthCheck.data_too_large])
        @given(world=worlds())
        def check(world: World) -> None:
            transaction = connection.begin()
            session = Session(bind=connection, autoflush=False)
            try:
                orgs, groups, user_rows, cases, assessments, decisions = _insert(session, world, base)
                for u, user in enumerate(user_rows):
                    actor = actor_from_user(session, user)
                    # The actor's groups are the oracle's (directly or through the nation).
                    assert actor.group_ids == {groups[g] for g in oracle_groups(world, world.users[u].org)}
                    want_cases, want_assessments, want_decisions = oracle_visible(world, u)
                    got_cases = set(session.scalars(restrict(select(AdoptionCase.id), actor)))
                    got_assessments = set(session.scalars(restrict(select(Assessment.id), actor)))
                    got_decisions = set(session.scalars(restrict(select(GateDecision.id), actor)))
                    assert got_cases == {cases[i] for i in want_cases}, (u, "cases")
                    assert got_assessments == {assessments[i] for i in want_assessments}, (u, "assessments")
                    assert got_decisions == {decisions[i] for i in want_decisions}, (u, "decisions")
                    # The domain function says the same as the oracle for each record (container aside).
                    for m in world.cases + [m for m, _ in world.assessments] + [m for m, _ in world.decisions]:
                        assert can_view(actor, _product_marking(m, orgs, groups, user_rows)) == oracle_sees(world, u, m)
            finally:
                session.close()
                transaction.rollback()

        check()
    finally:
        connection.close()


def test_the_oracle_itself_on_hand_worked_cases():
    """The oracle on cases worked out by hand from the rules, so a wrong oracle cannot pass unnoticed."""
    world = World(
        nations=["DEU", "DEU", "FRA", None],
        groups=[OGroup(owner=0, orgs=frozenset({3}), nations=frozenset({"DEU"}), extend=False)],
        users=[OUser(0, frozenset({"analyst"})), OUser(1, frozenset({"viewer"})), OUser(2, frozenset({"admin"})),
               OUser(3, frozenset({"analyst"})), OUser(0, frozenset({"auditor"}))],
        cases=[], assessments=[], decisions=[],
    )

    def m(**kw) -> OMarking:
        values = dict(owner=0, distribution="community", tlp="GREEN", group=None, rel=frozenset(), red=frozenset())
        values.update(kw)
        return OMarking(**values)

    def who(marking: OMarking) -> list[int]:
        return [u for u in range(len(world.users)) if oracle_sees(world, u, marking)]

    assert who(m()) == [0, 1, 2, 3, 4]
    assert who(m(distribution="organisation")) == [0, 4]
    assert who(m(distribution="sharing_group", group=0)) == [0, 1, 3, 4]  # DEU by nation, the NATO body directly
    assert who(m(distribution="sharing_group", group=None)) == [0, 4]
    assert who(m(rel=frozenset({"NATO"}))) == [0, 3, 4]
    assert who(m(rel=frozenset({"FRA"}))) == [0, 2, 4]
    assert who(m(tlp="AMBER+STRICT")) == [0, 4]
    assert who(m(tlp="RED", red=frozenset({2}))) == [4]  # a user of another organisation is never a RED reader
    assert who(m(tlp="RED", red=frozenset({0}))) == [0, 4]
    assert who(m(owner=2, distribution="connected", rel=frozenset({"DEU", "NATO"}))) == [0, 1, 2, 3, 4]
