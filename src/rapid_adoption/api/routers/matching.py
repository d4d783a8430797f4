"""``/api/needs/{id}/candidates`` and ``/api/solutions/{id}/needs``: ranked, explained matches."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from ...services import matching
from .. import problems
from ..deps import ActorDep, WorkspaceDep
from ..schemas import Text
from ._common import RecordId

router = APIRouter(tags=["Matching"])


class Passage(BaseModel):
    """A passage of the candidate, with the character ranges of its matched words."""

    text: str
    highlights: list[list[int]]


class Explanation(BaseModel):
    """Why a candidate matched: the matched words (the one adding most to the BM25 score first) and its best
    passages."""

    terms: list[str]
    passages: list[Passage]


class CompanyRef(BaseModel):
    """The company offering a solution."""

    ref: str
    legal_name: str
    country: str | None = None


class SolutionCandidate(BaseModel):
    """A ranked solution."""

    rank: int
    id: int
    ref: str
    name: str
    company: CompanyRef | None = None
    trl: int | None = None
    year: int | None = None
    technology_areas: list[str]
    score: float
    explanation: Explanation


class NeedCandidate(BaseModel):
    """A ranked capability need."""

    rank: int
    id: int
    ref: str
    title: str
    operational_domain: str | None = None
    technology_areas: list[str]
    owner: str
    score: float
    explanation: Explanation


class SolutionCandidates(BaseModel):
    """The solutions ranked for a need. ``total`` counts the visible solutions passing the filters that share a
    word with the need."""

    query: dict[str, Any]
    ranked: Literal["solutions"]
    total: int
    candidates: list[SolutionCandidate]


class NeedCandidates(BaseModel):
    """The needs ranked for a solution."""

    query: dict[str, Any]
    ranked: Literal["needs"]
    total: int
    candidates: list[NeedCandidate]


Top = Annotated[int, Query(ge=1, le=matching.MAX_TOP, description="How many candidates (1-100).")]
Trl = Annotated[int | None, Query(ge=1, le=9, description="TRL bound (1-9).")]


def solution_filters(top: Top = 20, technology_area: Text | None = None, trl_min: Trl = None, trl_max: Trl = None,
                     nation: Text | None = None) -> matching.MatchFilters:
    """Filters on ranked solutions: technology area, TRL range, the company's nation (ISO 3166-1)."""
    return matching.MatchFilters(top=top, technology_area=technology_area, trl_min=trl_min, trl_max=trl_max,
                                 nation=nation)


def need_filters(top: Top = 20, domain: Literal["land", "maritime", "air", "space", "cyber"] | None = None,
                 technology_area: Text | None = None, nation: Text | None = None) -> matching.MatchFilters:
    """Filters on ranked needs: operational domain, technology area, the owner's nation (ISO 3166-1)."""
    return matching.MatchFilters(top=top, domain=domain, technology_area=technology_area, nation=nation)


@router.get("/needs/{record_id}/candidates", response_model=SolutionCandidates, responses=problems.responses(404),
            summary="Rank solutions for a need")
def need_candidates(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep,
                    found: matching.MatchFilters = Depends(solution_filters)) -> Any:
    """The solutions you may see, ranked for the need (BM25 over title and description), each with the words and
    passages that matched. Hidden solutions are neither ranked nor counted; a hidden need is not found (404)."""
    return matching.candidates_for_need(ws, actor, str(record_id), found)


@router.get("/solutions/{record_id}/needs", response_model=NeedCandidates, responses=problems.responses(404),
            summary="Rank needs for a solution")
def solution_needs(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep,
                   found: matching.MatchFilters = Depends(need_filters)) -> Any:
    """The capability needs you may see, ranked for the solution, each with the words and passages that matched."""
    return matching.needs_for_solution(ws, actor, str(record_id), found)
