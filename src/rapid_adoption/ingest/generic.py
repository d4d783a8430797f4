"""The generic importer for a user's own needs, companies, solutions and test centres (CSV or JSON).

Column schema (``*`` = required; lists are ``;``-separated in CSV or JSON arrays):

| kind | columns |
|---|---|
| needs | ref*, title*, statement, operational_domain (land, maritime, air, space, cyber), technology_areas, priority (low, medium, high, critical), owner (organisation ref; default: the workspace's), source, published_on (YYYY-MM-DD) |
| companies | ref*, legal_name*, aliases, country (ISO 3166-1 alpha-2 or alpha-3), eu_pic, duns, uei, ncage, sme (true/false), website, city, source |
| solutions | ref*, company* (a company ref), name*, description, technology_areas, trl (1-9), mrl (1-10), cots (true/false), dual_use (true/false), year, need (a need ref), source |
| centres | ref, name*, type* (test centre, accelerator site, test range), country*, city, operator, domains, capabilities, source, notes |

A JSON file holds an array of objects with these keys; a ``.jsonl`` file holds one object per line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ..domain.errors import ValidationError
from ..domain.records import (
    MRL_RANGE,
    TRL_RANGE,
    CapabilityNeedRecord,
    CompanyRecord,
    SolutionRecord,
    TestCentreRecord,
    check_enum,
    check_level,
    check_text,
    split_list,
)
from ..domain.types import CentreType, OperationalDomain, Priority
from .batch import Batch
from .files import RowCollector, read_csv, read_json_array, read_jsonl
from .network import slug
from .values import country_iso3, parse_bool, parse_date

KINDS = ("needs", "companies", "solutions", "centres")
USER_SOURCE = "user import"
"""The ``source`` of a user's record whose file gives none (not the file name: renaming a file changes nothing)."""
REQUIRED = {
    "needs": ("ref", "title"),
    "companies": ("ref", "legal_name"),
    "solutions": ("ref", "company", "name"),
    "centres": ("name", "type", "country"),
}
KNOWN = {
    "needs": REQUIRED["needs"] + ("statement", "operational_domain", "technology_areas", "priority", "owner", "source", "published_on"),
    "companies": REQUIRED["companies"] + ("aliases", "country", "eu_pic", "duns", "uei", "ncage", "sme", "website", "city", "source"),
    "solutions": REQUIRED["solutions"] + ("description", "technology_areas", "trl", "mrl", "cots", "dual_use", "year", "need", "source"),
    "centres": REQUIRED["centres"] + ("ref", "city", "operator", "domains", "capabilities", "source", "notes"),
}


def _text(v: dict[str, Any], name: str, required: bool = False) -> str | None:
    value = v.get(name)
    if isinstance(value, (list, dict)):
        raise ValidationError(f"must be text, got a JSON {type(value).__name__}", field=name)
    return check_text(None if value is None else str(value), name, required=required)


def _list(v: dict[str, Any], name: str) -> tuple[str, ...]:
    value = v.get(name)
    if isinstance(value, list):
        if not all(isinstance(x, str) for x in value):
            raise ValidationError("must be a list of text items", field=name)
        return split_list(";".join(value), name=name)
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"must be text or a list of text, got {type(value).__name__}", field=name)
    return split_list(value, name=name)


def _need(v: dict[str, Any], home_org: str, source: str) -> CapabilityNeedRecord:
    domain = _text(v, "operational_domain")
    return CapabilityNeedRecord(
        ref=_text(v, "ref", True),
        title=_text(v, "title", True),
        statement=_text(v, "statement"),
        operational_domain=check_enum(domain, OperationalDomain, "operational_domain") if domain else None,
        technology_areas=_list(v, "technology_areas"),
        priority=check_enum(_text(v, "priority"), Priority, "priority", default=Priority.MEDIUM),
        owner_ref=(_text(v, "owner") or home_org).upper(),
        source=_text(v, "source") or source,
        published_on=parse_date(_text(v, "published_on"), "published_on"),
    )


def _company(v: dict[str, Any], home_org: str, source: str) -> CompanyRecord:
    return CompanyRecord(
        ref=_text(v, "ref", True),
        legal_name=_text(v, "legal_name", True),
        aliases=_list(v, "aliases"),
        country=country_iso3(_text(v, "country"), "country"),
        eu_pic=_text(v, "eu_pic"),
        duns=_text(v, "duns"),
        uei=_text(v, "uei"),
        ncage=_text(v, "ncage"),
        sme=parse_bool(v.get("sme"), "sme"),
        website=_text(v, "website"),
        city=_text(v, "city"),
        source=_text(v, "source") or source,
    )


