"""``rapid trials``, ``rapid procedures``, ``rapid risks`` and ``rapid calendar`` as a new user runs them, on a copy of
the quickstart workspace: from requesting a trial to recording its results and passing the tevv gate."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli_results import fails, ok, ok_json
from rapid_adoption.cli import common
from rapid_adoption.cli.app import app
from rapid_adoption.tevv.procedures import EXAMPLES_DIR

RUNNER = CliRunner()
ENV = {"COLUMNS": "200", "LINES": "60", "LOGNAME": "tester", "RAPID_TOKEN": None, "RAPID_USER": None}
VREDEPEEL = "lt-gen-best-barracks-vredepeel-nld"
RESULTS = {
    "point_defence": (["detection_range=3000 m", "probability_of_defeat=90 %", "reaction_time=12 s"], 8),
    "perimeter": (["probability_of_detection=95", "classification_accuracy=90 %", "false_alarms=1 per 24 h"], 7),
    "border": (["detection_range=6000 m", "continuous_operation=96 h", "track_handover_time=3 s"], 6),
    "convoy": (["detection_range_on_the_move=1100 m", "reaction_time=18 s", "time_into_action=3 min"], 6),
}


def rapid(*args: str):
    """Run ``rapid ARGS`` in-process."""
    return RUNNER.invoke(app, [str(a) for a in args], env=ENV)


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch):
    """Let the module-level Rich consoles read COLUMNS from the runner's environment."""
    for console in (common.console, common.err_console):
        monkeypatch.setattr(console, "_width", None)


@pytest.fixture
def qs_db(quickstart_file, tmp_path, monkeypatch) -> Path:
    """A private copy of the quickstart database, named by RAPID_DATABASE_URL."""
    path = tmp_path / "rapid.db"
    shutil.copy(quickstart_file, path)
    monkeypatch.setenv("RAPID_DATABASE_URL", f"sqlite:///{path}")
    return path


def test_from_request_to_the_tevv_gate(qs_db):
    listed = ok_json(rapid("procedures", "list", "--json"))
    assert [(r["ref"], r["procedure_version"], r["example"]) for r in listed["rows"]] == [
        ("cuas-example", 1, True), ("system-demo-example", 1, True), ("usv-persistence-example", 1, True)]
    shown = ok(rapid("procedures", "show", "cuas-example"))
    assert "Counter-UAS system evaluation (example) (cuas-example v1)  EXAMPLE, not an agreed procedure" in shown
    assert "convoy: Convoy protection (passes at score >= 6 and every threshold)" in shown
    assert ok(rapid("case", "open", "EDF-2023-DA-AIRDEF-CUAS", "EDF-101167931")).startswith("Opened case 215")
    ok(rapid("case", "advance", "215", "--to", "tevv", "-r", "assessed"))
    fails(rapid("case", "advance", "215", "--to", "badge", "-r", "done"), 6,
          "case 215 cannot pass the tevv gate: it has no trial: request one with 'rapid trials request'")
    requested = ok(rapid("trials", "request", "--case", "215", "--procedure", "cuas-example", "--ready-on", "2026-11-02"))
    assert requested == ("Requested trial 39: cuas-example v1 (point_defence, perimeter, border, convoy), test domain "
                         "c-uas, 2 weeks, ready 2026-11-02. Next: rapid trials schedule 39 (or --centre CENTRE --start "
                         "WEEK).\n")
    assert ok(rapid("trials", "schedule", "39", "--centre", VREDEPEEL, "--start", "2026-W45")) == (
        "Trial 39 is scheduled at Lt Gen Best Barracks (Vredepeel) (NLD), 2026-W45 to 2026-W46 (2026-11-02 to "
        "2026-11-15).\n")
    fails(rapid("trials", "record", "39", "border", "--value", "detection_range=far", "--score", "6"), 2,
          "measured: detection_range: 'far' is not a number")
    fails(rapid("trials", "record", "39", "border", "--value", "detection_range=6 km", "--value",
                "continuous_operation=96 h", "--value", "track_handover_time=3 s", "--score", "6"), 2,
          "measured: detection_range: the unit must be 'm' as the procedure says, got 'km' (values are not converted)")
    for use_case, (values, score) in RESULTS.items():
        args = [a for v in values for a in ("--value", v)]
        printed = ok(rapid("trials", "record", "39", use_case, *args, "--score", score,
                           "--evidence", "https://example.org/trial-39"))
        assert printed == f"Trial 39, {use_case}: score {score}, PASS.\n"
    fails(rapid("case", "advance", "215", "--to", "badge", "-r", "done"), 6,
          "case 215 cannot pass the tevv gate: cuas-example v1: no completed trial covers the use cases "
          "point_defence, perimeter, border, convoy")
    assert ok(rapid("trials", "complete", "39")) == "Trial 39 is completed.\n"
    assert "Case 215 can pass the tevv gate." in ok(rapid("trials", "gate", "215"))
    ok(rapid("case", "advance", "215", "--to", "badge", "-r", "trial 39 passed every use case"))
    trial = ok_json(rapid("trials", "show", "39", "--json"))
    assert (trial["status"], trial["use_case_states"], trial["results"][0]["evidence"]) == (
        "completed", {k: "pass" for k in RESULTS}, ["https://example.org/trial-39"])
    assert trial["results"][1]["measured"][0] == {"measure": "probability_of_detection", "name": "Share of UAS "
                                                  "crossings detected", "value": 95.0, "unit": "%", "threshold": 90.0,
                                                  "direction": "higher_is_better", "meets_threshold": True}
    table = ok(rapid("trials", "show", "39"))
    assert re.search(r"\n +point_defence +pass +8 +detection_range 3000 m; probability_of_defeat 90 %; "
                     r"reaction_time 12 s +\n", table)
    listed = ok_json(rapid("trials", "list", "--case", "215", "--json"))
    assert (listed["total"], listed["rows"][0]["status"], listed["rows"][0]["centre_country"]) == (1, "completed", "NLD")
    assert ok_json(rapid("trials", "list", "--status", "scheduled", "--json"))["total"] == 37


