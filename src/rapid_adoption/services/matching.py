"""Market research at speed: rank the solutions for a need, and the needs for a solution.

Only the records the asking user may see are ranked: the sharing filter (``store.sharing.restrict``) picks
the visible records first, and when some are hidden the BM25 statistics are computed over the visible ones
only, so a hidden record shows in no result, count, score or explanation.

The index is persisted in the workspace (table ``match_terms``: the terms of each need and solution, with
the record's version) and kept up to date incrementally: imports and record writes call
:func:`sync_index` in their own transaction. A query checks that the index matches the records (a changed
version, a new or a deleted record) and re-indexes just those whenever the data may have changed since the
last check: the audit head moved (every write through the services appends an entry) or a record was
added (bulk loads). The BM25 model itself is built in memory from the stored terms on the first query and
kept per database until the terms change; so is each reader's visible set, until the data changes.

Dense vectors (table ``match_vectors``) are filled by a separate, resumable job, :func:`embed_vectors`
(``rapid index embed``). The shipped ranking does not use them: fusing them with BM25 was measured worse
on every setting of ``benchmarks/matching.py``. A deleted record's vectors go with its index terms.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from sqlalchemy import String, cast, delete, func, insert, select

from ..domain.errors import PermissionDenied, ValidationError
from ..domain.records import TRL_RANGE
from ..domain.sharing import Actor
from ..domain.types import OperationalDomain
from ..ingest.values import country_iso3
from ..matching import dense
from ..matching.explain import explain
from ..matching.index import KINDS, CorpusIndex, index_terms
from ..matching.text import tokenize
from ..store.sharing import restrict, unrestricted
from ..store.tables import AuditHead, CapabilityNeed, Company, MatchTerms, MatchVector, Organisation, Solution
from .records import resolve
from .workspace import Workspace

MAX_TOP = 100
"""The most candidates one query returns."""
_MODELS = {"need": CapabilityNeed, "solution": Solution}
_TEXT = {"need": (CapabilityNeed.title, CapabilityNeed.statement), "solution": (Solution.name, Solution.description)}
_CHUNK = 2000
_MAINTENANCE = "the retrieval index holds every record; ranking reads it only for the records the reader may see"


@dataclass(frozen=True)
class MatchFilters:
    """Filters on the ranked records; each is optional, and all apply before ranking.

    Attributes:
        top: how many candidates, 1-100 (default 20).
        domain: operational domain (land, maritime, air, space, cyber): needs only.
        technology_area: a technology area the record lists (case-insensitive, whole name).
        trl_min, trl_max: TRL range 1-9: solutions only.
        nation: ISO 3166-1 alpha-3 or alpha-2 code: the company's country (solutions) or the owner's nation (needs).
    """

    top: int = 20
    domain: str | None = None
    technology_area: str | None = None
    trl_min: int | None = None
    trl_max: int | None = None
    nation: str | None = None


def _check_filters(kind: str, f: MatchFilters) -> str | None:
    if not 1 <= f.top <= MAX_TOP:
        raise ValidationError(f"must be 1-{MAX_TOP}, got {f.top}", field="top")
    if kind == "solution" and f.domain:
        raise ValidationError("the domain filter applies when ranking needs; solutions have no operational domain",
                              field="domain")
    if kind == "need" and (f.trl_min is not None or f.trl_max is not None):
        raise ValidationError("the TRL filter applies when ranking solutions", field="trl_min")
    if f.domain and f.domain.lower() not in {d.value for d in OperationalDomain}:
        raise ValidationError(f"must be one of {', '.join(d.value for d in OperationalDomain)}, got {f.domain!r}",
                              field="domain")
    for name, value in (("trl_min", f.trl_min), ("trl_max", f.trl_max)):
        if value is not None and value not in TRL_RANGE:
            raise ValidationError(f"TRL must be 1-9, got {value}", field=name)
    if f.trl_min is not None and f.trl_max is not None and f.trl_min > f.trl_max:
        raise ValidationError(f"trl_min {f.trl_min} is above trl_max {f.trl_max}", field="trl_min")
    return country_iso3(f.nation, "nation")


# --- the persisted index -------------------------------------------------------------------------------------

def sync_index(session, kinds: tuple[str, ...] = KINDS) -> dict[str, int]:
    """Bring ``match_terms`` up to date with the records, in the caller's transaction.

    New records and records whose ``version`` changed are (re-)indexed; the index terms and the dense vectors
    (of every model) of deleted records go.

    Returns:
        ``{"indexed": n, "removed": m}`` summed over ``kinds``.
    """
    indexed = removed = 0
    for kind in kinds:
        model = _MODELS[kind]
        have = dict(session.execute(select(MatchTerms.record_id, MatchTerms.record_version)
                                    .where(MatchTerms.kind == kind)).all())
        current = dict(session.execute(unrestricted(select(model.id, model.version), _MAINTENANCE)).all())
        stale = sorted(i for i, v in current.items() if have.get(i) != v)
        gone = sorted(i for i in have if i not in current)
        for start in range(0, len(gone), _CHUNK):
            session.execute(delete(MatchTerms).where(MatchTerms.kind == kind,
                                                     MatchTerms.record_id.in_(gone[start:start + _CHUNK])))
            session.execute(delete(MatchVector).where(MatchVector.kind == kind,
                                                      MatchVector.record_id.in_(gone[start:start + _CHUNK])))
        title_col, body_col = _TEXT[kind]
        for start in range(0, len(stale), _CHUNK):
            ids = stale[start:start + _CHUNK]
            rows = session.execute(unrestricted(select(model.id, model.version, title_col, body_col)
                                                .where(model.id.in_(ids)), _MAINTENANCE)).all()
            session.execute(delete(MatchTerms).where(MatchTerms.kind == kind, MatchTerms.record_id.in_(ids)))
            session.execute(insert(MatchTerms), [
                {"kind": kind, "record_id": i, "record_version": v, "title_terms": index_terms(t),
                 "body_terms": index_terms(b)} for i, v, t, b in rows])
        indexed += len(stale)
        removed += len(gone)
    return {"indexed": indexed, "removed": removed}


def _signature(session, kind: str) -> tuple[tuple, tuple]:
    model = _MODELS[kind]
    records = tuple(session.execute(unrestricted(
        select(func.count(), func.coalesce(func.sum(model.version), 0), func.coalesce(func.max(model.id), 0)),
        _MAINTENANCE)).one())
    terms = tuple(session.execute(select(
        func.count(), func.coalesce(func.sum(MatchTerms.record_version), 0),
        func.coalesce(func.max(MatchTerms.record_id), 0)).where(MatchTerms.kind == kind)).one())
    return tuple(int(x) for x in records), tuple(int(x) for x in terms)


class _Cache:
    """In-memory indexes per (database, kind) and per visible subset, least recently used out."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key, value) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_INDEXES = _Cache(4)
