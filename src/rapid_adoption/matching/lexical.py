"""BM25 over the title and body of each document, with the title weighted above the body (``bm25s``).

Field weighting is done the way BM25F approximates it with one field: the title's terms are repeated
``title_weight`` times in the indexed text, so a title term counts that many times in the term frequency
and in the document length (Robertson, Zaragoza and Taylor, "Simple BM25 extension to multiple weighted
fields", CIKM 2004).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import bm25s
import numpy as np


@dataclass(frozen=True)
class LexicalSettings:
    """BM25 parameters.

    Attributes:
        k1: term-frequency saturation (``bm25s`` default 1.5).
        b: length normalisation, 0-1 (default 0.75).
        title_weight: how many times a title term counts, 1 or more.
    """

    k1: float = 1.5
    b: float = 0.75
    title_weight: int = 2


class LexicalIndex:
    """A BM25 index of documents given as (key, title terms, body terms).

    Args:
        keys: the documents' keys (record ids), one per document.
        titles, bodies: each document's title and body terms (from :func:`rapid_adoption.matching.text.tokenize`).
        settings: the BM25 parameters.
    """

    def __init__(self, keys: Sequence[int], titles: Sequence[Sequence[str]], bodies: Sequence[Sequence[str]],
                 settings: LexicalSettings = LexicalSettings()) -> None:
        self.settings = settings
        self.keys = np.asarray(keys, dtype=np.int64)
        self.position = {int(k): i for i, k in enumerate(self.keys)}
        corpus = [list(t) * settings.title_weight + list(b) for t, b in zip(titles, bodies)]
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(term, len(vocab)) for term in doc] for doc in corpus]
        self.vocab = vocab
        self.model = bm25s.BM25(k1=settings.k1, b=settings.b)
        if len(corpus):
            self.model.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)

    def __len__(self) -> int:
        """The number of documents."""
        return len(self.keys)

    def scores(self, query_terms: Sequence[str], mask: np.ndarray | None = None) -> np.ndarray:
        """The BM25 score of every document for ``query_terms`` (float32, one per document, in index order).

        Args:
            query_terms: the query's terms; a term that no document has adds nothing.
            mask: optional 0/1 array, one per document; a 0 document scores 0 (the sharing filter and the
                record filters are applied this way, before anything is ranked).
        """
        known = [self.vocab[t] for t in query_terms if t in self.vocab]
        if not len(self.keys) or not known:
            return np.zeros(len(self.keys), dtype=np.float32)
        out = self.model.get_scores(known)
        if mask is not None:
            out = out * mask
        return out


def top_k(scores: np.ndarray, keys: np.ndarray, k: int, eligible: np.ndarray | None = None) -> list[tuple[int, float]]:
    """The ``k`` best (key, score) pairs with a positive score, best first; ties go to the smaller key.

    Args:
        scores: one score per document.
        keys: the documents' keys, in the same order.
        k: how many at most.
        eligible: optional boolean array; documents where it is False are never returned.
    """
    candidate = scores > 0
    if eligible is not None:
        candidate &= eligible
    idx = np.flatnonzero(candidate)
    if len(idx) > k * 4 + 64:
        # keep every document tied with the k-th score, so the tie-break on the key stays exact
        kth = np.partition(scores[idx], len(idx) - k)[len(idx) - k]
        idx = idx[scores[idx] >= kth]
    order = sorted(idx.tolist(), key=lambda i: (-float(scores[i]), int(keys[i])))[:k]
    return [(int(keys[i]), float(scores[i])) for i in order]
