"""Retrieval quality and speed on real ground truth: each EDF project's ``call_identifier``.

Settings (issue 5):

* A: a project's title and objective (a solution) -> its call, among all 207 EDF calls.
* B: a call's title and full text (a need) -> its projects, among all solutions (every SBIR award a distractor).
* C: a call's title alone (a short need) -> its projects, among the same solutions.

Methods: BM25 as the reference figures were measured (plain ``bm25s``, English stop words, no stemming, title
once), the shipped BM25 (:data:`rapid_adoption.matching.index.SETTINGS`, with English stop words everywhere and
French or German ones in French or German sentences), the shipped BM25 with English stop words only and with
the French and German lists in every sentence, ``wordllama`` alone,
MiniLM alone (when the ``transformers`` extra is installed; its vectors are cached in
``$RAPID_BENCH_CACHE``, default ``/tmp/rapid-bench-cache``), weighted reciprocal rank fusion of the shipped
BM25 with each dense model, reranking the top 50 BM25 candidates by a dense model, and query expansion
from the technology-area taxonomy.

The shipped settings come from the grid printed under ``grid`` (title weight x BM25 b; stemming was tried and lowered B): the
procedure keeps the configuration with the best mean MRR over A, B and C. Fusion weights come from the grid
``fusion_grid`` (dense weight 0, 0.25, 0.5, 1 against BM25 1) by the same rule; weight 0 is BM25 alone.

Speed: the index build time and peak memory (tracemalloc) over all bundled solutions, in memory and through the
service (``rebuild_index`` and the first query); then query latency p50 and p95 through the service
(``candidates_for_need``: the SQL that selects the visible solutions, BM25, the details and explanations of the
top 20) for each EDF call against the bundled solutions plus copies under new refs (``benchmarks/synthetic.py``),
100,000 in all, in a temporary SQLite workspace.

Run: ``python benchmarks/matching.py`` (add ``--quick`` to skip the grids and the 100,000-solution workspace).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rapid_adoption.ingest.edf import read_edf
from rapid_adoption.ingest.sbir import read_sbir
from rapid_adoption.ingest.taxonomies import read_taxonomies
from rapid_adoption.matching.evaluate import first_hit, summarise
from rapid_adoption.matching.fusion import rrf
from rapid_adoption.matching.index import SETTINGS, CorpusIndex
from rapid_adoption.matching.lexical import LexicalSettings
from rapid_adoption.domain.clock import StageBudgets
from rapid_adoption.matching.text import STOP_WORDS, STOP_WORDS_BY_LANGUAGE, TOKEN, tokenize, words
from rapid_adoption.services.auth import actor_for_username
from rapid_adoption.services.imports import bundled_dir, run_import
from rapid_adoption.services.matching import MatchFilters, candidates_for_need, match_text, rebuild_index
from rapid_adoption.services.setup import init_workspace
from rapid_adoption.services.workspace import Workspace
from rapid_adoption.settings import Settings
from rapid_adoption.store.tables import Solution
from synthetic import add_solutions

CACHE = Path(os.environ.get("RAPID_BENCH_CACHE", "/tmp/rapid-bench-cache"))
DEPTH = 1000


def load():
    """(calls, EDF projects, all solutions) from the bundled data; solutions are EDF projects then SBIR."""
    edf, _ = read_edf(bundled_dir("edf"))
    sbir, _ = read_sbir(bundled_dir("sbir"))
    return edf.needs, edf.solutions, edf.solutions + sbir.solutions


def build(docs, tok, settings):
    return CorpusIndex(list(range(len(docs))), [tok(t) for t, _ in docs], [tok(b) for _, b in docs], settings)


def queries(calls, projects, solutions):
    """Per setting: (query texts as (title, body), relevant keys) and the documents as (title, body)."""
    call_pos = {c.ref: i for i, c in enumerate(calls)}
    a = ([(p.name, p.description or "") for p in projects], [[call_pos[p.need_ref]] for p in projects],
         [(c.title, c.statement or "") for c in calls])
    rel = {c.ref: [i for i, p in enumerate(projects) if p.need_ref == c.ref] for c in calls}
    answered = [c for c in calls if rel[c.ref]]
    docs = [(s.name, s.description or "") for s in solutions]
    b = ([(c.title, c.statement or "") for c in answered], [rel[c.ref] for c in answered], docs)
    c_ = ([(c.title, "") for c in answered], [rel[c.ref] for c in answered], docs)
    return {"A": a, "B": b, "C": c_}


def lexical_rankings(setting, tok, settings, cache={}):
    qs, _, docs = setting
    key = (id(docs), tok, settings)
    if key not in cache:
        cache[key] = build(docs, tok, settings)
    index = cache[key]
    return [[k for k, _ in index.rank(tok(t) + tok(b), DEPTH)[0]] for t, b in qs], index


def dense_vectors(encoder, texts):
    digest = hashlib.sha256(("\x1e".join(texts) + encoder.name).encode()).hexdigest()[:16]
    path = CACHE / f"{encoder.name}-{digest}.npy"
    if path.exists():
        return np.load(path)
    vectors = encoder.encode(texts)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def dense_rankings(setting, encoder):
    qs, _, docs = setting
    d = dense_vectors(encoder, [f"{t}. {b}" for t, b in docs])
    q = dense_vectors(encoder, [f"{t}. {b}" if b else t for t, b in qs])
    out = []
    for row in q @ d.T:
        top = np.argsort(-row, kind="stable")[:DEPTH]
        out.append(top.tolist())
    return out


def score(rankings, setting):
    return summarise([first_hit(r, rel) for r, rel in zip(rankings, setting[1])])


def line(name, figures):
    print(f"{name}: " + " ".join(f"{k}={v:.3f}" for k, v in figures.items()), flush=True)


def expand_with_taxonomy(text: str, areas) -> str:
    """The query plus the definition of every technology area whose name shares a word with it."""
    mine = set(words(text))
    extra = [d or "" for name, d in areas if mine & set(words(name))]
    return text + " " + " ".join(extra)


def main(quick: bool) -> None:
    logging.disable(logging.INFO)  # the libraries' INFO and DEBUG lines (alembic, bm25s, sentence-transformers)
    calls, projects, solutions = load()
    settings = queries(calls, projects, solutions)
    print(f"data: {len(calls)} calls, {len(projects)} EDF projects answering {len(settings['B'][0])} calls, "
          f"{len(solutions)} solutions", flush=True)
    reference = LexicalSettings(k1=1.5, b=0.75, title_weight=1)
    shipped = {}
    for name, s in settings.items():
        line(f"{name} bm25-reference", score(lexical_rankings(s, english_words, reference)[0], s))
        shipped[name] = lexical_rankings(s, tokenize, SETTINGS)[0]
        line(f"{name} bm25-shipped", score(shipped[name], s))
    stop_word_variants(settings)
    if not quick:
        for stem_name, tok in (("plain", words),):
            for tw in (1, 3, 6):
                for b in (0.5, 0.75):
                    cfg = LexicalSettings(k1=1.5, b=b, title_weight=tw)
                    mrr = [score(lexical_rankings(s, tok, cfg)[0], s)["MRR"] for s in settings.values()]
                    print(f"grid {stem_name} title_weight={tw} b={b}: A={mrr[0]:.3f} B={mrr[1]:.3f} C={mrr[2]:.3f} "
                          f"mean={np.mean(mrr):.3f}", flush=True)
    # Query expansion from the taxonomy (setting C: short queries)
    areas = [(name, d) for _scheme, name, d, _src in read_taxonomies(bundled_dir("taxonomies")).technology_areas]
    qs, rel, docs = settings["C"]
    expanded = ([(expand_with_taxonomy(t, areas), b) for t, b in qs], rel, docs)
    line("C bm25-shipped+taxonomy-expansion", score(lexical_rankings(expanded, tokenize, SETTINGS)[0], expanded))
    # Dense models
    encoders = []
    from rapid_adoption.matching.dense import MiniLMEncoder, WordLlamaEncoder
    for make in (WordLlamaEncoder, MiniLMEncoder):
        try:
            encoders.append(make())
        except Exception as exc:  # the optional extra is missing
            print(f"{make.name}: not measured ({exc})", flush=True)
    for enc in encoders:
        for name, s in settings.items():
            dense = dense_rankings(s, enc)
            line(f"{name} {enc.name}-alone", score(dense, s))
            for w in (0.25, 0.5, 1.0):
                fused = [[k for k, _ in rrf([l, d], [1.0, w])] for l, d in zip(shipped[name], dense)]
                line(f"{name} rrf(bm25-shipped, {enc.name} w={w})", score(fused, s))
            # rerank the top 50 BM25 candidates by the dense similarity
            rank_of = [{k: i for i, k in enumerate(d)} for d in dense]
            reranked = [sorted(l[:50], key=lambda k, r=r: r.get(k, DEPTH)) + l[50:] for l, r in zip(shipped[name], rank_of)]
            line(f"{name} bm25-top50-reranked-by-{enc.name}", score(reranked, s))
    # Speed: index build over all bundled solutions, and query latency against >= 100,000 solutions
    docs = settings["B"][2]
    speed(docs, quick)


def english_words(text):
    """Lower-case words less ``bm25s``'s English stop words only (how the reference figures were measured)."""
    return [w for w in TOKEN.findall((text or "").lower()) if w not in STOP_WORDS]


