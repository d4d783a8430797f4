"""The badge of approval as an Open Badges 3.0 ``OpenBadgeCredential`` (a W3C Verifiable Credential 2.0).

Source: 1EdTech "Open Badges Specification v3.0" (data model, section 8) and its JSON-LD context 3.0.3. The builder
takes plain dataclasses (not database rows) and returns a JSON-ready dict:

- ``issuer``: a ``Profile`` (the issuing organisation's DID, name, URL).
- ``credentialSubject``: an ``AchievementSubject`` for the company. OB 3.0 gives a subject no ``name``: the
  company's name and identifiers are ``identifier`` entries of type ``IdentityObject``, not hashed
  (``identityType`` ``name`` for the name, ``ext:EU-PIC``, ``ext:NCAGE``, ... for the others).
- ``achievement``: the solution, demonstrated against evaluation procedure *name vN*, with the criteria narrative,
  ``achievementType`` ``QualityAssuranceCredential`` (OB 3.0's term for a quality assurance mark), and one
  ``ResultDescription`` per use case (``resultType`` ``ScaledScore``, ``valueMin`` "1", ``valueMax`` "10").
- ``result``: one ``Result`` per use case, ``value`` the score 1-10 as a string, pointing to its description.
- ``evidence``: the trials and their test centres (``genre`` "Trial"), or an external demonstration
  (``genre`` "External demonstration": source, date, vouching organisation, scores), so a reader can tell which
  route the badge took.
- ``validFrom``, ``validUntil`` (2 years later by default), ``awardedDate``, and ``credentialStatus``: the
  ``BitstringStatusListEntry`` items (revocation and suspension) from :mod:`status_list`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from rapid_adoption.badges.contexts import OB_V3P0_URL, VC_V2_URL, PinnedDocumentLoader
from rapid_adoption.badges.keys import Ed25519KeyPair
from rapid_adoption.badges.proof import create_proof
from rapid_adoption.domain.errors import ValidationError

BADGE_CONTEXT = (VC_V2_URL, OB_V3P0_URL)
BADGE_TYPE = ("VerifiableCredential", "OpenBadgeCredential")
DEFAULT_VALIDITY_YEARS = 2
"""A badge is valid for two calendar years from ``validFrom`` unless the caller says otherwise."""
SCORE_MIN = 1
SCORE_MAX = 10

IDENTITY_TYPE_NAME = "name"
IDENTITY_TYPE_EU_PIC = "ext:EU-PIC"
IDENTITY_TYPE_NCAGE = "ext:NCAGE"
IDENTITY_TYPE_LEI = "ext:LEI"
IDENTITY_TYPE_DUNS = "ext:DUNS"
OB_IDENTIFIER_TYPES = frozenset(
    {
        "name", "sourcedId", "systemId", "productId", "userName", "accountId", "emailAddress",
        "nationalIdentityNumber", "isbn", "issn", "lisSourcedId", "oneRosterSourcedId", "sisSourcedId",
        "ltiContextId", "ltiDeploymentId", "ltiToolId", "ltiPlatformId", "ltiUserId", "identifier",
    }
)
"""OB 3.0's IdentifierTypeEnum; any other type must be an extension starting ``ext:``."""
GENRE_TRIAL = "Trial"
GENRE_EXTERNAL = "External demonstration"

# A fixed namespace for the deterministic ids of achievements and result descriptions (uuid5).
_NAMESPACE = uuid.UUID("6f1f8b0e-3c55-5c1a-9a40-6a1c2f3b7d21")


