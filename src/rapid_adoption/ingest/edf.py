"""European Defence Fund: calls become capability needs; projects and participants become
solutions and companies.

Source: EU Funding & Tenders portal, scraped 2026-04-15; EU public data, reusable under
Commission Decision 2011/833/EU.
"""

from __future__ import annotations

from pathlib import Path

from ..domain.errors import ValidationError
from ..domain.records import (
    CapabilityNeedRecord,
    CompanyRecord,
    OrganisationRecord,
    ParticipantRecord,
    SolutionRecord,
    check_text,
)
from ..domain.types import OperationalDomain, OrganisationKind, Priority
from .batch import Batch
from .files import RowCollector, read_csv
from .values import country_iso3, parse_bool, parse_date, parse_float

EDF_OWNER = OrganisationRecord(
    ref="EU-DEFIS",
    name="European Commission, Directorate-General for Defence Industry and Space",
    kind=OrganisationKind.INTERNATIONAL_BODY.value,
    nation_iso3=None,
    source="https://defence-industry-space.ec.europa.eu/",
)
SOURCE = "EU Funding & Tenders portal (EDF), scraped 2026-04-15; Decision 2011/833/EU"

# EDF thematic categories coded in call identifiers (EDF work programmes 2021-2026):
# token -> (operational domain or None for cross-domain, thematic category).
THEMES: dict[str, tuple[OperationalDomain | None, str]] = {
    "AIR": (OperationalDomain.AIR, "Air combat"),
    "AIRDEF": (OperationalDomain.AIR, "Air and missile defence"),
    "GROUND": (OperationalDomain.LAND, "Ground combat"),
    "PROTMOB": (OperationalDomain.LAND, "Force protection and mobility"),
    "NAVAL": (OperationalDomain.MARITIME, "Naval combat"),
    "UWW": (OperationalDomain.MARITIME, "Underwater warfare"),
    "SPACE": (OperationalDomain.SPACE, "Space"),
    "CYBER": (OperationalDomain.CYBER, "Cyber"),
    "C4ISR": (None, "C4ISR"),
    "SENS": (None, "Sensors"),
    "DIGIT": (None, "Digital transformation"),
    "MATCOMP": (None, "Materials and components"),
    "ENERENV": (None, "Energy resilience and environmental transition"),
    "MCBRN": (None, "Medical response, CBRN, biotech and human factors"),
    "SIMTRAIN": (None, "Simulation and training"),
    "DIS": (None, "Disruptive technologies"),
    "RDIS": (None, "Disruptive technologies"),
    "INFRA": (None, "Infrastructure"),
}

CALL_COLUMNS = ("call_identifier", "title", "description_text")
PROJECT_COLUMNS = ("project_id", "acronym", "title", "call_identifier", "status", "start_date", "end_date", "objective")
PARTICIPANT_COLUMNS = (
    "project_id", "pic", "organization_name", "role", "activity_type", "sme", "country_code", "city", "web_link",
    "eu_contribution_eur",
)


def theme_of(call_identifier: str) -> tuple[OperationalDomain | None, str | None]:
    """The operational domain and EDF thematic category coded in a call identifier.

    ``EDF-2023-DA-AIR-SPS`` gives ``(air, "Air combat")``; ``EDF-2021-C4ISR-D-COMS`` gives
    ``(None, "C4ISR")``; an identifier with no known token gives ``(None, None)``.
    """
    for token in call_identifier.upper().split("-"):
        if token in THEMES:
            return THEMES[token]
    return None, None


def read_calls(path: Path, collector: RowCollector) -> list[CapabilityNeedRecord]:
    """Read ``calls.csv`` into capability needs (one per call, ref = call identifier).

    Raises:
        ValidationError: a bad file, a missing column, an empty identifier or title, or a
            duplicate call identifier.
    """
    needs: list[CapabilityNeedRecord] = []
    seen: dict[str, int] = {}
    for row in read_csv(path, CALL_COLUMNS):
        v = row.values

        def parse() -> CapabilityNeedRecord:
            ref = check_text(v["call_identifier"], "call_identifier")
            if ref in seen:
                raise ValidationError(f"duplicate identifier {ref!r} (first on line {seen[ref]})", field="call_identifier")
            domain, theme = theme_of(ref)
            return CapabilityNeedRecord(
                ref=ref,
                title=check_text(v["title"], "title"),
                statement=check_text(v["description_text"], "description_text", required=False),
                operational_domain=domain,
                technology_areas=(theme,) if theme else (),
                priority=Priority.MEDIUM,
                owner_ref=EDF_OWNER.ref,
                source=f"{SOURCE}; {path.name}",
            )

        need = collector.parse(row.line, parse, row.values)
        if need is not None:
            seen[need.ref] = row.line
            needs.append(need)
    return needs


