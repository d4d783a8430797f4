"""Verify a badge offline: valid or invalid, with one reason per check.

The checks, in the order they are reported (:data:`CHECKS`):

1. ``required_fields``: the credential is an ``OpenBadgeCredential`` with the VC 2.0 and OB 3.0 contexts, an ``id``,
   an issuer ``Profile`` with an id, ``name``, ``validFrom``, and a subject with an achievement (id, name,
   criteria) and its results.
2. ``proof``: the ``eddsa-rdfc-2022`` Data Integrity proof verifies against the key its ``verificationMethod`` names
   (canonicalised with pinned contexts only; a context that is not pinned fails here, never fetched).
3. ``verification_method``: that key belongs to the issuer: its DID is the issuer's id and the DID document lists it
   under ``assertionMethod``. ``did:key`` resolves locally; ``did:web`` through the caller's registry (or a
   document stored in the trusted-issuer list), never the network.
4. ``trusted_issuer``: the issuer is on the :class:`TrustedIssuerList`.
5. ``validity``: ``validFrom <= now < validUntil``.
6. ``status``: each ``BitstringStatusListEntry``'s list, obtained from the caller's lookup, is a
   ``BitstringStatusListCredential`` of the same issuer whose own proof, key and validity check out, and the badge's
   bit is clear; a set bit reports "revoked" or "suspended".

A badge is valid when every check passes. The verifier never raises for a bad badge: every problem is a failed
check with its reason.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cachetools import LRUCache

from rapid_adoption.badges.contexts import OB_V3P0_URL, VC_V2_URL, PinnedDocumentLoader
from rapid_adoption.badges.jose import decode_jws, looks_like_jws
from rapid_adoption.badges.keys import DidWebDocuments, ResolvedVerificationMethod, resolve_verification_method
from rapid_adoption.badges.proof import ProofCheck, split_proof, verify_proof
from rapid_adoption.badges.status_list import STATUS_PURPOSES, BitstringStatusList
from rapid_adoption.domain.errors import ValidationError

CHECKS = ("required_fields", "proof", "verification_method", "trusted_issuer", "validity", "status")
TRUST_LIST_TYPE = "RapidAdoptionTrustedIssuerList"

StatusListLookup = Mapping[str, Mapping[str, Any]] | Callable[[str], Mapping[str, Any] | None]
"""How a caller supplies status list credentials: ``{url: credential}`` or ``url -> credential or None``."""


@dataclass(frozen=True)
class TrustedIssuer:
    """An issuer whose badges a verifier accepts.

    Attributes:
        id: the issuer's DID.
        name: a human name for it, e.g. "NATO DIANA".
        did_document: for a ``did:web`` issuer, its DID document (so that it verifies offline); None otherwise.
    """

    id: str
    name: str
    did_document: Mapping[str, Any] | None = None


class TrustedIssuerList:
    """The configurable list of trusted issuers, importable and exportable as JSON.

    JSON shape: ``{"type": "RapidAdoptionTrustedIssuerList", "version": 1, "issuers": [{"id": DID, "name": str,
    "didDocument": {...} (optional)}]}``, issuers sorted by id.

    Args:
        issuers: the initial :class:`TrustedIssuer` entries (a later duplicate id replaces an earlier one).
    """

    def __init__(self, issuers: Iterable[TrustedIssuer] = ()) -> None:
        self._issuers: dict[str, TrustedIssuer] = {}
        for issuer in issuers:
            self.add(issuer)

    def add(self, issuer: TrustedIssuer) -> None:
        """Trust ``issuer`` (replacing an entry with the same id).

        Raises:
            ValidationError: the id is not a ``did:`` (field ``id``), the name is empty (field ``name``), or the
                DID document's id is not the issuer's (field ``didDocument``).
        """
        if not isinstance(issuer.id, str) or not issuer.id.startswith("did:"):
            raise ValidationError(f"a trusted issuer is a DID, got {issuer.id!r}", field="id")
        if not isinstance(issuer.name, str) or not issuer.name.strip():
            raise ValidationError("a trusted issuer needs a name", field="name")
        if issuer.did_document is not None and issuer.did_document.get("id") != issuer.id:
            raise ValidationError(f"the DID document is not {issuer.id}'s", field="didDocument")
        self._issuers[issuer.id] = issuer

    def remove(self, did: str) -> None:
        """Stop trusting ``did``. KeyError when it is not on the list."""
        del self._issuers[did]

    def get(self, did: str) -> TrustedIssuer | None:
        """The entry for ``did``, or None."""
        return self._issuers.get(did)

    def __contains__(self, did: object) -> bool:
        return did in self._issuers

    def __iter__(self) -> Iterator[TrustedIssuer]:
        return iter(sorted(self._issuers.values(), key=lambda issuer: issuer.id))

    def __len__(self) -> int:
        return len(self._issuers)

    def did_web_documents(self) -> dict[str, Mapping[str, Any]]:
        """``{did: DID document}`` for the entries that carry one."""
        return {issuer.id: issuer.did_document for issuer in self if issuer.did_document is not None}

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready export (see the class docstring)."""
        issuers = []
        for issuer in self:
            entry: dict[str, Any] = {"id": issuer.id, "name": issuer.name}
            if issuer.did_document is not None:
                entry["didDocument"] = dict(issuer.did_document)
            issuers.append(entry)
        return {"type": TRUST_LIST_TYPE, "version": 1, "issuers": issuers}

    def to_json(self) -> str:
        """The export as JSON text (2-space indent, ending in a newline)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: Any, *, file: str | None = None) -> TrustedIssuerList:
        """Import a list exported by :meth:`to_dict`.

        Args:
            data: the parsed JSON.
            file: the file name, for error messages.

        Raises:
            ValidationError: naming the field: not an object or wrong ``type`` (field ``type``), unsupported
                ``version``, ``issuers`` not a list, or an entry without a DID id or name (``issuers[i].id``, ...).
        """
        if not isinstance(data, dict) or data.get("type") != TRUST_LIST_TYPE:
            raise ValidationError(f"not a trusted-issuer list (type must be {TRUST_LIST_TYPE})", file=file, field="type")
        if data.get("version") != 1:
            raise ValidationError(f"unsupported version {data.get('version')!r} (1 is supported)", file=file, field="version")
        entries = data.get("issuers")
        if not isinstance(entries, list):
            raise ValidationError("must be a list", file=file, field="issuers")
        trusted = cls()
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise ValidationError("must be an object", file=file, field=f"issuers[{i}]")
            try:
                trusted.add(TrustedIssuer(id=entry.get("id"), name=entry.get("name"), did_document=entry.get("didDocument")))
            except ValidationError as error:
                raise ValidationError(error.message, file=file, field=f"issuers[{i}].{error.field}") from None
        return trusted

    @classmethod
    def from_json(cls, text: str, *, file: str | None = None) -> TrustedIssuerList:
        """Import from JSON text. ValidationError (field ``json``) when it is not JSON; else see :meth:`from_dict`."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError(f"not JSON: {error.msg}", file=file, line=error.lineno, field="json") from None
        return cls.from_dict(data, file=file)

    def save(self, path: Path) -> None:
        """Write the export to ``path`` (UTF-8), replacing it atomically (a temporary file, then rename)."""
        path = Path(path)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(self.to_json(), encoding="utf-8")
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path) -> TrustedIssuerList:
        """Read a list saved by :meth:`save`. OSError when unreadable; ValidationError as :meth:`from_json`."""
        path = Path(path)
        return cls.from_json(path.read_text(encoding="utf-8"), file=path.name)


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome.

    Attributes:
        name: one of :data:`CHECKS`.
        passed: True when the check passed.
        reason: one sentence saying why (shown to users as is).
    """

    name: str
    passed: bool
    reason: str


@dataclass(frozen=True)
class VerificationResult:
    """The verdict on a badge.

    Attributes:
        valid: True when every check passed.
        checks: one :class:`CheckResult` per name in :data:`CHECKS`, in that order.
        status: ``"revoked"``, ``"suspended"`` or None (not set, or not checked).
        credential_id: the credential's ``id`` when it has one.
        issuer_id: the issuer's id when it has one.
    """

    valid: bool
    checks: tuple[CheckResult, ...]
    status: str | None = None
    credential_id: str | None = None
    issuer_id: str | None = None

    def check(self, name: str) -> CheckResult:
        """The :class:`CheckResult` called ``name``. KeyError for an unknown name."""
        for result in self.checks:
            if result.name == name:
                return result
        raise KeyError(name)

    def failed(self) -> list[CheckResult]:
        """The checks that failed, in order."""
        return [result for result in self.checks if not result.passed]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"valid", "status", "credential_id", "issuer_id", "checks": [{"name", "passed",
        "reason"}]}``."""
        return {
            "valid": self.valid,
            "status": self.status,
            "credential_id": self.credential_id,
            "issuer_id": self.issuer_id,
            "checks": [{"name": c.name, "passed": c.passed, "reason": c.reason} for c in self.checks],
        }


