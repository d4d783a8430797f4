"""``rapid badge`` and ``rapid issuer`` end to end through ``typer.testing.CliRunner`` on real SQLite files, and the
badge that ``rapid quickstart`` writes next to its workspace (checked by ``rapid badge verify`` and by the
independent verifier in interop/)."""

from __future__ import annotations

import gc
import json
import re
import shutil
import stat
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from badge_helpers import BADGE_CASE, ISSUER_NAME, with_secret
from cli_results import err, fails, ok, ok_json, out
from conftest import FROZEN_NOW, open_ws
from rapid_adoption.cli import common
from rapid_adoption.cli.app import app
from rapid_adoption.services import badges
from rapid_adoption.services import workspace as workspace_module
from rapid_adoption.services.auth import create_user

RUNNER = CliRunner()
ENV = {"COLUMNS": "200", "LINES": "60"}
INTEROP = Path(__file__).resolve().parents[2] / "interop"
NODE = shutil.which("node")
CHECK_LINE = re.compile(r"^(ok  |FAIL) (\w+)\s+(.*)$")


def rapid(*args: str):
    """Run ``rapid ARGS`` in-process."""
    return RUNNER.invoke(app, [str(a) for a in args], env=ENV)


def checks(text: str) -> list[tuple[str, str, str]]:
    """The lines of ``rapid badge verify``: (ok or FAIL, check, reason)."""
    return [CHECK_LINE.match(line).groups() for line in text.splitlines() if CHECK_LINE.match(line)]


@pytest.fixture
def folder(quickstart_file, templates, tmp_path, monkeypatch):
    """A copy of the quickstart workspace with its deployment secret, as RAPID_DATABASE_URL, and an EU-DEFIS board
    member ``defis.board`` (the quickstart badge's issuer)."""
    shutil.copy(quickstart_file, tmp_path / "rapid.db")
    ws = with_secret(open_ws(tmp_path / "rapid.db"), "sqlite", templates, tmp_path)
    create_user(ws, None, "defis.board", "EU-DEFIS", ["board"])
    ws.close()
    monkeypatch.setenv("RAPID_DATABASE_URL", f"sqlite:///{tmp_path / 'rapid.db'}")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_badge(folder: Path, form: str = "json") -> Path:
    result = ok(rapid("badge", "download", "1", "--format", form, "--out", str(folder)))
    path = folder / f"badge-QS-EDF-101167796.{form}"
    assert result == f"Wrote {path}.\n"
    return path


# --- the quickstart's badge file ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def quickstart_run(tmp_path_factory):
    """``rapid quickstart`` in a fresh folder, as a new user runs it (no RAPID_DATABASE_URL)."""
    folder = tmp_path_factory.mktemp("badge_quickstart")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(workspace_module.CLOCK, "now", lambda: FROZEN_NOW)
        for name in ("RAPID_DATABASE_URL", "RAPID_SECRET_KEY", "RAPID_SECRET_KEY_FILE", "RAPID_PUBLIC_DOMAIN"):
            mp.delenv(name, raising=False)
        for console in (common.console, common.err_console):
            mp.setattr(console, "_width", None)
        mp.chdir(folder)
        result = rapid("quickstart")
        gc.collect()
        verify_json = rapid("badge", "verify", "badge-QS-EDF-101167796.json")
        verify_jwt = rapid("badge", "verify", "badge-QS-EDF-101167796.jwt", "--json")
        gc.collect()
    return SimpleNamespace(folder=folder.resolve(), result=result, verify_json=verify_json, verify_jwt=verify_jwt)


@pytest.mark.slow
def test_the_quickstart_writes_its_badge_next_to_the_workspace_and_it_verifies(quickstart_run):
    folder = quickstart_run.folder
    text = ok(quickstart_run.result)
    did = json.loads((folder / "badge-QS-EDF-101167796.json").read_text())["issuer"]["id"]
    assert (f"Badge of approval for the demonstration case QS-EDF-101167796: LEONARDO - SOCIETA PER  AZIONI, "
            f"Counter-UAS system evaluation (example) v1 (Point defence 7/10, Perimeter protection 7/10, Border "
            f"surveillance 6/10, Convoy protection 5/10), issued by {did}.") in text
    assert (f"Written to {folder / 'badge-QS-EDF-101167796.json'} and {folder / 'badge-QS-EDF-101167796.jwt'}."
            in text)
    assert "rapid badge verify badge-QS-EDF-101167796.json: valid" in text
    assert stat.S_IMODE((folder / "rapid-secret.key").stat().st_mode) == 0o600
    lines = checks(ok(quickstart_run.verify_json))
    assert [(mark, name) for mark, name, _reason in lines] == [
        ("ok  ", "required_fields"), ("ok  ", "proof"), ("ok  ", "verification_method"), ("ok  ", "trusted_issuer"),
        ("ok  ", "validity"), ("ok  ", "status")]
    assert lines[3][2] == f"{did} ({ISSUER_NAME}) is a trusted issuer"
    assert ok(quickstart_run.verify_json).splitlines()[-1] == "valid"
    assert ok_json(quickstart_run.verify_jwt)["valid"] is True


