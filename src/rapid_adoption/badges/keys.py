"""Ed25519 issuer keys, their Multikey encoding, and ``did:key`` / ``did:web`` identifiers and DID documents.

Sources:

- Multikey: W3C Controlled Identifiers v1.0, section 2.2.2 "Multikey": an Ed25519 public key is the multicodec
  ``ed25519-pub`` header (0xed01, as the varint bytes ``ed 01``) then the 32 raw key bytes, base58btc-encoded with
  the multibase prefix ``z`` (so it starts ``z6Mk``); a secret key uses ``ed25519-priv`` (0x1300, varint bytes
  ``80 26``), so it starts ``z3u2``.
- did:key: W3C CCG "The did:key Method v0.7": the DID is ``did:key:`` + the public Multikey; its one verification
  method is ``did:key:MB#MB``, used for authentication, assertion, capability invocation and delegation.
- did:web: W3C CCG "did:web Method Specification": ``did:web:example.com`` resolves to
  ``https://example.com/.well-known/did.json``; a port is written ``%3A``; path segments become ``:``.

Nothing here touches the network: a ``did:web`` document is built by the deployment (to publish) and given back by
the caller (to verify) through :func:`resolve_did`'s ``did_web_documents``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from rapid_adoption.badges.contexts import MULTIKEY_V1_URL
from rapid_adoption.domain.errors import ValidationError

ED25519_PUB_HEADER = b"\xed\x01"
"""Multicodec ``ed25519-pub`` (0xed) as an unsigned varint."""
ED25519_PRIV_HEADER = b"\x80\x26"
"""Multicodec ``ed25519-priv`` (0x1300) as an unsigned varint."""
DID_V1_URL = "https://www.w3.org/ns/did/v1"
VERIFICATION_RELATIONSHIPS = ("authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation")


def _encode_multibase_key(header: bytes, raw: bytes, field: str) -> str:
    if not isinstance(raw, (bytes, bytearray)) or len(raw) != 32:
        raise ValidationError("an Ed25519 key is 32 bytes", field=field)
    return "z" + base58.b58encode(header + bytes(raw)).decode("ascii")


def _decode_multibase_key(value: str, header: bytes, field: str, what: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("z"):
        raise ValidationError(f"{what} must be a base58btc multibase string starting with 'z'", field=field)
    try:
        decoded = base58.b58decode(value[1:])
    except ValueError as error:
        raise ValidationError(f"{what} is not valid base58btc: {error}", field=field) from None
    if decoded[:2] != header:
        raise ValidationError(f"{what} does not carry the multicodec header {header.hex()}", field=field)
    if len(decoded) != 34:
        raise ValidationError(f"{what} holds {len(decoded) - 2} key bytes, expected 32", field=field)
    return decoded[2:]


def encode_public_multikey(public_key_bytes: bytes) -> str:
    """The Multikey ``publicKeyMultibase`` (``z6Mk...``) of a raw 32-byte Ed25519 public key.

    Raises:
        ValidationError (field ``publicKey``): when the input is not 32 bytes.
    """
    return _encode_multibase_key(ED25519_PUB_HEADER, public_key_bytes, "publicKey")


def decode_public_multikey(public_key_multibase: str) -> bytes:
    """The raw 32 bytes of an Ed25519 Multikey ``publicKeyMultibase`` (``z6Mk...``).

    Raises:
        ValidationError (field ``publicKeyMultibase``): not ``z``-prefixed base58btc, wrong multicodec header
        (not ``ed25519-pub``), or not 32 key bytes.
    """
    return _decode_multibase_key(public_key_multibase, ED25519_PUB_HEADER, "publicKeyMultibase", "public key")


def encode_secret_multikey(private_key_bytes: bytes) -> str:
    """The Multikey ``secretKeyMultibase`` (``z3u2...``) of a raw 32-byte Ed25519 private key (its seed).

    Raises:
        ValidationError (field ``secretKey``): when the input is not 32 bytes.
    """
    return _encode_multibase_key(ED25519_PRIV_HEADER, private_key_bytes, "secretKey")


def decode_secret_multikey(secret_key_multibase: str) -> bytes:
    """The raw 32-byte seed of an Ed25519 Multikey ``secretKeyMultibase`` (``z3u2...``).

    Raises:
        ValidationError (field ``secretKeyMultibase``): not ``z``-prefixed base58btc, wrong header (not
        ``ed25519-priv``), or not 32 key bytes.
    """
    return _decode_multibase_key(secret_key_multibase, ED25519_PRIV_HEADER, "secretKeyMultibase", "secret key")


@dataclass(frozen=True)
class Ed25519KeyPair:
    """An Ed25519 key pair (or a public key alone) for signing and verifying badges.

    Build one with :meth:`generate`, :meth:`from_private_bytes`, :meth:`from_multibase` or :meth:`from_public_bytes`.
    ``private_key`` is None for a verify-only key. The ``repr`` never shows the private key.
    """

    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None = None

    def __repr__(self) -> str:
        return f"Ed25519KeyPair({self.public_key_multibase}, private={'yes' if self.private_key else 'no'})"

    @classmethod
    def generate(cls) -> Ed25519KeyPair:
        """A new random key pair (from the operating system's CSPRNG, via ``cryptography``)."""
        private = Ed25519PrivateKey.generate()
        return cls(public_key=private.public_key(), private_key=private)

    @classmethod
    def from_private_bytes(cls, seed: bytes) -> Ed25519KeyPair:
        """The key pair of a raw 32-byte Ed25519 private key (seed), e.g. decrypted from storage.

        Raises:
            ValidationError (field ``secretKey``): when ``seed`` is not 32 bytes.
        """
        if not isinstance(seed, (bytes, bytearray)) or len(seed) != 32:
            raise ValidationError("an Ed25519 private key is 32 bytes", field="secretKey")
        private = Ed25519PrivateKey.from_private_bytes(bytes(seed))
        return cls(public_key=private.public_key(), private_key=private)

    @classmethod
    def from_public_bytes(cls, public_key_bytes: bytes) -> Ed25519KeyPair:
        """A verify-only key from a raw 32-byte public key.

        Raises:
            ValidationError (field ``publicKey``): when the input is not 32 bytes.
        """
        if not isinstance(public_key_bytes, (bytes, bytearray)) or len(public_key_bytes) != 32:
            raise ValidationError("an Ed25519 public key is 32 bytes", field="publicKey")
        return cls(public_key=Ed25519PublicKey.from_public_bytes(bytes(public_key_bytes)))

    @classmethod
    def from_multibase(cls, public_key_multibase: str, secret_key_multibase: str | None = None) -> Ed25519KeyPair:
        """A key pair from its Multikey strings (``z6Mk...`` and optionally ``z3u2...``).

        Raises:
            ValidationError: a string is malformed (see :func:`decode_public_multikey`), or the secret key's
                public key is not ``public_key_multibase`` (field ``secretKeyMultibase``).
        """
        public_bytes = decode_public_multikey(public_key_multibase)
        if secret_key_multibase is None:
            return cls.from_public_bytes(public_bytes)
        pair = cls.from_private_bytes(decode_secret_multikey(secret_key_multibase))
        if pair.public_key_bytes != public_bytes:
            raise ValidationError("the secret key does not belong to the public key", field="secretKeyMultibase")
        return pair

    @property
    def public_key_bytes(self) -> bytes:
        """The raw 32-byte public key."""
        return self.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def public_key_multibase(self) -> str:
        """The Multikey ``publicKeyMultibase`` (``z6Mk...``)."""
        return encode_public_multikey(self.public_key_bytes)

    def private_key_bytes(self) -> bytes:
        """The raw 32-byte private key (seed), e.g. to encrypt for storage. ValueError for a verify-only key."""
        if self.private_key is None:
            raise ValueError("this key pair has no private key")
        return self.private_key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )

    def secret_key_multibase(self) -> str:
        """The Multikey ``secretKeyMultibase`` (``z3u2...``). ValueError for a verify-only key."""
        return encode_secret_multikey(self.private_key_bytes())

    def sign(self, data: bytes) -> bytes:
        """The 64-byte Ed25519 signature (RFC 8032, pure Ed25519) of ``data``. ValueError for a verify-only key."""
        if self.private_key is None:
            raise ValueError("this key pair has no private key")
        return self.private_key.sign(data)

    def verify(self, signature: bytes, data: bytes) -> bool:
        """True when ``signature`` is this public key's valid Ed25519 signature of ``data``, else False."""
        try:
            self.public_key.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def did_key(self) -> str:
        """This key's ``did:key`` identifier (``did:key:z6Mk...``)."""
        return did_key(self.public_key_multibase)

    def did_key_verification_method(self) -> str:
        """This key's ``did:key`` verification method id (``did:key:z6Mk...#z6Mk...``)."""
        return did_key_verification_method(self.public_key_multibase)


