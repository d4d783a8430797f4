"""BM25 over the title and body of each document, with the title weighted above the body (``bm25s``).

Field weighting is done the way BM25F approximates it with one field: the title's terms are repeated
``title_weight`` times in the indexed text, so a title term counts that many times in the term frequency
and in the document length (Robertson, Zaragoza and Taylor, "Simple BM25 extension to multiple weighted
fields", CIKM 2004).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Collection, Sequence

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
            _postings_sorted(self.model.scores)

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
        counts = Counter(self.vocab[t] for t in query_terms if t in self.vocab)
        if not len(self.keys) or not counts:
            return np.zeros(len(self.keys), dtype=np.float32)
        # bm25s adds a term's column once per repeat; asking once per distinct term and multiplying by its
        # count gives the same sums with a third of the work on a long need (1,900 terms, 600 distinct)
        by_count: dict[int, list[int]] = {}
        for term_id, times in counts.items():
            by_count.setdefault(times, []).append(term_id)
        out = np.zeros(len(self.keys), dtype=np.float32)
        for times in sorted(by_count):
            part = self.model.get_scores(by_count[times])
            out += part if times == 1 else part * np.float32(times)
        if mask is not None:
            out = out * mask
        return out


    def term_scores(self, query_terms: Sequence[str], positions: Sequence[int],
                    present: Sequence[Collection[str]] | None = None) -> list[dict[str, float]]:
        """Each query term's part of the BM25 score of the documents at ``positions``.

        A term's part in a document is its BM25 weight there (``bm25s``'s precomputed score of that term and
        document) times the number of times the query holds it, as ``bm25s`` sums the query's terms one by
        one; the parts of a document's terms add up to its :meth:`scores`.

        Args:
            query_terms: the query's terms (repeats count).
            positions: document positions in index order (0-based), e.g. the top candidates'.
            present: optionally, the terms each of those documents holds (one collection per position); only
                those are looked up, which saves most of the work for a long query.

        Returns:
            One dict per position, ``{term: part}``, for the query terms the document holds.
        """
        wanted = np.asarray(positions, dtype=np.int64)
        out: list[dict[str, float]] = [{} for _ in range(len(wanted))]
        if not len(self.keys) or not len(wanted):
            return out
        counts = Counter(t for t in query_terms if t in self.vocab)
        holders: dict[str, list[int]] = {}
        if present is None:
            holders = {term: list(range(len(wanted))) for term in counts}
        else:
            for i, terms in enumerate(present):
                for term in counts.keys() & set(terms):
                    holders.setdefault(term, []).append(i)
        data, indices, indptr = (self.model.scores[k] for k in ("data", "indices", "indptr"))
        for term, rows in holders.items():
            start, end = int(indptr[self.vocab[term]]), int(indptr[self.vocab[term] + 1])
            if end == start:
                continue
            docs = indices[start:end]  # ascending (see _postings_sorted)
            at = np.minimum(np.searchsorted(docs, wanted[rows]), len(docs) - 1)
            hit = docs[at] == wanted[rows]
            for row, weight in zip(np.asarray(rows)[hit].tolist(), data[start + at[hit]].tolist()):
                out[row][term] = weight * counts[term]
        return out

def _postings_sorted(scores: dict) -> None:
    """Make sure each term's documents in ``bm25s``'s score matrix (CSC: ``data``, ``indices``, ``indptr``)
    are in ascending order, as :meth:`LexicalIndex.term_scores` searches them; sort them if a ``bm25s``
    version ever builds them otherwise (one O(n) check in the usual case)."""
    indices, indptr = scores["indices"], scores["indptr"]
    if len(indices) < 2:
        return
    ascending = np.diff(indices) > 0
    starts = indptr[1:-1]
    ascending[starts[(starts > 0) & (starts < len(indices))] - 1] = True  # a new term starts: no order across
    if ascending.all():
        return
    terms = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    order = np.lexsort((indices, terms))
    scores["indices"], scores["data"] = indices[order], scores["data"][order]


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