@pytest.mark.slow
@pytest.mark.skipif(NODE is None or not (INTEROP / "node_modules" / "@digitalbazaar" / "vc").is_dir(),
                    reason="the independent verifier needs node and `npm ci` in interop/ (scripts/test.sh does both)")
def test_the_independent_verifier_agrees_on_the_quickstart_badge_file(quickstart_run, tmp_path):
    ws = open_ws(quickstart_run.folder / "rapid.db")
    lists = {f"http://localhost:8000/status/EU-DEFIS/{i}": badges.status_list_credential(ws, "EU-DEFIS", i)
             for i in (1, 2)}
    ws.close()
    (tmp_path / "lists.json").write_text(json.dumps(lists), encoding="utf-8")
    completed = subprocess.run([NODE, "badges.mjs", "verify", str(quickstart_run.folder / "badge-QS-EDF-101167796.json"),
                                str(tmp_path / "lists.json"), "2026-11-29T12:30:00Z"], cwd=INTEROP,
                               capture_output=True, text=True, timeout=120)
    assert (completed.returncode, json.loads(completed.stdout)) == (
        0, {"verified": True, "status": {"revocation": False, "suspension": False}, "error": None})


# --- rapid badge -------------------------------------------------------------------------------------------------


def test_verify_exits_1_for_a_tampered_badge_with_the_failing_check(folder):
    path = write_badge(folder)
    tampered = json.loads(path.read_text())
    tampered["credentialSubject"]["result"][2]["value"] = "9"
    (folder / "tampered.json").write_text(json.dumps(tampered))
    result = rapid("badge", "verify", "tampered.json")
    assert result.exit_code == 1
    assert ("FAIL", "proof", "the signature does not match the document: it was altered or signed with another key") \
        in checks(out(result))
    assert out(result).splitlines()[-1] == "invalid"
    fails(rapid("badge", "verify", "missing.json"), 2, "FILE: no such file: missing.json")


def test_revoke_then_verify_says_revoked(folder):
    path = write_badge(folder)
    jwt = write_badge(folder, "jwt")
    assert ok(rapid("badge", "verify", str(path))).splitlines()[-1] == "valid"
    fails(rapid("badge", "revoke", "1", "-r", "not ours"), 4,
          "badge 1 was issued by another organisation: only its issuer may revoke it")
    fails(rapid("--as", "defis.board", "badge", "revoke", "9", "-r", "x"), 3,
          "no badge '9' (give its id or credential id; 'rapid badge list' shows them)")
    done = ok(rapid("--as", "defis.board", "badge", "revoke", "1", "-r", "Withdrawn by the board"))
    assert done == ("Badge 1 is revoked (reason: Withdrawn by the board); its status list "
                    "http://localhost:8000/status/EU-DEFIS/1 is signed again.\n")
    for badge_file in (path, jwt):
        result = rapid("badge", "verify", str(badge_file))
        assert result.exit_code == 1
        assert out(result).splitlines()[-1] == "invalid (revoked)"
        [(mark, _name, reason)] = [line for line in checks(out(result)) if line[1] == "status"]
        assert mark == "FAIL" and reason.startswith("revoked (status list http://localhost:8000/status/EU-DEFIS/1, index ")
    fails(rapid("--as", "defis.board", "badge", "suspend", "1", "-r", "x"), 2,
          "status: badge 1 is revoked: a revocation is final")


def test_list_show_listing_and_json(folder):
    rows = ok_json(rapid("badge", "list", "--json"))
    assert rows["total"] == 1
    assert [(r["id"], r["status"], r["issuer"], r["company_ref"]) for r in rows["rows"]] == [
        (1, "active", "EU-DEFIS", "PIC-998627417")]
    shown = ok(rapid("badge", "show", "1"))
    assert "case_ref         QS-EDF-101167796" in shown
    assert ("scores           Point defence 7/10, Perimeter protection 7/10, Border surveillance 6/10, Convoy "
            "protection 5/10") in shown
    unlisted = ok(rapid("--as", "defis.board", "badge", "listing", "1", "--unlisted"))
    assert unlisted == "Badge 1 is unlisted.\n"
    assert ok_json(rapid("badge", "show", "1", "--json"))["listed"] is False