def format_datetime(moment: datetime) -> str:
    """A timezone-aware datetime as an XML Schema dateTimeStamp in UTC to the second, e.g. ``2026-11-29T12:00:00Z``.

    Raises:
        ValidationError (field ``datetime``): a naive datetime (no timezone).
    """
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(f"a timezone-aware datetime is required, got {moment!r}", field="datetime")
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_years(moment: datetime, years: int) -> datetime:
    """``moment`` moved ``years`` calendar years on, same month, day and time; 29 February becomes 28 February
    when the target year is not a leap year."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


@dataclass(frozen=True)
class IssuerProfile:
    """The issuing organisation, as the credential's ``issuer`` ``Profile``.

    Attributes:
        id: the issuer's DID (``did:key:...`` or ``did:web:...``).
        name: the organisation's name, e.g. "NATO DIANA".
        url: its web site, optional.
        email: a contact address, optional.
    """

    id: str
    name: str
    url: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Company:
    """The company that receives the badge (the credential subject).

    Attributes:
        name: the company's legal or usual name.
        identifiers: its identifiers as ``{identity type: value}``: an OB 3.0 IdentifierTypeEnum value or an
            ``ext:`` extension, e.g. ``{IDENTITY_TYPE_EU_PIC: "999893217", IDENTITY_TYPE_NCAGE: "D1234"}``.
            Do not repeat the name here.
        id: a URI for the company (e.g. its DID or web site), optional.
    """

    name: str
    identifiers: Mapping[str, str] = field(default_factory=dict)
    id: str | None = None


@dataclass(frozen=True)
class Solution:
    """The solution that was demonstrated (the badge's achievement).

    Attributes:
        name: its name, e.g. an EDF project acronym and title.
        description: what it is, one paragraph.
    """

    name: str
    description: str


@dataclass(frozen=True)
class EvaluationProcedure:
    """The commonly agreed evaluation procedure the solution was tested against.

    Attributes:
        name: its name, e.g. "Counter-UAS detection".
        version: its version number N (int >= 1), shown as "name vN".
        criteria_narrative: how the procedure judges a solution (the achievement's ``criteria.narrative``).
    """

    name: str
    version: int
    criteria_narrative: str

    @property
    def label(self) -> str:
        """``"name vN"``."""
        return f"{self.name} v{self.version}"


@dataclass(frozen=True)
class UseCaseScore:
    """The badge's score for one use case of the procedure.

    Attributes:
        use_case: the use case's name (unique within a badge).
        score_1_to_10: the score, an int from 1 to 10.
        description: what the use case covers, optional (the ResultDescription's ``description``).
    """

    use_case: str
    score_1_to_10: int
    description: str | None = None


@dataclass(frozen=True)
class TrialEvidence:
    """A trial run on the platform, as evidence.

    Attributes:
        trial_name: the trial's name or reference.
        test_centre: the test centre's name.
        country_iso3: the test centre's country (ISO 3166-1 alpha-3), e.g. "NOR".
        started_on: first day of the trial (a date).
        ended_on: last day of the trial (a date, not before ``started_on``).
        scores: ``{use case: score 1-10}`` measured in this trial.
        id: a URI for the trial record, optional.
    """

    trial_name: str
    test_centre: str
    country_iso3: str
    started_on: date
    ended_on: date
    scores: Mapping[str, int] = field(default_factory=dict)
    id: str | None = None


@dataclass(frozen=True)
class ExternalDemonstration:
    """A demonstration outside the platform's own trials (a NATO programme, a national trial, an exercise or
    operational use), accepted by the board at the badge gate.

    Attributes:
        source: what it was, e.g. "Exercise BALTOPS 2026" or "DIANA challenge programme".
        demonstrated_on: when (a date).
        vouched_by: the organisation that vouches for it.
        rationale: why the board accepted it.
        scores: ``{use case: score 1-10}`` where the source gives scores; may be empty.
        id: a URI for the record, optional.
    """

    source: str
    demonstrated_on: date
    vouched_by: str
    rationale: str
    scores: Mapping[str, int] = field(default_factory=dict)
    id: str | None = None


@dataclass(frozen=True)
class BadgeData:
    """Everything a badge says, before signing.

    Attributes:
        credential_id: the credential's id, a URI; e.g. ``"urn:uuid:" + str(uuid.uuid4())``.
        issuer: the :class:`IssuerProfile`.
        company: the :class:`Company`.
        solution: the :class:`Solution`.
        procedure: the :class:`EvaluationProcedure`.
        scores: one :class:`UseCaseScore` per use case (at least one, unique names).
        evidence: the trials and/or external demonstrations (at least one).
        valid_from: when the badge becomes valid (timezone-aware datetime).
        credential_status: the ``BitstringStatusListEntry`` dicts (see
            :func:`rapid_adoption.badges.status_list.status_list_entry`), at least one.
        valid_until: when it expires; None means :data:`DEFAULT_VALIDITY_YEARS` (2) calendar years after
            ``valid_from`` (see :func:`add_years`).
        achievement_id: a URI for the achievement; None derives a stable ``urn:uuid`` from company, solution and
            procedure.
    """

    credential_id: str
    issuer: IssuerProfile
    company: Company
    solution: Solution
    procedure: EvaluationProcedure
    scores: Sequence[UseCaseScore]
    evidence: Sequence[TrialEvidence | ExternalDemonstration]
    valid_from: datetime
    credential_status: Sequence[Mapping[str, Any]]
    valid_until: datetime | None = None
    achievement_id: str | None = None


def _require_text(value: Any, field_name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("must be a non-empty string", field=field_name)
    return value.strip()


def _require_uri(value: Any, field_name: str) -> str:
    text = _require_text(value, field_name)
    if ":" not in text or " " in text:
        raise ValidationError(f"must be an absolute URI, got {text!r}", field=field_name)
    return text


def _require_score(value: Any, field_name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not SCORE_MIN <= value <= SCORE_MAX:
        raise ValidationError(f"a score is an integer from {SCORE_MIN} to {SCORE_MAX}, got {value!r}", field=field_name)
    return value


def _scores_text(scores: Mapping[str, int], field_name: str) -> str:
    parts = [f"{_require_text(use_case, field_name)}: {_require_score(score, field_name)}/10" for use_case, score in scores.items()]
    return "Scores (1-10) per use case: " + "; ".join(parts) + "."


def _evidence_item(item: TrialEvidence | ExternalDemonstration, index: int) -> dict[str, Any]:
    where = f"evidence[{index}]"
    entry: dict[str, Any] = {}
    if item.id is not None:
        entry["id"] = _require_uri(item.id, f"{where}.id")
    entry["type"] = ["Evidence"]
    if isinstance(item, TrialEvidence):
        if not isinstance(item.started_on, date) or not isinstance(item.ended_on, date) or item.ended_on < item.started_on:
            raise ValidationError("a trial ends on or after the day it starts", field=f"{where}.ended_on")
        country = _require_text(item.country_iso3, f"{where}.country_iso3")
        if len(country) != 3 or not country.isalpha() or not country.isupper():
            raise ValidationError(f"an ISO 3166-1 alpha-3 code, e.g. NOR, got {country!r}", field=f"{where}.country_iso3")
        entry["name"] = f"Trial: {_require_text(item.trial_name, f'{where}.trial_name')}"
        entry["genre"] = GENRE_TRIAL
        entry["description"] = (
            f"Trial at {_require_text(item.test_centre, f'{where}.test_centre')} ({country}), "
            f"{item.started_on.isoformat()} to {item.ended_on.isoformat()}."
        )
        if item.scores:
            entry["narrative"] = _scores_text(item.scores, f"{where}.scores")
    elif isinstance(item, ExternalDemonstration):
        if not isinstance(item.demonstrated_on, date):
            raise ValidationError("must be a date", field=f"{where}.demonstrated_on")
        source = _require_text(item.source, f"{where}.source")
        entry["name"] = f"External demonstration: {source}"
        entry["genre"] = GENRE_EXTERNAL
        entry["description"] = (
            f"Demonstrated on {item.demonstrated_on.isoformat()} through {source}; "
            f"vouched for by {_require_text(item.vouched_by, f'{where}.vouched_by')}. "
            f"Accepted by the adoption board: {_require_text(item.rationale, f'{where}.rationale')}"
        )
        if item.scores:
            entry["narrative"] = _scores_text(item.scores, f"{where}.scores")
    else:
        raise ValidationError(f"must be a TrialEvidence or an ExternalDemonstration, got {type(item).__name__}", field=where)
    return entry


def build_badge(data: BadgeData) -> dict[str, Any]:
    """The unsigned ``OpenBadgeCredential`` for ``data`` (see the module docstring for its shape).

    Args:
        data: a :class:`BadgeData`.

    Returns:
        a JSON-ready dict with ``@context`` [VC 2.0, OB 3.0.3], ``id``, ``type``, ``name``, ``description``,
        ``issuer``, ``validFrom``, ``validUntil``, ``awardedDate``, ``credentialSubject``, ``evidence`` and
        ``credentialStatus`` (no ``proof``: see :func:`issue_badge`).

    Raises:
        ValidationError: naming the field at fault: an empty text, a score outside 1-10 or not an int, no or
            duplicate use cases, no evidence, evidence scoring a use case the badge does not have, a naive datetime,
            ``valid_until`` not after ``valid_from``, an identity type that is neither OB 3.0's nor ``ext:``, or no
            ``credential_status``.
    """
    credential_id = _require_uri(data.credential_id, "credential_id")
    issuer_id = _require_uri(data.issuer.id, "issuer.id")
    company_name = _require_text(data.company.name, "company.name")
    solution_name = _require_text(data.solution.name, "solution.name")
    procedure = data.procedure
    procedure_name = _require_text(procedure.name, "procedure.name")
    if not isinstance(procedure.version, int) or isinstance(procedure.version, bool) or procedure.version < 1:
        raise ValidationError(f"a procedure version is an integer >= 1, got {procedure.version!r}", field="procedure.version")
    criteria = _require_text(procedure.criteria_narrative, "procedure.criteria_narrative")
    if not data.scores:
        raise ValidationError("a badge scores at least one use case", field="scores")
    use_cases = [_require_text(score.use_case, f"scores[{i}].use_case") for i, score in enumerate(data.scores)]
    if len(set(use_cases)) != len(use_cases):
        duplicate = next(name for name in use_cases if use_cases.count(name) > 1)
        raise ValidationError(f"use case {duplicate!r} is scored twice", field="scores")
    for i, score in enumerate(data.scores):
        _require_score(score.score_1_to_10, f"scores[{i}].score_1_to_10")
    if not data.evidence:
        raise ValidationError("a badge rests on at least one trial or external demonstration", field="evidence")
    for i, item in enumerate(data.evidence):
        unknown = sorted(set(getattr(item, "scores", {}) or {}) - set(use_cases))
        if unknown:
            raise ValidationError(f"scores use cases the badge does not have: {', '.join(unknown)}", field=f"evidence[{i}].scores")
    valid_from = format_datetime(data.valid_from)
    valid_until_moment = data.valid_until or add_years(data.valid_from, DEFAULT_VALIDITY_YEARS)
    valid_until = format_datetime(valid_until_moment)
    if valid_until_moment <= data.valid_from:
        raise ValidationError("valid_until must be after valid_from", field="valid_until")
    if not data.credential_status:
        raise ValidationError("a badge needs a status list entry so that it can be revoked", field="credential_status")

    identifiers = [{"type": "IdentityObject", "hashed": False, "identityHash": company_name, "identityType": IDENTITY_TYPE_NAME}]
    for identity_type, value in data.company.identifiers.items():
        if identity_type not in OB_IDENTIFIER_TYPES and not (identity_type.startswith("ext:") and len(identity_type) > 4):
            raise ValidationError(
                f"identity type {identity_type!r} is neither an Open Badges IdentifierTypeEnum value nor an 'ext:' extension",
                field="company.identifiers",
            )
        identifiers.append(
            {
                "type": "IdentityObject",
                "hashed": False,
                "identityHash": _require_text(value, f"company.identifiers.{identity_type}"),
                "identityType": identity_type,
            }
        )

    achievement_id = data.achievement_id or "urn:uuid:" + str(
        uuid.uuid5(_NAMESPACE, "\x1f".join((company_name, solution_name, procedure_name, str(procedure.version))))
    )
    achievement_id = _require_uri(achievement_id, "achievement_id")
    descriptions = []
    results = []
    for score, use_case in zip(data.scores, use_cases):
        description_id = "urn:uuid:" + str(uuid.uuid5(_NAMESPACE, f"{achievement_id}\x1f{use_case}"))
        description: dict[str, Any] = {"id": description_id, "type": ["ResultDescription"], "name": use_case}
        if score.description:
            description["description"] = score.description
        description.update({"resultType": "ScaledScore", "valueMin": str(SCORE_MIN), "valueMax": str(SCORE_MAX)})
        descriptions.append(description)
        results.append({"type": ["Result"], "resultDescription": description_id, "value": str(score.score_1_to_10)})

    issuer: dict[str, Any] = {"id": issuer_id, "type": ["Profile"], "name": _require_text(data.issuer.name, "issuer.name")}
    if data.issuer.url:
        issuer["url"] = _require_uri(data.issuer.url, "issuer.url")
    if data.issuer.email:
        issuer["email"] = _require_text(data.issuer.email, "issuer.email")

    subject: dict[str, Any] = {}
    if data.company.id:
        subject["id"] = _require_uri(data.company.id, "company.id")
    subject.update(
        {
            "type": ["AchievementSubject"],
            "identifier": identifiers,
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "achievementType": "QualityAssuranceCredential",
                "name": f"{solution_name}, demonstrated against {procedure.label}",
                "description": _require_text(data.solution.description, "solution.description"),
                "criteria": {"narrative": criteria},
                "resultDescription": descriptions,
            },
            "result": results,
        }
    )
    return {
        "@context": list(BADGE_CONTEXT),
        "id": credential_id,
        "type": list(BADGE_TYPE),
        "name": f"Badge of approval: {solution_name} ({procedure.label})",
        "description": (
            f"{company_name}'s {solution_name} was demonstrated against the evaluation procedure {procedure.label}, "
            f"with a score from 1 to 10 for each of its {len(use_cases)} use case{'s' if len(use_cases) != 1 else ''}. "
            "A quality assurance mark, not a certification."
        ),
        "issuer": issuer,
        "validFrom": valid_from,
        "validUntil": valid_until,
        "awardedDate": valid_from,
        "credentialSubject": subject,
        "evidence": [_evidence_item(item, i) for i, item in enumerate(data.evidence)],
        "credentialStatus": [dict(entry) for entry in data.credential_status],
    }


def sign_credential(
    credential: dict[str, Any],
    key_pair: Ed25519KeyPair,
    verification_method: str,
    created: datetime,
    *,
    loader: PinnedDocumentLoader | None = None,
) -> dict[str, Any]:
    """Add an ``eddsa-rdfc-2022`` proof to any unsigned credential (a badge or a status list credential).

    Args:
        credential: the unsigned credential dict (not changed).
        key_pair: the issuer's :class:`Ed25519KeyPair` with its private key.
        verification_method: the key's verification method id in the issuer's DID document.
        created: the proof time (timezone-aware datetime).
        loader: the pinned document loader (default: bundled contexts).

    Returns:
        the signed credential (a new dict).

    Raises:
        ValidationError: see :func:`rapid_adoption.badges.proof.create_proof` and :func:`format_datetime`.
    """
    return create_proof(credential, key_pair, verification_method, format_datetime(created), loader=loader)


def issue_badge(
    data: BadgeData,
    key_pair: Ed25519KeyPair,
    verification_method: str,
    created: datetime,
    *,
    loader: PinnedDocumentLoader | None = None,
) -> dict[str, Any]:
    """Build and sign a badge: :func:`build_badge` then :func:`sign_credential`.

    Raises:
        ValidationError: see :func:`build_badge`; also when the verification method is not the issuer's
            (field ``verification_method``: its DID must be ``data.issuer.id``).
    """
    if verification_method.split("#", 1)[0] != data.issuer.id:
        raise ValidationError(
            f"the verification method {verification_method} does not belong to the issuer {data.issuer.id}",
            field="verification_method",
        )
    return sign_credential(build_badge(data), key_pair, verification_method, created, loader=loader)
