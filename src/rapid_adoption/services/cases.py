"""Adoption cases: open, advance through the gates, reject, withdraw, show.

Every move is one transaction that writes the gate decision and the new stage together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.clock import ClockReading, read_clock, require_aware, stage_deadline
from ..domain.errors import Conflict, GateNotSatisfied, NotFound, PermissionDenied, ValidationError
from ..domain.sharing import Actor
from ..store.sharing import restrict, unrestricted
from ..domain.pipeline import check_advance, check_close
from ..domain.records import check_text
from ..domain.types import ACTIVE_STAGES, TLP, Distribution, Stage
from ..store.tables import AdoptionCase, CapabilityNeed, Company, GateDecision, Organisation, Solution
from . import audit
from .records import marking_of, plain, resolve, row_dict
from .workspace import Workspace, org_id


def check_evidence(urls: Sequence[str]) -> list[str]:
    """Check evidence links: each must be an absolute http(s) URL.

    Raises:
        ValidationError: field ``evidence``, naming the bad link.
    """
    out = []
    for url in urls:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError(f"must be an http(s) URL, got {url!r}", field="evidence")
        out.append(url.strip())
    return out


@dataclass(frozen=True)
class CaseView:
    """A case with its need, solution, clock and timeline, ready to show.

    Attributes:
        case: the column values (JSON-ready).
        need_title, solution_name, company_name: for display.
        clock: the clock reading at ``now``.
        stage_deadlines: stage -> deadline, for the active stages.
        timeline: the gate decisions in order, as dicts.
    """

    case: dict[str, Any]
    need_title: str
    solution_name: str
    company_name: str
    clock: ClockReading
    stage_deadlines: dict[str, datetime]
    timeline: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the whole view."""
        return plain({
            **self.case,
            "need_title": self.need_title,
            "solution_name": self.solution_name,
            "company_name": self.company_name,
            "clock": {
                "status": self.clock.status.value,
                "stage_deadline": self.clock.stage_deadline,
                "days_left": self.clock.days_left,
                "window_used": None if self.clock.window_used is None else round(self.clock.window_used, 4),
                "months_elapsed": round(self.clock.months_elapsed, 2),
                "total_deadline": self.clock.total_deadline,
            },
            "stage_deadlines": self.stage_deadlines,
            "timeline": self.timeline,
        })


OPEN_ROLES = ("admin", "analyst", "board")
DECIDE_ROLES = ("admin", "board")


