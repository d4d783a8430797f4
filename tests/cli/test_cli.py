"""The ``rapid`` command line, end to end, through ``typer.testing.CliRunner`` on real SQLite files.

Every command is run as a user would run it. Expected figures come from the bundled data files
(read here with the standard library, independently of the readers under test) or from the
quickstart's documented inference rules, and dates from the clock rules worked out by hand.

The clock is frozen at 2026-11-29T12:00Z by the autouse fixture in ``tests/conftest.py``.
Tests marked ``xfail(strict=True)`` describe the correct behaviour of a bug that is still open.
"""

from __future__ import annotations

import csv
import gc
import gzip
import hashlib
import json
import re
import shutil
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import pytest

from rapid_adoption.services.auth import create_user
from cli_results import err, fails, ok, ok_json
from conftest import open_ws
from typer.testing import CliRunner

import rapid_adoption
from rapid_adoption.cli import common
from rapid_adoption.cli.app import app
from rapid_adoption.services import workspace as workspace_module

UTC = timezone.utc
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
"""The frozen clock of tests/conftest.py."""
STAMP = "20261129T120000Z"
"""The quickstart's backup stamp at the frozen clock."""

RUNNER = CliRunner()
ENV = {"COLUMNS": "200", "LINES": "60", "LOGNAME": "tester"}
"""A wide terminal for Rich, and the user name that gate decisions record (getpass reads LOGNAME first)."""

AIR_NEED = "EDF-2023-DA-AIR-SPS"
AIR_SOLUTION = "EDF-101167826"  # CARMENTA PF, the one project funded under that call
OTHER_SOLUTION = "EDF-101167796"  # E-CUAS

DATA = Path(rapid_adoption.__file__).parent / "data"


# --------------------------------------------------------------------------------------------
# Running the CLI
# --------------------------------------------------------------------------------------------


def rapid(*args: str):
    """Run ``rapid ARGS`` in-process and return the click Result."""
    return RUNNER.invoke(app, [str(a) for a in args], env=ENV)







def use_db(monkeypatch, path: Path) -> None:
    monkeypatch.setenv("RAPID_DATABASE_URL", f"sqlite:///{path}")


def import_counts(text: str) -> dict[str, tuple[int, int, int]]:
    """The rows of a printed Import table: table -> (inserted, updated, unchanged)."""
    rows = {}
    for line in text.splitlines():
        match = re.match(r"^│ (\w+)\s+│\s+(\d+) │\s+(\d+) │\s+(\d+) │$", line.strip())
        if match:
            rows[match.group(1)] = tuple(int(match.group(i)) for i in (2, 3, 4))
    return rows


def board_rows(text: str) -> list[int]:
    """Case ids of the rows printed in the board's stage tables (before the funnel)."""
    tables = text.split("\nFunnel")[0]
    return [int(m.group(1)) for m in re.finditer(r"^\s+(\d+)\s{3}\S", tables, re.MULTILINE)]


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch):
    """Let the module-level Rich consoles read COLUMNS from the runner's environment.

    A width fixed when the consoles were created (COLUMNS exported in the shell running pytest)
    would otherwise win over the runner's env.
    """
    for console in (common.console, common.err_console):
        monkeypatch.setattr(console, "_width", None)


@pytest.fixture
def fresh_db(tmp_path, monkeypatch) -> Path:
    """RAPID_DATABASE_URL names a file that does not exist yet."""
    path = tmp_path / "rapid.db"
    use_db(monkeypatch, path)
    return path


@pytest.fixture
def init_db(fresh_db) -> Path:
    """A workspace made by ``rapid init``: schema and reference data, no catalogue."""
    ok(rapid("init"))
    return fresh_db


@pytest.fixture
def qs_db(quickstart_file, tmp_path, monkeypatch) -> Path:
    """A private copy of the session's quickstart database, named by RAPID_DATABASE_URL."""
    path = tmp_path / "rapid.db"
    shutil.copy(quickstart_file, path)
    use_db(monkeypatch, path)
    return path


# --------------------------------------------------------------------------------------------
# Expected figures, read from the bundled files with the standard library
# --------------------------------------------------------------------------------------------


def _csv(relative: str) -> list[dict[str, str]]:
    path = DATA / relative
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=None)
def centres() -> tuple[dict[str, str], ...]:
    """The bundled test centres; ``domains_json`` is the domain list as the workspace stores it (JSON)."""
    rows = _csv("network/test_centres.csv")
    for row in rows:
        row["domains_json"] = json.dumps([d.strip() for d in row["domains"].split(";") if d.strip()])
    return tuple(rows)


@lru_cache(maxsize=None)
def projects() -> tuple[dict[str, str], ...]:
    return tuple(_csv("edf/projects.csv"))


@lru_cache(maxsize=None)
def participants() -> tuple[dict[str, str], ...]:
    return tuple(_csv("edf/participants.csv"))


@lru_cache(maxsize=None)
def transitions() -> tuple[dict[str, str], ...]:
    return tuple(_csv("sbir/navy_transitions.csv"))


@lru_cache(maxsize=None)
def need_counts() -> dict[str, int]:
    """Needs in all, owned by the USA, and in the air domain, from the four need sources.

    EDF calls are air when their identifier carries the AIR or AIRDEF theme token; SBIR topics are
    air when "Air Platform" is among their technology areas. A topic of the 2008-2018 file whose
    title (case and spacing aside) is also an Air Force 2015.1 topic is kept once. Every Navy
    transition row is a (maritime) need.
    """
    calls = _csv("edf/calls.csv.gz")
    with gzip.open(DATA / "sbir/topics_airforce_2015_1.json.gz", "rt", encoding="utf-8") as handle:
        af_topics = json.load(handle)
    with gzip.open(DATA / "sbir/topics_2008_2018.jsonl.gz", "rt", encoding="utf-8") as handle:
        topics = [json.loads(line) for line in handle if line.strip()]

    def key(title: str) -> str:
        return " ".join(title.lower().split())

    def air(obj) -> bool:
        return "Air Platform" in [str(a).strip() for a in obj.get("technology_areas") or []]

    af_titles = {key(t["title"]) for t in af_topics}
    kept = [t for t in topics if key(t["topic_title"]) not in af_titles]
    edf_air = sum(1 for c in calls if {"AIR", "AIRDEF"} & set(c["call_identifier"].split("-")))
    usa = len(af_topics) + len(kept) + len(transitions())
    usa_air = sum(map(air, af_topics)) + sum(map(air, kept))
    return {"total": len(calls) + usa, "usa": usa, "air": edf_air + usa_air, "usa_air": usa_air}


def topic_years(codes: str) -> list[int]:
    """The fiscal years in DoD SBIR topic numbers, as the quickstart documents them.

    A component then two year digits, with or without a space: N112-137 is FY2011, SOCOM96-002 FY1996,
    OSD 04-DH4 FY2004; NASA Z1.05 has none. 80-99 are 19xx, 00-79 are 20xx.
    """
    return [1900 + int(yy) if int(yy) >= 80 else 2000 + int(yy)
            for yy in re.findall(r"\b[A-Z]+ ?(\d{2})", codes.upper())]


def navy_ref(row: dict[str, str]) -> str:
    """The quickstart's case ref of a Navy transition row (a digest of firm, description and year)."""
    digest = hashlib.sha1(f"{row['firm'].strip()}|{row['description'].strip()}|{row['year'].strip()}".encode()).hexdigest()
    return f"QS-NAVY-P3-{digest[:10]}"


@lru_cache(maxsize=None)
def expected_funnel() -> dict[str, int]:
    """The quickstart's cases, worked out from its documented rules and the bundled files.

    EDF: one case per project started by today, in tevv, or at badge when Ended or past its end date.
    Navy: one case per transition with a topic year, opened 1 Oct before the first topic's FY and
    adopted 1 Oct before the transition's FY (every gate recorded that day).
    """
    today = NOW.date().isoformat()
    edf = [p for p in projects() if p["start_date"] and p["start_date"] <= today]
    badge = [p for p in edf if p["status"].lower() == "ended" or (p["end_date"] and p["end_date"] <= today)]
    navy = navy_same_day = navy_within_24 = 0
    for t in transitions():
        years = topic_years(t["prior_sbir"])
        if not years or int(t["year"]) < min(years):
            continue
        navy += 1
        # Market research (3 months) is passed on time only when the contract falls on the opening day;
        # the case is adopted within 24 months when the two fiscal years are at most 2 apart.
        navy_same_day += int(int(t["year"]) == min(years))
        navy_within_24 += int(int(t["year"]) - min(years) <= 2)
    return {"edf": len(edf), "badge": len(badge), "tevv": len(edf) - len(badge), "navy": navy,
            "navy_mr_on_time": navy_same_day, "navy_within_24": navy_within_24, "total": len(edf) + navy}


def starts_a_word(text: str, word: str) -> bool:
    """The documented --text rule: ``word`` starts a word of ``text`` (after a space, - / ( " ' or a newline)."""
    text, word = text.lower(), word.lower()
    return text.startswith(word) or any(sep + word in text for sep in " -/(\"'\n")


# --------------------------------------------------------------------------------------------
# rapid --version, --help
# --------------------------------------------------------------------------------------------


def test_version():
    result = rapid("--version")
    assert ok(result) == f"rapid-adoption {rapid_adoption.__version__}\n"
    assert rapid_adoption.__version__ == "0.1.0"


def test_help_lists_every_command():
    text = ok(rapid("--help"))
    assert "Usage: rapid [OPTIONS] COMMAND [ARGS]..." in text
    assert "RAPID_DATABASE_URL" in text
    for command in ("quickstart", "init", "import", "board", "db", "case", "needs", "solutions", "companies", "centres"):
        assert re.search(rf"│ {command}\s", text), command


def test_no_arguments_prints_the_help():
    result = rapid()
    # Click ends a bare group with its usage; the exit status is click's (2 since click 8.2).
    assert result.exit_code in (0, 2)
    assert "Usage: rapid [OPTIONS] COMMAND [ARGS]..." in result.output


