"""Validated value objects for the catalogue: capability needs, companies, solutions, test centres.

Each class validates its fields on construction and raises :class:`ValidationError` naming the
field, so readers can add the file and line. Field names carry units where they have one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .errors import ValidationError
from .types import CentreType, OperationalDomain, Priority

_ISO3 = re.compile(r"^[A-Z]{3}$")

TRL_RANGE = range(1, 10)
"""Technology Readiness Levels 1-9 (NASA NPR 7123.1; DoD TRA Guidebook; EU H2020 Annex G)."""
MRL_RANGE = range(1, 11)
"""Manufacturing Readiness Levels 1-10 (DoD Manufacturing Readiness Level Deskbook)."""


_INVISIBLE = " \t\r\n\u00a0\u200b\u200c\u200d\u2060\ufeff"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def check_text(value: str | None, name: str, *, required: bool = True, max_length: int = 200_000) -> str | None:
    """Strip ``value`` (spaces and invisible characters); refuse an empty required value, an over-long
    one, control characters (NUL and the like), and text that is not valid Unicode.

    Raises:
        ValidationError: naming ``name`` as the field.
    """
    if value is None or not str(value).strip(_INVISIBLE):
        if required:
            raise ValidationError("is required and was empty", field=name)
        return None
    value = str(value).strip(_INVISIBLE)
    if len(value) > max_length:
        raise ValidationError(f"is longer than {max_length} characters", field=name)
    match = _CONTROL.search(value)
    if match:
        raise ValidationError(f"contains the control character U+{ord(match.group()):04X}", field=name)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("contains an invalid character (a lone surrogate)", field=name) from None
    return value


def check_level(value: int | str | None, name: str, valid: range) -> int | None:
    """Parse a readiness level (TRL 1-9 or MRL 1-10); None or "" means unknown.

    Raises:
        ValidationError: not a whole number, or outside ``valid``, e.g. "TRL must be 1-9, got '10'".
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    label = name.upper()
    text = str(value).strip()
    if re.fullmatch(r"-?\d+\.0+", text):  # 7.0 is the whole number 7
        text = text.split(".")[0]
    if isinstance(value, bool) or not re.fullmatch(r"-?\d+", text):
        raise ValidationError(f"{label} must be a whole number {valid.start}-{valid.stop - 1}, got {text!r}", field=name)
    level = int(text)
    if level not in valid:
        raise ValidationError(f"{label} must be {valid.start}-{valid.stop - 1}, got {text!r}", field=name)
    return level


def check_iso3(value: str | None, name: str = "country", *, required: bool = False) -> str | None:
    """Check an ISO 3166-1 alpha-3 code's shape (three capital letters); None allowed unless required.

    Raises:
        ValidationError: wrong shape, e.g. "must be an ISO 3166-1 alpha-3 code such as DEU, got 'DE'".
    """
    if value is None or not str(value).strip():
        if required:
            raise ValidationError("is required and was empty", field=name)
        return None
    code = str(value).strip().upper()
    if not _ISO3.match(code):
        raise ValidationError(f"must be an ISO 3166-1 alpha-3 code such as DEU, got {value!r}", field=name)
    return code


