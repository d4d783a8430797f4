"""A badge as a new user meets it, in Debian's chromium on the real quickstart data: anyone opens the company's badge
and verifies its file on the public page (no login); the issuing board revokes it; the same file then verifies as
revoked."""

from __future__ import annotations

import json

from badge_helpers import DEMO_COMPANY, with_secret
from conftest import open_ws
from rapid_adoption.services import badges
from rapid_adoption.services.auth import actor_for_username, create_user, set_password

from .conftest import PASSWORD


def test_verify_a_received_badge_then_its_issuer_revokes_it_and_it_verifies_as_revoked(live_server, new_page, log_in,
                                                                                         templates, tmp_path):
    ws = with_secret(open_ws(tmp_path / "rapid.db"), "sqlite", templates, tmp_path)  # the server's workspace
    create_user(ws, None, "defis.board", "EU-DEFIS", ["board"])
    set_password(ws, None, "defis.board", PASSWORD)
    text, _media, name = badges.download(ws, actor_for_username(ws, "defis.board"), 1, "json")
    ws.close()
    received = tmp_path / name  # the file the company received and hands to a buyer
    received.write_text(text, encoding="utf-8")
    uuid = json.loads(text)["id"].removeprefix("urn:uuid:")

    buyer = new_page()  # no account
    buyer.goto(f"{live_server}/public/companies/{DEMO_COMPANY}")
    buyer.get_by_role("link", name="E-CUAS: European Counter Unmanned Aerial Systems").click()
    buyer.wait_for_url(f"{live_server}/public/badges/{uuid}")
    assert buyer.get_by_test_id("verdict").inner_text() == "Valid"
    assert "Convoy protection" in buyer.get_by_test_id("scores").inner_text()
    buyer.get_by_role("link", name="Verify a badge file").click()
    buyer.wait_for_url(f"{live_server}/verify")
    buyer.get_by_label("Or upload the badge's file").set_input_files(str(received))
    buyer.get_by_role("button", name="Verify").click()
    assert buyer.get_by_test_id("verdict").inner_text() == "Valid"
    assert "signature verified" in buyer.get_by_test_id("checks").inner_text()

    board = new_page()
    log_in(board, "defis.board")
    board.get_by_role("link", name="Badges").click()
    board.get_by_role("link", name="1", exact=True).click()
    board.wait_for_url(f"{live_server}/badges/1")
    board.locator("#revoke-form").get_by_label("Reason").fill("The supplier withdrew the system")
    board.get_by_role("button", name="Revoke the badge").click()
    board.wait_for_url(f"{live_server}/badges/1")
    assert board.get_by_test_id("status").inner_text().startswith("revoked · The supplier withdrew the system")

    buyer.goto(f"{live_server}/verify")
    buyer.get_by_label("Badge (JSON or JWS)").fill(text)
    buyer.get_by_role("button", name="Verify").click()
    assert buyer.get_by_test_id("verdict").inner_text() == "Invalid: revoked"
    assert "revoked (status list http://localhost:8000/status/EU-DEFIS/1, index" in \
        buyer.get_by_test_id("checks").inner_text()
