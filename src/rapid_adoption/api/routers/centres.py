"""``/api/centres``: test centres, accelerator sites and test ranges."""

from __future__ import annotations

from ...services.catalogue import Filters
from .. import schemas
from ..schemas import Text
from ._catalogue import make_router


def centres_filters(text: Text | None = None, domain: Text | None = None, country: Text | None = None) -> Filters:
    """The filters of a test-centre list: words of the name, operator or notes, a domain word, the country."""
    return Filters(text=text, domain=domain, country=country)


router = make_router("centres", prefix="/centres", tag="Test centres", label="test centre", kind="centre",
                     row=schemas.CentreRow, record=schemas.Centre, create_model=schemas.CentreIn,
                     patch_model=schemas.CentrePatch, filters=centres_filters)
