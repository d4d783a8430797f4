"""Text for retrieval: tokens (lower case, Unicode words, English stop words out) and passages.

The tokenizer is the one ``bm25s.tokenize`` uses (the pattern ``(?u)\\b\\w\\w+\\b`` and ``bm25s``'s English
stop-word list). Stemming (English Snowball) was measured and left out: it lowered setting B's MRR from
0.988 to 0.976 (``benchmarks/matching.py``). Words of other languages (the
EDF data has French, German, Italian and Spanish passages) are kept as they are: ``\\w`` is Unicode-aware,
so ``défense`` and ``Überwachung`` are words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bm25s.stopwords import STOPWORDS_EN

TOKEN = re.compile(r"(?u)\b\w\w+\b")
"""A word: two or more Unicode word characters (``bm25s``'s default token pattern)."""
STOP_WORDS = frozenset(STOPWORDS_EN)
"""``bm25s``'s English stop words (33 words: a, an, and, are, as, at, be, but, by, for, ...)."""
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def stem(word: str) -> str:
    """The index term of a lower-case word: the word itself (no stemming; see the module docstring)."""
    return word


def words(text: str | None) -> list[str]:
    """The lower-case words of ``text`` that are not stop words, unstemmed, in order (``None`` gives ``[]``)."""
    if not text:
        return []
    return [w for w in TOKEN.findall(text.lower()) if w not in STOP_WORDS]


def tokenize(text: str | None) -> list[str]:
    """The index terms of ``text``: its :func:`words`, in order (``None`` or blank gives ``[]``)."""
    return words(text)


@dataclass(frozen=True)
class Document:
    """A record as the index sees it.

    Attributes:
        key: the record's id (an integer primary key).
        title: the need's title or the solution's name (weighted above the body).
        body: the need's statement or the solution's description; may be empty.
    """

    key: int
    title: str
    body: str = ""


def passages(text: str | None, max_chars: int = 240) -> list[str]:
    """``text`` cut into sentences (at ``. ! ? ;`` followed by space, or a line break), each at most ``max_chars``.

    A longer sentence is cut at the last space before ``max_chars``. Blank pieces are dropped.
    """
    out: list[str] = []
    for piece in SENTENCE_END.split(text or ""):
        piece = " ".join(piece.split())
        while len(piece) > max_chars:
            cut = piece.rfind(" ", 0, max_chars)
            cut = cut if cut > 0 else max_chars
            out.append(piece[:cut])
            piece = piece[cut:].strip()
        if piece:
            out.append(piece)
    return out
