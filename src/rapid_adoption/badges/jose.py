"""A badge as a VC-JOSE compact JWS (``application/vc+jwt``), for download and for verification.

Source: W3C "Securing Verifiable Credentials using JOSE and COSE" (Recommendation), section 3.1.1: the JWS payload
is the credential itself (JSON, no ``vc`` wrapper claim); the protected header carries ``alg``, ``typ`` =
``vc+jwt``, ``cty`` = ``vc`` and ``kid``, the issuer's verification method. The signature is EdDSA with the
issuer's Ed25519 key (RFC 8037), made and checked by ``joserfc``.

The Data Integrity ``proof`` is left out of the payload: the JWS is the proof of this form.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from rapid_adoption.badges.keys import DidWebDocuments, Ed25519KeyPair, ResolvedVerificationMethod, resolve_verification_method
from rapid_adoption.domain.errors import ValidationError

MEDIA_TYPE = "application/vc+jwt"
TYP = "vc+jwt"
CTY = "vc"
ALGORITHM = "EdDSA"


def _quietly(function, *args, **kwargs):
    """Call a joserfc function without its warning that RFC 9864 prefers "Ed25519" to "EdDSA" (the VC-JOSE-COSE
    test suites and Digital Bazaar's libraries still use "EdDSA")."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def looks_like_jws(text: str) -> bool:
    """True when ``text`` (stripped) has the shape of a compact JWS: three base64url parts separated by dots."""
    parts = text.strip().split(".")
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    return len(parts) == 3 and all(parts[:2]) and all(set(part) <= allowed for part in parts)


def encode_jws(credential: dict[str, Any], key_pair: Ed25519KeyPair, verification_method: str) -> str:
    """The badge as a compact JWS (``application/vc+jwt``).

    Args:
        credential: the badge (signed or not; a ``proof`` member is left out of the payload).
        key_pair: the issuer's key with its private key.
        verification_method: the key's verification method id (the ``kid`` header), whose DID must be the
            credential's issuer.

    Returns:
        ``HEADER.PAYLOAD.SIGNATURE`` (ASCII), the header ``{"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid"}``.

    Raises:
        ValidationError (field ``kid``): the verification method's DID is not the credential's issuer.
        ValueError: the key pair has no private key.
    """
    if key_pair.private_key is None:
        raise ValueError("this key pair has no private key")
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if verification_method.split("#", 1)[0] != issuer_id:
        raise ValidationError(f"{verification_method} is not a key of the issuer {issuer_id}", field="kid")
    payload = {key: value for key, value in credential.items() if key != "proof"}
    header = {"alg": ALGORITHM, "typ": TYP, "cty": CTY, "kid": verification_method}
    key = OKPKey.import_key(key_pair.private_key)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _quietly(jws.serialize_compact, header, body, key, algorithms=[ALGORITHM])


@dataclass(frozen=True)
class DecodedJws:
    """A compact JWS whose signature verified.

    Attributes:
        credential: the payload, the credential (dict).
        header: the protected header (dict).
        verification_method: the resolved ``kid`` (its controller DID and relationships).
    """

    credential: dict[str, Any]
    header: dict[str, Any]
    verification_method: ResolvedVerificationMethod


def decode_jws(token: str, did_web_documents: DidWebDocuments | None = None) -> DecodedJws:
    """Check a compact JWS badge's signature and return its payload.

    Args:
        token: ``HEADER.PAYLOAD.SIGNATURE``.
        did_web_documents: the caller's did:web DID documents (never fetched); did:key resolves locally.

    Returns:
        a :class:`DecodedJws`. Whether the key is the issuer's is for the caller to judge (see
        :mod:`rapid_adoption.badges.verify`).

    Raises:
        ValidationError (field ``jws``): not a compact JWS; header not JSON; ``alg`` not EdDSA; ``typ`` not
            ``vc+jwt``; no ``kid``; the ``kid`` cannot be resolved; the signature does not verify; or the payload
            is not a JSON object.
    """
    if not isinstance(token, str) or not looks_like_jws(token):
        raise ValidationError("not a compact JWS (three base64url parts separated by dots)", field="jws")
    token = token.strip()
    try:
        header = _quietly(jws.extract_compact, token.encode("ascii")).protected
    except (JoseError, ValueError, UnicodeError) as error:
        raise ValidationError(f"the JWS header cannot be read: {error}", field="jws") from None
    if header.get("alg") != ALGORITHM:
        raise ValidationError(f"alg must be {ALGORITHM}, got {header.get('alg')!r}", field="jws")
    if header.get("typ") != TYP:
        raise ValidationError(f"typ must be {TYP}, got {header.get('typ')!r}", field="jws")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise ValidationError("the JWS header has no kid (the issuer's verification method)", field="jws")
    try:
        method = resolve_verification_method(kid, did_web_documents)
    except ValidationError as error:
        raise ValidationError(f"the kid cannot be resolved: {error.message}", field="jws") from None
    key = OKPKey.import_key(method.public_key.public_key)
    try:
        decoded = _quietly(jws.deserialize_compact, token, key, algorithms=[ALGORITHM])
    except JoseError:
        raise ValidationError("the JWS signature does not match: the badge was altered or signed with another key", field="jws") from None
    try:
        credential = json.loads(decoded.payload)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationError("the JWS payload is not JSON", field="jws") from None
    if not isinstance(credential, dict):
        raise ValidationError("the JWS payload is not a JSON object", field="jws")
    return DecodedJws(credential=credential, header=dict(header), verification_method=method)
