"""Ed25519 keys, Multikey encoding, did:key and did:web."""

from __future__ import annotations

import pytest

from rapid_adoption.badges import (
    Ed25519KeyPair,
    did_key_document,
    did_web,
    did_web_document,
    did_web_document_url,
    resolve_did,
    resolve_verification_method,
)
from rapid_adoption.badges.keys import decode_public_multikey, decode_secret_multikey
from rapid_adoption.domain.errors import ValidationError

from badges.helpers import ISSUER_KEY, OTHER_KEY


def test_multikey_headers_are_the_multicodec_varints():
    import base58

    public = base58.b58decode(ISSUER_KEY.public_key_multibase[1:])
    secret = base58.b58decode(ISSUER_KEY.secret_key_multibase()[1:])
    assert public[:2] == bytes.fromhex("ed01") and len(public) == 34
    assert secret[:2] == bytes.fromhex("8026") and secret[2:] == bytes(range(32))
    assert ISSUER_KEY.public_key_multibase.startswith("z6Mk")
    assert ISSUER_KEY.secret_key_multibase().startswith("z3u2")


def test_a_key_round_trips_through_its_multibase_strings_and_raw_bytes():
    key = Ed25519KeyPair.generate()
    again = Ed25519KeyPair.from_multibase(key.public_key_multibase, key.secret_key_multibase())
    assert again.public_key_bytes == key.public_key_bytes
    assert Ed25519KeyPair.from_private_bytes(key.private_key_bytes()).public_key_multibase == key.public_key_multibase
    signature = key.sign(b"badge")
    assert again.verify(signature, b"badge") is True
    assert again.verify(signature, b"badgE") is False
    assert "private=yes" in repr(key) and key.secret_key_multibase() not in repr(key)


def test_bad_multikeys_are_refused_with_the_reason():
    with pytest.raises(ValidationError, match="publicKeyMultibase: public key must be a base58btc multibase string starting with 'z'"):
        decode_public_multikey("u6Mk")
    with pytest.raises(ValidationError, match="does not carry the multicodec header ed01"):
        decode_public_multikey(ISSUER_KEY.secret_key_multibase())
    with pytest.raises(ValidationError, match="does not carry the multicodec header 8026"):
        decode_secret_multikey(ISSUER_KEY.public_key_multibase)
    with pytest.raises(ValidationError, match="secretKeyMultibase: the secret key does not belong to the public key"):
        Ed25519KeyPair.from_multibase(ISSUER_KEY.public_key_multibase, OTHER_KEY.secret_key_multibase())
    with pytest.raises(ValueError, match="this key pair has no private key"):
        Ed25519KeyPair.from_public_bytes(ISSUER_KEY.public_key_bytes).sign(b"x")


def test_did_key_document_lists_the_key_under_every_relationship():
    did = ISSUER_KEY.did_key()
    document = did_key_document(did)
    vm_id = ISSUER_KEY.did_key_verification_method()
    assert vm_id == f"{did}#{ISSUER_KEY.public_key_multibase}"
    assert document["verificationMethod"] == [
        {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": ISSUER_KEY.public_key_multibase}
    ]
    assert document["assertionMethod"] == [vm_id] and document["authentication"] == [vm_id]
    method = resolve_verification_method(vm_id)
    assert method.controller == did and method.public_key.public_key_bytes == ISSUER_KEY.public_key_bytes
    assert method.relationships == ("authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation")


def test_did_web_identifiers_and_document_urls():
    assert did_web("badges.example.org") == "did:web:badges.example.org"
    assert did_web("localhost:8443", ("issuers", "nor")) == "did:web:localhost%3A8443:issuers:nor"
    assert did_web_document_url("did:web:badges.example.org") == "https://badges.example.org/.well-known/did.json"
    assert did_web_document_url("did:web:localhost%3A8443:issuers:nor") == "https://localhost:8443/issuers/nor/did.json"
    with pytest.raises(ValidationError, match="domain: a did:web domain is a lower-case host name"):
        did_web("https://badges.example.org")


def test_a_rotated_did_web_keeps_the_old_key_for_verification_and_is_resolved_only_from_the_caller():
    did = did_web("badges.example.org")
    document = did_web_document(did, [OTHER_KEY.public_key_multibase, ISSUER_KEY.public_key_multibase])
    old = resolve_verification_method(f"{did}#{ISSUER_KEY.public_key_multibase}", {did: document})
    assert old.relationships == ("authentication", "assertionMethod")
    new = resolve_verification_method(f"{did}#{OTHER_KEY.public_key_multibase}", lambda d: document if d == did else None)
    assert new.relationships == VERIFICATION_ALL
    with pytest.raises(ValidationError, match=r"id: no DID document is known for did:web:badges.example.org \(did:web is never fetched\)"):
        resolve_did(did)
    with pytest.raises(ValidationError, match="verificationMethod: did:web:badges.example.org's DID document does not list"):
        resolve_verification_method(f"{did}#z6MkNotThere", {did: document})
    with pytest.raises(ValidationError, match="unsupported DID method"):
        resolve_did("did:example:123")


VERIFICATION_ALL = ("authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation")
