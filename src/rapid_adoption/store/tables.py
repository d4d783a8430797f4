"""SQLAlchemy 2.x declarative tables.

Every table that holds user data carries the sharing columns (``owner_org_id``,
``distribution``, ``tlp``) and the bookkeeping columns (``version`` for optimistic locking,
``created_at``, ``updated_at``), through :class:`SharedRecord`.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from ..domain.types import TLP, Distribution
from .types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so Alembic names constraints the same everywhere."""

    metadata = MetaData(naming_convention=NAMING)


class Timestamped:
    """``version`` (optimistic locking), ``created_at`` and ``updated_at`` columns."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    @declared_attr.directive
    def __mapper_args__(cls):  # noqa: N805 - SQLAlchemy hook
        """Use ``version`` as SQLAlchemy's version counter, so a stale write raises."""
        return {"version_id_col": cls.version}


class SharedRecord(Timestamped):
    """Sharing columns of a user-data record: owner, distribution (default community), TLP (default GREEN),
    sharing group (for ``sharing_group`` distribution) and releasability.

    ``releasable_to`` holds ISO alpha-3 codes as ``",DEU,FRA,"`` (empty: no restriction), so that the
    sharing filter tests membership with one ``LIKE`` on every backend.
    """

    @declared_attr
    def owner_org_id(cls) -> Mapped[int]:  # noqa: N805
        """The owning organisation (a foreign key to ``organisations``)."""
        return mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)

    distribution: Mapped[str] = mapped_column(String(20), nullable=False, default=Distribution.COMMUNITY.value)
    tlp: Mapped[str] = mapped_column(String(20), nullable=False, default=TLP.GREEN.value)

    @declared_attr
    def sharing_group_id(cls) -> Mapped[int | None]:  # noqa: N805
        """The sharing group, when the distribution is ``sharing_group``."""
        return mapped_column(ForeignKey("sharing_groups.id"), nullable=True, index=True)

    releasable_to: Mapped[str] = mapped_column(String(400), nullable=False, default="", server_default="")


class Organisation(Timestamped, Base):
    """A nation, a NATO body, another international body, or a company with an account."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    nation_iso3: Mapped[str | None] = mapped_column(String(3))
    source: Mapped[str | None] = mapped_column(Text)


class User(Timestamped, Base):
    """A user: one organisation, one or more roles, an argon2 password hash for the web login."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    display_name: Mapped[str | None] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    roles: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class ApiToken(Base):
    """An API token: only its SHA-256 hash is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A browser login: only the SHA-256 hash of the session cookie's value is stored.

    The CSRF token of a session is derived from the cookie value (HMAC), so it is never stored either.
    """

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SharingGroup(Timestamped, Base):
    """A named set of organisations (and of every organisation of some nations) that records can be shared with."""

    __tablename__ = "sharing_groups"
    __table_args__ = (UniqueConstraint("owner_org_id", "name"),)  # names are unique per owner, so they leak nothing
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)


