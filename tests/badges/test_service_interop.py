"""The independent verifier (Digital Bazaar's libraries, interop/badges.mjs) on the badge the real quickstart issued,
with the status lists the workspace publishes: it agrees that the badge is valid, and that it is revoked once the
issuer revokes it (interop/README.md; ``npm ci`` in interop/, as scripts/test.sh does)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from badge_helpers import defis_board, with_secret
from conftest import open_ws
from rapid_adoption.services import badges

INTEROP = Path(__file__).resolve().parents[2] / "interop"
NODE = shutil.which("node")
NOW = "2026-11-29T12:30:00Z"

if os.environ.get("RAPID_REQUIRE_INTEROP") == "1":  # set by scripts/test.sh once it has run `npm ci`
    assert NODE is not None, "RAPID_REQUIRE_INTEROP=1 but node is not on PATH"

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed: the interoperability tests need Node.js 18 or later"),
    pytest.mark.skipif(not (INTEROP / "node_modules" / "@digitalbazaar" / "vc").is_dir(),
                       reason="interop/node_modules is missing: run `npm ci` in interop/ (scripts/test.sh does)"),
]


def node_verify(badge_file: Path, lists_file: Path) -> tuple[int, dict]:
    """Run the independent verifier on a badge file with the given status lists."""
    completed = subprocess.run([NODE, "badges.mjs", "verify", str(badge_file), str(lists_file), NOW], cwd=INTEROP,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode in (0, 1), completed.stderr
    return completed.returncode, json.loads(completed.stdout)


def published_lists(ws) -> dict:
    """The issuer's status lists as the workspace publishes them at /status/EU-DEFIS/ID."""
    return {f"http://localhost:8000/status/EU-DEFIS/{i}": badges.status_list_credential(ws, "EU-DEFIS", i)
            for i in (1, 2)}


def test_the_independent_verifier_agrees_on_the_quickstart_badge_and_on_its_revocation(quickstart_file, templates,
                                                                                        tmp_path):
    shutil.copy(quickstart_file, tmp_path / "rapid.db")
    ws = with_secret(open_ws(tmp_path / "rapid.db"), "sqlite", templates, tmp_path)
    board = defis_board(ws)
    text, _media, name = badges.download(ws, board, 1, "json")
    assert name == "badge-QS-EDF-101167796.json"
    badge_file = tmp_path / name
    badge_file.write_text(text, encoding="utf-8")
    lists_file = tmp_path / "lists.json"
    lists_file.write_text(json.dumps(published_lists(ws)), encoding="utf-8")
    assert node_verify(badge_file, lists_file) == (
        0, {"verified": True, "status": {"revocation": False, "suspension": False}, "error": None})

    tampered = json.loads(text)
    tampered["credentialSubject"]["identifier"][0]["identityHash"] = "SOMEONE ELSE SPA"
    tampered_file = tmp_path / "tampered.json"
    tampered_file.write_text(json.dumps(tampered), encoding="utf-8")
    code, result = node_verify(tampered_file, lists_file)
    assert code == 1 and result["verified"] is False and "Invalid signature." in result["error"]

    badges.change_status(ws, board, 1, "revoke", "Withdrawn by the board")
    lists_file.write_text(json.dumps(published_lists(ws)), encoding="utf-8")
    code, result = node_verify(badge_file, lists_file)
    assert (code, result["verified"], result["status"]) == (1, False, {"revocation": True, "suspension": False})
    ws.close()