def read_projects_and_participants(
    projects_path: Path,
    participants_path: Path,
    projects: RowCollector,
    participants: RowCollector,
    known_calls: set[str] | None = None,
) -> tuple[list[CompanyRecord], list[SolutionRecord], list[ParticipantRecord], dict[str, dict[str, str]]]:
    """Read EDF projects and their participants.

    A company is identified by its EU PIC: a PIC seen in many projects is one company (its first
    spelling is the legal name, other spellings become aliases). Each project is one solution whose
    company is its coordinator (or its first participant when none is marked coordinator); every
    participant is recorded as a consortium member.

    Returns:
        ``(companies, solutions, participants, project_facts)``, where ``project_facts`` maps a
        solution ref to the project's ``status``, ``start_date``, ``end_date`` and ``call_identifier``
        (used by the quickstart to open cases).

    Raises:
        ValidationError: a bad file or row (9-digit PIC, dates, booleans, duplicate project id).
    """
    companies: dict[str, CompanyRecord] = {}
    aliases: dict[str, list[str]] = {}
    members: dict[str, list[ParticipantRecord]] = {}
    coordinator: dict[str, str] = {}
    seen_pairs: set[tuple[str, str]] = set()
    for row in read_csv(participants_path, PARTICIPANT_COLUMNS):
        v = row.values

        def parse() -> tuple[CompanyRecord, ParticipantRecord]:
            project_id = check_text(v["project_id"], "project_id")
            pic = check_text(v["pic"], "pic")
            company = CompanyRecord(
                ref=f"PIC-{pic}",
                legal_name=check_text(v["organization_name"], "organization_name"),
                country=country_iso3(v["country_code"], "country_code"),
                eu_pic=pic,
                sme=parse_bool(v["sme"], "sme"),
                website=check_text(v["web_link"], "web_link", required=False),
                kind=check_text(v["activity_type"], "activity_type", required=False),
                city=check_text(v["city"], "city", required=False),
                source=f"{SOURCE}; {participants_path.name}",
            )
            member = ParticipantRecord(
                solution_ref=f"EDF-{project_id}",
                company_ref=company.ref,
                role=check_text(v["role"], "role"),
                eu_contribution_eur=parse_float(v["eu_contribution_eur"], "eu_contribution_eur"),
            )
            return company, member

        parsed = participants.parse(row.line, parse, row.values)
        if parsed is None:
            continue
        company, member = parsed
        first = companies.setdefault(company.ref, company)
        if company.legal_name != first.legal_name and company.legal_name not in aliases.setdefault(company.ref, []):
            aliases[company.ref].append(company.legal_name)
        if (member.solution_ref, member.company_ref) in seen_pairs:
            continue
        seen_pairs.add((member.solution_ref, member.company_ref))
        members.setdefault(member.solution_ref, []).append(member)
        if member.role.lower() == "coordinator":
            coordinator.setdefault(member.solution_ref, member.company_ref)
    company_list = [
        CompanyRecord(**{**c.__dict__, "aliases": tuple(aliases.get(ref, ()))}) for ref, c in companies.items()
    ]

    solutions: list[SolutionRecord] = []
    facts: dict[str, dict[str, str]] = {}
    seen: dict[str, int] = {}
    for row in read_csv(projects_path, PROJECT_COLUMNS):
        v = row.values

        def parse_project() -> SolutionRecord:
            project_id = check_text(v["project_id"], "project_id")
            ref = f"EDF-{project_id}"
            if ref in seen:
                raise ValidationError(f"duplicate identifier {project_id!r} (first on line {seen[ref]})", field="project_id")
            start = parse_date(v["start_date"], "start_date")
            end = parse_date(v["end_date"], "end_date")
            if start and end and end < start:
                raise ValidationError(f"ends ({end}) before it starts ({start})", field="end_date")
            lead = coordinator.get(ref) or (members[ref][0].company_ref if members.get(ref) else None)
            if lead is None:
                raise ValidationError(f"project {project_id} has no participant in {participants_path.name}", field="project_id")
            call = check_text(v["call_identifier"], "call_identifier")
            if known_calls is not None and call not in known_calls:
                raise ValidationError(f"call {call!r} is not in the calls file", field="call_identifier")
            _, theme = theme_of(call)
            acronym = check_text(v["acronym"], "acronym", required=False)
            title = check_text(v["title"], "title")
            facts[ref] = {
                "status": check_text(v["status"], "status"),
                "start_date": start.isoformat() if start else "",
                "end_date": end.isoformat() if end else "",
                "call_identifier": call,
            }
            return SolutionRecord(
                ref=ref,
                company_ref=lead,
                name=f"{acronym}: {title}" if acronym and acronym != title else title,
                description=check_text(v["objective"], "objective", required=False),
                technology_areas=(theme,) if theme else (),
                source=f"{SOURCE}; {projects_path.name}",
                year=start.year if start else None,
                need_ref=call,
            )

        solution = projects.parse(row.line, parse_project, row.values)
        if solution is not None:
            seen[solution.ref] = row.line
            solutions.append(solution)
    kept = {s.ref for s in solutions}
    participant_list = [m for ref in sorted(members) if ref in kept for m in members[ref]]
    used = {m.company_ref for m in participant_list} | {s.company_ref for s in solutions}
    company_list = [c for c in company_list if c.ref in used]
    return company_list, solutions, participant_list, facts


def read_edf(folder: Path, *, skip_invalid: bool = False) -> tuple[Batch, dict[str, dict[str, str]]]:
    """Read ``calls.csv[.gz]``, ``projects.csv`` and ``participants.csv`` from ``folder``.

    Returns:
        ``(batch, project_facts)``; see :func:`read_projects_and_participants`.

    Raises:
        ValidationError: the first bad file or row, unless ``skip_invalid``.
    """
    calls_path = folder / "calls.csv"
    if not calls_path.exists():
        calls_path = folder / "calls.csv.gz"
    batch = Batch(organisations=[EDF_OWNER])
    calls = RowCollector(str(calls_path), skip_invalid)
    batch.needs = read_calls(calls_path, calls)
    projects = RowCollector(str(folder / "projects.csv"), skip_invalid)
    participants = RowCollector(str(folder / "participants.csv"), skip_invalid)
    companies, solutions, members, facts = read_projects_and_participants(
        folder / "projects.csv", folder / "participants.csv", projects, participants, {n.ref for n in batch.needs}
    )
    batch.companies, batch.solutions, batch.participants = companies, solutions, members
    batch.rejects = calls.rejects + projects.rejects + participants.rejects
    batch.notes["EDF participant rows"] = len(members)
    return batch, facts
