"""The normalised test-domain vocabulary, and the mapping of centres' and needs' free text onto it.

A trial names exactly one **test domain**; a test centre supports a set of them. The scheduler only places a trial at a
centre that supports its domain. The vocabulary (:data:`TEST_DOMAINS`, each with its meaning in
:data:`TEST_DOMAIN_DESCRIPTIONS`) is:

``air``, ``land``, ``maritime``, ``undersea``, ``space``, ``cyber``, ``c-uas`` (counter-drone), ``ew-rf`` (electronic
warfare, radio frequency, spectrum), ``comms`` (communications, networks, IoT), ``ai-data`` (AI, data, digital, cloud),
``autonomy`` (autonomous systems and robotics), ``sensors``, ``munitions`` (weapons, missiles, rockets, torpedoes,
ballistics), ``cbrn``, ``materials`` (and manufacturing), ``electronics`` (and semiconductors), ``energy`` (and
propulsion), ``quantum``, ``biotech`` (and human performance), ``environment`` (climatic, mechanical, arctic and
environmental testing) and ``general`` (general or unspecified prototype testing).

How centres are mapped (:func:`centre_test_domains`): each ';'-separated label of the ``domains`` column of
``data/network/test_centres.csv`` is lower-cased, its parenthesised notes such as "(inferred)" or "(e.g. IED
detection)" are dropped, and every rule of :data:`CENTRE_RULES` whose pattern matches adds its domains. For example
"UAV/C-UAS" gives ``{air, c-uas}`` and "RF/EW & cyber" gives ``{ew-rf, cyber}``. Labels that name a mission rather
than a kind of test ("critical infrastructure protection", "internal security") add nothing. A centre left with no
domain gets ``general``.

How needs are mapped (:func:`need_test_domain`), first rule that gives a domain wins:

1. specialised keywords in the need's title or technology areas (:data:`SPECIALISED_RULES`): counter-drone,
   electronic warfare, quantum, CBRN, undersea; these need a specialised range whatever the operational domain;
2. the need's operational domain (land, maritime, air, space, cyber: the test domain of the same name);
3. its technology areas, in order, by the table :data:`TECHNOLOGY_AREA_DOMAINS` (the SBIR, EDF, DIANA, DoD and NATO
   area names in the bundled data), then by the centre rules for other names;
4. general keywords (:data:`TEXT_RULES`): the first rule that matches the title, else the rule with the most
   matches in the whole text (title and statement; ties go to the earlier rule);
5. ``general``.

Keyword matching is whole-word, case-insensitive regular expressions: a keyword table is enough for these short
labels, so no fuzzy matching is used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..domain.errors import ValidationError

TEST_DOMAIN_DESCRIPTIONS: dict[str, str] = {
    "air": "aircraft, aviation, aerospace, uncrewed aerial systems and BVLOS flight",
    "land": "land systems, ground vehicles and uncrewed ground vehicles",
    "maritime": "surface maritime systems, uncrewed surface vessels, naval targets, ocean technology",
    "undersea": "undersea systems: UUVs, torpedoes, submarine systems, seabed, mine countermeasures",
    "space": "space systems, satellites, sounding rockets and radiation testing of satellite parts",
    "cyber": "cyber security and cyber ranges",
    "c-uas": "counter-uncrewed aerial systems (counter-drone) and interceptor drones",
    "ew-rf": "electronic warfare, radio frequency, jamming and the electromagnetic spectrum",
    "comms": "communications (5G/6G, telecom), networks, IoT and secure information sharing",
    "ai-data": "artificial intelligence, data, digital systems, cloud and computing",
    "autonomy": "autonomous systems and robotics",
    "sensors": "sensors, sensing, surveillance, tracking and monitoring",
    "munitions": "weapons, ammunition, missiles, rockets, hypersonics, torpedoes and ballistic tests",
    "cbrn": "chemical, biological, radiological and nuclear defence",
    "materials": "materials, nanotechnology and advanced manufacturing",
    "electronics": "electronics, semiconductors and advanced hardware",
    "energy": "energy, power and propulsion",
    "quantum": "quantum technologies: sensing, communication, computing",
    "biotech": "biotechnology, life sciences, medicine and human performance",
    "environment": "environmental, climatic and mechanical testing, arctic and cold-water conditions",
    "general": "general or unspecified prototype testing, concept development and experimentation",
}
"""Each normalised test domain with what it covers."""

TEST_DOMAINS: tuple[str, ...] = tuple(TEST_DOMAIN_DESCRIPTIONS)
"""The normalised test domains, in the documented order."""

DEFAULT_CAPACITY_PER_WEEK: dict[str, int] = {"test range": 3, "test centre": 2, "accelerator site": 1}
"""Concurrent trials a site can run in one week by default, by centre type (``CentreType`` values).

