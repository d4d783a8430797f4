"""``/api/companies``: companies and research bodies."""

from __future__ import annotations

from ...services.catalogue import Filters
from .. import schemas
from ..schemas import Text
from ._catalogue import make_router


def companies_filters(text: Text | None = None, country: Text | None = None) -> Filters:
    """The filters of a companies list: words of the name or aliases, the country."""
    return Filters(text=text, country=country)


router = make_router("companies", prefix="/companies", tag="Companies", label="company", kind="company",
                     row=schemas.CompanyRow, record=schemas.Company, create_model=schemas.CompanyIn,
                     patch_model=schemas.CompanyPatch, filters=companies_filters)
