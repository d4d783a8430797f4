"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite: create and verify.

Source: W3C "Data Integrity EdDSA Cryptosuites v1.0" (Recommendation), section 3.3 "eddsa-rdfc-2022":

1. Transformation (3.3.3): the document without its proof, canonicalised with RDFC-1.0 to N-Quads.
2. Proof configuration (3.3.5): the proof options without ``proofValue``, with the document's ``@context``,
   canonicalised the same way. ``type`` must be ``DataIntegrityProof``, ``cryptosuite`` ``eddsa-rdfc-2022``, and
   ``created`` (if any) an XML Schema ``dateTimeStamp``.
3. Hashing (3.3.4): ``hashData = SHA-256(canonical proof configuration) || SHA-256(canonical document)`` (64 bytes,
   the proof configuration's hash first).
4. Signing (3.3.6): pure Ed25519 over ``hashData``; ``proofValue`` is the signature in base58btc with multibase
   prefix ``z``.
5. Verifying (3.3.2): if the proof carries ``@context``, the document's ``@context`` must start with it; then
   steps 1-3 and an Ed25519 signature check.

Canonicalisation is pyld's URDNA2015, which is RDFC-1.0, with the offline :class:`PinnedDocumentLoader`, and in
"safe mode": a property that no context defines (and JSON-LD would silently drop, leaving it unsigned) is an error.
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from typing import Any

import base58
from pyld.jsonld import JsonLdError, JsonLdProcessor

from rapid_adoption.badges.contexts import ContextNotPinned, PinnedDocumentLoader, default_loader
from rapid_adoption.badges.keys import Ed25519KeyPair
from rapid_adoption.domain.errors import ValidationError

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"

_DATE_TIME_STAMP = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


class UndefinedTerm(ValidationError):
    """A JSON-LD document uses a property that its contexts do not define (it would be dropped, so left unsigned).

    ``term`` is the property as written (or as far as it expanded); the message names it.
    """

    def __init__(self, term: str | None) -> None:
        self.term = term
        super().__init__(f"property {term!r} is not defined by the document's JSON-LD contexts", field=term)


class CanonicalizationError(ValidationError):
    """The document is not valid JSON-LD for canonicalisation (pyld's message is kept)."""


def canonicalize(document: dict[str, Any], loader: PinnedDocumentLoader | None = None) -> str:
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document, offline.

    Args:
        document: a JSON-LD document (dict) with an ``@context``; it is not changed.
        loader: the document loader (default: :func:`default_loader`, the bundled pinned contexts).

    Returns:
        the canonical N-Quads, one quad a line, each line ending in ``\\n`` ("" for an empty graph).

    Raises:
        ContextNotPinned: the document names a context the loader does not serve (nothing is fetched).
        UndefinedTerm: a property is not defined by the contexts.
        CanonicalizationError: any other JSON-LD error (e.g. a protected term redefined).
    """
    loader = loader or default_loader()
    dropped: list[str | None] = []
    processor = JsonLdProcessor(on_property_dropped=dropped.append)
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": loader,
        "contextResolver": loader.context_resolver(),
    }
    try:
        nquads = processor.normalize(document, options)
    except JsonLdError as error:
        cause = error
        while cause is not None:
            if isinstance(cause, ContextNotPinned):
                raise ContextNotPinned(cause.url) from None
            cause = cause.__cause__ or getattr(cause, "cause", None)
        raise CanonicalizationError(f"not valid JSON-LD: {error.args[0] if error.args else error}") from None
    if dropped:
        raise UndefinedTerm(dropped[0])
    return nquads


@dataclass(frozen=True)
class HashData:
    """The intermediate values of ``eddsa-rdfc-2022`` (as in the W3C test vectors).

    Attributes:
        canonical_document: the document's canonical N-Quads (``canonDocDataInt.txt``).
        canonical_proof_config: the proof configuration's canonical N-Quads (``proofCanonDataInt.txt``).
        document_hash: SHA-256 of ``canonical_document`` (32 bytes; ``docHashDataInt.txt`` in hex).
        proof_config_hash: SHA-256 of ``canonical_proof_config`` (32 bytes; ``proofHashDataInt.txt``).
        hash_data: ``proof_config_hash + document_hash`` (64 bytes; ``combinedHashDataInt.txt``), what is signed.
    """

    canonical_document: str
    canonical_proof_config: str
    document_hash: bytes
    proof_config_hash: bytes
    hash_data: bytes


def proof_configuration(proof_options: dict[str, Any], document_context: Any) -> dict[str, Any]:
    """The proof configuration (section 3.3.5) before canonicalisation: the options, minus ``proofValue``, with
    ``@context`` set to ``document_context``.

    Raises:
        ValidationError (field ``proof.type``, ``proof.cryptosuite`` or ``proof.created``): wrong type or suite,
            or ``created`` is not an XML Schema dateTimeStamp (e.g. ``2026-11-29T12:00:00Z``).
    """
    if proof_options.get("type") != PROOF_TYPE:
        raise ValidationError(f"proof type must be {PROOF_TYPE}, got {proof_options.get('type')!r}", field="proof.type")
    if proof_options.get("cryptosuite") != CRYPTOSUITE:
        raise ValidationError(
            f"cryptosuite must be {CRYPTOSUITE}, got {proof_options.get('cryptosuite')!r}", field="proof.cryptosuite"
        )
    created = proof_options.get("created")
    if created is not None and not (isinstance(created, str) and _DATE_TIME_STAMP.match(created)):
        raise ValidationError(f"created must be an XML Schema dateTimeStamp, got {created!r}", field="proof.created")
    config = {key: copy.deepcopy(value) for key, value in proof_options.items() if key != "proofValue"}
    config["@context"] = copy.deepcopy(document_context)
    return config


def hash_data(
    unsecured_document: dict[str, Any], proof_options: dict[str, Any], loader: PinnedDocumentLoader | None = None
) -> HashData:
    """Transformation, proof configuration and hashing of ``eddsa-rdfc-2022`` (sections 3.3.3 to 3.3.5).

    Args:
        unsecured_document: the credential without ``proof`` (dict, with ``@context``).
        proof_options: the proof object without ``proofValue`` (``type``, ``cryptosuite``, ``created``,
            ``verificationMethod``, ``proofPurpose``, ...).
        loader: the pinned document loader (default: bundled contexts).

    Returns:
        the :class:`HashData`.

    Raises:
        ValidationError: see :func:`proof_configuration`; ``@context`` missing (field ``@context``).
        ContextNotPinned, UndefinedTerm, CanonicalizationError: see :func:`canonicalize`.
    """
    if "@context" not in unsecured_document:
        raise ValidationError("the document has no @context", field="@context")
    config = proof_configuration(proof_options, unsecured_document["@context"])
    canonical_proof_config = canonicalize(config, loader)
    canonical_document = canonicalize(unsecured_document, loader)
    proof_config_hash = hashlib.sha256(canonical_proof_config.encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonical_document.encode("utf-8")).digest()
    return HashData(
        canonical_document=canonical_document,
        canonical_proof_config=canonical_proof_config,
        document_hash=document_hash,
        proof_config_hash=proof_config_hash,
        hash_data=proof_config_hash + document_hash,
    )


def create_proof(
    document: dict[str, Any],
    key_pair: Ed25519KeyPair,
    verification_method: str,
    created: str,
    *,
    proof_purpose: str = "assertionMethod",
    loader: PinnedDocumentLoader | None = None,
) -> dict[str, Any]:
    """Sign ``document`` with an ``eddsa-rdfc-2022`` Data Integrity proof.

    Args:
        document: the unsigned credential (dict with ``@context``, no ``proof``); it is not changed.
        key_pair: an :class:`Ed25519KeyPair` with its private key.
        verification_method: the id of the key's verification method, e.g. ``did:key:z6Mk...#z6Mk...``.
        created: the proof's creation time as an XML Schema dateTimeStamp, e.g. ``2026-11-29T12:00:00Z``.
        proof_purpose: ``assertionMethod`` for credentials.
        loader: the pinned document loader (default: bundled contexts).

    Returns:
        a new dict: ``document`` plus ``proof`` = ``{"type": "DataIntegrityProof", "cryptosuite":
        "eddsa-rdfc-2022", "created", "verificationMethod", "proofPurpose", "proofValue": "z..."}``.

    Raises:
        ValidationError: the document already has a proof (field ``proof``), ``created`` malformed, or a
            canonicalisation error (see :func:`hash_data`).
        ValueError: ``key_pair`` has no private key.
    """
    if "proof" in document:
        raise ValidationError("the document is already signed", field="proof")
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    data = hash_data(document, proof, loader)
    signature = key_pair.sign(data.hash_data)
    proof["proofValue"] = "z" + base58.b58encode(signature).decode("ascii")
    signed = copy.deepcopy(document)
    signed["proof"] = proof
    return signed


@dataclass(frozen=True)
class ProofCheck:
    """The outcome of checking a Data Integrity proof.

    Attributes:
        verified: True when the signature is valid for the document and the proof's options.
        reason: one sentence: "signature verified" or what failed (safe to show to any user).
    """

    verified: bool
    reason: str


def split_proof(secured_document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a signed document into ``(unsecured document, proof)``.

    Raises:
        ValidationError (field ``proof``): no proof, a proof set (a list: not supported), or not an object.
    """
    proof = secured_document.get("proof")
    if proof is None:
        raise ValidationError("the document has no proof", field="proof")
    if isinstance(proof, list):
        raise ValidationError("proof sets (more than one proof) are not supported", field="proof")
    if not isinstance(proof, dict):
        raise ValidationError("proof must be an object", field="proof")
    unsecured = {key: value for key, value in secured_document.items() if key != "proof"}
    return unsecured, proof


def verify_proof(
    secured_document: dict[str, Any],
    public_key: Ed25519KeyPair,
    *,
    expected_proof_purpose: str = "assertionMethod",
    loader: PinnedDocumentLoader | None = None,
) -> ProofCheck:
    """Check the ``eddsa-rdfc-2022`` proof of ``secured_document`` against ``public_key`` (section 3.3.2).

    This checks the signature only; whether the key belongs to the issuer is :mod:`verify`'s job.

    Args:
        secured_document: the signed credential (dict); not changed.
        public_key: the key the proof's ``verificationMethod`` resolved to.
        expected_proof_purpose: the purpose the proof must state (``assertionMethod``).
        loader: the pinned document loader (default: bundled contexts).

    Returns:
        a :class:`ProofCheck`; it never raises for a bad document (a context that is not pinned, an undefined
        property or a malformed proof is a failed check with the reason).
    """
    try:
        unsecured, proof = split_proof(secured_document)
    except ValidationError as error:
        return ProofCheck(False, error.message)
    if proof.get("proofPurpose") != expected_proof_purpose:
        return ProofCheck(False, f"proof purpose is {proof.get('proofPurpose')!r}, expected {expected_proof_purpose!r}")
    proof_value = proof.get("proofValue")
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        return ProofCheck(False, "proofValue must be a base58btc multibase string starting with 'z'")
    try:
        signature = base58.b58decode(proof_value[1:])
    except ValueError:
        return ProofCheck(False, "proofValue is not valid base58btc")
    if len(signature) != 64:
        return ProofCheck(False, f"proofValue holds {len(signature)} bytes, an Ed25519 signature has 64")
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    if "@context" in options:
        proof_context = options.pop("@context")
        proof_context = proof_context if isinstance(proof_context, list) else [proof_context]
        document_context = unsecured.get("@context")
        document_context = document_context if isinstance(document_context, list) else [document_context]
        if document_context[: len(proof_context)] != proof_context:
            return ProofCheck(False, "the document's @context does not start with the proof's @context")
        unsecured = dict(unsecured, **{"@context": proof_context})
    try:
        data = hash_data(unsecured, options, loader)
    except ValidationError as error:
        return ProofCheck(False, str(error))
    if not public_key.verify(signature, data.hash_data):
        return ProofCheck(False, "the signature does not match the document: it was altered or signed with another key")
    return ProofCheck(True, "signature verified")