def did_key(public_key_multibase: str) -> str:
    """``did:key:`` + the Ed25519 Multikey. ValidationError when the Multikey is not a valid Ed25519 public key."""
    decode_public_multikey(public_key_multibase)
    return f"did:key:{public_key_multibase}"


def did_key_verification_method(public_key_multibase: str) -> str:
    """The single verification method id of a did:key: ``did:key:MB#MB``. ValidationError as :func:`did_key`."""
    return f"{did_key(public_key_multibase)}#{public_key_multibase}"


def multikey_verification_method(vm_id: str, controller: str, public_key_multibase: str) -> dict[str, Any]:
    """A ``Multikey`` verification method object: ``{"id", "type": "Multikey", "controller", "publicKeyMultibase"}``."""
    decode_public_multikey(public_key_multibase)
    return {"id": vm_id, "type": "Multikey", "controller": controller, "publicKeyMultibase": public_key_multibase}


def did_key_document(did: str) -> dict[str, Any]:
    """Resolve a ``did:key`` (Ed25519 only) to its DID document, locally.

    Args:
        did: ``did:key:z6Mk...`` (a fragment, if any, is ignored).

    Returns:
        ``{"@context": [DID v1, Multikey v1], "id": did, "verificationMethod": [one Multikey], "authentication":
        [vm id], "assertionMethod": [...], "capabilityInvocation": [...], "capabilityDelegation": [...]}``.

    Raises:
        ValidationError (field ``id`` or ``publicKeyMultibase``): not a did:key, or not an Ed25519 key.
    """
    if not isinstance(did, str) or not did.startswith("did:key:"):
        raise ValidationError(f"not a did:key identifier: {did!r}", field="id")
    did = did.split("#", 1)[0]
    multibase = did[len("did:key:") :]
    vm_id = did_key_verification_method(multibase)
    document: dict[str, Any] = {
        "@context": [DID_V1_URL, MULTIKEY_V1_URL],
        "id": did,
        "verificationMethod": [multikey_verification_method(vm_id, did, multibase)],
    }
    for relationship in VERIFICATION_RELATIONSHIPS:
        document[relationship] = [vm_id]
    return document


