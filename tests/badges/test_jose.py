"""The VC-JOSE compact JWS form of a badge."""

from __future__ import annotations

import base64
import json

import pytest

from rapid_adoption.badges import decode_jws, encode_jws, verify_badge
from rapid_adoption.domain.errors import ValidationError

from badges.helpers import ISSUER_KEY, NOW, OTHER_KEY, signed_badge, status_lists, trusted


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_a_badge_exports_as_vc_jwt_and_verifies():
    badge = signed_badge()
    token = encode_jws(badge, ISSUER_KEY, ISSUER_KEY.did_key_verification_method())
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": ISSUER_KEY.did_key_verification_method()}
    decoded = decode_jws(token)
    assert decoded.credential == {key: value for key, value in badge.items() if key != "proof"}
    result = verify_badge(token, now=NOW, trusted_issuers=trusted(), status_lists=status_lists())
    assert result.valid is True
    assert result.check("proof").reason == "JWS signature verified"


def test_a_tampered_or_foreign_jws_is_invalid():
    badge = signed_badge()
    token = encode_jws(badge, ISSUER_KEY, ISSUER_KEY.did_key_verification_method())
    header, payload, signature = token.split(".")
    altered = dict(json.loads(base64.urlsafe_b64decode(payload + "==")), name="Badge of approval: forged")
    result = verify_badge(f"{header}.{b64(altered)}.{signature}", now=NOW, trusted_issuers=trusted(), status_lists=status_lists())
    assert result.valid is False
    assert result.check("proof").reason == "the JWS signature does not match: the badge was altered or signed with another key"

    foreign_header = b64({"alg": "EdDSA", "typ": "vc+jwt", "kid": OTHER_KEY.did_key_verification_method()})
    with pytest.raises(ValidationError, match="jws: the JWS signature does not match"):
        decode_jws(f"{foreign_header}.{payload}.{signature}")
    with pytest.raises(ValidationError, match="jws: typ must be vc\\+jwt, got 'JWT'"):
        decode_jws(f"{b64({'alg': 'EdDSA', 'typ': 'JWT', 'kid': 'x'})}.{payload}.{signature}")
    with pytest.raises(ValidationError, match="jws: alg must be EdDSA, got 'none'"):
        decode_jws(f"{b64({'alg': 'none', 'typ': 'vc+jwt'})}.{payload}.")
    with pytest.raises(ValidationError, match="kid: .* is not a key of the issuer"):
        encode_jws(badge, OTHER_KEY, OTHER_KEY.did_key_verification_method())
