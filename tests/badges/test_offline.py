"""Offline: pinned contexts only, an unknown context is refused, and no socket is ever opened.

``socket.socket.connect`` is replaced by a guard that fails the test: a guard against the network, not a mock of
the code under test.
"""

from __future__ import annotations

import socket

import pytest

from rapid_adoption.badges import BadgeVerifier, ContextNotPinned, PinnedDocumentLoader, canonicalize
from rapid_adoption.badges.contexts import PINNED_CONTEXT_FILES, load_pinned_context

from badges.helpers import NOW, copy, signed_badge, status_lists, trusted

UNKNOWN = "https://www.w3.org/2018/credentials/v1"


class NetworkUsed(AssertionError):
    """Raised by the guard when code tries to open a connection."""


@pytest.fixture
def no_network(monkeypatch):
    attempts: list[object] = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise NetworkUsed(f"network access attempted: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_the_guard_really_stops_connections(no_network):
    with pytest.raises(NetworkUsed):
        socket.create_connection(("127.0.0.1", 9))
    assert no_network == [("127.0.0.1", 9)]


def test_an_unknown_context_url_is_refused_without_opening_a_socket(no_network):
    document = {"@context": [UNKNOWN], "type": ["VerifiableCredential"], "issuer": "did:example:1"}
    with pytest.raises(ContextNotPinned) as error:
        canonicalize(document, PinnedDocumentLoader())
    assert str(error.value) == f"@context: JSON-LD context URL is not pinned (never fetched): {UNKNOWN}"
    assert error.value.url == UNKNOWN
    assert error.value.http_status == 422
    assert no_network == []


def test_a_badge_verifies_with_a_fresh_loader_and_no_network(no_network):
    badge = signed_badge()
    verifier = BadgeVerifier(trusted(), status_lists=status_lists(), loader=PinnedDocumentLoader())
    assert verifier.verify(badge, NOW).valid is True
    tampered = copy(badge)
    tampered["@context"].append(UNKNOWN)
    result = verifier.verify(tampered, NOW)
    assert result.check("proof").reason == f"@context: JSON-LD context URL is not pinned (never fetched): {UNKNOWN}"
    assert no_network == []


def test_only_the_four_bundled_contexts_are_pinned_and_a_test_context_stays_in_its_own_loader():
    assert sorted(PINNED_CONTEXT_FILES) == [
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://w3id.org/security/data-integrity/v2",
        "https://w3id.org/security/multikey/v1",
        "https://www.w3.org/ns/credentials/v2",
    ]
    assert load_pinned_context("https://www.w3.org/ns/credentials/v2")["@context"]["@protected"] is True
    examples = "https://www.w3.org/ns/credentials/examples/v2"
    document = {"@context": ["https://www.w3.org/ns/credentials/v2", examples], "type": "VerifiableCredential", "issuer": "did:example:1", "alumniOf": "x"}
    extended = PinnedDocumentLoader({examples: {"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}})
    assert "alumniOf" in canonicalize(document, extended)
    # A context processed by one loader is never served by another (pyld's process-wide cache is not used).
    with pytest.raises(ContextNotPinned):
        canonicalize(document, PinnedDocumentLoader())
    with pytest.raises(ValueError, match="would replace a pinned context"):
        PinnedDocumentLoader({"https://www.w3.org/ns/credentials/v2": {"@context": {}}})
