"""Retrieval metrics: Recall@k and mean reciprocal rank (MRR) over queries with known relevant keys."""

from __future__ import annotations

from typing import Iterable, Sequence


def first_hit(ranking: Sequence[int], relevant: Iterable[int]) -> int | None:
    """The 1-based rank of the first relevant key in ``ranking``, or None when none is there."""
    wanted = set(relevant)
    return next((i for i, key in enumerate(ranking, start=1) if key in wanted), None)


def summarise(ranks: Sequence[int | None], cutoffs: Sequence[int] = (1, 5, 10)) -> dict[str, float]:
    """Recall@k (the share of queries with a relevant key in the top k) and MRR (mean of 1/first rank, 0 when
    missing), from the first-hit rank of each query.

    Returns:
        e.g. ``{"R@1": 0.95, "R@5": 1.0, "R@10": 1.0, "MRR": 0.97}``; all 0.0 for no queries.
    """
    n = len(ranks)
    out = {f"R@{k}": (sum(1 for r in ranks if r is not None and r <= k) / n if n else 0.0) for k in cutoffs}
    out["MRR"] = sum(1.0 / r for r in ranks if r) / n if n else 0.0
    return out
