"""The sharing conditions of the badge tables, registered with :mod:`rapid_adoption.store.sharing`.

A **badge** and an **external demonstration** follow their adoption case: a row is visible exactly when its case is
(and so only with the case's need, solution and company), and only the case's owner organisation may change it.

This module is imported at the end of :mod:`rapid_adoption.store.sharing`, so the conditions are in place before
any read.
"""

from __future__ import annotations

from sqlalchemy import exists
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from ..domain.sharing import Actor
from . import sharing
from .tables import SHARED_MODELS
from .tables_badges import BADGE_FOLLOWERS

_PARENTS = {name: SHARED_MODELS[parent].__table__.alias(f"badge_parent_{name}")
            for name, (parent, _column) in BADGE_FOLLOWERS.items()}


def follower_condition(name: str):
    """The condition function of the follower table ``name``: ``(table, actor, action) -> SQL condition``, true for a
    row whose parent row ``actor`` may see (``view``) or change (``change``)."""
    _parent_table, column = BADGE_FOLLOWERS[name]
    parent = _PARENTS[name]

    def condition(table: FromClause, actor: Actor, action: str) -> ColumnElement:
        """A row of ``name`` is visible (or changeable) exactly when its case is."""
        return exists().where(parent.c.id == table.c[column], sharing._condition(parent, actor, action)).correlate(table)

    return condition


for _name in BADGE_FOLLOWERS:
    sharing.FOLLOWERS[_name] = follower_condition(_name)

__all__ = ["follower_condition"]
