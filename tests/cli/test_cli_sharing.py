"""Who acts, and who sees what: ``rapid --as``, tokens, users, assessments, ``share``, groups and the audit log.

Every command runs through ``typer.testing.CliRunner`` on a private copy of the session's quickstart
database (a real SQLite file), as a user would run it.

The quickstart's sharing example (``services/example.py``) is the starting point:

| id | owner | solution       | marking                                       | seen by                |
|----|-------|----------------|-----------------------------------------------|------------------------|
| 1  | NOR   | EDF-101121408  | TLP:AMBER, sharing group Nordic-Baltic        | NOR, EST               |
| 2  | NOR   | EDF-101168134  | TLP:AMBER+STRICT, organisation                | NOR                    |
| 3  | EST   | EDF-101167796  | TLP:GREEN, community, REL TO EST, LTU, LVA    | EST                    |
| 4  | DEU   | EDF-101168046  | TLP:CLEAR, community                          | everyone               |
| 5  | DEU   | EDF-101168237  | TLP:AMBER, organisation                       | DEU                    |

Nordic-Baltic is owned by NOR (a member that can extend it) and has the nations DNK, EST, FIN, ISL,
LTU, LVA and SWE as members. The users are ``admin`` (DIANA: admin, analyst, board; the first admin),
``nor.analyst``, ``est.analyst``, ``deu.analyst`` (analysts) and ``fra.viewer`` (a viewer).

The clock is frozen at 2026-11-29T12:00Z by the autouse fixture in ``tests/conftest.py``.
Tests marked ``xfail(strict=True)`` describe the correct behaviour of a bug that is still open.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli_results import err, fails, ok, ok_json, out
from conftest import open_ws
from rapid_adoption.cli import common
from rapid_adoption.cli.app import app
from rapid_adoption.domain.errors import PermissionDenied
from rapid_adoption.services import workspace as workspace_module
from rapid_adoption.services.auth import actor_for_username, create_user
from rapid_adoption.services.auth import create_token as create_token_service

UTC = timezone.utc
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
"""The frozen clock of tests/conftest.py."""

RUNNER = CliRunner()
ENV = {"COLUMNS": "200", "LINES": "60", "LOGNAME": "tester", "RAPID_TOKEN": None, "RAPID_USER": None}
"""A wide terminal for Rich; no identity from the shell running pytest."""
TOKEN_SHAPE = re.compile(r"^rapid_[A-Za-z0-9_-]{43}$")

GROUP = "Nordic-Baltic"
AIR_NEED = "EDF-2023-DA-AIR-SPS"
AIR_SOLUTION = "EDF-101167826"  # CARMENTA PF, the one project funded under that call
CASE_NEED = "EDF-2024-DA-C4ISR-SEEU-STEP"
CASE_SOLUTION = "EDF-101167796"  # E-CUAS
NEW_CASE = 215  # the first case opened in the quickstart workspace
NEW_ASSESSMENT = 6  # the first assessment recorded after the quickstart's five

VISIBLE = {
    "nor.analyst": [4, 2, 1],
    "est.analyst": [4, 3, 1],
    "deu.analyst": [5, 4],
    "fra.viewer": [4],
    "admin": [4],
}
"""The quickstart's example: the assessment ids each user sees, newest first."""

BANNERS = {
    1: "TLP:AMBER · Sharing group: Nordic-Baltic",
    2: "TLP:AMBER+STRICT · Owner organisation only",
    3: "TLP:GREEN · All organisations · REL TO EST, LTU, LVA",
    4: "TLP:CLEAR · All organisations",
    5: "TLP:AMBER · Owner organisation only",
}
GROUP_MEMBERS_TEXT = "NOR, all of DNK, all of EST, all of FIN, all of ISL, all of LTU, all of LVA, all of SWE"


# --------------------------------------------------------------------------------------------
# Running the CLI
# --------------------------------------------------------------------------------------------


def rapid(*args: str, env: dict | None = None, input: str | None = None):
    """Run ``rapid ARGS`` in-process (with extra environment ``env``) and return the click Result."""
    return RUNNER.invoke(app, [str(a) for a in args], env={**ENV, **(env or {})}, input=input)







def as_(user: str, *args: str, **kwargs):
    """``rapid --as USER ARGS``."""
    return rapid("--as", user, *args, **kwargs)


def visible_ids(user: str) -> list[int]:
    """The assessment ids ``user`` sees, from ``assess list --json`` (its total must match)."""
    data = ok_json(as_(user, "assess", "list", "--json", "--limit", "1000"))
    ids = [r["id"] for r in data["rows"]]
    assert data["total"] == len(ids)
    return ids


def visible_ids_with_env(env: dict) -> list[int]:
    """The assessment ids seen by whoever ``env`` names (RAPID_TOKEN, RAPID_USER)."""
    data = ok_json(rapid("assess", "list", "--json", env=env))
    return [r["id"] for r in data["rows"]]


def first_line(text: str) -> str:
    return text.splitlines()[0].strip()


def fields(text: str) -> dict[str, str]:
    """The field/value rows of a show page (a borderless two-column table after the banner)."""
    rows = {}
    for line in text.splitlines()[1:]:
        parts = line.strip().split(None, 1)
        if parts:
            rows[parts[0]] = parts[1].strip() if len(parts) > 1 else ""
    return rows


def table_rows(text: str) -> list[list[str]]:
    """The body rows of a Rich box table, as lists of stripped cells."""
    return [[cell.strip() for cell in line.strip().strip("│").split("│")]
            for line in text.splitlines() if line.strip().startswith("│")]


def use_db(monkeypatch, path: Path) -> None:
    monkeypatch.setenv("RAPID_DATABASE_URL", f"sqlite:///{path}")


def sql(path: Path, query: str, *params):
    """Rows of a query run straight on the SQLite file (bypassing the product)."""
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(query, params).fetchall()


def set_clock(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(workspace_module.CLOCK, "now", lambda: moment)


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch):
    """Let the module-level Rich consoles read COLUMNS from the runner's environment."""
    for console in (common.console, common.err_console):
        monkeypatch.setattr(console, "_width", None)


@pytest.fixture
def qs_db(quickstart_file, tmp_path, monkeypatch) -> Path:
    """A private copy of the session's quickstart database, named by RAPID_DATABASE_URL."""
    path = tmp_path / "rapid.db"
    shutil.copy(quickstart_file, path)
    use_db(monkeypatch, path)
    return path


@pytest.fixture
def nor_admin(qs_db) -> Path:
    """The quickstart workspace with an admin of Norway, ``nor.admin`` (made by the system, as ``rapid init`` does)."""
    ws = open_ws(qs_db)
    create_user(ws, None, "nor.admin", "NOR", ["admin"])
    ws.close()
    return qs_db


def org_id(path: Path, ref: str) -> int:
    return sql(path, "SELECT id FROM organisations WHERE ref = ?", ref)[0][0]


def audit_count(path: Path) -> int:
    return sql(path, "SELECT count(*) FROM audit_entries")[0][0]


def open_case(path: Path) -> dict:
    """DIANA's admin opens case 215 (E-CUAS on the small enhanced European UAS call); returns its JSON."""
    assert ok(rapid("case", "open", CASE_NEED, CASE_SOLUTION)).startswith(f"Opened case {NEW_CASE}: ")
    return ok_json(rapid("case", "show", str(NEW_CASE), "--json"))


def create_token(user: str, *args: str) -> tuple[str, str]:
    """``rapid --as USER tokens create --name ci ARGS``: (the printed line, the token from stdout's last line)."""
    text = ok(as_(user, "tokens", "create", "--name", "ci", *args))
    lines = text.splitlines()
    assert len(lines) == 2, lines
    return lines[0], lines[-1]


# --------------------------------------------------------------------------------------------
# Who acts: --as, RAPID_TOKEN, RAPID_USER, the first admin
# --------------------------------------------------------------------------------------------


def test_the_default_actor_is_the_first_admin(qs_db):
    users = ok_json(rapid("users", "list", "--json"))
    assert [(u["username"], u["organisation"], u["roles"]) for u in users] == [
        ("admin", "DIANA", ["admin", "analyst", "board"])]
    data = ok_json(rapid("assess", "list", "--json"))
    assert (data["total"], [r["id"] for r in data["rows"]]) == (1, VISIBLE["admin"])
    assert ok(rapid("tokens", "create", "--name", "ci")).splitlines()[0].startswith("Token 1 (ci)")
    assert [t["user"] for t in ok_json(rapid("tokens", "list", "--json"))] == ["admin"]


def test_as_user_acts_as_that_user(qs_db):
    users = ok_json(as_("nor.analyst", "users", "list", "--json"))
    assert users == [{"id": 2, "username": "nor.analyst", "display_name": "Example analyst (NOR)", "organisation": "NOR",
                      "roles": ["analyst"], "active": True, "has_password": True}]  # the quickstart's demo password
    assert table_rows(ok(as_("est.analyst", "users", "list"))) == [["est.analyst", "EST", "analyst", "yes"]]


def test_rapid_user_from_the_environment(qs_db):
    data = ok_json(rapid("assess", "list", "--json", env={"RAPID_USER": "est.analyst"}))
    assert (data["total"], [r["id"] for r in data["rows"]]) == (3, VISIBLE["est.analyst"])
    # --as wins over RAPID_USER; with RAPID_TOKEN set, --as is refused (the token decides who you are)
    data = ok_json(as_("deu.analyst", "assess", "list", "--json", env={"RAPID_USER": "est.analyst"}))
    assert [r["id"] for r in data["rows"]] == VISIBLE["deu.analyst"]
    fails(as_("deu.analyst", "assess", "list", "--json", env={"RAPID_TOKEN": "rapid_not-a-token"}), 9,
          "RAPID_TOKEN is set: it decides who you are, and --as cannot override it")
    # a blank RAPID_TOKEN or RAPID_USER is no identity: the first admin acts
    assert ok_json(rapid("users", "list", "--json", env={"RAPID_TOKEN": "  ", "RAPID_USER": " "}))[0]["username"] == "admin"