These are this project's planning defaults, not published figures (the sources give no capacities): a range has
several areas and crews, a test centre a few labs, an accelerator site hosts one demonstration at a time. Centre staff
override them with their published capacity.
"""


def _rule(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


CENTRE_RULES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (_rule(r"\b(uavs?|uas|drones?|aircraft|aviation|aerospace|bvlos)\b"), ("air",)),
    (_rule(r"\bc-uas\b|\bcounter[- ]?(uas|uav|drones?)\b|\binterceptor drones?\b"), ("c-uas",)),
    (_rule(r"\b(land|ugvs?|ground vehicles?|automotive)\b"), ("land",)),
    (_rule(r"\b(maritime|usvs?|naval|ocean|offshore|mcm|hydrodynamics)\b"), ("maritime",)),
    (_rule(r"\b(undersea|underwater|uuvs?|xluuvs?|torpedo(es)?|submarine\S*|seabed|mcm)\b"), ("undersea",)),
    (_rule(r"\b(space|satellites?|sounding rockets?)\b"), ("space",)),
    (_rule(r"\bcyber"), ("cyber",)),
    (_rule(r"\b(rf|ew|spectrum|jammers?|jamming|electronic warfare)\b"), ("ew-rf",)),
    (_rule(r"\b(comms|telecom\w*|5g|6g|iot|network integration|information sharing|c4isr)\b"), ("comms",)),
    (_rule(r"\b(ai|data|digital\w*|cloud|hpc)\b"), ("ai-data",)),
    (_rule(r"\b(autonom\w*|robotic\w*|ugvs?)\b"), ("autonomy",)),
    (_rule(r"\b(sensors?|sensing|surveillance|tracking|monitoring)\b"), ("sensors",)),
    (_rule(r"\b(missiles?|(?<!sounding )rockets?|weapons?|ammunition|munitions?|torpedo(es)?|hypersonics?|ballistic)\b"),
     ("munitions",)),
    (_rule(r"\b(cbrn\S*|biosecurity)\b"), ("cbrn",)),
    (_rule(r"\b(materials|nanotechnology|manufacturing)\b"), ("materials",)),
    (_rule(r"\b(electronics|nanoelectronics|semiconductors?|chips|advanced hardware)\b"), ("electronics",)),
    (_rule(r"\b(energy|propulsion)\b"), ("energy",)),
    (_rule(r"\bquantum\b"), ("quantum",)),
    (_rule(r"\b(biotech\w*|life sciences|infectious diseases?|human enhancement|vaccines?)\b"), ("biotech",)),
    (_rule(r"\b(environmental|arctic|climatic|cold-water)\b"), ("environment",)),
    (_rule(r"\b(general|unspecified|prototype testing|concept development|experimentation)\b"), ("general",)),
)
"""(pattern, domains) rules applied to each centre label; every rule that matches adds its domains."""

SPECIALISED_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_rule(r"\bc-uas\b|\bcounter[- ]?(uas|uav|drones?|unmanned aerial|uncrewed aerial|small unmanned)\b"), "c-uas"),
    (_rule(r"\b(electronic warfare|electronic attack|jammers?|jamming|electromagnetic spectrum|sigint)\b"), "ew-rf"),
    (_rule(r"\bquantum\b"), "quantum"),
    (_rule(r"\b(cbrn\w*|chemical warfare|chemical(, |/| and )biological|biological agents?|radiological)\b"), "cbrn"),
    (_rule(r"\b(undersea|underwater|submarines?|uuvs?|xluuvs?|seabed|torpedo(es)?|sonars?|anti-submarine)\b"),
     "undersea"),
)
"""(pattern, domain) rules for step 1 of :func:`need_test_domain`, in precedence order."""

TEXT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_rule(r"\b(missiles?|munitions?|ammunition|hypersonics?|warheads?|projectiles?|guns?|weapons?)\b"), "munitions"),
    (_rule(r"\b(satellites?|spacecraft|orbit(al)?|space)\b"), "space"),
    (_rule(r"\bcyber"), "cyber"),
    (_rule(r"\b(uavs?|uas|drones?|aircraft|helicopters?|aviation|airborne)\b"), "air"),
    (_rule(r"\b(ships?|naval|vessels?|usvs?|maritime|marine|boats?)\b"), "maritime"),
    (_rule(r"\b((ground|wheeled|tracked|armou?red|combat) vehicles?|ugvs?|soldiers?|infantry)\b"), "land"),
    (_rule(r"\b(autonom\w*|robot\w*)\b"), "autonomy"),
    (_rule(r"\b(radars?|sensors?|lidar|infrared|surveillance)\b"), "sensors"),
    (_rule(r"\b(rf|radio frequency|microwaves?|antennas?|spectrum)\b"), "ew-rf"),
    (_rule(r"\b(communications?|networks?|radios?|5g|6g)\b"), "comms"),
    (_rule(r"\b(artificial intelligence|machine learning|ai|software|algorithms?|big data|data fusion|analytics)\b"),
     "ai-data"),
    (_rule(r"\b(semiconductors?|microelectronics|electronics?)\b"), "electronics"),
    (_rule(r"\b(batter(y|ies)|energy|power|propulsion|fuel)\b"), "energy"),
    (_rule(r"\b(materials?|composites?|coatings?|manufacturing|additive)\b"), "materials"),
    (_rule(r"\b(medic\w*|biotech\w*|vaccines?|casualty|casualties|biolog\w*|drugs?|clinical|patients?|wounds?)\b"),
     "biotech"),
)
"""(pattern, domain) rules for step 4 of :func:`need_test_domain`, in precedence order."""

TECHNOLOGY_AREA_DOMAINS: dict[str, str] = {
    # SBIR/STTR topic technology areas (DoD)
    "air platform": "air",
    "battlespace": "ai-data",
    "biomedical": "biotech",
    "chemical/biological defense": "cbrn",
    "electronics": "electronics",
    "ground/sea vehicles": "land",
    "human systems": "biotech",
    "information systems": "ai-data",
    "materials/processes": "materials",
    "nuclear technology": "cbrn",
    "sensors": "sensors",
    "space platforms": "space",
    "weapons": "munitions",
    # EDF thematic categories (ingest/edf.py THEMES)
    "air combat": "air",
    "air and missile defence": "munitions",
    "ground combat": "land",
    "force protection and mobility": "land",
    "naval combat": "maritime",
    "underwater warfare": "undersea",
    "space": "space",
    "cyber": "cyber",
    "c4isr": "comms",
    "digital transformation": "ai-data",
    "materials and components": "materials",
    "energy resilience and environmental transition": "energy",
    "medical response, cbrn, biotech and human factors": "cbrn",
    "simulation and training": "general",
    "disruptive technologies": "general",
    "infrastructure": "general",
    # DIANA challenge areas (data/taxonomies/diana_challenge_areas.csv)
    "energy resilience": "energy",
    "secure information sharing": "comms",
    "sensing and surveillance": "sensors",
    "energy and power": "energy",
    "data and information security": "cyber",
    "human health and performance": "biotech",
    "critical infrastructure and logistics": "general",
    # DoD critical technology areas 2022 (data/taxonomies/dod_critical_technology_areas_2022.csv)
    "advanced computing and software": "ai-data",
    "advanced materials": "materials",
    "biotechnology": "biotech",
    "directed energy": "munitions",
    "renewable energy generation and storage": "energy",
    "future generation wireless technology (futureg)": "comms",
    "human-machine interfaces": "autonomy",
    "hypersonics": "munitions",
    "integrated network systems-of-systems": "comms",
    "integrated sensing and cyber": "sensors",
    "microelectronics": "electronics",
    "quantum science": "quantum",
    "space technology": "space",
    "trusted ai and autonomy": "autonomy",
    # NATO emerging and disruptive technologies (data/taxonomies/nato_emerging_disruptive_technologies.csv)
    "artificial intelligence": "ai-data",
    "data": "ai-data",
    "autonomy": "autonomy",
    "quantum-enabled technologies": "quantum",
    "novel materials and manufacturing": "materials",
    "energy and propulsion": "energy",
}
"""Technology-area names (case-folded) of the bundled sources and taxonomies, each with its test domain."""

_NOTES = re.compile(r"\([^()]*\)")


def _label_key(label: str) -> str:
    return " ".join(_NOTES.sub(" ", label).casefold().split())


def label_test_domains(label: str) -> frozenset[str]:
    """The test domains one free-text centre label names, by :data:`CENTRE_RULES`.

    Args:
        label: one label such as "UAV/C-UAS" or "quantum (sensors, encryption units, computers)"; parenthesised notes
            are ignored.

    Returns:
        The matching domains; empty when the label names no test domain (e.g. "internal security (inferred)").
    """
    key = _label_key(label)
    found: set[str] = set()
    for pattern, domains in CENTRE_RULES:
        if pattern.search(key):
            found.update(domains)
    return frozenset(found)


def centre_test_domains(domains: Sequence[str]) -> frozenset[str]:
    """The normalised test domains of a centre, from its free-text domain labels.

    Args:
        domains: the centre's labels, e.g. ``("UAV/C-UAS", "RF/EW (jammers)")`` (the ``domains`` column of
            ``test_centres.csv`` split on ';'); a single ';'-separated string is split too.

    Returns:
        The union of :func:`label_test_domains` over the labels, or ``{"general"}`` when that is empty (no labels, or
        only labels that name no test domain).
    """
    if isinstance(domains, str):
        domains = domains.split(";")
    found: set[str] = set()
    for label in domains:
        if label and label.strip():
            found |= label_test_domains(label)
    return frozenset(found) if found else frozenset({"general"})


def area_test_domain(area: str) -> str | None:
    """The test domain of one technology-area name, or None when it names none.

    Args:
        area: a technology area such as "Air Platform" or "Underwater warfare" (case-insensitive).

    Returns:
        :data:`TECHNOLOGY_AREA_DOMAINS`' entry for the name; otherwise the first domain, in vocabulary order, that the
        centre rules find in it; otherwise None.
    """
    key = " ".join(area.casefold().split())
    if key in TECHNOLOGY_AREA_DOMAINS:
        return TECHNOLOGY_AREA_DOMAINS[key]
    found = label_test_domains(area)
    for domain in TEST_DOMAINS:
        if domain in found:
            return domain
    return None


def need_test_domain(operational_domain: str | None, technology_areas: Sequence[str], text: str = "") -> str:
    """The one test domain a trial for a capability need runs in (rules in the module docstring, first match wins).

    Args:
        operational_domain: the need's operational domain ("land", "maritime", "air", "space", "cyber") or None.
        technology_areas: the need's technology-area names, in order, e.g. ``("Sensors", "Electronics")``.
        text: the need's title, optionally followed by a newline and its statement. Step 1 searches the title (the
            first line) and the technology areas only, since long statements mention many things in passing; step 4
            searches the title, then counts matches in the whole text.

    Returns:
        A member of :data:`TEST_DOMAINS`: ``"c-uas"`` for an air need titled "Counter-UAS ...", ``"air"`` for
        an air need, ``"materials"`` for a need with only "Materials/Processes", ``"general"`` when nothing matches.

    Raises:
        ValidationError: ``operational_domain`` is given but is not one of the five operational domains (field
            ``operational_domain``).
    """
    title = text.split("\n", 1)[0]
    headline = "\n".join((title, *technology_areas))
    for pattern, domain in SPECIALISED_RULES:
        if pattern.search(headline):
            return domain
    if operational_domain:
        key = str(operational_domain).strip().casefold()
        if key not in ("land", "maritime", "air", "space", "cyber"):
            raise ValidationError(f"must be land, maritime, air, space or cyber, got {operational_domain!r}",
                                  field="operational_domain")
        return key
    for area in technology_areas:
        domain = area_test_domain(area)
        if domain is not None:
            return domain
    for pattern, domain in TEXT_RULES:
        if pattern.search(title):
            return domain
    counts = [(len(pattern.findall(text)), -rank, domain) for rank, (pattern, domain) in enumerate(TEXT_RULES)]
    most = max(counts, default=(0, 0, "general"))
    return most[2] if most[0] else "general"


__all__ = [
    "CENTRE_RULES",
    "DEFAULT_CAPACITY_PER_WEEK",
    "SPECIALISED_RULES",
    "TECHNOLOGY_AREA_DOMAINS",
    "TEST_DOMAINS",
    "TEST_DOMAIN_DESCRIPTIONS",
    "TEXT_RULES",
    "area_test_domain",
    "centre_test_domains",
    "label_test_domains",
    "need_test_domain",
]