def did_web(domain: str, path: Sequence[str] = ()) -> str:
    """The ``did:web`` identifier of a deployment's domain (and optional path segments).

    Args:
        domain: host name, optionally with ``:port`` (e.g. ``badges.example.org`` or ``localhost:8443``). No scheme.
        path: path segments, e.g. ``("issuers", "nor")`` for ``https://domain/issuers/nor/did.json``.

    Returns:
        e.g. ``did:web:badges.example.org`` or ``did:web:localhost%3A8443:issuers:nor``.

    Raises:
        ValidationError (field ``domain``): empty, or holds a scheme, a slash or a space.
    """
    if not domain or any(bad in domain for bad in ("/", " ", "#", "?")) or domain.lower() != domain:
        raise ValidationError(f"a did:web domain is a lower-case host name, optionally with :port, got {domain!r}", field="domain")
    parts = [quote(domain, safe="")] + [quote(segment, safe="") for segment in path]
    return "did:web:" + ":".join(parts)


def did_web_document_url(did: str) -> str:
    """The HTTPS URL where a ``did:web`` document is published (``/.well-known/did.json`` without a path).

    Raises:
        ValidationError (field ``id``): not a did:web identifier.
    """
    if not isinstance(did, str) or not did.startswith("did:web:") or len(did) == len("did:web:"):
        raise ValidationError(f"not a did:web identifier: {did!r}", field="id")
    segments = [unquote(part) for part in did.split("#", 1)[0][len("did:web:") :].split(":")]
    if len(segments) == 1:
        return f"https://{segments[0]}/.well-known/did.json"
    return f"https://{segments[0]}/{'/'.join(segments[1:])}/did.json"


def did_web_document(did: str, public_key_multibases: Sequence[str]) -> dict[str, Any]:
    """The DID document to publish for a ``did:web`` issuer with one or more Ed25519 keys.

    Args:
        did: the ``did:web`` identifier (see :func:`did_web`).
        public_key_multibases: the issuer's keys, the current one first, then retired keys kept so that badges
            signed with them still verify (key rotation). At least one; no duplicates.

    Returns:
        a DID document whose verification methods are ``DID#MULTIKEY`` (the key's own Multikey as fragment), each
        listed under ``assertionMethod`` (badges) and ``authentication``; only the current key is listed under
        ``capabilityInvocation`` and ``capabilityDelegation``.

    Raises:
        ValidationError: not a did:web (field ``id``), no keys or a duplicate (field ``publicKeyMultibase``), or a
            malformed key.
    """
    did_web_document_url(did)
    if not public_key_multibases:
        raise ValidationError("a did:web document needs at least one key", field="publicKeyMultibase")
    if len(set(public_key_multibases)) != len(public_key_multibases):
        raise ValidationError("a key is listed twice", field="publicKeyMultibase")
    methods = [multikey_verification_method(f"{did}#{mb}", did, mb) for mb in public_key_multibases]
    ids = [method["id"] for method in methods]
    return {
        "@context": [DID_V1_URL, MULTIKEY_V1_URL],
        "id": did,
        "verificationMethod": methods,
        "authentication": ids,
        "assertionMethod": ids,
        "capabilityInvocation": ids[:1],
        "capabilityDelegation": ids[:1],
    }


