"""The quickstart's testing (TEVV) part: trials for the real cases in ``tevv``, scheduled across the real network, and
one demonstration case taken through the ``tevv`` gate.

What it does, through the same services a user calls:

1. It imports the shipped example procedures (``data/procedures``), owned by the workspace's organisation.
2. For every quickstart case in ``tevv`` it requests one trial, owned by the case's owner. The procedure follows the
   need's test domain (:func:`rapid_adoption.tevv.test_domains.need_test_domain`): ``c-uas`` takes the counter-UAS
   example, ``maritime`` the maritime USV persistence example, every other domain the generic system demonstration
   example. The trial's ref is ``QS-TRIAL-`` and the case's project, so a ``--reuse`` run requests nothing twice.
3. The CP-SAT scheduler places those trials across the real test-centre network (:mod:`.tevv_schedule`).
4. **A demonstration.** The counter-UAS case (``QS-EDF-101167796``, E-CUAS, on the need EDF-2023-DA-AIRDEF-CUAS) is
   the one demonstration. Its trial is marked ``demonstration`` and entered afterwards: scheduled by hand at the Lt Gen
   Best Barracks range at Vredepeel (NLD, where NATO's counter-UAS interoperability exercises are held) in the two
   weeks that ended the Sunday before week 0 of the plan. Its results are MADE-UP illustrative values, recorded per
   use case; the convoy use case fails its reaction-time threshold, and the board records an override with its
   rationale. Three illustrative risks, identified when the case opened, get residual scores after the trial. The
   case then passes the ``tevv`` gate into ``badge`` by the gate's own check (not an inferred decision).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ..domain.types import Stage
from ..store.sharing import restrict, unrestricted
from ..store.tables import AdoptionCase
from ..store.tables_tevv import Trial
from ..tevv.test_domains import need_test_domain
from ..tevv.weeks import planning_origin
from .auth import system_actor
from .cases import CaseService
from .tevv_procedures import import_examples
from .tevv_risks import add_risk, list_risks, score_risk
from .tevv_schedule import schedule_requested
from .tevv_trials import TrialRequestInput, complete_trial, record_override, record_result, request_trial, schedule_trial
from .workspace import Workspace

ACTOR = "rapid quickstart"
PROCEDURE_BY_DOMAIN = {"c-uas": "cuas-example", "maritime": "usv-persistence-example"}
"""The example procedure a quickstart trial takes, by the need's test domain."""
GENERIC_PROCEDURE = "system-demo-example"
DEMO_CASE = "QS-EDF-101167796"
DEMO_CENTRE = "lt-gen-best-barracks-vredepeel-nld"
TIME_LIMIT_SECONDS = 10.0
"""CP-SAT's time limit for the quickstart's plan (with two workers it proves the optimum in well under a second on the
real data; which of several equally good centres a trial gets may differ between runs, the objective does not)."""

DEMO_RESULTS: tuple[tuple[str, dict[str, tuple[float, str]], int, str], ...] = (
    ("point_defence", {"detection_range": (3200, "m"), "probability_of_defeat": (85, "%"), "reaction_time": (22, "s")},
     7, "Demonstration values: single and paired Group 1 UAS by day."),
    ("perimeter", {"probability_of_detection": (94, "%"), "classification_accuracy": (88, "%"),
                   "false_alarms": (1.5, "per 24 h")}, 7, "Demonstration values: 72 h of continuous watch."),
    ("border", {"detection_range": (5600, "m"), "continuous_operation": (80, "h"), "track_handover_time": (4, "s")},
     6, "Demonstration values: one 10 km sector."),
    ("convoy", {"detection_range_on_the_move": (1200, "m"), "reaction_time": (25, "s"), "time_into_action": (4, "min")},
     5, "Demonstration values: on the move at 40 km/h; the reaction time misses the threshold."),
)
"""The demonstration's made-up results: use case, measured values with units, score, notes."""
DEMO_OVERRIDE = ("convoy", "Demonstration: the need (EDF-2023-DA-AIRDEF-CUAS) asks for the protection of sites and "
                 "forces at the halt; the convoy use case is outside its scope, so its failure does not block the gate.")
DEMO_RISKS: tuple[tuple[str, str, int, int, str, str, int, int], ...] = (
    ("technical", "Detection range against small Group 1 UAS falls short in clutter", 4, 4,
     "Supplier's chief engineer", "Fuse radar and RF detection", 2, 3),
    ("integration", "Tracks cannot be handed to the national air-defence picture", 3, 4,
     "Programme integration lead", "Test the track interface at the trial", 2, 2),
    ("supply_chain", "Effector parts come from a single supplier outside the EU", 3, 3,
     "Procurement officer", "Qualify a second supplier", 3, 3),
)
"""The demonstration's made-up risks: category, title, likelihood, impact, owner, mitigation, then the residual
likelihood and impact after the trial."""


@dataclass
class TevvExample:
    """What the quickstart's TEVV part did.

    Attributes:
        procedures: the example procedures (ref, version, created).
        requested: trials this run requested, by procedure ref.
        already_requested: quickstart trials a previous run requested (``--reuse``).
        plan: the scheduler's plan (:func:`rapid_adoption.services.tevv_schedule.schedule_requested`), or None when
            nothing was requested.
        demo: the demonstration: case, trial, results, override, risk burn-down and gate; None when a previous run
            made it or its case is not in ``tevv``.
    """

    procedures: list[tuple[str, int, bool]] = field(default_factory=list)
    requested: dict[str, int] = field(default_factory=dict)
    already_requested: int = 0
    plan: dict[str, Any] | None = None
    demo: dict[str, Any] | None = None