class CaseService:
    """Use cases on adoption cases for one workspace.

    Args:
        workspace: the open workspace (its clock gives ``now``; its settings give the budgets).
        actor: who acts: reads go through the sharing filter, writes need the owner organisation and
            a role (open: admin, analyst or board; gate decisions: admin or board).
    """

    def __init__(self, workspace: Workspace, actor: Actor) -> None:
        self.ws = workspace
        self.actor = actor

    def _require(self, roles: tuple[str, ...], what: str) -> None:
        if not self.actor.has_role(*roles):
            raise PermissionDenied(f"{what} needs the role {' or '.join(roles)}; {self.actor.username} has "
                                   f"{', '.join(sorted(self.actor.roles)) or 'none'}")

    def open(self, need: str | int, solution: str | int, *, cots: bool = False, opened_at: datetime | None = None,
             owner_ref: str | None = None, ref: str | None = None, source: str | None = None,
             sharing: dict[str, str] | None = None, session: Session | None = None) -> int:
        """Open a case tying ``need`` to ``solution`` (each an id or ref).

        Args:
            cots: the case buys commercial off the shelf (9-month budget by default).
            opened_at: when the clock starts (timezone-aware); default now. Not in the future.
            owner_ref: the owning organisation; default the workspace's.
            ref: an optional unique reference (the quickstart uses it to stay idempotent).
            session: write in this transaction instead of a new one.

        Returns:
            The new case's id.

        Raises:
            NotFound: the need or solution does not exist.
            Conflict: the owner already has an open case for this need and solution.
            ValidationError: ``opened_at`` is naive or in the future.
        """
        if session is None:
            with self.ws.uow.transaction() as s:
                return self.open(need, solution, cots=cots, opened_at=opened_at, owner_ref=owner_ref, ref=ref,
                                 source=source, sharing=sharing, session=s)
        self._require(OPEN_ROLES, "opening a case")
        now = self.ws.now()
        opened_at = require_aware(opened_at, "opened_at") if opened_at else now
        if opened_at > now:
            raise ValidationError(f"cannot open a case in the future ({opened_at.isoformat()})", field="opened_at")
        need_row = resolve(session, CapabilityNeed, need, self.actor)
        solution_row = resolve(session, Solution, solution, self.actor)
        if owner_ref is not None and owner_ref != self.actor.org_ref and self.actor.user_id is not None:
            raise PermissionDenied(f"{self.actor.username} may open cases for {self.actor.org_ref} only")
        owner_id = org_id(session, owner_ref) if owner_ref else self.actor.org_id
        existing = session.scalar(restrict(select(AdoptionCase.id).where(
            AdoptionCase.need_id == need_row.id, AdoptionCase.solution_id == solution_row.id,
            AdoptionCase.owner_org_id == owner_id, AdoptionCase.stage.in_([s.value for s in ACTIVE_STAGES])),
            self.actor))
        if existing is not None:
            raise Conflict(f"case {existing} is already open for need {need_row.ref} and solution {solution_row.ref}")
        if ref is not None and session.scalar(unrestricted(select(AdoptionCase.id).where(AdoptionCase.ref == ref),
                                                           "a unique-key check that tells only 'taken'")) is not None:
            raise Conflict(f"the ref {ref!r} is taken by another adoption case: choose another")
        case = AdoptionCase(
            ref=ref, need_id=need_row.id, solution_id=solution_row.id, stage=Stage.MARKET_RESEARCH.value, cots=cots,
            opened_at=opened_at, source=source, owner_org_id=owner_id,
            distribution=(sharing or {}).get("distribution", Distribution.COMMUNITY.value),
            tlp=(sharing or {}).get("tlp", TLP.GREEN.value), created_at=now, updated_at=now,
        )
        session.add(case)
        session.flush()
        audit.record(session, self.actor, "create", "adoption_cases", case.id, now=now, after=row_dict(case))
        return case.id

    def _decide(self, session: Session, case: AdoptionCase, target: Stage, rationale: str, evidence: Sequence[str],
                decided_at: datetime | None, inferred: bool, expected_version: int | None) -> None:
        if expected_version is not None and case.version != expected_version:
            raise Conflict(f"case {case.id} is at version {case.version}, not {expected_version}: reload and try again")
        rationale = check_text(rationale, "rationale")
        evidence = check_evidence(evidence)
        now = self.ws.now()
        decided_at = require_aware(decided_at, "decided_at") if decided_at else now
        if decided_at > now:
            raise ValidationError(f"a decision cannot be dated in the future ({decided_at.isoformat()})", field="decided_at")
        last = case.decisions[-1].decided_at if case.decisions else case.opened_at
        if decided_at < last:
            raise ValidationError(
                f"a decision cannot be dated before the case's last event ({last.isoformat()})", field="decided_at")
        current = Stage(case.stage)
        before = row_dict(case)
        case.decisions.append(GateDecision(
            from_stage=current.value, to_stage=target.value, decided_at=decided_at, decided_by=self.actor.username,
            rationale=rationale, evidence=evidence, inferred=inferred, owner_org_id=case.owner_org_id,
            distribution=case.distribution, tlp=case.tlp, sharing_group_id=case.sharing_group_id,
            releasable_to=case.releasable_to, created_at=now, updated_at=now,
        ))
        case.stage = target.value
        case.updated_at = now
        if target.is_terminal:
            case.closed_at = decided_at
            if target == Stage.REJECTED:
                case.rejected_at_stage = current.value
        session.flush()
        audit.record(session, self.actor, "gate", "adoption_cases", case.id, now=now, before=before,
                     after={**row_dict(case), "rationale": rationale, "evidence": evidence})

    def advance(self, case_ident: str | int, to: Stage, rationale: str, evidence: Sequence[str] = (), *,
                decided_at: datetime | None = None, inferred: bool = False, expected_version: int | None = None,
                session: Session | None = None, award=None) -> None:
        """Pass the current stage's gate and enter ``to`` (which must be the next stage).

        Raises:
            NotFound: no such case.
            GateNotSatisfied: ``to`` is not the next stage, or the case is closed; or, leaving ``tevv``, the
                case's completed trials do not cover every use case of their procedure, or a use case failed
                without a board override (:func:`rapid_adoption.services.tevv_trials.check_tevv_gate`). An
                ``inferred`` decision (recorded from a source's dates, as the quickstart does) skips that check.
                Leaving ``badge`` (not inferred), the case needs evidence for a badge, and passing the gate issues
                it in the same transaction (:func:`rapid_adoption.services.badges.plan_award`; ``award`` is an
                optional :class:`rapid_adoption.services.badges.AwardOptions`).
            ValidationError: empty rationale, a bad evidence URL, or a bad ``decided_at``.
            Conflict: ``expected_version`` is stale.
        """
        if session is None:
            with self.ws.uow.transaction() as s:
                return self.advance(case_ident, to, rationale, evidence, decided_at=decided_at, inferred=inferred,
                                    expected_version=expected_version, session=s, award=award)
        self._require(DECIDE_ROLES, "a gate decision")
        case = resolve(session, AdoptionCase, case_ident, self.actor, "change")
        check_advance(Stage(case.stage), to)
        if case.stage == Stage.TEVV.value and not inferred and expected_version in (None, case.version):
            from .tevv_trials import check_tevv_gate  # the tevv gate: trials cover the procedure's use cases

            check_tevv_gate(session, self.actor, case)
        badges = None
        if case.stage == Stage.BADGE.value and not inferred:  # the badge gate: award the badge of approval
            from .badges import plan_award

            badges = plan_award(session, self.actor, case, award)
        self._decide(session, case, to, rationale, evidence, decided_at, inferred, expected_version)
        if badges is not None:
            from .badges import issue_award

            issue_award(self.ws, session, self.actor, case, badges, case.decisions[-1], rationale, award)

    def close(self, case_ident: str | int, as_stage: Stage, rationale: str, evidence: Sequence[str] = (), *,
              decided_at: datetime | None = None, expected_version: int | None = None) -> None:
        """Close a case as ``rejected`` (recording the gate that failed) or ``withdrawn``.

        Raises:
            NotFound, GateNotSatisfied (already closed), ValidationError, Conflict: as for :meth:`advance`.
        """
        self._require(DECIDE_ROLES, "closing a case")
        with self.ws.uow.transaction() as session:
            case = resolve(session, AdoptionCase, case_ident, self.actor, "change")
            check_close(Stage(case.stage), as_stage)
            self._decide(session, case, as_stage, rationale, evidence, decided_at, False, expected_version)

    def show(self, case_ident: str | int) -> CaseView:
        """The case with its clock at now and its timeline.

        Raises:
            NotFound: no such case.
        """
        budgets = self.ws.settings.budgets
        with self.ws.uow.read() as session:
            case = resolve(session, AdoptionCase, case_ident, self.actor)
            # The case shows its need and solution, so it is visible only with them (as on the board).
            need_row = session.scalar(restrict(select(CapabilityNeed).where(CapabilityNeed.id == case.need_id), self.actor))
            solution_row = session.scalar(restrict(select(Solution).where(Solution.id == case.solution_id), self.actor))
            company_name = session.scalar(restrict(
                select(Company.legal_name).where(Company.id == (solution_row.company_id if solution_row else -1)),
                self.actor))
            if need_row is None or solution_row is None or company_name is None:
                raise NotFound(f"no adoption case {str(case_ident).strip()!r} (give its id or ref)")
            stage = Stage(case.stage)
            clock = read_clock(case.opened_at, stage, self.ws.now(), cots=case.cots, budgets=budgets,
                               closed_at=case.closed_at)
            deadlines = {s.value: stage_deadline(case.opened_at, s, cots=case.cots, budgets=budgets) for s in ACTIVE_STAGES}
            timeline = [
                {"from_stage": d.from_stage, "to_stage": d.to_stage, "decided_at": d.decided_at, "decided_by": d.decided_by,
                 "rationale": d.rationale, "evidence": list(d.evidence), "inferred": d.inferred,
                 "on_time": d.decided_at <= deadlines[d.from_stage]
                 if d.to_stage not in (Stage.REJECTED.value, Stage.WITHDRAWN.value) else None}
                for d in case.decisions
            ]
            data = {c.key: getattr(case, c.key) for c in case.__table__.columns if c.key != "owner_org_id"}
            data["owner"] = session.get(Organisation, case.owner_org_id).ref
            data.update(marking_of(session, case))
            data["need_ref"] = need_row.ref
            data["solution_ref"] = solution_row.ref
            return CaseView(plain(data), need_row.title, solution_row.name, company_name,
                            clock, deadlines, plain(timeline))


