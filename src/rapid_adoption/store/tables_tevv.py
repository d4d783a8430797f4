"""Tables of testing (TEVV): evaluation procedures, centre calendars, trials and their results, board overrides at the
``tevv`` gate, and each case's risk register with its score history.

Sharing (see :mod:`rapid_adoption.store.sharing_tevv`):

* ``evaluation_procedures`` and ``trials`` are shared records with markings of their own. A trial is also hidden
  unless its solution (and the solution's company), its procedure, its test centre and its case (when it has them)
  are visible.
* The other tables have no marking of their own: each row follows its parent. A result follows its trial, a calendar
  its test centre, an override and a risk their case, a risk score its risk.

Every table is registered in :data:`rapid_adoption.store.tables.SHARED_MODELS`, so the sharing filter covers it and
the guard refuses an unfiltered read.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .tables import SHARED_MODELS, Base, SharedRecord, Timestamped
from .types import UTCDateTime


class EvaluationProcedure(SharedRecord, Base):
    """One version of an evaluation procedure: use cases with measures of performance, 1-10 rubrics and pass
    thresholds (stored as JSON, see :meth:`rapid_adoption.domain.tevv.Procedure.use_cases_json`).

    A version never changes once stored: a new version is a new row, and a trial pins the row it was requested under.
    ``content_sha256`` is the hash of the validated content, so importing the same file again changes nothing.
    """

    __tablename__ = "evaluation_procedures"
    __table_args__ = (UniqueConstraint("ref", "procedure_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(120), nullable=False, index=True)
    procedure_version: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    example: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    duration_weeks: Mapped[int] = mapped_column(Integer, nullable=False)
    test_domain: Mapped[str | None] = mapped_column(String(40))
    required_capabilities: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    use_cases: Mapped[list] = mapped_column(JSON, nullable=False)
    content_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    source: Mapped[str] = mapped_column(Text, nullable=False, default="")


class CentreCalendarRecord(Timestamped, Base):
    """A test centre's calendar: capacity (concurrent trials per week), blackout weeks and capabilities.

    ``capacity_per_week`` None means the default for the centre's type
    (:data:`rapid_adoption.tevv.test_domains.DEFAULT_CAPACITY_PER_WEEK`). ``blackout_weeks`` holds the Mondays
    (ISO dates) of the weeks when nothing may run. A centre without a row has the defaults and no blackouts.
    """

    __tablename__ = "centre_calendars"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("test_centres.id", ondelete="CASCADE"), nullable=False,
                                           unique=True)
    capacity_per_week: Mapped[int | None] = mapped_column(Integer)
    blackout_weeks: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    capabilities: Mapped[list] = mapped_column(JSON, nullable=False, default=list)


class Trial(SharedRecord, Base):
    """A trial: a solution x a test centre x a time window x a procedure version, optionally inside a case.

    A requested trial has no centre or window yet; scheduling sets them. The window runs from the Monday
    ``window_starts_on`` to the Sunday ``window_ends_on`` (inclusive), ``duration_weeks`` weeks.
    """

    __tablename__ = "trials"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str | None] = mapped_column(String(160), unique=True)
    solution_id: Mapped[int] = mapped_column(ForeignKey("solutions.id"), nullable=False, index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("adoption_cases.id"), index=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("evaluation_procedures.id"), nullable=False, index=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("test_centres.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    use_cases: Mapped[list] = mapped_column(JSON, nullable=False)
    test_domain: Mapped[str] = mapped_column(String(40), nullable=False)
    required_capabilities: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    duration_weeks: Mapped[int] = mapped_column(Integer, nullable=False)
    ready_on: Mapped[date] = mapped_column(Date, nullable=False)
    window_starts_on: Mapped[date | None] = mapped_column(Date)
    window_ends_on: Mapped[date | None] = mapped_column(Date)
    scheduled_by: Mapped[str | None] = mapped_column(String(20))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    requested_by: Mapped[str] = mapped_column(String(200), nullable=False)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    demonstration: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    notes: Mapped[str | None] = mapped_column(Text)


class TrialResult(Timestamped, Base):
    """The result of one use case of a trial: measured values with units, a 1-10 score, notes, evidence links, and
    the outcome computed from the procedure's thresholds (never typed in)."""

    __tablename__ = "trial_results"
    __table_args__ = (UniqueConstraint("trial_id", "use_case"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"), nullable=False, index=True)
    use_case: Mapped[str] = mapped_column(String(60), nullable=False)
    measured: Mapped[list] = mapped_column(JSON, nullable=False)
    score_1_to_10: Mapped[int] = mapped_column(Integer, nullable=False)
    passed: Mapped[bool] = mapped_column(Boolean, nullable=False)
    outcome_reasons: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(200), nullable=False)


class GateOverride(Timestamped, Base):
    """The board's override of a failed use case at a case's ``tevv`` gate, with its rationale."""

    __tablename__ = "tevv_overrides"
    __table_args__ = (UniqueConstraint("case_id", "procedure_id", "use_case"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("adoption_cases.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("evaluation_procedures.id"), nullable=False)
    use_case: Mapped[str] = mapped_column(String(60), nullable=False)
    rationale: Mapped[str] = mapped_column(Text, nullable=False)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    decided_by: Mapped[str] = mapped_column(String(200), nullable=False)


class CaseRisk(Timestamped, Base):
    """A risk in a case's register: category, title, its owner (a person or role), mitigations, and the current
    likelihood and impact (the latest of its :class:`RiskScore` rows)."""

    __tablename__ = "case_risks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("adoption_cases.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    category: Mapped[str] = mapped_column(String(30), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    risk_owner: Mapped[str] = mapped_column(String(200), nullable=False)
    mitigations: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    likelihood_1_to_5: Mapped[int] = mapped_column(Integer, nullable=False)
    impact_1_to_5: Mapped[int] = mapped_column(Integer, nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)


class RiskScore(Timestamped, Base):
    """One score of a risk at a moment: the initial score, or a residual score recorded after a trial."""

    __tablename__ = "risk_scores"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("case_risks.id", ondelete="CASCADE"), nullable=False, index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    likelihood_1_to_5: Mapped[int] = mapped_column(Integer, nullable=False)
    impact_1_to_5: Mapped[int] = mapped_column(Integer, nullable=False)
    score_1_to_25: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    trial_id: Mapped[int | None] = mapped_column(ForeignKey("trials.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200), nullable=False)


TEVV_FOLLOWERS: dict[str, tuple[str, str]] = {
    "trial_results": ("trials", "trial_id"),
    "centre_calendars": ("test_centres", "centre_id"),
    "tevv_overrides": ("adoption_cases", "case_id"),
    "case_risks": ("adoption_cases", "case_id"),
    "risk_scores": ("case_risks", "risk_id"),
}
"""Tables without a marking of their own: table -> (the parent table it follows, the foreign-key column)."""

SHARED_MODELS.update({m.__tablename__: m for m in (EvaluationProcedure, Trial, TrialResult, CentreCalendarRecord,
                                                   GateOverride, CaseRisk, RiskScore)})

__all__ = ["CaseRisk", "CentreCalendarRecord", "EvaluationProcedure", "GateOverride", "RiskScore", "TEVV_FOLLOWERS",
           "Trial", "TrialResult"]