_SUBSETS = _Cache(16)
_VISIBLE = _Cache(32)


def _data_version(session, kind: str) -> tuple[int, int]:
    """What changes whenever the records of ``kind``, or who may see them, may have changed: the audit head's
    last change (every write through the services, sharing changes included, appends an audit entry in its
    transaction) and the highest record id (bulk loads outside the services). Two cheap one-row reads."""
    head = select(AuditHead.last_change_id).where(AuditHead.id == 1).scalar_subquery()
    top = select(func.coalesce(func.max(_MODELS[kind].id), 0)).scalar_subquery()
    row = session.execute(unrestricted(select(head, top), _MAINTENANCE)).one()
    return int(row[0] or 0), int(row[1])


def _full_index(workspace: Workspace, kind: str, version: tuple[int, int] | None = None) -> CorpusIndex:
    """The index of every record of ``kind``, synced with the records and cached until its terms change.

    Args:
        version: the :func:`_data_version` read before this call; when it is the one the cached index was
            checked at, the index is used as it is, without comparing the records with the stored terms.
    """
    key = (workspace.settings.database_url, kind)
    cached = _INDEXES.get(key)
    if cached is not None and version is not None and cached[0] == version:
        return cached[2]
    with workspace.uow.read() as session:
        records, terms = _signature(session, kind)
    if records != terms:
        with workspace.uow.transaction() as session:
            sync_index(session, (kind,))
        terms = records
    if cached is not None and cached[1] == terms:
        _INDEXES.put(key, (version, terms, cached[2]))
        return cached[2]
    with workspace.uow.read() as session:
        rows = session.execute(select(MatchTerms.record_id, MatchTerms.title_terms, MatchTerms.body_terms)
                               .where(MatchTerms.kind == kind).order_by(MatchTerms.record_id)).all()
    index = CorpusIndex([r[0] for r in rows], [r[1].split() for r in rows], [r[2].split() for r in rows])
    _INDEXES.put(key, (version, terms, index))
    return index


