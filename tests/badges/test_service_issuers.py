"""Issuers (both backends): keys encrypted at rest under the deployment secret, the secret's rules, key rotation,
did:web with a public domain, and the trusted-issuer list."""

from __future__ import annotations

import base64
import json
import os
import stat

import pytest
from sqlalchemy import select, text

from badge_helpers import BADGE_CASE, ISSUER_NAME, defis_board, secret_file_of, with_secret
from conftest import admin_of, inspect_db
from rapid_adoption.badges.keys import encode_secret_multikey
from rapid_adoption.domain.errors import NotFound, PermissionDenied, ValidationError
from rapid_adoption.domain.types import Stage
from rapid_adoption.services import badges, issuers
from rapid_adoption.services.auth import actor_for_username, create_user
from rapid_adoption.services.cases import CaseService
from rapid_adoption.store.tables import Base
from rapid_adoption.store.tables_badges import IssuerKey

DOMAIN = "badges.example.org"


@pytest.fixture
def ws(qs_ws, backend, templates, tmp_path):
    """A copy of the quickstart workspace with its deployment secret."""
    return with_secret(qs_ws, backend, templates, tmp_path)


def defis_admin(ws):
    create_user(ws, None, "defis.admin", "EU-DEFIS", ["admin"])
    return actor_for_username(ws, "defis.admin")


def award_external(ws, board, case=BADGE_CASE) -> dict:
    recorded = badges.record_external(ws, board, case, procedure="system-demo-example@1", source="National trial",
                                      demonstrated_on="2026-06-30", vouched_by="Italian Ministry of Defence",
                                      scores={"function": 7})
    CaseService(ws, board).advance(case, Stage.CONTRACTING, "accepted",
                                   award=badges.AwardOptions(external=[recorded["id"]]))
    [view] = badges.case_badges(ws, board, case)
    return badges.show_badge(ws, board, view["id"])


def stored_seed(ws) -> bytes:
    with inspect_db(ws) as session:
        row = session.scalar(select(IssuerKey))
        secret = issuers.deployment_secret(issuers.badge_settings(ws), create=False)
        return issuers.decrypt_private_key(secret, row.encrypted_private_key, row.public_key_multibase).private_key_bytes()


# --- keys at rest ------------------------------------------------------------------------------------------------


def test_the_database_holds_no_raw_private_key_nor_the_secret(ws, backend):
    seed = stored_seed(ws)
    forms = [seed, seed.hex().encode(), base64.b64encode(seed), base64.urlsafe_b64encode(seed).rstrip(b"="),
             encode_secret_multikey(seed).encode()]
    secret_text = secret_file_of(ws).read_bytes().strip()
    with inspect_db(ws) as session:
        rows_text = "\n".join(
            str(row) for table in Base.metadata.sorted_tables
            for row in session.execute(text(f'SELECT * FROM "{table.name}"')).all()).encode()
    assert b"v1." in rows_text  # the encrypted key is there
    for form in forms + [secret_text]:
        assert form not in rows_text
    if backend == "sqlite":
        with ws.uow.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        database = ws.sqlite_path().read_bytes()
        assert b"issuer_keys" in database
        for form in forms + [secret_text]:
            assert form not in database


def test_the_key_file_is_made_private_on_first_use(empty_ws, tmp_path, backend, monkeypatch):
    key_file = tmp_path / "secret.key"
    monkeypatch.setenv("RAPID_SECRET_KEY_FILE", str(key_file))
    view = issuers.rotate_key(empty_ws, admin_of(empty_ws))
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(base64.urlsafe_b64decode(key_file.read_text().strip() + "=")) == 32
    assert view["retired"] is None and view["did"].startswith("did:key:z6Mk")
    assert view["trusted"] is True
    assert issuers.list_trusted(empty_ws)[0]["organisation"] == "DIANA"


def test_a_missing_or_wrong_secret_is_refused_and_nothing_changes(ws, tmp_path, monkeypatch):
    board = defis_board(ws)
    monkeypatch.setenv("RAPID_SECRET_KEY_FILE", str(tmp_path / "elsewhere.key"))
    with pytest.raises(issuers.DeploymentSecretError) as err:
        badges.change_status(ws, board, 1, "revoke", "x")
    assert str(err.value) == (f"the deployment secret is missing: set RAPID_SECRET_KEY, or restore the key file "
                              f"{(tmp_path / 'elsewhere.key').resolve()} the issuer keys were encrypted under")
    monkeypatch.setenv("RAPID_SECRET_KEY", "x" * 40)
    public = badges.show_badge(ws, board, 1)["issuer_did"][len("did:key:"):]
    with pytest.raises(issuers.DeploymentSecretError) as err:
        badges.change_status(ws, board, 1, "revoke", "x")
    assert str(err.value) == (f"cannot decrypt the issuer key {public}: the deployment secret (RAPID_SECRET_KEY or "
                              "the key file) is not the one it was encrypted under")
    monkeypatch.setenv("RAPID_SECRET_KEY", "short")
    with pytest.raises(issuers.DeploymentSecretError) as err:
        badges.change_status(ws, board, 1, "revoke", "x")
    assert str(err.value) == "RAPID_SECRET_KEY must be at least 32 characters long"
    assert badges.show_badge(ws, board, 1)["status"] == "active"


