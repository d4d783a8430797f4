"""Importing the bundled real data: exact figures, idempotency, EDF PIC de-duplication, SBIR firm
merging, and a user's own files through the generic importer.

Every figure below was read off the raw files with plain csv/json/gzip (see
``test_raw_files_hold_the_figures_the_import_must_reproduce``), so a test fails when the importer
drops, doubles or merges rows it should not.
"""

from __future__ import annotations

import collections
import csv
import gzip
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rapid_adoption.ingest.names import cluster_names, name_key
from rapid_adoption.services.imports import bundled_dir, run_import
from rapid_adoption.services.setup import init_workspace
from rapid_adoption.store.tables import (
    Base,
    CapabilityNeed,
    Company,
    Investment,
    MrlLevel,
    Organisation,
    ProgrammeMembership,
    Setting,
    Solution,
    SolutionParticipant,
    TechnologyArea,
    TestCentre,
    TrlLevel,
)
from tests.conftest import FROZEN_NOW, open_ws, inspect_db

DATA = bundled_dir("edf").parent

# What `rapid init` leaves in a new workspace (reference data only).
AFTER_INIT = {
    "organisations": 39,  # 32 NATO members + 6 NATO bodies + EU-DEFIS (the EDF's publisher)
    "trl_levels": 9,
    "mrl_levels": 10,
    "technology_areas": 31,
    "settings": 2,  # the home organisation and the default user
    "users": 1,  # the first admin
    "api_tokens": 0,
    "web_sessions": 0,
    "match_terms": 0,
    "match_vectors": 0,
    "sharing_groups": 0,
    "sharing_group_members": 0,
    "red_recipients": 0,
    "assessments": 0,
    "audit_entries": 1,  # the first admin's creation
    "audit_head": 1,
    "companies": 0,
    "capability_needs": 0,
    "solutions": 0,
    "solution_participants": 0,
    "test_centres": 0,
    "programme_memberships": 0,
    "investments": 0,
    "adoption_cases": 0,
    "gate_decisions": 0,
    "evaluation_procedures": 0, "centre_calendars": 0, "trials": 0, "trial_results": 0, "tevv_overrides": 0,
    "case_risks": 0, "risk_scores": 0,
    "issuer_keys": 0, "trusted_issuers": 0, "badge_status_lists": 0, "badges": 0, "external_demonstrations": 0,
}

# After `run_import(ws, "all")` on the bundled data.
AFTER_ALL = {
    **AFTER_INIT,
    "audit_entries": 2,  # + the import
    # 616 EDF PICs + 5556 SBIR firm clusters + 24 companies named only by DIANA/NIF facts
    "companies": 6196,
    # 207 EDF calls + 188 AF 2015.1 topics + 2415 SBIR 2008-2018 topics + 173 Navy transition needs
    "capability_needs": 2983,
    # 42 EDF projects + 22120 SBIR Phase II awards + 173 Navy Phase III transitions
    "solutions": 22335,
    "solution_participants": 1149,
    "test_centres": 100,
    "programme_memberships": 17,  # 13 cohort rows + 4 DIANA rows of the seed facts
    "investments": 9,  # 5 NIF direct + 4 NIF fund investments
    "match_terms": 2983 + 22335,  # the retrieval index: one row per need and per solution
}

NOTES = {
    "EDF participant rows": 1149,
    "SBIR firm spellings": 5682,
    "SBIR firm spellings merged (exact key)": 121,
    "SBIR firm spellings merged (fuzzy)": 5,
    "SBIR companies after merging": 5556,
    "SBIR topics in both topic files, kept once": 156,
}

LEONARDO_PIC = "998627417"


# ---------------------------------------------------------------- helpers


def table_counts(ws) -> dict[str, int]:
    """Row count of every table of the schema."""
    with inspect_db(ws) as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def scalar(ws, statement):
    with inspect_db(ws) as s:
        return s.scalar(statement)


def rows(ws, statement) -> list[tuple]:
    with inspect_db(ws) as s:
        return [tuple(r) for r in s.execute(statement)]