@pytest.mark.parametrize("how", ["--as", "RAPID_USER"])
def test_an_unknown_user_is_refused(qs_db, how):
    result = as_("nobody", "assess", "list") if how == "--as" else rapid("assess", "list", env={"RAPID_USER": "nobody"})
    fails(result, 9, "no user 'nobody' in this workspace ('rapid users list' shows them)")


def test_token_create_use_list_and_revoke(qs_db):
    before = audit_count(qs_db)
    line, token = create_token("est.analyst")
    assert line == "Token 1 (ci), expires 2027-02-27. Copy it now; it is not shown again:"
    assert TOKEN_SHAPE.match(token), token
    # only the SHA-256 hash is stored, and the token appears in no stored row
    assert sql(qs_db, "SELECT id, name, token_hash FROM api_tokens") == [
        (1, "ci", hashlib.sha256(token.encode()).hexdigest())]
    assert sql(qs_db, "SELECT count(*) FROM audit_entries WHERE \"after\" LIKE ?", f"%{token}%") == [(0,)]
    env = {"RAPID_TOKEN": token}

    # the token acts as its user, and wins over RAPID_USER
    data = ok_json(rapid("assess", "list", "--json", env={**env, "RAPID_USER": "deu.analyst"}))
    assert (data["total"], [r["id"] for r in data["rows"]]) == (3, VISIBLE["est.analyst"])
    assert ok_json(rapid("users", "list", "--json", env=env))[0]["username"] == "est.analyst"

    # every use is audited; the list shows its last use, never the token or its hash
    listed = ok_json(rapid("tokens", "list", "--json", env=env))
    assert listed == [{"id": 1, "name": "ci", "user": "est.analyst", "created_at": NOW.isoformat(),
                       "expires_at": (NOW + timedelta(days=90)).isoformat(), "revoked": False,
                       "last_used_at": NOW.isoformat()}]
    text = ok(rapid("tokens", "list", env=env))
    assert table_rows(text) == [["1", "ci", "est.analyst", "2027-02-27", "no", "2026-11-29T12:00:00"]]
    for shown in (text, json.dumps(listed)):
        assert token not in shown and token[len("rapid_"):] not in shown
        assert hashlib.sha256(token.encode()).hexdigest() not in shown
    entries = ok_json(as_("est.analyst", "audit", "list", "--type", "api_tokens", "--json"))
    assert [(e["action"], e["actor"], e["object_id"]) for e in entries] == [("token.use", "est.analyst", 1)] * 4 + [
        ("create", "est.analyst", 1)]
    assert entries[-1]["after"] == {"name": "ci", "user": "est.analyst", "expires_at": "2027-02-27T12:00:00+00:00"}
    assert audit_count(qs_db) == before + 5

    # revoked: the same token fails at once, and the message names the token, never repeats it
    assert ok(rapid("tokens", "revoke", "1", env=env)) == "Revoked token 1.\n"
    result = rapid("assess", "list", env=env)
    fails(result, 9, "the API token 'ci' was revoked")
    assert token not in result.stderr
    assert table_rows(ok(as_("est.analyst", "tokens", "list")))[0][4] == "yes"
    # revoking again changes nothing and is not audited again
    count = audit_count(qs_db)
    assert ok(as_("est.analyst", "tokens", "revoke", "1")) == "Revoked token 1.\n"
    assert audit_count(qs_db) == count


def test_an_expired_token_fails(qs_db, monkeypatch):
    line, token = create_token("nor.analyst", "--expires-days", "1")
    assert line == "Token 1 (ci), expires 2026-11-30. Copy it now; it is not shown again:"
    env = {"RAPID_TOKEN": token}
    set_clock(monkeypatch, NOW + timedelta(days=1) - timedelta(seconds=1))
    assert visible_ids_with_env(env) == VISIBLE["nor.analyst"]
    for later in (timedelta(days=1), timedelta(days=2)):
        set_clock(monkeypatch, NOW + later)
        result = rapid("assess", "list", env=env)
        fails(result, 9, "the API token 'ci' expired on 2026-11-30")
        assert token not in result.stderr


@pytest.mark.parametrize("garbage", ["rapid_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "hunter2-secret-value",
                                     " rapid_padded-token "])
def test_a_garbage_token_fails_and_is_never_echoed(qs_db, garbage):
    before = audit_count(qs_db)
    result = rapid("assess", "list", env={"RAPID_TOKEN": garbage})
    fails(result, 9, "the API token is not valid")
    assert garbage.strip() not in result.stdout + result.stderr
    assert audit_count(qs_db) == before


def test_a_token_of_a_deactivated_user_fails(nor_admin):
    _, token = create_token("nor.analyst")
    assert ok(as_("nor.admin", "users", "deactivate", "nor.analyst")) == "Deactivated nor.analyst.\n"
    fails(rapid("assess", "list", env={"RAPID_TOKEN": token}), 9, "user 'nor.analyst' is deactivated")
    assert ok(as_("nor.admin", "users", "activate", "nor.analyst")) == "Reactivated nor.analyst.\n"
    assert visible_ids_with_env({"RAPID_TOKEN": token}) == VISIBLE["nor.analyst"]


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--name", "x", "--expires-days", "0"], 2, "--expires-days: must be 1-366 days, got 0"),
    (["--name", "x", "--expires-days", "367"], 2, "--expires-days: must be 1-366 days, got 367"),
    (["--name", "  "], 2, "--name: give the token a name, e.g. 'ci' or 'laptop'"),
    (["--name", "x", "--user", "nor.analyst"], 3, "no user 'nor.analyst' in DIANA"),
    (["--name", "x", "--user", "nobody"], 3, "no user 'nobody' in DIANA"),
])
def test_token_create_refusals(qs_db, args, code, message):
    fails(rapid("tokens", "create", *args), code, message)
    assert sql(qs_db, "SELECT count(*) FROM api_tokens") == [(0,)]


def test_tokens_for_other_users_and_who_lists_which(nor_admin):
    # an admin creates a token for a user of its organisation; a non-admin may not
    text = ok(as_("nor.admin", "tokens", "create", "--name", "for-analyst", "--user", "nor.analyst", "--expires-days", "30"))
    assert text.splitlines()[0] == "Token 1 (for-analyst), expires 2026-12-29. Copy it now; it is not shown again:"
    fails(as_("nor.analyst", "tokens", "create", "--name", "x", "--user", "nor.admin"), 4,
          "only an admin may manage users and tokens")
    create_token("nor.admin")  # token 2
    create_token("est.analyst")  # token 3
    # a user lists its own tokens; an admin all of its organisation's; nobody another organisation's
    assert [(t["id"], t["user"]) for t in ok_json(as_("nor.analyst", "tokens", "list", "--json"))] == [(1, "nor.analyst")]
    assert [(t["id"], t["user"]) for t in ok_json(as_("nor.admin", "tokens", "list", "--json"))] == [
        (1, "nor.analyst"), (2, "nor.admin")]
    assert ok_json(rapid("tokens", "list", "--json")) == []
    # revoking: another user's token needs an admin; another organisation's is not found
    fails(as_("nor.analyst", "tokens", "revoke", "2"), 4, "only an admin may manage users and tokens")
    fails(as_("nor.admin", "tokens", "revoke", "3"), 3, "no token 3")
    fails(as_("nor.admin", "tokens", "revoke", "99"), 3, "no token 99")
    assert ok(as_("nor.admin", "tokens", "revoke", "1")) == "Revoked token 1.\n"
    assert [t["revoked"] for t in ok_json(as_("nor.admin", "tokens", "list", "--json"))] == [True, False]


@pytest.mark.parametrize("name", ["[/]", "[red]ci[/red]"])
def test_a_token_name_is_printed_as_given(qs_db, name):
    result = rapid("tokens", "create", "--name", name)
    assert result.exit_code == 0, (result.exception, result.stderr)
    lines = out(result).splitlines()
    assert lines[0] == f"Token 1 ({name}), expires 2027-02-27. Copy it now; it is not shown again:"
    assert TOKEN_SHAPE.match(lines[1])


def test_tokens_list_with_a_markup_like_name(qs_db):
    ws = open_ws(qs_db)
    try:
        create_token_service(ws, actor_for_username(ws, "admin"), "[/]")
    finally:
        ws.close()
    assert table_rows(ok(rapid("tokens", "list")))[0][:3] == ["1", "[/]", "admin"]


HUGE = "99999999999999999999"  # beyond SQLite's 64-bit INTEGER


@pytest.mark.parametrize("args", [["audit", "list", "--id", HUGE], ["audit", "list", "--offset", HUGE],
                                  ["assess", "list", "--offset", HUGE], ["tokens", "revoke", HUGE]],
                         ids=lambda a: " ".join(a[:3]))
def test_a_huge_number_is_an_error_not_a_crash(qs_db, args):
    result = rapid(*args)
    assert not isinstance(result.exception, OverflowError), result.exception
    assert result.exit_code in (0, 2, 3)


# A deactivated user gets nothing, whatever the command.
DEACTIVATED_COMMANDS = [
    ["assess", "list"], ["assess", "show", "4"], ["assess", "create", AIR_SOLUTION],
    ["assess", "update", "1", "--trl", "5"], ["share", "assessment:2", "--tlp", "GREEN"], ["groups", "list"],
    ["groups", "create", "X"], ["users", "list"], ["users", "add", "y", "--role", "viewer"], ["tokens", "list"],
    ["tokens", "create", "--name", "x"], ["audit", "list"], ["board"], ["needs", "list"], ["needs", "show", AIR_NEED],
    ["solutions", "show", AIR_SOLUTION], ["companies", "list"], ["centres", "list"], ["case", "show", "1"],
    ["case", "open", CASE_NEED, CASE_SOLUTION],
]


@pytest.fixture
def deactivated(qs_db) -> Path:
    """``dora`` (DIANA: admin, analyst) added and then deactivated by the first admin."""
    assert ok(rapid("users", "add", "dora", "--role", "admin", "--role", "analyst")) == \
        "Added dora to DIANA as admin, analyst.\n"
    assert ok(rapid("users", "deactivate", "dora")) == "Deactivated dora.\n"
    return qs_db


