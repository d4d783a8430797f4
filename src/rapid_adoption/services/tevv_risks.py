"""The risk register of an adoption case: risks scored on the 5x5 likelihood x impact matrix, with an owner and
mitigations, and a residual score recorded after each trial, so the register burns down over time.

A risk and its scores follow their case: visible exactly when the case is, changed only by the case's owner
organisation (roles admin, analyst or board). Every change is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.clock import require_aware
from ..domain.errors import NotFound, PermissionDenied, ValidationError
from ..domain.records import check_text
from ..domain.sharing import Actor
from ..domain.tevv import TrialStatus, parse_risk_category, risk_level, risk_score
from ..store.sharing import restrict
from ..store.tables import AdoptionCase
from ..store.tables_tevv import CaseRisk, RiskScore, Trial
from . import audit
from .records import plain, resolve, row_dict
from .workspace import Workspace

RISK_ROLES = ("admin", "analyst", "board")
"""Roles that may add and score risks of their organisation's cases."""


def _require(actor: Actor, what: str) -> None:
    if not actor.has_role(*RISK_ROLES):
        raise PermissionDenied(f"{what} needs the role {' or '.join(RISK_ROLES)}; {actor.username} has "
                               f"{', '.join(sorted(actor.roles)) or 'none'}")


def _mitigations(items: Sequence[str]) -> list[str]:
    return [check_text(m, "mitigations", max_length=5000) for m in items if m and m.strip()]


def _score_view(row: RiskScore) -> dict[str, Any]:
    return plain({"id": row.id, "recorded_at": row.recorded_at, "likelihood_1_to_5": row.likelihood_1_to_5,
                  "impact_1_to_5": row.impact_1_to_5, "score_1_to_25": row.score_1_to_25,
                  "level": risk_level(row.score_1_to_25), "kind": row.kind, "trial_id": row.trial_id,
                  "note": row.note, "recorded_by": row.recorded_by})


def risk_view(session: Session, actor: Actor, row: CaseRisk) -> dict[str, Any]:
    """A risk with its current score and level and its score history, oldest first (JSON-ready)."""
    history = list(session.scalars(restrict(select(RiskScore).where(RiskScore.risk_id == row.id)
                                            .order_by(RiskScore.recorded_at, RiskScore.id), actor)))
    score = risk_score(row.likelihood_1_to_5, row.impact_1_to_5)
    data = row_dict(row)
    data.update({"score_1_to_25": score, "level": risk_level(score), "history": [_score_view(h) for h in history],
                 "initial_score": history[0].score_1_to_25 if history else score})
    return plain(data)


def _recorded_at(value: datetime | None, now: datetime, earliest: datetime, what: str) -> datetime:
    """``value`` checked (aware, not in the future, not before ``earliest``), or ``now`` when None."""
    if value is None:
        return now
    value = require_aware(value, "recorded_at")
    if value > now:
        raise ValidationError(f"cannot be in the future ({value.isoformat()})", field="recorded_at")
    if value < earliest:
        raise ValidationError(f"cannot be before {what} ({earliest.isoformat()})", field="recorded_at")
    return value


