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
from typing import Callable, Iterable

from sqlalchemy import Boolean, Select, String, and_, case, event, exists, false, literal_column, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.sql import Join
from sqlalchemy.sql.selectable import Alias, FromClause, Subquery, TableClause

from ..domain.sharing import NATO_MARKING, Actor
from ..domain.types import TLP, Distribution
from .tables import (CONTAINED_IN_CASE, SHARED_MODELS, AdoptionCase, Assessment, CapabilityNeed, Company, RedRecipient,
                     Solution)

RESTRICTED = "rapid_restricted"
UNRESTRICTED = "rapid_unrestricted"
ACTIONS = ("view", "change")


def _constant(value: str):
    """A fixed string of the rule, rendered inline: no bound parameter to extract or expand per execution."""
    return literal_column("'" + value.replace("'", "''") + "'", String)


_RED = _constant(TLP.RED.value)
_OWNER_ONLY = [_constant(TLP.AMBER_STRICT.value), _RED]
_EVERY_ORGANISATION = [_constant(Distribution.COMMUNITY.value), _constant(Distribution.CONNECTED.value)]
_SHARING_GROUP = _constant(Distribution.SHARING_GROUP.value)
_RED_NAMED = RedRecipient.__table__.alias("red_named")
_CONTAINER_CASE = AdoptionCase.__table__.alias("container_case")
_PART_NEED = CapabilityNeed.__table__.alias("part_need")
_PART_SOLUTION = Solution.__table__.alias("part_solution")
_PART_COMPANY = Company.__table__.alias("part_company")


class _ByDialect(ColumnElement):
    """One condition written two ways: ``postgresql`` there, ``default`` elsewhere (SQLite).

    SQLite stops early on a correlated EXISTS (a page of 50 looks up a few rows), while PostgreSQL
    turns an uncorrelated IN into one hashed list and costs a correlated EXISTS per row, which moves a
    count off its parallel scan (both measured in benchmarks/sharing.py). The two are equivalent.
    """

    __visit_name__ = "rapid_by_dialect"
    inherit_cache = True
    _traverse_internals = [("default", InternalTraversal.dp_clauseelement),
                           ("postgresql", InternalTraversal.dp_clauseelement)]
    type = Boolean()

    def __init__(self, default, postgresql) -> None:
        self.default = default
        self.postgresql = postgresql


@compiles(_ByDialect)
def _compile_default(element: _ByDialect, compiler, **kw) -> str:
    return compiler.process(element.default, **kw)


@compiles(_ByDialect, "postgresql")
def _compile_postgresql(element: _ByDialect, compiler, **kw) -> str:
    return compiler.process(element.postgresql, **kw)


class UnfilteredRead(RuntimeError):
    """A read of shared data skipped the sharing filter: a programming error, never a user's."""


def visible_condition(table: FromClause, actor: Actor):
    """The SQL condition under which ``actor`` sees a row of the shared ``table`` (ignoring containment).

    Args:
        table: a shared table or an alias of one (it needs the sharing columns and ``id``).
        actor: the reader.
    """
    c = table.c
    base_name = table.element.name if isinstance(table, Alias) else table.name
    # Only the owner's RED rows reach this test. SQLite looks each up on the unique (record_table, record_id,
    # user_id) index; PostgreSQL hashes the user's list once.
    named = _RED_NAMED.c
    user_id = actor.user_id if actor.user_id is not None else -1
    red_named = _ByDialect(
        exists().where(named.record_table == _constant(base_name), named.record_id == c.id,
                       named.user_id == user_id).correlate(table),
        c.id.in_(select(named.record_id).where(named.record_table == _constant(base_name), named.user_id == user_id)))
    own = and_(c.owner_org_id == actor.org_id,
               true() if actor.has_role("auditor") else or_(c.tlp != _RED, red_named))
    groups = sorted(actor.group_ids)
    distribution = or_(
        c.distribution.in_(_EVERY_ORGANISATION),
        and_(c.distribution == _SHARING_GROUP, c.sharing_group_id.in_(groups)) if groups else false(),
    )
    marking = actor.nation or NATO_MARKING
    # The marking is an ISO alpha-3 code or NATO (letters only), so the pattern needs no escaping. It stays
    # '%' || ? || '%': SQLite re-prepares a statement on every run when a LIKE pattern is a bare parameter.
    releasable = or_(c.releasable_to == _constant(""), c.releasable_to.contains(f",{marking},"))
    # No "owner_org_id != actor.org_id" here: the owner's rows that this branch would let through are
    # neither AMBER+STRICT nor RED, and those the first branch lets through already.
    others = and_(c.tlp.notin_(_OWNER_ONLY), distribution, releasable)
    return or_(own, others)


