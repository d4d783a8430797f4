"""Weighted reciprocal rank fusion (Cormack, Clarke and Buettcher, SIGIR 2009)."""

from __future__ import annotations

from typing import Sequence

RRF_K = 60
"""The rank constant of reciprocal rank fusion (60, as in the paper)."""


def rrf(rankings: Sequence[Sequence[int]], weights: Sequence[float], k: int = RRF_K) -> list[tuple[int, float]]:
    """Fuse ranked lists of keys: score(key) = sum over lists of weight / (k + rank), rank from 1.

    Args:
        rankings: each a list of keys, best first.
        weights: one non-negative weight per list.
        k: the rank constant.

    Returns:
        (key, fused score) pairs, best first; ties go to the smaller key.

    Raises:
        ValueError: a different number of rankings and weights.
    """
    if len(rankings) != len(weights):
        raise ValueError(f"{len(rankings)} rankings but {len(weights)} weights")
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights):
        if weight <= 0:
            continue
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
