"""Why a candidate matched: the query terms it shares with the query, ordered by how much each adds to its BM25
score, and its best passages with them marked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from .text import FOREIGN_ONLY, STOP_WORDS, TOKEN, passages, stop_words_for


@dataclass(frozen=True)
class Segment:
    """A piece of a passage: its text, and whether it is a matched word (shown highlighted)."""

    text: str
    match: bool = False


@dataclass
class Explanation:
    """The evidence for one candidate.

    Attributes:
        terms: the matched words as the candidate writes them (lower case), the one adding most to the
            candidate's BM25 score first (at most 12).
        passages: at most ``max_passages`` passages (the title counts as one), each a list of segments.
    """

    terms: list[str] = field(default_factory=list)
    passages: list[list[Segment]] = field(default_factory=list)

    def as_dict(self) -> dict:
        """JSON-ready: ``{"terms": [...], "passages": [{"text": ..., "highlights": [[start, end], ...]}]}``,
        where each highlight is a character range of the passage's text."""
        out = []
        for segments in self.passages:
            text, spans, at = "", [], 0
            for s in segments:
                if s.match:
                    spans.append([at, at + len(s.text)])
                text += s.text
                at += len(s.text)
            out.append({"text": text, "highlights": spans})
        return {"terms": self.terms, "passages": out}


def _segments(passage: str, query_terms: frozenset[str], foreign: frozenset[str]) -> list[Segment]:
    """``passage`` cut into plain and matched pieces; ``foreign`` are the query terms that are French or German
    stop words, left unmarked when the passage is in that language."""
    segments: list[Segment] = []
    at = 0
    words = TOKEN.findall(passage.lower())
    stop = stop_words_for(passage) if foreign.intersection(words) else STOP_WORDS
    for m in TOKEN.finditer(passage):
        word = m.group(0).lower()
        if word in query_terms and word not in stop:  # index terms are the words themselves (no stemming)
            if m.start() > at:
                segments.append(Segment(passage[at:m.start()]))
            segments.append(Segment(m.group(0), True))
            at = m.end()
    if at < len(passage):
        segments.append(Segment(passage[at:]))
    return segments


def explain(query_terms, title: str, body: str | None, weights: Mapping[str, float] | None = None,
            max_passages: int = 2) -> Explanation:
    """The matched terms and best passages of a candidate.

    Args:
        query_terms: the query's index terms (as :func:`rapid_adoption.matching.text.tokenize` gives).
        title, body: the candidate's text.
        weights: optional weight per term: the term's part of this candidate's BM25 score
            (:meth:`rapid_adoption.matching.lexical.LexicalIndex.term_scores`). The terms are listed highest
            weight first (ties in alphabetical order), and the passages chosen are those whose matched terms
            weigh most. Without weights every term weighs 1.
        max_passages: how many passages at most; the title is one when it matches.

    Returns:
        An :class:`Explanation`; empty when nothing matches. Only the chosen passages are cut into segments,
        with the stop words of their own language left unmarked.
    """
    wanted = frozenset(query_terms)
    weight = (lambda t: weights.get(t, 0.0)) if weights else (lambda t: 1.0)
    scored = []
    found: set[str] = set()
    for position, passage in enumerate([title] + passages(body)):
        matched = wanted.intersection(TOKEN.findall(passage.lower()))  # index terms are the words (no stemming)
        if matched:
            found |= matched
            score = sum(weight(t) for t in matched) + (0.5 if position == 0 else 0.0)
            scored.append((-score, position, passage))
    scored.sort(key=lambda c: (c[0], c[1]))
    chosen = sorted(scored[:max_passages], key=lambda c: c[1])
    foreign = FOREIGN_ONLY.intersection(wanted)
    segments = [_segments(passage, wanted, foreign) for _score, _position, passage in chosen]
    ranked = sorted((t for t in found if not weights or weight(t) > 0), key=lambda t: (-weight(t), t))[:12]
    return Explanation(terms=ranked, passages=[s for s in segments if any(x.match for x in s)])
