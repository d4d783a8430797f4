"""Market-research assessments: one organisation's view of a solution (optionally against a need, inside a case).

These are what allies share with each other. Each write checks the role (admin or analyst) and,
for an update, that the actor's organisation owns the assessment; each is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from ..domain.errors import PermissionDenied, ValidationError
from ..domain.records import MRL_RANGE, TRL_RANGE, check_level, check_text
from ..domain.sharing import Actor
from ..domain.types import TLP, Distribution
from ..store.sharing import restrict
from ..store.tables import AdoptionCase, Assessment, CapabilityNeed, RedRecipient, Solution
from . import audit
from .records import marking_of, plain, resolve, row_dict, stored_releasable
from .sharing import _group_for_member, checked_releasable_to
from .workspace import Workspace

WRITE_ROLES = ("admin", "analyst")


@dataclass(frozen=True)
class AssessmentInput:
    """The fields of an assessment a user may set; None leaves a field as it is on update.

    Attributes:
        trl: Technology Readiness Level 1-9 as assessed.
        mrl: Manufacturing Readiness Level 1-10 as assessed.
        fit_0_to_100: fit to the need, 0-100.
        strengths, weaknesses, risks: free text.
        sources: links or references.
        assessed_on: the date of the assessment (default today).
    """

    trl: int | None = None
    mrl: int | None = None
    fit_0_to_100: int | None = None
    strengths: str | None = None
    weaknesses: str | None = None
    risks: str | None = None
    sources: tuple[str, ...] | None = None
    assessed_on: date | None = None

    def checked(self) -> dict[str, Any]:
        """The given fields, validated.

        Raises:
            ValidationError: TRL outside 1-9, MRL outside 1-10, fit outside 0-100.
        """
        out: dict[str, Any] = {}
        if self.trl is not None:
            out["trl"] = check_level(self.trl, "trl", TRL_RANGE)
        if self.mrl is not None:
            out["mrl"] = check_level(self.mrl, "mrl", MRL_RANGE)
        if self.fit_0_to_100 is not None:
            out["fit_0_to_100"] = check_level(self.fit_0_to_100, "fit", range(0, 101))
        for name in ("strengths", "weaknesses", "risks"):
            value = getattr(self, name)
            if value is not None:
                out[name] = check_text(value, name, required=False, max_length=20_000)
        if self.sources is not None:
            out["sources"] = [check_text(s, "sources", max_length=2000) for s in self.sources if s.strip()]
        if self.assessed_on is not None:
            out["assessed_on"] = self.assessed_on
        return out


def _view(session, row: Assessment, actor: Actor) -> dict[str, Any]:
    """The assessment as the actor may see it: the solution and need by ref, and only when visible to the actor."""
    from ..store.tables import Organisation

    data = row_dict(row, exclude=("owner_org_id", "solution_id", "need_id"))
    data["owner"] = session.get(Organisation, row.owner_org_id).ref
    data.update(marking_of(session, row))
    data["solution_ref"] = session.scalar(restrict(select(Solution.ref).where(Solution.id == row.solution_id), actor))
    data["need_ref"] = session.scalar(restrict(select(CapabilityNeed.ref).where(CapabilityNeed.id == row.need_id), actor)) \
        if row.need_id else None
    return plain(data)


def create(workspace: Workspace, actor: Actor, solution: str, values: AssessmentInput, *, need: str | None = None,
           case: str | None = None, distribution: str = Distribution.ORGANISATION.value, tlp: str = TLP.AMBER.value,
           group: str | None = None, releasable_to: str | None = None) -> dict[str, Any]:
    """Record an assessment by the actor's organisation.

    New assessments are private by default (``organisation``, TLP:AMBER): sharing is a choice.
    An assessment inside a case takes the case's need, and is never more visible than the case.

    Raises:
        PermissionDenied: the actor is neither admin nor analyst; a case of another organisation.
        NotFound: the solution, need, case or group is not visible to the actor.
        ValidationError: a bad value.
    """
    if not actor.has_role(*WRITE_ROLES):
        raise PermissionDenied("recording an assessment needs the role admin or analyst")
    checked = values.checked()
    try:
        distribution = Distribution(distribution.strip().lower()).value
    except ValueError:
        raise ValidationError(f"must be one of {', '.join(d.value for d in Distribution)}, got {distribution!r}",
                              field="--distribution") from None
    try:
        tlp = TLP(tlp.strip().upper()).value
    except ValueError:
        raise ValidationError(f"must be one of {', '.join(t.value for t in TLP)}, got {tlp!r}", field="--tlp") from None
    if group is not None and distribution == Distribution.ORGANISATION.value:
        distribution = Distribution.SHARING_GROUP.value  # naming a group means sharing with it
    now = workspace.now()
    with workspace.uow.transaction() as session:
        solution_row = resolve(session, Solution, solution, actor)
        case_row = resolve(session, AdoptionCase, case, actor, "change") if case else None
        need_row = resolve(session, CapabilityNeed, need, actor) if need else (case_row.need if case_row else None)
        if case_row is not None and need_row is not None and need_row.id != case_row.need_id:
            raise ValidationError(f"case {case_row.id} is about need {case_row.need.ref}, not {need_row.ref}", field="--need")
        if case_row is not None and case_row.solution_id != solution_row.id:
            raise ValidationError(f"case {case_row.id} is about solution {case_row.solution.ref}, not {solution_row.ref}",
                                  field="--case")
        group_id = _group_for_member(session, actor, group).id if group else None
        if distribution == Distribution.SHARING_GROUP.value and group_id is None:
            raise ValidationError("sharing_group needs --group NAME", field="--group")
        row = Assessment(
            solution_id=solution_row.id, need_id=need_row.id if need_row else None,
            case_id=case_row.id if case_row else None, sources=[], assessed_on=now.date(),
            owner_org_id=actor.org_id, distribution=distribution, tlp=tlp,
            sharing_group_id=group_id if distribution == Distribution.SHARING_GROUP.value else None,
            releasable_to=stored_releasable(checked_releasable_to(releasable_to)), created_at=now, updated_at=now,
        )
        for key, value in checked.items():
            setattr(row, key, value)
        session.add(row)
        session.flush()
        if tlp == TLP.RED.value and actor.user_id is not None:  # its author stays able to read it
            session.add(RedRecipient(record_table="assessments", record_id=row.id, user_id=actor.user_id))
            session.flush()
        view = _view(session, row, actor)
        audit.record(session, actor, "create", "assessments", row.id, now=now, after=view)
        return view


def update(workspace: Workspace, actor: Actor, ident: str, values: AssessmentInput, *,
           expected_version: int | None = None) -> dict[str, Any]:
    """Change an assessment of the actor's organisation (only the fields given).

    Raises:
        NotFound: not visible to the actor.
        PermissionDenied: another organisation's assessment, or the actor is neither admin nor analyst.
        Conflict: ``expected_version`` is stale, or another user changed it at the same time.
        ValidationError: a bad value.
    """
    from sqlalchemy.orm.exc import StaleDataError

    from ..domain.errors import Conflict

    if not actor.has_role(*WRITE_ROLES):
        raise PermissionDenied("changing an assessment needs the role admin or analyst")
    checked = values.checked()
    now = workspace.now()
    try:
        with workspace.uow.transaction() as session:
            row = resolve(session, Assessment, ident, actor, "change")
            if expected_version is not None and row.version != expected_version:
                raise Conflict(f"assessment {row.id} is at version {row.version}, not {expected_version}: "
                               "reload and try again")
            before = _view(session, row, actor)
            for key, value in checked.items():
                setattr(row, key, value)
            row.updated_at = now
            session.flush()
            after = _view(session, row, actor)
            audit.record(session, actor, "update", "assessments", row.id, now=now, before=before, after=after)
            return after
    except StaleDataError:
        raise Conflict(f"assessment {ident} was changed by someone else meanwhile: reload and try again") from None


def show(workspace: Workspace, actor: Actor, ident: str) -> dict[str, Any]:
    """One assessment the actor may see, with its marking.

    Raises:
        NotFound: not visible (hidden records are not found, never forbidden).
    """
    with workspace.uow.read() as session:
        row = resolve(session, Assessment, ident, actor)
        return _view(session, row, actor)


def list_visible(workspace: Workspace, actor: Actor, *, solution: str | None = None, need: str | None = None,
                 limit: int = 50, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """Assessments the actor may see, newest first, optionally for one solution or need.

    Returns:
        ``(total, rows)``: the count of visible matches and one page; each row has the solution's ref and name,
        the owner's ref, the sharing group's name and the marking banner.
    """
    from ..domain.sharing import marking_banner
    from ..store.tables import Organisation, SharingGroup

    query = select(Assessment.id, Assessment.trl, Assessment.mrl, Assessment.fit_0_to_100, Assessment.assessed_on,
                   Assessment.tlp, Assessment.distribution, Assessment.releasable_to, Solution.ref.label("solution"),
                   Assessment.case_id, Solution.name.label("solution_name"), Organisation.ref.label("owner"),
                   SharingGroup.name.label("sharing_group")).join(Solution, Solution.id == Assessment.solution_id).join(
        Organisation, Organisation.id == Assessment.owner_org_id).outerjoin(
        SharingGroup, SharingGroup.id == Assessment.sharing_group_id)
    with workspace.uow.read() as session:
        if solution:
            query = query.where(Assessment.solution_id == resolve(session, Solution, solution, actor).id)
        if need:
            query = query.where(Assessment.need_id == resolve(session, CapabilityNeed, need, actor).id)
        query = restrict(query, actor)
        total = session.scalar(restrict(select(func.count()).select_from(query.subquery()), actor))
        rows = session.execute(query.order_by(Assessment.id.desc()).limit(limit).offset(offset)).mappings().all()
        out = []
        for r in rows:
            codes = [c for c in r["releasable_to"].split(",") if c]
            out.append(plain({**dict(r), "releasable_to": codes,
                              "marking": marking_banner(r["tlp"], r["distribution"], r["sharing_group"], tuple(codes))}))
        return total, out


ASSESSMENT_SORTS = {"id": Assessment.id, "assessed_on": Assessment.assessed_on, "updated_at": Assessment.updated_at}
"""The keys an assessment list may be sorted by."""


def page_visible(workspace: Workspace, actor: Actor, *, solution: str | None = None, need: str | None = None,
                 sort: str | None = "-id", after: list[Any] | None = None, limit: int = 50, with_total: bool = True):
    """One keyset page of the assessments ``actor`` may see (rows as :func:`list_visible`, plus ``version``).

    Args:
        solution, need: only assessments of this solution or need (id or ref; must be visible).
        sort: a key of :data:`ASSESSMENT_SORTS`, ``-`` in front for descending (default newest first).
        after: ``[sort value, id]`` of the last row of the page before.
        limit: 1-500 rows.

    Returns:
        A :class:`rapid_adoption.services.paging.KeysetPage`.

    Raises:
        NotFound: a solution or need the actor may not see.
        ValidationError: a bad sort, cursor or limit.
    """
    from .paging import keyset_page

    query = select(Assessment.id, Assessment.trl, Assessment.mrl, Assessment.fit_0_to_100, Assessment.assessed_on,
                   Assessment.tlp, Assessment.distribution, Assessment.releasable_to, Solution.ref.label("solution"),
                   Assessment.case_id, Assessment.version).join(Solution, Solution.id == Assessment.solution_id)
    with workspace.uow.read() as session:
        if solution:
            query = query.where(Assessment.solution_id == resolve(session, Solution, solution, actor).id)
        if need:
            query = query.where(Assessment.need_id == resolve(session, CapabilityNeed, need, actor).id)
        page = keyset_page(session, restrict(query, actor), actor, id_column=Assessment.id, sorts=ASSESSMENT_SORTS,
                           sort=sort, after=after, limit=limit, default="-id", with_total=with_total)
    for row in page.rows:
        row["releasable_to"] = [c for c in row["releasable_to"].split(",") if c]
    return page


def delete(workspace: Workspace, actor: Actor, ident: str, *, expected_version: int | None = None) -> None:
    """Delete an assessment of the actor's organisation (audited with its data before).

    Raises:
        NotFound: not visible to the actor.
        PermissionDenied: another organisation's assessment, or the actor is neither admin nor analyst.
        Conflict: ``expected_version`` is stale.
    """
    from sqlalchemy import delete as sql_delete
    from sqlalchemy.orm.exc import StaleDataError

    from ..domain.errors import Conflict

    try:
        with workspace.uow.transaction() as session:
            row = resolve(session, Assessment, ident, actor)
            resolve(session, Assessment, str(row.id), actor, "change")
            if not actor.has_role(*WRITE_ROLES):
                raise PermissionDenied("deleting an assessment needs the role admin or analyst")
            if expected_version is not None and row.version != expected_version:
                raise Conflict(f"assessment {row.id} is at version {row.version}, not {expected_version}: "
                               "reload and try again")
            before = _view(session, row, actor)
            session.execute(sql_delete(RedRecipient).where(RedRecipient.record_table == "assessments",
                                                           RedRecipient.record_id == row.id))
            session.delete(row)
            session.flush()
            audit.record(session, actor, "delete", "assessments", row.id, now=workspace.now(), before=before)
    except StaleDataError:
        raise Conflict(f"assessment {ident} was changed by someone else meanwhile: reload and try again") from None


__all__ = ["ASSESSMENT_SORTS", "AssessmentInput", "create", "delete", "update", "show", "list_visible", "page_visible"]