DidWebDocuments = Mapping[str, Mapping[str, Any]] | Callable[[str], Mapping[str, Any] | None]
"""How a caller gives did:web documents: ``{did: document}`` or a function ``did -> document or None``."""


def resolve_did(did: str, did_web_documents: DidWebDocuments | None = None) -> dict[str, Any]:
    """Resolve a DID to its DID document without the network.

    Args:
        did: ``did:key:...`` (resolved locally) or ``did:web:...`` (looked up in ``did_web_documents``); a fragment
            is ignored.
        did_web_documents: the caller's registry of did:web documents, a mapping or a callable (e.g. the
            deployment's own keys, or documents the verifying user imported). None knows no did:web.

    Returns:
        the DID document (a dict).

    Raises:
        ValidationError (field ``id``): another DID method; a did:web not in the registry; or a registry document
            whose ``id`` is not ``did``.
    """
    base = did.split("#", 1)[0] if isinstance(did, str) else did
    if isinstance(base, str) and base.startswith("did:key:"):
        return did_key_document(base)
    if isinstance(base, str) and base.startswith("did:web:"):
        document: Mapping[str, Any] | None = None
        if callable(did_web_documents):
            document = did_web_documents(base)
        elif did_web_documents is not None:
            document = did_web_documents.get(base)
        if document is None:
            raise ValidationError(f"no DID document is known for {base} (did:web is never fetched)", field="id")
        if document.get("id") != base:
            raise ValidationError(f"the DID document given for {base} has id {document.get('id')!r}", field="id")
        return dict(document)
    raise ValidationError(f"unsupported DID method (did:key and did:web only): {did!r}", field="id")


@dataclass(frozen=True)
class ResolvedVerificationMethod:
    """A verification method found in its controller's DID document.

    Attributes:
        id: the verification method id (``did...#fragment``).
        controller: the DID whose document lists it.
        public_key: the verify-only :class:`Ed25519KeyPair`.
        relationships: the verification relationships that reference it, e.g. ``("assertionMethod", ...)``.
    """

    id: str
    controller: str
    public_key: Ed25519KeyPair
    relationships: tuple[str, ...]


def resolve_verification_method(vm_id: str, did_web_documents: DidWebDocuments | None = None) -> ResolvedVerificationMethod:
    """Find verification method ``vm_id`` (``DID#fragment``) in its DID's document and decode its Ed25519 key.

    Raises:
        ValidationError (field ``verificationMethod``): ``vm_id`` has no fragment, its DID cannot be resolved
            (see :func:`resolve_did`), the document does not list it, it is not a Multikey/Ed25519 key, or its
            ``controller`` is not the DID.
    """
    if not isinstance(vm_id, str) or "#" not in vm_id:
        raise ValidationError(f"a verification method id is DID#fragment, got {vm_id!r}", field="verificationMethod")
    did = vm_id.split("#", 1)[0]
    try:
        document = resolve_did(did, did_web_documents)
    except ValidationError as error:
        raise ValidationError(error.message, field="verificationMethod") from None
    methods = [m for m in document.get("verificationMethod", []) if isinstance(m, Mapping) and _absolute(m.get("id"), did) == vm_id]
    if not methods:
        raise ValidationError(f"{did}'s DID document does not list {vm_id}", field="verificationMethod")
    method = methods[0]
    if method.get("type") != "Multikey":
        raise ValidationError(f"{vm_id} is a {method.get('type')!r}, not a Multikey", field="verificationMethod")
    if method.get("controller") != did:
        raise ValidationError(f"{vm_id} is controlled by {method.get('controller')!r}, not {did}", field="verificationMethod")
    try:
        key = Ed25519KeyPair.from_public_bytes(decode_public_multikey(method.get("publicKeyMultibase")))
    except ValidationError as error:
        raise ValidationError(f"{vm_id}: {error.message}", field="verificationMethod") from None
    relationships = tuple(
        name
        for name in VERIFICATION_RELATIONSHIPS
        if any(_absolute(ref if isinstance(ref, str) else ref.get("id"), did) == vm_id for ref in document.get(name, []))
    )
    return ResolvedVerificationMethod(id=vm_id, controller=did, public_key=key, relationships=relationships)


def _absolute(ref: Any, did: str) -> Any:
    """A DID URL with a relative fragment (``#key-1``) made absolute against ``did``."""
    if isinstance(ref, str) and ref.startswith("#"):
        return did + ref
    return ref