class SharingGroupMember(Base):
    """A member of a sharing group: an organisation, or every organisation of a nation."""

    __tablename__ = "sharing_group_members"
    __table_args__ = (UniqueConstraint("group_id", "organisation_id", "nation_iso3"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("sharing_groups.id", ondelete="CASCADE"), nullable=False, index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    nation_iso3: Mapped[str | None] = mapped_column(String(3), index=True)
    can_extend: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class RedRecipient(Base):
    """A user named on a TLP:RED record of their own organisation."""

    __tablename__ = "red_recipients"
    __table_args__ = (UniqueConstraint("record_table", "record_id", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_table: Mapped[str] = mapped_column(String(60), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)


class AuditEntry(Base):
    """One append-only, hash-chained audit entry: who did what to which object, with the data before and after."""

    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    organisation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    object_type: Mapped[str] = mapped_column(String(60), nullable=False)
    object_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False)


class AuditHead(Base):
    """The chain's head (one row): the last entry's id and hash. Locking it serialises appends."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer, nullable=False)
    last_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    last_change_id: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    """The newest entry that changed data: token uses, logins and logouts leave it (caches key on it)."""


class Setting(Base):
    """Workspace settings as key and value, e.g. the home organisation."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class TrlLevel(Base):
    """Technology Readiness Level definitions (NASA NPR 7123.1, DoD TRA, EU H2020 Annex G)."""

    __tablename__ = "trl_levels"
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    nasa: Mapped[str] = mapped_column(Text, nullable=False)
    dod: Mapped[str] = mapped_column(Text, nullable=False)
    eu: Mapped[str] = mapped_column(Text, nullable=False)


class MrlLevel(Base):
    """Manufacturing Readiness Level definitions (DoD MRL Deskbook)."""

    __tablename__ = "mrl_levels"
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    dod: Mapped[str] = mapped_column(Text, nullable=False)


class TechnologyArea(Base):
    """A technology area of a named scheme (NATO EDTs, DoD critical technology areas, DIANA challenges)."""

    __tablename__ = "technology_areas"
    __table_args__ = (UniqueConstraint("scheme", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme: Mapped[str] = mapped_column(String(60), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    definition: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)


class Company(SharedRecord, Base):
    """A company or research body that offers solutions."""

    __tablename__ = "companies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    legal_name: Mapped[str] = mapped_column(String(300), nullable=False, index=True)
    aliases: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    country: Mapped[str | None] = mapped_column(String(3), index=True)
    city: Mapped[str | None] = mapped_column(String(200))
    eu_pic: Mapped[str | None] = mapped_column(String(9), unique=True)
    duns: Mapped[str | None] = mapped_column(String(13))
    uei: Mapped[str | None] = mapped_column(String(12))
    ncage: Mapped[str | None] = mapped_column(String(5))
    sme: Mapped[bool | None] = mapped_column(Boolean)
    website: Mapped[str | None] = mapped_column(String(500))
    kind: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(Text, nullable=False, default="")


class ProgrammeMembership(SharedRecord, Base):
    """A company's membership of a programme, e.g. a DIANA challenge cohort of a year."""

    __tablename__ = "programme_memberships"
    __table_args__ = (UniqueConstraint("company_id", "programme", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True)
    programme: Mapped[str] = mapped_column(String(200), nullable=False)
    year: Mapped[int | None] = mapped_column(Integer)
    challenge_area: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, nullable=False, default="")


class Investment(SharedRecord, Base):
    """An investment in a company (investor, date, amount in euros where public)."""

    __tablename__ = "investments"
    __table_args__ = (UniqueConstraint("company_id", "investor"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True)
    investor: Mapped[str] = mapped_column(String(200), nullable=False)
    invested_on: Mapped[date | None] = mapped_column(Date)
    amount_eur: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, nullable=False, default="")


class CapabilityNeed(SharedRecord, Base):
    """A capability need: a problem statement from a nation or a NATO body."""

    __tablename__ = "capability_needs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    statement: Mapped[str | None] = mapped_column(Text)
    operational_domain: Mapped[str | None] = mapped_column(String(20), index=True)
    technology_areas: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    priority: Mapped[str] = mapped_column(String(20), nullable=False, default="medium")
    source: Mapped[str] = mapped_column(Text, nullable=False, default="")
    published_on: Mapped[date | None] = mapped_column(Date)


class Solution(SharedRecord, Base):
    """A solution a company offers, with TRL 1-9 and MRL 1-10 where known."""

    __tablename__ = "solutions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    technology_areas: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    trl: Mapped[int | None] = mapped_column(Integer, index=True)
    mrl: Mapped[int | None] = mapped_column(Integer)
    cots: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    dual_use: Mapped[bool | None] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(Text, nullable=False, default="")
    year: Mapped[int | None] = mapped_column(Integer)
    responds_to_need_id: Mapped[int | None] = mapped_column(ForeignKey("capability_needs.id"), index=True)

    company: Mapped[Company] = relationship(lazy="select")


class SolutionParticipant(Base):
    """A consortium member of a solution (EDF projects have many), with its role."""

    __tablename__ = "solution_participants"
    solution_id: Mapped[int] = mapped_column(ForeignKey("solutions.id", ondelete="CASCADE"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(40), nullable=False)
    eu_contribution_eur: Mapped[float | None] = mapped_column(Float)


class TestCentre(SharedRecord, Base):
    """A site of the test-centre network: test centre, accelerator site or test range."""

    __test__ = False
    __tablename__ = "test_centres"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(160), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    centre_type: Mapped[str] = mapped_column(String(30), nullable=False)
    country: Mapped[str] = mapped_column(String(3), nullable=False, index=True)
    city: Mapped[str | None] = mapped_column(String(200))
    operator: Mapped[str | None] = mapped_column(Text)
    domains: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    capabilities: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    source: Mapped[str] = mapped_column(Text, nullable=False, default="")
    notes: Mapped[str | None] = mapped_column(Text)


class AdoptionCase(SharedRecord, Base):
    """One capability need, one solution, one owner, moving through the stage gates."""

    __tablename__ = "adoption_cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str | None] = mapped_column(String(160), unique=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("capability_needs.id"), nullable=False, index=True)
    solution_id: Mapped[int] = mapped_column(ForeignKey("solutions.id"), nullable=False, index=True)
    stage: Mapped[str] = mapped_column(String(30), nullable=False, index=True)
    cots: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_at_stage: Mapped[str | None] = mapped_column(String(30))
    source: Mapped[str | None] = mapped_column(Text)

    need: Mapped[CapabilityNeed] = relationship(lazy="select")
    solution: Mapped[Solution] = relationship(lazy="select")
    decisions: Mapped[list["GateDecision"]] = relationship(
        back_populates="case", order_by="GateDecision.decided_at, GateDecision.id", cascade="all, delete-orphan"
    )


class GateDecision(SharedRecord, Base):
    """A recorded gate decision: who, when, from which stage to which, why, and the evidence."""

    __tablename__ = "gate_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("adoption_cases.id", ondelete="CASCADE"), nullable=False, index=True)
    from_stage: Mapped[str] = mapped_column(String(30), nullable=False)
    to_stage: Mapped[str] = mapped_column(String(30), nullable=False)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    decided_by: Mapped[str] = mapped_column(String(200), nullable=False)
    rationale: Mapped[str] = mapped_column(Text, nullable=False)
    evidence: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    inferred: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    case: Mapped[AdoptionCase] = relationship(back_populates="decisions")


class Assessment(SharedRecord, Base):
    """One organisation's market-research assessment of a solution, optionally against a need and inside a case."""

    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    solution_id: Mapped[int] = mapped_column(ForeignKey("solutions.id"), nullable=False, index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("capability_needs.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("adoption_cases.id"), index=True)
    trl: Mapped[int | None] = mapped_column(Integer)
    mrl: Mapped[int | None] = mapped_column(Integer)
    fit_0_to_100: Mapped[int | None] = mapped_column(Integer)
    strengths: Mapped[str | None] = mapped_column(Text)
    weaknesses: Mapped[str | None] = mapped_column(Text)
    risks: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    assessed_on: Mapped[date] = mapped_column(Date, nullable=False)


class MatchTerms(Base):
    """The persisted retrieval index: one row per indexed need or solution with its index terms.

    ``record_version`` is the record's ``version`` when it was indexed, so a changed record is re-indexed
    (``rapid_adoption.services.matching.sync_index``). The rows are never shown to a user: ranking reads
    them only for the records the reader may see.
    """

    __tablename__ = "match_terms"
    __table_args__ = (UniqueConstraint("kind", "record_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    record_version: Mapped[int] = mapped_column(Integer, nullable=False)
    title_terms: Mapped[str] = mapped_column(Text, nullable=False, default="")
    body_terms: Mapped[str] = mapped_column(Text, nullable=False, default="")


class MatchVector(Base):
    """A dense vector of a need or a solution for one model (``wordllama``, ``minilm``), float32 bytes."""

    __tablename__ = "match_vectors"
    __table_args__ = (UniqueConstraint("model", "kind", "record_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model: Mapped[str] = mapped_column(String(40), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    record_version: Mapped[int] = mapped_column(Integer, nullable=False)
    vector: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


Index("ix_adoption_cases_need_solution", AdoptionCase.need_id, AdoptionCase.solution_id)
Index("ix_assessments_sharing", Assessment.owner_org_id, Assessment.distribution, Assessment.tlp)

SHARED_MODELS: dict[str, type] = {
    m.__tablename__: m
    for m in (CapabilityNeed, Company, Solution, TestCentre, AdoptionCase, GateDecision, ProgrammeMembership,
              Investment, Assessment)
}
"""Every table that holds shared user data, by table name. The sharing filter covers each of them."""

CONTAINED_IN_CASE = ("gate_decisions", "assessments")
"""Tables whose rows may sit inside an adoption case (``case_id``) and are never more visible than it."""

from . import tables_tevv  # noqa: E402,F401 - the TEVV tables (they register themselves in SHARED_MODELS)
from . import tables_badges  # noqa: E402,F401 - the badge tables (they register themselves in SHARED_MODELS)
