"""The in-memory retrieval index of one kind of record (needs or solutions), built from persisted terms.

The frozen ranking settings live here (:data:`SETTINGS`), chosen on the public data by the procedure in
``benchmarks/matching.py`` (a grid over stemming, title weight and BM25 ``b``, keeping the best mean MRR over
settings A, B and C) and not tuned by hand afterwards.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .lexical import LexicalIndex, LexicalSettings, top_k
from .text import tokenize

SETTINGS = LexicalSettings(k1=1.5, b=0.5, title_weight=6)
"""The shipped BM25 settings (see the module docstring for how they were chosen)."""
KINDS = ("need", "solution")
"""What can be indexed: capability needs and solutions."""


def index_terms(text: str | None) -> str:
    """The index terms of ``text`` as one space-separated string (as stored in ``match_terms``)."""
    return " ".join(tokenize(text))


class CorpusIndex:
    """BM25 over documents given as keys with title and body terms.

    Args:
        keys: record ids, ascending (the order ties fall back on).
        titles, bodies: each document's terms.
        settings: BM25 settings (default :data:`SETTINGS`).
    """

    def __init__(self, keys: Sequence[int], titles: Sequence[Sequence[str]], bodies: Sequence[Sequence[str]],
                 settings: LexicalSettings = SETTINGS) -> None:
        self.titles = list(titles)
        self.bodies = list(bodies)
        self.settings = settings
        self.lexical = LexicalIndex(keys, self.titles, self.bodies, settings)
        self.keys = self.lexical.keys

    def __len__(self) -> int:
        """The number of documents."""
        return len(self.keys)

    def subset(self, keep: np.ndarray) -> "CorpusIndex":
        """A new index over the documents where the boolean array ``keep`` is True (statistics from those only)."""
        idx = np.flatnonzero(keep)
        return CorpusIndex([int(self.keys[i]) for i in idx], [self.titles[i] for i in idx],
                           [self.bodies[i] for i in idx], self.settings)

    def terms_of(self, key: int) -> list[str]:
        """The title and body terms of the document ``key`` (the query when ranking from a record).

        Raises:
            KeyError: no document has that key.
        """
        i = self.lexical.position[int(key)]
        return list(self.titles[i]) + list(self.bodies[i])

    def rank(self, query_terms: Sequence[str], k: int,
             eligible: np.ndarray | None = None) -> tuple[list[tuple[int, float]], int]:
        """The ``k`` best documents for ``query_terms``, and how many eligible documents score above 0.

        Args:
            query_terms: the query's terms.
            k: how many at most.
            eligible: optional boolean array (one per document); others are never ranked or counted.

        Returns:
            ``([(key, score), ...] best first, ties to the smaller key; total matching)``.
        """
        scores = self.lexical.scores(query_terms)
        positive = scores > 0
        if eligible is not None:
            positive &= eligible
        return top_k(scores, self.keys, k, positive), int(positive.sum())

    def term_scores(self, query_terms: Sequence[str], keys: Sequence[int]) -> list[dict[str, float]]:
        """Each query term's part of the BM25 score of the documents ``keys`` (see
        :meth:`rapid_adoption.matching.lexical.LexicalIndex.term_scores`): one ``{term: part}`` per key.

        Raises:
            KeyError: no document has one of the keys.
        """
        positions = [self.lexical.position[int(k)] for k in keys]
        present = [set(self.titles[i]).union(self.bodies[i]) for i in positions]
        return self.lexical.term_scores(query_terms, positions, present)