@pytest.mark.parametrize("args", DEACTIVATED_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_deactivated_user_gets_exit_9_on_every_command(deactivated, args):
    before = audit_count(deactivated)
    fails(as_("dora", *args), 9, "user 'dora' is deactivated")
    fails(rapid(*args, env={"RAPID_USER": "dora"}), 9, "user 'dora' is deactivated")
    assert audit_count(deactivated) == before


def test_a_reactivated_user_acts_again(deactivated):
    assert ok(rapid("users", "activate", "dora")) == "Reactivated dora.\n"
    assert visible_ids("dora") == VISIBLE["admin"]
    users = {u["username"]: u["active"] for u in ok_json(rapid("users", "list", "--json"))}
    assert users == {"admin": True, "dora": True}


@pytest.mark.parametrize("user", ["dora", "nobody"])
def test_audit_verify_refuses_a_deactivated_or_unknown_user(deactivated, user):
    result = as_(user, "audit", "verify")
    assert result.exit_code == 9, (result.stdout, result.stderr)


# --------------------------------------------------------------------------------------------
# rapid users
# --------------------------------------------------------------------------------------------


def test_users_add_list_deactivate_activate(qs_db):
    assert ok(rapid("users", "add", "diana.analyst", "--role", "viewer", "-r", "analyst", "--name", "Diana Analyst")) == \
        "Added diana.analyst to DIANA as analyst, viewer.\n"
    assert ok(rapid("users", "add", "diana.board", "--role", "BOARD")) == "Added diana.board to DIANA as board.\n"
    users = ok_json(rapid("users", "list", "--json"))
    assert [(u["username"], u["display_name"], u["organisation"], u["roles"], u["active"]) for u in users] == [
        ("admin", None, "DIANA", ["admin", "analyst", "board"], True),
        ("diana.analyst", "Diana Analyst", "DIANA", ["analyst", "viewer"], True),
        ("diana.board", None, "DIANA", ["board"], True),
    ]
    assert ok(rapid("users", "deactivate", "diana.board")) == "Deactivated diana.board.\n"
    assert table_rows(ok(rapid("users", "list"))) == [
        ["admin", "DIANA", "admin, analyst, board", "yes"],
        ["diana.analyst", "DIANA", "analyst, viewer", "yes"],
        ["diana.board", "DIANA", "board", "no"],
    ]
    assert ok(rapid("users", "activate", "diana.board")) == "Reactivated diana.board.\n"
    assert [u["active"] for u in ok_json(rapid("users", "list", "--json"))] == [True, True, True]
    # each change is audited, by the admin
    entries = ok_json(rapid("audit", "list", "--type", "users", "--limit", "4", "--json"))
    assert [(e["action"], e["actor"]) for e in entries] == [("update", "admin")] * 2 + [("create", "admin")] * 2
    assert (entries[1]["before"]["active"], entries[1]["after"]["active"]) == (True, False)


@pytest.mark.parametrize(("args", "code", "message"), [
    (["x", "--role", "boss"], 2, "--role: unknown role 'boss'; expected admin, analyst, test_centre, board, viewer, auditor"),
    (["x", "--role", " "], 2, "--role: give at least one role: admin, analyst, test_centre, board, viewer, auditor"),
    (["bad name", "--role", "analyst"], 2,
     "username: must be 1-100 letters, digits or . _ @ - and start with a letter or digit"),
    (["-x", "--role", "analyst"], 2, None),
    (["admin", "--role", "analyst"], 5, "the user name 'admin' is taken"),
    (["nor.analyst", "--role", "analyst"], 5, "the user name 'nor.analyst' is taken"),
])
def test_users_add_refusals(qs_db, args, code, message):
    before = sql(qs_db, "SELECT count(*) FROM users")
    result = rapid("users", "add", *args)
    if message is None:
        assert result.exit_code == code
    else:
        fails(result, code, message)
    assert sql(qs_db, "SELECT count(*) FROM users") == before


def test_users_add_needs_role_option(qs_db):
    result = rapid("users", "add", "x")
    assert result.exit_code == 2
    assert "Missing option '--role'" in out(result) + err(result)


@pytest.mark.parametrize("user", ["nor.analyst", "fra.viewer"])
def test_only_an_admin_manages_users(qs_db, user):
    message = "only an admin may manage users and tokens"
    fails(as_(user, "users", "add", "y", "--role", "analyst"), 4, message)
    fails(as_(user, "users", "deactivate", user), 4, message)
    fails(as_(user, "users", "activate", user), 4, message)
    # any user may list the users of its own organisation
    assert [u["username"] for u in ok_json(as_(user, "users", "list", "--json"))] == [user]


def test_users_add_with_a_password_from_stdin(qs_db):
    password = "correct horse battery"
    result = rapid("users", "add", "pat", "--role", "viewer", "--password-stdin", input=password + "\n")
    assert ok(result) == "Added pat to DIANA as viewer.\n"
    assert password not in result.stdout + result.stderr
    user = [u for u in ok_json(rapid("users", "list", "--json")) if u["username"] == "pat"][0]
    assert user["has_password"] is True
    stored = sql(qs_db, "SELECT password_hash FROM users WHERE username = 'pat'")[0][0]
    assert stored.startswith("$argon2id$") and password not in stored
    fails(rapid("users", "add", "sam", "--role", "viewer", "--password-stdin", input="short\n"), 2,
          "password: must be at least 12 characters")


def test_the_workspace_admin_onboards_other_organisations_but_no_other_admin_does(qs_db):
    # DIANA runs this workspace (rapid init --org DIANA): its admin onboards an ally's first admin
    assert ok(rapid("users", "add", "pierre", "--role", "admin", "--org", "FRA")) == "Added pierre to FRA as admin.\n"
    assert ok(as_("pierre", "users", "add", "claire", "--role", "analyst")) == "Added claire to FRA as analyst.\n"
    # an admin of another organisation adds users to its own organisation only
    fails(as_("pierre", "users", "add", "x", "--role", "analyst", "--org", "NOR"), 4,
          "an admin of FRA may create users of FRA only; the workspace's own organisation (DIANA) onboards other "
          "organisations")
    # nor touch another organisation's users or tokens
    fails(rapid("users", "deactivate", "nor.analyst"), 3, "no user 'nor.analyst' in DIANA")
    fails(rapid("users", "activate", "nor.analyst"), 3, "no user 'nor.analyst' in DIANA")
    fails(rapid("tokens", "create", "--name", "x", "--user", "nor.analyst"), 3, "no user 'nor.analyst' in DIANA")
    # and the service refuses it too
    ws = open_ws(qs_db)
    try:
        create_user(ws, None, "nor.admin", "NOR", ["admin"])
        with pytest.raises(PermissionDenied, match="^an admin of NOR may create users of NOR only"):
            create_user(ws, actor_for_username(ws, "nor.admin"), "intruder", "DEU", ["analyst"])
    finally:
        ws.close()
    assert sql(qs_db, "SELECT count(*) FROM users WHERE username IN ('x', 'intruder')") == [(0,)]
    assert [u["username"] for u in ok_json(as_("nor.analyst", "users", "list", "--json"))] == ["nor.admin", "nor.analyst"]


def test_an_admin_of_nor_adds_users_to_nor(nor_admin):
    assert ok(as_("nor.admin", "users", "add", "nor.auditor", "--role", "auditor")) == \
        "Added nor.auditor to NOR as auditor.\n"
    assert [u["username"] for u in ok_json(as_("nor.admin", "users", "list", "--json"))] == [
        "nor.admin", "nor.analyst", "nor.auditor"]
    fails(as_("nor.admin", "users", "deactivate", "admin"), 3, "no user 'admin' in NOR")


def test_the_last_admin_cannot_deactivate_itself(qs_db):
    result = rapid("users", "deactivate", "admin")
    assert result.exit_code != 0
    assert ok_json(rapid("users", "list", "--json"))[0]["active"] is True


# --------------------------------------------------------------------------------------------
# The quickstart's sharing example
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", list(VISIBLE))
def test_who_sees_which_example_assessment(qs_db, user):
    data = ok_json(as_(user, "assess", "list", "--json"))
    assert data["total"] == len(VISIBLE[user])
    assert data["offset"] == 0
    assert [r["id"] for r in data["rows"]] == VISIBLE[user]
    table = ok(as_(user, "assess", "list"))
    assert table.splitlines()[0].strip() == f"Assessments: {len(VISIBLE[user])} of {len(VISIBLE[user])}"
    assert [int(row[0]) for row in table_rows(table)] == VISIBLE[user]


def test_assess_list_rows_paging_and_filters(qs_db):
    data = ok_json(as_("est.analyst", "assess", "list", "--json", "--limit", "1", "--offset", "1"))
    assert data == {"total": 3, "offset": 1, "rows": [
        {"id": 3, "trl": 6, "mrl": 6, "fit_0_to_100": 85, "assessed_on": "2026-11-29", "tlp": "GREEN",
         "distribution": "community", "releasable_to": ["EST", "LTU", "LVA"], "solution": "EDF-101167796",
         "case_id": None, "solution_name": "E-CUAS: European Counter Unmanned Aerial Systems",
         "owner": "EST", "sharing_group": None, "marking": "TLP:GREEN · All organisations · REL TO EST, LTU, LVA"}]}
    assert table_rows(ok(as_("est.analyst", "assess", "list", "--solution", "EDF-101167796"))) == [
        ["3", "EDF-101167796", "6", "6", "85", "GREEN", "community", "EST, LTU, LVA"]]
    data = ok_json(as_("est.analyst", "assess", "list", "--need", "EDF-2022-DA-NAVAL-MSAS", "--json"))
    assert (data["total"], [r["id"] for r in data["rows"]]) == (1, [1])
    # a filter on the solution of a hidden assessment finds nothing (not an error)
    data = ok_json(as_("deu.analyst", "assess", "list", "--solution", "EDF-101121408", "--json"))
    assert (data["total"], data["rows"]) == (0, [])


HIDDEN = [(user, i) for user, ids in VISIBLE.items() for i in range(1, 6) if i not in ids]


@pytest.mark.parametrize(("user", "ident"), HIDDEN)
def test_a_hidden_assessment_is_not_found_like_a_missing_one(qs_db, user, ident):
    fails(as_(user, "assess", "show", str(ident)), 3, f"no assessment '{ident}' (give its id or ref)")
    fails(as_(user, "assess", "show", str(ident), "--json"), 3, f"no assessment '{ident}' (give its id or ref)")
    fails(as_(user, "assess", "show", "999"), 3, "no assessment '999' (give its id or ref)")


@pytest.mark.parametrize(("user", "ident"), [(u, i) for u, ids in VISIBLE.items() for i in ids])
def test_a_visible_assessment_shows_its_marking_first(qs_db, user, ident):
    text = ok(as_(user, "assess", "show", str(ident)))
    assert first_line(text) == BANNERS[ident]
    view = ok_json(as_(user, "assess", "show", str(ident), "--json"))
    assert (view["id"], view["marking"]) == (ident, BANNERS[ident])
    assert fields(text)["id"] == str(ident)
    assert fields(text)["owner"] == view["owner"]


def test_assess_show_text_and_json(qs_db):
    text = ok(as_("est.analyst", "assess", "show", "3"))
    assert first_line(text) == "TLP:GREEN · All organisations · REL TO EST, LTU, LVA"
    rows = fields(text)
    assert {k: rows[k] for k in ("id", "solution_ref", "case_id", "owner", "trl", "mrl", "fit_0_to_100", "strengths",
                                 "weaknesses", "assessed_on", "version")} == {
        "id": "3", "solution_ref": "EDF-101167796", "case_id": "-", "owner": "EST", "trl": "6", "mrl": "6",
        "fit_0_to_100": "85", "strengths": "Counter-UAS layers suited to Baltic border surveillance", "weaknesses": "-",
        "assessed_on": "2026-11-29", "version": "1"}
    view = ok_json(as_("est.analyst", "assess", "show", "3", "--json"))
    assert {k: view[k] for k in ("owner", "distribution", "tlp", "releasable_to", "sharing_group", "solution_ref",
                                 "sources")} == {
        "owner": "EST", "distribution": "community", "tlp": "GREEN", "releasable_to": ["EST", "LTU", "LVA"],
        "sharing_group": None, "solution_ref": "EDF-101167796",
        "sources": ["quickstart example assessment (illustrative judgement, not an official one)"]}
    assert "owner_org_id" not in view
    view = ok_json(as_("est.analyst", "assess", "show", "1", "--json"))
    assert (view["distribution"], view["sharing_group"], view["owner"]) == ("sharing_group", GROUP, "NOR")


# --------------------------------------------------------------------------------------------
# rapid assess create / update
# --------------------------------------------------------------------------------------------


def test_assess_create_is_private_by_default(qs_db):
    before = audit_count(qs_db)
    text = ok(as_("nor.analyst", "assess", "create", AIR_SOLUTION, "--need", AIR_NEED, "--trl", "6", "--mrl", "5",
                  "--fit", "70", "--strengths", "Mature self-protection suite", "--weaknesses", "Integration cost",
                  "--risks", "Export licence", "--source", "https://example.org/a", "--source", "https://example.org/b"))
    assert first_line(text) == "TLP:AMBER · Owner organisation only"
    rows = fields(text)
    assert {k: rows[k] for k in ("id", "case_id", "owner", "trl", "mrl", "fit_0_to_100", "strengths", "weaknesses",
                                 "risks", "sources", "assessed_on", "version")} == {
        "id": str(NEW_ASSESSMENT), "case_id": "-", "owner": "NOR", "trl": "6", "mrl": "5", "fit_0_to_100": "70",
        "strengths": "Mature self-protection suite", "weaknesses": "Integration cost", "risks": "Export licence",
        "sources": "https://example.org/a; https://example.org/b", "assessed_on": "2026-11-29", "version": "1"}
    assert rows["need_ref"] == AIR_NEED

    view = ok_json(as_("nor.analyst", "assess", "show", str(NEW_ASSESSMENT), "--json"))
    assert {k: view[k] for k in ("owner", "distribution", "tlp", "releasable_to", "sharing_group", "sharing_group_id",
                                 "marking", "need_ref", "solution_ref", "created_at", "version")} == {
        "owner": "NOR", "distribution": "organisation", "tlp": "AMBER", "releasable_to": [], "sharing_group": None,
        "sharing_group_id": None, "marking": "TLP:AMBER · Owner organisation only", "need_ref": AIR_NEED,
        "solution_ref": AIR_SOLUTION, "created_at": NOW.isoformat(), "version": 1}
    # private: only Norway sees it
    assert visible_ids("nor.analyst") == [NEW_ASSESSMENT] + VISIBLE["nor.analyst"]
    for user in ("est.analyst", "deu.analyst", "fra.viewer", "admin"):
        assert visible_ids(user) == VISIBLE[user]
        fails(as_(user, "assess", "show", str(NEW_ASSESSMENT)), 3, f"no assessment '{NEW_ASSESSMENT}' (give its id or ref)")
    # audited in the same transaction
    assert audit_count(qs_db) == before + 1
    entry = ok_json(as_("nor.analyst", "audit", "list", "--type", "assessments", "--id", str(NEW_ASSESSMENT), "--json"))
    assert [(e["action"], e["actor"], e["at"]) for e in entry] == [("create", "nor.analyst", NOW.isoformat())]
    assert entry[0]["after"]["strengths"] == "Mature self-protection suite"


def test_assess_create_json_with_sharing_options(qs_db):
    view = ok_json(as_("nor.analyst", "assess", "create", AIR_SOLUTION, "--distribution", "sharing_group", "--group", GROUP,
                       "--tlp", "green", "--rel-to", "est,nor", "--assessed-on", "2026-11-01", "--json"))
    assert {k: view[k] for k in ("id", "distribution", "tlp", "releasable_to", "sharing_group", "marking", "assessed_on",
                                 "trl", "sources", "case_id", "need_ref")} == {
        "id": NEW_ASSESSMENT, "distribution": "sharing_group", "tlp": "GREEN", "releasable_to": ["EST", "NOR"],
        "sharing_group": GROUP, "marking": "TLP:GREEN · Sharing group: Nordic-Baltic · REL TO EST, NOR",
        "assessed_on": "2026-11-01", "trl": None, "sources": [], "case_id": None, "need_ref": None}
    assert visible_ids("est.analyst") == [NEW_ASSESSMENT] + VISIBLE["est.analyst"]
    assert visible_ids("deu.analyst") == VISIBLE["deu.analyst"]


def test_assess_create_inside_a_case_you_own(qs_db):
    case = open_case(qs_db)
    assert (case["distribution"], case["tlp"]) == ("community", "GREEN")
    view = ok_json(rapid("assess", "create", CASE_SOLUTION, "--case", str(NEW_CASE), "--trl", "5",
                         "--distribution", "community", "--tlp", "CLEAR", "--json"))
    # it takes the case's need
    assert (view["id"], view["case_id"], view["need_ref"], view["owner"]) == (NEW_ASSESSMENT, NEW_CASE, case["need_ref"], "DIANA")
    # visible to others while the case is
    assert visible_ids("nor.analyst") == [NEW_ASSESSMENT] + VISIBLE["nor.analyst"]
    # never more visible than its case: hide the case and the assessment goes with it
    assert ok(rapid("share", f"case:{NEW_CASE}", "--distribution", "organisation")) == \
        f"case:{NEW_CASE}: TLP:GREEN · Owner organisation only\n"
    assert visible_ids("nor.analyst") == VISIBLE["nor.analyst"]
    fails(as_("nor.analyst", "assess", "show", str(NEW_ASSESSMENT)), 3, f"no assessment '{NEW_ASSESSMENT}' (give its id or ref)")
    fails(as_("nor.analyst", "case", "show", str(NEW_CASE)), 3, f"no adoption case '{NEW_CASE}' (give its id or ref)")
    assert visible_ids("admin") == [NEW_ASSESSMENT] + VISIBLE["admin"]


def test_assess_create_case_refusals(qs_db):
    open_case(qs_db)
    fails(rapid("assess", "create", AIR_SOLUTION, "--case", str(NEW_CASE)), 2,
          f"--case: case {NEW_CASE} is about solution {CASE_SOLUTION}, not {AIR_SOLUTION}")
    fails(rapid("assess", "create", CASE_SOLUTION, "--case", "1"), 4,
          "adoption case 1 belongs to another organisation: only its owner may change it")
    fails(rapid("assess", "create", CASE_SOLUTION, "--case", "999"), 3, "no adoption case '999' (give its id or ref)")
    fails(as_("nor.analyst", "assess", "create", CASE_SOLUTION, "--case", str(NEW_CASE)), 4,
          f"adoption case {NEW_CASE} belongs to another organisation: only its owner may change it")
    assert sql(qs_db, "SELECT count(*) FROM assessments") == [(5,)]


def test_assess_create_refuses_a_need_other_than_its_cases(qs_db):
    open_case(qs_db)
    result = rapid("assess", "create", CASE_SOLUTION, "--case", str(NEW_CASE), "--need", AIR_NEED)
    assert result.exit_code == 2, (result.stdout, result.stderr)


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--trl", "0"], 2, "trl: TRL must be 1-9, got '0'"),
    (["--trl", "10"], 2, "trl: TRL must be 1-9, got '10'"),
    (["--mrl", "0"], 2, "mrl: MRL must be 1-10, got '0'"),
    (["--mrl", "11"], 2, "mrl: MRL must be 1-10, got '11'"),
    (["--fit", "-1"], 2, "fit: FIT must be 0-100, got '-1'"),
    (["--fit", "101"], 2, "fit: FIT must be 0-100, got '101'"),
    (["--assessed-on", "2026-13-01"], 2, "--assessed-on: is not a date (expected YYYY-MM-DD), got '2026-13-01'"),
    (["--rel-to", "XX"], 2, "releasable_to: must be ISO 3166-1 alpha-3 codes such as DEU, or NATO; got 'XX'"),
    (["--distribution", "sharing_group"], 2, "--group: sharing_group needs --group NAME"),
    (["--group", "Nope"], 3, "no sharing group 'Nope' that NOR belongs to"),
    (["--need", "NOPE"], 3, "no capability need 'NOPE' (give its id or ref)"),
])
def test_assess_create_bad_values(qs_db, args, code, message):
    fails(as_("nor.analyst", "assess", "create", AIR_SOLUTION, *args), code, message)
    assert sql(qs_db, "SELECT count(*) FROM assessments") == [(5,)]


