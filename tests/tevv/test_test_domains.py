"""The test-domain vocabulary on the real data: the 100 bundled centres and the 2,983 bundled needs."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from rapid_adoption.domain.errors import ValidationError
from rapid_adoption.domain.types import CentreType
from rapid_adoption.ingest.edf import read_edf
from rapid_adoption.ingest.files import RowCollector
from rapid_adoption.ingest.network import read_test_centres
from rapid_adoption.ingest.sbir import read_sbir
from rapid_adoption.services.imports import bundled_dir
from rapid_adoption.tevv.test_domains import (
    DEFAULT_CAPACITY_PER_WEEK,
    TEST_DOMAINS,
    area_test_domain,
    centre_test_domains,
    label_test_domains,
    need_test_domain,
)

CENTRES_CSV = bundled_dir("network") / "test_centres.csv"

# Every free-text label of the `domains` column, with the test domains it names: written by hand from the labels
# (the specification the keyword rules must meet), not computed by the module.
EXPECTED_LABELS: dict[str, set[str]] = {
    'advanced hardware (inferred)': {'electronics'},
    'advanced manufacturing': {'materials'},
    'advanced manufacturing (inferred)': {'materials'},
    'aerospace': {'air'},
    'aerospace (inferred)': {'air'},
    'aerospace materials testing': {'air', 'materials'},
    'AI/data': {'ai-data'},
    'AI/data (HPC)': {'ai-data'},
    'AI/data (inferred)': {'ai-data'},
    'AI/data (Mainsail anomaly detection)': {'ai-data'},
    'AI/data (target ID, situational awareness)': {'ai-data'},
    'aircraft': {'air'},
    'arctic operations': {'environment'},
    'autonomous systems': {'autonomy'},
    'autonomy': {'autonomy'},
    'autonomy (inferred)': {'autonomy'},
    'autonomy (virtual vehicle trials)': {'autonomy'},
    'aviation (inferred)': {'air'},
    'ballistic protection': {'munitions'},
    'biotech': {'biotech'},
    'biotech (inferred)': {'biotech'},
    'BVLOS': {'air'},
    'C4ISR/EW (inferred)': {'comms', 'ew-rf'},
    'CBRN': {'cbrn'},
    'CBRN/rescue (inferred)': {'cbrn'},
    'cloud': {'ai-data'},
    'cold-water/near-Arctic testing': {'environment'},
    'comms/5G': {'comms'},
    'comms/5G (inferred)': {'comms'},
    'comms/5G/6G (inferred)': {'comms'},
    'comms/6G': {'comms'},
    'comms/telecom': {'comms'},
    'concept development & experimentation': {'general'},
    'critical infrastructure protection': set(),
    'cyber': {'cyber'},
    'cyber (industrial/OT)': {'cyber'},
    'cyber (inferred)': {'cyber'},
    'cyber range': {'cyber'},
    'cyber-secure comms': {'comms', 'cyber'},
    'digital systems': {'ai-data'},
    'digitalisation': {'ai-data'},
    'electronics/semiconductors': {'electronics'},
    'energy': {'energy'},
    'energy & propulsion': {'energy'},
    'environmental & food safety testing': {'environment'},
    'environmental engineering': {'environment'},
    'environmental/climatic & mechanical testing': {'environment'},
    'general dual-use deep tech': {'general'},
    'general dual-use deep tech (inferred)': {'general'},
    'ground vehicles/automotive': {'land'},
    'human enhancement': {'biotech'},
    'hydrodynamics/maritime (inferred)': {'maritime'},
    'hypersonics': {'munitions'},
    'infectious disease / biosecurity (CBRN-B inferred)': {'biotech', 'cbrn'},
    'interceptor drones': {'air', 'c-uas'},
    'internal security (inferred)': set(),
    'IoT': {'comms'},
    'IoT (inferred)': {'comms'},
    'land systems (inferred)': {'land'},
    'land vehicles (inferred)': {'land'},
    'maritime': {'maritime'},
    'maritime (inferred)': {'maritime'},
    'maritime uncrewed systems': {'maritime'},
    'maritime uncrewed systems (sea drones)': {'maritime'},
    'materials': {'materials'},
    'materials & advanced manufacturing': {'materials'},
    'materials (inferred)': {'materials'},
    'MCM': {'maritime', 'undersea'},
    'missiles': {'munitions'},
    'missiles/IAMD': {'munitions'},
    'nanoelectronics/semiconductors (inferred)': {'electronics'},
    'nanotechnology': {'materials'},
    'naval targets': {'maritime'},
    'network integration': {'comms'},
    'ocean tech': {'maritime'},
    'offshore energy': {'energy', 'maritime'},
    'prototype testing': {'general'},
    'quantum': {'quantum'},
    'quantum (sensors, encryption units, computers)': {'quantum'},
    'quantum sensing': {'quantum', 'sensors'},
    'remote sensing': {'sensors'},
    'RF': {'ew-rf'},
    'RF/EW': {'ew-rf'},
    'RF/EW & cyber': {'cyber', 'ew-rf'},
    'RF/EW (inferred)': {'ew-rf'},
    'RF/EW (jammers)': {'ew-rf'},
    'robotics & automation': {'autonomy'},
    'robotics (inferred)': {'autonomy'},
    'robotics/UGV': {'autonomy', 'land'},
    'rockets/missiles': {'munitions'},
    'seabed critical infrastructure monitoring': {'sensors', 'undersea'},
    'secure information sharing': {'comms'},
    'semiconductors/chips': {'electronics'},
    'sensing & surveillance (2023 challenge themes)': {'sensors'},
    'sensors': {'sensors'},
    'sensors (e.g. IED detection)': {'sensors'},
    'sounding rockets': {'space'},
    'space': {'space'},
    'space (inferred)': {'space'},
    'space (radiation testing of satellite components)': {'space'},
    'space (SPACE research centre, SeRANIS smallsat) (inferred)': {'space'},
    'space systems': {'space'},
    'spectrum': {'ew-rf'},
    'submarine-launched munitions': {'munitions', 'undersea'},
    'target drones': {'air'},
    'target drones/UAV': {'air'},
    'torpedoes': {'munitions', 'undersea'},
    'tracking': {'sensors'},
    'UAV': {'air'},
    'UAV (inferred)': {'air'},
    'UAV swarms': {'air'},
    'UAV/C-UAS': {'air', 'c-uas'},
    'UGV/autonomy (inferred)': {'autonomy', 'land'},
    'undersea': {'undersea'},
    'undersea sensing (towed arrays)': {'sensors', 'undersea'},
    'unspecified (source gives no domain)': {'general'},
    'unspecified deep-tech testing': {'general'},
    'USV': {'maritime'},
    'UUV': {'undersea'},
    'weapons & ammunition': {'munitions'},
    'XLUUV': {'undersea'},
}

# Centres per test domain in test_centres.csv (100 centres; a centre counts once per domain it supports).
EXPECTED_CENTRES_PER_DOMAIN = {
    "air": 25, "land": 6, "maritime": 15, "undersea": 11, "space": 12, "cyber": 17, "c-uas": 6, "ew-rf": 10,
    "comms": 13, "ai-data": 17, "autonomy": 10, "sensors": 8, "munitions": 10, "cbrn": 3, "materials": 10,
    "electronics": 4, "energy": 3, "quantum": 9, "biotech": 8, "environment": 5, "general": 16,
}


def _raw_rows() -> list[dict[str, str]]:
    with open(CENTRES_CSV, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_label_of_the_real_file_maps_as_specified():
    labels = {label.strip() for row in _raw_rows() for label in row["domains"].split(";")}
    assert labels == set(EXPECTED_LABELS)
    assert {label: set(label_test_domains(label)) for label in labels} == EXPECTED_LABELS


def test_centres_per_test_domain_on_the_real_file():
    # Independent count: the hand-written label table over the raw CSV (no module code), a centre with no mapped
    # label counting as "general".
    independent: Counter[str] = Counter()
    for row in _raw_rows():
        domains = set().union(*(EXPECTED_LABELS[label.strip()] for label in row["domains"].split(";")))
        independent.update(domains or {"general"})
    assert dict(independent) == EXPECTED_CENTRES_PER_DOMAIN
    # The module, on the records of the project's ingest reader.
    records = read_test_centres(CENTRES_CSV, RowCollector(CENTRES_CSV.name))
    assert len(records) == 100
    counted = Counter(domain for record in records for domain in centre_test_domains(record.domains))
    assert dict(counted) == EXPECTED_CENTRES_PER_DOMAIN
    assert set(counted) == set(TEST_DOMAINS)  # every domain of the vocabulary has a real centre


def test_named_centres():
    records = {r.name: r for r in read_test_centres(CENTRES_CSV, RowCollector(CENTRES_CSV.name))}
    assert centre_test_domains(records["Lt Gen Best Barracks (Vredepeel)"].domains) == {"air", "c-uas", "ew-rf"}
    assert centre_test_domains(records["NUWC Division Keyport ranges (Dabob Bay, Keyport, Quinault)"].domains) == {
        "undersea", "munitions"}
    assert centre_test_domains(records["Estonian Academy of Security Sciences"].domains) == {"cbrn"}
    assert centre_test_domains(records["RISE Research Institutes of Sweden"].domains) == {"general"}


def test_centre_domains_edge_cases():
    assert centre_test_domains([]) == {"general"}
    assert centre_test_domains(["internal security (inferred)"]) == {"general"}
    assert centre_test_domains("UAV/C-UAS;RF/EW (jammers)") == {"air", "c-uas", "ew-rf"}
    assert centre_test_domains(["", "  "]) == {"general"}


def test_need_rules_in_order():
    # 1. specialised keywords in the title or areas win over the operational domain
    assert need_test_domain("air", ["Air and missile defence"], "Counter unmanned aerial systems\n...") == "c-uas"
    assert need_test_domain("maritime", ["Underwater warfare"], "Future maritime mine countermeasures") == "undersea"
    assert need_test_domain(None, ["Sensors"], "Enhanced cognitive electronic warfare system") == "ew-rf"
    # ... but not in the statement: "Collaborative air combat" mentions electronic warfare in passing
    assert need_test_domain("air", ["Air combat"], "Collaborative air combat\nwith electronic warfare") == "air"
    # 2. the operational domain
    assert need_test_domain("land", ["Materials/Processes"], "Track pins") == "land"
    assert need_test_domain("SPACE", [], "") == "space"
    # 3. technology areas in order, by the table, then by the centre rules
    assert need_test_domain(None, ["Materials/Processes", "Sensors"], "") == "materials"
    assert need_test_domain(None, ["Unknown area", "Battlespace"], "") == "ai-data"
    assert need_test_domain(None, ["Quantum-enabled technologies"], "") == "quantum"
    assert need_test_domain(None, ["hypersonic glide"], "") == "munitions"
    # 4. keywords: the title first, then the most matches in the whole text
    assert need_test_domain(None, [], "Low Emissions Waste to Energy Disposal\nsoftware data") == "energy"
    assert need_test_domain(None, [], "Device\nA radar with a sensor; a radar array; software") == "sensors"
    # 5. nothing matches
    assert need_test_domain(None, [], "Non-thematic development actions by SMEs") == "general"


def test_area_table():
    assert area_test_domain("Air Platform") == "air"
    assert area_test_domain("  chemical/biological   DEFENSE ") == "cbrn"
    assert area_test_domain("Medical response, CBRN, biotech and human factors") == "cbrn"
    assert area_test_domain("UAV swarms") == "air"
    assert area_test_domain("Philately") is None


def test_bad_operational_domain():
    with pytest.raises(ValidationError) as caught:
        need_test_domain("sea", [], "")
    assert str(caught.value) == "operational_domain: must be land, maritime, air, space or cyber, got 'sea'"


def test_default_capacity_covers_every_centre_type():
    assert DEFAULT_CAPACITY_PER_WEEK == {"test range": 3, "test centre": 2, "accelerator site": 1}
    assert set(DEFAULT_CAPACITY_PER_WEEK) == {t.value for t in CentreType}


@pytest.mark.slow
def test_real_needs_per_test_domain():
    edf, _ = read_edf(bundled_dir("edf"))
    sbir, _ = read_sbir(bundled_dir("sbir"))
    needs = edf.needs + sbir.needs
    counted = Counter(need_test_domain(n.operational_domain, n.technology_areas, f"{n.title}\n{n.statement or ''}")
                      for n in needs)
    assert len(needs) == 2983
    assert dict(sorted(counted.items())) == {
        "ai-data": 333, "air": 299, "autonomy": 18, "biotech": 219, "c-uas": 5, "cbrn": 54, "comms": 65, "cyber": 22,
        "electronics": 157, "energy": 138, "ew-rf": 66, "general": 141, "land": 91, "maritime": 254, "materials": 376,
        "munitions": 204, "quantum": 12, "sensors": 280, "space": 161, "undersea": 88,
    }
    by_ref = {n.ref: n for n in edf.needs}
    cuas = by_ref["EDF-2023-DA-AIRDEF-CUAS"]
    assert need_test_domain(cuas.operational_domain, cuas.technology_areas, cuas.title) == "c-uas"