def read_csv_dicts(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def read_jsonl_gz(path: Path) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def raw():
    """The bundled files read with plain csv/json/gzip, independently of the importer."""
    calls = list(csv.DictReader(gzip.decompress((DATA / "edf" / "calls.csv.gz").read_bytes()).decode("utf-8-sig").splitlines()))
    awards = read_jsonl_gz(DATA / "sbir" / "awards_phase2_1984_2017.jsonl.gz")
    topics = read_jsonl_gz(DATA / "sbir" / "topics_2008_2018.jsonl.gz")
    af_topics = json.loads(gzip.decompress((DATA / "sbir" / "topics_airforce_2015_1.json.gz").read_bytes()))
    navy = read_csv_dicts(DATA / "sbir" / "navy_transitions.csv")
    return {
        "calls": calls,
        "projects": read_csv_dicts(DATA / "edf" / "projects.csv"),
        "participants": read_csv_dicts(DATA / "edf" / "participants.csv"),
        "awards": awards,
        "topics": topics,
        "af_topics": af_topics,
        "navy": navy,
        "centres": read_csv_dicts(DATA / "network" / "test_centres.csv"),
        "cohorts": read_csv_dicts(DATA / "network" / "diana_cohorts.csv"),
        "seeds": read_csv_dicts(DATA / "taxonomies" / "nato_innovation_seed_facts.csv"),
        "firm_counts": collections.Counter([a["firm"].strip() for a in awards] + [n["firm"].strip() for n in navy]),
    }


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """A workspace with everything bundled imported once; tests on it only read."""
    ws = open_ws(tmp_path_factory.mktemp("full") / "rapid.db")
    init_workspace(ws)
    report = run_import(ws, "all")
    yield ws, report
    ws.close()


# ---------------------------------------------------------------- the raw files themselves


def test_raw_files_hold_the_figures_the_import_must_reproduce(raw):
    assert len(raw["calls"]) == 207
    assert len({c["call_identifier"] for c in raw["calls"]}) == 207
    assert len(raw["projects"]) == 42
    assert len(raw["participants"]) == 1149
    assert len({(p["project_id"], p["pic"]) for p in raw["participants"]}) == 1149
    assert len({p["pic"] for p in raw["participants"]}) == 616
    assert len(raw["awards"]) == 22120
    assert len({a["url"] for a in raw["awards"]}) == 22120
    assert len(raw["af_topics"]) == 188
    assert len(raw["topics"]) == 2571
    af_titles = {" ".join(t["title"].lower().split()) for t in raw["af_topics"]}
    same_as_af = [t for t in raw["topics"] if " ".join(t["topic_title"].lower().split()) in af_titles]
    assert len(same_as_af) == 156
    assert len(raw["topics"]) - len(same_as_af) == 2415
    assert len(raw["navy"]) == 173
    assert len(raw["firm_counts"]) == 5682
    assert len(raw["centres"]) == 100
    assert len(raw["cohorts"]) == 13
    kinds = collections.Counter(s["kind"] for s in raw["seeds"])
    assert kinds["nif_direct_investment"] + kinds["nif_fund_investment"] == 9
    assert kinds["diana_2023_cohort"] + kinds["diana_2023_cohort_phase2"] == 4
    assert 207 + 188 + 2415 + 173 == AFTER_ALL["capability_needs"]
    assert 42 + 22120 + 173 == AFTER_ALL["solutions"]


# ---------------------------------------------------------------- full import


@pytest.mark.slow
def test_full_import_writes_exact_counts_to_every_table(empty_ws):
    assert table_counts(empty_ws) == AFTER_INIT

    report = run_import(empty_ws, "all")

    assert table_counts(empty_ws) == AFTER_ALL
    inserted = {table: c.inserted for table, c in report.counts.items()}
    assert inserted == {
        "organisations": 0, "trl_levels": 0, "mrl_levels": 0, "technology_areas": 0, "companies": 6196,
        "capability_needs": 2983, "solutions": 22335, "solution_participants": 1149, "test_centres": 100,
        "programme_memberships": 17, "investments": 9,
    }
    assert all(c.updated == 0 for c in report.counts.values())
    assert report.notes == NOTES
    assert report.rejects == []
    assert len(report.edf_projects) == 42
    assert len(report.transitions) == 173


def test_full_import_breaks_down_by_source(full):
    ws, _ = full

    def by_prefix(model, prefix):
        return scalar(ws, select(func.count()).select_from(model).where(model.ref.startswith(prefix)))

    assert by_prefix(Company, "PIC-") == 616
    assert by_prefix(Company, "SBIR-FIRM-") == 5556
    assert by_prefix(Company, "ORG-") == 24
    assert by_prefix(CapabilityNeed, "EDF-") == 207
    assert by_prefix(CapabilityNeed, "AF15") == 188
    assert by_prefix(CapabilityNeed, "SBIR-TOPIC-") == 2415
    assert by_prefix(CapabilityNeed, "NAVY-NEED-") == 173
    assert by_prefix(Solution, "EDF-") == 42
    assert by_prefix(Solution, "SBIR-AWARD-") == 22120
    assert by_prefix(Solution, "NAVY-P3-") == 173
    # Every Navy Phase III solution answers its own Navy need.
    answered = select(func.count()).select_from(Solution).join(
        CapabilityNeed, Solution.responds_to_need_id == CapabilityNeed.id
    ).where(Solution.ref.startswith("NAVY-P3-"), CapabilityNeed.ref.startswith("NAVY-NEED-"))
    assert scalar(ws, answered) == 173


def test_diana_member_already_in_edf_is_matched_not_duplicated(full, raw):
    """Neuraspace is both an EDF participant (PIC 892728249, PT) and a DIANA 2025 company (PRT)."""
    ws, _ = full
    assert [(p["pic"], p["organization_name"], p["country_code"]) for p in raw["participants"]
            if "NEURASPACE" in p["organization_name"].upper()] == [("892728249", "NEURASPACE SA", "PT")]
    assert [(c["company"], c["country_iso3"], c["cohort_year"]) for c in raw["cohorts"]
            if c["company"] == "Neuraspace"] == [("Neuraspace", "PRT", "2025")]
    found = rows(ws, select(Company.ref, ProgrammeMembership.programme, ProgrammeMembership.year).join(
        ProgrammeMembership, ProgrammeMembership.company_id == Company.id).where(Company.legal_name.ilike("neuraspace%")))
    assert found == [("PIC-892728249", "DIANA challenge programme", 2025)]
    assert scalar(ws, select(func.count()).select_from(Company).where(Company.legal_name.ilike("neuraspace%"))) == 1


# ---------------------------------------------------------------- idempotency


def _snapshot(ws) -> dict:
    snap = {"counts": table_counts(ws)}
    for model in (Company, Solution, CapabilityNeed, TestCentre, ProgrammeMembership, Investment, Organisation):
        snap[model.__tablename__] = rows(ws, select(
            func.max(model.version), func.sum(model.version), func.max(model.updated_at), func.max(model.created_at)))[0]
    snap["participants"] = sorted(rows(ws, select(
        SolutionParticipant.solution_id, SolutionParticipant.company_id, SolutionParticipant.role,
        SolutionParticipant.eu_contribution_eur)))
    return snap


@pytest.mark.slow
def test_second_full_import_changes_nothing(empty_ws):
    run_import(empty_ws, "all")
    before = _snapshot(empty_ws)
    assert before["companies"] == (1, 6196, FROZEN_NOW, FROZEN_NOW)
    assert before["solutions"] == (1, 22335, FROZEN_NOW, FROZEN_NOW)
    assert before["capability_needs"] == (1, 2983, FROZEN_NOW, FROZEN_NOW)

    # A day later: a rewritten row would carry the new time or a bumped version.
    empty_ws.now = lambda: FROZEN_NOW + timedelta(days=1)
    again = run_import(empty_ws, "all")

    assert again.changed == 0
    assert {t: (c.inserted, c.updated) for t, c in again.counts.items() if c.inserted or c.updated} == {}
    unchanged = {t: c.unchanged for t, c in again.counts.items()}
    assert unchanged == {
        "organisations": 39, "trl_levels": 9, "mrl_levels": 10, "technology_areas": 31,
        # 6172 from EDF and SBIR, and the 24 companies named only by DIANA/NIF facts, found by name
        "companies": 6196,
        "capability_needs": 2983, "solutions": 22335, "solution_participants": 1149, "test_centres": 100,
        "programme_memberships": 17, "investments": 9,
    }
    assert again.notes == NOTES
    assert _snapshot(empty_ws) == before


def test_second_import_of_one_source_changes_nothing(empty_ws):
    first = run_import(empty_ws, "edf")
    assert {t: c.inserted for t, c in first.counts.items() if c.inserted} == {
        "companies": 616, "capability_needs": 207, "solutions": 42, "solution_participants": 1149,
    }
    before = _snapshot(empty_ws)
    empty_ws.now = lambda: FROZEN_NOW + timedelta(days=1)
    again = run_import(empty_ws, "edf")
    assert again.changed == 0
    assert _snapshot(empty_ws) == before


# ---------------------------------------------------------------- EDF: one company per PIC


def test_one_company_per_edf_pic(full, raw):
    ws, _ = full
    assert len({p["pic"] for p in raw["participants"]}) == 616
    assert scalar(ws, select(func.count()).select_from(Company).where(Company.eu_pic.is_not(None))) == 616
    assert scalar(ws, select(func.count(func.distinct(Company.eu_pic)))) == 616
    assert scalar(ws, select(func.count()).select_from(Company).where(
        Company.eu_pic.is_not(None), Company.ref != ("PIC-" + Company.eu_pic))) == 0


def test_pic_in_many_projects_is_one_company_with_one_participation_per_project(full, raw):
    ws, _ = full
    leonardo_rows = [p for p in raw["participants"] if p["pic"] == LEONARDO_PIC]
    assert len(leonardo_rows) == 26
    assert len({p["project_id"] for p in leonardo_rows}) == 26
    assert sum(p["role"] == "coordinator" for p in leonardo_rows) == 2
    assert {p["organization_name"] for p in leonardo_rows} == {"LEONARDO - SOCIETA PER  AZIONI"}

    company = rows(ws, select(Company.ref, Company.legal_name, Company.aliases, Company.country, Company.city,
                              Company.sme, Company.kind).where(Company.eu_pic == LEONARDO_PIC))
    assert company == [("PIC-998627417", "LEONARDO - SOCIETA PER  AZIONI", [], "ITA", "Roma", False,
                        "Private for profit organisation")]
    roles = rows(ws, select(SolutionParticipant.role, func.count()).join(
        Company, Company.id == SolutionParticipant.company_id).where(Company.eu_pic == LEONARDO_PIC).group_by(
        SolutionParticipant.role).order_by(SolutionParticipant.role))
    assert roles == [("coordinator", 2), ("participant", 24)]
    projects = rows(ws, select(Solution.ref).join(SolutionParticipant, SolutionParticipant.solution_id == Solution.id).join(
        Company, Company.id == SolutionParticipant.company_id).where(Company.eu_pic == LEONARDO_PIC).order_by(Solution.ref))
    assert [r[0] for r in projects] == sorted(f"EDF-{p['project_id']}" for p in leonardo_rows)
    # It leads (is the solution's company of) exactly the projects it coordinates.
    led = rows(ws, select(Solution.ref).join(Company, Company.id == Solution.company_id).where(
        Company.eu_pic == LEONARDO_PIC).order_by(Solution.ref))
    assert [r[0] for r in led] == sorted(f"EDF-{p['project_id']}" for p in leonardo_rows if p["role"] == "coordinator")


def test_edf_eu_country_code_el_is_greece(full, raw):
    ws, _ = full
    greek = {p["pic"] for p in raw["participants"] if p["country_code"] == "EL"}
    assert len(greek) == 33
    stored = rows(ws, select(Company.eu_pic).where(Company.country == "GRC", Company.eu_pic.is_not(None)))
    assert {r[0] for r in stored} == greek


def test_bundled_edf_has_no_pic_spelled_two_ways(full, raw):
    ws, _ = full
    names = collections.defaultdict(set)
    for p in raw["participants"]:
        names[p["pic"]].add(p["organization_name"])
    assert [pic for pic, spellings in names.items() if len(spellings) > 1] == []
    assert scalar(ws, select(func.count()).select_from(Company).where(
        Company.eu_pic.is_not(None), func.json_array_length(Company.aliases) > 0)) == 0


def test_pic_spelled_differently_keeps_the_other_spellings_as_aliases(empty_ws, tmp_path):
    """The bundled data has no such PIC, so respell two of Leonardo's 26 rows in a copy."""
    folder = tmp_path / "edf"
    shutil.copytree(DATA / "edf", folder)
    path = folder / "participants.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    leonardo_lines = [i for i, line in enumerate(lines) if f",{LEONARDO_PIC},LEONARDO - SOCIETA PER  AZIONI," in line]
    assert len(leonardo_lines) == 26
    lines[leonardo_lines[1]] = lines[leonardo_lines[1]].replace("LEONARDO - SOCIETA PER  AZIONI", "LEONARDO S.P.A.")
    lines[leonardo_lines[5]] = lines[leonardo_lines[5]].replace("LEONARDO - SOCIETA PER  AZIONI", "Leonardo SpA")
    lines[leonardo_lines[9]] = lines[leonardo_lines[9]].replace("LEONARDO - SOCIETA PER  AZIONI", "LEONARDO S.P.A.")
    path.write_text("\n".join(lines), encoding="utf-8")

    run_import(empty_ws, "edf", path=folder)

    assert rows(empty_ws, select(Company.ref, Company.legal_name, Company.aliases).where(Company.eu_pic == LEONARDO_PIC)) == [
        ("PIC-998627417", "LEONARDO - SOCIETA PER  AZIONI", ["LEONARDO S.P.A.", "Leonardo SpA"])
    ]
    assert scalar(empty_ws, select(func.count()).select_from(Company).where(Company.eu_pic.is_not(None))) == 616
    assert scalar(empty_ws, select(func.count()).select_from(SolutionParticipant).join(
        Company, Company.id == SolutionParticipant.company_id).where(Company.eu_pic == LEONARDO_PIC)) == 26


# ---------------------------------------------------------------- SBIR: merging firm spellings


def test_name_key_folds_case_punctuation_and_legal_form():
    assert name_key("ACME, INC.") == name_key("Acme Inc") == "acme"
    assert name_key("The Sentient Corporation") == name_key("SENTIENT CORPORATION") == "sentient"
    assert name_key("Jardon & Howard Technologies Inc.") == "jardon howard technologies"
    assert name_key("Stottler Henke Assoc., Inc.") == "stottler henke associates"


SAME_FIRM = [
    ("AGILTRON CORP.", "AGILTRON, INC.", "agiltron"),
    ("Charles River Analytics Inc.", "Charles River Analytics, Inc.", "charles river analytics"),
    ("APPLIED TECHNOLOGY ASSOC., INC.", "Applied Technology Associates", "applied technology associates"),
    ("DANIEL H. WAGNER ASSOCIATES, INCORPORATED", "Daniel H. Wagner Associates, Inc.", "daniel h wagner associates"),
    ("Kildare Corp, The", "THE KILDARE CORP.", "kildare"),
]


@pytest.mark.parametrize(("a", "b", "key"), SAME_FIRM)
def test_real_spellings_of_one_firm_share_a_key_and_merge(raw, a, b, key):
    assert raw["firm_counts"][a] > 0 and raw["firm_counts"][b] > 0  # both spellings are in the data
    assert name_key(a) == name_key(b) == key
    clusters = cluster_names([a, b])
    assert clusters.spellings == {key: sorted([a, b])}
    assert (clusters.exact_merges, clusters.fuzzy_merges) == (1, 0)


TRUNCATED_SPELLINGS = [
    # SBIR cuts firm names at 30 characters; the fuzzy pass joins the cut spelling to the full one.
    ("NIELSEN ENGINEERING & RESEARCH, INC.", "Nielsen Engineering And Resear"),
    ("Science & Applied Technology, Inc.", "Science & Applied Technology I"),
    ("TEST & EVALUATION SOLUTIONS LLC", "Test & Evaluation Solution"),
]


@pytest.mark.parametrize(("a", "b"), TRUNCATED_SPELLINGS)
def test_truncated_real_spellings_merge_by_fuzzy_match(raw, a, b):
    assert raw["firm_counts"][a] > 0 and raw["firm_counts"][b] > 0
    assert name_key(a) != name_key(b)
    clusters = cluster_names([a, b])
    assert (clusters.exact_merges, clusters.fuzzy_merges) == (0, 1)
    assert len(clusters.canonical) == 1
    assert clusters.key_of[a] == clusters.key_of[b]


DIFFERENT_FIRMS = [
    ("PHYSICAL OPTICS CORPORATION", "Physical Sciences Inc."),
    ("Advanced Photonix", "Advanced Photonics"),  # avalanche photodiodes (MDA 1993) vs modulators (AF 1996)
    ("Adaptive Technologies, Inc.", "Adaptive Technology, Inc."),  # hearing protection 1999-2011 vs radar 1989-93
    ("Applied Analysis Inc", "Applied Analytics, Inc."),
    ("PACIFIC ENGINEERING INC.", "Pacific Rim Engineering"),
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT_FIRMS)
def test_real_different_firms_are_kept_apart(raw, a, b):
    assert raw["firm_counts"][a] > 0 and raw["firm_counts"][b] > 0
    assert name_key(a) != name_key(b)
    clusters = cluster_names([a, b])
    assert (clusters.exact_merges, clusters.fuzzy_merges) == (0, 0)
    assert clusters.key_of[a] != clusters.key_of[b]


def test_cluster_names_on_the_real_firm_list_gives_the_reported_figures(raw):
    names = [a["firm"] for a in raw["awards"]] + [n["firm"] for n in raw["navy"]]
    clusters = cluster_names(names)
    assert len(clusters.key_of) == 5682
    assert clusters.exact_merges == 121
    assert clusters.fuzzy_merges == 5
    assert len(clusters.canonical) == 5556 == 5682 - 121 - 5
    for a, b in TRUNCATED_SPELLINGS + [(a, b) for a, b, _ in SAME_FIRM]:
        assert clusters.key_of[a] == clusters.key_of[b]
    for a, b in DIFFERENT_FIRMS:
        assert clusters.key_of[a] != clusters.key_of[b]


def test_full_import_reports_the_merge_figures(full):
    _, report = full
    assert report.notes == NOTES


@pytest.mark.parametrize(
    ("ref", "legal_name", "aliases", "spellings"),
    [
        ("SBIR-FIRM-agiltron", "AGILTRON, INC.", ["AGILTRON CORP."], ["AGILTRON, INC.", "AGILTRON CORP."]),
        ("SBIR-FIRM-charles-river-analytics", "Charles River Analytics, Inc.", ["Charles River Analytics Inc."],
         ["Charles River Analytics, Inc.", "Charles River Analytics Inc."]),
        ("SBIR-FIRM-applied-technology-associates", "Applied Technology Associates", ["APPLIED TECHNOLOGY ASSOC., INC."],
         ["Applied Technology Associates", "APPLIED TECHNOLOGY ASSOC., INC."]),
        ("SBIR-FIRM-nielsen-engineering-research", "NIELSEN ENGINEERING & RESEARCH, INC.", ["Nielsen Engineering And Resear"],
         ["NIELSEN ENGINEERING & RESEARCH, INC.", "Nielsen Engineering And Resear"]),
    ],
)
def test_merged_firm_is_one_company_holding_every_award(full, raw, ref, legal_name, aliases, spellings):
    ws, _ = full
    # The canonical spelling is the most frequent one.
    assert raw["firm_counts"][spellings[0]] > raw["firm_counts"][spellings[1]]
    assert rows(ws, select(Company.legal_name, Company.aliases, Company.country, Company.sme).where(Company.ref == ref)) == [
        (legal_name, aliases, "USA", True)
    ]
    expected = sum(raw["firm_counts"][s] for s in spellings)
    held = scalar(ws, select(func.count()).select_from(Solution).join(Company, Company.id == Solution.company_id).where(
        Company.ref == ref))
    assert held == expected


def test_different_firms_are_different_companies(full, raw):
    ws, _ = full
    found = rows(ws, select(Company.ref, Company.legal_name).where(
        Company.legal_name.in_(["PHYSICAL OPTICS CORPORATION", "Physical Sciences Inc."])).order_by(Company.ref))
    assert found == [("SBIR-FIRM-physical-optics", "PHYSICAL OPTICS CORPORATION"),
                     ("SBIR-FIRM-physical-sciences", "Physical Sciences Inc.")]
    for ref, spelling in found:
        held = scalar(ws, select(func.count()).select_from(Solution).join(Company, Company.id == Solution.company_id).where(
            Company.ref == ref))
        assert held == raw["firm_counts"][spelling]
    assert (raw["firm_counts"]["PHYSICAL OPTICS CORPORATION"], raw["firm_counts"]["Physical Sciences Inc."]) == (355, 186)


# ---------------------------------------------------------------- a user's own files


def _owner(ws, model, ref) -> str:
    return scalar(ws, select(Organisation.ref).join(model, model.owner_org_id == Organisation.id).where(model.ref == ref))


NEEDS_CSV = (
    "ref,title,statement,operational_domain,technology_areas,priority,owner,source,published_on\n"
    "UN-1,Counter-drone sensing for ports,Detect small drones over harbours,maritime,Sensors; AI ,high,,,2025-03-14\n"
    'UN-2,Battery resilience,"Cold-weather batteries\nfor dismounted soldiers",land,Energy,,DEU,https://example.org/n2,\n'
    "UN-3,Secure mesh radio,,,,critical,,,\n"
)
NEEDS_JSON = json.dumps([
    {"ref": "UN-1", "title": "Counter-drone sensing for ports", "statement": "Detect small drones over harbours",
     "operational_domain": "maritime", "technology_areas": ["Sensors", "AI"], "priority": "high", "published_on": "2025-03-14"},
    {"ref": "UN-2", "title": "Battery resilience", "statement": "Cold-weather batteries\nfor dismounted soldiers",
     "operational_domain": "land", "technology_areas": "Energy", "owner": "DEU", "source": "https://example.org/n2"},
    {"ref": "UN-3", "title": "Secure mesh radio", "priority": "critical"},
], indent=1)


@pytest.mark.parametrize(("name", "text"), [("needs.csv", NEEDS_CSV), ("needs.json", NEEDS_JSON)], ids=["csv", "json"])
def test_user_needs_file(empty_ws, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = table_counts(empty_ws)

    report = run_import(empty_ws, "needs", path=path)

    assert report.counts["capability_needs"].inserted == 3
    assert report.changed == 3
    assert table_counts(empty_ws) == {**before, "capability_needs": 3, "audit_entries": before["audit_entries"] + 1,
                                      "match_terms": 3}  # each new need is indexed for matching
    got = rows(empty_ws, select(
        CapabilityNeed.ref, CapabilityNeed.title, CapabilityNeed.statement, CapabilityNeed.operational_domain,
        CapabilityNeed.technology_areas, CapabilityNeed.priority, CapabilityNeed.source, CapabilityNeed.published_on,
        CapabilityNeed.tlp, CapabilityNeed.distribution, CapabilityNeed.version, CapabilityNeed.created_at,
    ).order_by(CapabilityNeed.ref))
    assert got == [
        ("UN-1", "Counter-drone sensing for ports", "Detect small drones over harbours", "maritime", ["Sensors", "AI"],
         "high", "user import", date(2025, 3, 14), "GREEN", "community", 1, FROZEN_NOW),
        ("UN-2", "Battery resilience", "Cold-weather batteries\nfor dismounted soldiers", "land", ["Energy"],
         "medium", "https://example.org/n2", None, "GREEN", "community", 1, FROZEN_NOW),
        ("UN-3", "Secure mesh radio", None, None, [], "critical", "user import", None, "GREEN", "community", 1, FROZEN_NOW),
    ]
    # Needs naming no owner belong to the workspace's organisation (DIANA by default).
    assert [_owner(empty_ws, CapabilityNeed, r) for r in ("UN-1", "UN-2", "UN-3")] == ["DIANA", "DEU", "DIANA"]


def test_user_needs_jsonl_file_then_reimport_and_edit(empty_ws, tmp_path):
    path = tmp_path / "needs.jsonl"
    path.write_text(
        '{"ref": "UN-1", "title": "Counter-drone sensing for ports", "priority": "high"}\n'
        "\n"
        '{"ref": "UN-2", "title": "Battery resilience", "owner": "NOR"}\n',
        encoding="utf-8",
    )
    assert run_import(empty_ws, "needs", path=path).counts["capability_needs"].inserted == 2
    assert run_import(empty_ws, "needs", path=path).changed == 0

    later = FROZEN_NOW + timedelta(hours=3)
    empty_ws.now = lambda: later
    path.write_text(
        '{"ref": "UN-1", "title": "Counter-drone sensing for ports and airfields", "priority": "high"}\n'
        '{"ref": "UN-2", "title": "Battery resilience", "owner": "NOR"}\n',
        encoding="utf-8",
    )
    report = run_import(empty_ws, "needs", path=path)
    c = report.counts["capability_needs"]
    assert (c.inserted, c.updated, c.unchanged) == (0, 1, 1)
    assert rows(empty_ws, select(CapabilityNeed.ref, CapabilityNeed.title, CapabilityNeed.priority, CapabilityNeed.version,
                                 CapabilityNeed.created_at, CapabilityNeed.updated_at).order_by(CapabilityNeed.ref)) == [
        ("UN-1", "Counter-drone sensing for ports and airfields", "high", 2, FROZEN_NOW, later),
        ("UN-2", "Battery resilience", "medium", 1, FROZEN_NOW, FROZEN_NOW),
    ]
    assert _owner(empty_ws, CapabilityNeed, "UN-2") == "NOR"


COMPANIES_CSV = (
    "ref,legal_name,aliases,country,eu_pic,duns,uei,ncage,sme,website,city,source\n"
    "UC-1,Nordic Sensing AS,Nordic Sensing;NS AS,NO,123456789,,,N1234,yes,https://nordic.example,Oslo,\n"
    "UC-2,Acme Robotics Ltd,,GBR,,123456789,ABCDEFGH1234,,false,,Leeds,register.csv\n"
    "UC-3,Hellas Drones,,EL,,,,,,,,\n"
)
COMPANIES_JSON = json.dumps([
    {"ref": "UC-1", "legal_name": "Nordic Sensing AS", "aliases": ["Nordic Sensing", "NS AS"], "country": "NO",
     "eu_pic": "123456789", "ncage": "N1234", "sme": True, "website": "https://nordic.example", "city": "Oslo"},
    {"ref": "UC-2", "legal_name": "Acme Robotics Ltd", "country": "GBR", "duns": "123456789", "uei": "ABCDEFGH1234",
     "sme": "false", "city": "Leeds", "source": "register.csv"},
    {"ref": "UC-3", "legal_name": "Hellas Drones", "country": "EL"},
])


@pytest.mark.parametrize(("name", "text"), [("companies.csv", COMPANIES_CSV), ("companies.json", COMPANIES_JSON)], ids=["csv", "json"])
def test_user_companies_file(empty_ws, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = table_counts(empty_ws)

    report = run_import(empty_ws, "companies", path=path)

    assert report.counts["companies"].inserted == 3
    assert table_counts(empty_ws) == {**before, "companies": 3, "audit_entries": before["audit_entries"] + 1}
    got = rows(empty_ws, select(
        Company.ref, Company.legal_name, Company.aliases, Company.country, Company.eu_pic, Company.duns, Company.uei,
        Company.ncage, Company.sme, Company.website, Company.city, Company.source, Company.tlp,
    ).order_by(Company.ref))
    assert got == [
        ("UC-1", "Nordic Sensing AS", ["Nordic Sensing", "NS AS"], "NOR", "123456789", None, None, "N1234", True,
         "https://nordic.example", "Oslo", "user import", "GREEN"),
        ("UC-2", "Acme Robotics Ltd", [], "GBR", None, "123456789", "ABCDEFGH1234", None, False, None, "Leeds",
         "register.csv", "GREEN"),
        ("UC-3", "Hellas Drones", [], "GRC", None, None, None, None, None, None, None, "user import", "GREEN"),
    ]
    assert {_owner(empty_ws, Company, r) for r in ("UC-1", "UC-2", "UC-3")} == {"DIANA"}
    assert run_import(empty_ws, "companies", path=path).changed == 0


CENTRES_CSV = (
    "ref,name,type,country,city,operator,domains,capabilities,source,notes\n"
    ",Andøya Test Range,test range,NO,Andenes,Andøya Space,air;space,rocket launch;drone flights,,\n"
    "my-lab,Tallinn Cyber Lab,Test Centre,EST,Tallinn,,cyber,,https://example.org/lab,opened 2024\n"
)
CENTRES_JSON = json.dumps([
    {"name": "Andøya Test Range", "type": "test range", "country": "NO", "city": "Andenes", "operator": "Andøya Space",
     "domains": ["air", "space"], "capabilities": "rocket launch;drone flights"},
    {"ref": "my-lab", "name": "Tallinn Cyber Lab", "type": "Test Centre", "country": "EST", "city": "Tallinn",
     "domains": ["cyber"], "source": "https://example.org/lab", "notes": "opened 2024"},
], ensure_ascii=False)


@pytest.mark.parametrize(("name", "text"), [("centres.csv", CENTRES_CSV), ("centres.json", CENTRES_JSON)], ids=["csv", "json"])
def test_user_centres_file(empty_ws, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = table_counts(empty_ws)

    report = run_import(empty_ws, "centres", path=path)

    assert report.counts["test_centres"].inserted == 2
    assert table_counts(empty_ws) == {**before, "test_centres": 2, "audit_entries": before["audit_entries"] + 1}
    got = rows(empty_ws, select(
        TestCentre.ref, TestCentre.name, TestCentre.centre_type, TestCentre.country, TestCentre.city, TestCentre.operator,
        TestCentre.domains, TestCentre.capabilities, TestCentre.source, TestCentre.notes, TestCentre.tlp,
    ).order_by(TestCentre.ref))
    assert got == [
        # no ref given: slug of the name (non-ASCII letters become '-') and the country
        ("andøya-test-range-nor", "Andøya Test Range", "test range", "NOR", "Andenes", "Andøya Space", ["air", "space"],
         ["rocket launch", "drone flights"], "user import", None, "GREEN"),
        ("my-lab", "Tallinn Cyber Lab", "test centre", "EST", "Tallinn", None, ["cyber"], [], "https://example.org/lab",
         "opened 2024", "GREEN"),
    ]
    assert {_owner(empty_ws, TestCentre, r) for r in ("andøya-test-range-nor", "my-lab")} == {"DIANA"}


SOLUTIONS_CSV = (
    "ref,company,name,description,technology_areas,trl,mrl,cots,dual_use,year,need,source\n"
    "US-1,UC-1,Harbour drone radar,Passive radar for small drones,Sensors;AI,6,5,no,yes,2024,UN-1,\n"
    "US-2,UC-1,Drone radar kit,,,9,,true,,,,catalogue.pdf\n"
)
SOLUTIONS_JSON = json.dumps([
    {"ref": "US-1", "company": "UC-1", "name": "Harbour drone radar", "description": "Passive radar for small drones",
     "technology_areas": ["Sensors", "AI"], "trl": 6, "mrl": "5", "cots": False, "dual_use": "yes", "year": 2024,
     "need": "UN-1"},
    {"ref": "US-2", "company": "UC-1", "name": "Drone radar kit", "trl": "9", "cots": True, "source": "catalogue.pdf"},
])


@pytest.mark.parametrize(("name", "text"), [("solutions.csv", SOLUTIONS_CSV), ("solutions.json", SOLUTIONS_JSON)], ids=["csv", "json"])
def test_user_solutions_file_naming_companies_and_needs_of_the_workspace(empty_ws, tmp_path, name, text):
    (tmp_path / "companies.csv").write_text(COMPANIES_CSV, encoding="utf-8")
    (tmp_path / "needs.csv").write_text(NEEDS_CSV, encoding="utf-8")
    run_import(empty_ws, "companies", path=tmp_path / "companies.csv")
    run_import(empty_ws, "needs", path=tmp_path / "needs.csv")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")

    report = run_import(empty_ws, "solutions", path=path)

    assert report.counts["solutions"].inserted == 2
    got = rows(empty_ws, select(
        Solution.ref, Company.ref, Solution.name, Solution.description, Solution.technology_areas, Solution.trl,
        Solution.mrl, Solution.cots, Solution.dual_use, Solution.year, CapabilityNeed.ref, Solution.source,
    ).join(Company, Company.id == Solution.company_id).outerjoin(
        CapabilityNeed, CapabilityNeed.id == Solution.responds_to_need_id).order_by(Solution.ref))
    assert got == [
        ("US-1", "UC-1", "Harbour drone radar", "Passive radar for small drones", ["Sensors", "AI"], 6, 5, False, True,
         2024, "UN-1", "user import"),
        ("US-2", "UC-1", "Drone radar kit", None, [], 9, None, True, None, None, None, "catalogue.pdf"),
    ]


def test_user_solution_for_an_imported_edf_company(empty_ws, tmp_path):
    run_import(empty_ws, "edf")
    path = tmp_path / "solutions.csv"
    path.write_text("ref,company,name,trl,need\nUS-9,PIC-998627417,Self-protection suite,7,EDF-2023-DA-AIR-SPS\n",
                    encoding="utf-8")
    run_import(empty_ws, "solutions", path=path)
    assert rows(empty_ws, select(Solution.ref, Company.legal_name, Solution.trl).join(
        Company, Company.id == Solution.company_id).where(Solution.ref == "US-9")) == [
        ("US-9", "LEONARDO - SOCIETA PER  AZIONI", 7)]


def test_user_file_with_bom_and_crlf_is_read(empty_ws, tmp_path):
    """Excel's "CSV UTF-8" adds a byte-order mark and CRLF line ends."""
    path = tmp_path / "needs.csv"
    path.write_bytes("\ufeffref,title\r\nUN-1,Détection de drones\r\nUN-2,Two\r\n".encode("utf-8"))
    assert run_import(empty_ws, "needs", path=path).counts["capability_needs"].inserted == 2
    assert rows(empty_ws, select(CapabilityNeed.ref, CapabilityNeed.title).order_by(CapabilityNeed.ref)) == [
        ("UN-1", "Détection de drones"), ("UN-2", "Two")]
