"""Pinned JSON-LD contexts and the offline document loader that serves them to pyld.

A badge is canonicalised (RDFC-1.0) against JSON-LD contexts named by URL in its ``@context``. A verifier that
fetched those URLs would trust whatever the network returned, and would not work offline. This module serves the
contexts bundled in ``badges/contexts/`` (see ``PROVENANCE.md`` there), pinned by URL, and refuses every other URL
with :class:`ContextNotPinned`. It never opens a socket.

Contexts bundled (URL -> file):

- ``https://www.w3.org/ns/credentials/v2`` -> ``credentials-v2.jsonld`` (VC Data Model 2.0)
- ``https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json`` -> ``openbadges-context-3.0.3.json`` (Open Badges 3.0)
- ``https://w3id.org/security/multikey/v1`` -> ``multikey-v1.jsonld``
- ``https://w3id.org/security/data-integrity/v2`` -> ``data-integrity-v2.jsonld``
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from pyld.context_resolver import ContextResolver

from rapid_adoption.domain.errors import ValidationError

CONTEXTS_DIR = Path(__file__).parent / "contexts"

VC_V2_URL = "https://www.w3.org/ns/credentials/v2"
OB_V3P0_URL = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_V1_URL = "https://w3id.org/security/multikey/v1"
DATA_INTEGRITY_V2_URL = "https://w3id.org/security/data-integrity/v2"

PINNED_CONTEXT_FILES: Mapping[str, str] = {
    VC_V2_URL: "credentials-v2.jsonld",
    OB_V3P0_URL: "openbadges-context-3.0.3.json",
    MULTIKEY_V1_URL: "multikey-v1.jsonld",
    DATA_INTEGRITY_V2_URL: "data-integrity-v2.jsonld",
}


class ContextNotPinned(ValidationError):
    """A document names a JSON-LD context (or other remote document) that is not pinned.

    Raised by :class:`PinnedDocumentLoader` instead of fetching. ``url`` is the refused URL; the message says
    "JSON-LD context URL is not pinned (never fetched): URL" and lists nothing else, so it is safe to show.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(f"JSON-LD context URL is not pinned (never fetched): {url}", field="@context")


@lru_cache(maxsize=None)
def _read_bundled(filename: str) -> str:
    return (CONTEXTS_DIR / filename).read_text(encoding="utf-8")


def load_pinned_context(url: str) -> dict[str, Any]:
    """The parsed JSON of the bundled context pinned at ``url``.

    Args:
        url: one of the keys of :data:`PINNED_CONTEXT_FILES` (exact string, no normalisation).

    Returns:
        a fresh dict (the caller may change it) with the context document, e.g. ``{"@context": {...}}``.

    Raises:
        ContextNotPinned: when ``url`` is not pinned.
    """
    filename = PINNED_CONTEXT_FILES.get(url)
    if filename is None:
        raise ContextNotPinned(url)
    return json.loads(_read_bundled(filename))


class PinnedDocumentLoader:
    """A pyld document loader that serves pinned contexts by URL and refuses any other URL, never fetching.

    Use an instance as pyld's ``documentLoader`` option, and pass :meth:`context_resolver` as its
    ``contextResolver`` option so that contexts are processed once per loader (pyld's own resolved-context cache is
    process-wide and keyed by URL only: sharing it between loaders with different pins would let one loader see a
    context that only another serves).

    Args:
        extra: more documents to serve, as ``{url: document}`` where a document is a dict (the parsed JSON) or a
            ``Path`` to a JSON file. Tests use this for the W3C vectors' example contexts; production code passes
            nothing. An extra URL may not replace a pinned one (``ValueError``).
        include_pinned: False serves only ``extra`` (for a loader that must not know the bundled contexts).

    Calling ``loader(url, options=None)`` returns pyld's remote-document dict
    ``{"contextUrl": None, "documentUrl": url, "document": dict, "tag": "static"}`` and raises
    :class:`ContextNotPinned` for any other URL. Instances are thread-safe.
    """

    def __init__(self, extra: Mapping[str, dict[str, Any] | Path] | None = None, *, include_pinned: bool = True) -> None:
        documents: dict[str, dict[str, Any]] = {}
        if include_pinned:
            for url in PINNED_CONTEXT_FILES:
                documents[url] = load_pinned_context(url)
        for url, document in (extra or {}).items():
            if url in documents:
                raise ValueError(f"extra context {url} would replace a pinned context")
            if isinstance(document, Path):
                document = json.loads(document.read_text(encoding="utf-8"))
            if not isinstance(document, dict):
                raise ValueError(f"extra context {url} is not a JSON object")
            documents[url] = document
        self._documents = documents
        self._cache: LRUCache = LRUCache(maxsize=256)
        self._lock = threading.Lock()

    @property
    def urls(self) -> tuple[str, ...]:
        """The URLs this loader serves, sorted."""
        return tuple(sorted(self._documents))

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Serve ``url`` (str) as pyld's remote-document dict; raise :class:`ContextNotPinned` if not served."""
        document = self._documents.get(url)
        if document is None:
            raise ContextNotPinned(url)
        # pyld may annotate what it is given: hand out a copy, never the stored one.
        return {"contextUrl": None, "documentUrl": url, "document": json.loads(json.dumps(document)), "tag": "static"}

    def document(self, url: str) -> dict[str, Any]:
        """The served document for ``url`` as a fresh dict; :class:`ContextNotPinned` when not served."""
        return self(url)["document"]

    def context_resolver(self) -> ContextResolver:
        """A pyld ``ContextResolver`` for one operation, caching processed contexts in this loader's own cache.

        The cache (at most 256 processed contexts) makes repeated canonicalisation fast; it only ever holds
        contexts that this loader served.
        """
        return ContextResolver(_LockedCache(self._cache, self._lock), self)


class _LockedCache:
    """A dict-like view of an LRU cache guarded by a lock (pyld calls get and item assignment only)."""

    def __init__(self, cache: LRUCache, lock: threading.Lock) -> None:
        self._cache = cache
        self._lock = lock

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            return self._cache.get(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        with self._lock:
            self._cache[key] = value


@lru_cache(maxsize=1)
def default_loader() -> PinnedDocumentLoader:
    """The process-wide loader serving exactly the bundled pinned contexts (:data:`PINNED_CONTEXT_FILES`)."""
    return PinnedDocumentLoader()
