"""US DoD SBIR/STTR: Phase II awards become companies and solutions; topics become capability
needs; Navy SBIR-to-Phase-III transitions become needs, solutions and adoption-case facts.

Source: SBIR.gov public data (US government work, public domain); ``topics_airforce_2015_1.json``
is CC0; ``navy_transitions.csv`` is under the MIT licence (see the LICENSE files beside them).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..domain.errors import ValidationError
from ..domain.records import CapabilityNeedRecord, CompanyRecord, OrganisationRecord, SolutionRecord, check_text
from ..domain.types import OperationalDomain, OrganisationKind, Priority
from .batch import Batch
from .files import RowCollector, read_csv, read_json_array, read_jsonl
from .names import cluster_names, name_key
from .values import parse_date

USA = OrganisationRecord("USA", "United States of America", OrganisationKind.NATION.value, "USA", "NATO members (nato_members.csv)")
SOURCE = "SBIR.gov public data (US DoD SBIR/STTR), public domain"

TECH_AREA_SPELLINGS = {
    "Info Systems": "Information Systems",
    "Info System": "Information Systems",
    "Information SystemsTECHNOLOGY AREA(S): Information Systems": "Information Systems",
    "Materials": "Materials/Processes",
    "Bio Medical": "Biomedical",
    "Ground Sea": "Ground/Sea Vehicles",
    "Chem Bio_defense": "Chemical/Biological Defense",
    "Nuclear": "Nuclear Technology",
    "Lectronics": "Electronics",
}
"""Variant spellings of DoD SBIR technology areas in the topics file, mapped to the standard name."""

_TECH_AREA = re.compile(r"^[A-Z][A-Za-z /_-]+$")


def clean_tech_areas(areas: list[str] | None) -> tuple[str, ...]:
    """Normalise DoD SBIR technology-area names; drops entries that are not names (e.g. "+f60s")."""
    out: dict[str, None] = {}
    for area in areas or []:
        area = TECH_AREA_SPELLINGS.get(str(area).strip(), str(area).strip())
        if _TECH_AREA.match(area):
            out.setdefault(area, None)
    return tuple(out)


def topic_domain(areas: tuple[str, ...], component: str | None) -> OperationalDomain | None:
    """The operational domain implied by a topic's technology areas, or None when they do not say.

    "Air Platform" is air, "Space Platforms" is space, "Ground/Sea Vehicles" is maritime for a Navy
    topic and land otherwise. Other areas (sensors, electronics, ...) cross domains.
    """
    if "Air Platform" in areas:
        return OperationalDomain.AIR
    if "Space Platforms" in areas:
        return OperationalDomain.SPACE
    if "Ground/Sea Vehicles" in areas:
        return OperationalDomain.MARITIME if (component or "").startswith("Navy") else OperationalDomain.LAND
    return None


def _title_key(title: str) -> str:
    return " ".join(title.lower().split())


def firm_ref(cluster_key: str) -> str:
    """The company ref for an SBIR firm cluster, e.g. ``SBIR-FIRM-acme-research``."""
    return "SBIR-FIRM-" + cluster_key.replace(" ", "-")


def _check_year(value, name: str = "year") -> int:
    if isinstance(value, bool) or not isinstance(value, int) and not (isinstance(value, str) and value.strip().isdigit()):
        raise ValidationError(f"must be a year such as 2015, got {value!r}", field=name)
    year = int(value)
    if not 1950 <= year <= 2100:
        raise ValidationError(f"must be a year between 1950 and 2100, got {year}", field=name)
    return year


@dataclass(frozen=True)
class TransitionFacts:
    """A Navy SBIR-to-Phase-III transition, as the quickstart needs it to open a case.

    Attributes:
        need_ref, solution_ref: the records made from the row.
        first_topic_fiscal_year: US fiscal year of the earliest prior SBIR topic code, or None
            when no code carries a year (e.g. "NASA Z1.05").
        transition_year: the year of the Phase III transition (the contract).
        command: the Navy systems command, e.g. NAVSEA.
        transition_value: the value as printed in the source, e.g. "$7,910,825".
        transition_type: e.g. "procurement".
        prior_sbir: the topic codes as printed.
        source_url: where the row comes from.
        line: the row's line in the file.
    """

    need_ref: str
    solution_ref: str
    first_topic_fiscal_year: int | None
    transition_year: int
    command: str
    transition_value: str
    transition_type: str
    prior_sbir: str
    source_url: str
    line: int


_TOPIC_YEAR = re.compile(r"(?:^|\s)[A-Z]+\s?(\d{2})[A-Z0-9]*-")


def topic_fiscal_years(codes: str) -> list[int]:
    """The fiscal years coded in DoD SBIR topic numbers, in order of appearance.

    ``N112-137`` is FY2011, ``A14-032`` FY2014, ``SOCOM96-002`` FY1996, and a component written
    apart from its number counts too (``OSD 04-DH4`` is FY2004, ``SOCOM 02-006`` FY2002). A code
    with no year (``NASA Z1.05``) gives nothing. Two-digit years 80-99 are 19xx and 00-79 are 20xx
    (DoD SBIR began in 1983).
    """
    years = []
    for match in _TOPIC_YEAR.finditer(codes.strip().upper()):
        yy = int(match.group(1))
        years.append(1900 + yy if yy >= 80 else 2000 + yy)
    return years


AWARD_KEYS = ("firm", "title", "abstract", "year", "url")
TOPIC_KEYS = ("topic_title", "description", "technology_areas", "release_date")
AF_TOPIC_KEYS = ("topic_number", "title", "objective", "description", "technology_areas")
TRANSITION_COLUMNS = ("firm", "command", "prior_sbir", "transition_value", "year", "description", "source_url")


def _require_keys(obj: dict, keys: tuple[str, ...]) -> None:
    for key in keys:
        if key not in obj:
            raise ValidationError("is missing", field=key)


def read_sbir(folder: Path, *, skip_invalid: bool = False) -> tuple[Batch, list[TransitionFacts]]:
    """Read the SBIR files in ``folder``: ``awards_phase2_1984_2017.jsonl.gz``,
    ``topics_2008_2018.jsonl.gz``, ``topics_airforce_2015_1.json[.gz]`` and ``navy_transitions.csv``.

    Firm names from the awards and the transitions are merged with
    :func:`~rapid_adoption.ingest.names.cluster_names`; the counts are in ``batch.notes``. A topic of
    the 2008-2018 file whose title matches an Air Force 2015.1 topic is the same need and is kept once,
    under its topic number.

    Returns:
        ``(batch, transitions)``.

    Raises:
        ValidationError: the first bad file or row, unless ``skip_invalid``.
    """
    batch = Batch(organisations=[USA])
    awards_path = folder / "awards_phase2_1984_2017.jsonl.gz"
    if not awards_path.exists():
        awards_path = folder / "awards_phase2_1984_2017.jsonl"
    awards = RowCollector(str(awards_path), skip_invalid)
    parsed_awards: list[tuple[str, SolutionRecord]] = []
    seen: dict[str, int] = {}
    for line, obj in read_jsonl(awards_path):

        def parse_award() -> tuple[str, SolutionRecord]:
            _require_keys(obj, AWARD_KEYS)
            firm = check_text(obj["firm"], "firm")
            url = check_text(obj["url"], "url")
            award_id = url.rstrip("/").rsplit("/", 1)[-1]
            ref = f"SBIR-AWARD-{award_id}"
            if ref in seen:
                raise ValidationError(f"duplicate award {url!r} (first on line {seen[ref]})", field="url")
            return firm, SolutionRecord(
                ref=ref,
                company_ref="(pending)",
                name=check_text(obj["title"], "title"),
                description=check_text(obj["abstract"], "abstract", required=False),
                technology_areas=(),
                source=url,
                year=_check_year(obj["year"]),
            )

        parsed = awards.parse(line, parse_award, obj)
        if parsed is not None:
            seen[parsed[1].ref] = line
            parsed_awards.append(parsed)

    transitions_path = folder / "navy_transitions.csv"
    transitions = RowCollector(str(transitions_path), skip_invalid)
    raw_transitions = []
    for row in read_csv(transitions_path, TRANSITION_COLUMNS):
        v = row.values

        def parse_transition():
            firm = check_text(v["firm"], "firm")
            description = check_text(v["description"], "description")
            year = _check_year(v["year"])
            codes = (v["prior_sbir"] or "").split()
            years = topic_fiscal_years(v["prior_sbir"] or "")
            return firm, description, year, codes, (min(years) if years else None)

        parsed = transitions.parse(row.line, parse_transition, row.values)
        if parsed is not None:
            raw_transitions.append((row, parsed))

    clusters = cluster_names([firm for firm, _ in parsed_awards] + [p[0] for _, p in raw_transitions])
    batch.notes["SBIR firm spellings"] = len(clusters.key_of)
    batch.notes["SBIR firm spellings merged (exact key)"] = clusters.exact_merges
    batch.notes["SBIR firm spellings merged (fuzzy)"] = clusters.fuzzy_merges
    batch.notes["SBIR companies after merging"] = len(clusters.canonical)
    for key, spelling in sorted(clusters.canonical.items()):
        batch.companies.append(
            CompanyRecord(
                ref=firm_ref(key),
                legal_name=spelling,
                aliases=tuple(s for s in clusters.spellings[key] if s != spelling),
                country="USA",
                sme=True,  # SBIR/STTR awards go only to US small businesses (15 U.S.C. 638)
                kind="Small business (SBIR/STTR awardee)",
                source=SOURCE,
            )
        )
    for firm, solution in parsed_awards:
        batch.solutions.append(SolutionRecord(**{**solution.__dict__, "company_ref": firm_ref(clusters.key_of[firm.strip()])}))

    facts: list[TransitionFacts] = []
    for row, (firm, description, year, codes, fiscal_year) in raw_transitions:
        v = row.values
        digest = hashlib.sha1(f"{firm}|{description}|{year}".encode()).hexdigest()[:10]
        need_ref, solution_ref = f"NAVY-NEED-{digest}", f"NAVY-P3-{digest}"
        command = (v["command"] or "Navy").strip()
        batch.needs.append(
            CapabilityNeedRecord(
                ref=need_ref,
                title=f"{command}: {description}",
                statement=f"US Navy ({command}) need met through SBIR topics {' '.join(codes) or '(none given)'}: {description}",
                operational_domain=OperationalDomain.MARITIME,
                technology_areas=(),
                priority=Priority.MEDIUM,
                owner_ref="USA",
                source=(v["source_url"] or "").strip() or transitions_path.name,
            )
        )
        batch.solutions.append(
            SolutionRecord(
                ref=solution_ref,
                company_ref=firm_ref(clusters.key_of[firm]),
                name=description,
                description=f"SBIR-developed solution transitioned to a Phase III {v.get('transition_type') or 'procurement'} contract in {year} ({command}).",
                source=(v["source_url"] or "").strip() or transitions_path.name,
                year=year,
                need_ref=need_ref,
            )
        )
        facts.append(
            TransitionFacts(need_ref, solution_ref, fiscal_year, year, command, (v["transition_value"] or "").strip(),
                            (v.get("transition_type") or "procurement").strip(), (v["prior_sbir"] or "").strip(), (v["source_url"] or "").strip(), row.line)
        )

    af_path = folder / "topics_airforce_2015_1.json"
    if not af_path.exists():
        af_path = folder / "topics_airforce_2015_1.json.gz"
    af = RowCollector(str(af_path), skip_invalid)
    af_titles: set[str] = set()
    af_refs: dict[str, int] = {}
    for line, obj in read_json_array(af_path):

        def parse_af() -> CapabilityNeedRecord:
            _require_keys(obj, AF_TOPIC_KEYS)
            areas = clean_tech_areas(obj.get("technology_areas"))
            objective = check_text(obj["objective"], "objective", required=False) or ""
            description = check_text(obj["description"], "description", required=False) or ""
            keywords = ", ".join(obj.get("keywords") or [])
            statement = "\n\n".join(p for p in (objective, description, f"Keywords: {keywords}" if keywords else "") if p)
            ref = check_text(obj["topic_number"], "topic_number")
            if ref in af_refs:
                raise ValidationError(f"duplicate topic number {ref!r} (first on line {af_refs[ref]})", field="topic_number")
            return CapabilityNeedRecord(
                ref=ref,
                title=check_text(obj["title"], "title"),
                statement=statement or None,
                operational_domain=topic_domain(areas, "Air Force"),
                technology_areas=areas,
                priority=Priority.MEDIUM,
                owner_ref="USA",
                source=obj.get("url") or af_path.name,
                published_on=parse_date(obj.get("proposals_begin_date"), "proposals_begin_date"),
            )

        need = af.parse(line, parse_af, obj)
        if need is not None:
            af_refs[need.ref] = line
            af_titles.add(_title_key(need.title))
            batch.needs.append(need)

    topics_path = folder / "topics_2008_2018.jsonl.gz"
    if not topics_path.exists():
        topics_path = folder / "topics_2008_2018.jsonl"
    topics = RowCollector(str(topics_path), skip_invalid)
    merged_topics = 0
    topic_refs: dict[str, int] = {}
    for line, obj in read_jsonl(topics_path):

        def parse_topic() -> CapabilityNeedRecord:
            _require_keys(obj, TOPIC_KEYS)
            title = check_text(obj["topic_title"], "topic_title")
            published = parse_date(obj.get("release_date"), "release_date", ("%B %d, %Y", "%Y-%m-%d"))
            component = obj.get("component")
            digest = hashlib.sha1(f"{title}|{component}|{obj.get('release_date')}".encode()).hexdigest()[:10]
            areas = clean_tech_areas(obj.get("technology_areas"))
            if f"SBIR-TOPIC-{digest}" in topic_refs:
                raise ValidationError(
                    f"duplicate topic: same title, component and release date as line {topic_refs[f'SBIR-TOPIC-{digest}']}",
                    field="topic_title",
                )
            return CapabilityNeedRecord(
                ref=f"SBIR-TOPIC-{digest}",
                title=title,
                statement=check_text(obj["description"], "description", required=False),
                operational_domain=topic_domain(areas, component),
                technology_areas=areas,
                priority=Priority.MEDIUM,
                owner_ref="USA",
                source=obj.get("url") or topics_path.name,
                published_on=published,
            )

        need = topics.parse(line, parse_topic, obj)
        if need is None:
            continue
        if _title_key(need.title) in af_titles:
            merged_topics += 1
            continue
        topic_refs[need.ref] = line
        batch.needs.append(need)
    batch.notes["SBIR topics in both topic files, kept once"] = merged_topics
    batch.rejects = awards.rejects + transitions.rejects + af.rejects + topics.rejects
    return batch, facts