def test_a_key_file_others_may_read_is_refused(ws, monkeypatch, tmp_path):
    shared = tmp_path / "shared.key"
    shared.write_bytes(secret_file_of(ws).read_bytes())
    os.chmod(shared, 0o644)
    monkeypatch.setenv("RAPID_SECRET_KEY_FILE", str(shared))
    with pytest.raises(issuers.DeploymentSecretError) as err:
        badges.change_status(ws, defis_board(ws), 1, "revoke", "x")
    assert str(err.value) == f"the key file {shared} may be read by others: make it private (chmod 600 {shared})"


# --- rotation ----------------------------------------------------------------------------------------------------


def test_rotation_keeps_old_badges_valid_and_revocable(ws):
    admin, board = defis_admin(ws), defis_board(ws)
    old = badges.show_badge(ws, board, 1)
    rotated = issuers.rotate_key(ws, admin)
    assert rotated["retired"] == old["issuer_did"][len("did:key:"):]
    assert rotated["did"] != old["issuer_did"]
    assert [k["did"] for k in rotated["retired_keys"]] == [old["issuer_did"]]
    assert {t["did"] for t in issuers.list_trusted(ws)} == {old["issuer_did"], rotated["did"]}
    assert badges.verify(ws, old["credential"]).valid
    new = award_external(ws, board)
    assert new["issuer_did"] == rotated["did"]
    assert new["revocation_list"] == "http://localhost:8000/status/EU-DEFIS/3"
    assert badges.verify(ws, new["credential"]).valid
    badges.change_status(ws, board, 1, "revoke", "Withdrawn after the rotation")  # signed with the retired key
    result = badges.verify(ws, old["credential"])
    assert (result.valid, result.status) == (False, "revoked")
    assert badges.verify(ws, new["credential"]).valid


def test_rotation_needs_an_admin(ws):
    with pytest.raises(PermissionDenied) as err:
        issuers.rotate_key(ws, defis_board(ws))
    assert str(err.value) == "rotating the issuer key needs the role admin; defis.board has board"


# --- did:web -----------------------------------------------------------------------------------------------------


def test_with_a_public_domain_issuers_are_did_web_and_their_documents_are_served(ws, monkeypatch):
    monkeypatch.setenv("RAPID_PUBLIC_DOMAIN", DOMAIN)
    board, admin = defis_board(ws), defis_admin(ws)
    quickstart_badge = badges.show_badge(ws, board, 1)
    new = award_external(ws, board)
    did = "did:web:badges.example.org:issuers:eu-defis"
    assert new["issuer_did"] == did
    assert new["credential"]["issuer"]["url"] == "https://badges.example.org"
    assert new["revocation_list"] == "https://badges.example.org/status/EU-DEFIS/3"
    assert badges.verify(ws, new["credential"]).valid
    key = quickstart_badge["issuer_did"][len("did:key:"):]
    document = issuers.did_document_at(ws, "/issuers/eu-defis/did.json")
    assert document["id"] == did
    assert document["assertionMethod"] == [f"{did}#{key}"]
    view = issuers.issuer_view(ws, board)
    assert (view["did"], view["did_document"], view["did_document_url"]) == (
        did, document, "https://badges.example.org/issuers/eu-defis/did.json")
    with pytest.raises(NotFound) as err:
        issuers.did_document_at(ws, "/.well-known/did.json")
    assert str(err.value) == "no DID document at /.well-known/did.json"
    home = issuers.rotate_key(ws, admin_of(ws))  # DIANA's first key: the workspace's own did:web
    assert home["did"] == "did:web:badges.example.org"
    assert issuers.did_document_at(ws, "/.well-known/did.json")["id"] == "did:web:badges.example.org"
    rotated = issuers.rotate_key(ws, admin)
    document = issuers.did_document_at(ws, "/issuers/eu-defis/did.json")
    assert document["assertionMethod"] == [f"{did}#{rotated['current_key']['public_key_multibase']}", f"{did}#{key}"]
    assert badges.verify(ws, new["credential"]).valid  # signed with the retired key, still in the document
    assert badges.verify(ws, quickstart_badge["credential"]).valid  # the did:key badge is still trusted
    exported = json.loads(issuers.export_trusted(ws))
    entry = next(i for i in exported["issuers"] if i["id"] == did)
    assert entry["didDocument"] == document


