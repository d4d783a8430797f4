"""Badge pages on the real quickstart workspace (both backends): the public verify page (no login), a listed badge's
page and its company's page, and the issuer's forms to suspend, revoke and unlist (CSRF-checked)."""

from __future__ import annotations

import json
import re

import pytest

from badge_helpers import DEMO_COMPANY, with_secret
from rapid_adoption.services import badges
from rapid_adoption.services.auth import actor_for_username, create_user, set_password
from web_helpers import PASSWORD, csrf_of, text_of


@pytest.fixture
def site(web, backend, templates, tmp_path):
    """The application on a copy of the quickstart workspace with its deployment secret, and an EU-DEFIS board
    member ``defis.board`` who may change the quickstart's badge."""
    with_secret(web.ws, backend, templates, tmp_path)
    create_user(web.ws, None, "defis.board", "EU-DEFIS", ["board"])
    set_password(web.ws, None, "defis.board", PASSWORD)
    return web


def badge_files(site) -> tuple[str, str, str]:
    """The quickstart badge's JSON, its JWS and its public page's path."""
    admin = actor_for_username(site.ws, "admin")
    view = badges.show_badge(site.ws, admin, 1)
    return (badges.download(site.ws, admin, 1, "json")[0], badges.download(site.ws, admin, 1, "jwt")[0],
            view["public_path"])


def verdict(html: str) -> str:
    match = re.search(r'data-testid="verdict">\s*([^<]+?)\s*</p>', html)
    assert match, "no verdict on the page"
    return match.group(1)


def test_the_verify_page_needs_no_login_and_checks_a_pasted_or_uploaded_badge(site):
    as_json, as_jws, _path = badge_files(site)
    anyone = site.client()
    page = anyone.get("/verify")
    assert page.status_code == 200
    assert '<form id="verify-form" method="post" action="/verify" enctype="multipart/form-data"' in page.text
    assert 'name="csrf_token"' not in page.text  # it changes nothing
    pasted = anyone.post("/verify", data={"badge": as_json})
    assert pasted.status_code == 200 and verdict(pasted.text) == "Valid"
    assert "status passed not revoked and not suspended" in text_of(pasted.text)
    uploaded = anyone.post("/verify", data={"badge": ""}, files={"file": ("badge.jwt", as_jws.encode(), "text/plain")})
    assert verdict(uploaded.text) == "Valid"
    assert "proof passed JWS signature verified" in text_of(uploaded.text)


def test_the_verify_page_says_why_a_badge_is_invalid(site):
    as_json, _jws, _path = badge_files(site)
    tampered = json.loads(as_json)
    tampered["credentialSubject"]["result"][0]["value"] = "10"
    answer = site.client().post("/verify", data={"badge": json.dumps(tampered)})
    assert verdict(answer.text) == "Invalid"
    assert ("proof failed the signature does not match the document: it was altered or signed with another key"
            in text_of(answer.text))
    empty = site.client().post("/verify", data={"badge": "  "})
    assert empty.status_code == 422
    assert '<span class="field-error" id="badge-error" role="alert">paste or upload a badge (its JSON or its .jwt)' \
           '</span>' in empty.text
    too_big = site.client().post("/verify", data={"badge": ""}, files={"file": ("b.json", b"x" * 1_000_001)})
    assert too_big.status_code == 422 and "a badge is at most 1 MB" in too_big.text


def test_the_public_badge_and_company_pages(site):
    _json, _jws, path = badge_files(site)
    anyone = site.client()
    page = anyone.get(path)
    assert page.status_code == 200
    text = text_of(page.text)
    assert verdict(page.text) == "Valid"
    assert ("Badge of approval: E-CUAS: European Counter Unmanned Aerial Systems (Counter-UAS system evaluation "
            "(example) v1)") in text
    assert "Company LEONARDO - SOCIETA PER AZIONI · EU-PIC 998627417" in text
    assert "Point defence 7 /10" in text and "Convoy protection 5 /10" in text
    assert "Trial: QS-TRIAL-EDF-101167796 (a demonstration: its results are illustrative values) Trial" in text
    downloaded = anyone.get(f"{path}/badge.json")
    assert downloaded.headers["content-type"] == "application/json"
    assert json.loads(downloaded.text)["id"] == "urn:uuid:" + path.rsplit("/", 1)[1]
    company = anyone.get(f"/public/companies/{DEMO_COMPANY}")
    assert company.status_code == 200
    assert f'<a href="{path}">E-CUAS: European Counter Unmanned Aerial Systems</a>' in company.text
    assert anyone.get("/public/companies/PIC-999999999").status_code == 404


def test_the_issuer_suspends_revokes_and_unlists_through_its_forms(site):
    as_json, _jws, path = badge_files(site)
    board = site.login("defis.board")
    page = board.get("/badges/1")
    assert '<form id="suspend-form" method="post" action="/badges/1/suspend" class="decision">' in page.text
    token = csrf_of(page.text)
    refused = board.post("/badges/1/suspend", data={"reason": "x", "version": "1"})
    assert refused.status_code == 403
    empty = board.post("/badges/1/suspend", data={"csrf_token": token, "reason": " ", "version": "1"})
    assert empty.status_code == 422 and "is required and was empty" in empty.text
    done = board.post("/badges/1/suspend", data={"csrf_token": token, "reason": "Under review", "version": "1"})
    assert (done.status_code, done.headers["location"]) == (303, "/badges/1")
    assert verdict(site.client().post("/verify", data={"badge": as_json}).text) == "Invalid: suspended"
    page = board.get("/badges/1")
    assert "suspended · Under review (defis.board, 2026-11-29)" in text_of(page.text)
    board.post("/badges/1/revoke", data={"csrf_token": token, "reason": "Withdrawn", "version": "2"})
    assert verdict(site.client().post("/verify", data={"badge": as_json}).text) == "Invalid: revoked"
    assert verdict(site.client().get(path).text) == "Invalid: revoked"
    board.post("/badges/1/listing", data={"csrf_token": token, "listed": "no", "version": "3"})
    assert site.client().get(path).status_code == 404
    assert site.client().get(f"/public/companies/{DEMO_COMPANY}").status_code == 404


def test_another_organisation_sees_the_badge_without_the_forms_and_may_not_post(site):
    admin = site.login("admin")
    page = admin.get("/badges/1")
    assert page.status_code == 200 and "suspend-form" not in page.text
    listing = admin.get("/badges")
    assert '<a href="/badges/1">1</a>' in listing.text
    refused = admin.post("/badges/1/revoke", data={"csrf_token": csrf_of(listing.text), "reason": "x", "version": "1"})
    assert refused.status_code == 403
    assert "badge 1 was issued by another organisation: only its issuer may revoke it" in refused.text
