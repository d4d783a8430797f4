"""Badges of approval: awarded at a case's ``badge`` gate, revoked or suspended, listed, downloaded and verified.

**Award.** When a case passes its ``badge`` gate (:meth:`rapid_adoption.services.cases.CaseService.advance` from
``badge`` to ``contracting``, not an inferred decision), the case's owner organisation issues an Open Badges 3.0
``OpenBadgeCredential`` (:mod:`rapid_adoption.badges`) in the same transaction as the gate decision, by one of two
routes:

* **trials**: for each evaluation procedure version whose use cases the case's completed trials cover (the ``tevv``
  gate's own check, :func:`rapid_adoption.services.tevv_trials.case_coverage`), a badge whose results are the latest
  1-10 score of each use case, and whose evidence is those trials and their test centres;
* **external**: external demonstrations the board recorded for the case (:func:`record_external`: source, date,
  vouching organisation, procedure version, scores per use case where they exist) and accepts at the gate
  (``AwardOptions.external``) with the gate decision's rationale. They join the trials' badge of the same procedure
  as evidence, or make a badge of their own from their scores.

A case with neither cannot pass the gate (:class:`GateNotSatisfied`). The credential's subject is the solution's
company (name, EU PIC, NCAGE, DUNS, UEI where known); its achievement the solution demonstrated against the procedure
*name vN* with the procedure's criteria; ``validUntil`` is ``RAPID_BADGE_VALIDITY_YEARS`` (default 2) years on.
Each badge has an entry (one index) in its issuer's revocation list and suspension list.

**Status.** The issuer (an admin or board member of the case's owner organisation) revokes (final), suspends or
unsuspends a badge with a reason; each change sets the bit, signs the status list again and is audited. Status lists
are published, signed, at ``/status/ORG/ID``; verification of a badge issued here reads them from the workspace,
never from the network.

**Listing.** A badge is *listed* (shown on the public pages) by default when its case, solution and company are all
TLP:CLEAR and shared with every organisation; otherwise unlisted. The issuer may change it.

**Visibility.** A badge and an external demonstration follow their case (the sharing filter). The public pages read
listed badges only, deliberately unfiltered: a listed credential is published by its issuer.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..badges import (
    BadgeData,
    BadgeVerifier,
    BitstringStatusList,
    ExternalDemonstration,
    IssuerProfile,
    TrialEvidence,
    UseCaseScore,
    build_status_list_credential,
    encode_jws,
    format_datetime,
    issue_badge,
    sign_credential,
    status_list_entry,
)
from ..badges import Company as CompanyData
from ..badges import EvaluationProcedure as ProcedureData
from ..badges import Solution as SolutionData
from ..badges.credential import add_years
from ..badges.status_list import MIN_ENTRIES
from ..badges.verify import VerificationResult
from ..domain.errors import Conflict, GateNotSatisfied, NotFound, PermissionDenied, ValidationError
from ..domain.records import check_text
from ..domain.sharing import Actor
from ..domain.tevv import Procedure, TrialStatus, check_score
from ..domain.types import TLP, Distribution, Stage
from ..store.sharing import restrict, unrestricted
from ..store.tables import AdoptionCase, Company, GateDecision, Organisation, Solution, TestCentre
from ..store.tables_badges import Badge, ExternalDemonstrationRecord, StatusListRecord
from ..store.tables_tevv import EvaluationProcedure, GateOverride, Trial, TrialResult
from . import audit
from .cases import check_evidence
from .issuers import SigningIssuer, badge_settings, key_for_did, local_did_documents, signing_issuer, trusted_list
from .records import plain, resolve
from .tevv_procedures import label, procedure_of, resolve_procedure
from .workspace import Workspace

DECIDE_ROLES = ("admin", "board")
"""Roles that record external demonstrations, award, revoke, suspend and list badges (of their organisation)."""
ACTIVE, SUSPENDED, REVOKED = "active", "suspended", "revoked"
STATUS_ACTIONS = ("revoke", "suspend", "unsuspend")
ROUTE_TRIALS, ROUTE_EXTERNAL = "trials", "external"
MAX_BADGE_BYTES = 1_000_000
"""The largest badge (JSON or JWS) verification accepts."""
LIST_FILL_LIMIT = MIN_ENTRIES // 2
"""A status list takes new badges until half its entries are used; indexes are drawn at random among the free ones
(the Bitstring Status List spec's advice against correlating badges by index)."""
PUBLIC_READ = "public pages: a listed badge is published by its issuer"


@dataclass(frozen=True)
class AwardOptions:
    """Choices the board makes when it awards a badge at the gate; None takes the default.

    Attributes:
        listed: show the badge on the public pages (default: when case, solution and company are TLP:CLEAR and
            shared with every organisation).
        valid_until: when the badge expires (timezone-aware; default ``RAPID_BADGE_VALIDITY_YEARS`` years on).
        external: ids of external demonstrations of the case that the board accepts at this gate.
    """

    listed: bool | None = None
    valid_until: datetime | None = None
    external: Sequence[int] = ()


def _require(actor: Actor, what: str) -> None:
    if not actor.has_role(*DECIDE_ROLES):
        raise PermissionDenied(f"{what} needs the role {' or '.join(DECIDE_ROLES)}; {actor.username} has "
                               f"{', '.join(sorted(actor.roles)) or 'none'}")


def _dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --- external demonstrations -------------------------------------------------------------------------------------


def _check_scores(procedure: Procedure, scores: Mapping[str, Any]) -> dict[str, int]:
    out = {}
    for key, value in (scores or {}).items():
        if key not in procedure.use_case_keys:
            raise ValidationError(f"procedure {procedure.ref} v{procedure.procedure_version} has no use case {key!r}; "
                                  f"expected one of {', '.join(procedure.use_case_keys)}", field="scores")
        try:
            out[key] = check_score(value)
        except ValidationError as error:
            raise ValidationError(error.message, field=f"scores.{key}") from None
    return {k: out[k] for k in procedure.use_case_keys if k in out}


def external_view(row: ExternalDemonstrationRecord, procedure_row: EvaluationProcedure) -> dict[str, Any]:
    """An external demonstration as shown (JSON-ready), with its procedure's label and whether it was accepted."""
    return plain({"id": row.id, "case_id": row.case_id, "procedure": label(procedure_row),
                  "procedure_id": procedure_row.id, "source": row.source, "demonstrated_on": row.demonstrated_on,
                  "vouched_by": row.vouched_by, "scores": dict(row.scores), "evidence": list(row.evidence),
                  "notes": row.notes, "recorded_at": row.recorded_at, "recorded_by": row.recorded_by,
                  "accepted": row.accepted_at is not None, "accepted_at": row.accepted_at,
                  "accepted_by": row.accepted_by, "acceptance_rationale": row.acceptance_rationale,
                  "version": row.version})


def record_external(workspace: Workspace, actor: Actor, case: str | int, *, procedure: str | int, source: str,
                    demonstrated_on: date | str, vouched_by: str, scores: Mapping[str, Any] | None = None,
                    evidence: Sequence[str] = (), notes: str | None = None) -> dict[str, Any]:
    """Record a demonstration made outside the platform's own trials for a case (audited), for the board to accept
    at the ``badge`` gate.

    Args:
        case: the case's id or ref (of the actor's organisation, not past its ``badge`` gate).
        procedure: the evaluation procedure version it is judged against (id, ref or ``REF@N``).
        source: what it was, e.g. "Exercise BALTOPS 2026".
        demonstrated_on: the day (a date or ``YYYY-MM-DD``), not after today.
        vouched_by: the organisation that vouches for it.
        scores: ``{use case key: 1-10}`` where the source gives scores (may be empty).
        evidence: links (http or https) to reports.
        notes: free text.

    Returns:
        :func:`external_view` of the new record.

    Raises:
        NotFound: the case or procedure is not visible.
        PermissionDenied: another organisation's case; the actor is neither admin nor board.
        ValidationError: a case past its badge gate, an empty text, a bad date, an unknown use case or a score
            outside 1-10 (field ``scores.KEY``), a bad link.
    """
    _require(actor, "recording an external demonstration")
    source = check_text(source, "source", max_length=2000)
    vouched_by = check_text(vouched_by, "vouched_by", max_length=300)
    notes = check_text(notes, "notes", required=False, max_length=20_000)
    links = check_evidence(evidence)
    if not isinstance(demonstrated_on, date):
        try:
            demonstrated_on = date.fromisoformat(str(demonstrated_on).strip())
        except ValueError:
            raise ValidationError(f"is not a date (expected YYYY-MM-DD), got {demonstrated_on!r}",
                                  field="demonstrated_on") from None
    now = workspace.now()
    if demonstrated_on > now.date():
        raise ValidationError(f"a demonstration cannot be dated in the future ({demonstrated_on.isoformat()})",
                              field="demonstrated_on")
    with workspace.uow.transaction() as session:
        row_case = resolve(session, AdoptionCase, case, actor, "change")
        if row_case.stage not in (Stage.MARKET_RESEARCH.value, Stage.TEVV.value, Stage.BADGE.value):
            raise ValidationError(f"case {row_case.id} is at {row_case.stage}: external demonstrations are recorded "
                                  "before its badge gate", field="case")
        procedure_row = resolve_procedure(session, actor, procedure)
        checked = _check_scores(procedure_of(procedure_row), scores or {})
        row = ExternalDemonstrationRecord(
            case_id=row_case.id, procedure_id=procedure_row.id, source=source, demonstrated_on=demonstrated_on,
            vouched_by=vouched_by, scores=checked, evidence=links, notes=notes, recorded_at=now,
            recorded_by=actor.username, created_at=now, updated_at=now)
        session.add(row)
        session.flush()
        view = external_view(row, procedure_row)
        audit.record(session, actor, "create", "external_demonstrations", row.id, now=now, after=view)
        return view


def list_external(workspace: Workspace, actor: Actor, case: str | int) -> list[dict[str, Any]]:
    """The external demonstrations recorded for a case the actor may see, oldest first.

    Raises:
        NotFound: the case is not visible.
    """
    with workspace.uow.read() as session:
        row_case = resolve(session, AdoptionCase, case, actor)
        rows = session.execute(restrict(
            select(ExternalDemonstrationRecord, EvaluationProcedure)
            .join(EvaluationProcedure, EvaluationProcedure.id == ExternalDemonstrationRecord.procedure_id)
            .where(ExternalDemonstrationRecord.case_id == row_case.id).order_by(ExternalDemonstrationRecord.id),
            actor)).all()
        return [external_view(r, p) for r, p in rows]


# --- the badge gate ----------------------------------------------------------------------------------------------


@dataclass
class PlannedBadge:
    """One badge the gate will issue.

    Attributes:
        procedure_row: the procedure version it is awarded against.
        route: ``trials`` or ``external``.
        scores: ``(use case key, 1-10 score, note or None)`` per use case, in the procedure's order.
        trials: the completed trials (rows) that are its evidence.
        external: the external demonstrations (rows) accepted as its evidence.
    """

    procedure_row: EvaluationProcedure
    route: str
    scores: list[tuple[str, int, str | None]] = field(default_factory=list)
    trials: list[Trial] = field(default_factory=list)
    external: list[ExternalDemonstrationRecord] = field(default_factory=list)


def _trial_badge(session: Session, actor: Actor, case: AdoptionCase, procedure_row: EvaluationProcedure,
                 overridden: Sequence[str]) -> PlannedBadge:
    """The trials route for one procedure whose coverage is satisfied: the latest score per use case."""
    procedure = procedure_of(procedure_row)
    rows = session.execute(restrict(
        select(TrialResult.use_case, TrialResult.score_1_to_10, TrialResult.passed, TrialResult.outcome_reasons)
        .join(Trial, Trial.id == TrialResult.trial_id)
        .where(Trial.case_id == case.id, Trial.procedure_id == procedure_row.id,
               Trial.status == TrialStatus.COMPLETED.value)
        .order_by(TrialResult.recorded_at, TrialResult.id), actor)).all()
    latest = {use_case: (score, passed, reasons) for use_case, score, passed, reasons in rows}
    rationales = dict(session.execute(restrict(select(GateOverride.use_case, GateOverride.rationale).where(
        GateOverride.case_id == case.id, GateOverride.procedure_id == procedure_row.id), actor)).all())
    scores = []
    for key in procedure.use_case_keys:
        score, passed, reasons = latest[key]
        note = None
        if not passed and key in overridden:
            note = (f"Below the procedure's threshold ({'; '.join(reasons)}); the adoption board let it pass: "
                    f"{rationales.get(key, '')}").strip()
        scores.append((key, score, note))
    trials = list(session.scalars(restrict(select(Trial).where(
        Trial.case_id == case.id, Trial.procedure_id == procedure_row.id,
        Trial.status == TrialStatus.COMPLETED.value).order_by(Trial.id), actor)))
    return PlannedBadge(procedure_row, ROUTE_TRIALS, scores, trials)


def plan_award(session: Session, actor: Actor, case: AdoptionCase, options: AwardOptions | None) -> list[PlannedBadge]:
    """Check the ``badge`` gate of ``case`` and say which badges passing it issues (nothing is written).

    Raises:
        GateNotSatisfied: no procedure is covered by the case's completed trials and no external demonstration is
            accepted (the message says how to give either).
        ValidationError: an accepted external demonstration is not the case's, already accepted, or has no score
            where no trial scores its procedure; ``valid_until`` is naive.
    """
    from .tevv_trials import case_coverage

    options = options or AwardOptions()
    if options.valid_until is not None and (options.valid_until.tzinfo is None):
        raise ValidationError("must be a timezone-aware date-time", field="valid_until")
    plans: dict[int, PlannedBadge] = {}
    for procedure_row, cov in case_coverage(session, actor, case):
        if cov.satisfied:
            plans[procedure_row.id] = _trial_badge(session, actor, case, procedure_row, cov.overridden)
    wanted = list(dict.fromkeys(int(i) for i in options.external))
    if any(not 1 <= i <= 2**31 - 1 for i in wanted):
        raise ValidationError("an external demonstration's id is a whole number from 1", field="external")
    if wanted:
        found = {r.id: r for r in session.scalars(restrict(select(ExternalDemonstrationRecord).where(
            ExternalDemonstrationRecord.id.in_(wanted)), actor))}
        for ident in wanted:
            row = found.get(ident)
            if row is None or row.case_id != case.id:
                raise ValidationError(f"external demonstration {ident} is not recorded for case {case.id} "
                                      f"('rapid badge evidence list {case.id}' shows them)", field="external")
            if row.accepted_at is not None:
                raise ValidationError(f"external demonstration {ident} was accepted already", field="external")
            plan = plans.get(row.procedure_id)
            if plan is None:
                procedure_row = session.scalar(restrict(select(EvaluationProcedure).where(
                    EvaluationProcedure.id == row.procedure_id), actor))
                plan = plans[row.procedure_id] = PlannedBadge(procedure_row, ROUTE_EXTERNAL)
            plan.external.append(row)
        for plan in plans.values():
            if plan.route != ROUTE_EXTERNAL:
                continue
            merged: dict[str, int] = {}
            for row in sorted(plan.external, key=lambda r: (r.demonstrated_on, r.id)):
                merged.update(row.scores)
            if not merged:
                ids = ", ".join(str(r.id) for r in plan.external)
                raise ValidationError(
                    f"external demonstration {ids} gives no score, and no completed trial scores "
                    f"{label(plan.procedure_row)}: a badge carries a 1-10 score per use case; record the scores "
                    "with the demonstration (--score USE_CASE=N)", field="external")
            keys = procedure_of(plan.procedure_row).use_case_keys
            plan.scores = [(k, merged[k], None) for k in keys if k in merged]
    if not plans:
        raise GateNotSatisfied(
            f"case {case.id} cannot pass the badge gate: no evaluation procedure is covered by its completed trials "
            "(the tevv gate's check), and the board accepted no external demonstration: record one with 'rapid "
            f"badge evidence add {case.id}' and accept it at the gate with 'rapid badge award {case.id} --external "
            "ID'")
    return list(plans.values())


def _public(record) -> bool:
    return (record.tlp == TLP.CLEAR.value and record.releasable_to in ("", None)
            and record.distribution in (Distribution.COMMUNITY.value, Distribution.CONNECTED.value))


def criteria_narrative(procedure: Procedure) -> str:
    """The achievement's criteria in words, from the procedure: its description, then each use case's pass rule."""
    parts = [procedure.description.strip() or procedure.name]
    for use_case in procedure.use_cases:
        measures = "; ".join(
            f"{m.name} {'at least' if m.direction.value == 'higher_is_better' else 'at most'} {m.threshold:g} {m.unit}"
            for m in use_case.measures)
        parts.append(f"{use_case.name}: passes with a score of {use_case.pass_score} or more (1-10, by the "
                     f"procedure's rubric) and every measure at its threshold ({measures}).")
    if procedure.example:
        parts.append("This procedure is an example shipped with Rapid Adoption, not one agreed by NATO or a nation.")
    return " ".join(parts)


def _company_identifiers(company: Company) -> dict[str, str]:
    identifiers = {}
    for identity_type, value in (("ext:EU-PIC", company.eu_pic), ("ext:NCAGE", company.ncage),
                                 ("ext:DUNS", company.duns), ("ext:UEI", company.uei)):
        if value:
            identifiers[identity_type] = str(value)
    return identifiers


def _trial_evidence(session: Session, actor: Actor, trial: Trial, names: Mapping[str, str]) -> TrialEvidence:
    centre = session.execute(restrict(select(TestCentre.name, TestCentre.country).where(
        TestCentre.id == trial.centre_id), actor)).one()
    results = session.execute(restrict(select(TrialResult.use_case, TrialResult.score_1_to_10).where(
        TrialResult.trial_id == trial.id), actor)).all()
    scores = {names[k]: s for k, s in results if k in names}
    name = trial.ref or f"trial {trial.id}"
    if trial.demonstration:
        name += " (a demonstration: its results are illustrative values)"
    return TrialEvidence(trial_name=name, test_centre=centre[0], country_iso3=centre[1],
                         started_on=trial.window_starts_on or trial.started_at.date(),
                         ended_on=trial.window_ends_on or trial.completed_at.date(), scores=scores)


def _external_evidence(row: ExternalDemonstrationRecord, rationale: str, names: Mapping[str, str]
                       ) -> ExternalDemonstration:
    return ExternalDemonstration(source=row.source, demonstrated_on=row.demonstrated_on, vouched_by=row.vouched_by,
                                 rationale=rationale, scores={names[k]: s for k, s in row.scores.items() if k in names})


def _new_list(workspace: Workspace, session: Session, issuer: SigningIssuer, purpose: str, number: int,
              now: datetime) -> StatusListRecord:
    settings = badge_settings(workspace)
    row = StatusListRecord(organisation_id=issuer.org_id, issuer_did=issuer.did, purpose=purpose, list_number=number,
                           length=MIN_ENTRIES, encoded_list=BitstringStatusList(MIN_ENTRIES).encode(),
                           created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    row.url = f"{settings.base_url}/status/{issuer.org_ref}/{row.id}"
    _sign_list(row, issuer.key_pair, issuer.verification_method, now)
    return row


def _sign_list(row: StatusListRecord, key_pair, verification_method: str, now: datetime) -> None:
    unsigned = build_status_list_credential(row.url, row.issuer_did, row.purpose,
                                            BitstringStatusList.decode(row.encoded_list), format_datetime(now))
    row.credential_json = _dumps(sign_credential(unsigned, key_pair, verification_method, now))
    row.signed_at = now
    row.updated_at = now


def _lists_for(workspace: Workspace, session: Session, issuer: SigningIssuer, now: datetime
               ) -> tuple[StatusListRecord, StatusListRecord, int]:
    """The issuer DID's current revocation and suspension lists, and a free index drawn at random in them."""
    def newest(purpose: str) -> StatusListRecord | None:
        return session.scalar(select(StatusListRecord).where(
            StatusListRecord.issuer_did == issuer.did, StatusListRecord.purpose == purpose)
            .order_by(StatusListRecord.list_number.desc()).limit(1).with_for_update())

    revocation, suspension = newest("revocation"), newest("suspension")
    taken: set[int] = set()
    if revocation is not None:
        taken = set(session.scalars(unrestricted(select(Badge.status_index).where(
            Badge.revocation_list_id == revocation.id), "the status indexes already given out in a list")))
    if revocation is None or suspension is None or len(taken) >= LIST_FILL_LIMIT:
        number = (revocation.list_number if revocation is not None else 0) + 1
        revocation = _new_list(workspace, session, issuer, "revocation", number, now)
        suspension = _new_list(workspace, session, issuer, "suspension", number, now)
        taken = set()
    while True:
        index = secrets.randbelow(revocation.length)
        if index not in taken:
            return revocation, suspension, index


def issue_award(workspace: Workspace, session: Session, actor: Actor, case: AdoptionCase, plans: list[PlannedBadge],
                decision: GateDecision, rationale: str, options: AwardOptions | None) -> list[int]:
    """Issue the planned badges for ``case`` in the caller's transaction (after the gate decision is recorded);
    each badge and each accepted external demonstration is audited.

    Returns:
        The new badges' ids.

    Raises:
        DeploymentSecretError: the deployment secret is missing or wrong (nothing is written).
        ValidationError: the credential cannot be built (a field named), e.g. ``valid_until`` before now.
    """
    options = options or AwardOptions()
    settings = badge_settings(workspace)
    now = workspace.now()
    solution = session.scalar(restrict(select(Solution).where(Solution.id == case.solution_id), actor))
    company = session.scalar(restrict(select(Company).where(Company.id == solution.company_id), actor))
    issuer = signing_issuer(workspace, session, actor, case.owner_org_id)
    listed = options.listed if options.listed is not None else all(_public(r) for r in (case, solution, company))
    valid_until = options.valid_until or add_years(now, settings.validity_years)
    ids = []
    for plan in plans:
        procedure = procedure_of(plan.procedure_row)
        names = {u.key: u.name for u in procedure.use_cases}
        descriptions = {u.key: u.description for u in procedure.use_cases}
        evidence: list[TrialEvidence | ExternalDemonstration] = [
            _trial_evidence(session, actor, t, names) for t in plan.trials]
        evidence += [_external_evidence(r, rationale, names) for r in plan.external]
        revocation, suspension, index = _lists_for(workspace, session, issuer, now)
        data = BadgeData(
            credential_id=f"urn:uuid:{uuid.uuid4()}",
            issuer=IssuerProfile(issuer.did, issuer.org_name, url=issuer.url),
            company=CompanyData(company.legal_name, _company_identifiers(company)),
            solution=SolutionData(solution.name, solution.description or solution.name),
            procedure=ProcedureData(procedure.name, procedure.procedure_version, criteria_narrative(procedure)),
            scores=[UseCaseScore(names[k], score, " ".join(p for p in (descriptions[k], note) if p) or None)
                    for k, score, note in plan.scores],
            evidence=evidence, valid_from=now, valid_until=valid_until,
            credential_status=[status_list_entry(revocation.url, index, "revocation"),
                               status_list_entry(suspension.url, index, "suspension")])
        credential = issue_badge(data, issuer.key_pair, issuer.verification_method, now)
        badge = Badge(
            credential_id=data.credential_id, case_id=case.id, gate_decision_id=decision.id,
            issuer_org_id=issuer.org_id, issuer_key_id=issuer.key_id, issuer_did=issuer.did, company_id=company.id,
            company_ref=company.ref, company_name=company.legal_name, solution_id=solution.id,
            solution_name=solution.name, procedure_id=plan.procedure_row.id,
            procedure_label=f"{procedure.name} v{procedure.procedure_version}", route=plan.route,
            scores=[{"use_case": k, "name": names[k], "score_1_to_10": s} for k, s, _note in plan.scores],
            evidence_refs={"trials": [t.id for t in plan.trials], "external": [r.id for r in plan.external]},
            listed=listed, status=ACTIVE, status_index=index, revocation_list_id=revocation.id,
            suspension_list_id=suspension.id, credential_json=_dumps(credential),
            jws=encode_jws(credential, issuer.key_pair, issuer.verification_method), valid_from=now,
            valid_until=valid_until, issued_at=now, issued_by=actor.username, created_at=now, updated_at=now)
        session.add(badge)
        session.flush()
        audit.record(session, actor, "award", "badges", badge.id, now=now, after=_audit_view(badge))
        for row in plan.external:
            row.accepted_at, row.accepted_by, row.acceptance_rationale = now, actor.username, rationale
            row.gate_decision_id, row.updated_at = decision.id, now
            audit.record(session, actor, "accept", "external_demonstrations", row.id, now=now,
                         after={"badge_id": badge.id, "gate_decision_id": decision.id, "rationale": rationale})
        ids.append(badge.id)
    return ids


def _audit_view(badge: Badge) -> dict[str, Any]:
    return plain({"credential_id": badge.credential_id, "case_id": badge.case_id, "issuer_did": badge.issuer_did,
                  "company_ref": badge.company_ref, "procedure": badge.procedure_label, "route": badge.route,
                  "scores": badge.scores, "listed": badge.listed, "status": badge.status,
                  "status_index": badge.status_index, "valid_until": badge.valid_until})


# --- reading -----------------------------------------------------------------------------------------------------


def _list_urls(session: Session, badge: Badge) -> tuple[str | None, str | None]:
    rows = dict(session.execute(select(StatusListRecord.id, StatusListRecord.url).where(
        StatusListRecord.id.in_([badge.revocation_list_id, badge.suspension_list_id]))).all())
    return rows.get(badge.revocation_list_id), rows.get(badge.suspension_list_id)


def public_badge_path(badge: Badge) -> str:
    """The path of a badge's public page, ``/public/badges/UUID`` (shown only while the badge is listed)."""
    return f"/public/badges/{badge.credential_id.removeprefix('urn:uuid:')}"


def badge_view(session: Session, badge: Badge, *, with_credential: bool = False) -> dict[str, Any]:
    """A badge as shown (JSON-ready): its record and status; the credential itself when ``with_credential``."""
    revocation_url, suspension_url = _list_urls(session, badge)
    org = session.get(Organisation, badge.issuer_org_id)
    case_ref = session.scalar(unrestricted(select(AdoptionCase.ref).where(AdoptionCase.id == badge.case_id),
                                           "the ref of the case a badge follows (the badge was filtered)"))
    data = {
        "id": badge.id, "credential_id": badge.credential_id, "case_id": badge.case_id, "case_ref": case_ref,
        "gate_decision_id": badge.gate_decision_id, "issuer": org.ref, "issuer_name": org.name,
        "issuer_did": badge.issuer_did, "company_id": badge.company_id, "company_ref": badge.company_ref,
        "company_name": badge.company_name, "solution_id": badge.solution_id, "solution_name": badge.solution_name,
        "procedure_id": badge.procedure_id, "procedure": badge.procedure_label, "route": badge.route,
        "scores": badge.scores, "evidence_refs": badge.evidence_refs, "listed": badge.listed,
        "status": badge.status, "status_reason": badge.status_reason, "status_changed_at": badge.status_changed_at,
        "status_changed_by": badge.status_changed_by, "status_index": badge.status_index,
        "revocation_list": revocation_url, "suspension_list": suspension_url, "valid_from": badge.valid_from,
        "valid_until": badge.valid_until, "issued_at": badge.issued_at, "issued_by": badge.issued_by,
        "public_path": public_badge_path(badge) if badge.listed else None, "version": badge.version,
    }
    if with_credential:
        data["credential"] = json.loads(badge.credential_json)
    return plain(data)


def _load(session: Session, actor: Actor, ident: str | int) -> Badge:
    """A badge the actor may see, by id, credential id (``urn:uuid:...``) or its bare UUID.

    Raises:
        NotFound: no such visible badge.
    """
    text = str(ident).strip()
    query = select(Badge)
    if text.isascii() and text.isdigit() and len(text) < 19:
        query = query.where(Badge.id == int(text))
    else:
        query = query.where(Badge.credential_id == (text if text.startswith("urn:uuid:") else f"urn:uuid:{text}"))
    row = session.scalar(restrict(query, actor))
    if row is None:
        raise NotFound(f"no badge {text!r} (give its id or credential id; 'rapid badge list' shows them)")
    return row


def show_badge(workspace: Workspace, actor: Actor, ident: str | int) -> dict[str, Any]:
    """One badge the actor may see, with its credential (:func:`badge_view`).

    Raises:
        NotFound: no such visible badge.
    """
    with workspace.uow.read() as session:
        return badge_view(session, _load(session, actor, ident), with_credential=True)


def case_badges(workspace: Workspace, actor: Actor, case: str | int) -> list[dict[str, Any]]:
    """The badges of a case the actor may see (without their credentials).

    Raises:
        NotFound: the case is not visible.
    """
    with workspace.uow.read() as session:
        row = resolve(session, AdoptionCase, case, actor)
        return [badge_view(session, b) for b in session.scalars(restrict(
            select(Badge).where(Badge.case_id == row.id).order_by(Badge.id), actor))]


BADGE_SORTS = {"id": Badge.id, "issued_at": Badge.issued_at, "valid_until": Badge.valid_until}
"""The keys a badge list may be sorted by."""


def page_badges(workspace: Workspace, actor: Actor, *, status: str | None = None, company: str | None = None,
                case: str | int | None = None, issuer: str | None = None, sort: str | None = "id",
                after: list[Any] | None = None, limit: int = 50, with_total: bool = True):
    """One keyset page of the badges the actor may see.

    Args:
        status: ``active``, ``suspended`` or ``revoked``.
        company: only badges of this company (its ref).
        case: only badges of this case (id or ref; must be visible).
        issuer: only badges issued by this organisation (its ref).
        sort: a key of :data:`BADGE_SORTS`, ``-`` in front for descending.
        after, limit, with_total: as :func:`rapid_adoption.services.paging.keyset_page`.

    Returns:
        A :class:`rapid_adoption.services.paging.KeysetPage` whose rows have ``id``, ``credential_id``,
        ``case_id``, ``issuer``, ``company_ref``, ``company_name``, ``solution_name``, ``procedure``, ``route``,
        ``listed``, ``status``, ``issued_at``, ``valid_until`` and ``version``.

    Raises:
        ValidationError: an unknown status, sort, cursor or limit.
        NotFound: a case the actor may not see.
    """
    from .paging import keyset_page

    query = (select(Badge.id, Badge.credential_id, Badge.case_id, Organisation.ref.label("issuer"), Badge.company_ref,
                    Badge.company_name, Badge.solution_name, Badge.procedure_label.label("procedure"), Badge.route,
                    Badge.listed, Badge.status, Badge.issued_at, Badge.valid_until, Badge.version)
             .join(Organisation, Organisation.id == Badge.issuer_org_id))
    if status:
        if status.strip().lower() not in (ACTIVE, SUSPENDED, REVOKED):
            raise ValidationError(f"must be one of {ACTIVE}, {SUSPENDED}, {REVOKED}, got {status!r}", field="status")
        query = query.where(Badge.status == status.strip().lower())
    if company:
        query = query.where(Badge.company_ref == company.strip())
    if issuer:
        query = query.where(Organisation.ref == issuer.strip().upper())
    with workspace.uow.read() as session:
        if case is not None:
            query = query.where(Badge.case_id == resolve(session, AdoptionCase, case, actor).id)
        return keyset_page(session, restrict(query, actor), actor, id_column=Badge.id, sorts=BADGE_SORTS, sort=sort,
                           after=after, limit=limit, with_total=with_total)


def download(workspace: Workspace, actor: Actor, ident: str | int, form: str = "json") -> tuple[str, str, str]:
    """A badge the actor may see, as a file: the signed credential (``json``) or its VC-JOSE compact JWS (``jwt``).

    Returns:
        ``(text, media type, file name)``, e.g. ``(..., "application/vc+jwt", "badge-QS-EDF-101167796.jwt")``.

    Raises:
        NotFound: no such visible badge.
        ValidationError: ``form`` is neither ``json`` nor ``jwt`` (field ``format``).
    """
    if form not in ("json", "jwt"):
        raise ValidationError(f"must be json or jwt, got {form!r}", field="format")
    with workspace.uow.read() as session:
        badge = _load(session, actor, ident)
        view = badge_view(session, badge)
        name = f"badge-{view['case_ref'] or badge.id}" + (f"-{badge.id}" if _several(session, badge) else "")
        if form == "json":
            return badge.credential_json, "application/json", f"{name}.json"
        return badge.jws + "\n", "application/vc+jwt", f"{name}.jwt"


def _several(session: Session, badge: Badge) -> bool:
    return (session.scalar(unrestricted(select(func.count()).select_from(Badge).where(Badge.case_id == badge.case_id),
                                        "how many badges the case of a visible badge has")) or 0) > 1


def write_files(workspace: Workspace, actor: Actor, ident: str | int, folder: Path) -> tuple[Path, Path]:
    """Write a badge as ``badge-CASE.json`` and ``badge-CASE.jwt`` into ``folder`` (replacing files of those names).

    Returns:
        The two paths.

    Raises:
        NotFound: no such visible badge.
    """
    paths = []
    for form in ("json", "jwt"):
        text, _media, name = download(workspace, actor, ident, form)
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


# --- status: revoke, suspend, unsuspend; listing -----------------------------------------------------------------


_VERBS = {"revoke": ("revoke it", "revoking a badge"), "suspend": ("suspend it", "suspending a badge"),
          "unsuspend": ("unsuspend it", "unsuspending a badge"),
          "listing": ("change its listing", "changing a badge's listing")}


def _load_for_change(session: Session, actor: Actor, ident: str | int, what: str) -> Badge:
    badge = _load(session, actor, ident)
    verb, doing = _VERBS[what]
    if badge.issuer_org_id != actor.org_id:
        raise PermissionDenied(f"badge {badge.id} was issued by another organisation: only its issuer may {verb}")
    _require(actor, doing)
    return badge


def _check_version(badge: Badge, expected_version: int | None) -> None:
    if expected_version is not None and badge.version != expected_version:
        raise Conflict(f"badge {badge.id} is at version {badge.version}, not {expected_version}: reload and try again")


def change_status(workspace: Workspace, actor: Actor, ident: str | int, action: str, reason: str, *,
                  expected_version: int | None = None) -> dict[str, Any]:
    """Revoke (final), suspend or unsuspend a badge with a reason: the bit in its status list changes, the list is
    signed again, and the change is audited (action ``revoke``, ``suspend`` or ``unsuspend``).

    Args:
        ident: the badge's id or credential id.
        action: ``revoke``, ``suspend`` or ``unsuspend``.
        reason: why (required).
        expected_version: refuse unless the badge is at this version.

    Returns:
        The badge's view (:func:`badge_view`).

    Raises:
        NotFound: no such visible badge.
        PermissionDenied: another organisation issued it; the actor is neither admin nor board.
        ValidationError: an unknown action, an empty reason, or a move its status does not allow (a revoked badge
            stays revoked; only a suspended badge can be unsuspended; only an active one suspended).
        Conflict: ``expected_version`` is stale.
        DeploymentSecretError: the status list cannot be signed (the deployment secret is missing or wrong).
    """
    if action not in STATUS_ACTIONS:
        raise ValidationError(f"must be one of {', '.join(STATUS_ACTIONS)}, got {action!r}", field="action")
    reason = check_text(reason, "reason", max_length=5000)
    now = workspace.now()
    with workspace.uow.transaction() as session:
        badge = _load_for_change(session, actor, ident, action)
        _check_version(badge, expected_version)
        allowed = {"revoke": (ACTIVE, SUSPENDED), "suspend": (ACTIVE,), "unsuspend": (SUSPENDED,)}[action]
        if badge.status not in allowed:
            raise ValidationError(
                f"badge {badge.id} is {badge.status}: " + (
                    "a revocation is final" if badge.status == REVOKED else
                    "only a suspended badge can be unsuspended" if action == "unsuspend" else
                    "it is suspended already"), field="status")
        list_id = badge.revocation_list_id if action == "revoke" else badge.suspension_list_id
        status_list = session.execute(select(StatusListRecord).where(StatusListRecord.id == list_id)
                                      .with_for_update()).scalar_one()
        bits = BitstringStatusList.decode(status_list.encoded_list)
        bits.set(badge.status_index, action != "unsuspend")
        status_list.encoded_list = bits.encode()
        key_pair, method = key_for_did(workspace, session, badge.issuer_org_id, status_list.issuer_did)
        _sign_list(status_list, key_pair, method, now)
        before = {"status": badge.status, "status_reason": badge.status_reason}
        badge.status = {"revoke": REVOKED, "suspend": SUSPENDED, "unsuspend": ACTIVE}[action]
        badge.status_reason, badge.status_changed_at, badge.status_changed_by = reason, now, actor.username
        badge.updated_at = now
        session.flush()
        audit.record(session, actor, action, "badges", badge.id, now=now, before=before,
                     after={"status": badge.status, "status_reason": reason, "status_list": status_list.url,
                            "status_index": badge.status_index})
        return badge_view(session, badge)


def set_listed(workspace: Workspace, actor: Actor, ident: str | int, listed: bool, *,
               expected_version: int | None = None) -> dict[str, Any]:
    """List a badge on the public pages, or unlist it (the issuer's choice; audited as ``update``).

    Raises:
        NotFound, PermissionDenied, Conflict: as :func:`change_status`.
    """
    now = workspace.now()
    with workspace.uow.transaction() as session:
        badge = _load_for_change(session, actor, ident, "listing")
        _check_version(badge, expected_version)
        if badge.listed != bool(listed):
            before = {"listed": badge.listed}
            badge.listed, badge.updated_at = bool(listed), now
            session.flush()
            audit.record(session, actor, "update", "badges", badge.id, now=now, before=before,
                         after={"listed": badge.listed})
        return badge_view(session, badge)


# --- verification ------------------------------------------------------------------------------------------------


def _verifier(workspace: Workspace) -> BadgeVerifier:
    """The workspace's verifier for the current trusted-issuer list (kept on the workspace, so the proofs of the
    status lists it has checked are not checked again; a changed list, or a rotation, makes a new one)."""
    with workspace.uow.read() as session:
        trusted = trusted_list(workspace, session)
    digest = hashlib.sha256(trusted.to_json().encode("utf-8")).hexdigest()
    kept = getattr(workspace, "_badge_verifier", None)
    if kept is not None and kept[0] == digest:
        return kept[1]

    def status_list(url: str) -> dict[str, Any] | None:
        with workspace.uow.read() as session:
            text = session.scalar(select(StatusListRecord.credential_json).where(StatusListRecord.url == url))
        return json.loads(text) if text else None

    def did_document(did: str) -> dict[str, Any] | None:
        with workspace.uow.read() as session:
            return local_did_documents(workspace, session).get(did)

    verifier = BadgeVerifier(trusted, status_lists=status_list, did_web_documents=did_document)
    workspace._badge_verifier = (digest, verifier)
    return verifier


def verify(workspace: Workspace, badge: Mapping[str, Any] | str) -> VerificationResult:
    """Verify a badge offline against this deployment's trusted-issuer list, with the status lists published here
    (never the network). No login is needed, and nothing is written.

    Args:
        badge: the credential (a dict, its JSON text, or a VC-JOSE compact JWS).

    Returns:
        The :class:`rapid_adoption.badges.VerificationResult` (valid or not, one reason per check); it never
        raises for a bad badge.

    Raises:
        ValidationError: (field ``badge``) more than 1 MB, or empty.
    """
    if isinstance(badge, str):
        if not badge.strip():
            raise ValidationError("paste or upload a badge (its JSON or its .jwt)", field="badge")
        if len(badge.encode("utf-8")) > MAX_BADGE_BYTES:
            raise ValidationError("a badge is at most 1 MB", field="badge")
        badge = badge.strip()
    return _verifier(workspace).verify(badge, workspace.now())


def verify_without_workspace(badge: str, trusted_issuers_json: str, status_list_jsons: Sequence[tuple[str, str]],
                             now: datetime, *, trusted_issuers_file: str | None = None) -> VerificationResult:
    """Verify a badge where there is no workspace, as a buyer does: against a trusted-issuer list they hold (the
    JSON that ``rapid issuer trust export`` writes) and the signed status-list credentials they downloaded from the
    issuer's public status URLs. Nothing is fetched: a status list not given makes the status check fail.

    Args:
        badge: the credential's JSON text or its VC-JOSE compact JWS.
        trusted_issuers_json: the trusted-issuer list's JSON text.
        status_list_jsons: ``(file name, JSON text)`` of each ``BitstringStatusListCredential``; each is served
            under its own ``id`` (the URL a badge's ``statusListCredential`` names).
        now: the time the validity window is checked at (aware UTC).
        trusted_issuers_file: the list's file name, for error messages.

    Returns:
        The :class:`rapid_adoption.badges.VerificationResult`, one reason per check; never raises for a bad badge.

    Raises:
        ValidationError: an empty or oversized badge (field ``badge``), a bad trusted-issuer list (its file and
            field), or a status-list file that is not a JSON object with an ``id`` (field ``status_list``).
    """
    from ..badges import TrustedIssuerList

    if not badge.strip():
        raise ValidationError("the badge file is empty", field="badge")
    if len(badge.encode("utf-8")) > MAX_BADGE_BYTES:
        raise ValidationError("a badge is at most 1 MB", field="badge")
    trusted = TrustedIssuerList.from_json(trusted_issuers_json, file=trusted_issuers_file)
    lists: dict[str, Any] = {}
    for name, text in status_list_jsons:
        try:
            credential = json.loads(text)
        except ValueError:
            raise ValidationError(f"{name} is not JSON", field="status_list") from None
        if not isinstance(credential, dict) or not isinstance(credential.get("id"), str):
            raise ValidationError(f"{name} is not a status-list credential (no 'id')", field="status_list")
        lists[credential["id"]] = credential
    return BadgeVerifier(trusted, status_lists=lists, did_web_documents=trusted.did_web_documents()).verify(
        badge.strip(), now)


def credential_summary(credential: Mapping[str, Any]) -> dict[str, Any]:
    """What a badge credential says, for a page: ``{"name", "issuer_name", "issuer_id", "company", "identifiers":
    [(type, value)], "achievement", "criteria", "scores": [{"use_case", "score", "description"}], "evidence":
    [{"name", "genre", "description", "narrative"}], "valid_from", "valid_until"}`` (missing parts are empty)."""
    subject = credential.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    identifiers = [(i.get("identityType"), i.get("identityHash")) for i in subject.get("identifier") or []]
    descriptions = {d.get("id"): d for d in achievement.get("resultDescription") or []}
    scores = [{"use_case": descriptions.get(r.get("resultDescription"), {}).get("name", ""), "score": r.get("value"),
               "description": descriptions.get(r.get("resultDescription"), {}).get("description", "")}
              for r in subject.get("result") or []]
    issuer = credential.get("issuer") or {}
    return {"name": credential.get("name", ""), "issuer_name": issuer.get("name", ""), "issuer_id": issuer.get("id", ""),
            "company": next((v for t, v in identifiers if t == "name"), ""),
            "identifiers": [(t, v) for t, v in identifiers if t != "name"], "achievement": achievement.get("name", ""),
            "criteria": (achievement.get("criteria") or {}).get("narrative", ""), "scores": scores,
            "evidence": [{k: e.get(k, "") for k in ("name", "genre", "description", "narrative")}
                         for e in credential.get("evidence") or []],
            "valid_from": credential.get("validFrom", ""), "valid_until": credential.get("validUntil", "")}


# --- public views ------------------------------------------------------------------------------------------------


def public_badge(workspace: Workspace, credential_uuid: str) -> dict[str, Any]:
    """A listed badge for its public page: the view, the credential, and its verification now.

    Raises:
        NotFound: no listed badge with that id (an unlisted one answers the same).
    """
    wanted = "urn:uuid:" + credential_uuid.strip().removeprefix("urn:uuid:")
    with workspace.uow.read() as session:
        badge = session.scalar(unrestricted(select(Badge).where(Badge.credential_id == wanted, Badge.listed.is_(True)),
                                            PUBLIC_READ))
        if badge is None:
            raise NotFound("no listed badge with that id: its issuer may not have published it")
        view = badge_view(session, badge, with_credential=True)
        credential = badge.credential_json
        for private in ("case_id", "case_ref", "gate_decision_id", "evidence_refs", "company_id", "solution_id",
                        "procedure_id", "issued_by", "status_changed_by", "version"):
            view.pop(private, None)
    view["verification"] = verify(workspace, credential).to_dict()
    return view


def public_file(workspace: Workspace, credential_uuid: str, form: str) -> tuple[str, str, str]:
    """A listed badge as a file: ``(text, media type, file name)`` for ``json`` (the signed credential) or ``jwt``.

    Raises:
        NotFound: no listed badge with that id, or another form.
    """
    wanted = "urn:uuid:" + credential_uuid.strip().removeprefix("urn:uuid:")
    if form not in ("json", "jwt"):
        raise NotFound(f"no badge file of the form {form!r}: json or jwt")
    with workspace.uow.read() as session:
        row = session.execute(unrestricted(select(Badge.credential_json, Badge.jws).where(
            Badge.credential_id == wanted, Badge.listed.is_(True)), PUBLIC_READ)).one_or_none()
    if row is None:
        raise NotFound("no listed badge with that id: its issuer may not have published it")
    name = f"badge-{wanted.removeprefix('urn:uuid:')}.{form}"
    if form == "json":
        return row[0], "application/json", name
    return row[1] + "\n", "application/vc+jwt", name


def public_company(workspace: Workspace, company_ref: str) -> dict[str, Any]:
    """A company's public page: its listed badges (newest first) with their status.

    Returns:
        ``{"company_ref", "company_name", "badges": [{"credential_id", "public_path", "solution_name", "procedure",
        "issuer_name", "issuer_did", "scores", "status", "valid_from", "valid_until", "route"}]}``.

    Raises:
        NotFound: the company has no listed badge (it has no public page).
    """
    with workspace.uow.read() as session:
        rows = list(session.scalars(unrestricted(select(Badge).where(
            Badge.company_ref == company_ref.strip(), Badge.listed.is_(True)).order_by(Badge.issued_at.desc(),
                                                                                        Badge.id.desc()),
            PUBLIC_READ)))
        if not rows:
            raise NotFound(f"no company {company_ref.strip()!r} with a listed badge")
        names = dict(session.execute(select(Organisation.id, Organisation.name).where(
            Organisation.id.in_({r.issuer_org_id for r in rows}))).all())
        return plain({"company_ref": rows[0].company_ref, "company_name": rows[0].company_name, "badges": [
            {"credential_id": r.credential_id, "public_path": public_badge_path(r), "solution_name": r.solution_name,
             "procedure": r.procedure_label, "issuer_name": names[r.issuer_org_id], "issuer_did": r.issuer_did,
             "scores": r.scores, "status": r.status, "valid_from": r.valid_from, "valid_until": r.valid_until,
             "route": r.route} for r in rows]})


def status_list_credential(workspace: Workspace, org_ref: str, list_id: int) -> dict[str, Any]:
    """The signed ``BitstringStatusListCredential`` published at ``/status/ORG/ID`` (public).

    Raises:
        NotFound: no such list of that organisation.
    """
    with workspace.uow.read() as session:
        row = session.execute(select(StatusListRecord.credential_json).join(
            Organisation, Organisation.id == StatusListRecord.organisation_id).where(
            StatusListRecord.id == list_id, Organisation.ref == org_ref.strip())).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no status list {list_id} of {org_ref.strip()}")
    return json.loads(row)


# --- the quickstart's demonstration ------------------------------------------------------------------------------


QUICKSTART_ACTOR = "rapid quickstart"


def award_demonstration(workspace: Workspace) -> dict[str, Any] | None:
    """The quickstart's badge: take its demonstration case (:data:`rapid_adoption.services.tevv_quickstart.DEMO_CASE`,
    which the TEVV part took through the ``tevv`` gate) through the ``badge`` gate, as its owner's board would.

    Returns:
        ``{"case_ref", "case_id", "badge_id", "credential_id", "issuer_did", "company_name", "procedure", "scores",
        "verification": the verification result as a dict, "files": {file name: text} (the .json and the .jwt)}``;
        None when the case is not at ``badge`` (``--reuse`` after an award).
    """
    from dataclasses import replace

    from .auth import system_actor
    from .cases import CaseService
    from .tevv_quickstart import DEMO_CASE

    with workspace.uow.read() as session:
        owner = replace(system_actor(session, "EU-DEFIS"), username=QUICKSTART_ACTOR)
        case = session.scalar(restrict(select(AdoptionCase).where(AdoptionCase.ref == DEMO_CASE), owner))
        if case is None or case.stage != Stage.BADGE.value:
            return None
        trial_ids = list(session.scalars(restrict(select(Trial.id).where(
            Trial.case_id == case.id, Trial.status == TrialStatus.COMPLETED.value).order_by(Trial.id), owner)))
        case_id = case.id
    trials = ", ".join(str(t) for t in trial_ids)
    CaseService(workspace, owner).advance(
        case_id, Stage.CONTRACTING,
        f"Demonstration: the board awards the badge of approval on trial {trials}, whose results are made-up "
        "illustrative values entered by the quickstart.")
    with workspace.uow.read() as session:
        badge = session.scalar(restrict(select(Badge).where(Badge.case_id == case_id).order_by(Badge.id), owner))
        view = badge_view(session, badge)
        credential = badge.credential_json
    result = verify(workspace, credential)
    files = {form: download(workspace, owner, view["id"], form) for form in ("json", "jwt")}
    return {"case_ref": DEMO_CASE, "case_id": case_id, "badge_id": view["id"], "credential_id": view["credential_id"],
            "issuer_did": view["issuer_did"], "company_name": view["company_name"], "procedure": view["procedure"],
            "scores": view["scores"], "verification": result.to_dict(),
            "files": {name: text for text, _media, name in files.values()}}


__all__ = ["ACTIVE", "AwardOptions", "BADGE_SORTS", "DECIDE_ROLES", "PlannedBadge", "REVOKED", "SUSPENDED",
           "award_demonstration", "badge_view", "case_badges", "change_status", "credential_summary", "criteria_narrative", "download",
           "external_view", "issue_award", "list_external", "page_badges", "plan_award", "public_badge",
           "public_company", "public_file", "record_external", "set_listed", "show_badge", "status_list_credential", "verify",
           "write_files"]