def add_risk(workspace: Workspace, actor: Actor, case: str | int, *, category: str, title: str, likelihood: int,
             impact: int, risk_owner: str, mitigations: Sequence[str] = (), description: str | None = None,
             recorded_at: datetime | None = None, session: Session | None = None) -> dict[str, Any]:
    """Add a risk to a case's register, with its initial score (a history row of kind ``initial``).

    Args:
        case: the case's id or ref.
        category: technical, operational, supply_chain, security or integration.
        title: the risk in a line.
        likelihood, impact: 1-5 each.
        risk_owner: who owns the risk (a person or a role).
        mitigations: the actions that lower it.
        description: more words.
        recorded_at: when the risk was identified, to enter it afterwards (timezone-aware; not before the case
            opened, not in the future); default now. The audit entry is dated now.
        session: write in this transaction instead of a new one.

    Returns:
        The risk's view (:func:`risk_view`).

    Raises:
        NotFound: the case is not visible.
        PermissionDenied: another organisation's case, or the actor is not admin, analyst or board.
        ValidationError: a closed case, an unknown category, a score outside 1-5, an empty title or owner.
    """
    if session is None:
        with workspace.uow.transaction() as s:
            return add_risk(workspace, actor, case, category=category, title=title, likelihood=likelihood,
                            impact=impact, risk_owner=risk_owner, mitigations=mitigations, description=description,
                            recorded_at=recorded_at, session=s)
    _require(actor, "adding a risk")
    checked_category = parse_risk_category(category)
    score = risk_score(likelihood, impact)
    title = check_text(title, "title", max_length=300)
    risk_owner = check_text(risk_owner, "risk_owner", max_length=200)
    description = check_text(description, "description", required=False, max_length=20_000)
    checked_mitigations = _mitigations(mitigations)
    now = workspace.now()
    case_row = resolve(session, AdoptionCase, case, actor, "change")
    if case_row.closed_at is not None:
        raise ValidationError(f"case {case_row.id} is {case_row.stage}: its register is closed", field="case")
    when = _recorded_at(recorded_at, now, case_row.opened_at, "the case opened")
    row = CaseRisk(case_id=case_row.id, category=checked_category.value, title=title, description=description,
                   risk_owner=risk_owner, mitigations=checked_mitigations, likelihood_1_to_5=likelihood,
                   impact_1_to_5=impact, created_by=actor.username, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    initial = RiskScore(risk_id=row.id, recorded_at=when, likelihood_1_to_5=likelihood, impact_1_to_5=impact,
                        score_1_to_25=score, kind="initial", recorded_by=actor.username, created_at=now,
                        updated_at=now)
    session.add(initial)
    session.flush()
    audit.record(session, actor, "create", "case_risks", row.id, now=now, after=row_dict(row))
    audit.record(session, actor, "create", "risk_scores", initial.id, now=now, after=row_dict(initial))
    return risk_view(session, actor, row)


def _risk(session: Session, actor: Actor, ident: str | int, action: str = "view") -> CaseRisk:
    text = str(ident).strip()
    if not (text.isascii() and text.isdigit() and len(text) < 19):
        raise ValidationError(f"give the risk's id (a number), got {text!r}", field="risk")
    row = session.scalar(restrict(select(CaseRisk).where(CaseRisk.id == int(text)), actor))
    if row is None:
        raise NotFound(f"no risk {text} ('rapid risks list CASE' shows a case's risks)")
    if action == "change" and session.scalar(restrict(select(CaseRisk.id).where(CaseRisk.id == row.id), actor,
                                                      "change")) is None:
        raise PermissionDenied(f"risk {row.id} is in another organisation's case: only its owner may change it")
    return row


def score_risk(workspace: Workspace, actor: Actor, risk: str | int, *, likelihood: int, impact: int,
               trial: str | int | None = None, note: str | None = None, add_mitigations: Sequence[str] = (),
               recorded_at: datetime | None = None, session: Session | None = None) -> dict[str, Any]:
    """Record a risk's residual score (after a trial, when ``trial`` is given) and make it the current score.

    Args:
        risk: the risk's id.
        likelihood, impact: 1-5 each.
        trial: the completed trial of the same case the score follows (id or ref), or None.
        note: why the score changed.
        add_mitigations: mitigations to add to the risk's list.
        recorded_at: when it was scored, to enter it afterwards (timezone-aware; not before the risk's latest score,
            not in the future); default now.
        session: write in this transaction instead of a new one.

    Returns:
        The risk's view with its history.

    Raises:
        NotFound: the risk or trial is not visible.
        PermissionDenied: another organisation's case, or the actor is not admin, analyst or board.
        ValidationError: a score outside 1-5; a trial of another case, or one not completed; a bad ``recorded_at``.
    """
    if session is None:
        with workspace.uow.transaction() as s:
            return score_risk(workspace, actor, risk, likelihood=likelihood, impact=impact, trial=trial, note=note,
                              add_mitigations=add_mitigations, recorded_at=recorded_at, session=s)
    _require(actor, "scoring a risk")
    score = risk_score(likelihood, impact)
    note = check_text(note, "note", required=False, max_length=20_000)
    extra = _mitigations(add_mitigations)
    now = workspace.now()
    row = _risk(session, actor, risk, "change")
    latest = session.scalar(restrict(select(func.max(RiskScore.recorded_at)).where(RiskScore.risk_id == row.id), actor))
    when = _recorded_at(recorded_at, now, latest, "the risk's latest score")
    trial_id = None
    if trial is not None:
        trial_row = resolve(session, Trial, trial, actor)
        if trial_row.case_id != row.case_id:
            raise ValidationError(f"trial {trial_row.id} is not a trial of case {row.case_id}", field="trial")
        if trial_row.status != TrialStatus.COMPLETED.value:
            raise ValidationError(f"trial {trial_row.id} is {trial_row.status}: a residual score follows a completed "
                                  "trial", field="trial")
        trial_id = trial_row.id
    before = row_dict(row)
    entry = RiskScore(risk_id=row.id, recorded_at=when, likelihood_1_to_5=likelihood, impact_1_to_5=impact,
                      score_1_to_25=score, kind="residual", trial_id=trial_id, note=note, recorded_by=actor.username,
                      created_at=now, updated_at=now)
    session.add(entry)
    row.likelihood_1_to_5, row.impact_1_to_5, row.updated_at = likelihood, impact, now
    if extra:
        row.mitigations = [*row.mitigations, *extra]
    session.flush()
    audit.record(session, actor, "update", "case_risks", row.id, now=now, before=before, after=row_dict(row))
    audit.record(session, actor, "create", "risk_scores", entry.id, now=now, after=row_dict(entry))
    return risk_view(session, actor, row)


def burn_down(scores: Sequence[tuple[datetime, int, int, int]]) -> list[dict[str, Any]]:
    """The register's total score over time.

    Args:
        scores: ``(recorded_at, score row id, risk id, score 1-25)`` of every score row of the case's risks.

    Returns:
        One point per moment a score was recorded, oldest first: ``{"at", "total_score", "risks"}``, the sum of each
        risk's latest score at that moment and how many risks the register held.
    """
    current: dict[int, int] = {}
    points: dict[datetime, dict[str, Any]] = {}
    for at, _id, risk_id, score in sorted(scores):
        current[risk_id] = score
        points[at] = {"at": at, "total_score": sum(current.values()), "risks": len(current)}
    return plain(list(points.values()))


def list_risks(workspace: Workspace, actor: Actor, case: str | int) -> dict[str, Any]:
    """A case's risk register with its burn-down series.

    Returns:
        ``{"case_id", "risks": [risk views, highest current score first, then id], "total_score", "burn_down":
        [{"at", "total_score", "risks"}]}``.

    Raises:
        NotFound: the case is not visible.
    """
    with workspace.uow.read() as session:
        case_id = resolve(session, AdoptionCase, case, actor).id
        risks = [risk_view(session, actor, r) for r in session.scalars(restrict(
            select(CaseRisk).where(CaseRisk.case_id == case_id).order_by(CaseRisk.id), actor))]
        scores = session.execute(restrict(
            select(RiskScore.recorded_at, RiskScore.id, RiskScore.risk_id, RiskScore.score_1_to_25)
            .join(CaseRisk, CaseRisk.id == RiskScore.risk_id).where(CaseRisk.case_id == case_id), actor)).all()
    risks.sort(key=lambda r: (-r["score_1_to_25"], r["id"]))
    return {"case_id": case_id, "risks": risks, "total_score": sum(r["score_1_to_25"] for r in risks),
            "burn_down": burn_down([tuple(s) for s in scores])}


def show_risk(workspace: Workspace, actor: Actor, risk: str | int) -> dict[str, Any]:
    """One risk with its history.

    Raises:
        NotFound: the risk is not visible.
        ValidationError: the id is not a number.
    """
    with workspace.uow.read() as session:
        return risk_view(session, actor, _risk(session, actor, risk))


__all__ = ["RISK_ROLES", "add_risk", "burn_down", "list_risks", "risk_view", "score_risk", "show_risk"]