def everywhere_words(text):
    """Lower-case words less the English, French and German stop words, in every sentence whatever its language."""
    every = STOP_WORDS_BY_LANGUAGE["fr"] | STOP_WORDS_BY_LANGUAGE["de"]
    return [w for w in TOKEN.findall((text or "").lower()) if w not in every]


def stop_word_variants(settings) -> None:
    """The shipped settings with English stop words only, and with the French and German lists applied to every
    sentence, against the shipped language-aware stop words (``rapid_adoption.matching.text``)."""
    for name, s in settings.items():
        line(f"{name} bm25-shipped, English stop words only", score(lexical_rankings(s, english_words, SETTINGS)[0], s))
        line(f"{name} bm25-shipped, French+German stop words in every sentence",
             score(lexical_rankings(s, everywhere_words, SETTINGS)[0], s))


def speed(docs, quick: bool) -> None:
    """Index build time and peak memory for the bundled solutions; query latency through the service."""
    t0 = time.perf_counter()
    build(docs, tokenize, SETTINGS)
    built = time.perf_counter() - t0
    tracemalloc.start()
    build(docs, tokenize, SETTINGS)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"index build, {len(docs)} bundled solutions (tokenize + BM25, in memory): {built:.2f} s, "
          f"peak {peak / 2**20:.0f} MiB (tracemalloc)", flush=True)
    if quick:
        return
    with tempfile.TemporaryDirectory() as tmp:
        service_speed(Path(tmp))


