"""Bitstring Status List v1.0: the revocation and suspension lists of badges.

Source: W3C "Bitstring Status List v1.0" (Recommendation, 2025-05-15):

- A list holds at least 131,072 entries (16 KiB) so that one badge's index says little about it (section 6.1
  "Herd privacy"); each entry here is one bit (``statusSize`` 1).
- Bit order (section 3.2 "Bitstring Generation Algorithm"): index 0 is the left-most bit of the bitstring, i.e. the
  most significant bit of the first byte; index ``i`` is bit ``7 - i % 8`` of byte ``i // 8``.
- ``encodedList`` is the bitstring GZIP-compressed, then base64url-encoded without padding, with the multibase
  prefix ``u``. Compression here is zlib's GZIP wrapper at level 6 (what Node's zlib and Digital Bazaar's
  ``@digitalbazaar/bitstring`` produce), so an all-zero list of 131,072 entries encodes exactly as the spec's example,
  ``uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA``.
- A credential points into a list with a ``BitstringStatusListEntry`` (section 2.1); the list is published as a
  ``BitstringStatusListCredential`` whose subject is a ``BitstringStatusList`` (section 2.2).
"""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import Any

from rapid_adoption.badges.contexts import VC_V2_URL
from rapid_adoption.domain.errors import ValidationError

MIN_ENTRIES = 131_072
"""The spec's minimum list length, in entries (bits)."""
MAX_ENCODED_BYTES = 16 * 1024 * 1024
"""The largest decompressed list accepted when decoding (16 MiB = 134 million entries): a guard against gzip bombs."""
STATUS_PURPOSES = ("revocation", "suspension")