def check_enum(value, enum_type, name: str, *, default=None):
    """Parse ``value`` into ``enum_type``; empty gives ``default``.

    Raises:
        ValidationError: not one of the enum's values (the message lists them).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            raise ValidationError("is required and was empty", field=name)
        return default
    text = str(value).strip()
    for candidate in (text, text.lower(), text.upper()):
        try:
            return enum_type(candidate)
        except ValueError:
            continue
    else:
        valid = ", ".join(e.value for e in enum_type)
        raise ValidationError(f"must be one of {valid}, got {value!r}", field=name)


@dataclass(frozen=True)
class CapabilityNeedRecord:
    """A capability need: a problem statement that a nation or NATO body wants solved.

    Attributes:
        ref: unique reference, e.g. an EDF call identifier ``EDF-2023-DA-AIR-SPS``.
        title, statement: the need in a line and in full.
        operational_domain: land, maritime, air, space or cyber; None when the source does not say.
        technology_areas: tuple of free-text technology area names.
        priority: low, medium, high or critical.
        owner_ref: the owning organisation's ref (a nation's ISO alpha-3 code, or a body's short name).
        source: where the record came from (file name or URL).
        published_on: the date the need was published, if known.
    """

    ref: str
    title: str
    statement: str | None
    operational_domain: OperationalDomain | None
    technology_areas: tuple[str, ...]
    priority: Priority
    owner_ref: str
    source: str
    published_on: date | None = None

    def __post_init__(self) -> None:
        check_text(self.ref, "ref")
        check_text(self.title, "title")
        check_text(self.owner_ref, "owner")


@dataclass(frozen=True)
class CompanyRecord:
    """A company (or research body) that offers solutions.

    Attributes:
        ref: unique reference, e.g. ``PIC-999988327`` or ``SBIR-FIRM-acme``.
        legal_name: the name as registered.
        aliases: other spellings seen in the sources.
        country: ISO 3166-1 alpha-3, or None if unknown.
        eu_pic, duns, uei, ncage: identifiers, None where not known.
        sme: True, False, or None when the source does not say.
        website: URL or None.
        kind: the source's activity type, e.g. "Private for profit organisation".
        city: the city, or None.
    """

    ref: str
    legal_name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    eu_pic: str | None = None
    duns: str | None = None
    uei: str | None = None
    ncage: str | None = None
    sme: bool | None = None
    website: str | None = None
    kind: str | None = None
    city: str | None = None
    source: str = ""

    def __post_init__(self) -> None:
        check_text(self.ref, "ref")
        check_text(self.legal_name, "legal_name")
        check_iso3(self.country, "country")
        if self.eu_pic is not None and not re.fullmatch(r"\d{9}", self.eu_pic):
            raise ValidationError(f"an EU PIC is 9 digits, got {self.eu_pic!r}", field="eu_pic")


@dataclass(frozen=True)
class SolutionRecord:
    """A solution: what a company offers, at a readiness level.

    Attributes:
        ref: unique reference, e.g. ``EDF-101167826`` for an EDF project.
        company_ref: the offering company's ref.
        name, description: the solution in a line and in full.
        technology_areas: tuple of technology area names.
        trl: Technology Readiness Level 1-9, or None if not assessed.
        mrl: Manufacturing Readiness Level 1-10, or None.
        cots: commercial off the shelf.
        dual_use: has civil as well as military use; None when not known.
        source: file name or URL.
        year: the year of the source record (award year, project start), if known.
    """

    ref: str
    company_ref: str
    name: str
    description: str | None
    technology_areas: tuple[str, ...] = ()
    trl: int | None = None
    mrl: int | None = None
    cots: bool = False
    dual_use: bool | None = None
    source: str = ""
    year: int | None = None
    need_ref: str | None = None

    def __post_init__(self) -> None:
        check_text(self.ref, "ref")
        check_text(self.company_ref, "company")
        check_text(self.name, "name")
        check_level(self.trl, "trl", TRL_RANGE)
        check_level(self.mrl, "mrl", MRL_RANGE)


@dataclass(frozen=True)
class TestCentreRecord:
    """A site of the test-centre network.

    Attributes:
        ref: unique reference (a slug of the name and country).
        name: the site's name.
        centre_type: test centre, accelerator site or test range.
        country: ISO 3166-1 alpha-3 (required).
        city, operator: as published; None when not given.
        domains: tuple of domain or challenge-area names; "(inferred)" kept where the source guessed.
        capabilities: tuple of test capabilities.
        source: the source URL.
        notes: free text from the source.
    """

    __test__ = False  # not a pytest test class despite the name

    ref: str
    name: str
    centre_type: CentreType
    country: str
    city: str | None = None
    operator: str | None = None
    domains: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    source: str = ""
    notes: str | None = None

    def __post_init__(self) -> None:
        check_text(self.ref, "ref")
        check_text(self.name, "name")
        check_iso3(self.country, "country_iso3", required=True)


@dataclass(frozen=True)
class ProgrammeMembershipRecord:
    """A company's membership of a programme, e.g. a DIANA challenge cohort.

    Attributes:
        company_name: the company's name as the source gives it.
        country: ISO alpha-3 or None.
        programme: e.g. "DIANA challenge programme".
        year: cohort year, or None.
        challenge_area: e.g. "energy resilience", or None.
        source: source URL.
    """

    company_name: str
    country: str | None
    programme: str
    year: int | None
    challenge_area: str | None
    source: str


@dataclass(frozen=True)
class InvestmentRecord:
    """An investment in a company, e.g. by the NATO Innovation Fund.

    Attributes:
        company_name: as the source gives it.
        country: ISO alpha-3 or None.
        investor: e.g. "NATO Innovation Fund".
        invested_on: date, or None when the source gives only a period.
        amount_eur: amount in euros where public, else None.
        note: what the source says.
        source: source URL.
    """

    company_name: str
    country: str | None
    investor: str
    invested_on: date | None
    amount_eur: float | None
    note: str | None
    source: str


def split_list(text: str | None, sep: str = ";", name: str = "list") -> tuple[str, ...]:
    """Split a separated list, stripping blanks and dropping empties, keeping order and removing repeats.

    Raises:
        ValidationError: an item holds control characters (see :func:`check_text`).
    """
    if not text:
        return ()
    seen: dict[str, None] = {}
    for part in str(text).split(sep):
        part = check_text(part, name, required=False)
        if part:
            seen.setdefault(part, None)
    return tuple(seen)


__all__ = [
    "CapabilityNeedRecord",
    "CompanyRecord",
    "SolutionRecord",
    "TestCentreRecord",
    "ProgrammeMembershipRecord",
    "InvestmentRecord",
    "check_level",
    "check_iso3",
    "check_text",
    "check_enum",
    "split_list",
    "field",
]


@dataclass(frozen=True)
class OrganisationRecord:
    """An organisation that owns records: a nation (ref is its ISO alpha-3 code), a NATO body or another body.

    Attributes:
        ref: ``DEU`` for a nation, a short name such as ``DIANA`` for a body.
        name: full name.
        kind: an :class:`~rapid_adoption.domain.types.OrganisationKind` value.
        nation_iso3: the nation, for nations and national bodies; None for international bodies.
        source: where the fact comes from.
    """

    ref: str
    name: str
    kind: str
    nation_iso3: str | None
    source: str


@dataclass(frozen=True)
class ParticipantRecord:
    """A consortium member of a solution: the company, its role and its EU contribution in euros."""

    solution_ref: str
    company_ref: str
    role: str
    eu_contribution_eur: float | None