def rebuild_index(workspace: Workspace, actor: Actor) -> dict[str, int]:
    """Drop and rebuild the persisted index of every need and solution (``rapid index rebuild``).

    Returns:
        ``{"needs": n, "solutions": m}``: the records indexed.

    Raises:
        PermissionDenied: the actor is not an admin or analyst.
    """
    if not (actor.has_role("admin") or actor.has_role("analyst")):
        raise PermissionDenied("rebuilding the index needs the admin or analyst role")
    with workspace.uow.transaction() as session:
        session.execute(delete(MatchTerms))
        sync_index(session)
        counts = dict(session.execute(select(MatchTerms.kind, func.count()).group_by(MatchTerms.kind)).all())
    for kind in KINDS:
        _INDEXES.items.pop((workspace.settings.database_url, kind), None)
    return {"needs": int(counts.get("need", 0)), "solutions": int(counts.get("solution", 0))}


# --- dense vectors: the resumable embedding job ---------------------------------------------------------------

MAX_EMBED_BATCH = 10_000
"""The largest ``batch_size`` of :func:`embed_vectors`."""
_EMBEDDING = "embedding is a system job over every record; its vectors are never shown to a user"


def _embed_plan(session, model: str) -> tuple[list[tuple[str, int]], dict[str, list[int]]]:
    """(kind, id) of every record whose vector for ``model`` is missing or stale, needs first, by id; and per
    kind the ids of vectors whose record is gone."""
    todo: list[tuple[str, int]] = []
    gone: dict[str, list[int]] = {}
    for kind in KINDS:
        m = _MODELS[kind]
        have = dict(session.execute(select(MatchVector.record_id, MatchVector.record_version)
                                    .where(MatchVector.model == model, MatchVector.kind == kind)).all())
        current = dict(session.execute(unrestricted(select(m.id, m.version), _EMBEDDING)).all())
        todo += [(kind, i) for i in sorted(i for i, v in current.items() if have.get(i) != v)]
        gone[kind] = sorted(i for i in have if i not in current)
    return todo, gone


