"""Need-to-solution retrieval: BM25 with a weighted title (the shipped ranker), optional dense models, fusion,
explanations and the evaluation metrics. The workspace-facing use cases are in ``services/matching.py``."""

from .evaluate import first_hit, summarise
from .explain import Explanation, explain
from .fusion import rrf
from .index import KINDS, SETTINGS, CorpusIndex, index_terms
from .lexical import LexicalIndex, LexicalSettings
from .text import Document, passages, tokenize, words

__all__ = ["CorpusIndex", "Document", "Explanation", "KINDS", "LexicalIndex", "LexicalSettings", "SETTINGS",
           "explain", "first_hit", "index_terms", "passages", "rrf", "summarise", "tokenize", "words"]