def test_the_external_route_from_the_command_line(folder):
    added = ok(rapid("--as", "defis.board", "badge", "evidence", "add", BADGE_CASE, "--procedure",
                     "system-demo-example@1", "--source", "Exercise Steadfast 2026", "--date", "2026-10-15",
                     "--vouched-by", "Italian Army", "--score", "function=8", "--score", "security=7"))
    assert added == ("Recorded external demonstration 1 for case 1. Accept it at the gate: rapid badge award 1 "
                     "--external 1 --rationale '...'\n")
    fails(rapid("--as", "defis.board", "badge", "evidence", "add", BADGE_CASE, "--procedure", "system-demo-example",
                "--source", "x", "--date", "2026-10-15", "--vouched-by", "y", "--score", "function"), 2,
          "--score: give a score as USE_CASE=N (N 1-10), got 'function'")
    listed = ok_json(rapid("badge", "evidence", "list", BADGE_CASE, "--json"))
    assert [(e["id"], e["scores"], e["accepted"]) for e in listed] == [(1, {"function": 8, "security": 7}, False)]
    awarded = ok(rapid("--as", "defis.board", "badge", "award", BADGE_CASE, "-r", "The exercise report shows it",
                       "--external", "1", "--valid-until", "2027-12-31"))
    assert awarded.splitlines() == [
        "Badge 2 awarded to AIRBUS DEFENCE AND SPACE SAS for SPIDER: Space based Persistent Isr for Defence and Europe "
        "Reinforcement against System demonstration in a relevant environment (example) v1 (Stated functions in a "
        "relevant environment 8/10, Security 7/10); listed; valid until 2027-12-31.",
        "Download: rapid badge download 2 --out . (and --format jwt)"]
    view = ok_json(rapid("badge", "show", "2", "--json"))
    assert (view["route"], view["valid_until"][:10], [s["score_1_to_10"] for s in view["scores"]]) == (
        "external", "2027-12-31", [8, 7])
    path = folder / "b2.json"
    ok(rapid("badge", "download", "2", "--out", str(path)))
    assert ok(rapid("badge", "verify", str(path))).splitlines()[-1] == "valid"


def test_issuer_show_rotate_and_the_trust_list(folder):
    shown = ok_json(rapid("issuer", "show", "--org", "EU-DEFIS", "--json"))
    did = shown["did"]
    assert (shown["did_method"], shown["trusted"], shown["retired_keys"]) == ("did:key", True, [])
    assert f" did                  {did}" in ok(rapid("issuer", "show", "--org", "EU-DEFIS"))
    exported = ok(rapid("issuer", "trust", "export"))
    assert json.loads(exported)["issuers"] == [{"id": did, "name": ISSUER_NAME}]
    (folder / "trusted.json").write_text(exported)
    assert ok(rapid("issuer", "trust", "remove", did)) == f"No longer trusted: {did}.\n"
    path = write_badge(folder)
    result = rapid("badge", "verify", str(path))
    assert result.exit_code == 1
    assert ("FAIL", "trusted_issuer", f"{did} is not on the trusted-issuer list") in checks(out(result))
    assert ok(rapid("issuer", "trust", "import", "trusted.json")) == (
        "Imported trusted.json: 1 added, 0 updated, 0 unchanged.\n")
    assert ok(rapid("badge", "verify", str(path))).splitlines()[-1] == "valid"
    fails(rapid("--as", "defis.board", "issuer", "trust", "add", "did:web:x.example", "--name", "X"), 4,
          "the trusted-issuer list is the deployment's: only an admin of DIANA may change it")
    rotated = ok(rapid("issuer", "rotate"))  # DIANA's admin: its first key
    assert "did_method           did:key" in rotated
    listed = ok(rapid("issuer", "trust", "list"))
    assert "Trusted issuers: 2" in listed and did in listed
    assert err(rapid("issuer", "show")) == ""


def test_a_buyer_verifies_with_no_workspace_from_a_trusted_list_and_downloaded_status_lists(folder, tmp_path_factory,
                                                                                             monkeypatch):
    badge = write_badge(folder)
    ok(rapid("issuer", "trust", "export", "--out", str(folder / "trusted.json")))
    ws = open_ws(folder / "rapid.db")
    for index in (1, 2):
        (folder / f"list{index}.json").write_text(json.dumps(badges.status_list_credential(ws, "EU-DEFIS", index)))
    ws.close()
    buyer = tmp_path_factory.mktemp("buyer")  # no workspace here, and none named by the environment
    for name in ("trusted.json", "list1.json", "list2.json"):
        shutil.copy(folder / name, buyer / name)
    shutil.copy(badge, buyer / badge.name)
    monkeypatch.delenv("RAPID_DATABASE_URL")
    monkeypatch.chdir(buyer)
    result = ok(rapid("badge", "verify", badge.name, "--trusted", "trusted.json", "--status-list", "list1.json",
                      "--status-list", "list2.json"))
    assert [(mark, name) for mark, name, _reason in checks(result)] == [
        ("ok  ", "required_fields"), ("ok  ", "proof"), ("ok  ", "verification_method"), ("ok  ", "trusted_issuer"),
        ("ok  ", "validity"), ("ok  ", "status")]
    assert result.splitlines()[-1] == "valid"
    assert not (buyer / "rapid.db").exists()
    without_lists = rapid("badge", "verify", badge.name, "--trusted", "trusted.json")
    assert without_lists.exit_code == 1
    assert checks(out(without_lists))[-1] == (
        "FAIL", "status", "the status list http://localhost:8000/status/EU-DEFIS/1 could not be checked (not available)")
    fails(rapid("badge", "verify", badge.name, "--status-list", "list1.json"), 2,
          "--status-list: --status-list needs --trusted (in a workspace its own status lists are used)")