def run_tevv_example(workspace: Workspace) -> TevvExample:
    """Run the quickstart's TEVV part (see the module docstring); idempotent with ``--reuse``.

    Raises:
        ValidationError: CP-SAT found no schedule in its time limit (never on the bundled data).
    """
    report = TevvExample()
    with workspace.uow.read() as session:
        home = replace(system_actor(session, workspace.home_org_ref()), username=ACTOR)
        owner = replace(system_actor(session, "EU-DEFIS"), username=ACTOR)
    report.procedures = [(p["ref"], p["procedure_version"], p["created"]) for p in import_examples(workspace, home)]
    now = workspace.now()
    origin = planning_origin(now)
    demo_trial = None
    with workspace.uow.transaction() as session:
        taken = set(session.scalars(unrestricted(select(Trial.ref).where(Trial.ref.like("QS-TRIAL-%")),
                                                 "the quickstart's own trial refs")))
        cases = session.scalars(restrict(select(AdoptionCase).where(
            AdoptionCase.stage == Stage.TEVV.value, AdoptionCase.ref.like("QS-EDF-%"),
            AdoptionCase.owner_org_id == owner.org_id).order_by(AdoptionCase.id), owner)).all()
        for case in cases:
            ref = f"QS-TRIAL-{case.ref.removeprefix('QS-')}"
            if ref in taken:
                report.already_requested += 1
                continue
            need = case.need
            domain = need_test_domain(need.operational_domain, need.technology_areas,
                                      f"{need.title}\n{need.statement or ''}")
            procedure = PROCEDURE_BY_DOMAIN.get(domain, GENERIC_PROCEDURE)
            demo = case.ref == DEMO_CASE
            view = request_trial(workspace, owner, TrialRequestInput(
                procedure=procedure, case=case.id, ref=ref, demonstration=demo,
                ready_on=origin - timedelta(weeks=2) if demo else None,
                notes="Demonstration trial entered by the quickstart; its results are made-up illustrative values."
                if demo else None), session=session)
            report.requested[procedure] = report.requested.get(procedure, 0) + 1
            if demo:
                demo_trial = view["id"]
                schedule_trial(workspace, owner, view["id"], DEMO_CENTRE, origin - timedelta(weeks=2), session=session)
    if report.requested:
        ids = _requested_ids(workspace, owner)
        report.plan = schedule_requested(workspace, owner, trials=ids, time_limit_seconds=TIME_LIMIT_SECONDS,
                                         workers=1)  # one worker: the same plan on every run and backend
    if demo_trial is not None:
        report.demo = _demonstration(workspace, owner, demo_trial)
    return report


def _requested_ids(workspace: Workspace, owner) -> list[int]:
    with workspace.uow.read() as session:
        return list(session.scalars(restrict(select(Trial.id).where(
            Trial.status == "requested", Trial.ref.like("QS-TRIAL-%")).order_by(Trial.id), owner, "change")))


def _demonstration(workspace: Workspace, owner, trial_id: int) -> dict[str, Any]:
    """Record the demonstration's results, override, risks and gate decision (one transaction)."""
    with workspace.uow.transaction() as session:
        case_id = session.scalar(restrict(select(Trial.case_id).where(Trial.id == trial_id), owner))
        opened_at = session.scalar(restrict(select(AdoptionCase.opened_at).where(AdoptionCase.id == case_id), owner))
        risks = [add_risk(workspace, owner, case_id, category=category, title=title, likelihood=likelihood,
                          impact=impact, risk_owner=risk_owner, mitigations=[mitigation],
                          description="Demonstration risk (made up by the quickstart).", recorded_at=opened_at,
                          session=session)
                 for category, title, likelihood, impact, risk_owner, mitigation, _l, _i in DEMO_RISKS]
        results = [record_result(workspace, owner, trial_id, use_case, measured, score, notes=notes, session=session)
                   for use_case, measured, score, notes in DEMO_RESULTS]
        complete_trial(workspace, owner, trial_id, session=session)
        after_trial = workspace.now()  # one moment for the register's residual scores: one point of the burn-down
        for risk, (*_rest, likelihood, impact) in zip(risks, DEMO_RISKS):
            score_risk(workspace, owner, risk["id"], likelihood=likelihood, impact=impact, trial=trial_id,
                       note="Demonstration: residual score after the trial.", recorded_at=after_trial,
                       session=session)
    override = record_override(workspace, owner, case_id, DEMO_OVERRIDE[0], DEMO_OVERRIDE[1])
    CaseService(workspace, owner).advance(
        case_id, Stage.BADGE, f"Demonstration: trial {trial_id} covered every use case of cuas-example v1; the "
        f"failed convoy use case is overridden by the board (override {override['id']}).")
    register = list_risks(workspace, owner, case_id)
    return {"case_id": case_id, "case_ref": DEMO_CASE, "trial_id": trial_id,
            "results": [{"use_case": r["use_case"], "score": r["score_1_to_10"], "outcome": r["outcome"],
                         "reasons": r["outcome_reasons"]} for r in results],
            "override": override, "burn_down": register["burn_down"], "stage": Stage.BADGE.value}


__all__ = ["DEMO_CASE", "DEMO_CENTRE", "DEMO_RESULTS", "DEMO_RISKS", "GENERIC_PROCEDURE", "PROCEDURE_BY_DOMAIN",
           "TevvExample", "run_tevv_example"]