class BitstringStatusList:
    """A mutable list of one-bit statuses, index 0 first.

    Args:
        length: the number of entries, a multiple of 8 and at least :data:`MIN_ENTRIES` (131,072).

    Raises:
        ValidationError (field ``length``): when ``length`` is too small or not a multiple of 8.
    """

    def __init__(self, length: int = MIN_ENTRIES) -> None:
        if not isinstance(length, int) or length < MIN_ENTRIES or length % 8:
            raise ValidationError(
                f"a status list holds at least {MIN_ENTRIES} entries, in whole bytes; got {length!r}", field="length"
            )
        self._bits = bytearray(length // 8)

    @property
    def length(self) -> int:
        """The number of entries (bits)."""
        return len(self._bits) * 8

    def _check_index(self, index: int) -> None:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < self.length:
            raise ValidationError(f"index must be an integer from 0 to {self.length - 1}, got {index!r}", field="statusListIndex")

    def get(self, index: int) -> bool:
        """The status at ``index`` (True = set: revoked or suspended). ValidationError when out of range."""
        self._check_index(index)
        return bool(self._bits[index // 8] & (0x80 >> (index % 8)))

    def set(self, index: int, value: bool) -> None:
        """Set (True) or clear (False) the status at ``index``. ValidationError when out of range."""
        self._check_index(index)
        mask = 0x80 >> (index % 8)
        if value:
            self._bits[index // 8] |= mask
        else:
            self._bits[index // 8] &= ~mask & 0xFF

    def set_indexes(self) -> list[int]:
        """The indexes whose status is set, ascending."""
        return [
            byte_index * 8 + bit
            for byte_index, byte in enumerate(self._bits)
            if byte
            for bit in range(8)
            if byte & (0x80 >> bit)
        ]

    def to_bytes(self) -> bytes:
        """The raw bitstring (``length // 8`` bytes), index 0 in the most significant bit of byte 0."""
        return bytes(self._bits)

    def encode(self) -> str:
        """The ``encodedList``: ``u`` + base64url (no padding) of the GZIP-compressed bitstring."""
        compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        compressed = compressor.compress(bytes(self._bits)) + compressor.flush()
        return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")

    @classmethod
    def from_bytes(cls, bits: bytes) -> BitstringStatusList:
        """A list from a raw bitstring (see :meth:`to_bytes`). ValidationError when shorter than 16 KiB."""
        if len(bits) * 8 < MIN_ENTRIES:
            raise ValidationError(
                f"the status list holds {len(bits) * 8} entries, fewer than the minimum {MIN_ENTRIES}", field="encodedList"
            )
        status_list = cls(len(bits) * 8)
        status_list._bits = bytearray(bits)
        return status_list

    @classmethod
    def decode(cls, encoded_list: str) -> BitstringStatusList:
        """Decode an ``encodedList``.

        Raises:
            ValidationError (field ``encodedList``): no ``u`` prefix, not base64url, not GZIP, larger than
                :data:`MAX_ENCODED_BYTES` once decompressed, or fewer than 131,072 entries.
        """
        if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
            raise ValidationError("encodedList must be a multibase base64url string starting with 'u'", field="encodedList")
        body = encoded_list[1:]
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise ValidationError("encodedList is not valid base64url", field="encodedList") from None
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            bits = decompressor.decompress(compressed, MAX_ENCODED_BYTES + 1)
        except zlib.error:
            raise ValidationError("encodedList is not GZIP-compressed data", field="encodedList") from None
        if len(bits) > MAX_ENCODED_BYTES or decompressor.unconsumed_tail:
            raise ValidationError(f"encodedList decompresses to more than {MAX_ENCODED_BYTES} bytes", field="encodedList")
        if not decompressor.eof:
            raise ValidationError("encodedList is truncated GZIP data", field="encodedList")
        return cls.from_bytes(bits)


def status_list_entry(status_list_credential: str, index: int, status_purpose: str) -> dict[str, Any]:
    """A ``BitstringStatusListEntry`` for a credential's ``credentialStatus``.

    Args:
        status_list_credential: the URL where the list's ``BitstringStatusListCredential`` is published.
        index: the credential's entry in that list (0-based int).
        status_purpose: ``revocation`` or ``suspension``.

    Returns:
        ``{"id": URL#INDEX, "type": "BitstringStatusListEntry", "statusPurpose", "statusListIndex": "INDEX" (a
        string, as the spec requires), "statusListCredential": URL}``.

    Raises:
        ValidationError: unknown purpose (field ``statusPurpose``), negative or non-int index (field
            ``statusListIndex``), or an empty URL (field ``statusListCredential``).
    """
    if status_purpose not in STATUS_PURPOSES:
        raise ValidationError(f"statusPurpose must be one of {', '.join(STATUS_PURPOSES)}, got {status_purpose!r}", field="statusPurpose")
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise ValidationError(f"statusListIndex must be a non-negative integer, got {index!r}", field="statusListIndex")
    if not isinstance(status_list_credential, str) or ":" not in status_list_credential:
        raise ValidationError("statusListCredential must be an absolute URL", field="statusListCredential")
    return {
        "id": f"{status_list_credential}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": status_purpose,
        "statusListIndex": str(index),
        "statusListCredential": status_list_credential,
    }


def build_status_list_credential(
    url: str,
    issuer: str,
    status_purpose: str,
    status_list: BitstringStatusList,
    valid_from: str,
    *,
    valid_until: str | None = None,
) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` publishing ``status_list`` (sign it with
    :func:`rapid_adoption.badges.proof.create_proof`).

    Args:
        url: the credential's id, the URL where it is published (as in the entries' ``statusListCredential``).
        issuer: the issuer's DID (the same issuer as the badges that point to it; verifiers check this).
        status_purpose: ``revocation`` or ``suspension``.
        status_list: the list.
        valid_from: XML Schema dateTimeStamp of publication, e.g. ``2026-11-29T12:00:00Z``.
        valid_until: optional end of validity (verifiers then need a fresher list).

    Returns:
        ``{"@context": [VC 2.0], "id": url, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer", "validFrom", ["validUntil"], "credentialSubject": {"id": url#list, "type": "BitstringStatusList",
        "statusPurpose", "encodedList"}}``.

    Raises:
        ValidationError (field ``statusPurpose``): unknown purpose.
    """
    if status_purpose not in STATUS_PURPOSES:
        raise ValidationError(f"statusPurpose must be one of {', '.join(STATUS_PURPOSES)}, got {status_purpose!r}", field="statusPurpose")
    credential: dict[str, Any] = {
        "@context": [VC_V2_URL],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
    }
    if valid_until is not None:
        credential["validUntil"] = valid_until
    credential["credentialSubject"] = {
        "id": f"{url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": status_purpose,
        "encodedList": status_list.encode(),
    }
    return credential
