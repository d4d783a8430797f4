"""Why a candidate matched: the query terms it shares with the query, and its best passages with them marked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from .text import TOKEN, STOP_WORDS, passages, stem


@dataclass(frozen=True)
class Segment:
    """A piece of a passage: its text, and whether it is a matched word (shown highlighted)."""

    text: str
    match: bool = False


@dataclass
class Explanation:
    """The evidence for one candidate.

    Attributes:
        terms: the matched words as the candidate writes them, rarest first (at most 12).
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


def _segments(passage: str, query_terms: frozenset[str]) -> tuple[list[Segment], set[str], dict[str, str]]:
    segments: list[Segment] = []
    matched: set[str] = set()
    surface: dict[str, str] = {}
    at = 0
    for m in TOKEN.finditer(passage):
        word = m.group(0).lower()
        if word in STOP_WORDS:
            continue
        term = stem(word)
        if term in query_terms:
            if m.start() > at:
                segments.append(Segment(passage[at:m.start()]))
            segments.append(Segment(m.group(0), True))
            at = m.end()
            matched.add(term)
            surface.setdefault(term, word)
    if at < len(passage):
        segments.append(Segment(passage[at:]))
    return segments, matched, surface


def explain(query_terms, title: str, body: str | None, weights: Mapping[str, float] | None = None,
            max_passages: int = 2) -> Explanation:
    """The matched terms and best passages of a candidate.

    Args:
        query_terms: the query's index terms (stemmed, as :func:`rapid_adoption.matching.text.tokenize` gives).
        title, body: the candidate's text.
        weights: optional weight per term (its IDF); rarer terms rank first, and weigh more in choosing passages.
        max_passages: how many passages at most; the title is one when it matches.

    Returns:
        An :class:`Explanation`; empty when nothing matches.
    """
    wanted = frozenset(query_terms)
    weight = (lambda t: weights.get(t, 0.0)) if weights else (lambda t: 1.0)
    candidates = []
    found: dict[str, str] = {}
    for position, passage in enumerate([title] + passages(body)):
        segments, matched, surface = _segments(passage, wanted)
        for term, word in surface.items():
            found.setdefault(term, word)
        if matched:
            score = sum(weight(t) for t in matched) + (0.5 if position == 0 else 0.0)
            candidates.append((-score, position, segments))
    candidates.sort(key=lambda c: (c[0], c[1]))
    chosen = sorted(candidates[:max_passages], key=lambda c: c[1])
    terms = sorted(found, key=lambda t: (-weight(t), found[t]))[:12]
    return Explanation(terms=[found[t] for t in terms], passages=[c[2] for c in chosen])
