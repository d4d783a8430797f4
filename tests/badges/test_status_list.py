"""Bitstring Status List v1.0: encoding, the spec's bit order, and the status list credential.

The expected strings were produced by Digital Bazaar's @digitalbazaar/vc-bitstring-status-list 2.0.1 (Node 20), an
independent implementation: ``createList({length: 131072})``, ``setStatus(i, true)``, ``encode()``.
"""

from __future__ import annotations

import base64
import gzip

import pytest

from rapid_adoption.badges import BitstringStatusList, build_status_list_credential, status_list_entry
from rapid_adoption.badges.status_list import MIN_ENTRIES
from rapid_adoption.domain.errors import ValidationError

EMPTY = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
BIT_0 = "uH4sIAAAAAAAAA-3BIQEAAAACIKc73RkWoAEAAAAAAAAAAAAAAAAAAADeBuRZQ2cAQAAA"
BIT_94567 = "uH4sIAAAAAAAAA-3OMQ0AAAgDsOHfNBp2kZBWQRMAAAAAAAAAAAAAAL6Z6wAAAAAAtQVQdb5gAEAAAA"


def test_an_empty_list_of_131072_entries_encodes_exactly_as_the_spec_example():
    assert MIN_ENTRIES == 131_072
    assert BitstringStatusList().encode() == EMPTY


@pytest.mark.parametrize(("index", "expected"), [(0, BIT_0), (94567, BIT_94567)])
def test_one_set_bit_encodes_exactly_as_the_independent_implementation(index, expected):
    status_list = BitstringStatusList()
    status_list.set(index, True)
    assert status_list.encode() == expected
    decoded = BitstringStatusList.decode(expected)
    assert decoded.set_indexes() == [index]
    assert decoded.length == 131_072


def test_index_zero_is_the_most_significant_bit_of_the_first_byte():
    status_list = BitstringStatusList()
    status_list.set(0, True)
    status_list.set(9, True)
    status_list.set(94567, True)
    raw = status_list.to_bytes()
    assert raw[0] == 0b1000_0000
    assert raw[1] == 0b0100_0000
    assert raw[94567 // 8] == 0b0000_0001
    assert sum(bin(byte).count("1") for byte in raw) == 3
    # The wire format is plain GZIP then base64url without padding, behind the multibase prefix "u".
    encoded = status_list.encode()
    assert encoded[0] == "u" and "=" not in encoded
    assert gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))) == raw


def test_set_clear_and_round_trip():
    status_list = BitstringStatusList(262_144)
    for index in (5, 131_071, 262_143):
        status_list.set(index, True)
    status_list.set(131_071, False)
    again = BitstringStatusList.decode(status_list.encode())
    assert again.length == 262_144
    assert again.set_indexes() == [5, 262_143]
    assert again.get(5) is True and again.get(6) is False


def test_bad_lists_and_indexes_are_refused_naming_the_field():
    with pytest.raises(ValidationError, match="length: a status list holds at least 131072 entries"):
        BitstringStatusList(1024)
    with pytest.raises(ValidationError, match="statusListIndex: index must be an integer from 0 to 131071, got 131072"):
        BitstringStatusList().get(131_072)
    with pytest.raises(ValidationError, match="encodedList: encodedList must be a multibase base64url string starting with 'u'"):
        BitstringStatusList.decode(EMPTY[1:])
    with pytest.raises(ValidationError, match="encodedList: encodedList is not GZIP-compressed data"):
        BitstringStatusList.decode("u" + base64.urlsafe_b64encode(b"not gzip at all").decode().rstrip("="))
    short = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(100))).decode().rstrip("=")
    with pytest.raises(ValidationError, match="the status list holds 800 entries, fewer than the minimum 131072"):
        BitstringStatusList.decode(short)
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(17 * 1024 * 1024))).decode().rstrip("=")
    with pytest.raises(ValidationError, match="encodedList decompresses to more than 16777216 bytes"):
        BitstringStatusList.decode(bomb)


def test_entry_and_credential_shapes():
    url = "https://badges.example.org/status/revocation/1"
    assert status_list_entry(url, 94567, "revocation") == {
        "id": f"{url}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": url,
    }
    with pytest.raises(ValidationError, match="statusPurpose: statusPurpose must be one of revocation, suspension, got 'refresh'"):
        status_list_entry(url, 1, "refresh")
    credential = build_status_list_credential(url, "did:key:z6Mk", "revocation", BitstringStatusList(), "2026-11-01T00:00:00Z")
    assert credential == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:key:z6Mk",
        "validFrom": "2026-11-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": EMPTY,
        },
    }
