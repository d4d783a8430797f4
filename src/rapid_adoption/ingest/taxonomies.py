"""Reference tables: TRL and MRL definitions, the NATO members, NATO bodies, technology areas.

Sources are in each file's ``source`` or ``source_url`` column; TRL: NASA NPR 7123.1, DoD TRA
Guidebook, EU H2020 Work Programme Annex G; MRL: DoD Manufacturing Readiness Level Deskbook.
"""

from __future__ import annotations

from pathlib import Path

from ..domain.errors import ValidationError
from ..domain.records import MRL_RANGE, TRL_RANGE, OrganisationRecord, check_level, check_text
from ..domain.types import OrganisationKind
from .batch import Batch
from .files import RowCollector, read_csv
from .values import country_iso3

NATO_BODIES: tuple[OrganisationRecord, ...] = (
    OrganisationRecord("DIANA", "Defence Innovation Accelerator for the North Atlantic", OrganisationKind.NATO_BODY.value, None, "https://www.diana.nato.int/"),
    OrganisationRecord("NIF", "NATO Innovation Fund", OrganisationKind.NATO_BODY.value, None, "https://www.nif.fund/"),
    OrganisationRecord("NCIA", "NATO Communications and Information Agency", OrganisationKind.NATO_BODY.value, None, "https://www.ncia.nato.int/"),
    OrganisationRecord("NSPA", "NATO Support and Procurement Agency", OrganisationKind.NATO_BODY.value, None, "https://www.nspa.nato.int/"),
    OrganisationRecord("ACT", "Allied Command Transformation", OrganisationKind.NATO_BODY.value, None, "https://www.act.nato.int/"),
    OrganisationRecord("CMRE", "NATO STO Centre for Maritime Research and Experimentation", OrganisationKind.NATO_BODY.value, None, "https://www.cmre.nato.int/"),
)
"""NATO bodies seeded into every workspace, with their public home pages."""


def read_taxonomies(folder: Path, *, skip_invalid: bool = False) -> Batch:
    """Read ``nato_members.csv``, ``trl_definitions.csv``, ``mrl_definitions.csv``,
    ``nato_emerging_disruptive_technologies.csv``, ``diana_challenge_areas.csv`` and
    ``dod_critical_technology_areas_2022.csv``.

    Raises:
        ValidationError: the first bad file or row, unless ``skip_invalid``.
    """
    from .edf import EDF_OWNER  # the publisher of the EDF needs; an organisation like the NATO bodies

    batch = Batch(organisations=[*NATO_BODIES, EDF_OWNER])
    collectors: list[RowCollector] = []

    def collect(name: str, columns: tuple[str, ...], parse_row):
        path = folder / name
        collector = RowCollector(str(path), skip_invalid)
        collectors.append(collector)
        out = []
        for row in read_csv(path, columns):
            value = collector.parse(row.line, lambda: parse_row(row.values), row.values)
            if value is not None:
                out.append(value)
        return out

    def member(v):
        iso3 = country_iso3(check_text(v["iso3"], "iso3"), "iso3")
        if country_iso3(v["iso2"], "iso2") != iso3:
            raise ValidationError(f"{v['iso2']!r} and {v['iso3']!r} name different countries", field="iso2")
        return OrganisationRecord(iso3, check_text(v["country"], "country"), OrganisationKind.NATION.value, iso3,
                                  f"NATO member since {v['accession_year']} (nato_members.csv)")

    batch.organisations.extend(collect("nato_members.csv", ("country", "iso2", "iso3", "accession_year"), member))

    def trl(v):
        level = check_level(check_text(v["trl"], "trl"), "trl", TRL_RANGE)
        return (level, check_text(v["nasa_npr7123_1"], "nasa_npr7123_1"), check_text(v["dod_tra"], "dod_tra"),
                check_text(v["eu_h2020_annex_g"], "eu_h2020_annex_g"))

    batch.trl_levels = collect("trl_definitions.csv", ("trl", "nasa_npr7123_1", "dod_tra", "eu_h2020_annex_g"), trl)
    batch.mrl_levels = collect(
        "mrl_definitions.csv", ("mrl", "dod_mrl_deskbook"),
        lambda v: (check_level(check_text(v["mrl"], "mrl"), "mrl", MRL_RANGE), check_text(v["dod_mrl_deskbook"], "dod_mrl_deskbook")),
    )
    batch.technology_areas.extend(collect(
        "nato_emerging_disruptive_technologies.csv", ("edt", "source_url"),
        lambda v: ("NATO EDT", check_text(v["edt"], "edt"), None, v["source_url"] or None),
    ))
    batch.technology_areas.extend(collect(
        "diana_challenge_areas.csv", ("year", "challenge_area", "definition_paraphrase", "source_url"),
        lambda v: (f"DIANA challenge {v['year']}", check_text(v["challenge_area"], "challenge_area"),
                   v["definition_paraphrase"] or None, v["source_url"] or None),
    ))
    batch.technology_areas.extend(collect(
        "dod_critical_technology_areas_2022.csv", ("id", "name", "source"),
        lambda v: ("DoD critical technology area 2022", check_text(v["name"], "name"), None, v["source"] or None),
    ))
    for collector in collectors:
        batch.rejects.extend(collector.rejects)
    return batch
