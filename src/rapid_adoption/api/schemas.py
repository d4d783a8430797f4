"""Request and response models of the REST API (pydantic).

Requests are checked here for shape only (types, ranges the database needs); the services check the
meaning (known stages, real country codes, readiness levels) and say which field is wrong. Every
text in a request refuses control characters and lone surrogates, which no database stores.

Responses carry the fields the services return; models allow extra fields, so a service may add one
without breaking clients. Records reference each other by id or ref (``need``, ``solution``,
``company``); paths take numeric ids.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_BAD_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
INT32 = 2**31 - 1


def _clean(value: str) -> str:
    """Refuse control characters (except tab and newlines) and lone surrogates."""
    match = _BAD_CHARACTERS.search(value)
    if match:
        raise ValueError(f"contains the character U+{ord(match.group()):04X}, which is not allowed in text")
    return value


Text = Annotated[str, AfterValidator(_clean)]
"""A text without control characters."""

Ident = Annotated[int, Field(ge=1, le=INT32)] | Text
"""A record given by numeric id or by ref."""

DistributionName = Literal["organisation", "community", "connected", "sharing_group"]
TlpName = Literal["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]


class Model(BaseModel):
    """Base of the response models: extra fields are allowed and kept."""

    model_config = ConfigDict(extra="allow")


class Input(BaseModel):
    """Base of the request models: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Marked(Model):
    """The sharing settings every shared record shows.

    Attributes:
        owner: the owning organisation's ref.
        distribution, tlp: the record's distribution and TLP label.
        sharing_group: the group's name, for ``sharing_group`` distribution.
        releasable_to: ISO alpha-3 codes (or ``NATO``); empty means no restriction.
        marking: the banner, e.g. "TLP:AMBER · Sharing group: Nordic-Baltic · REL TO DNK, EST".
        version: the record's version: send it back as ``If-Match`` to change the record.
    """

    id: int
    version: int
    owner: str
    distribution: str
    tlp: str
    sharing_group: str | None = None
    releasable_to: list[str]
    marking: str


# --- needs, solutions, companies, centres -----------------------------------------------------------------

class NeedRow(Model):
    """A capability need in a list."""

    id: int
    ref: str
    title: str
    operational_domain: str | None = None
    priority: str
    owner: str
    version: int


class Need(Marked):
    """A capability need in full, with the solutions that responded to it and its cases."""

    ref: str
    title: str
    statement: str | None = None
    operational_domain: str | None = None
    technology_areas: list[Any]
    priority: str
    source: str
    published_on: str | None = None


class NeedIn(Input):
    """A new capability need (owned by the caller's organisation)."""

    ref: Text = Field(description="A unique reference, e.g. NOR-2026-CUAS-01.")
    title: Text
    statement: Text | None = None
    operational_domain: Literal["land", "maritime", "air", "space", "cyber"] | None = None
    technology_areas: list[Text] = []
    priority: Literal["low", "medium", "high", "critical"] = "medium"
    published_on: date | None = None
    source: Text = ""


class NeedPatch(Input):
    """Fields of a capability need to change; those not sent stay as they are."""

    ref: Text | None = None
    title: Text | None = None
    statement: Text | None = None
    operational_domain: Literal["land", "maritime", "air", "space", "cyber"] | None = None
    technology_areas: list[Text] | None = None
    priority: Literal["low", "medium", "high", "critical"] | None = None
    published_on: date | None = None
    source: Text | None = None


class SolutionRow(Model):
    """A solution in a list."""

    id: int
    ref: str
    name: str
    company: str
    country: str | None = None
    trl: int | None = None
    mrl: int | None = None
    year: int | None = None
    version: int


class Solution(Marked):
    """A solution in full, with its company, consortium and cases."""

    ref: str
    name: str
    description: str | None = None
    trl: int | None = None
    mrl: int | None = None
    cots: bool
    year: int | None = None


class SolutionIn(Input):
    """A new solution (owned by the caller's organisation)."""

    ref: Text
    company: Ident = Field(description="The offering company, by id or ref.")
    name: Text
    description: Text | None = None
    technology_areas: list[Text] = []
    trl: int | None = Field(None, ge=1, le=9)
    mrl: int | None = Field(None, ge=1, le=10)
    cots: bool = False
    dual_use: bool | None = None
    year: int | None = Field(None, ge=1900, le=2100)
    need: Ident | None = Field(None, description="The capability need it responds to, by id or ref.")
    source: Text = ""


class SolutionPatch(Input):
    """Fields of a solution to change; those not sent stay as they are."""

    ref: Text | None = None
    company: Ident | None = None
    name: Text | None = None
    description: Text | None = None
    technology_areas: list[Text] | None = None
    trl: int | None = Field(None, ge=1, le=9)
    mrl: int | None = Field(None, ge=1, le=10)
    cots: bool | None = None
    dual_use: bool | None = None
    year: int | None = Field(None, ge=1900, le=2100)
    need: Ident | None = None
    source: Text | None = None