def test_assess_create_unknown_solution_and_a_group_you_are_not_in(qs_db):
    fails(as_("nor.analyst", "assess", "create", "NOPE"), 3, "no solution 'NOPE' (give its id or ref)")
    fails(as_("deu.analyst", "assess", "create", AIR_SOLUTION, "--distribution", "sharing_group", "--group", GROUP), 3,
          "no sharing group 'Nordic-Baltic' that DEU belongs to")


@pytest.mark.parametrize(("option", "value", "expected"), [
    ("--tlp", "PURPLE", "--tlp: must be one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED, got 'PURPLE'"),
    ("--distribution", "everyone",
     "--distribution: must be one of organisation, community, connected, sharing_group, got 'everyone'"),
])
def test_assess_create_bad_tlp_or_distribution_names_the_values(qs_db, option, value, expected):
    fails(as_("nor.analyst", "assess", "create", AIR_SOLUTION, option, value), 2, expected)


def test_a_viewer_cannot_create_or_update_assessments(qs_db):
    fails(as_("fra.viewer", "assess", "create", AIR_SOLUTION), 4, "recording an assessment needs the role admin or analyst")
    fails(as_("fra.viewer", "assess", "update", "4", "--trl", "8"), 4, "changing an assessment needs the role admin or analyst")
    assert sql(qs_db, "SELECT count(*) FROM assessments") == [(5,)]