@pytest.mark.parametrize("command", [
    ["quickstart"], ["init"], ["import"], ["board"], ["db"], ["db", "upgrade"], ["db", "current"],
    ["case"], ["case", "open"], ["case", "advance"], ["case", "reject"], ["case", "withdraw"], ["case", "show"],
    ["needs", "list"], ["needs", "show"], ["solutions", "list"], ["solutions", "show"],
    ["companies", "list"], ["companies", "show"], ["centres", "list"], ["centres", "show"],
])
def test_every_command_has_help(command):
    text = ok(rapid(*command, "--help"))
    assert f"Usage: rapid {' '.join(command)}" in text


def test_quickstart_help_states_the_inference_rules():
    text = " ".join(ok(rapid("quickstart", "--help")).split())
    assert "rapid.db.TIMESTAMP.bak, never deleted" in text
    assert "N112-137 is FY2011: 2010-10-01" in text
    assert "--reuse" in text


def test_import_help_lists_the_columns_of_your_own_files():
    text = ok(rapid("import", "--help"))
    assert "solutions: ref*, company*, name*" in text
    assert "centres: ref, name*, type*, country*" in text


# --------------------------------------------------------------------------------------------
# rapid init, rapid db upgrade, rapid db current
# --------------------------------------------------------------------------------------------


def test_init_creates_the_workspace_for_diana(fresh_db):
    text = ok(rapid("init"))
    match = re.fullmatch(rf"Workspace ready at {re.escape(str(fresh_db.resolve()))} \(schema (\w+)\), acting for DIANA\.\n"
                         r"Next: rapid import all to load the bundled real data, or rapid quickstart\.\n", text)
    assert match, text
    head = match.group(1)
    assert fresh_db.exists()
    assert ok(rapid("db", "current")) == f"database: {head}; newest: {head}\n"
    # Running it again is safe and keeps the organisation.
    assert "acting for DIANA." in ok(rapid("init"))


def test_db_current_on_an_empty_database(fresh_db):
    fresh_db.write_bytes(b"")
    assert re.fullmatch(r"database: \(empty\); newest: \w+\n", ok(rapid("db", "current")))


def test_db_current_leaves_no_file_behind(fresh_db):
    result = rapid("db", "current")
    assert isinstance(result.exception, (SystemExit, type(None))), repr(result.exception)
    assert not fresh_db.exists()


def test_init_with_org_acts_for_that_nation(fresh_db, tmp_path):
    assert "acting for DEU." in ok(rapid("init", "--org", "deu"))
    # The organisation sticks when init runs again without --org ...
    assert "acting for DEU." in ok(rapid("init"))
    # ... and owns the needs of your own files that name no owner.
    path = tmp_path / "needs.csv"
    path.write_text("ref,title\nMY-1,Counter-drone sensing\n", encoding="utf-8")
    ok(rapid("import", "needs", path))
    assert ok_json(rapid("needs", "show", "MY-1", "--json"))["owner"] == "DEU"


def test_init_refuses_an_unknown_organisation(fresh_db):
    fails(rapid("init", "--org", "XYZ"), 2,
          "--org: unknown organisation 'XYZ': use a NATO member's ISO 3166-1 alpha-3 code such as DEU, "
          "or one of DIANA, NIF, NCIA, NSPA, ACT, CMRE, EU-DEFIS")


def test_db_upgrade_makes_the_schema_and_is_idempotent(fresh_db):
    text = ok(rapid("db", "upgrade"))
    match = re.fullmatch(rf"Schema at revision (\w+) \({re.escape(str(fresh_db.resolve()))}\)\.\n", text)
    assert match, text
    head = match.group(1)
    assert ok(rapid("db", "upgrade")) == text
    assert ok(rapid("db", "current")) == f"database: {head}; newest: {head}\n"
    # The schema alone is not a workspace: the reference data and the first admin come with init.
    fails(rapid("board", "--json"), 9, "this workspace has no user yet: run 'rapid init'")


def test_db_commands_on_the_quickstart_workspace(qs_db):
    text = ok(rapid("db", "current"))
    match = re.fullmatch(r"database: (\w+); newest: (\w+)\n", text)
    assert match and match.group(1) == match.group(2), text
    assert ok(rapid("db", "upgrade")) == f"Schema at revision {match.group(1)} ({qs_db.resolve()}).\n"
    assert ok_json(rapid("board", "--json"))["funnel"]["total"] == expected_funnel()["total"]


BEFORE_INIT = [
    ["board"], ["board", "--json"], ["needs", "list"], ["centres", "show", "1"], ["case", "show", "1"],
    ["case", "open", AIR_NEED, AIR_SOLUTION], ["case", "advance", "1", "--to", "tevv", "-r", "x"],
    ["import", "all"],
]


@pytest.mark.parametrize("command", BEFORE_INIT)
def test_commands_before_init_say_so(fresh_db, command):
    fails(rapid(*command), 7, f"there is no workspace at {fresh_db.resolve()}: run 'rapid init' or 'rapid quickstart'")
    assert not fresh_db.exists()  # no empty file left behind


@pytest.mark.parametrize("command", BEFORE_INIT)
def test_commands_on_an_empty_database_say_so(fresh_db, command):
    fresh_db.write_bytes(b"")  # an empty file is an empty SQLite database
    fails(rapid(*command), 7,
          f"the workspace at {fresh_db.resolve()} is not initialised or needs an upgrade: run 'rapid init' "
          "(or 'rapid db upgrade')")


@pytest.mark.parametrize("command", [["init"], ["quickstart"], ["db", "upgrade"], ["board"], ["needs", "list"]])
def test_a_database_that_cannot_be_opened_gives_a_clean_error(tmp_path, monkeypatch, command):
    # Regression: these ended in a raw SQLAlchemy traceback.
    not_a_database = tmp_path / "needs.csv"
    not_a_database.write_text("ref,title\nMY-1,A need\n", encoding="utf-8")
    use_db(monkeypatch, not_a_database)
    fails(rapid(*command), 8, f"cannot open the workspace database {not_a_database.resolve()}: file is not a database")
    assert not_a_database.read_text(encoding="utf-8") == "ref,title\nMY-1,A need\n"
    use_db(monkeypatch, tmp_path)
    fails(rapid(*command), 8, f"the workspace path {tmp_path} is a folder, not a database file")


@pytest.mark.parametrize("kind", ["not a database", "missing folder", "a folder"])
def test_db_current_on_a_database_that_cannot_be_opened(tmp_path, monkeypatch, kind):
    path = {"not a database": tmp_path / "needs.csv", "missing folder": tmp_path / "nowhere" / "rapid.db",
            "a folder": tmp_path}[kind]
    if kind == "not a database":
        path.write_text("ref,title\nMY-1,A need\n", encoding="utf-8")
    use_db(monkeypatch, path)
    result = rapid("db", "current")
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 8
    assert err(result).startswith("error: ")


@pytest.mark.parametrize("command", [["init"], ["quickstart"], ["db", "upgrade"]])
def test_a_workspace_in_a_missing_folder(tmp_path, monkeypatch, command):
    path = tmp_path / "no-such-folder" / "rapid.db"
    use_db(monkeypatch, path)
    fails(rapid(*command), 8, f"cannot create the workspace {path}: the folder {path.parent} does not exist")
    assert not path.parent.exists()


# --------------------------------------------------------------------------------------------
# rapid import
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_import_all_then_again_changes_nothing(init_db):
    first = ok(rapid("import", "all"))
    counts = import_counts(first)
    needs = need_counts()
    # Reference data came with init: 32 NATO members, 6 NATO bodies and EU-DEFIS (the EDF calls' owner).
    assert counts["organisations"] == (0, 0, 32 + 6 + 1)
    assert len(_csv("taxonomies/nato_members.csv")) == 32
    assert counts["trl_levels"] == (0, 0, len(_csv("taxonomies/trl_definitions.csv")))
    assert counts["mrl_levels"] == (0, 0, len(_csv("taxonomies/mrl_definitions.csv")))
    assert counts["capability_needs"] == (needs["total"], 0, 0) == (2983, 0, 0)
    with gzip.open(DATA / "sbir/awards_phase2_1984_2017.jsonl.gz", "rt", encoding="utf-8") as handle:
        awards = sum(1 for line in handle if line.strip())
    assert counts["solutions"] == (len(projects()) + len(transitions()) + awards, 0, 0) == (22335, 0, 0)
    assert counts["solution_participants"] == (len(participants()), 0, 0) == (1149, 0, 0)
    assert counts["test_centres"] == (len(centres()), 0, 0) == (100, 0, 0)
    assert counts["companies"] == (6196, 0, 0)
    assert counts["programme_memberships"] == (17, 0, 0)
    assert counts["investments"] == (9, 0, 0)
    assert f"  EDF participant rows: {len(participants())}" in first
    assert "  SBIR companies after merging: 5556" in first
    assert "Nothing changed" not in first

    second = ok(rapid("import", "all"))
    again = import_counts(second)
    assert again.keys() == counts.keys()
    for table, (inserted, updated, unchanged) in again.items():
        assert (inserted, updated) == (0, 0), table
    assert again["capability_needs"] == (0, 0, 2983)
    assert again["test_centres"] == (0, 0, 100)
    assert second.rstrip().endswith("Nothing changed: the workspace already holds this data.")
    assert ok_json(rapid("needs", "list", "--json", "--limit", "1"))["total"] == 2983


