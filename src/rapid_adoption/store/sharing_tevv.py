"""The sharing conditions of the TEVV tables, registered with :mod:`rapid_adoption.store.sharing`.

* A **trial** has its own marking, and is visible only when its solution and the solution's company, its evaluation
  procedure, its test centre (once it has one) and its adoption case (when it belongs to one, with the case's own
  need and solution) are visible too. So a trial never shows that a hidden record exists.
* A **trial result** follows its trial, a **centre calendar** its test centre, a **gate override** and a **risk**
  their case, a **risk score** its risk: a row is visible exactly when its parent is, and only the parent's owner
  organisation may change it.

This module is imported at the end of :mod:`rapid_adoption.store.sharing`, so the conditions are in place before
any read.
"""

from __future__ import annotations

from sqlalchemy import and_, case, exists, true
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from ..domain.sharing import Actor
from . import sharing
from .tables import SHARED_MODELS, AdoptionCase, Company, Solution, TestCentre
from .tables_tevv import TEVV_FOLLOWERS, EvaluationProcedure

_TRIAL_SOLUTION = Solution.__table__.alias("trial_solution")
_TRIAL_COMPANY = Company.__table__.alias("trial_company")
_TRIAL_CENTRE = TestCentre.__table__.alias("trial_centre")
_TRIAL_PROCEDURE = EvaluationProcedure.__table__.alias("trial_procedure")
_TRIAL_CASE = AdoptionCase.__table__.alias("trial_case")
_PARENTS = {name: SHARED_MODELS[parent].__table__.alias(f"followed_{name}")
            for name, (parent, _column) in TEVV_FOLLOWERS.items()}


def trial_parts_visible(table: FromClause, actor: Actor) -> ColumnElement:
    """The condition that the records a trial is about are visible to ``actor``.

    Args:
        table: the ``trials`` table or an alias of it.
        actor: the reader.
    """
    c = table.c
    company = exists().where(_TRIAL_COMPANY.c.id == _TRIAL_SOLUTION.c.company_id,
                             sharing.visible_condition(_TRIAL_COMPANY, actor))
    solution = exists().where(_TRIAL_SOLUTION.c.id == c.solution_id,
                              sharing.visible_condition(_TRIAL_SOLUTION, actor), company)
    procedure = exists().where(_TRIAL_PROCEDURE.c.id == c.procedure_id,
                               sharing.visible_condition(_TRIAL_PROCEDURE, actor))
    centre = case((c.centre_id.is_(None), true()),
                  else_=exists().where(_TRIAL_CENTRE.c.id == c.centre_id,
                                       sharing.visible_condition(_TRIAL_CENTRE, actor)))
    in_case = case((c.case_id.is_(None), true()),
                   else_=exists().where(_TRIAL_CASE.c.id == c.case_id,
                                        sharing._condition(_TRIAL_CASE, actor, "view")))
    return and_(solution, procedure, centre, in_case)


def _follower(name: str):
    parent_table, column = TEVV_FOLLOWERS[name]
    parent = _PARENTS[name]

    def condition(table: FromClause, actor: Actor, action: str) -> ColumnElement:
        """A row of ``name`` is visible (or changeable) exactly when its parent row is."""
        return exists().where(parent.c.id == table.c[column],
                              sharing._condition(parent, actor, action)).correlate(table)

    return condition


sharing.CONTAINERS["trials"] = trial_parts_visible
for _name in TEVV_FOLLOWERS:
    sharing.FOLLOWERS[_name] = _follower(_name)

__all__ = ["trial_parts_visible"]
