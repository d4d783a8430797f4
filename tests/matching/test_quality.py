"""Ranking quality on the real ground truth (each EDF project's call), with the library on the bundled data."""

from __future__ import annotations

import pytest

from rapid_adoption.ingest.edf import read_edf
from rapid_adoption.ingest.sbir import read_sbir
from rapid_adoption.matching import SETTINGS, CorpusIndex, first_hit, summarise, tokenize
from rapid_adoption.services.imports import bundled_dir

MEASURED = {"A": 0.965, "B": 0.988, "C": 0.710}
"""MRR of the shipped BM25 measured by benchmarks/matching.py (title weight 6, b 0.5, no stemming)."""
MARGIN = 0.005
"""Allowed drop below the measured figure before this test fails."""
BM25_REFERENCE = {"A": 0.965, "B": 0.988, "C": 0.622}
"""Plain bm25s with English stop words (the issue's reference figures, C as measured here)."""


@pytest.fixture(scope="module")
def data():
    edf, _ = read_edf(bundled_dir("edf"))
    sbir, _ = read_sbir(bundled_dir("sbir"))
    return edf.needs, edf.solutions, edf.solutions + sbir.solutions


def _index(docs):
    return CorpusIndex(list(range(len(docs))), [tokenize(t) for t, _ in docs], [tokenize(b) for _, b in docs])


@pytest.mark.slow
def test_mrr_stays_at_the_measured_figures_and_never_below_bm25(data):
    calls, projects, solutions = data
    call_pos = {c.ref: i for i, c in enumerate(calls)}
    calls_index = _index([(c.title, c.statement or "") for c in calls])
    a = [first_hit([k for k, _ in calls_index.rank(tokenize(p.name) + tokenize(p.description), 207)[0]],
                   [call_pos[p.need_ref]]) for p in projects]
    solutions_index = _index([(s.name, s.description or "") for s in solutions])
    answered = [(c, [i for i, p in enumerate(projects) if p.need_ref == c.ref]) for c in calls]
    answered = [(c, rel) for c, rel in answered if rel]
    b = [first_hit([k for k, _ in solutions_index.rank(tokenize(c.title) + tokenize(c.statement), 1000)[0]], rel)
         for c, rel in answered]
    c_ = [first_hit([k for k, _ in solutions_index.rank(tokenize(c.title), 1000)[0]], rel) for c, rel in answered]
    assert (len(a), len(b)) == (42, 41)
    for name, ranks in (("A", a), ("B", b), ("C", c_)):
        mrr = summarise(ranks)["MRR"]
        assert mrr >= MEASURED[name] - MARGIN, (name, mrr)
        assert mrr >= BM25_REFERENCE[name] - 0.01, (name, mrr)


def test_settings_are_the_frozen_ones():
    assert (SETTINGS.k1, SETTINGS.b, SETTINGS.title_weight) == (1.5, 0.5, 6)


def test_tokens_keep_non_english_words_and_drop_english_stop_words():
    assert tokenize("Défense aérienne: Überwachung and the counter-UAS") == [
        "défense", "aérienne", "überwachung", "counter", "uas"]
    assert tokenize("") == [] and tokenize(None) == [] and tokenize("a an the of") == []


def test_french_and_german_stop_words_go_only_from_french_and_german_sentences():
    assert tokenize("Lutte anti-drones: détection des drones") == ["lutte", "anti", "drones", "détection", "drones"]
    assert tokenize("Die Überwachung des Luftraums für die Truppe") == ["überwachung", "luftraums", "truppe"]
    # one sentence per language: each loses its own stop words only
    assert tokenize("Détection de drones pour les convois. The AI will die casting parts for the EU war effort.") == [
        "détection", "drones", "convois", "ai", "die", "casting", "parts", "eu", "war", "effort"]
    # words that are French or German stop words but English content words stay in English text
    assert tokenize("deployable autonomous ai agent") == ["deployable", "autonomous", "ai", "agent"]
    assert tokenize("man-portable air defence") == ["man", "portable", "air", "defence"]