def test_the_scheduler_from_the_command_line(qs_db):
    ok(rapid("trials", "request", "--solution", "EDF-101167931", "--procedure", "cuas-example"))
    ok(rapid("trials", "request", "--solution", "EDF-101168134", "--procedure", "usv-persistence-example",
             "--weeks", "4"))
    dry = ok_json(rapid("trials", "schedule", "--dry-run", "--json"))
    assert (dry["requested"], dry["applied"], len(dry["placements"])) == (2, False, 2)
    printed = ok(rapid("trials", "schedule"))
    assert printed.startswith("2 requested trials: 2 placed at 2 centres in ")
    assert "CP-SAT optimal in " in printed and "Week 0 starts 2026-11-30." in printed
    assert ok_json(rapid("trials", "list", "--status", "requested", "--json"))["total"] == 0
    assert ok(rapid("trials", "schedule")) == "No requested trial of yours to schedule ('rapid trials request' makes one).\n"
    plan = ok(rapid("trials", "plan", "--weeks", "6"))
    assert "Trials per centre, 6 weeks from 2026-11-23" in plan
    fails(rapid("trials", "schedule", "39", "--centre", VREDEPEEL), 2,
          "--centre: scheduling by hand takes one trial, --centre and --start")


def test_procedures_import_reports_file_line_and_field(qs_db, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLES_DIR / "counter_uas.yaml").read_text().replace("threshold: 2000", "threshold: far"))
    fails(rapid("procedures", "import", str(bad)), 2,
          "bad.yaml:28: use_cases[0].measures[0].threshold: Input should be a valid number")
    assert ok(rapid("procedures", "import", str(EXAMPLES_DIR / "counter_uas.yaml"))) == (
        "cuas-example v1 (id 1): already there, unchanged; use cases point_defence, perimeter, border, convoy.\n")
    fails(rapid("procedures", "import"), 2, "FILES: give procedure files, or --examples for the shipped ones")
    fails(rapid("--as", "fra.viewer", "procedures", "import", "--examples"), 4,
          "importing an evaluation procedure needs the role admin or analyst or test_centre")
    fails(rapid("procedures", "show", "cuas-example@3"), 3,
          "no evaluation procedure 'cuas-example' version 3 (give its id, its ref or REF@VERSION; 'rapid procedures "
          "list' shows them)")


def test_risks_and_calendar_commands(qs_db):
    risks = ok(rapid("risks", "list", "23"))
    assert "Risks of case 23: total score 19" in risks
    assert "2024-12-01  ############################## 37 (3 risks)" in risks
    fails(rapid("risks", "add", "23", "--category", "security", "--title", "x", "--likelihood", "2", "--impact", "4",
                "--owner", "me"), 4, "adoption case 23 belongs to another organisation: only its owner may change it")
    ok(rapid("case", "open", "EDF-2023-DA-AIRDEF-CUAS", "EDF-101167931"))
    added = ok_json(rapid("risks", "add", "215", "--category", "security", "--title", "Firmware signing",
                          "--likelihood", "2", "--impact", "4", "--owner", "CISO", "--mitigation", "sign builds",
                          "--recorded-at", "2026-11-29T12:00", "--json"))
    assert (added["id"], added["score_1_to_25"], added["level"], added["history"][0]["recorded_at"]) == (
        4, 8, "medium", "2026-11-29T12:00:00+00:00")
    assert ok(rapid("risks", "score", "4", "--likelihood", "1", "--impact", "4", "--note", "signing shown")) == (
        "Risk 4 (security): Firmware signing: score 4 (low), likelihood 1 x impact 4; owner CISO.\n")
    fails(rapid("risks", "score", "4", "--likelihood", "9", "--impact", "1"), 2,
          "likelihood: must be a whole number 1-5, got 9")
    fails(rapid("risks", "score", "1", "--likelihood", "1", "--impact", "1"), 4,
          "risk 1 is in another organisation's case: only its owner may change it")
    calendar = ok_json(rapid("calendar", "show", VREDEPEEL, "--weeks", "2", "--json"))
    assert (calendar["capacity_per_week"], calendar["capacity_is_default"], len(calendar["weeks"])) == (3, True, 2)
    fails(rapid("calendar", "set", VREDEPEEL, "--capacity", "2"), 4,
          f"test centre {VREDEPEEL} belongs to another organisation: only its owner may change it")
    fails(rapid("calendar", "set", VREDEPEEL, "--capacity", "2", "--default-capacity"), 2,
          "--capacity: give --capacity or --default-capacity, not both")