class CompanyRow(Model):
    """A company in a list."""

    id: int
    ref: str
    legal_name: str
    country: str | None = None
    sme: bool | None = None
    eu_pic: str | None = None
    version: int


class Company(Marked):
    """A company in full, with its solutions, programmes and investments."""

    ref: str
    legal_name: str
    aliases: list[Any]
    country: str | None = None


class CompanyIn(Input):
    """A new company (owned by the caller's organisation)."""

    ref: Text
    legal_name: Text
    aliases: list[Text] = []
    country: Text | None = Field(None, description="ISO 3166-1 alpha-3 or alpha-2 code.")
    city: Text | None = None
    eu_pic: Annotated[str, Field(pattern=r"^[0-9]{9}$")] | None = None
    duns: Text | None = None
    uei: Text | None = None
    ncage: Text | None = None
    sme: bool | None = None
    website: Text | None = None
    kind: Text | None = None
    source: Text = ""


class CompanyPatch(Input):
    """Fields of a company to change; those not sent stay as they are."""

    ref: Text | None = None
    legal_name: Text | None = None
    aliases: list[Text] | None = None
    country: Text | None = None
    city: Text | None = None
    eu_pic: Annotated[str, Field(pattern=r"^[0-9]{9}$")] | None = None
    duns: Text | None = None
    uei: Text | None = None
    ncage: Text | None = None
    sme: bool | None = None
    website: Text | None = None
    kind: Text | None = None
    source: Text | None = None


class CentreRow(Model):
    """A test centre in a list."""

    id: int
    ref: str
    name: str
    centre_type: str
    country: str
    city: str | None = None
    domains: list[Any]
    version: int


class Centre(Marked):
    """A test centre in full."""

    ref: str
    name: str
    centre_type: str
    country: str
    domains: list[Any]
    capabilities: list[Any]


CentreType = Literal["test centre", "accelerator site", "test range"]


class CentreIn(Input):
    """A new test centre (owned by the caller's organisation)."""

    ref: Text
    name: Text
    centre_type: CentreType
    country: Text = Field(description="ISO 3166-1 alpha-3 or alpha-2 code.")
    city: Text | None = None
    operator: Text | None = None
    domains: list[Text] = []
    capabilities: list[Text] = []
    notes: Text | None = None
    source: Text = ""


class CentrePatch(Input):
    """Fields of a test centre to change; those not sent stay as they are."""

    ref: Text | None = None
    name: Text | None = None
    centre_type: CentreType | None = None
    country: Text | None = None
    city: Text | None = None
    operator: Text | None = None
    domains: list[Text] | None = None
    capabilities: list[Text] | None = None
    notes: Text | None = None
    source: Text | None = None


# --- sharing ------------------------------------------------------------------------------------------------

class SharingIn(Input):
    """A change of a record's sharing; what is not sent stays as it is.

    Attributes:
        distribution: who may see it (MISP distribution).
        sharing_group_id: the group to share with (``sharing_group`` distribution; your organisation must be a member).
        tlp: the TLP 2.0 label.
        releasable_to: ISO alpha-3 codes or ``NATO``; an empty list clears the restriction.
        red_recipients: user names of your organisation named on a RED record.
    """

    distribution: DistributionName | None = None
    sharing_group_id: int | None = Field(None, ge=1, le=INT32)
    tlp: TlpName | None = None
    releasable_to: list[Annotated[str, Field(pattern=r"^[A-Za-z]{3,4}$")]] | None = None
    red_recipients: list[Text] | None = None


class SharingOut(Model):
    """A record's sharing after a change."""

    record: str
    distribution: str
    tlp: str
    sharing_group: str | None = None
    releasable_to: list[str]
    marking: str
    red_recipients: list[str] | None = None
    changed: bool
    version: int


# --- cases --------------------------------------------------------------------------------------------------

StageName = Literal["market_research", "tevv", "badge", "contracting", "fielding", "adopted", "rejected", "withdrawn"]


class CaseRow(Model):
    """An adoption case in a list."""

    id: int
    ref: str | None = None
    stage: str
    cots: bool
    opened_at: str
    closed_at: str | None = None
    owner: str
    need_ref: str
    solution_ref: str
    version: int


class Decision(Model):
    """A gate decision in a case's timeline."""

    from_stage: str
    to_stage: str
    decided_at: str
    decided_by: str
    rationale: str
    evidence: list[str]
    inferred: bool
    on_time: bool | None = None


class Clock(Model):
    """A case's clock at the time of the request."""

    status: str
    stage_deadline: str | None = None
    days_left: int | None = None
    window_used: float | None = None
    months_elapsed: float
    total_deadline: str