def test_assess_update(qs_db):
    view = ok_json(as_("nor.analyst", "assess", "update", "1", "--trl", "7", "--if-version", "1", "--json"))
    assert (view["trl"], view["mrl"], view["fit_0_to_100"], view["version"], view["updated_at"]) == (7, 5, 80, 2, NOW.isoformat())
    assert view["strengths"] == "Autonomous surface vessel fits Nordic littoral patrol"  # not given, not changed
    assert view["marking"] == BANNERS[1]  # 'update' leaves the sharing alone
    # the change is what est.analyst now reads
    assert ok_json(as_("est.analyst", "assess", "show", "1", "--json"))["trl"] == 7
    # a stale version is refused and changes nothing
    fails(as_("nor.analyst", "assess", "update", "1", "--trl", "8", "--if-version", "1"), 5,
          "assessment 1 is at version 2, not 1: reload and try again")
    fails(as_("nor.analyst", "assess", "update", "1", "--trl", "12"), 2, "trl: TRL must be 1-9, got '12'")
    text = ok(as_("nor.analyst", "assess", "update", "1", "--weaknesses", "Short endurance"))
    assert first_line(text) == BANNERS[1]
    assert (fields(text)["trl"], fields(text)["weaknesses"], fields(text)["version"]) == ("7", "Short endurance", "3")
    entries = ok_json(as_("est.analyst", "audit", "list", "--type", "assessments", "--id", "1", "--json"))
    assert [e["action"] for e in entries] == ["update", "update", "create"]
    assert (entries[1]["before"], entries[1]["after"]) == (None, None)  # Norway's data before and after: Norway's
    entries = ok_json(as_("nor.analyst", "audit", "list", "--type", "assessments", "--id", "1", "--json"))
    assert (entries[1]["before"]["trl"], entries[1]["after"]["trl"]) == (6, 7)


@pytest.mark.parametrize(("user", "ident", "code", "message"), [
    ("est.analyst", "1", 4, "assessment 1 belongs to another organisation: only its owner may change it"),
    ("nor.analyst", "4", 4, "assessment 4 belongs to another organisation: only its owner may change it"),
    ("nor.analyst", "3", 3, "no assessment '3' (give its id or ref)"),
    ("nor.analyst", "5", 3, "no assessment '5' (give its id or ref)"),
    ("nor.analyst", "999", 3, "no assessment '999' (give its id or ref)"),
])
def test_assess_update_refusals(qs_db, user, ident, code, message):
    fails(as_(user, "assess", "update", ident, "--trl", "3"), code, message)
    assert sql(qs_db, "SELECT id, trl, version FROM assessments ORDER BY id") == [
        (1, 6, 1), (2, 5, 1), (3, 6, 1), (4, 7, 1), (5, 5, 1)]


# --------------------------------------------------------------------------------------------
# rapid share
# --------------------------------------------------------------------------------------------


def test_share_each_option_changes_who_sees_at_once(qs_db):
    # --group: the distribution becomes sharing_group; AMBER+STRICT still keeps it to Norway
    assert ok(as_("nor.analyst", "share", "assessment:2", "--group", GROUP)) == \
        "assessment:2: TLP:AMBER+STRICT · Sharing group: Nordic-Baltic\n"
    assert 2 not in visible_ids("est.analyst")
    # --tlp: AMBER lets the group in
    result = ok_json(as_("nor.analyst", "share", "assessment:2", "--tlp", "amber", "--json"))
    assert result == {"record": "assessment:2", "changed": True, "red_recipients": [], "releasable_to": [], "sharing_group": GROUP,
                      "marking": "TLP:AMBER · Sharing group: Nordic-Baltic", "distribution": "sharing_group",
                      "tlp": "AMBER"}
    assert visible_ids("est.analyst") == [4, 3, 2, 1]
    assert first_line(ok(as_("est.analyst", "assess", "show", "2"))) == "TLP:AMBER · Sharing group: Nordic-Baltic"
    assert visible_ids("deu.analyst") == VISIBLE["deu.analyst"]
    # --distribution community: everyone
    assert ok(as_("nor.analyst", "share", "assessment:2", "--distribution", "community")) == \
        "assessment:2: TLP:AMBER · All organisations\n"
    for user in ("est.analyst", "deu.analyst", "fra.viewer", "admin"):
        assert 2 in visible_ids(user), user
    # --rel-to: only organisations of those nations (sorted, upper-cased)
    assert ok(as_("nor.analyst", "share", "assessment:2", "--rel-to", "nor, deu")) == \
        "assessment:2: TLP:AMBER · All organisations · REL TO DEU, NOR\n"
    assert [2 in visible_ids(u) for u in ("est.analyst", "deu.analyst", "fra.viewer", "admin")] == [False, True, False, False]
    # --rel-to NATO releases to NATO bodies (DIANA has no nation)
    assert ok(as_("nor.analyst", "share", "assessment:2", "--rel-to", "NATO,DEU")) == \
        "assessment:2: TLP:AMBER · All organisations · REL TO DEU, NATO\n"
    assert [2 in visible_ids(u) for u in ("est.analyst", "deu.analyst", "fra.viewer", "admin")] == [False, True, False, True]
    # --rel-to '' clears it
    assert ok(as_("nor.analyst", "share", "assessment:2", "--rel-to", "")) == "assessment:2: TLP:AMBER · All organisations\n"
    assert 2 in visible_ids("fra.viewer")
    # --distribution connected reads as every organisation of this instance
    assert ok(as_("nor.analyst", "share", "assessment:2", "--distribution", "connected", "--tlp", "CLEAR")) == \
        "assessment:2: TLP:CLEAR · Connected instances\n"
    assert 2 in visible_ids("fra.viewer")
    # --distribution organisation: back to Norway only
    assert ok(as_("nor.analyst", "share", "assessment:2", "--distribution", "organisation")) == \
        "assessment:2: TLP:CLEAR · Owner organisation only\n"
    assert [2 in visible_ids(u) for u in ("est.analyst", "deu.analyst", "fra.viewer", "admin")] == [False] * 4
    fails(as_("fra.viewer", "assess", "show", "2"), 3, "no assessment '2' (give its id or ref)")
    # each change is its own audited 'share', with the marking before and after
    entries = ok_json(as_("nor.analyst", "audit", "list", "--type", "assessments", "--id", "2", "--json"))
    assert [e["action"] for e in entries] == ["share"] * 8 + ["create"]
    assert entries[0]["before"] == {"distribution": "connected", "tlp": "CLEAR", "sharing_group_id": None,
                                     "releasable_to": "", "red_recipients": []}
    assert entries[0]["after"] == {"distribution": "organisation", "tlp": "CLEAR", "sharing_group_id": None,
                                   "releasable_to": "", "red_recipients": []}


def test_share_red_with_named_recipients(nor_admin):
    assert ok(as_("nor.admin", "users", "add", "nor.viewer", "--role", "viewer")) == "Added nor.viewer to NOR as viewer.\n"
    assert ok(as_("nor.admin", "users", "add", "nor.auditor", "--role", "auditor")) == "Added nor.auditor to NOR as auditor.\n"
    # RED: whoever marks it stays named; nobody else of NOR sees it unless named (an auditor reads everything of NOR)
    assert ok(as_("nor.analyst", "share", "assessment:1", "--tlp", "RED")) == \
        "assessment:1: TLP:RED · Sharing group: Nordic-Baltic · RED to nor.analyst\n"
    assert [1 in visible_ids(u) for u in ("nor.analyst", "nor.admin", "nor.viewer", "nor.auditor", "est.analyst")] == [
        True, False, False, True, False]
    fails(as_("nor.admin", "assess", "show", "1"), 3, "no assessment '1' (give its id or ref)")
    # --red-to names users of the owner organisation
    assert ok(as_("nor.analyst", "share", "assessment:1", "--red-to", "nor.admin", "--red-to", "nor.viewer")) == \
        "assessment:1: TLP:RED · Sharing group: Nordic-Baltic · RED to nor.admin, nor.analyst, nor.viewer\n"
    assert [1 in visible_ids(u) for u in ("nor.analyst", "nor.admin", "nor.viewer", "est.analyst")] == [True, True, True, False]
    assert first_line(ok(as_("nor.viewer", "assess", "show", "1"))) == \
        "TLP:RED · Sharing group: Nordic-Baltic · RED to nor.admin, nor.analyst, nor.viewer"
    fails(as_("nor.analyst", "share", "assessment:1", "--red-to", "est.analyst"), 3,
          "no user 'est.analyst' in NOR to name on the RED record")
    # back to AMBER: the group sees it again
    assert ok(as_("nor.analyst", "share", "assessment:1", "--tlp", "AMBER")) == f"assessment:1: {BANNERS[1]}\n"
    assert visible_ids("est.analyst") == VISIBLE["est.analyst"]