def _visible_row(alias: FromClause, id_value, actor: Actor):
    """EXISTS: the row of ``alias`` whose id is ``id_value`` is visible to ``actor`` (a primary-key lookup)."""
    return exists().where(alias.c.id == id_value, visible_condition(alias, actor))


def parts_visible(table: FromClause, actor: Actor):
    """The condition that the records a case or an assessment is about are visible too.

    A case is about its need and its solution (and the solution's company); an assessment about its solution
    and, when it names one, its need. A reader who may not see one of those does not see the case or the
    assessment either, so neither can show that a hidden need or solution exists.
    """
    base_name = table.element.name if isinstance(table, Alias) else table.name
    c = table.c
    solution = exists().where(_PART_SOLUTION.c.id == c.solution_id, visible_condition(_PART_SOLUTION, actor))
    if base_name == AdoptionCase.__tablename__:
        company = _visible_row(_PART_COMPANY, _PART_SOLUTION.c.company_id, actor)
        solution = exists().where(_PART_SOLUTION.c.id == c.solution_id, visible_condition(_PART_SOLUTION, actor),
                                  company)
        return and_(_visible_row(_PART_NEED, c.need_id, actor), solution)
    need = case((c.need_id.is_(None), true()), else_=_visible_row(_PART_NEED, c.need_id, actor))
    return and_(solution, need)


FOLLOWERS: dict[str, Callable[[FromClause, Actor, str], ColumnElement]] = {}
"""Shared tables without a marking of their own, by name: the function gives the whole condition for a row (e.g. a
trial result is visible exactly when its trial is). Filled by :mod:`rapid_adoption.store.sharing_tevv`."""
CONTAINERS: dict[str, Callable[[FromClause, Actor], ColumnElement]] = {}
"""Extra conditions of shared tables, by name, joined to their own marking's (e.g. a trial needs its solution and
test centre visible too). Filled by :mod:`rapid_adoption.store.sharing_tevv`."""


@lru_cache(maxsize=1024)
def _condition(table: FromClause, actor: Actor, action: str):
    """The filter for one table (cached: conditions are immutable and an Actor is hashable)."""
    base_name = table.element.name if isinstance(table, Alias) else table.name
    if base_name in FOLLOWERS:
        return FOLLOWERS[base_name](table, actor, action)
    if action == "change":
        return table.c.owner_org_id == actor.org_id
    condition = visible_condition(table, actor)
    if base_name in (AdoptionCase.__tablename__, Assessment.__tablename__):
        condition = and_(condition, parts_visible(table, actor))
    if base_name in CONTAINED_IN_CASE:
        cases = _CONTAINER_CASE
        # SQLite looks the container up by its primary key, and only for rows in a case, so a page stops after
        # a few lookups; PostgreSQL hashes the list of visible cases once. CASE rather than OR keeps
        # "case_id IS NULL" a plain test of the row (with OR, SQLite answered it through the case_id index
        # and looked every row up).
        visible = and_(visible_condition(cases, actor), parts_visible(cases, actor))
        container_visible = _ByDialect(
            exists().where(cases.c.id == table.c.case_id, visible).correlate(table),
            table.c.case_id.in_(select(cases.c.id).where(visible)))
        condition = and_(condition, case((table.c.case_id.is_(None), true()), else_=container_visible))
    if base_name in CONTAINERS:
        condition = and_(condition, CONTAINERS[base_name](table, actor))
    return condition


def final_froms(statement) -> list[FromClause]:
    """``statement.get_final_froms()``, without the full SQL compilation that method runs first.

    ``get_final_froms`` compiles the whole statement to a string only to throw it away, then builds the
    compile state that holds the FROM list; this builds only the compile state, with a compiler that has
    no statement (as ``get_final_froms`` has once its compilation is done).
    """
    dialect = statement._default_dialect()
    compiler = dialect.statement_compiler(dialect, None)
    return statement._compile_state_factory(statement, compiler)._get_display_froms()


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
    for table in _shared_froms(final_froms(statement)):
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
        froms = final_froms(statement)
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

from . import sharing_tevv  # noqa: E402,F401 - registers the TEVV tables' conditions
from . import sharing_badges  # noqa: E402,F401 - registers the badge tables' conditions
