"""``/api/needs``: capability needs."""

from __future__ import annotations

from typing import Literal

from ...services.catalogue import Filters
from .. import schemas
from ..schemas import Text
from ._catalogue import make_router


def needs_filters(text: Text | None = None, domain: Literal["land", "maritime", "air", "space", "cyber"] | None = None,
                  country: Text | None = None) -> Filters:
    """The filters of a needs list: words of the title or statement, operational domain, the owner's nation."""
    return Filters(text=text, domain=domain, country=country)


router = make_router("needs", prefix="/needs", tag="Needs", label="capability need", kind="need",
                     row=schemas.NeedRow, record=schemas.Need, create_model=schemas.NeedIn,
                     patch_model=schemas.NeedPatch, filters=needs_filters)
