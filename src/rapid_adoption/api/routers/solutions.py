"""``/api/solutions``: solutions that companies offer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from ...services.catalogue import Filters
from .. import schemas
from ..schemas import Text
from ._catalogue import make_router


def solutions_filters(text: Text | None = None, country: Text | None = None,
                      trl_min: Annotated[int | None, Query(ge=1, le=9)] = None,
                      trl_max: Annotated[int | None, Query(ge=1, le=9)] = None) -> Filters:
    """The filters of a solutions list: words of the name or description, the company's country, a TRL range."""
    return Filters(text=text, country=country, trl_min=trl_min, trl_max=trl_max)


router = make_router("solutions", prefix="/solutions", tag="Solutions", label="solution", kind="solution",
                     row=schemas.SolutionRow, record=schemas.Solution, create_model=schemas.SolutionIn,
                     patch_model=schemas.SolutionPatch, filters=solutions_filters)