def test_share_a_case_takes_its_decisions_along(qs_db):
    open_case(qs_db)
    assert ok(rapid("share", f"case:{NEW_CASE}", "--tlp", "AMBER", "--rel-to", "DEU,NOR")) == \
        f"case:{NEW_CASE}: TLP:AMBER · All organisations · REL TO DEU, NOR\n"
    assert ok_json(as_("nor.analyst", "case", "show", str(NEW_CASE), "--json"))["id"] == NEW_CASE
    fails(as_("est.analyst", "case", "show", str(NEW_CASE)), 3, f"no adoption case '{NEW_CASE}' (give its id or ref)")
    fails(as_("fra.viewer", "case", "show", str(NEW_CASE)), 3, f"no adoption case '{NEW_CASE}' (give its id or ref)")


def test_share_a_need_you_own_and_its_show_page(qs_db, tmp_path):
    needs = tmp_path / "needs.csv"
    needs.write_text("ref,title\nDIANA-N-1,An own need\n", encoding="utf-8")
    ok(rapid("import", "needs", str(needs)))
    assert first_line(ok(rapid("needs", "show", "DIANA-N-1"))) == "TLP:GREEN · All organisations"
    assert first_line(ok(as_("fra.viewer", "needs", "show", "DIANA-N-1"))) == "TLP:GREEN · All organisations"
    record = ok(rapid("share", "need:DIANA-N-1", "--tlp", "AMBER", "--rel-to", "DEU"))
    assert re.fullmatch(r"need:\d+: TLP:AMBER · All organisations · REL TO DEU\n", record)
    assert first_line(ok(as_("deu.analyst", "needs", "show", "DIANA-N-1"))) == "TLP:AMBER · All organisations · REL TO DEU"
    fails(as_("fra.viewer", "needs", "show", "DIANA-N-1"), 3, "no capability need 'DIANA-N-1' (give its id or ref)")
    assert ok_json(rapid("needs", "show", "DIANA-N-1", "--json"))["marking"] == "TLP:AMBER · All organisations · REL TO DEU"


@pytest.mark.parametrize(("user", "args", "code", "message"), [
    ("nor.analyst", ["assessment2"], 2,
     "RECORD: give the record as TYPE:ID, e.g. assessment:12; TYPE is one of need, solution, company, centre, case, "
     "assessment, membership, investment, procedure, trial"),
    ("nor.analyst", ["assessment:"], 2,
     "RECORD: give the record as TYPE:ID, e.g. assessment:12; TYPE is one of need, solution, company, centre, case, "
     "assessment, membership, investment, procedure, trial"),
    ("nor.analyst", ["widget:2"], 2,
     "RECORD: unknown record type 'widget'; expected one of need, solution, company, centre, case, assessment, "
     "membership, investment, procedure, trial"),
    ("deu.analyst", ["assessment:4", "--group", GROUP], 3, "no sharing group 'Nordic-Baltic' that DEU belongs to"),
    ("nor.analyst", ["assessment:2", "--group", "Nope"], 3, "no sharing group 'Nope' that NOR belongs to"),
    ("nor.analyst", ["assessment:4", "--tlp", "GREEN"], 4,
     "assessment 4 belongs to another organisation: only its owner may change it"),
    ("admin", ["need:" + AIR_NEED, "--tlp", "GREEN"], 4,
     "capability need EDF-2023-DA-AIR-SPS belongs to another organisation: only its owner may change it"),
    ("admin", ["case:1", "--distribution", "organisation"], 4,
     "adoption case 1 belongs to another organisation: only its owner may change it"),
    ("nor.analyst", ["assessment:2", "--distribution", "sharing_group"], 2, "--group: sharing_group needs --group NAME"),
    ("nor.analyst", ["assessment:2", "--distribution", "nobody"], 2,
     "--distribution: must be one of organisation, community, connected, sharing_group, got 'nobody'"),
    ("nor.analyst", ["assessment:2", "--tlp", "PURPLE"], 2,
     "--tlp: must be one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED, got 'PURPLE'"),
    ("nor.analyst", ["assessment:2", "--rel-to", "DE"], 2,
     "releasable_to: must be ISO 3166-1 alpha-3 codes such as DEU, or NATO; got 'DE'"),
    ("nor.analyst", ["assessment:2", "--red-to", "nobody"], 3, "no user 'nobody' in NOR to name on the RED record"),
    ("nor.analyst", ["assessment:5", "--tlp", "GREEN"], 3, "no assessment '5' (give its id or ref)"),
    ("nor.analyst", ["assessment:999", "--tlp", "GREEN"], 3, "no assessment '999' (give its id or ref)"),
    ("nor.analyst", ["need:NOPE", "--tlp", "GREEN"], 3, "no capability need 'NOPE' (give its id or ref)"),
    ("fra.viewer", ["assessment:4", "--tlp", "RED"], 4, "changing sharing needs the role admin, analyst, board, test_centre"),
])
def test_share_refusals_change_nothing(qs_db, user, args, code, message):
    before = (sql(qs_db, "SELECT id, distribution, tlp, sharing_group_id, releasable_to, version FROM assessments"),
              audit_count(qs_db))
    fails(as_(user, "share", *args), code, message)
    assert (sql(qs_db, "SELECT id, distribution, tlp, sharing_group_id, releasable_to, version FROM assessments"),
            audit_count(qs_db)) == before


@pytest.mark.parametrize("role", ["board", "test_centre"])
def test_board_and_test_centre_roles_may_share_their_organisations_records(qs_db, role):
    ok(rapid("users", "add", "someone", "--role", role))
    ok(rapid("assess", "create", AIR_SOLUTION))
    assert ok(as_("someone", "share", f"assessment:{NEW_ASSESSMENT}", "--distribution", "community")) == \
        f"assessment:{NEW_ASSESSMENT}: TLP:AMBER · All organisations\n"
    assert NEW_ASSESSMENT in visible_ids("fra.viewer")
    fails(as_("someone", "assess", "create", AIR_SOLUTION), 4, "recording an assessment needs the role admin or analyst")
    fails(as_("someone", "groups", "create", "G"), 4, "creating a sharing group needs the role admin or analyst")


def test_an_auditor_refused_sharing_is_told_which_roles_may(qs_db):
    ok(rapid("users", "add", "aud", "--role", "auditor"))
    result = as_("aud", "share", "assessment:4", "--tlp", "RED")
    assert result.exit_code == 4
    assert "other than viewer" not in err(result)


# --------------------------------------------------------------------------------------------
# rapid groups
# --------------------------------------------------------------------------------------------


def test_groups_create_add_and_list(qs_db):
    assert ok(rapid("groups", "create", "Atlantic", "--description", "Transatlantic")) == "Created the sharing group Atlantic.\n"
    assert ok_json(rapid("groups", "list", "--json")) == [
        {"id": 2, "name": "Atlantic", "description": "Transatlantic", "owner": "DIANA",
         "members": [{"organisation": "DIANA", "can_extend": True}]}]
    assert ok(rapid("groups", "add", "Atlantic", "--org", "NOR", "--can-extend")) == "Added NOR to Atlantic.\n"
    assert ok(rapid("groups", "add", "Atlantic", "--nation", "usa")) == "Added every organisation of USA to Atlantic.\n"
    # NOR may extend it; DEU, added by NOR without --can-extend, may not
    assert ok(as_("nor.analyst", "groups", "add", "Atlantic", "--org", "DEU")) == "Added DEU to Atlantic.\n"
    fails(as_("deu.analyst", "groups", "add", "Atlantic", "--org", "FRA"), 4, "DEU may not extend the group 'Atlantic'")
    assert ok_json(as_("deu.analyst", "groups", "list", "--json"))[0]["members"] == [
        {"organisation": "DIANA", "can_extend": True}, {"organisation": "NOR", "can_extend": True},
        {"nation": "USA", "can_extend": False}, {"organisation": "DEU", "can_extend": False}]
    assert table_rows(ok(rapid("groups", "list"))) == [["Atlantic", "DIANA", "DIANA, NOR, all of USA, DEU"]]
    # Norway now belongs to two groups, listed by name
    assert [g["name"] for g in ok_json(as_("nor.analyst", "groups", "list", "--json"))] == ["Atlantic", GROUP]
    # a record shared with the new group reaches its members only
    ok(as_("deu.analyst", "share", "assessment:5", "--group", "Atlantic"))
    assert [5 in visible_ids(u) for u in ("nor.analyst", "admin", "est.analyst", "fra.viewer")] == [True, True, False, False]
    entries = ok_json(rapid("audit", "list", "--type", "sharing_groups", "--id", "2", "--json"))
    assert [(e["action"], e["actor"], e["after"]) for e in entries] == [
        ("member.add", "admin", {"member": "every organisation of USA", "can_extend": False}),
        ("member.add", "admin", {"member": "NOR", "can_extend": True}),
        ("create", "admin", {"name": "Atlantic", "owner": "DIANA"}),
    ]