def test_without_a_public_domain_no_did_document_is_served(ws):
    with pytest.raises(NotFound) as err:
        issuers.did_document_at(ws, "/.well-known/did.json")
    assert str(err.value) == ("this deployment has no public domain (RAPID_PUBLIC_DOMAIN): its issuers are did:key, "
                              "whose documents come from the key itself")


@pytest.mark.parametrize("variable, value, message", [
    ("RAPID_PUBLIC_DOMAIN", "https://badges.example.org", "RAPID_PUBLIC_DOMAIN: a did:web domain is a lower-case host "
     "name, optionally with :port, got 'https://badges.example.org'"),
    ("RAPID_BADGE_VALIDITY_YEARS", "two", "RAPID_BADGE_VALIDITY_YEARS: must be a whole number of years from 1 to 50, "
     "got 'two'"),
])
def test_a_malformed_setting_names_its_variable(ws, variable, value, message):
    with pytest.raises(ValidationError) as err:
        issuers.badge_settings(ws, {variable: value})
    assert str(err.value) == message


def test_the_validity_setting_sets_valid_until(ws, monkeypatch):
    monkeypatch.setenv("RAPID_BADGE_VALIDITY_YEARS", "3")
    new = award_external(ws, defis_board(ws))
    assert (new["credential"]["validFrom"], new["credential"]["validUntil"]) == (
        "2026-11-29T12:00:00Z", "2029-11-29T12:00:00Z")


# --- the trusted-issuer list -------------------------------------------------------------------------------------


def test_the_trusted_list_decides_the_trusted_issuer_check_and_round_trips(ws, tmp_path):
    admin = admin_of(ws)
    credential = badges.show_badge(ws, admin, 1)["credential"]
    did = credential["issuer"]["id"]
    assert [(t["did"], t["name"], t["organisation"]) for t in issuers.list_trusted(ws)] == [
        (did, ISSUER_NAME, "EU-DEFIS")]
    exported = issuers.export_trusted(ws)
    assert json.loads(exported) == {"type": "RapidAdoptionTrustedIssuerList", "version": 1,
                                    "issuers": [{"id": did, "name": ISSUER_NAME}]}
    issuers.remove_trusted(ws, admin, did)
    result = badges.verify(ws, credential)
    assert not result.valid
    assert [(c.name, c.reason) for c in result.failed()] == [
        ("trusted_issuer", f"{did} is not on the trusted-issuer list")]
    assert issuers.import_trusted(ws, admin, exported, file="trusted.json") == {"added": 1, "updated": 0,
                                                                                "unchanged": 0}
    assert issuers.import_trusted(ws, admin, exported, file="trusted.json") == {"added": 0, "updated": 0,
                                                                                "unchanged": 1}
    assert badges.verify(ws, credential).valid
    issuers.add_trusted(ws, admin, "did:web:badges.nato.example", "An allied issuer")
    assert len(issuers.list_trusted(ws)) == 2


def test_only_an_admin_of_the_home_organisation_changes_the_trusted_list(ws):
    with pytest.raises(PermissionDenied) as err:
        issuers.add_trusted(ws, defis_admin(ws), "did:web:x.example", "X")
    assert str(err.value) == "the trusted-issuer list is the deployment's: only an admin of DIANA may change it"
    with pytest.raises(PermissionDenied):
        issuers.remove_trusted(ws, actor_for_username(ws, "nor.analyst"), "did:web:x.example")


@pytest.mark.parametrize("content, message", [
    ("{not json", "trusted.json:1: json: not JSON: Expecting property name enclosed in double quotes"),
    ('{"type": "RapidAdoptionTrustedIssuerList", "version": 1, "issuers": [{"id": "nope", "name": "X"}]}',
     "trusted.json: issuers[0].id: a trusted issuer is a DID, got 'nope'"),
])
def test_a_bad_trusted_list_file_is_refused_naming_file_and_field(ws, content, message):
    with pytest.raises(ValidationError) as err:
        issuers.import_trusted(ws, admin_of(ws), content, file="trusted.json")
    assert str(err.value) == message
    assert len(issuers.list_trusted(ws)) == 1


def test_a_did_document_of_another_did_is_refused(ws):
    with pytest.raises(ValidationError) as err:
        issuers.add_trusted(ws, admin_of(ws), "did:web:a.example", "A", {"id": "did:web:b.example"})
    assert (err.value.field, err.value.message) == ("did_document", "the DID document is not did:web:a.example's")
