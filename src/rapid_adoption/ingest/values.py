"""Parsing cell values: dates, booleans, numbers and country codes."""

from __future__ import annotations

from datetime import date, datetime

import pycountry

from ..domain.errors import ValidationError

# The EU's own two-letter codes that differ from ISO 3166-1 (EU Interinstitutional Style Guide, 7.1).
_EU_CODES = {"EL": "GRC", "UK": "GBR"}


def parse_date(text: str | None, name: str, formats: tuple[str, ...] = ("%Y-%m-%d",)) -> date | None:
    """Parse a date in one of ``formats`` (default ISO 8601 ``YYYY-MM-DD``); empty gives None.

    Raises:
        ValidationError: unparseable, e.g. "is not a date (expected YYYY-MM-DD), got '2023-13-01'".
    """
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    shown = " or ".join(f.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD").replace("%B", "Month") for f in formats)
    raise ValidationError(f"is not a date (expected {shown}), got {text!r}", field=name)


def parse_bool(text: str | bool | None, name: str) -> bool | None:
    """Parse true/false, yes/no, 1/0 (any case); empty gives None.

    Raises:
        ValidationError: anything else.
    """
    if text is None or isinstance(text, bool):
        return text
    value = str(text).strip().lower()
    if not value:
        return None
    if value in ("true", "yes", "y", "1"):
        return True
    if value in ("false", "no", "n", "0"):
        return False
    raise ValidationError(f"must be true or false, got {text!r}", field=name)


def parse_float(text: str | float | None, name: str) -> float | None:
    """Parse a decimal number; empty gives None.

    Raises:
        ValidationError: not a number.
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        return float(str(text).strip())
    except ValueError:
        raise ValidationError(f"must be a number, got {text!r}", field=name) from None


def country_iso3(code: str | None, name: str = "country") -> str | None:
    """Turn an ISO 3166-1 alpha-2 or alpha-3 code into alpha-3 (EU codes EL and UK accepted); empty gives None.

    Source: ISO 3166-1 via the ``pycountry`` package.

    Raises:
        ValidationError: not a known country code.
    """
    if code is None or not str(code).strip():
        return None
    given = str(code).strip()
    code = given.upper()
    if code in _EU_CODES:
        return _EU_CODES[code]
    country = None
    if len(code) == 2:
        country = pycountry.countries.get(alpha_2=code)
    elif len(code) == 3:
        country = pycountry.countries.get(alpha_3=code)
    if country is None:
        raise ValidationError(f"is not an ISO 3166-1 country code, got {given!r}", field=name)
    return country.alpha_3
