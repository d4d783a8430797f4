"""Interoperability with an independent implementation: Digital Bazaar's JavaScript libraries (interop/badges.mjs,
versions pinned in interop/package-lock.json; ``npm ci`` in interop/ installs them, as scripts/test.sh does).

Both sides use the same pinned contexts and no network: the Node verifier checks badges this project issued
(including their status lists), this project verifies a badge the Node script issued, and both reject a tampered one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from rapid_adoption.badges import BitstringStatusList, TrustedIssuer, TrustedIssuerList, build_status_list_credential, sign_credential, verify_badge

from badges.helpers import BADGE_INDEX, ISSUED_AT, ISSUER_KEY, NOW, REVOCATION_URL, SUSPENSION_URL, copy, signed_badge

INTEROP = Path(__file__).resolve().parents[2] / "interop"
NODE = shutil.which("node")

if os.environ.get("RAPID_REQUIRE_INTEROP") == "1":  # set by scripts/test.sh once it has run `npm ci`
    assert NODE is not None, "RAPID_REQUIRE_INTEROP=1 but node is not on PATH"
    assert (INTEROP / "node_modules" / "@digitalbazaar" / "vc").is_dir(), "RAPID_REQUIRE_INTEROP=1 but interop/node_modules is missing"

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed: the interoperability tests need Node.js 18 or later"),
    pytest.mark.skipif(
        not (INTEROP / "node_modules" / "@digitalbazaar" / "vc").is_dir(),
        reason="interop/node_modules is missing: run `npm ci` in interop/ (scripts/test.sh does)",
    ),
]


def node(*args: str) -> tuple[int, dict]:
    completed = subprocess.run([NODE, "badges.mjs", *args], cwd=INTEROP, capture_output=True, text=True, timeout=120)
    assert completed.returncode in (0, 1), completed.stderr
    return completed.returncode, json.loads(completed.stdout)


def lists_with(revoked=()) -> dict:
    """Both status lists, valid from 2024 (the Node library checks a status list against the real clock)."""
    lists = {}
    for url, purpose, indexes in ((REVOCATION_URL, "revocation", revoked), (SUSPENSION_URL, "suspension", ())):
        status_list = BitstringStatusList()
        for index in indexes:
            status_list.set(index, True)
        unsigned = build_status_list_credential(url, ISSUER_KEY.did_key(), purpose, status_list, "2024-01-01T00:00:00Z")
        lists[url] = sign_credential(unsigned, ISSUER_KEY, ISSUER_KEY.did_key_verification_method(), ISSUED_AT)
    return lists


def write(path: Path, data) -> str:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_the_independent_verifier_accepts_our_badge_and_rejects_a_tampered_or_revoked_one(tmp_path):
    badge = signed_badge()
    lists = write(tmp_path / "lists.json", lists_with())
    code, result = node("verify", write(tmp_path / "badge.json", badge), lists, "2026-11-29T12:00:00Z")
    assert (code, result) == (0, {"verified": True, "status": {"revocation": False, "suspension": False}, "error": None})

    tampered = copy(badge)
    tampered["credentialSubject"]["result"][0]["value"] = "10"
    code, result = node("verify", write(tmp_path / "tampered.json", tampered), lists, "2026-11-29T12:00:00Z")
    assert code == 1 and result["verified"] is False
    assert "Invalid signature." in result["error"]

    revoked = write(tmp_path / "revoked.json", lists_with(revoked=[BADGE_INDEX]))
    code, result = node("verify", str(tmp_path / "badge.json"), revoked, "2026-11-29T12:00:00Z")
    assert code == 1 and result["verified"] is False
    assert result["status"] == {"revocation": True, "suspension": False}

    code, result = node("verify", str(tmp_path / "badge.json"), lists, "2028-11-02T00:00:00Z")
    assert code == 1 and "validUntil" in result["error"]


def test_we_verify_a_badge_the_independent_issuer_made_and_reject_it_tampered(tmp_path):
    code, issued = node("issue", "42" * 32, str(tmp_path))
    assert code == 0
    badge = json.loads(Path(issued["badge"]).read_text(encoding="utf-8"))
    lists = json.loads(Path(issued["statusLists"]).read_text(encoding="utf-8"))
    assert badge["issuer"]["id"] == issued["issuer"] == "did:key:z6MkghLt1e8m1fmANsdJJco3aCLV8Xnigr5UWwC3u5iZFPd3"
    assert badge["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    trusted = TrustedIssuerList([TrustedIssuer(issued["issuer"], "Interop test issuer")])

    result = verify_badge(badge, now=NOW, trusted_issuers=trusted, status_lists=lists)
    assert result.valid is True, result.to_dict()
    assert result.check("status").reason == "not revoked and not suspended"

    tampered = copy(badge)
    tampered["issuer"]["name"] = "NATO DIANA"
    result = verify_badge(tampered, now=NOW, trusted_issuers=trusted, status_lists=lists)
    assert [(check.name, check.reason) for check in result.failed()] == [
        ("proof", "the signature does not match the document: it was altered or signed with another key")
    ]