def require_stage(text: str) -> Stage:
    """Parse a stage name for the CLI (see :func:`rapid_adoption.domain.pipeline.parse_stage`)."""
    from ..domain.pipeline import parse_stage

    return parse_stage(text)


CASE_SORTS = {"id": AdoptionCase.id, "opened_at": AdoptionCase.opened_at, "updated_at": AdoptionCase.updated_at,
              "stage": AdoptionCase.stage}
"""The keys a case list may be sorted by."""


def page_cases(workspace: Workspace, actor: Actor, *, stage: str | None = None, need: str | None = None,
               solution: str | None = None, owner: str | None = None, sort: str | None = "id",
               after: list[Any] | None = None, limit: int = 50, with_total: bool = True):
    """One keyset page of the cases ``actor`` may see (with their need and solution, as on the board).

    Args:
        stage: only cases at this stage (a :class:`Stage` value).
        need, solution: only cases on this need or solution (id or ref; must be visible).
        owner: only cases of this organisation (its ref, e.g. ``USA``).
        sort: a key of :data:`CASE_SORTS`, ``-`` in front for descending; ties broken by id.
        after: ``[sort value, id]`` of the last row of the page before.
        limit: 1-500 rows.

    Returns:
        A :class:`rapid_adoption.services.paging.KeysetPage`.

    Raises:
        ValidationError: an unknown stage, sort, cursor or limit.
        NotFound: a need or solution the actor may not see.
    """
    from .paging import keyset_page

    query = (select(AdoptionCase.id, AdoptionCase.ref, AdoptionCase.stage, AdoptionCase.cots, AdoptionCase.opened_at,
                    AdoptionCase.closed_at, AdoptionCase.rejected_at_stage, Organisation.ref.label("owner"),
                    CapabilityNeed.ref.label("need_ref"), Solution.ref.label("solution_ref"),
                    AdoptionCase.distribution, AdoptionCase.tlp, AdoptionCase.version)
             .join(CapabilityNeed, CapabilityNeed.id == AdoptionCase.need_id)
             .join(Solution, Solution.id == AdoptionCase.solution_id)
             .join(Company, Company.id == Solution.company_id)
             .join(Organisation, Organisation.id == AdoptionCase.owner_org_id))
    if stage:
        try:
            query = query.where(AdoptionCase.stage == Stage(stage.strip().lower()).value)
        except ValueError:
            raise ValidationError(f"must be one of {', '.join(s.value for s in Stage)}, got {stage!r}",
                                  field="stage") from None
    if owner:
        query = query.where(Organisation.ref == owner.strip().upper())
    with workspace.uow.read() as session:
        if need:
            query = query.where(AdoptionCase.need_id == resolve(session, CapabilityNeed, need, actor).id)
        if solution:
            query = query.where(AdoptionCase.solution_id == resolve(session, Solution, solution, actor).id)
        return keyset_page(session, restrict(query, actor), actor, id_column=AdoptionCase.id, sorts=CASE_SORTS,
                           sort=sort, after=after, limit=limit, with_total=with_total)


__all__ = ["CASE_SORTS", "page_cases", "CaseService", "CaseView", "check_evidence", "require_stage", "GateNotSatisfied"]