def parse_datetime(value: Any, field_name: str) -> datetime:
    """Parse an XML Schema dateTimeStamp (``2026-11-29T12:00:00Z``, or with an offset) to an aware datetime.

    Raises:
        ValidationError (field ``field_name``): not a string, unparseable, or without a timezone.
    """
    if not isinstance(value, str):
        raise ValidationError(f"must be a date-time string, got {value!r}", field=field_name)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise ValidationError(f"not a date-time: {value!r}", field=field_name) from None
    if moment.tzinfo is None:
        raise ValidationError(f"a date-time needs a timezone (e.g. Z): {value!r}", field=field_name)
    return moment


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return issuer["id"]
    return None


def required_field_problems(credential: Mapping[str, Any]) -> list[str]:
    """What a badge lacks of the fields it must have (empty when complete).

    Args:
        credential: the credential (dict).

    Returns:
        one phrase per problem, e.g. ``"credentialSubject.achievement.criteria is missing"``.
    """
    problems: list[str] = []
    contexts = _as_list(credential.get("@context"))
    if not contexts or contexts[0] != VC_V2_URL:
        problems.append(f"@context must start with {VC_V2_URL}")
    if OB_V3P0_URL not in contexts:
        problems.append(f"@context must include {OB_V3P0_URL}")
    types = _as_list(credential.get("type"))
    if "VerifiableCredential" not in types or not ({"OpenBadgeCredential", "AchievementCredential"} & set(types)):
        problems.append("type must include VerifiableCredential and OpenBadgeCredential")
    for name in ("id", "name", "validFrom"):
        if not isinstance(credential.get(name), str) or not credential.get(name):
            problems.append(f"{name} is missing")
    issuer = credential.get("issuer")
    if not isinstance(issuer, Mapping) or not isinstance(issuer.get("id"), str):
        problems.append("issuer must be a Profile with an id")
    elif "Profile" not in _as_list(issuer.get("type")):
        problems.append("issuer.type must include Profile")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        problems.append("credentialSubject is missing")
        return problems
    if "AchievementSubject" not in _as_list(subject.get("type")):
        problems.append("credentialSubject.type must include AchievementSubject")
    achievement = subject.get("achievement")
    if not isinstance(achievement, Mapping):
        problems.append("credentialSubject.achievement is missing")
    else:
        for name in ("id", "name"):
            if not isinstance(achievement.get(name), str) or not achievement.get(name):
                problems.append(f"credentialSubject.achievement.{name} is missing")
        criteria = achievement.get("criteria")
        if not isinstance(criteria, Mapping) or not (criteria.get("narrative") or criteria.get("id")):
            problems.append("credentialSubject.achievement.criteria is missing")
        described = {d.get("id") for d in _as_list(achievement.get("resultDescription")) if isinstance(d, Mapping)}
        for i, result in enumerate(_as_list(subject.get("result"))):
            if not isinstance(result, Mapping) or result.get("resultDescription") not in described:
                problems.append(f"credentialSubject.result[{i}] does not point to a resultDescription of the achievement")
    return problems