def embed_vectors(workspace: Workspace, actor: Actor, model: str = "minilm", batch_size: int = 64,
                  limit: int | None = None,
                  progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Fill ``match_vectors`` for ``model``: embed every need and solution whose vector is missing or stale.

    A vector is stale when its record's ``version`` changed since it was embedded. Vectors of records
    that no longer exist are removed first. The records are embedded in batches of ``batch_size``, and
    each batch is written in its own transaction, after it is encoded: stopping the job (Ctrl-C, a crash)
    loses at most the batch in hand, and running it again carries on where it stopped. The text embedded
    is :func:`rapid_adoption.matching.dense.document_text` of the title and the body.

    Args:
        model: an encoder name (``minilm``, ``wordllama``, or one registered with
            :func:`rapid_adoption.matching.dense.register_encoder`).
        batch_size: records per batch and per transaction, 1-10,000.
        limit: embed at most this many records this run (1 or more), or all when None.
        progress: called as ``progress(done, total)`` before the first batch and after each one, with the
            records embedded so far and the number this run will embed.

    Returns:
        ``{"model", "embedded": records embedded now, "removed": vectors of deleted records removed,
        "remaining": records still missing or stale afterwards (those left by ``limit``),
        "dimensions": the vector width, or None when nothing was embedded}``.

    Raises:
        PermissionDenied: the actor is not an admin or analyst.
        ValidationError: an unknown model, or its package not installed (the message names the ``pip
            install`` command); ``batch_size`` or ``limit`` out of range, or the encoder returned vectors of
            the wrong shape or not finite (field ``model``).
    """
    if not (actor.has_role("admin") or actor.has_role("analyst")):
        raise PermissionDenied("embedding the records needs the admin or analyst role")
    if not 1 <= batch_size <= MAX_EMBED_BATCH:
        raise ValidationError(f"must be 1-{MAX_EMBED_BATCH:,}, got {batch_size}", field="batch")
    if limit is not None and limit < 1:
        raise ValidationError(f"must be 1 or more, got {limit}", field="limit")
    enc = dense.encoder(model)
    with workspace.uow.read() as session:
        todo, gone = _embed_plan(session, model)
    removed = sum(len(ids) for ids in gone.values())
    if removed:
        with workspace.uow.transaction() as session:
            for kind, ids in gone.items():
                for start in range(0, len(ids), _CHUNK):
                    session.execute(delete(MatchVector).where(
                        MatchVector.model == model, MatchVector.kind == kind,
                        MatchVector.record_id.in_(ids[start:start + _CHUNK])))
    stale = len(todo)
    todo = todo if limit is None else todo[:limit]
    done, embedded, dimensions = 0, 0, None
    if progress:
        progress(0, len(todo))
    for kind in KINDS:
        ids = [i for k, i in todo if k == kind]
        m = _MODELS[kind]
        title_col, body_col = _TEXT[kind]
        for start in range(0, len(ids), batch_size):
            chunk = ids[start:start + batch_size]
            with workspace.uow.read() as session:
                rows = session.execute(unrestricted(select(m.id, m.version, title_col, body_col)
                                                    .where(m.id.in_(chunk)).order_by(m.id), _EMBEDDING)).all()
            vectors = np.asarray(enc.encode([dense.document_text(t, b) for _i, _v, t, b in rows]), dtype=np.float32)
            if rows and (vectors.ndim != 2 or len(vectors) != len(rows) or vectors.shape[1] < 1
                         or (dimensions is not None and vectors.shape[1] != dimensions)
                         or not np.isfinite(vectors).all()):
                raise ValidationError(f"the {model} encoder gave vectors of shape {vectors.shape} (expected "
                                      f"{len(rows)} finite rows of one width) for {kind}s {chunk[0]}-{chunk[-1]}",
                                      field="model")
            if rows:
                dimensions = int(vectors.shape[1])
            with workspace.uow.transaction() as session:
                session.execute(delete(MatchVector).where(MatchVector.model == model, MatchVector.kind == kind,
                                                          MatchVector.record_id.in_(chunk)))
                if rows:
                    session.execute(insert(MatchVector), [
                        {"model": model, "kind": kind, "record_id": i, "record_version": v,
                         "vector": dense.to_bytes(vec)} for (i, v, _t, _b), vec in zip(rows, vectors)])
            done += len(chunk)
            embedded += len(rows)
            if progress:
                progress(done, len(todo))
    return {"model": model, "embedded": embedded, "removed": removed, "remaining": stale - done,
            "dimensions": dimensions}


# --- ranking -------------------------------------------------------------------------------------------------

def _visible(session, actor: Actor, kind: str, f: MatchFilters, nation: str | None) -> tuple[np.ndarray, np.ndarray]:
    """The ids of the records of ``kind`` that ``actor`` may see, and of those the ones passing the filters."""
    model = _MODELS[kind]
    visible = np.sort(np.fromiter(session.scalars(restrict(select(model.id), actor)), dtype=np.int64))
    conditions = []
    if f.technology_area:
        area = f.technology_area.strip().lower().replace('"', "")
        conditions.append(func.lower(cast(model.technology_areas, String)).contains(f'"{area}"', autoescape=True))
    if kind == "solution":
        if f.trl_min is not None:
            conditions.append(Solution.trl >= f.trl_min)
        if f.trl_max is not None:
            conditions.append(Solution.trl <= f.trl_max)
        if nation:
            conditions.append(Solution.company_id.in_(
                restrict(select(Company.id).where(Company.country == nation), actor).scalar_subquery()))
    else:
        if f.domain:
            conditions.append(CapabilityNeed.operational_domain == f.domain.lower())
        if nation:
            conditions.append(CapabilityNeed.owner_org_id.in_(
                select(Organisation.id).where(Organisation.nation_iso3 == nation).scalar_subquery()))
    if not conditions:
        return visible, visible
    eligible = np.sort(np.fromiter(session.scalars(restrict(select(model.id).where(*conditions), actor)),
                                   dtype=np.int64))
    return visible, eligible


def _index_for(workspace: Workspace, kind: str, visible: np.ndarray, full: CorpusIndex) -> CorpusIndex:
    """The full index when every indexed record is visible; otherwise one over the visible records only."""
    keep = np.isin(full.keys, visible)
    if keep.all():
        return full
    digest = hashlib.sha256(full.keys[keep].tobytes()).hexdigest()
    key = (workspace.settings.database_url, kind, id(full), digest)
    cached = _SUBSETS.get(key)
    if cached is None:
        cached = full.subset(keep)
        _SUBSETS.put(key, cached)
    return cached


def _details(session, actor: Actor, kind: str, ids: list[int]) -> dict[int, dict[str, Any]]:
    if kind == "solution":
        rows = session.execute(restrict(select(Solution.id, Solution.ref, Solution.name, Solution.description,
                                               Solution.trl, Solution.year, Solution.company_id,
                                               Solution.technology_areas).where(Solution.id.in_(ids)), actor)).all()
        companies = dict((r[0], r[1:]) for r in session.execute(restrict(
            select(Company.id, Company.ref, Company.legal_name, Company.country)
            .where(Company.id.in_({r.company_id for r in rows})), actor)))
        out = {}
        for r in rows:
            c = companies.get(r.company_id)
            out[r.id] = {"id": r.id, "ref": r.ref, "title": r.name, "body": r.description or "", "trl": r.trl,
                         "year": r.year, "technology_areas": list(r.technology_areas or []),
                         "company": None if c is None else {"ref": c[0], "legal_name": c[1], "country": c[2]}}
        return out
    rows = session.execute(restrict(select(CapabilityNeed.id, CapabilityNeed.ref, CapabilityNeed.title,
                                           CapabilityNeed.statement, CapabilityNeed.operational_domain,
                                           CapabilityNeed.technology_areas, Organisation.ref.label("owner"))
                                    .join(Organisation, Organisation.id == CapabilityNeed.owner_org_id)
                                    .where(CapabilityNeed.id.in_(ids)), actor)).all()
    return {r.id: {"id": r.id, "ref": r.ref, "title": r.title, "body": r.statement or "",
                   "operational_domain": r.operational_domain, "technology_areas": list(r.technology_areas or []),
                   "owner": r.owner} for r in rows}


def _ranking_scope(workspace: Workspace, actor: Actor, kind: str, f: MatchFilters,
                   nation: str | None) -> tuple[CorpusIndex, np.ndarray | None]:
    """The index to rank with (over the records ``actor`` may see) and the mask of those passing the filters
    (None: all do).

    The visible ids come from the sharing filter in SQL. That read costs a scan of the table (about 0.5 s
    for 100,000 solutions on SQLite), so its outcome is kept per reader, filters and :func:`_data_version`:
    any write through the services (a sharing change included) or a new record makes it read again.
    """
    with workspace.uow.read() as session:
        version = _data_version(session, kind)
    full = _full_index(workspace, kind, version)
    key = (workspace.settings.database_url, kind, actor, f.domain, f.technology_area, f.trl_min, f.trl_max, nation,
           version, id(full))
    cached = _VISIBLE.get(key)
    if cached is not None:
        return cached
    with workspace.uow.read() as session:
        visible, eligible = _visible(session, actor, kind, f, nation)
    index = _index_for(workspace, kind, visible, full)
    scope = (index, np.isin(index.keys, eligible) if len(eligible) != len(visible) else None)
    _VISIBLE.put(key, scope)
    return scope


def _rank(workspace: Workspace, actor: Actor, kind: str, query_terms: list[str], f: MatchFilters,
          nation: str | None, query: dict[str, Any], exclude: int | None = None) -> dict[str, Any]:
    index, mask = _ranking_scope(workspace, actor, kind, f, nation)
    if exclude is not None and int(exclude) in index.lexical.position:
        mask = np.ones(len(index), dtype=bool) if mask is None else mask.copy()
        mask[index.lexical.position[int(exclude)]] = False
    ranked, total = index.rank(query_terms, f.top, mask)
    with workspace.uow.read() as session:
        details = _details(session, actor, kind, [k for k, _ in ranked])
    ranked = [(k, score) for k, score in ranked if k in details]  # hidden since the scope was read: never shown
    parts = index.term_scores(query_terms, [k for k, _ in ranked])
    wanted = frozenset(query_terms)
    candidates = []
    for position, (key, score) in enumerate(ranked, start=1):
        d = dict(details[key])
        body = d.pop("body")
        why = explain(wanted, d["title"], body, parts[position - 1])
        if kind == "solution":
            d["name"] = d.pop("title")
        candidates.append({"rank": position, **d, "score": round(score, 4), "explanation": why.as_dict()})
    return {"query": query, "ranked": f"{kind}s", "total": total, "candidates": candidates}


def _terms_of(session, kind: str, record_id: int, version: int, title: str | None, body: str | None) -> list[str]:
    """A record's index terms (title, then body), from ``match_terms`` when they are of its current version,
    else tokenized now (the same terms either way)."""
    row = session.execute(select(MatchTerms.record_version, MatchTerms.title_terms, MatchTerms.body_terms)
                          .where(MatchTerms.kind == kind, MatchTerms.record_id == record_id)).first()
    if row is not None and row[0] == version:
        return row[1].split() + row[2].split()
    return tokenize(title) + tokenize(body)


def candidates_for_need(workspace: Workspace, actor: Actor, ident: str | int,
                        filters: MatchFilters = MatchFilters()) -> dict[str, Any]:
    """The solutions ranked for the need ``ident`` (id or ref), best first, each with its explanation.

    The query is the need's title and statement. Only solutions ``actor`` may see are ranked and counted.

    Returns:
        ``{"query": {"id", "ref", "title"}, "ranked": "solutions", "total": n, "candidates": [{"rank", "id",
        "ref", "name", "company": {"ref", "legal_name", "country"} or None, "trl", "year", "technology_areas",
        "score", "explanation": {"terms", "passages": [{"text", "highlights": [[start, end], ...]}]}}]}``,
        where ``total`` counts the visible solutions passing the filters that share at least one term.

    Raises:
        NotFound: no need ``ident`` that the actor may see.
        ValidationError: a filter out of range, or a need with no indexable word (e.g. only stop words).
    """
    nation = _check_filters("solution", filters)
    with workspace.uow.read() as session:
        need = resolve(session, CapabilityNeed, ident, actor)
        query = {"id": need.id, "ref": need.ref, "title": need.title}
        terms = _terms_of(session, "need", need.id, need.version, need.title, need.statement)
    if not terms:
        raise ValidationError(f"capability need {need.ref} has no words to match on (its title and statement are "
                              "empty or only stop words)", field="statement")
    return _rank(workspace, actor, "solution", terms, filters, nation, query)


def needs_for_solution(workspace: Workspace, actor: Actor, ident: str | int,
                       filters: MatchFilters = MatchFilters()) -> dict[str, Any]:
    """The capability needs ranked for the solution ``ident`` (id or ref), best first, with explanations.

    The query is the solution's name and description; only needs ``actor`` may see are ranked and counted.

    Returns:
        As :func:`candidates_for_need`, with ``"ranked": "needs"`` and each candidate's ``title``,
        ``operational_domain``, ``technology_areas`` and ``owner``.

    Raises:
        NotFound: no solution ``ident`` that the actor may see.
        ValidationError: a filter out of range, or a solution with no indexable word.
    """
    nation = _check_filters("need", filters)
    with workspace.uow.read() as session:
        solution = resolve(session, Solution, ident, actor)
        query = {"id": solution.id, "ref": solution.ref, "name": solution.name}
        terms = _terms_of(session, "solution", solution.id, solution.version, solution.name, solution.description)
    if not terms:
        raise ValidationError(f"solution {solution.ref} has no words to match on (its name and description are "
                              "empty or only stop words)", field="description")
    return _rank(workspace, actor, "need", terms, filters, nation, query)


def match_text(workspace: Workspace, actor: Actor, text: str, ranked: str = "solutions",
               filters: MatchFilters = MatchFilters()) -> dict[str, Any]:
    """Rank solutions (or needs) for a need written as free text, e.g. ``"counter drone swarm detection"``.

    Args:
        text: the need in the user's words (any language; matched word by word).
        ranked: ``solutions`` or ``needs``.

    Returns:
        As :func:`candidates_for_need`, with ``"query": {"text": text}``.

    Raises:
        ValidationError: ``text`` is empty or has only stop words or one-letter words (field ``text``); an
            unknown ``ranked``; a filter out of range.
    """
    if ranked not in ("solutions", "needs"):
        raise ValidationError(f"must be solutions or needs, got {ranked!r}", field="ranked")
    kind = ranked[:-1]
    nation = _check_filters(kind, filters)
    terms = tokenize(text)
    if not terms:
        raise ValidationError("the query text is empty: give at least one word of two or more letters that is not "
                              "a stop word", field="text")
    return _rank(workspace, actor, kind, terms, filters, nation, {"text": text})