def _solution(v: dict[str, Any], home_org: str, source: str) -> SolutionRecord:
    year = _text(v, "year")
    if year is not None and not (year.isdigit() and 1950 <= int(year) <= 2100):
        raise ValidationError(f"must be a year such as 2024, got {year!r}", field="year")
    return SolutionRecord(
        ref=_text(v, "ref", True),
        company_ref=_text(v, "company", True),
        name=_text(v, "name", True),
        description=_text(v, "description"),
        technology_areas=_list(v, "technology_areas"),
        trl=check_level(v.get("trl"), "trl", TRL_RANGE),
        mrl=check_level(v.get("mrl"), "mrl", MRL_RANGE),
        cots=bool(parse_bool(v.get("cots"), "cots")),
        dual_use=parse_bool(v.get("dual_use"), "dual_use"),
        source=_text(v, "source") or source,
        year=int(year) if year else None,
        need_ref=_text(v, "need"),
    )


def _centre(v: dict[str, Any], home_org: str, source: str) -> TestCentreRecord:
    name = _text(v, "name", True)
    country = country_iso3(_text(v, "country", True), "country")
    return TestCentreRecord(
        ref=_text(v, "ref") or f"{slug(name)}-{country.lower()}",
        name=name,
        centre_type=check_enum(_text(v, "type", True), CentreType, "type"),
        country=country,
        city=_text(v, "city"),
        operator=_text(v, "operator"),
        domains=_list(v, "domains"),
        capabilities=_list(v, "capabilities"),
        source=_text(v, "source") or source,
        notes=_text(v, "notes"),
    )


PARSERS: dict[str, Callable[[dict[str, Any], str, str], Any]] = {
    "needs": _need, "companies": _company, "solutions": _solution, "centres": _centre,
}
TARGET = {"needs": "needs", "companies": "companies", "solutions": "solutions", "centres": "centres"}


def read_user_file(kind: str, path: Path, *, home_org: str, skip_invalid: bool = False) -> Batch:
    """Read a user's CSV, JSON (array) or JSON Lines file of ``kind`` records.

    Args:
        kind: one of ``needs``, ``companies``, ``solutions``, ``centres``.
        path: the file; the format follows the suffix (``.csv``, ``.json``, ``.jsonl``, each
            optionally ``.gz``).
        home_org: the owner of needs that name none.
        skip_invalid: collect bad rows in ``batch.rejects`` instead of failing.

    Raises:
        ValidationError: unknown kind or format, a bad file, a missing required column or key, a
            bad value, or a duplicate ref; with file, line and field.
    """
    if kind not in KINDS:
        raise ValidationError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}", field="kind")
    name = path.name.lower().removesuffix(".gz")
    if path.is_dir():
        raise ValidationError("is a folder; give the file to import", file=str(path))
    collector = RowCollector(str(path), skip_invalid)
    if name.endswith(".csv"):
        csv_rows = read_csv(path, REQUIRED[kind], lower_header=True)
        header = list(csv_rows[0].values) if csv_rows else []
        unknown = [c for c in header if c not in KNOWN[kind]]
        if unknown:
            raise ValidationError(
                f"unknown column {unknown[0]!r} for {kind}; the columns are: {', '.join(KNOWN[kind])}",
                file=str(path), line=1, field=unknown[0])
        rows = [(r.line, r.values) for r in csv_rows]
    elif name.endswith(".jsonl"):
        rows = read_jsonl(path)
    elif name.endswith(".json"):
        rows = read_json_array(path)
    else:
        raise ValidationError("unknown file format: use .csv, .json or .jsonl", file=str(path))
    if not rows:
        raise ValidationError(f"holds no {kind}: the file has no rows after its header", file=str(path))
    batch = Batch()
    out = getattr(batch, TARGET[kind])
    seen: dict[str, int] = {}
    seen_pics: dict[str, int] = {}
    parser = PARSERS[kind]
    for line, values in rows:

        def parse():
            if not name.endswith(".csv"):
                missing = [c for c in REQUIRED[kind] if c not in values]
                if missing:
                    raise ValidationError("is missing", field=missing[0])
                unknown = [c for c in values if c not in KNOWN[kind]]
                if unknown:
                    raise ValidationError(f"unknown key for {kind}; the keys are: {', '.join(KNOWN[kind])}", field=unknown[0])
            record = parser(values, home_org, USER_SOURCE)
            if record.ref in seen:
                raise ValidationError(f"duplicate ref {record.ref!r} (first on line {seen[record.ref]})", field="ref")
            pic = getattr(record, "eu_pic", None)
            if pic and pic in seen_pics:
                raise ValidationError(f"duplicate eu_pic {pic!r} (first on line {seen_pics[pic]})", field="eu_pic")
            return record

        record = collector.parse(line, parse, values)
        if record is not None:
            seen[record.ref] = line
            if getattr(record, "eu_pic", None):
                seen_pics[record.eu_pic] = line
            batch.origins[(kind, record.ref)] = (str(path), line)
            out.append(record)
    batch.rejects = collector.rejects
    return batch
