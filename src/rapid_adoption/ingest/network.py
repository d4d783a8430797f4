"""The test-centre network, DIANA cohorts and NIF investments.

Sources: ``test_centres.csv`` and ``diana_cohorts.csv`` (facts from public pages, each row with its
source URL); ``nato_innovation_seed_facts.csv`` (dated facts about NATO innovation, each with its
source URL).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..domain.errors import ValidationError
from ..domain.records import (
    InvestmentRecord,
    ProgrammeMembershipRecord,
    TestCentreRecord,
    check_enum,
    check_text,
    split_list,
)
from ..domain.types import CentreType
from .batch import Batch
from .files import RowCollector, read_csv
from .values import country_iso3

CENTRE_COLUMNS = ("name", "type", "city", "country_iso3", "operator", "domains", "source_url", "notes")
COHORT_COLUMNS = ("company", "country_iso3", "cohort_year", "challenge_area", "source_url")
SEED_COLUMNS = ("kind", "name", "country_iso2", "note", "source_url")

DIANA_PROGRAMME = "DIANA challenge programme"
NIF = "NATO Innovation Fund"


def slug(text: str) -> str:
    """A lower-case slug of ``text`` that keeps letters of every script: "OGR Torino (Officine...)" gives
    "ogr-torino-officine...", "Ørsted Range" gives "ørsted-range". Used for stable refs; not for display.
    """
    return re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", text).casefold()).strip("-")[:120]


def read_test_centres(path: Path, collector: RowCollector) -> list[TestCentreRecord]:
    """Read ``test_centres.csv``; the ref is ``slug(name)-country``.

    Raises:
        ValidationError: a bad file or row: unknown type, a bad country code, a duplicate centre.
    """
    centres: list[TestCentreRecord] = []
    seen: dict[str, int] = {}
    for row in read_csv(path, CENTRE_COLUMNS):
        v = row.values

        def parse() -> TestCentreRecord:
            name = check_text(v["name"], "name")
            country = country_iso3(check_text(v["country_iso3"], "country_iso3"), "country_iso3")
            ref = f"{slug(name)}-{country.lower()}"
            if ref in seen:
                raise ValidationError(f"duplicate centre {name!r} in {country} (first on line {seen[ref]})", field="name")
            return TestCentreRecord(
                ref=ref,
                name=name,
                centre_type=check_enum(v["type"], CentreType, "type"),
                country=country,
                city=check_text(v["city"], "city", required=False),
                operator=check_text(v["operator"], "operator", required=False),
                domains=split_list(v["domains"]),
                capabilities=split_list(v.get("capabilities")),
                source=check_text(v["source_url"], "source_url", required=False) or "",
                notes=check_text(v["notes"], "notes", required=False),
            )

        centre = collector.parse(row.line, parse, row.values)
        if centre is not None:
            seen[centre.ref] = row.line
            centres.append(centre)
    return centres


def read_cohorts(path: Path, collector: RowCollector) -> list[ProgrammeMembershipRecord]:
    """Read ``diana_cohorts.csv`` into DIANA challenge-programme memberships.

    Raises:
        ValidationError: a bad file or row (cohort year not a year, bad country).
    """
    out: list[ProgrammeMembershipRecord] = []
    for row in read_csv(path, COHORT_COLUMNS):
        v = row.values

        def parse() -> ProgrammeMembershipRecord:
            year_text = (v["cohort_year"] or "").strip()
            if year_text and not re.fullmatch(r"(19|20)\d\d", year_text):
                raise ValidationError(f"must be a year such as 2023, got {year_text!r}", field="cohort_year")
            return ProgrammeMembershipRecord(
                company_name=check_text(v["company"], "company"),
                country=country_iso3(v["country_iso3"], "country_iso3"),
                programme=DIANA_PROGRAMME,
                year=int(year_text) if year_text else None,
                challenge_area=check_text(v["challenge_area"], "challenge_area", required=False),
                source=check_text(v["source_url"], "source_url", required=False) or path.name,
            )

        record = collector.parse(row.line, parse, row.values)
        if record is not None:
            out.append(record)
    return out


def read_seed_facts(path: Path, collector: RowCollector) -> tuple[list[ProgrammeMembershipRecord], list[InvestmentRecord]]:
    """Read the programme and investment rows of ``nato_innovation_seed_facts.csv``.

    ``nif_direct_investment`` and ``nif_fund_investment`` rows become NIF investments (no amount or
    day is public in the source); ``diana_2023_cohort`` and ``diana_2023_cohort_phase2`` rows become
    DIANA memberships (2023 cohort; phase 2 in 2024). Other kinds (sites, centres) are facts about
    the network, already in ``test_centres.csv``, and are not read here.

    Raises:
        ValidationError: a bad file or row.
    """
    memberships: list[ProgrammeMembershipRecord] = []
    investments: list[InvestmentRecord] = []
    for row in read_csv(path, SEED_COLUMNS):
        v = row.values
        kind = (v["kind"] or "").strip()
        if kind not in ("nif_direct_investment", "nif_fund_investment", "diana_2023_cohort", "diana_2023_cohort_phase2"):
            continue

        def parse():
            name = check_text(v["name"], "name")
            country = country_iso3(v["country_iso2"], "country_iso2")
            note = check_text(v["note"], "note", required=False)
            source = check_text(v["source_url"], "source_url", required=False) or path.name
            if kind.startswith("nif"):
                return InvestmentRecord(name, country, NIF, None, None, note, source)
            phase2 = kind.endswith("phase2")
            return ProgrammeMembershipRecord(
                name, country, DIANA_PROGRAMME + (" (phase 2)" if phase2 else ""), 2024 if phase2 else 2023, note, source
            )

        record = collector.parse(row.line, parse, row.values)
        if isinstance(record, InvestmentRecord):
            investments.append(record)
        elif record is not None:
            memberships.append(record)
    return memberships, investments


def read_network(network: Path, taxonomies: Path, *, skip_invalid: bool = False) -> Batch:
    """Read the test centres and cohorts in ``network`` and the NIF facts in ``taxonomies``.

    Raises:
        ValidationError: the first bad file or row, unless ``skip_invalid``.
    """
    batch = Batch()
    centres = RowCollector(str(network / "test_centres.csv"), skip_invalid)
    cohorts = RowCollector(str(network / "diana_cohorts.csv"), skip_invalid)
    seeds = RowCollector(str(taxonomies / "nato_innovation_seed_facts.csv"), skip_invalid)
    batch.centres = read_test_centres(network / "test_centres.csv", centres)
    batch.memberships = read_cohorts(network / "diana_cohorts.csv", cohorts)
    more, batch.investments = read_seed_facts(taxonomies / "nato_innovation_seed_facts.csv", seeds)
    batch.memberships.extend(more)
    batch.rejects = centres.rejects + cohorts.rejects + seeds.rejects
    return batch