@pytest.mark.parametrize(("user", "args", "code", "message"), [
    ("nor.analyst", ["create", GROUP], 5, "NOR already has a sharing group called 'Nordic-Baltic'"),
    ("admin", ["create", "  "], 2, "name: is required and was empty"),
    ("fra.viewer", ["create", "Viewers"], 4, "creating a sharing group needs the role admin or analyst"),
    ("nor.analyst", ["add", GROUP, "--org", "DEU", "--nation", "DEU"], 2,
     "--org/--nation: give an organisation or a nation, not both"),
    ("nor.analyst", ["add", GROUP], 2, "--org/--nation: give an organisation (--org) or a nation (--nation)"),
    ("nor.analyst", ["add", GROUP, "--org", "XYZ"], 3, "no organisation 'XYZ' in this workspace"),
    ("nor.analyst", ["add", GROUP, "--org", "NOR"], 5, "NOR is already in 'Nordic-Baltic'"),
    ("nor.analyst", ["add", GROUP, "--nation", "est"], 5, "every organisation of EST is already in 'Nordic-Baltic'"),
    ("nor.analyst", ["add", GROUP, "--nation", "NATO"], 2, "--nation: must be one ISO 3166-1 alpha-3 code, got 'NATO'"),
    ("nor.analyst", ["add", GROUP, "--nation", "DEU,FRA"], 2,
     "--nation: must be one ISO 3166-1 alpha-3 code, got 'DEU,FRA'"),
    ("admin", ["add", GROUP, "--org", "DEU"], 3, "no sharing group 'Nordic-Baltic' that DIANA belongs to"),
    ("admin", ["add", "Nope", "--org", "DEU"], 3, "no sharing group 'Nope' that DIANA belongs to"),
    ("est.analyst", ["add", GROUP, "--org", "DEU"], 4, "EST may not extend the group 'Nordic-Baltic'"),
    ("fra.viewer", ["add", GROUP, "--org", "FRA"], 4, "changing a sharing group needs the role admin or analyst"),
    ("est.analyst", ["remove", GROUP, "--nation", "EST"], 4, "only the owner of 'Nordic-Baltic' may remove members"),
    ("deu.analyst", ["remove", GROUP, "--nation", "DEU"], 3, "no sharing group 'Nordic-Baltic' that DEU belongs to"),
    ("nor.analyst", ["remove", GROUP, "--org", "DEU"], 3, "DEU is not in 'Nordic-Baltic'"),
    ("nor.analyst", ["remove", GROUP, "--nation", "deu"], 3, "every organisation of DEU is not in 'Nordic-Baltic'"),
    ("nor.analyst", ["remove", GROUP], 2, "--org/--nation: give an organisation (--org) or a nation (--nation)"),
])
def test_groups_refusals_change_nothing(qs_db, user, args, code, message):
    before = (sql(qs_db, "SELECT * FROM sharing_groups"), sql(qs_db, "SELECT * FROM sharing_group_members"),
              audit_count(qs_db))
    fails(as_(user, "groups", *args), code, message)
    assert (sql(qs_db, "SELECT * FROM sharing_groups"), sql(qs_db, "SELECT * FROM sharing_group_members"),
            audit_count(qs_db)) == before


def test_groups_add_a_bad_nation_names_the_option(qs_db):
    fails(as_("nor.analyst", "groups", "add", GROUP, "--nation", "US"), 2,
          "--nation: must be one ISO 3166-1 alpha-3 code, got 'US'")


def test_groups_remove_takes_effect_at_once(qs_db):
    assert visible_ids("est.analyst") == [4, 3, 1]
    assert ok(as_("nor.analyst", "groups", "remove", GROUP, "--nation", "EST")) == \
        "Removed every organisation of EST from Nordic-Baltic.\n"
    assert visible_ids("est.analyst") == [4, 3]
    fails(as_("est.analyst", "assess", "show", "1"), 3, "no assessment '1' (give its id or ref)")
    assert ok_json(as_("est.analyst", "groups", "list", "--json")) == []
    # nor its audit trail
    assert ok_json(as_("est.analyst", "audit", "list", "--type", "assessments", "--id", "1", "--json")) == []
    # the rest of the group is unchanged
    members = ok_json(as_("nor.analyst", "groups", "list", "--json"))[0]["members"]
    assert [m.get("organisation") or m["nation"] for m in members] == ["NOR", "DNK", "FIN", "ISL", "LTU", "LVA", "SWE"]
    entries = ok_json(as_("nor.analyst", "audit", "list", "--type", "sharing_groups", "--limit", "1", "--json"))
    assert [(e["action"], e["after"]) for e in entries] == [("member.remove", {"member": "every organisation of EST"})]
    # and back
    assert ok(as_("nor.analyst", "groups", "add", GROUP, "--nation", "EST")) == \
        "Added every organisation of EST to Nordic-Baltic.\n"
    assert visible_ids("est.analyst") == [4, 3, 1]


def test_groups_remove_an_organisation(qs_db):
    ok(rapid("groups", "create", "Atlantic"))
    ok(rapid("groups", "add", "Atlantic", "--org", "DEU"))
    ok(rapid("assess", "create", AIR_SOLUTION, "--group", "Atlantic", "--distribution", "sharing_group"))
    assert NEW_ASSESSMENT in visible_ids("deu.analyst")
    assert ok(rapid("groups", "remove", "Atlantic", "--org", "DEU")) == "Removed DEU from Atlantic.\n"
    assert visible_ids("deu.analyst") == VISIBLE["deu.analyst"]
    assert ok_json(as_("deu.analyst", "groups", "list", "--json")) == []


@pytest.mark.parametrize("user", ["fra.viewer", "deu.analyst", "admin"])
def test_groups_list_shows_only_your_groups(qs_db, user):
    assert ok_json(as_(user, "groups", "list", "--json")) == []
    assert table_rows(ok(as_(user, "groups", "list"))) == []


@pytest.mark.parametrize("user", ["est.analyst", "nor.analyst"])
def test_groups_list_of_a_member(qs_db, user):
    groups = ok_json(as_(user, "groups", "list", "--json"))
    assert groups == [{"id": 1, "name": GROUP, "description": "Nordic and Baltic allies' market research (example)",
                       "owner": "NOR", "members": [{"organisation": "NOR", "can_extend": True}] + [
                           {"nation": n, "can_extend": False} for n in ("DNK", "EST", "FIN", "ISL", "LTU", "LVA", "SWE")]}]
    assert table_rows(ok(as_(user, "groups", "list"))) == [[GROUP, "NOR", GROUP_MEMBERS_TEXT]]


def test_a_viewer_cannot_remove_group_members(qs_db):
    ok(rapid("groups", "create", "Atlantic"))
    ok(rapid("groups", "add", "Atlantic", "--org", "NOR"))
    ok(rapid("users", "add", "dv", "--role", "viewer"))
    fails(as_("dv", "groups", "remove", "Atlantic", "--org", "NOR"), 4,
          "changing a sharing group needs the role admin or analyst")


def test_the_owner_cannot_remove_itself_from_its_group(qs_db):
    result = as_("nor.analyst", "groups", "remove", GROUP, "--org", "NOR")
    assert result.exit_code != 0
    assert [g["name"] for g in ok_json(as_("nor.analyst", "groups", "list", "--json"))] == [GROUP]


# --------------------------------------------------------------------------------------------
# rapid audit
# --------------------------------------------------------------------------------------------


def test_audit_list_newest_first_and_what_each_user_sees(qs_db):
    for user in ("est.analyst", "nor.analyst", "admin"):
        entries = ok_json(as_(user, "audit", "list", "--limit", "10000", "--json"))
        ids = [e["id"] for e in entries]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    about = {user: [(e["action"], e["object_id"], e["actor"])
                    for e in ok_json(as_(user, "audit", "list", "--type", "assessments", "--json"))]
             for user in VISIBLE}
    assert about == {
        "nor.analyst": [("create", 4, "deu.analyst"), ("create", 2, "nor.analyst"), ("create", 1, "nor.analyst")],
        "est.analyst": [("create", 4, "deu.analyst"), ("create", 3, "est.analyst"), ("create", 1, "nor.analyst")],
        "deu.analyst": [("create", 5, "deu.analyst"), ("create", 4, "deu.analyst")],
        "fra.viewer": [("create", 4, "deu.analyst")],
        "admin": [("create", 4, "deu.analyst")],
    }
    # the group's own history is Norway's (its owner's), not its members'
    nor_groups = ok_json(as_("nor.analyst", "audit", "list", "--type", "sharing_groups", "--json"))
    assert [e["action"] for e in nor_groups] == ["member.add"] * 7 + ["create"]
    assert ok_json(as_("est.analyst", "audit", "list", "--type", "sharing_groups", "--json")) == []
    # each organisation sees the creation of its own users only, and the quickstart's demo password being set
    # (the entry holds neither the password nor its hash)
    users = ok_json(as_("est.analyst", "audit", "list", "--type", "users", "--json"))
    assert [(e["action"], e["object_id"], e["actor"], e["before"], e["after"]) for e in users][0] == (
        "password.set", 3, "system", None, None)
    assert [(e["action"], e["object_id"], e["after"]["username"]) for e in users[1:]] == [("create", 3, "est.analyst")]
    # the text table: newest first, object as TYPE:ID
    text = ok(as_("est.analyst", "audit", "list", "--type", "assessments"))
    assert [(row[3], row[4]) for row in table_rows(text)] == [
        ("create", "assessments:4"), ("create", "assessments:3"), ("create", "assessments:1")]
    assert [row[2] for row in table_rows(text)] == ["deu.analyst", "est.analyst", "nor.analyst"]


def test_audit_list_filters_and_paging(qs_db):
    ok(as_("nor.analyst", "assess", "update", "1", "--trl", "7"))
    ok(as_("nor.analyst", "share", "assessment:1", "--rel-to", "EST,NOR"))
    entries = ok_json(as_("est.analyst", "audit", "list", "--type", "assessments", "--id", "1", "--json"))
    assert [(e["action"], e["actor"], e["object_type"], e["object_id"]) for e in entries] == [
        ("share", "nor.analyst", "assessments", 1), ("update", "nor.analyst", "assessments", 1),
        ("create", "nor.analyst", "assessments", 1)]
    assert all(len(e["entry_hash"]) == 64 for e in entries)
    assert entries[0]["at"] == NOW.isoformat()
    page = ok_json(as_("est.analyst", "audit", "list", "--type", "assessments", "--id", "1", "--limit", "1",
                       "--offset", "1", "--json"))
    assert [e["id"] for e in page] == [entries[1]["id"]]
    # --id alone: about any object with that id
    by_id = ok_json(as_("est.analyst", "audit", "list", "--id", "1", "--limit", "10000", "--json"))
    assert all(e["object_id"] == 1 for e in by_id)
    assert {e["object_type"] for e in by_id} >= {"assessments", "adoption_cases"}
    assert ok_json(as_("est.analyst", "audit", "list", "--type", "nothing", "--json")) == []
    # DEU was not released to: none of assessment 1's entries
    assert ok_json(as_("deu.analyst", "audit", "list", "--type", "assessments", "--id", "1", "--json")) == []


