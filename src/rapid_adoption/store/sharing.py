"""The sharing filter: one function, :func:`restrict`, applies the sharing decision in SQL to every read.

The rule is :func:`rapid_adoption.domain.sharing.can_view` (MISP distribution, TLP 2.0, releasability),
written here as a SQL condition per shared table, plus containment: a gate decision or an assessment
inside a case is visible only when the case is.

A guard (:func:`install_guard`) refuses any ORM ``SELECT`` on a shared table that went through
neither :func:`restrict` nor :func:`unrestricted`, so a read path that forgets the filter fails
loudly in tests instead of leaking.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from sqlalchemy import Select, and_, case, event, false, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import Join
from sqlalchemy.sql.selectable import Alias, FromClause, Subquery, TableClause

from ..domain.sharing import NATO_MARKING, Actor
from ..domain.types import TLP, Distribution
from .tables import CONTAINED_IN_CASE, SHARED_MODELS, AdoptionCase, RedRecipient

RESTRICTED = "rapid_restricted"
UNRESTRICTED = "rapid_unrestricted"
ACTIONS = ("view", "change")


class UnfilteredRead(RuntimeError):
    """A read of shared data skipped the sharing filter: a programming error, never a user's."""


def visible_condition(table: FromClause, actor: Actor):
    """The SQL condition under which ``actor`` sees a row of the shared ``table`` (ignoring containment).

    Args:
        table: a shared table or an alias of one (it needs the sharing columns and ``id``).
        actor: the reader.
    """
    c = table.c
    name = getattr(table, "name", None)
    base_name = table.element.name if isinstance(table, Alias) else name
    # An uncorrelated IN, not a correlated EXISTS: PostgreSQL costs a correlated EXISTS per row, which
    # pushes a 100,000-row count over its JIT threshold (measured in benchmarks/sharing.py).
    red_named = c.id.in_(select(RedRecipient.record_id).where(
        RedRecipient.record_table == base_name,
        RedRecipient.user_id == (actor.user_id if actor.user_id is not None else -1)))
    own = and_(c.owner_org_id == actor.org_id,
               true() if actor.has_role("auditor") else or_(c.tlp != TLP.RED.value, red_named))
    groups = sorted(actor.group_ids)
    distribution = or_(
        c.distribution.in_([Distribution.COMMUNITY.value, Distribution.CONNECTED.value]),
        and_(c.distribution == Distribution.SHARING_GROUP.value, c.sharing_group_id.in_(groups)) if groups else false(),
    )
    marking = actor.nation or NATO_MARKING
    releasable = or_(c.releasable_to == "", c.releasable_to.contains(f",{marking},", autoescape=True))
    others = and_(
        c.owner_org_id != actor.org_id,
        c.tlp.notin_([TLP.AMBER_STRICT.value, TLP.RED.value]),
        distribution,
        releasable,
    )
    return or_(own, others)


@lru_cache(maxsize=1024)
def _condition(table: FromClause, actor: Actor, action: str):
    """The filter for one table (cached: conditions are immutable and an Actor is hashable)."""
    base_name = table.element.name if isinstance(table, Alias) else table.name
    if action == "change":
        return table.c.owner_org_id == actor.org_id
    condition = visible_condition(table, actor)
    if base_name in CONTAINED_IN_CASE:
        cases = AdoptionCase.__table__.alias("container_case")
        visible_cases = select(cases.c.id).where(visible_condition(cases, actor))
        # CASE rather than OR: with OR, SQLite answers "case_id IS NULL" (most rows) through the case_id
        # index and looks each row up, which is slower than one scan.
        condition = and_(condition, case((table.c.case_id.is_(None), true()),
                                         else_=table.c.case_id.in_(visible_cases)))
    return condition


def _shared_froms(froms: Iterable[FromClause]) -> list[FromClause]:
    found: list[FromClause] = []
    for item in froms:
        if isinstance(item, Join):
            found.extend(_shared_froms([item.left, item.right]))
        elif isinstance(item, Alias) and not isinstance(item, Subquery) and isinstance(item.element, TableClause):
            if item.element.name in SHARED_MODELS:
                found.append(item)
        elif isinstance(item, TableClause) and item.name in SHARED_MODELS:
            found.append(item)
    return found


def restrict(statement: Select, actor: Actor, action: str = "view") -> Select:
    """Apply the sharing filter to every shared table in ``statement``'s FROM clause.

    Args:
        statement: a ``select()``; joins and aliases are followed. A subquery must be restricted by
            its own call.
        actor: the reader.
        action: ``view`` (the sharing rules and containment) or ``change`` (owner organisation
            only; roles are checked by the services).

    Returns:
        The statement with one condition per shared table, marked as restricted.

    Raises:
        ValueError: an unknown action.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {ACTIONS}")
    for table in _shared_froms(statement.get_final_froms()):
        statement = statement.where(_condition(table, actor, action))
    return statement.execution_options(**{RESTRICTED: True})


def unrestricted(statement: Select, reason: str) -> Select:
    """Mark ``statement`` as deliberately unfiltered (imports matching keys, the audit chain check).

    Args:
        reason: why this read may see everything; kept with the statement for review.
    """
    return statement.execution_options(**{UNRESTRICTED: reason})


def _touches_shared(statement) -> list[str]:
    try:
        froms = statement.get_final_froms()
    except AttributeError:
        return []
    names = []
    stack = list(froms)
    while stack:
        item = stack.pop()
        if isinstance(item, Join):
            stack.extend([item.left, item.right])
        elif isinstance(item, Subquery):
            names.extend(_touches_shared(item.element))
        elif isinstance(item, Alias) and isinstance(item.element, TableClause):
            if item.element.name in SHARED_MODELS:
                names.append(item.element.name)
        elif isinstance(item, TableClause) and item.name in SHARED_MODELS:
            names.append(item.name)
    return names


def install_guard(session_factory) -> None:
    """Make every session of ``session_factory`` refuse unfiltered ORM reads of shared tables.

    Relationship loads (a case's decisions) are allowed: their parent row was filtered.

    Raises (at query time):
        UnfilteredRead: a SELECT on a shared table carries neither mark.
    """

    @event.listens_for(session_factory, "do_orm_execute")
    def _check(state) -> None:
        if not state.is_select or state.is_relationship_load or state.is_column_load:
            return
        options = state.execution_options
        if options.get(RESTRICTED) or options.get(UNRESTRICTED):
            return
        tables = _touches_shared(state.statement)
        if tables:
            raise UnfilteredRead(f"read of {', '.join(sorted(set(tables)))} without the sharing filter: use restrict()")


__all__ = ["restrict", "unrestricted", "visible_condition", "install_guard", "UnfilteredRead", "Session"]