def _lookup(lookup: StatusListLookup | None, url: str) -> Mapping[str, Any] | None:
    if lookup is None:
        return None
    if callable(lookup):
        return lookup(url)
    return lookup.get(url)


class BadgeVerifier:
    """Verifies badges against a trusted-issuer list, offline.

    Args:
        trusted_issuers: the :class:`TrustedIssuerList`.
        status_lists: where status list credentials come from: ``{url: credential}`` or ``url -> credential or
            None`` (the caller fetches or stores them; this class never uses the network). None: a badge with a
            ``credentialStatus`` fails the status check ("could not be checked").
        did_web_documents: extra did:web DID documents (``{did: document}`` or ``did -> document``), consulted
            after the trusted-issuer list's own documents.
        loader: the pinned document loader (default: bundled contexts).

    The verifier caches the outcome of checking a status list credential's proof (at most 1,024 of them), keyed by
    the SHA-256 of its JSON (same content, same outcome); the validity window and the bits are checked at every call.
    Thread-safe.
    """

    def __init__(
        self,
        trusted_issuers: TrustedIssuerList,
        *,
        status_lists: StatusListLookup | None = None,
        did_web_documents: DidWebDocuments | None = None,
        loader: PinnedDocumentLoader | None = None,
    ) -> None:
        self.trusted_issuers = trusted_issuers
        self.status_lists = status_lists
        self.did_web_documents = did_web_documents
        self.loader = loader
        self._status_proofs: LRUCache = LRUCache(maxsize=1024)
        self._lock = threading.Lock()

    def _resolve_did_web(self, did: str) -> Mapping[str, Any] | None:
        trusted = self.trusted_issuers.get(did)
        if trusted is not None and trusted.did_document is not None:
            return trusted.did_document
        if self.did_web_documents is None:
            return None
        if callable(self.did_web_documents):
            return self.did_web_documents(did)
        return self.did_web_documents.get(did)

    def _proof_and_key(self, credential: Mapping[str, Any], issuer_id: str | None) -> tuple[CheckResult, CheckResult]:
        """The ``proof`` and ``verification_method`` checks of a signed credential."""
        try:
            _, proof = split_proof(dict(credential))
        except ValidationError as error:
            failed = CheckResult("proof", False, error.message)
            return failed, CheckResult("verification_method", False, "no proof, so no verification method")
        vm_id = proof.get("verificationMethod")
        try:
            method: ResolvedVerificationMethod = resolve_verification_method(vm_id, self._resolve_did_web)
        except ValidationError as error:
            reason = f"the verification method cannot be resolved: {error.message}"
            return CheckResult("proof", False, reason), CheckResult("verification_method", False, reason)
        check: ProofCheck = verify_proof(dict(credential), method.public_key, loader=self.loader)
        proof_result = CheckResult("proof", check.verified, check.reason)
        if issuer_id is None:
            key_result = CheckResult("verification_method", False, "the credential names no issuer")
        elif method.controller != issuer_id:
            key_result = CheckResult(
                "verification_method", False, f"the proof was made with {vm_id}, a key of {method.controller}, not of the issuer {issuer_id}"
            )
        elif "assertionMethod" not in method.relationships:
            key_result = CheckResult("verification_method", False, f"{vm_id} is not an assertion method of {issuer_id}")
        else:
            key_result = CheckResult("verification_method", True, f"{vm_id} is an assertion method of the issuer")
        return proof_result, key_result

    @staticmethod
    def _validity(credential: Mapping[str, Any], now: datetime, what: str = "the badge") -> CheckResult:
        try:
            valid_from = parse_datetime(credential.get("validFrom"), "validFrom")
            valid_until = credential.get("validUntil")
            valid_until = None if valid_until is None else parse_datetime(valid_until, "validUntil")
        except ValidationError as error:
            return CheckResult("validity", False, str(error))
        if now < valid_from:
            return CheckResult("validity", False, f"{what} is not valid yet: valid from {credential['validFrom']}")
        if valid_until is not None and now >= valid_until:
            return CheckResult("validity", False, f"{what} expired on {credential['validUntil']}")
        until = f" until {credential['validUntil']}" if valid_until is not None else ""
        return CheckResult("validity", True, f"valid from {credential['validFrom']}{until}")

    def _status_list_problem(self, url: str, purpose: str, issuer_id: str | None, now: datetime) -> tuple[str | None, BitstringStatusList | None]:
        """Load and check one status list credential: (problem or None, decoded list or None)."""
        status_credential = _lookup(self.status_lists, url)
        if status_credential is None:
            return f"the status list {url} could not be checked (not available)", None
        status_credential = dict(status_credential)
        if "BitstringStatusListCredential" not in _as_list(status_credential.get("type")):
            return f"{url} is not a BitstringStatusListCredential", None
        if status_credential.get("id") not in (None, url):
            return f"the status list credential's id is {status_credential.get('id')!r}, not {url}", None
        if _issuer_id(status_credential) != issuer_id:
            return f"the status list {url} was issued by {_issuer_id(status_credential)}, not by the badge's issuer", None
        digest = hashlib.sha256(json.dumps(status_credential, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
        with self._lock:
            cached = self._status_proofs.get(digest)
        if cached is None:
            proof_result, key_result = self._proof_and_key(status_credential, issuer_id)
            failed = next((r for r in (proof_result, key_result) if not r.passed), None)
            cached = (failed is None, "" if failed is None else failed.reason)
            with self._lock:
                self._status_proofs[digest] = cached
        if not cached[0]:
            return f"the status list {url} does not verify: {cached[1]}", None
        window = self._validity(status_credential, now, what=f"the status list {url}")
        if not window.passed:
            return window.reason, None
        subject = status_credential.get("credentialSubject")
        if not isinstance(subject, Mapping) or subject.get("type") != "BitstringStatusList":
            return f"the status list {url} has no BitstringStatusList subject", None
        if subject.get("statusPurpose") != purpose:
            return f"the status list {url} is for {subject.get('statusPurpose')!r}, the entry for {purpose!r}", None
        try:
            return None, BitstringStatusList.decode(subject.get("encodedList"))
        except ValidationError as error:
            return f"the status list {url}: {error.message}", None

    def _status(self, credential: Mapping[str, Any], issuer_id: str | None, now: datetime) -> tuple[CheckResult, str | None]:
        entries = _as_list(credential.get("credentialStatus"))
        if not entries:
            return CheckResult("status", False, "the badge has no credentialStatus, so its revocation cannot be checked"), None
        findings: list[str] = []
        set_purposes: list[str] = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, Mapping) or entry.get("type") != "BitstringStatusListEntry":
                return CheckResult("status", False, f"credentialStatus[{i}] is not a BitstringStatusListEntry"), None
            purpose = entry.get("statusPurpose")
            if purpose not in STATUS_PURPOSES:
                return CheckResult("status", False, f"credentialStatus[{i}] has an unsupported statusPurpose {purpose!r}"), None
            index_text = entry.get("statusListIndex")
            if not isinstance(index_text, str) or not index_text.isdigit():
                return CheckResult("status", False, f"credentialStatus[{i}].statusListIndex must be a string of digits"), None
            url = entry.get("statusListCredential")
            if not isinstance(url, str) or not url:
                return CheckResult("status", False, f"credentialStatus[{i}] names no statusListCredential"), None
            problem, status_list = self._status_list_problem(url, purpose, issuer_id, now)
            if problem is not None or status_list is None:
                return CheckResult("status", False, problem or "the status list could not be read"), None
            index = int(index_text)
            if index >= status_list.length:
                return CheckResult("status", False, f"index {index} is beyond the status list {url} ({status_list.length} entries)"), None
            if status_list.get(index):
                set_purposes.append(purpose)
                findings.append(f"{'revoked' if purpose == 'revocation' else 'suspended'} (status list {url}, index {index})")
            else:
                findings.append(f"not {'revoked' if purpose == 'revocation' else 'suspended'}")
        if set_purposes:
            status = "revoked" if "revocation" in set_purposes else "suspended"
            return CheckResult("status", False, "; ".join(f for f in findings if f.startswith(("revoked", "suspended")))), status
        return CheckResult("status", True, " and ".join(findings)), None

    def verify(self, credential: Mapping[str, Any] | str, now: datetime) -> VerificationResult:
        """Verify one badge.

        Args:
            credential: the signed badge as a dict, as JSON text, or as a compact JWS (``application/vc+jwt``,
                whose signature then stands for the proof).
            now: the moment to judge validity at (timezone-aware; from the caller's clock).

        Returns:
            a :class:`VerificationResult` with one :class:`CheckResult` per name in :data:`CHECKS`. It never
            raises for a bad badge.

        Raises:
            ValidationError (field ``now``): ``now`` is naive (a programming error, not a bad badge).
        """
        if not isinstance(now, datetime) or now.tzinfo is None:
            raise ValidationError("now must be a timezone-aware datetime", field="now")
        reason = "a badge is a JSON object"
        if isinstance(credential, str) and looks_like_jws(credential):
            return self._verify_jws(credential, now)
        if isinstance(credential, str):
            try:
                credential = json.loads(credential)
            except json.JSONDecodeError as error:
                credential, reason = None, f"not JSON: {error.msg} (line {error.lineno})"
        if not isinstance(credential, Mapping):
            return VerificationResult(valid=False, checks=tuple(CheckResult(name, False, reason) for name in CHECKS))
        issuer_id = _issuer_id(credential)
        proof_result, key_result = self._proof_and_key(credential, issuer_id)
        return self._verdict(credential, issuer_id, proof_result, key_result, now)

    def _verify_jws(self, token: str, now: datetime) -> VerificationResult:
        """Verify a compact JWS badge: the JWS signature stands in for the Data Integrity proof."""
        try:
            decoded = decode_jws(token, self._resolve_did_web)
        except ValidationError as error:
            return VerificationResult(valid=False, checks=tuple(CheckResult(name, False, error.message) for name in CHECKS))
        credential = decoded.credential
        issuer_id = _issuer_id(credential)
        method = decoded.verification_method
        proof_result = CheckResult("proof", True, "JWS signature verified")
        if method.controller != issuer_id:
            key_result = CheckResult(
                "verification_method", False, f"the JWS was signed with {method.id}, a key of {method.controller}, not of the issuer {issuer_id}"
            )
        elif "assertionMethod" not in method.relationships:
            key_result = CheckResult("verification_method", False, f"{method.id} is not an assertion method of {issuer_id}")
        else:
            key_result = CheckResult("verification_method", True, f"{method.id} is an assertion method of the issuer")
        return self._verdict(credential, issuer_id, proof_result, key_result, now)

    def _verdict(
        self, credential: Mapping[str, Any], issuer_id: str | None, proof_result: CheckResult, key_result: CheckResult, now: datetime
    ) -> VerificationResult:
        """The remaining checks, and the verdict."""
        problems = required_field_problems(credential)
        required = CheckResult(
            "required_fields", not problems, "; ".join(problems) if problems else "every required field is present"
        )
        trusted = self.trusted_issuers.get(issuer_id) if issuer_id else None
        trust_result = (
            CheckResult("trusted_issuer", True, f"{issuer_id} ({trusted.name}) is a trusted issuer")
            if trusted is not None
            else CheckResult("trusted_issuer", False, f"{issuer_id or 'the issuer'} is not on the trusted-issuer list")
        )
        validity = self._validity(credential, now)
        status_result, status = self._status(credential, issuer_id, now)
        checks = (required, proof_result, key_result, trust_result, validity, status_result)
        credential_id = credential.get("id") if isinstance(credential.get("id"), str) else None
        return VerificationResult(
            valid=all(check.passed for check in checks),
            checks=checks,
            status=status,
            credential_id=credential_id,
            issuer_id=issuer_id,
        )


def verify_badge(
    credential: Mapping[str, Any] | str,
    *,
    now: datetime,
    trusted_issuers: TrustedIssuerList,
    status_lists: StatusListLookup | None = None,
    did_web_documents: DidWebDocuments | None = None,
    loader: PinnedDocumentLoader | None = None,
) -> VerificationResult:
    """Verify one badge (a one-off :class:`BadgeVerifier`; keep a verifier to reuse its caches).

    Args and result: see :meth:`BadgeVerifier.verify` and :class:`BadgeVerifier`.
    """
    verifier = BadgeVerifier(trusted_issuers, status_lists=status_lists, did_web_documents=did_web_documents, loader=loader)
    return verifier.verify(credential, now)


__all__ = [
    "CHECKS",
    "BadgeVerifier",
    "CheckResult",
    "StatusListLookup",
    "TrustedIssuer",
    "TrustedIssuerList",
    "VerificationResult",
    "parse_datetime",
    "required_field_problems",
    "verify_badge",
]
