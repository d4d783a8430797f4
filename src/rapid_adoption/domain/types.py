"""Enumerations used across the domain: stages, statuses, domains, sharing markings."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """An adoption case's stage. The first five are active; the last three are terminal.

    Source: Rapid Adoption DESIGN, "The pipeline: stage gates and the 24-month clock".
    """

    MARKET_RESEARCH = "market_research"
    TEVV = "tevv"
    BADGE = "badge"
    CONTRACTING = "contracting"
    FIELDING = "fielding"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def is_terminal(self) -> bool:
        """True for ``adopted``, ``rejected`` and ``withdrawn``."""
        return self in TERMINAL_STAGES


ACTIVE_STAGES: tuple[Stage, ...] = (
    Stage.MARKET_RESEARCH,
    Stage.TEVV,
    Stage.BADGE,
    Stage.CONTRACTING,
    Stage.FIELDING,
)
TERMINAL_STAGES: frozenset[Stage] = frozenset({Stage.ADOPTED, Stage.REJECTED, Stage.WITHDRAWN})


class ClockStatus(StrEnum):
    """A case's standing against its clock at a given moment."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    CLOSED = "closed"


class OperationalDomain(StrEnum):
    """The operational domain of a capability need (NATO's five domains of operations)."""

    LAND = "land"
    MARITIME = "maritime"
    AIR = "air"
    SPACE = "space"
    CYBER = "cyber"


class Distribution(StrEnum):
    """Who may see a record, after MISP's distribution levels."""

    ORGANISATION = "organisation"
    COMMUNITY = "community"
    CONNECTED = "connected"
    SHARING_GROUP = "sharing_group"


class TLP(StrEnum):
    """Traffic Light Protocol labels (TLP 2.0, FIRST, 2022)."""

    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"


class OrganisationKind(StrEnum):
    """What an organisation is: a nation, a NATO body, another international body, or a company."""

    NATION = "nation"
    NATO_BODY = "nato_body"
    INTERNATIONAL_BODY = "international_body"
    COMPANY = "company"


class CentreType(StrEnum):
    """The type of a site in the test-centre network (DIANA's terms)."""

    TEST_CENTRE = "test centre"
    ACCELERATOR_SITE = "accelerator site"
    TEST_RANGE = "test range"


class Priority(StrEnum):
    """A capability need's priority."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