def test_import_own_needs_csv(init_db, tmp_path):
    path = tmp_path / "needs.csv"
    path.write_text(
        "ref,title,statement,operational_domain,priority,technology_areas,published_on\n"
        "MY-NEED-1,Counter-drone sensing for bases,Detect small drones near airfields,air,high,sensors;AI,2026-10-01\n"
        "MY-NEED-2,Mine countermeasures,Find sea mines with unmanned vehicles,maritime,critical,,\n",
        encoding="utf-8")
    first = ok(rapid("import", "needs", path))
    assert import_counts(first)["capability_needs"] == (2, 0, 0)
    assert "Nothing changed" not in first

    need = ok_json(rapid("needs", "show", "MY-NEED-1", "--json"))
    assert {k: need[k] for k in ("ref", "title", "statement", "operational_domain", "priority", "technology_areas",
                                  "published_on", "owner", "source", "tlp", "version", "responding_solutions", "cases")} == {
        "ref": "MY-NEED-1", "title": "Counter-drone sensing for bases", "statement": "Detect small drones near airfields",
        "operational_domain": "air", "priority": "high", "technology_areas": ["sensors", "AI"],
        "published_on": "2026-10-01", "owner": "DIANA", "source": "user import", "tlp": "GREEN", "version": 1,
        "responding_solutions": [], "cases": [],
    }
    assert ok_json(rapid("needs", "list", "--domain", "maritime", "--json"))["total"] == 1
    assert ok_json(rapid("needs", "list", "--text", "drone", "--json"))["total"] == 1

    # The same file again changes nothing; an edited title updates one row and bumps its version.
    second = ok(rapid("import", "needs", path))
    assert import_counts(second)["capability_needs"] == (0, 0, 2)
    assert "Nothing changed: the workspace already holds this data." in second
    path.write_text(path.read_text(encoding="utf-8").replace("Mine countermeasures", "Mine hunting"), encoding="utf-8")
    third = ok(rapid("import", "needs", path))
    assert import_counts(third)["capability_needs"] == (0, 1, 1)
    edited = ok_json(rapid("needs", "show", "MY-NEED-2", "--json"))
    assert (edited["title"], edited["version"]) == ("Mine hunting", 2)


def test_import_a_bad_row_names_file_line_and_field_and_writes_nothing(init_db, tmp_path):
    path = tmp_path / "needs.csv"
    path.write_text("ref,title,operational_domain\nMY-1,Good need,air\nMY-2,Bad need,sea\n", encoding="utf-8")
    fails(rapid("import", "needs", path), 2,
          f"{path}:3: operational_domain: must be one of land, maritime, air, space, cyber, got 'sea'")
    assert ok_json(rapid("needs", "list", "--json"))["total"] == 0


def test_import_skip_invalid_writes_the_rejects_file(init_db, tmp_path):
    path = tmp_path / "solutions.csv"
    path.write_text("ref,company,name,trl\n"
                    "MY-SOL-2,PIC-998627417,Bad TRL thing,12\n"
                    "MY-SOL-4,PIC-998627417,,5\n", encoding="utf-8")
    rejects = tmp_path / "out" / "rejects.csv"
    rejects.parent.mkdir()
    result = rapid("import", "solutions", path, "--skip-invalid", "--rejects", rejects)
    # Every row was rejected: that is a failure, and the rejects file says why.
    assert result.exit_code == 2
    assert err(result) == (f"2 row(s) rejected; the rows and the reasons are in {rejects}\n"
                           f"error: no row was imported: every row was rejected (see {rejects})")
    with rejects.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [r[:4] for r in rows] == [
        ["file", "line", "field", "message"],
        [str(path), "2", "trl", "TRL must be 1-9, got '12'"],
        [str(path), "3", "name", "is required and was empty"],
    ]
    # The rejected row itself comes along, so it can be fixed and imported again.
    assert rows[0][4:] == ["row"]
    assert json.loads(rows[1][4]) == {"ref": "MY-SOL-2", "company": "PIC-998627417", "name": "Bad TRL thing", "trl": "12"}
    assert json.loads(rows[2][4]) == {"ref": "MY-SOL-4", "company": "PIC-998627417", "name": "", "trl": "5"}
    assert listing("solutions", "list", "--text", "bad")["total"] == 0


def test_import_without_skip_invalid_stops_at_the_first_bad_row(init_db, tmp_path):
    path = tmp_path / "solutions.csv"
    path.write_text("ref,company,name,trl\nMY-SOL-2,PIC-998627417,Bad TRL thing,12\n", encoding="utf-8")
    fails(rapid("import", "solutions", path), 2, f"{path}:2: trl: TRL must be 1-9, got '12'")
    assert not (tmp_path / "rejects.csv").exists()


def test_import_own_solutions_for_companies_and_needs_in_the_workspace(qs_db, tmp_path):
    # Regression: upsert() used to return no ids for an empty batch, so a solutions file could not
    # name a company or need already in the workspace ("no company ... in this file or workspace").
    path = tmp_path / "solutions.csv"
    path.write_text("ref,company,name,trl,need,cots\n"
                    f"MY-SOL-1,PIC-998627417,Drone radar kit,7,{AIR_NEED},true\n"
                    "MY-SOL-2,PIC-998627417,Bad TRL thing,12,,\n"
                    "MY-SOL-3,PIC-998627417,Mine hunter USV,4,,false\n"
                    "MY-SOL-5,PIC-000000000,Unknown maker,5,,\n", encoding="utf-8")
    fails(rapid("import", "solutions", path), 2, f"{path}:3: trl: TRL must be 1-9, got '12'")
    assert listing("solutions", "list", "--trl-min", "1")["total"] == 0  # nothing was written

    rejects = tmp_path / "rejects.csv"
    result = rapid("import", "solutions", path, "--skip-invalid", "--rejects", rejects)
    assert import_counts(ok(result))["solutions"] == (2, 0, 0)
    assert err(result) == f"2 row(s) rejected; the rows and the reasons are in {rejects}"
    with rejects.open(encoding="utf-8", newline="") as handle:
        assert [r[:4] for r in list(csv.reader(handle))[1:]] == [
            [str(path), "3", "trl", "TRL must be 1-9, got '12'"],
            [str(path), "5", "company", "no company 'PIC-000000000' in this file or workspace"],
        ]
    solution = ok_json(rapid("solutions", "show", "MY-SOL-1", "--json"))
    assert (solution["trl"], solution["cots"], solution["company"]["ref"]) == (7, True, "PIC-998627417")
    assert solution["tlp"] == "GREEN"
    assert listing("solutions", "list", "--trl-min", "5")["total"] == 1
    assert listing("solutions", "list", "--trl-min", "4", "--trl-max", "4")["rows"][0]["ref"] == "MY-SOL-3"
    assert listing("solutions", "list", "--trl-max", "9")["total"] == 2
    responding = ok_json(rapid("needs", "show", AIR_NEED, "--json"))["responding_solutions"]
    assert [s["ref"] for s in responding] == [AIR_SOLUTION, "MY-SOL-1"]
    assert ok_json(rapid("companies", "show", "PIC-998627417", "--json"))["solution_count"] == 4


def test_import_bundled_sets_and_own_companies_and_centres(init_db, tmp_path):
    # init loaded the reference tables already.
    text = ok(rapid("import", "taxonomies"))
    assert import_counts(text)["organisations"] == (0, 0, 39)
    assert "Nothing changed: the workspace already holds this data." in text
    assert import_counts(ok(rapid("import", "network")))["test_centres"] == (len(centres()), 0, 0)

    companies = tmp_path / "companies.csv"
    companies.write_text("ref,legal_name,aliases,country,sme,eu_pic\n"
                         "ACME-1,Acme Drones GmbH,Acme;ACME Drones,DE,true,123456789\n", encoding="utf-8")
    assert import_counts(ok(rapid("import", "companies", companies)))["companies"] == (1, 0, 0)
    acme = ok_json(rapid("companies", "show", "ACME-1", "--json"))
    assert {k: acme[k] for k in ("legal_name", "aliases", "country", "sme", "eu_pic", "solution_count")} == {
        "legal_name": "Acme Drones GmbH", "aliases": ["Acme", "ACME Drones"], "country": "DEU", "sme": True,
        "eu_pic": "123456789", "solution_count": 0}
    assert [r["ref"] for r in listing("companies", "list", "--text", "acme drones")["rows"]] == ["ACME-1"]

    centres_file = tmp_path / "centres.csv"
    centres_file.write_text("name,type,country,city,domains\nNew Range,test range,NO,Tromsø,air;space\n",
                            encoding="utf-8")
    assert import_counts(ok(rapid("import", "centres", centres_file)))["test_centres"] == (1, 0, 0)
    norwegian = [c for c in centres() if c["country_iso3"] == "NOR"]
    data = listing("centres", "list", "--country", "NOR")
    assert data["total"] == len(norwegian) + 1
    assert data["rows"][-1]["ref"] == "new-range-nor"
    centre = ok_json(rapid("centres", "show", "new-range-nor", "--json"))
    assert (centre["centre_type"], centre["city"], centre["domains"], centre["tlp"]) == (
        "test range", "Tromsø", ["air", "space"], "GREEN")


@pytest.mark.parametrize("args, message", [
    (["needs"], "FILE: give the file to import: rapid import needs FILE"),
    (["foo"], "SOURCE: unknown source 'foo'; expected one of all, taxonomies, edf, sbir, network, needs, companies, "
              "solutions, centres"),
    (["all", "."], "FILE: 'all' reads the bundled data and takes no path"),
])
def test_import_usage_errors(init_db, args, message):
    fails(rapid("import", *args), 2, message)