class Case(Marked):
    """An adoption case with its clock and its timeline of gate decisions."""

    ref: str | None = None
    stage: str
    cots: bool
    opened_at: str
    closed_at: str | None = None
    need_ref: str
    solution_ref: str
    need_title: str
    solution_name: str
    company_name: str
    clock: Clock
    stage_deadlines: dict[str, str]
    timeline: list[Decision]


class CaseIn(Input):
    """A new adoption case (owned by the caller's organisation)."""

    need: Ident
    solution: Ident
    cots: bool = False
    opened_at: datetime | None = Field(None, description="When the clock starts (with a timezone); default now.")
    ref: Text | None = None


class DecisionIn(Input):
    """A gate decision: why, and the evidence (http(s) links)."""

    rationale: Text
    evidence: list[Text] = []
    decided_at: datetime | None = Field(None, description="With a timezone; default now; never in the future.")


class AdvanceIn(DecisionIn):
    """Pass the current gate; ``to`` must be the next stage."""

    to: StageName


# --- assessments ----------------------------------------------------------------------------------------------

class AssessmentRow(Model):
    """An assessment in a list."""

    id: int
    trl: int | None = None
    mrl: int | None = None
    fit_0_to_100: int | None = None
    assessed_on: str
    tlp: str
    distribution: str
    releasable_to: list[str]
    solution: str
    case_id: int | None = None
    version: int


class Assessment(Marked):
    """An assessment in full."""

    solution_ref: str | None = None
    need_ref: str | None = None
    case_id: int | None = None
    trl: int | None = None
    mrl: int | None = None
    fit_0_to_100: int | None = None
    strengths: str | None = None
    weaknesses: str | None = None
    risks: str | None = None
    sources: list[str]
    assessed_on: str


class AssessmentValues(Input):
    """The judgement of an assessment."""

    trl: int | None = Field(None, ge=1, le=9)
    mrl: int | None = Field(None, ge=1, le=10)
    fit_0_to_100: int | None = Field(None, ge=0, le=100)
    strengths: Text | None = None
    weaknesses: Text | None = None
    risks: Text | None = None
    sources: list[Text] | None = None
    assessed_on: date | None = None


class AssessmentIn(AssessmentValues):
    """A new assessment; private (``organisation``, TLP:AMBER) unless shared here."""

    solution: Ident
    need: Ident | None = None
    case: Annotated[int, Field(ge=1, le=INT32)] | None = None
    distribution: DistributionName = "organisation"
    tlp: TlpName = "AMBER"
    sharing_group_id: int | None = Field(None, ge=1, le=INT32)
    releasable_to: list[Annotated[str, Field(pattern=r"^[A-Za-z]{3,4}$")]] = []


# --- sharing groups, organisations, users, audit -----------------------------------------------------------------

class Member(Model):
    """A member of a sharing group: an organisation or every organisation of a nation."""

    organisation: str | None = None
    nation: str | None = None
    can_extend: bool


class SharingGroup(Model):
    """A sharing group the caller's organisation belongs to, with its members."""

    id: int
    name: str
    description: str | None = None
    owner: str
    members: list[Member]


class SharingGroupIn(Input):
    """A new sharing group (the caller's organisation owns it and is its first member)."""

    name: Text
    description: Text | None = None


class MemberIn(Input):
    """A new member: an organisation (by ref) or a nation (ISO alpha-3), not both."""

    organisation: Text | None = None
    nation: Text | None = None
    can_extend: bool = False


class Organisation(Model):
    """An organisation: a nation, a NATO body, another international body or a company."""

    id: int
    ref: str
    name: str
    kind: str
    nation_iso3: str | None = None
    version: int


class User(Model):
    """A user of the caller's organisation (never a password or its hash)."""

    id: int
    username: str
    display_name: str | None = None
    organisation: str
    roles: list[str]
    active: bool
    has_password: bool
    version: int


RoleName = Literal["admin", "analyst", "test_centre", "board", "viewer", "auditor"]


class UserIn(Input):
    """A new user; an admin of the workspace's own organisation may name another organisation."""

    username: Text
    organisation: Text | None = Field(None, description="The organisation's ref; default the caller's.")
    roles: list[RoleName] = Field(min_length=1)
    display_name: Text | None = None
    password: Text | None = Field(None, description="For the web login; at least 12 characters.")


class UserPatch(Input):
    """A change of a user: (de)activate."""

    active: bool


class AuditEntry(Model):
    """An audit entry: who did what to which object, with the data before and after."""

    id: int
    at: str
    actor: str
    actor_user_id: int | None = None
    organisation_id: int | None = None
    action: str
    object_type: str
    object_id: int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    entry_hash: str
