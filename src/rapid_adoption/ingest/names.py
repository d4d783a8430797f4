"""Company name normalisation and fuzzy merging of firm names (SBIR awards name one firm many ways).

Exact part: ``rapidfuzz.utils.default_process`` (lower case, punctuation to spaces), then legal-form
words at the end ("Inc", "LLC", "Corp", ...) are dropped, so "ACME, INC." and "Acme Inc" share a key.
Fuzzy part: keys whose ``rapidfuzz.fuzz.ratio`` is at least :data:`FUZZY_THRESHOLD` and that share
their first word are merged (union-find), which catches typos such as "Technologies" vs
"Technolgies" but keeps "Physical Optics" apart from "Physical Sciences".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

LEGAL_FORMS = frozenset(
    {
        "inc", "incorporated", "llc", "l", "c", "lc", "corp", "corporation", "co", "company", "ltd", "limited",
        "lp", "llp", "plc", "pc", "pllc", "the", "dba", "sa", "sas", "spa", "gmbh", "ag", "bv", "nv", "ab", "as", "oy",
    }
)
ABBREVIATIONS = {
    "assoc": "associates", "assocs": "associates", "intl": "international", "natl": "national",
    "mfg": "manufacturing", "labs": "laboratories", "lab": "laboratory", "svcs": "services", "engr": "engineering",
}
"""Abbreviations expanded before comparing (common in truncated SBIR firm names)."""
FUZZY_THRESHOLD = 95.0
"""Minimum ``fuzz.ratio`` (0-100) for two normalised names to merge; chosen on the SBIR firm list."""
MIN_FUZZY_LENGTH = 10
"""Keys shorter than this merge only exactly: short names differ by one letter too often."""


def name_key(name: str) -> str:
    """The normalised key of a company name: lower case, no punctuation, no trailing legal form, no "and".

    >>> name_key("ACME, INC.") == name_key("Acme Inc") == "acme"
    True
    """
    words = default_process(name.replace("&", " and ")).split()
    words = [ABBREVIATIONS.get(w, w) for w in words if w != "and"]
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    while len(words) > 1 and words[0] == "the":
        words.pop(0)
    return " ".join(words)


@dataclass(frozen=True)
class NameClusters:
    """Result of merging firm names.

    Attributes:
        key_of: each input spelling -> its cluster key (the canonical spelling's normalised key).
        canonical: cluster key -> canonical spelling (the most frequent; ties go to the
            alphabetically first).
        spellings: cluster key -> every spelling in the cluster, sorted.
        exact_merges: spellings folded by the exact key (count of spellings minus count of keys).
        fuzzy_merges: keys folded by fuzzy matching.
    """

    key_of: dict[str, str]
    canonical: dict[str, str]
    spellings: dict[str, list[str]]
    exact_merges: int
    fuzzy_merges: int

    @property
    def merged(self) -> int:
        """How many spellings were merged into another in all."""
        return self.exact_merges + self.fuzzy_merges


def cluster_names(names: list[str], threshold: float = FUZZY_THRESHOLD) -> NameClusters:
    """Merge spellings of the same company.

    Args:
        names: firm names as they occur (repeats count towards picking the canonical spelling).
        threshold: the fuzzy ratio (0-100) at or above which two keys merge.

    Returns:
        The clusters; the result is deterministic for the same input.
    """
    counts = Counter(n.strip() for n in names if n and n.strip())
    by_key: dict[str, list[str]] = defaultdict(list)
    for spelling in sorted(counts):
        by_key[name_key(spelling)].append(spelling)
    keys = sorted(by_key)
    parent = {k: k for k in keys}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    fuzzy = 0
    blocks: dict[str, list[str]] = defaultdict(list)
    for k in keys:
        if len(k) >= MIN_FUZZY_LENGTH:
            blocks[k.split()[0]].append(k)
    for block in blocks.values():
        if len(block) < 2:
            continue
        for i, key in enumerate(block[:-1]):
            later = block[i + 1 :]
            for _match, _score, j in process.extract(key, later, scorer=fuzz.ratio, score_cutoff=threshold, limit=None):
                a, b = find(key), find(later[j])
                if a != b:
                    parent[max(a, b)] = min(a, b)
                    fuzzy += 1
    members: dict[str, list[str]] = defaultdict(list)
    for k in keys:
        members[find(k)].extend(by_key[k])
    key_of: dict[str, str] = {}
    canonical: dict[str, str] = {}
    spellings: dict[str, list[str]] = {}
    for root, group in members.items():
        best = sorted(group, key=lambda s: (-counts[s], s))[0]
        cluster_key = name_key(best)
        canonical[cluster_key] = best
        spellings[cluster_key] = sorted(group)
        for s in group:
            key_of[s] = cluster_key
    exact = len(counts) - len(keys)
    return NameClusters(key_of, canonical, spellings, exact, fuzzy)