def test_an_auditor_sees_every_entry_of_its_organisation(nor_admin):
    assert ok(as_("nor.admin", "users", "add", "nor.auditor", "--role", "auditor")) == "Added nor.auditor to NOR as auditor.\n"
    ok(as_("nor.analyst", "share", "assessment:2", "--tlp", "RED"))  # named: nor.analyst only
    nor = org_id(nor_admin, "NOR")
    nor_entries = {row[0] for row in sql(nor_admin, "SELECT id FROM audit_entries WHERE organisation_id = ?", nor)}
    auditor = {e["id"] for e in ok_json(as_("nor.auditor", "audit", "list", "--limit", "10000", "--json"))}
    admin = {e["id"] for e in ok_json(as_("nor.admin", "audit", "list", "--limit", "10000", "--json"))}
    assert nor_entries <= auditor
    red = {row[0] for row in sql(nor_admin, "SELECT id FROM audit_entries WHERE object_type = 'assessments' AND "
                                            "object_id = 2")}
    assert len(red) == 2  # create, share
    assert red <= auditor
    assert not red & admin  # the admin is not named on the RED record
    assert nor_entries - red <= admin
    assert [e["action"] for e in ok_json(as_("nor.auditor", "audit", "list", "--type", "assessments", "--id", "2",
                                             "--json"))] == ["share", "create"]
    assert ok_json(as_("nor.admin", "audit", "list", "--type", "assessments", "--id", "2", "--json")) == []
    # an auditor of NOR sees nothing more of other organisations than any NOR user
    others = {e["id"] for e in ok_json(as_("nor.auditor", "audit", "list", "--limit", "10000", "--json"))} - nor_entries
    assert others <= admin


def test_audit_verify_an_intact_log(qs_db):
    count = audit_count(qs_db)
    assert count > 1000
    assert ok(rapid("audit", "verify")) == f"The audit log is intact: {count} entries, chain verified.\n"
    ok(as_("nor.analyst", "share", "assessment:2", "--group", GROUP))
    assert ok(rapid("audit", "verify")) == f"The audit log is intact: {count + 1} entries, chain verified.\n"


def test_the_database_refuses_to_change_the_audit_log(qs_db):
    with closing(sqlite3.connect(qs_db)) as connection:
        for statement in ("UPDATE audit_entries SET action = 'x' WHERE id = 1", "DELETE FROM audit_entries WHERE id = 1"):
            with pytest.raises(sqlite3.IntegrityError, match="the audit log is append-only"):
                connection.execute(statement)
    assert ok(rapid("audit", "verify")).startswith("The audit log is intact: ")


def _entry_of(path: Path, object_type: str, object_id: int, action: str = "create") -> int:
    return sql(path, "SELECT id FROM audit_entries WHERE object_type = ? AND object_id = ? AND action = ?",
               object_type, object_id, action)[0][0]


def _tamper(path: Path, *statements: str) -> None:
    with closing(sqlite3.connect(path)) as connection:
        for statement in statements:
            connection.execute(statement)
        connection.commit()


def test_audit_verify_finds_an_altered_entry(qs_db):
    count = audit_count(qs_db)
    k = _entry_of(qs_db, "assessments", 1)
    _tamper(qs_db, "DROP TRIGGER audit_entries_no_update", f"UPDATE audit_entries SET action = 'delete' WHERE id = {k}")
    result = rapid("audit", "verify")
    assert result.exit_code == 10, (result.stdout, result.stderr)
    assert out(result).splitlines() == [f"entry {k}: altered (its hash does not match its content)"]
    assert err(result) == f"error: the audit log is broken: 1 problem(s) in {count} entries"


def test_audit_verify_finds_an_altered_payload(qs_db):
    k = _entry_of(qs_db, "assessments", 3)
    _tamper(qs_db, "DROP TRIGGER audit_entries_no_update",
            f"UPDATE audit_entries SET \"after\" = json_set(\"after\", '$.trl', 9) WHERE id = {k}")
    result = rapid("audit", "verify")
    assert result.exit_code == 10
    assert f"entry {k}: altered (its hash does not match its content)" in out(result).splitlines()


def test_audit_verify_finds_a_missing_entry(qs_db):
    count = audit_count(qs_db)
    k = _entry_of(qs_db, "assessments", 2)
    _tamper(qs_db, "DROP TRIGGER audit_entries_no_delete", f"DELETE FROM audit_entries WHERE id = {k}")
    result = rapid("audit", "verify")
    assert result.exit_code == 10, (result.stdout, result.stderr)
    assert out(result).splitlines() == [
        f"entry {k}: missing",
        f"entry {k + 1}: does not follow the entry before it (an entry was removed or altered)",
    ]
    assert err(result) == f"error: the audit log is broken: 2 problem(s) in {count - 1} entries"


def test_audit_verify_finds_a_removed_tail(qs_db):
    count = audit_count(qs_db)
    _tamper(qs_db, "DROP TRIGGER audit_entries_no_delete", f"DELETE FROM audit_entries WHERE id = {count}")
    result = rapid("audit", "verify")
    assert result.exit_code == 10
    assert out(result).splitlines() == [
        f"the chain should end at entry {count}, but the last entry found is {count - 1}"]
    assert err(result) == f"error: the audit log is broken: 1 problem(s) in {count - 1} entries"


def test_audit_list_hides_an_assessment_inside_a_hidden_case(qs_db):
    open_case(qs_db)
    ok(rapid("share", f"case:{NEW_CASE}", "--distribution", "organisation"))
    ok(rapid("assess", "create", CASE_SOLUTION, "--case", str(NEW_CASE), "--distribution", "community", "--tlp", "CLEAR",
             "--strengths", "DIANA internal judgement"))
    fails(as_("nor.analyst", "assess", "show", str(NEW_ASSESSMENT)), 3, f"no assessment '{NEW_ASSESSMENT}' (give its id or ref)")
    result = as_("nor.analyst", "audit", "list", "--type", "assessments", "--id", str(NEW_ASSESSMENT), "--json")
    assert "DIANA internal judgement" not in result.stdout
    assert ok_json(result) == []


# --------------------------------------------------------------------------------------------
# Show pages print the marking first
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("resource", "ident"), [
    ("needs", AIR_NEED), ("solutions", AIR_SOLUTION), ("companies", "PIC-998627417"), ("centres", "1"),
])
@pytest.mark.parametrize("user", ["admin", "fra.viewer"])
def test_show_pages_print_the_marking_banner_first(qs_db, resource, ident, user):
    text = ok(as_(user, resource, "show", ident))
    assert first_line(text) == "TLP:CLEAR · All organisations"
    record = ok_json(as_(user, resource, "show", ident, "--json"))
    assert record["marking"] == "TLP:CLEAR · All organisations"


def test_needs_show_banner_then_fields(qs_db):
    lines = ok(rapid("needs", "show", AIR_NEED)).splitlines()
    assert lines[0].strip() == "TLP:CLEAR · All organisations"
    assert fields("\n".join(lines))["ref"] == AIR_NEED


def test_case_show_prints_the_marking_banner_first(qs_db):
    open_case(qs_db)
    ok(rapid("share", f"case:{NEW_CASE}", "--tlp", "AMBER", "--rel-to", "DEU,NOR"))
    banner = "TLP:AMBER · All organisations · REL TO DEU, NOR"
    view = ok_json(rapid("case", "show", str(NEW_CASE), "--json"))
    assert (view.get("marking"), view["releasable_to"]) == (banner, ["DEU", "NOR"])
    assert first_line(ok(rapid("case", "show", str(NEW_CASE)))) == banner


def test_case_show_does_not_reveal_a_hidden_need(qs_db, tmp_path):
    needs = tmp_path / "needs.csv"
    needs.write_text("ref,title\nDIANA-SECRET-1,Secret underwater sensing need\n", encoding="utf-8")
    ok(rapid("import", "needs", str(needs)))
    ok(rapid("share", "need:DIANA-SECRET-1", "--distribution", "organisation"))
    fails(as_("nor.analyst", "needs", "show", "DIANA-SECRET-1"), 3, "no capability need 'DIANA-SECRET-1' (give its id or ref)")
    ok(rapid("case", "open", "DIANA-SECRET-1", CASE_SOLUTION))
    board = ok_json(as_("nor.analyst", "board", "--all", "--json"))
    assert NEW_CASE not in [c["id"] for cases in board["by_stage"].values() for c in cases]
    result = as_("nor.analyst", "case", "show", str(NEW_CASE))
    assert "Secret underwater sensing need" not in result.stdout + result.stderr
    assert "DIANA-SECRET-1" not in result.stdout + result.stderr


def test_groups_of_one_name_from_two_owners_are_told_apart_by_owner(qs_db):
    # DIANA makes its own "Nordic-Baltic" and adds Estonia: Estonia is now in two groups of that name.
    ok(rapid("groups", "create", GROUP))
    ok(rapid("groups", "add", GROUP, "--nation", "EST"))
    fails(as_("est.analyst", "share", "assessment:3", "--group", GROUP), 2,
          "--group: EST belongs to several groups called 'Nordic-Baltic': name one with its owner, as "
          "DIANA:Nordic-Baltic or NOR:Nordic-Baltic")
    ok(as_("est.analyst", "share", "assessment:3", "--group", "NOR:Nordic-Baltic"))
    shown = ok_json(as_("est.analyst", "assess", "show", "3", "--json"))
    assert (shown["distribution"], shown["sharing_group"]) == ("sharing_group", GROUP)
    # Norway is in NOR's group but not in the releasability list (EST, LTU, LVA): it still sees nothing
    fails(as_("nor.analyst", "assess", "show", "3"), 3, "no assessment '3' (give its id or ref)")
    fails(as_("deu.analyst", "share", "assessment:5", "--group", "NOR:Nordic-Baltic"), 3,
          "no sharing group 'NOR:Nordic-Baltic' that DEU belongs to")