@pytest.mark.parametrize("name, content, extra, message", [
    ("needs.csv", "ref,title,colour\nX-1,T,red\n", [],
     "{path}:1: colour: unknown column 'colour' for needs; the columns are: ref, title, statement, operational_domain, "
     "technology_areas, priority, owner, source, published_on"),
    ("needs.csv", "ref,title\n", [], "{path}: holds no needs: the file has no rows after its header"),
    ("needs.csv", "ref,title\nX-1,T\nX-1,U\n", [], "{path}:3: ref: duplicate ref 'X-1' (first on line 2)"),
    ("needs.csv", "ref,title\nX-1,T\n", ["--skip-invalid", "--rejects", "{path}"],
     "--rejects: is the file being imported; choose another name for the rejects"),
    ("needs.txt", "ref,title\nX-1,T\n", [], "{path}: unknown file format: use .csv, .json or .jsonl"),
    ("needs.csv", "ref,title,owner\nX-1,T,XYZ\n", [], "{path}:2: owner: no organisation 'XYZ' in this workspace"),
])
def test_import_own_file_errors(init_db, tmp_path, name, content, extra, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    fails(rapid("import", "needs", path, *[a.format(path=path) for a in extra]), 2, message.format(path=path))
    assert ok_json(rapid("needs", "list", "--json"))["total"] == 0
    assert path.read_text(encoding="utf-8") == content


def test_import_own_json_needs(init_db, tmp_path):
    path = tmp_path / "needs.json"
    path.write_text(json.dumps([{"ref": "J-1", "title": "Space debris tracking", "operational_domain": "space",
                                 "technology_areas": ["sensors", "space"]}]), encoding="utf-8")
    assert import_counts(ok(rapid("import", "needs", path)))["capability_needs"] == (1, 0, 0)
    need = ok_json(rapid("needs", "show", "J-1", "--json"))
    assert (need["operational_domain"], need["technology_areas"], need["priority"]) == ("space", ["sensors", "space"],
                                                                                        "medium")
    assert listing("needs", "list", "--domain", "space")["rows"][0]["ref"] == "J-1"


def test_import_a_missing_file(init_db, tmp_path):
    missing = tmp_path / "missing.csv"
    fails(rapid("import", "needs", missing), 2, f"{missing}: file not found")


def test_init_for_eu_defis_gives_a_usable_workspace(fresh_db, tmp_path):
    # Regression: EU-DEFIS was accepted by init but existed only after the EDF import.
    assert "acting for EU-DEFIS." in ok(rapid("init", "--org", "eu-defis"))
    path = tmp_path / "needs.csv"
    path.write_text("ref,title\nMY-1,Counter-drone sensing\n", encoding="utf-8")
    assert import_counts(ok(rapid("import", "needs", path)))["capability_needs"] == (1, 0, 0)
    assert ok_json(rapid("needs", "show", "MY-1", "--json"))["owner"] == "EU-DEFIS"


# --------------------------------------------------------------------------------------------
# rapid needs|solutions|companies|centres list
# --------------------------------------------------------------------------------------------


def listing(*args: str) -> dict:
    return ok_json(rapid(*args, "--json"))


def test_centres_list_all(qs_db):
    data = listing("centres", "list")
    assert data["total"] == len(centres()) == 100
    assert data["offset"] == 0
    assert len(data["rows"]) == 50  # the default --limit
    assert [r["id"] for r in data["rows"]] == list(range(1, 51))
    first = data["rows"][0]
    assert first == {
        "id": 1, "ref": "tehnopol-startup-incubator-diana-estonia-accelerator-est",
        "name": centres()[0]["name"], "centre_type": centres()[0]["type"], "country": "EST", "city": "Tallinn",
        "domains": ["energy", "secure information sharing", "sensing & surveillance (2023 challenge themes)"],
    }


def test_centres_list_by_country(qs_db):
    estonian = [c["name"] for c in centres() if c["country_iso3"] == "EST"]
    assert len(estonian) == 8
    data = listing("centres", "list", "--country", "est")
    assert data["total"] == 8
    assert [r["name"] for r in data["rows"]] == estonian
    assert {r["country"] for r in data["rows"]} == {"EST"}


def test_centres_list_by_domain_and_text(qs_db):
    energy = [c["name"] for c in centres() if "energy" in c["domains"].lower()]
    data = listing("centres", "list", "--domain", "Energy")
    assert data["total"] == len(energy) == 3
    assert [r["name"] for r in data["rows"]] == energy
    fields = ("name", "operator", "notes", "domains_json")
    tehnopol = [c for c in centres() if any(starts_a_word(c[k], "tehnopol") for k in fields)]
    assert listing("centres", "list", "--text", "TEHNOPOL")["total"] == len(tehnopol) == 1
    # Every word must start a word somewhere.
    both = [c["name"] for c in centres() if all(any(starts_a_word(c[k], w) for k in fields) for w in ("diana", "range"))]
    data = listing("centres", "list", "--text", "diana range", "--limit", "100")
    assert [r["name"] for r in data["rows"]] == both
    assert data["total"] == len(both) > 0
    # A match inside a longer word does not count: "ange" occurs inside words such as "range".
    inside = [c for c in centres() if any("ange" in c[k].lower() for k in fields)]
    starting = [c for c in centres() if any(starts_a_word(c[k], "ange") for k in fields)]
    assert len(inside) > len(starting)
    assert listing("centres", "list", "--text", "ange")["total"] == len(starting)


def test_centres_list_paging(qs_db):
    data = listing("centres", "list", "--limit", "3", "--offset", "98")
    assert (data["total"], data["offset"], [r["id"] for r in data["rows"]]) == (100, 98, [99, 100])
    first_five = [r["id"] for r in listing("centres", "list", "--limit", "5")["rows"]]
    next_five = [r["id"] for r in listing("centres", "list", "--limit", "5", "--offset", "5")["rows"]]
    assert first_five + next_five == [r["id"] for r in listing("centres", "list", "--limit", "10")["rows"]]


def test_centres_list_table(qs_db):
    text = ok(rapid("centres", "list", "--country", "EST", "--limit", "3"))
    assert "Test centres: 3 of 8" in text
    assert "Tehnopol Startup Incubator (DIANA Estonia accelerator)" in text
    assert text.rstrip().endswith("5 more: use --offset 3")


def test_needs_list_totals(qs_db):
    counts = need_counts()
    assert listing("needs", "list")["total"] == counts["total"] == 2983
    assert listing("needs", "list", "--country", "USA")["total"] == counts["usa"] == 2776
    # EU-DEFIS is not a nation: no need of it matches a country.
    assert listing("needs", "list", "--country", "BEL")["total"] == 0


def test_needs_list_by_domain(qs_db):
    counts = need_counts()
    air = listing("needs", "list", "--domain", "AIR", "--limit", "10000")
    assert air["total"] == counts["air"] == 238
    assert len(air["rows"]) == 238
    assert {r["operational_domain"] for r in air["rows"]} == {"air"}
    assert air["rows"][0]["ref"] == "EDF-2026-DA-ACC-AIRDEF-EATMI"
    assert listing("needs", "list", "--domain", "air", "--country", "USA")["total"] == counts["usa_air"] == 220


def test_needs_list_text_and_paging(qs_db):
    drone = listing("needs", "list", "--text", "drone", "--limit", "100")
    assert drone["total"] == 50
    assert len(drone["rows"]) == 50
    text = ok(rapid("needs", "list", "--text", "drone", "--limit", "5"))
    assert "Capability needs: 5 of 50" in text
    assert text.rstrip().endswith("45 more: use --offset 5")
    last_page = listing("needs", "list", "--text", "drone", "--offset", "45")
    assert (last_page["offset"], len(last_page["rows"])) == (45, 5)
    assert [r["id"] for r in last_page["rows"]] == [r["id"] for r in drone["rows"][45:]]
    text = ok(rapid("needs", "list", "--text", "drone", "--offset", "45"))
    assert "Capability needs: 5 of 50" in text
    assert "more: use --offset" not in text
    assert listing("needs", "list", "--text", "drone", "--offset", "50")["rows"] == []


def test_solutions_list(qs_db):
    coordinator = {p["project_id"]: p for p in participants() if p["role"] == "coordinator"}
    italian = [p for p in projects() if coordinator[p["project_id"]]["country_code"] == "IT"]
    data = listing("solutions", "list", "--country", "ITA")
    assert data["total"] == len(italian) == 4
    assert {r["ref"] for r in data["rows"]} == {f"EDF-{p['project_id']}" for p in italian}
    assert listing("solutions", "list")["total"] == 22335
    assert listing("solutions", "list", "--text", "CARMENTA")["rows"][0]["ref"] == AIR_SOLUTION
    # No bundled source states a TRL, so a TRL filter matches nothing on the bundled data.
    assert listing("solutions", "list", "--trl-min", "1")["total"] == 0
    assert listing("solutions", "list", "--trl-min", "1", "--trl-max", "9")["total"] == 0


def test_country_accepts_alpha_2(qs_db):
    german = [c["name"] for c in centres() if c["country_iso3"] == "DEU"]
    assert [r["name"] for r in listing("centres", "list", "--country", "de")["rows"]] == german
    assert listing("companies", "list", "--country", "DE")["total"] == listing("companies", "list", "--country", "DEU")["total"]


def test_companies_list(qs_db):
    assert listing("companies", "list")["total"] == 6196
    german = listing("companies", "list", "--country", "DEU", "--limit", "200")
    assert german["total"] == 89
    assert {r["country"] for r in german["rows"]} == {"DEU"}
    leonardo = listing("companies", "list", "--text", "leonardo societa")
    assert "PIC-998627417" in [r["ref"] for r in leonardo["rows"]]


@pytest.mark.parametrize("args, message", [
    (["companies", "list", "--trl-min", "3"], "--trl-min/--trl-max: the TRL filter applies to solutions only"),
    (["needs", "list", "--trl-max", "5"], "--trl-min/--trl-max: the TRL filter applies to solutions only"),
    (["centres", "list", "--trl-min", "3"], "--trl-min/--trl-max: the TRL filter applies to solutions only"),
    (["solutions", "list", "--domain", "air"], "--domain: the domain filter applies to needs and centres, not solutions"),
    (["companies", "list", "--domain", "air"], "--domain: the domain filter applies to needs and centres, not companies"),
    (["needs", "list", "--domain", "sea"], "--domain: must be one of land, maritime, air, space, cyber, got 'sea'"),
    (["solutions", "list", "--trl-min", "0"], "--trl-min: TRL must be 1-9, got 0"),
    (["solutions", "list", "--trl-max", "10"], "--trl-max: TRL must be 1-9, got 10"),
    (["solutions", "list", "--trl-min", "5", "--trl-max", "3"], "--trl-min: --trl-min 5 is above --trl-max 3"),
    (["needs", "list", "--limit", "0"], "--limit: must be 1-10000, got 0"),
    (["centres", "list", "--limit", "10001"], "--limit: must be 1-10000, got 10001"),
    (["needs", "list", "--offset", "-1"], "--offset: must be 0 or more, got -1"),
    (["centres", "list", "--country", "XX"], "--country: is not an ISO 3166-1 country code, got 'XX'"),
    (["companies", "list", "--country", "XYZ"], "--country: is not an ISO 3166-1 country code, got 'XYZ'"),
])
def test_list_filter_errors(qs_db, args, message):
    fails(rapid(*args), 2, message)
    fails(rapid(*args, "--json"), 2, message)


def test_text_filter_is_case_insensitive_beyond_ascii(qs_db):
    obuda = [c for c in centres() if "óbuda" in c["name"].lower()]
    assert len(obuda) == 1
    assert listing("centres", "list", "--text", "óbuda")["total"] == 1
    assert listing("centres", "list", "--text", "Óbuda")["total"] == 1
    andoya = listing("companies", "list", "--text", "ANDØYA")
    assert andoya["total"] >= 1
    assert "ANDØYA" in andoya["rows"][0]["legal_name"]


# --------------------------------------------------------------------------------------------
# rapid needs|solutions|companies|centres show
# --------------------------------------------------------------------------------------------


def test_needs_show_by_ref_and_id(qs_db):
    need = ok_json(rapid("needs", "show", AIR_NEED, "--json"))
    assert ok_json(rapid("needs", "show", str(need["id"]), "--json")) == need
    funded = sorted(p["project_id"] for p in projects() if p["call_identifier"] == AIR_NEED)
    assert funded == ["101167826"]
    # The quickstart opens the EDF cases in order of solution ref, so this project's case id is its rank.
    case_id = sorted(f"EDF-{p['project_id']}" for p in projects()).index(AIR_SOLUTION) + 1
    assert case_id == 25
    project = next(p for p in projects() if p["project_id"] == "101167826")
    assert project["status"] == "Ongoing" and project["end_date"] > NOW.date().isoformat()  # so still in tevv
    assert {k: need[k] for k in ("ref", "title", "operational_domain", "technology_areas", "priority", "owner", "tlp")} == {
        "ref": AIR_NEED, "title": "Self-protection systems", "operational_domain": "air",
        "technology_areas": ["Air combat"], "priority": "medium", "owner": "EU-DEFIS", "tlp": "CLEAR"}
    assert [s["ref"] for s in need["responding_solutions"]] == [f"EDF-{p}" for p in funded]
    assert need["cases"] == [{"id": case_id, "stage": "tevv"}]
    text = ok(rapid("needs", "show", AIR_NEED))
    assert re.search(r"title\s+Self-protection systems", text)
    assert re.search(r"owner\s+EU-DEFIS", text)
    assert re.search(rf"cases\s+id={case_id}, stage=tevv", text)


def test_solutions_show(qs_db):
    solution = ok_json(rapid("solutions", "show", AIR_SOLUTION, "--json"))
    assert ok_json(rapid("solutions", "show", str(solution["id"]), "--json")) == solution
    members = [p for p in participants() if p["project_id"] == "101167826"]
    lead = next(p for p in members if p["role"] == "coordinator")
    assert solution["name"] == "CARMENTA PF: CARMENTA PRIMUM FUGA"
    assert solution["company"] == {"id": solution["company"]["id"], "ref": f"PIC-{lead['pic']}",
                                   "legal_name": lead["organization_name"], "country": "ITA"}
    assert len(solution["consortium"]) == len(members) == 18
    assert {m["company_ref"] for m in solution["consortium"]} == {f"PIC-{m['pic']}" for m in members}
    assert solution["consortium"][0]["role"] == "coordinator"
    assert solution["cases"] == [{"id": 25, "stage": "tevv"}]


def test_companies_show_by_ref(qs_db):
    company = ok_json(rapid("companies", "show", "PIC-998627417", "--json"))
    assert ok_json(rapid("companies", "show", str(company["id"]), "--json")) == company
    rows = [p for p in participants() if p["pic"] == "998627417"]
    led = sorted(f"EDF-{p['project_id']}" for p in rows if p["role"] == "coordinator")
    assert company["legal_name"] == rows[0]["organization_name"] == "LEONARDO - SOCIETA PER  AZIONI"
    assert (company["country"], company["eu_pic"], company["sme"]) == ("ITA", "998627417", False)
    assert company["solution_count"] == len(led) == 2
    assert sorted(s["ref"] for s in company["solutions"]) == led
    assert company["projects_as_participant"] == len({p["project_id"] for p in rows}) == 26
    assert (company["programmes"], company["investments"]) == ([], [])
    text = ok(rapid("companies", "show", "PIC-998627417"))
    assert re.search(r"legal_name\s+LEONARDO - SOCIETA PER  AZIONI", text)
    assert re.search(r"projects_as_participant\s+26", text)


def test_centres_show_by_id_and_ref(qs_db):
    centre = ok_json(rapid("centres", "show", "1", "--json"))
    assert ok_json(rapid("centres", "show", centre["ref"], "--json")) == centre
    row = centres()[0]
    assert (centre["name"], centre["city"], centre["operator"], centre["source"]) == (
        row["name"], row["city"], row["operator"], row["source_url"])
    text = ok(rapid("centres", "show", "tehnopol-startup-incubator-diana-estonia-accelerator-est"))
    assert re.search(r"domains\s+energy; secure information sharing; sensing & surveillance", text)
    assert re.search(r"capabilities\s+-", text)


@pytest.mark.parametrize("resource, ident, label", [
    ("needs", "NOPE", "capability need"),
    ("needs", "999999", "capability need"),
    ("solutions", "EDF-000", "solution"),
    ("companies", "PIC-000000000", "company"),
    ("centres", "nowhere-xyz", "test centre"),
])
def test_show_unknown_record(qs_db, resource, ident, label):
    expected = f"no {label} {ident!r} (give its id or ref)"
    fails(rapid(resource, "show", ident), 3, expected)
    fails(rapid(resource, "show", ident, "--json"), 3, expected)


# --------------------------------------------------------------------------------------------
# rapid case
# --------------------------------------------------------------------------------------------

# Deadlines of a standard case opened at NOW, by hand (add_months clamps to the month's last day):
# 2026-11-29 + 3 months is 2027-02-29, which does not exist, so 2027-02-28; + 15 months is 2028-02-29
# (2028 is a leap year); + 16, 21 and 24 months fall on the 29th of March, August and November 2028.
STANDARD = {
    "market_research": datetime(2027, 2, 28, 12, tzinfo=UTC),
    "tevv": datetime(2028, 2, 29, 12, tzinfo=UTC),
    "badge": datetime(2028, 3, 29, 12, tzinfo=UTC),
    "contracting": datetime(2028, 8, 29, 12, tzinfo=UTC),
    "fielding": datetime(2028, 11, 29, 12, tzinfo=UTC),
}
# A COTS case's budgets are 9/24 of these, in calendar months: 1.125, 5.625, 6, 7.875 and 9. The fraction
# is that share of the next calendar month: 1.125 months is 2026-12-29T12:00 plus 1/8 of the 31 days to
# 2027-01-29 (3 d 21 h); 5.625 is 2027-04-29T12:00 plus 5/8 of 30 days (18 d 18 h); 7.875 is
# 2027-06-29T12:00 plus 7/8 of 30 days (26 d 6 h).
COTS = {
    "market_research": datetime(2027, 1, 2, 9, tzinfo=UTC),
    "tevv": datetime(2027, 5, 18, 6, tzinfo=UTC),
    "badge": datetime(2027, 5, 29, 12, tzinfo=UTC),
    "contracting": datetime(2027, 7, 25, 18, tzinfo=UTC),
    "fielding": datetime(2027, 8, 29, 12, tzinfo=UTC),
}
NEW_CASE = 215
"""The id of the first case opened after the quickstart's 214 (42 EDF projects, 172 Navy transitions)."""


def iso(deadlines: dict[str, datetime]) -> dict[str, str]:
    return {s: d.isoformat() for s, d in deadlines.items()}


def test_the_hand_computed_deadlines():
    # Stage lengths in days: 91 (1 + 31 + 31 + 28), 457, 486, 639 and 731 (365 + 366).
    assert [(d - NOW).days for d in STANDARD.values()] == [91, 457, 486, 639, 731]
    assert COTS["market_research"] == datetime(2026, 12, 29, 12, tzinfo=UTC) + (31 * 86400 / 8) * timedelta(seconds=1)
    assert COTS["tevv"] == datetime(2027, 4, 29, 12, tzinfo=UTC) + timedelta(days=30 * 5 / 8)
    assert COTS["contracting"] == datetime(2027, 6, 29, 12, tzinfo=UTC) + timedelta(days=30 * 7 / 8)
    assert NEW_CASE == expected_funnel()["total"] + 1


@pytest.fixture
def opened(qs_db) -> int:
    """A standard case opened now by the workspace (DIANA) on the air need and its funded project."""
    text = ok(rapid("case", "open", AIR_NEED, AIR_SOLUTION))
    assert text == (f"Opened case {NEW_CASE}: market research is due by 2027-02-28 12:00 UTC (91 days).\n"
                    f"Marking: TLP:GREEN · All organisations ('rapid share case:{NEW_CASE}' changes it).\n")
    return NEW_CASE


def test_case_open_starts_the_clock_now(opened):
    case = ok_json(rapid("case", "show", str(opened), "--json"))
    assert {k: case[k] for k in ("id", "ref", "stage", "cots", "opened_at", "closed_at", "rejected_at_stage",
                                 "version", "need_ref", "solution_ref", "need_title", "solution_name",
                                 "company_name", "tlp", "timeline")} == {
        "id": NEW_CASE, "ref": None, "stage": "market_research", "cots": False, "opened_at": NOW.isoformat(),
        "closed_at": None, "rejected_at_stage": None, "version": 1, "need_ref": AIR_NEED,
        "solution_ref": AIR_SOLUTION, "need_title": "Self-protection systems",
        "solution_name": "CARMENTA PF: CARMENTA PRIMUM FUGA", "company_name": "ELETTRONICA SPA", "tlp": "GREEN",
        "timeline": [],
    }
    assert case["clock"] == {
        "status": "on_track", "stage_deadline": "2027-02-28T12:00:00+00:00", "days_left": 91, "window_used": 0.0,
        "months_elapsed": 0.0, "total_deadline": "2028-11-29T12:00:00+00:00",
    }
    assert case["stage_deadlines"] == iso(STANDARD)
    board = ok_json(rapid("board", "--json"))
    row = next(c for c in board["by_stage"]["market_research"] if c["id"] == NEW_CASE)
    assert (row["owner"], row["status"], row["days_left"]) == ("DIANA", "on_track", 91)
    assert board["funnel"]["total"] == NEW_CASE
    assert board["funnel"]["status"] == {"on_track": 1, "at_risk": 1, "overdue": 41}


def test_case_open_json_and_by_id(qs_db):
    need_id = ok_json(rapid("needs", "show", AIR_NEED, "--json"))["id"]
    solution_id = ok_json(rapid("solutions", "show", AIR_SOLUTION, "--json"))["id"]
    case = ok_json(rapid("case", "open", str(need_id), str(solution_id), "--json"))
    assert (case["id"], case["need_ref"], case["solution_ref"]) == (NEW_CASE, AIR_NEED, AIR_SOLUTION)
    assert case == ok_json(rapid("case", "show", str(NEW_CASE), "--json"))


def test_case_open_cots_scales_the_deadlines(qs_db):
    case = ok_json(rapid("case", "open", AIR_NEED, OTHER_SOLUTION, "--cots", "--json"))
    assert case["cots"] is True
    assert case["stage_deadlines"] == iso(COTS)
    assert case["clock"]["stage_deadline"] == "2027-01-02T09:00:00+00:00"
    assert case["clock"]["days_left"] == 34  # calendar days: 1 (November) + 31 + 2
    assert case["clock"]["total_deadline"] == "2027-08-29T12:00:00+00:00"
    text = ok(rapid("case", "show", str(case["id"])))
    assert "COTS: yes" in text
    assert "overall deadline: 2027-08-29" in text


def test_case_open_twice_is_a_conflict(opened):
    fails(rapid("case", "open", AIR_NEED, AIR_SOLUTION), 5,
          f"case {opened} is already open for need {AIR_NEED} and solution {AIR_SOLUTION}")
    fails(rapid("case", "open", AIR_NEED, AIR_SOLUTION, "--cots"), 5,
          f"case {opened} is already open for need {AIR_NEED} and solution {AIR_SOLUTION}")


def test_case_open_unknown_need_or_solution(qs_db):
    fails(rapid("case", "open", "NOPE", AIR_SOLUTION), 3, "no capability need 'NOPE' (give its id or ref)")
    fails(rapid("case", "open", AIR_NEED, "NOPE"), 3, "no solution 'NOPE' (give its id or ref)")
    assert ok_json(rapid("board", "--json"))["funnel"]["total"] == NEW_CASE - 1


def test_case_advance_records_the_decision(opened):
    result = rapid("case", "advance", str(opened), "--to", "TEVV", "--rationale", "Market survey done",
                   "--evidence", "https://example.org/survey.pdf", "-e", "http://example.org/notes", "--if-version", "1")
    assert ok(result) == f"Case {opened} is now in tevv (on_track).\n"
    case = ok_json(rapid("case", "show", str(opened), "--json"))
    assert (case["stage"], case["version"]) == ("tevv", 2)
    assert case["timeline"] == [{
        "from_stage": "market_research", "to_stage": "tevv", "decided_at": NOW.isoformat(), "decided_by": "admin",
        "rationale": "Market survey done", "evidence": ["https://example.org/survey.pdf", "http://example.org/notes"],
        "inferred": False, "on_time": True,
    }]
    assert case["clock"]["stage_deadline"] == STANDARD["tevv"].isoformat()
    assert case["clock"]["days_left"] == 457
    text = ok(rapid("case", "show", str(opened)))
    assert "market_research → tevv on time  by admin" in text
    assert "evidence: https://example.org/survey.pdf" in text
    assert "tevv by 2028-02-29: 457 days left" in text
    funnel = ok_json(rapid("board", "--json"))["funnel"]
    assert (funnel["passed"]["market_research"], funnel["passed_on_time"]["market_research"]) == (NEW_CASE, 43)


def test_case_advance_cannot_skip_a_gate(opened):
    fails(rapid("case", "advance", str(opened), "--to", "badge", "-r", "skip"), 6,
          "cannot advance from market_research to badge: the next stage is tevv")
    case = ok_json(rapid("case", "show", str(opened), "--json"))
    assert (case["stage"], case["version"], case["timeline"]) == ("market_research", 1, [])


@pytest.mark.parametrize("args, code, message", [
    (["--to", "tevv", "-r", "ok", "-e", "ftp://example.org/report.pdf"], 2,
     "evidence: must be an http(s) URL, got 'ftp://example.org/report.pdf'"),
    (["--to", "tevv", "-r", "ok", "-e", "https://example.org/a", "-e", "example.org/b"], 2,
     "evidence: must be an http(s) URL, got 'example.org/b'"),
    (["--to", "tevv", "-r", "   "], 2, "rationale: is required and was empty"),
    (["--to", "tevv", "-r", "ok", "--if-version", "7"], 5, "case 215 is at version 1, not 7: reload and try again"),
    (["--to", "foo", "-r", "ok"], 2, "--to: cannot advance to 'foo'; expected one of tevv, badge, contracting, fielding, adopted"),
    (["--to", "rejected", "-r", "ok"], 2, "--to: cannot advance to 'rejected'; expected one of tevv, badge, contracting, fielding, adopted"),
    (["--to", "market_research", "-r", "ok"], 2,
     "--to: cannot advance to 'market_research'; expected one of tevv, badge, contracting, fielding, adopted"),
])
def test_case_advance_refusals_change_nothing(opened, args, code, message):
    fails(rapid("case", "advance", str(opened), *args), code, message)
    case = ok_json(rapid("case", "show", str(opened), "--json"))
    assert (case["stage"], case["version"], case["timeline"]) == ("market_research", 1, [])


def test_case_advance_with_a_stale_version_after_a_move(opened):
    ok(rapid("case", "advance", str(opened), "--to", "tevv", "-r", "ok", "--if-version", "1"))
    fails(rapid("case", "advance", str(opened), "--to", "badge", "-r", "ok", "--if-version", "1"), 5,
          f"case {opened} is at version 2, not 1: reload and try again")
    fails(rapid("case", "reject", str(opened), "-r", "no", "--if-version", "1"), 5,
          f"case {opened} is at version 2, not 1: reload and try again")
    assert ok_json(rapid("case", "show", str(opened), "--json"))["stage"] == "tevv"


def test_case_unknown(qs_db):
    message = "no adoption case '9999' (give its id or ref)"
    fails(rapid("case", "show", "9999"), 3, message)
    fails(rapid("case", "show", "9999", "--json"), 3, message)
    fails(rapid("case", "advance", "9999", "--to", "tevv", "-r", "x"), 3, message)
    fails(rapid("case", "reject", "9999", "-r", "x"), 3, message)
    fails(rapid("case", "withdraw", "9999", "-r", "x"), 3, message)


def test_case_reject_at_the_current_gate_and_a_closed_case_cannot_move(opened):
    ok(rapid("case", "advance", str(opened), "--to", "tevv", "-r", "Market survey done"))
    assert ok(rapid("case", "reject", str(opened), "-r", "Not mature enough",
                    "-e", "https://example.org/trial")) == f"Case {opened} is rejected at the tevv gate.\n"
    case = ok_json(rapid("case", "show", str(opened), "--json"))
    assert {k: case[k] for k in ("stage", "rejected_at_stage", "closed_at", "version")} == {
        "stage": "rejected", "rejected_at_stage": "tevv", "closed_at": NOW.isoformat(), "version": 3}
    assert case["clock"] == {"status": "closed", "stage_deadline": None, "days_left": None, "window_used": None,
                             "months_elapsed": 0.0, "total_deadline": STANDARD["fielding"].isoformat()}
    assert [(d["from_stage"], d["to_stage"], d["evidence"], d["on_time"]) for d in case["timeline"]] == [
        ("market_research", "tevv", [], True), ("tevv", "rejected", ["https://example.org/trial"], None)]
    text = ok(rapid("case", "show", str(opened)))
    assert re.search(r"stage\s+rejected at the tevv gate\s+status closed", text)
    assert re.search(r"tevv → rejected\s+by admin\n\s+Not mature enough", text)

    fails(rapid("case", "advance", str(opened), "--to", "badge", "-r", "x"), 6,
          "the case is rejected: a closed case cannot move")
    fails(rapid("case", "reject", str(opened), "-r", "x"), 6, "the case is already rejected")
    fails(rapid("case", "withdraw", str(opened), "-r", "x"), 6, "the case is already rejected")
    assert ok_json(rapid("case", "show", str(opened), "--json"))["version"] == 3

    funnel = ok_json(rapid("board", "--json"))["funnel"]
    assert (funnel["total"], funnel["current"]["rejected"], funnel["status"]["on_track"]) == (NEW_CASE, 1, 0)
    row = next(c for c in ok_json(rapid("board", "--json"))["by_stage"]["rejected"] if c["id"] == opened)
    assert (row["status"], row["rejected_at_stage"], row["days_left"]) == ("closed", "tevv", None)
    # A closed case frees the pair: the same need and solution may be opened again.
    assert ok(rapid("case", "open", AIR_NEED, AIR_SOLUTION)).startswith(f"Opened case {NEW_CASE + 1}:")


def test_case_withdraw_a_quickstart_case_by_ref(qs_db):
    before = ok_json(rapid("case", "show", "QS-EDF-101167891", "--json"))
    assert (before["id"], before["clock"]["status"]) == (29, "at_risk")
    # The case belongs to the Commission (EU-DEFIS): the workspace's admin (DIANA) may read it, not decide on it.
    fails(rapid("case", "withdraw", "QS-EDF-101167891", "--rationale", "x"), 4,
          "adoption case QS-EDF-101167891 belongs to another organisation: only its owner may change it")
    ws = open_ws(qs_db)
    create_user(ws, None, "defis.board", "EU-DEFIS", ["board"])
    ws.close()
    result = rapid("--as", "defis.board", "case", "withdraw", "QS-EDF-101167891", "--rationale",
                   "Budget moved to another programme")
    assert ok(result) == "Case QS-EDF-101167891 is withdrawn.\n"
    case = ok_json(rapid("case", "show", "29", "--json"))
    assert (case["stage"], case["rejected_at_stage"], case["closed_at"]) == ("withdrawn", None, NOW.isoformat())
    assert case["timeline"][-1]["to_stage"] == "withdrawn"
    fails(rapid("--as", "defis.board", "case", "advance", "29", "--to", "badge", "-r", "x"), 6,
          "the case is withdrawn: a closed case cannot move")
    funnel = ok_json(rapid("board", "--json"))["funnel"]
    assert funnel["current"]["withdrawn"] == 1
    assert funnel["current"]["tevv"] == 36  # 38 less the demonstration case (23) and this one
    assert funnel["status"] == {"on_track": 0, "at_risk": 0, "overdue": 41}


def test_case_show_a_quickstart_case(qs_db):
    # Case 29 (EDF project MaJoR) started 2025-09-01: market research passed that day, tevv due
    # 2025-09-01 + 15 months = 2026-12-01, 2 calendar days after today; its window runs from the market
    # research deadline (2025-12-01) and is 363.5 of 365 days used, over 80%: at risk.
    case = ok_json(rapid("case", "show", "29", "--json"))
    assert case["ref"] == "QS-EDF-101167891"
    assert case["opened_at"] == "2025-09-01T00:00:00+00:00"
    assert case["clock"] == {
        "status": "at_risk", "stage_deadline": "2026-12-01T00:00:00+00:00", "days_left": 2,
        "window_used": round(363.5 / 365, 4), "months_elapsed": round((NOW - datetime(2025, 9, 1, tzinfo=UTC)).total_seconds()
                                                                        / (30.4375 * 86400), 2),
        "total_deadline": "2027-09-01T00:00:00+00:00",
    }
    assert case["timeline"][0]["inferred"] is True
    assert case["timeline"][0]["decided_by"] == "rapid quickstart"
    text = ok(rapid("case", "show", "QS-EDF-101167891"))
    assert "Case 29  QS-EDF-101167891  (version 2)" in text
    assert re.search(r"stage\s+tevv\s+status at_risk\s+COTS: no", text)
    assert "tevv by 2026-12-01" in text
    assert "market_research → tevv on time  by rapid quickstart [inferred]" in text
    assert ("stage deadlines: market_research 2025-12-01, tevv 2026-12-01, badge 2027-01-01, "
            "contracting 2027-06-01, fielding 2027-09-01") in text


def test_case_show_an_adopted_navy_transition(qs_db):
    # The first row of navy_transitions.csv: topics N112-137 (FY2011) and N20A-T010, transition in 2026.
    row = transitions()[0]
    assert (row["prior_sbir"], row["year"], row["command"]) == ("N112-137 N20A-T010", "2026", "NAVSEA")
    case = ok_json(rapid("case", "show", navy_ref(row), "--json"))
    opened, contract = datetime(2010, 10, 1, tzinfo=UTC), datetime(2025, 10, 1, tzinfo=UTC)
    assert {k: case[k] for k in ("stage", "opened_at", "closed_at", "version", "need_title")} == {
        "stage": "adopted", "opened_at": opened.isoformat(), "closed_at": contract.isoformat(), "version": 6,
        "need_title": f"NAVSEA: {row['description']}"}
    assert case["clock"]["status"] == "closed"
    assert case["clock"]["months_elapsed"] == round((contract - opened).total_seconds() / (30.4375 * 86400), 2)
    timeline = case["timeline"]
    assert [d["to_stage"] for d in timeline] == ["tevv", "badge", "contracting", "fielding", "adopted"]
    assert {d["decided_at"] for d in timeline} == {contract.isoformat()}
    assert all(d["inferred"] and d["on_time"] is False for d in timeline)
    assert f"Phase III contract with NAVSEA in FY2026, transition value {row['transition_value']}." in timeline[3]["rationale"]
    assert timeline[3]["evidence"] == timeline[4]["evidence"] == [row["source_url"]]


def test_stage_budgets_from_the_environment(qs_db, monkeypatch):
    monkeypatch.setenv("RAPID_STAGE_BUDGETS_MONTHS", "1,2,3,4,6")
    monkeypatch.setenv("RAPID_COTS_TOTAL_MONTHS", "3")
    assert ok(rapid("case", "open", AIR_NEED, AIR_SOLUTION)) == (
        f"Opened case {NEW_CASE}: market research is due by 2026-12-29 12:00 UTC (30 days).\n"
        f"Marking: TLP:GREEN · All organisations ('rapid share case:{NEW_CASE}' changes it).\n")
    case = ok_json(rapid("case", "show", str(NEW_CASE), "--json"))
    # 2026-11-29 + 3 months clamps to 2027-02-28 again.
    assert case["stage_deadlines"] == {
        "market_research": "2026-12-29T12:00:00+00:00", "tevv": "2027-01-29T12:00:00+00:00",
        "badge": "2027-02-28T12:00:00+00:00", "contracting": "2027-03-29T12:00:00+00:00",
        "fielding": "2027-05-29T12:00:00+00:00"}
    text = ok(rapid("board"))
    # Case 29's tevv deadline moves to 2025-11-01: every quickstart case still open is overdue.
    assert "Open cases: 1 on track, 0 at risk, 42 overdue." in text
    assert f"Adopted within 6 months: 0 of {NEW_CASE} cases (0.0%); adopted at all: 172." in text


def test_short_stage_budgets_alone_are_accepted(qs_db, monkeypatch):
    monkeypatch.setenv("RAPID_STAGE_BUDGETS_MONTHS", "1,2,3,4,6")
    result = rapid("board", "--json")
    assert result.exit_code == 0, err(result)
    assert json.loads(result.stdout)["funnel"]["total"] == NEW_CASE - 1


@pytest.mark.parametrize("name, value, message", [
    ("RAPID_STAGE_BUDGETS_MONTHS", "3,15", "RAPID_STAGE_BUDGETS_MONTHS: stage budgets must be five comma-separated "
                                           "whole months, got '3,15'"),
    ("RAPID_STAGE_BUDGETS_MONTHS", "3,15,16,21,x", "RAPID_STAGE_BUDGETS_MONTHS: stage budgets must be five "
                                                   "comma-separated whole months, got '3,15,16,21,x'"),
    ("RAPID_COTS_TOTAL_MONTHS", "0", "RAPID_COTS_TOTAL_MONTHS: must be a positive whole number of months, got '0'"),
    ("RAPID_COTS_TOTAL_MONTHS", "30", "RAPID_COTS_TOTAL_MONTHS: must be 1 to the fielding budget (24) months, got 30"),
    # Regression: this one did not name the variable.
    ("RAPID_STAGE_BUDGETS_MONTHS", "3,2,16,21,24",
     "RAPID_STAGE_BUDGETS_MONTHS: stage budgets must increase stage by stage, got 3, 2, 16, 21, 24"),
])
def test_bad_budget_settings(qs_db, monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    fails(rapid("board"), 2, message)
    fails(rapid("case", "show", "1"), 2, message)


# --------------------------------------------------------------------------------------------
# rapid board
# --------------------------------------------------------------------------------------------


def test_board_json_funnel_on_the_quickstart_data(qs_db):
    board = ok_json(rapid("board", "--json"))
    e = expected_funnel()
    assert e == {"edf": 42, "badge": 4, "tevv": 38, "navy": 172, "navy_mr_on_time": 0, "navy_within_24": 0,
                 "total": 214}
    assert board["now"] == NOW.isoformat()
    funnel = board["funnel"]
    assert funnel["total"] == e["total"]
    # The quickstart's demonstration case (23, E-CUAS) passed its tevv gate by its trial, then its badge gate.
    demo = 1
    assert funnel["current"] == {"market_research": 0, "tevv": e["tevv"] - demo, "badge": e["badge"],
                                 "contracting": demo, "fielding": 0, "adopted": e["navy"], "rejected": 0,
                                 "withdrawn": 0}
    # EDF cases pass market research on opening (and tevv when they ended); Navy cases pass every gate.
    assert funnel["reached"] == {"market_research": e["total"], "tevv": e["total"],
                                 "badge": e["badge"] + e["navy"] + demo, "contracting": e["navy"] + demo,
                                 "fielding": e["navy"], "adopted": e["navy"]}
    assert funnel["passed"] == {"market_research": e["total"], "tevv": e["badge"] + e["navy"] + demo,
                                "badge": e["navy"] + demo, "contracting": e["navy"], "fielding": e["navy"]}
    # Only the EDF cases pass a gate (market research, on their opening day) by its deadline.
    assert funnel["passed_on_time"] == {"market_research": e["edf"] + e["navy_mr_on_time"], "tevv": 0, "badge": 0,
                                        "contracting": 0, "fielding": 0}
    # Every open case is an EDF case; all but case 29 (see test_case_show_a_quickstart_case) are overdue.
    assert funnel["status"] == {"on_track": 0, "at_risk": 1, "overdue": e["edf"] - 1}
    assert (funnel["adopted"], funnel["adopted_within_budget"], funnel["adopted_within_budget_share"]) == (
        e["navy"], e["navy_within_24"], 0.0)
    assert {s: len(c) for s, c in board["by_stage"].items()} == funnel["current"]
    assert sorted(c["id"] for cases in board["by_stage"].values() for c in cases) == list(range(1, e["total"] + 1))


def test_board_json_cases_most_urgent_first(qs_db):
    by_stage = ok_json(rapid("board", "--json"))["by_stage"]
    tevv = by_stage["tevv"]
    # Opened 2023-12-01, tevv due 2025-03-01: 638 calendar days before today.
    assert {k: tevv[0][k] for k in ("id", "ref", "opened_at", "status", "days_left", "stage_deadline", "owner")} == {
        "id": 3, "ref": "QS-EDF-101121213", "opened_at": "2023-12-01T00:00:00+00:00", "status": "overdue",
        "days_left": -638, "stage_deadline": "2025-03-01T00:00:00+00:00", "owner": "EU-DEFIS"}
    assert (tevv[-1]["id"], tevv[-1]["status"], tevv[-1]["days_left"]) == (29, "at_risk", 2)
    assert [c["days_left"] for c in tevv[:-1]] == sorted(c["days_left"] for c in tevv[:-1])
    # The EDF cases are opened first, in order of project: the badge cases are the ended projects.
    ended = sorted(f"QS-EDF-{p['project_id']}" for p in projects()
                   if p["status"] == "Ended" or p["end_date"] <= NOW.date().isoformat())
    assert [c["ref"] for c in by_stage["badge"]] == ended
    assert [c["id"] for c in by_stage["badge"]] == [1, 2, 16, 18]
    adopted = by_stage["adopted"]
    assert {(c["owner"], c["status"], c["days_left"], c["stage_deadline"], c["within_budget"]) for c in adopted} == {
        ("USA", "closed", None, None, False)}
    refs = {navy_ref(t) for t in transitions() if topic_years(t["prior_sbir"])}
    assert {c["ref"] for c in adopted} == refs


def test_board_text(qs_db):
    text = ok(rapid("board"))
    assert "tevv (37)" in text
    assert "badge (4)" in text
    assert "contracting (1)" in text  # the quickstart's demonstration case
    assert "adopted (172)" in text
    for empty in ("market_research", "fielding", "rejected", "withdrawn"):
        assert f"{empty} (" not in text
    assert "27 more in tevv; rapid board --all shows them" in text
    assert "162 more in adopted; rapid board --all shows them" in text
    assert "more in badge" not in text
    assert len(board_rows(text)) == 10 + 4 + 1 + 10
    # The most urgent case leads its stage, with its days in full.
    assert re.search(r"^\s+3\s+Sustainable components for underwater applications → SCUALE: .*\s+EU-DEFIS\s+overdue"
                     r"\s+-638\s+36\.0\s", text, re.MULTILINE)
    # An adopted case shows whether it made the 24 months.
    assert re.search(r"^\s+\d+\s+NAV\w+: .*\s+USA\s+late\s+-\s+\d+\.\d\s", text, re.MULTILINE)
    assert "Open cases: 0 on track, 1 at risk, 41 overdue." in text
    assert "Adopted within 24 months: 0 of 214 cases (0.0%); adopted at all: 172." in text


def test_board_all_shows_every_case(qs_db):
    text = ok(rapid("board", "--all"))
    assert sorted(board_rows(text)) == list(range(1, 215))
    assert "more in" not in text


def test_board_per_stage(qs_db):
    text = ok(rapid("board", "--per-stage", "2"))
    assert len(board_rows(text)) == 7
    assert "35 more in tevv; rapid board --all shows them" in text
    assert "2 more in badge; rapid board --all shows them" in text
    assert "170 more in adopted; rapid board --all shows them" in text


@pytest.mark.parametrize("value", ["0", "-1"])
def test_board_refuses_a_per_stage_below_one(qs_db, value):
    # Regression: -1 was accepted and sliced from the end of each stage.
    result = rapid("board", "--per-stage", value)
    assert result.exit_code == 2
    assert "Invalid value for '--per-stage'" in err(result)
    assert result.stdout == ""


def test_board_of_an_empty_workspace(init_db):
    text = ok(rapid("board"))
    assert "No adoption cases yet: rapid case open NEED SOLUTION, or rapid quickstart." in text
    assert "Open cases: 0 on track, 0 at risk, 0 overdue." in text
    assert "Adopted within 24 months: 0 of 0 cases (0.0%); adopted at all: 0." in text
    board = ok_json(rapid("board", "--json"))
    assert board["funnel"]["total"] == 0
    assert board["funnel"]["adopted_within_budget_share"] == 0.0
    assert all(cases == [] for cases in board["by_stage"].values())


# --------------------------------------------------------------------------------------------
# rapid quickstart (two full runs in all, shared by the tests below)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def quickstart_runs(quickstart_file, tmp_path_factory):
    """Run ``rapid quickstart`` then ``rapid quickstart --reuse`` in a fresh folder, with no RAPID_DATABASE_URL.

    Before the runs the folder holds an earlier workspace: a copy of the session quickstart
    database in which the user then opened a case of their own (so losing it would show), and a
    file already named like this second's backup (as a quickstart run earlier in the same second
    would leave).
    """
    folder = tmp_path_factory.mktemp("quickstart_cli")
    shutil.copy(quickstart_file, folder / "rapid.db")
    earlier_backup = folder / f"rapid.db.{STAMP}.bak"
    earlier_backup.write_bytes(b"an earlier backup\n")
    runs = SimpleNamespace(folder=folder, earlier_backup=earlier_backup)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(workspace_module.CLOCK, "now", lambda: NOW)
        for name in ("RAPID_DATABASE_URL", "RAPID_STAGE_BUDGETS_MONTHS", "RAPID_COTS_TOTAL_MONTHS"):
            mp.delenv(name, raising=False)
        for console in (common.console, common.err_console):
            mp.setattr(console, "_width", None)
        mp.chdir(folder)
        runs.opened = rapid("case", "open", AIR_NEED, AIR_SOLUTION)  # uses ./rapid.db
        gc.collect()  # close the in-process connections before the file is moved
        runs.first = rapid("quickstart")
        gc.collect()
        runs.files_after_first = sorted(p.name for p in folder.iterdir())
        runs.second = rapid("quickstart", "--reuse")
        gc.collect()
        runs.files_after_second = sorted(p.name for p in folder.iterdir())
    return runs


@pytest.mark.slow
def test_quickstart_uses_rapid_db_in_the_current_folder(quickstart_runs):
    assert ok(quickstart_runs.opened) == (
        f"Opened case {NEW_CASE}: market research is due by 2027-02-28 12:00 UTC (91 days).\n"
        f"Marking: TLP:GREEN · All organisations ('rapid share case:{NEW_CASE}' changes it).\n")
    text = ok(quickstart_runs.first)
    assert f"Workspace: {(quickstart_runs.folder / 'rapid.db').resolve()}. Try: rapid board --all" in text


def backup_of(runs) -> Path:
    match = re.search(r"^The previous workspace was moved to (.+)\.$", ok(runs.first), re.MULTILINE)
    assert match, "no backup reported"
    return runs.folder / match.group(1)


@pytest.mark.slow
def test_quickstart_moves_the_previous_workspace_aside(quickstart_runs, monkeypatch):
    backup = backup_of(quickstart_runs)
    assert re.fullmatch(rf"rapid\.db\.{STAMP}(-\d+)?\.bak", backup.name)
    assert backup.is_file()
    # Nothing was lost: the backup still holds the case the user opened ...
    use_db(monkeypatch, backup)
    kept = ok_json(rapid("case", "show", str(NEW_CASE), "--json"))
    assert (kept["need_ref"], kept["solution_ref"], kept["opened_at"]) == (AIR_NEED, AIR_SOLUTION, NOW.isoformat())
    assert ok_json(rapid("board", "--json"))["funnel"]["total"] == NEW_CASE
    # ... and the fresh workspace has only the quickstart's cases.
    use_db(monkeypatch, quickstart_runs.folder / "rapid.db")
    fails(rapid("case", "show", str(NEW_CASE)), 3, f"no adoption case '{NEW_CASE}' (give its id or ref)")
    assert ok_json(rapid("board", "--json"))["funnel"]["total"] == expected_funnel()["total"]


@pytest.mark.slow
def test_quickstart_never_overwrites_an_earlier_backup(quickstart_runs):
    # Regression: the workspace was moved onto rapid.db.STAMP.bak, replacing a backup of that name.
    assert backup_of(quickstart_runs).name == f"rapid.db.{STAMP}-2.bak"
    assert quickstart_runs.earlier_backup.read_bytes() == b"an earlier backup\n"


@pytest.mark.slow
def test_quickstart_report_board_and_funnel(quickstart_runs):
    text = ok(quickstart_runs.first)
    counts = import_counts(text)
    assert counts["capability_needs"] == (need_counts()["total"], 0, 0)
    assert counts["test_centres"] == (100, 0, 0)
    assert counts["solutions"] == (22335, 0, 0)
    e = expected_funnel()
    assert (f"Adoption cases opened: {e['edf']} from EDF projects, {e['navy']} from Navy transitions; "
            "already present: 0.") in text
    # A transition whose topic codes carry no year is listed with its line.
    not_opened = re.findall(r"^  not opened: (QS-NAVY-P3-\w+): (.+)$", text, re.MULTILINE)
    assert not_opened == [
        ("QS-NAVY-P3-e40835e6e3", "no SBIR topic code with a year in 'NASA Z1.05' (navy_transitions.csv line 39)")]
    assert len(transitions()) - e["navy"] == 1
    # Regression: codes printed with a space ("OSD 04-DH4", "SOCOM 02-006") carry a year too.
    assert "'OSD 04-DH4'" not in text and "'SOCOM 02-006'" not in text
    # The board (8 cases per stage by default) and the funnel follow.
    assert "tevv (37)" in text and "badge (4)" in text and "contracting (1)" in text and "adopted (172)" in text
    assert "29 more in tevv; rapid board --all shows them" in text
    assert "164 more in adopted; rapid board --all shows them" in text
    assert len(board_rows(text)) == 8 + 4 + 1 + 8
    assert "Open cases: 0 on track, 1 at risk, 41 overdue." in text
    assert "Adopted within 24 months: 0 of 214 cases (0.0%); adopted at all: 172." in text


@pytest.mark.slow
def test_quickstart_reuse_changes_nothing(quickstart_runs, monkeypatch):
    text = ok(quickstart_runs.second)
    assert "The previous workspace was moved" not in text
    assert f"Adoption cases opened: none new; already present: {expected_funnel()['total']}." in text
    counts = import_counts(text)
    assert counts["capability_needs"] == (0, 0, 2983)
    for table, (inserted, updated, unchanged) in counts.items():
        assert (inserted, updated) == (0, 0), table
    assert quickstart_runs.files_after_second == quickstart_runs.files_after_first  # no new backup
    use_db(monkeypatch, quickstart_runs.folder / "rapid.db")
    funnel = ok_json(rapid("board", "--json"))["funnel"]
    assert (funnel["total"], funnel["current"]["adopted"]) == (214, 172)