def timed(run, calls, rounds: int = 3) -> tuple[list[float], list[float]]:
    """Run ``run(call)`` for each call, ``rounds`` times; the wall and CPU milliseconds of each run."""
    wall, cpu = [], []
    for _ in range(rounds):
        for call in calls:
            t0, c0 = time.perf_counter(), time.process_time()
            run(call)
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu


def load_note(cpu: list[float]) -> str:
    """The CPU time the queries took, and the machine's load: on a shared machine the wall time includes the
    time spent waiting for a core."""
    return (f"CPU time of this process p50 {np.percentile(cpu, 50):.1f} ms, p95 {np.percentile(cpu, 95):.1f} ms; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def service_speed(folder: Path) -> None:
    """Through the service, as ``rapid match need`` and the API run it: a workspace of the bundled data plus
    copies of its solutions under new refs up to 100,000 or more, ranked for each EDF call."""
    ws = Workspace.open(Settings(f"sqlite:///{folder / 'bench.db'}", StageBudgets()))
    init_workspace(ws)
    for source in ("sbir", "edf"):
        run_import(ws, source)
    reader = actor_for_username(ws, "admin")
    calls = load()[0]
    # the persisted index of the bundled data (imports keep it current): a rebuild, then the first query, which
    # loads the stored terms and builds BM25 in memory; timed, then run again under tracemalloc for the peak
    figures = []
    for traced in (False, True):
        if traced:
            tracemalloc.start()
        t0 = time.perf_counter()
        counts = rebuild_index(ws, reader)
        t1 = time.perf_counter()
        candidates_for_need(ws, reader, calls[0].ref, MatchFilters(top=20))
        figures.append((t1 - t0, time.perf_counter() - t1))
        if traced:
            figures.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
    print(f"index build through the service, {counts['solutions']} solutions and {counts['needs']} needs: "
          f"rapid index rebuild (tokenize, store match_terms) {figures[0][0]:.1f} s; first query (load the terms, "
          f"build BM25) {figures[0][1]:.1f} s; peak {figures[2] / 2**20:.0f} MiB (tracemalloc)", flush=True)
    added = add_solutions(ws, 100_000)
    t0 = time.perf_counter()
    candidates_for_need(ws, reader, calls[0].ref, MatchFilters(top=20))
    synced = time.perf_counter() - t0
    with Session(ws.uow.engine) as session:
        total = session.scalar(select(func.count()).select_from(Solution))
    print(f"query latency set-up: {total:,} solutions ({added:,} copies under new refs); the first query after "
          f"adding them indexes them and rebuilds BM25: {synced:.1f} s", flush=True)
    lat, cpu = timed(lambda call: candidates_for_need(ws, reader, call.ref, MatchFilters(top=20)), calls)
    print(f"query latency through the service (rapid match need: the need, the visible solutions by SQL, BM25, the "
          f"top 20's details and explanations), one need (title + full text) against {total:,} solutions: "
          f"p50 {np.percentile(lat, 50):.1f} ms, p95 {np.percentile(lat, 95):.1f} ms over {len(lat)} queries "
          f"(each of the {len(calls)} EDF calls 3 times; target p95 <= 100 ms); {load_note(cpu)}", flush=True)
    lat, cpu = timed(lambda call: match_text(ws, reader, call.title, filters=MatchFilters(top=20)), calls)
    print(f"query latency through the service, one need typed as its title only (match text) against {total:,} "
          f"solutions: p50 {np.percentile(lat, 50):.1f} ms, p95 {np.percentile(lat, 95):.1f} ms over {len(lat)} "
          f"queries; {load_note(cpu)}", flush=True)
    ws.close()

if __name__ == "__main__":
    main("--quick" in sys.argv)
