"""Text for retrieval: tokens (lower case, Unicode words, stop words out) and passages.

The tokenizer is the one ``bm25s.tokenize`` uses (the pattern ``(?u)\\b\\w\\w+\\b``). Stemming (English
Snowball) was measured and left out: it lowered setting B's MRR from 0.988 to 0.976 (``benchmarks/matching.py``).
Words of other languages are kept as they are: ``\\w`` is Unicode-aware, so ``défense`` and ``Überwachung``
are words.

Stop words: ``bm25s``'s English list everywhere, and ``bm25s``'s French or German list (NLTK's, from the
Snowball project) in a sentence written in French or German. The EDF data has such text (one call,
EDF-2026-DA-SPACE-PRS-STEP, is in French), and a user may type a need in either language. The French and
German lists are not applied to every sentence, because many of their words are English content words of
this domain: ``ai`` (French "have", English AI), ``eu``, ``war`` (German "was"), ``man``, ``die``. A sentence's
language is found only when it holds a French or German stop word that is not an English one, by
``py3langid`` (the langid.py naive Bayes model, restricted to English, French and German); a sentence is
taken as French or German when that is the most likely of the three with probability 0.95 or more
(:data:`FOREIGN_MIN_PROBABILITY`), and as English otherwise.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass

from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_FRENCH, STOPWORDS_GERMAN

TOKEN = re.compile(r"(?u)\b\w\w+\b")
"""A word: two or more Unicode word characters (``bm25s``'s default token pattern)."""
STOP_WORDS = frozenset(STOPWORDS_EN)
"""``bm25s``'s English stop words (33 words: a, an, and, are, as, at, be, but, by, for, ...), dropped everywhere."""
STOP_WORDS_BY_LANGUAGE = {
    "en": STOP_WORDS,
    "fr": STOP_WORDS | frozenset(STOPWORDS_FRENCH),
    "de": STOP_WORDS | frozenset(STOPWORDS_GERMAN),
}
"""The stop words dropped from a sentence in each language (ISO 639-1): English's, plus ``bm25s``'s French
(157 words) or German (232 words) list (NLTK's, from the Snowball project)."""
FOREIGN_MIN_PROBABILITY = 0.95
"""A sentence is French or German when ``py3langid`` gives that language at least this probability among
English, French and German. It is high on purpose: taking an English sentence for French drops English words
(``"deployable autonomous ai agent"`` is French at 0.90 and would lose ``ai``), while taking a French sentence
for English only keeps a few common words, which BM25 weighs little anyway."""
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
FOREIGN_ONLY = (STOP_WORDS_BY_LANGUAGE["fr"] | STOP_WORDS_BY_LANGUAGE["de"]) - STOP_WORDS
"""The French and German stop words that are not English ones: only a sentence holding one of them has its
language looked for."""
_IDENTIFIER: list = []
_IDENTIFIER_LOCK = threading.Lock()


def _identifier():
    """The ``py3langid`` identifier restricted to en, fr and de, loaded once (about 0.8 s) on first need."""
    if not _IDENTIFIER:
        with _IDENTIFIER_LOCK:
            if not _IDENTIFIER:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(["en", "fr", "de"])
                _IDENTIFIER.append(identifier)
    return _IDENTIFIER[0]


def sentence_language(sentence: str, sentence_words: list[str] | None = None) -> str:
    """The language of one sentence for stop-word removal: ``"en"``, ``"fr"`` or ``"de"``.

    Args:
        sentence: the sentence's text (any case).
        sentence_words: its lower-case words, when the caller has them already.

    Returns:
        ``"en"`` unless the sentence holds a French or German stop word that is not an English one and
        ``py3langid`` finds French or German with probability 0.95 or more (see the module docstring).
    """
    found = sentence_words if sentence_words is not None else TOKEN.findall(sentence.lower())
    if FOREIGN_ONLY.isdisjoint(found):
        return "en"
    return _classified(sentence.lower())


@functools.lru_cache(maxsize=8192)
def _classified(sentence: str) -> str:
    """``py3langid``'s verdict on a lower-case sentence, kept for the sentences seen most recently (the same
    passages come back in explanations, query after query)."""
    language, probability = _identifier().classify(sentence)
    return language if language != "en" and probability >= FOREIGN_MIN_PROBABILITY else "en"


def stop_words_for(sentence: str) -> frozenset[str]:
    """The stop words to drop from ``sentence``: English's, plus French's or German's when it is in that language."""
    return STOP_WORDS_BY_LANGUAGE[sentence_language(sentence)]


def words(text: str | None) -> list[str]:
    """The lower-case words of ``text`` that are not stop words, unstemmed, in order (``None`` gives ``[]``).

    English stop words go everywhere; French or German ones only from the sentences in that language, so
    ``"Lutte anti-drones: détection des drones"`` gives ``lutte, anti, drones, détection, drones``, while
    ``"AI for the EU"`` keeps ``ai`` and ``eu``.
    """
    if not text:
        return []
    lowered = text.lower()
    found = TOKEN.findall(lowered)
    if FOREIGN_ONLY.isdisjoint(found):
        return [w for w in found if w not in STOP_WORDS]
    out: list[str] = []
    for sentence in SENTENCE_END.split(lowered):
        sentence_words = TOKEN.findall(sentence)
        stop = STOP_WORDS_BY_LANGUAGE[sentence_language(sentence, sentence_words)]
        out.extend(w for w in sentence_words if w not in stop)
    return out


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
