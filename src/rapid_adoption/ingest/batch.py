"""The result of reading a source: records by kind, ready to be written in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..domain.records import (
    CapabilityNeedRecord,
    CompanyRecord,
    InvestmentRecord,
    OrganisationRecord,
    ParticipantRecord,
    ProgrammeMembershipRecord,
    SolutionRecord,
    TestCentreRecord,
)
from .files import Reject


@dataclass
class Batch:
    """Records read from one or more files.

    Attributes:
        organisations, companies, solutions, participants, needs, centres, memberships,
            investments: the records, in file order.
        trl_levels: (level, nasa, dod, eu) tuples; mrl_levels: (level, dod) tuples.
        technology_areas: (scheme, name, definition, source) tuples.
        notes: figures a user wants to see, e.g. {"sbir firm spellings merged": 48}.
        rejects: rows left out under ``--skip-invalid``.
    """

    organisations: list[OrganisationRecord] = field(default_factory=list)
    companies: list[CompanyRecord] = field(default_factory=list)
    solutions: list[SolutionRecord] = field(default_factory=list)
    participants: list[ParticipantRecord] = field(default_factory=list)
    needs: list[CapabilityNeedRecord] = field(default_factory=list)
    centres: list[TestCentreRecord] = field(default_factory=list)
    memberships: list[ProgrammeMembershipRecord] = field(default_factory=list)
    investments: list[InvestmentRecord] = field(default_factory=list)
    trl_levels: list[tuple[int, str, str, str]] = field(default_factory=list)
    mrl_levels: list[tuple[int, str]] = field(default_factory=list)
    technology_areas: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)
    notes: dict[str, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    origins: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    """(kind, ref) -> (file, line) for records from a user's file, so later checks can point at the row."""

    def extend(self, other: "Batch") -> "Batch":
        """Append ``other``'s records to this batch and return this batch."""
        for name in self.__dataclass_fields__:
            mine = getattr(self, name)
            if isinstance(mine, dict):
                mine.update(getattr(other, name))
            else:
                mine.extend(getattr(other, name))
        return self
