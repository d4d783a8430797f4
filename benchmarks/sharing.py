"""Benchmark the sharing filter: restricted against unrestricted reads of 100,000 assessments.

Run: ``python benchmarks/sharing.py``. Builds the same synthetic data set on SQLite (a temp file) and
on PostgreSQL (a throwaway database on the server of ``RAPID_BENCH_POSTGRES_URL``, default
``postgresql+psycopg://postgres@127.0.0.1:55432/postgres``; skipped with a printed reason when it
cannot connect): the 32 NATO nations with 40 organisations, 50 sharing groups, a few hundred
companies, solutions, needs and cases, and 100,000 assessments with a mix of owners, distributions,
TLP labels, releasability and case containment (fixed seed).

For users of several organisations it times two reads, each restricted (``restrict``) and
unrestricted (``unrestricted``) on a plain ``Session``: (a) a page of 50 assessments, newest first;
(b) the count of every visible assessment. Prints one line per figure, and per backend the worst
p50 ratio against the target: restricted / unrestricted <= 1.5.

After the main figures, one line per backend shows the plan of the restricted count (on PostgreSQL
its estimated cost and the JIT compile time it triggers). The lines marked ``experiment`` then time
a covering index on the sharing columns, in the benchmark's own databases only (created here, never in a
workspace). (The cheaper filter shape an earlier experiment prototyped here is now ``store/sharing.py`` itself.)
Set ``RAPID_BENCH_EXPLAIN=1`` for the full plans.
"""

from __future__ import annotations

import csv
import json
import os
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from rapid_adoption.domain.sharing import Actor
from rapid_adoption.services.auth import group_ids_for
from rapid_adoption.store.engine import make_engine
from rapid_adoption.store.migrate import upgrade
from rapid_adoption.store.sharing import restrict, unrestricted
from rapid_adoption.store.tables import (
    AdoptionCase,
    Assessment,
    CapabilityNeed,
    Company,
    Organisation,
    RedRecipient,
    SharingGroup,
    SharingGroupMember,
    Solution,
    User,
)

SEED = 20261201
ASSESSMENTS = 100_000
COMPANIES, SOLUTIONS, NEEDS, CASES, GROUPS = 250, 400, 150, 300, 50
RUNS, WARMUP = 50, 5
TARGET = 1.5
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:55432/postgres"

SECOND_ORGS = {"USA": "DIU", "GBR": "DASA", "DEU": "CYBER INNOVATION HUB", "FRA": "AID", "ITA": "INNOVATION OFFICE",
               "NLD": "COMMIT", "NOR": "FFI INNOVATION", "POL": "INNOVATION AGENCY"}
"""The 8 nations with a second organisation (a national defence innovation office)."""

BENCH_ORGS = ["USA", "USA-2", "DEU", "POL-2", "EST", "ISL", "CAN", "TUR"]
"""Organisation refs whose users read in turn: big and small owners, ministries and innovation offices."""

PHRASES = ["mature supply chain", "export licence pending", "proven in field trials", "single-source risk",
           "open interfaces", "needs STANAG 4586 work", "battery endurance below need", "strong test evidence",
           "small team, fast iteration", "cyber accreditation not started", "dual-use market", "ITAR-free",
           "software-defined payload", "lacks MRL evidence", "partner in three EDF projects", "NATO DIANA alumnus"]

EXPERIMENT_INDEX = ("ix_bench_assessments_sharing_cover",
                    "owner_org_id, distribution, tlp, sharing_group_id, releasable_to, case_id")
"""EXPERIMENT: a covering index with every column the restricted count reads (``case_id`` for containment; on
PostgreSQL ``INCLUDE (id)`` for the RED check, SQLite's rowid being ``id`` already), so it too can scan an index."""


def nato_members() -> list[str]:
    """ISO alpha-3 codes of the 32 NATO members, from the packaged taxonomy."""
    path = resources.files("rapid_adoption") / "data" / "taxonomies" / "nato_members.csv"
    with path.open(encoding="utf-8") as handle:
        return [row["iso3"] for row in csv.DictReader(handle)]


def build_rows(rng: random.Random) -> dict[str, list[dict]]:
    """The whole data set as lists of row dicts, by table, so both backends get identical rows."""
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    stamps = {"version": 1, "created_at": now, "updated_at": now}
    nations = nato_members()
    assert len(nations) == 32, nations

    orgs, weights = [], []
    for iso3 in nations:
        orgs.append({"id": len(orgs) + 1, "ref": iso3, "name": f"Ministry of Defence {iso3}", "kind": "nation",
                     "nation_iso3": iso3, "source": "bench", **stamps})
        weights.append(6 if iso3 in SECOND_ORGS else 1)
    for iso3, office in SECOND_ORGS.items():
        orgs.append({"id": len(orgs) + 1, "ref": f"{iso3}-2", "name": f"{office} ({iso3})", "kind": "nation",
                     "nation_iso3": iso3, "source": "bench", **stamps})
        weights.append(3)
    org_ids = [o["id"] for o in orgs]
    nation_of = {o["id"]: o["nation_iso3"] for o in orgs}
    users = [{"id": o["id"], "username": f"analyst.{o['ref'].lower()}", "display_name": None,
              "organisation_id": o["id"], "roles": ["analyst"], "password_hash": None, "active": True, **stamps}
             for o in orgs]

    groups, members = [], []
    for g in range(1, GROUPS + 1):
        owner = rng.choice(org_ids)
        groups.append({"id": g, "name": f"Group {g:02d}", "description": None, "owner_org_id": owner, **stamps})
        chosen = {owner} | set(rng.sample(org_ids, rng.randint(1, 7)))
        for org_id in sorted(chosen):
            members.append({"group_id": g, "organisation_id": org_id, "nation_iso3": None,
                            "can_extend": org_id == owner})
        for iso3 in sorted(rng.sample(nations, rng.choice([0, 0, 1, 2, 3]))):
            members.append({"group_id": g, "organisation_id": None, "nation_iso3": iso3, "can_extend": False})
    for i, row in enumerate(members, 1):
        row["id"] = i
    group_orgs: dict[int, set[int]] = {}
    for row in members:
        if row["organisation_id"] is not None:
            group_orgs.setdefault(row["group_id"], set()).add(row["organisation_id"])
        else:
            group_orgs.setdefault(row["group_id"], set()).update(o for o, n in nation_of.items() if n == row["nation_iso3"])
    groups_of = {o: [g for g, found in group_orgs.items() if o in found] for o in org_ids}

    def marking(owner: int) -> dict:
        distribution = rng.choices(["community", "organisation", "sharing_group", "connected"], [45, 20, 25, 10])[0]
        if distribution == "sharing_group" and not groups_of[owner]:
            distribution = "community"
        tlp = rng.choices(["GREEN", "AMBER", "CLEAR", "AMBER+STRICT", "RED"], [40, 30, 17, 9, 4])[0]
        releasable = ""
        if rng.random() < 0.2:
            chosen = {nation_of[owner]} | set(rng.sample(nations, rng.randint(1, 3)))
            releasable = "," + ",".join(sorted(chosen)[:4]) + ","
        return {"owner_org_id": owner, "distribution": distribution, "tlp": tlp, "releasable_to": releasable,
                "sharing_group_id": rng.choice(groups_of[owner]) if distribution == "sharing_group" else None}

    def owner() -> int:
        return rng.choices(org_ids, weights)[0]

    companies = [{"id": i, "ref": f"bench-company-{i}", "legal_name": f"Bench Company {i} Ltd", "aliases": [],
                  "country": rng.choice(nations), "source": "bench", **marking(owner()), **stamps}
                 for i in range(1, COMPANIES + 1)]
    needs = [{"id": i, "ref": f"bench-need-{i}", "title": f"Capability need {i}", "statement": None,
              "operational_domain": rng.choice(["land", "maritime", "air", "space", "cyber"]), "technology_areas": [],
              "priority": "medium", "source": "bench", **marking(owner()), **stamps} for i in range(1, NEEDS + 1)]
    solutions = [{"id": i, "ref": f"bench-solution-{i}", "company_id": rng.randint(1, COMPANIES),
                  "name": f"Solution {i}", "technology_areas": [], "trl": rng.randint(3, 9), "cots": rng.random() < 0.2,
                  "source": "bench", "responds_to_need_id": None, **marking(owner()), **stamps}
                 for i in range(1, SOLUTIONS + 1)]
    cases = [{"id": i, "ref": f"bench-case-{i}", "need_id": rng.randint(1, NEEDS), "solution_id": rng.randint(1, SOLUTIONS),
              "stage": rng.choice(["market_research", "tevv", "badge"]), "cots": False,
              "opened_at": now - timedelta(days=rng.randint(0, 700)), "source": "bench", **marking(owner()), **stamps}
             for i in range(1, CASES + 1)]

    assessments, red = [], []
    start = date(2022, 1, 1)
    for i in range(1, ASSESSMENTS + 1):
        who = owner()
        case = rng.randint(1, CASES) if rng.random() < 0.1 else None
        assessments.append({
            "id": i, "solution_id": rng.randint(1, SOLUTIONS), "need_id": rng.randint(1, NEEDS) if rng.random() < 0.6 else None,
            "case_id": case, "trl": rng.randint(2, 9), "mrl": rng.randint(1, 10), "fit_0_to_100": rng.randint(0, 100),
            "strengths": "; ".join(rng.sample(PHRASES, 3)), "weaknesses": "; ".join(rng.sample(PHRASES, 2)),
            "risks": rng.choice(PHRASES), "sources": [f"https://example.org/report/{i}"],
            "assessed_on": start + timedelta(days=i * 1400 // ASSESSMENTS), **marking(who), **stamps})
        if assessments[-1]["tlp"] == "RED" and rng.random() < 0.5:
            red.append({"id": len(red) + 1, "record_table": "assessments", "record_id": i, "user_id": who})
    return {"organisations": orgs, "users": users, "sharing_groups": groups, "sharing_group_members": members,
            "companies": companies, "capability_needs": needs, "solutions": solutions, "adoption_cases": cases,
            "assessments": assessments, "red_recipients": red}


TABLES = [("organisations", Organisation), ("users", User), ("sharing_groups", SharingGroup),
          ("sharing_group_members", SharingGroupMember), ("companies", Company), ("capability_needs", CapabilityNeed),
          ("solutions", Solution), ("adoption_cases", AdoptionCase), ("assessments", Assessment),
          ("red_recipients", RedRecipient)]


def load(engine: Engine, rows: dict[str, list[dict]]) -> float:
    """Migrate ``engine`` to head, bulk-insert ``rows`` and gather planner statistics; returns the seconds taken."""
    start = time.perf_counter()
    upgrade(engine)
    with Session(engine) as session, session.begin():
        for name, model in TABLES:
            batch = rows[name]
            for k in range(0, len(batch), 10_000):
                session.execute(insert(model.__table__), batch[k:k + 10_000])
    analyze(engine)
    return time.perf_counter() - start


def analyze(engine: Engine) -> None:
    """Planner statistics (and, on PostgreSQL, the visibility map for index-only scans), as a settled database has."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def actors_for(session: Session) -> list[Actor]:
    """One analyst actor per organisation of :data:`BENCH_ORGS`, with group ids as the login builds them."""
    actors = []
    for ref in BENCH_ORGS:
        org = session.scalar(select(Organisation).where(Organisation.ref == ref))
        user = session.scalar(select(User).where(User.organisation_id == org.id))
        actors.append(Actor(user.id, user.username, org.id, org.ref, org.nation_iso3, frozenset(user.roles),
                            group_ids_for(session, org.id, org.nation_iso3)))
    return actors


PAGE_COLUMNS = (Assessment.id, Assessment.trl, Assessment.mrl, Assessment.fit_0_to_100, Assessment.assessed_on,
                Assessment.tlp, Assessment.distribution, Assessment.releasable_to, Assessment.solution_id,
                Assessment.case_id)
"""The columns of an assessment list page (as ``services.assessments.list_visible``, without its solution join)."""


def page_query(actor: Actor | None, restrictor=restrict):
    """A page of 50 assessments, newest first: restricted for ``actor``, unrestricted for None."""
    query = select(*PAGE_COLUMNS).order_by(Assessment.id.desc()).limit(50)
    return restrictor(query, actor) if actor else unrestricted(query, "benchmark baseline")


def count_query(actor: Actor | None, restrictor=restrict):
    """The count of every assessment ``actor`` may see (of all of them for None)."""
    query = select(func.count()).select_from(Assessment)
    return restrictor(query, actor) if actor else unrestricted(query, "benchmark baseline")


# --- measurement --------------------------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def time_pair(session: Session, make, fetch, actors: list[Actor], restrictor) -> tuple[list[float], list[float]]:
    """Milliseconds of building and running ``make(actor)`` (restricted) and ``make(None)``, users in turn.

    Restricted and unrestricted runs alternate (and swap order each round) so drift hits both alike.
    """
    restricted, plain = [], []
    for i in range(WARMUP + RUNS):
        actor = actors[i % len(actors)]
        order = [(actor, restricted), (None, plain)]
        if i % 2:
            order.reverse()
        for who, out in order:
            start = time.perf_counter()
            fetch(session.execute(make(who, restrictor)))
            elapsed = (time.perf_counter() - start) * 1000
            if i >= WARMUP:
                out.append(elapsed)
    return restricted, plain


def report(label: str, restricted: list[float], plain: list[float]) -> float:
    """Print one figure line; return the p50 ratio."""
    ratio = statistics.median(restricted) / statistics.median(plain)
    print(f"{label}: restricted p50 {percentile(restricted, 50):.2f} ms p95 {percentile(restricted, 95):.2f} ms; "
          f"unrestricted p50 {percentile(plain, 50):.2f} ms p95 {percentile(plain, 95):.2f} ms; ratio p50 {ratio:.2f}",
          flush=True)
    return ratio


def measure(engine: Engine, name: str, prefix: str = "", restrictor=restrict) -> dict[str, float]:
    """Time both reads on ``engine`` and print their lines; returns the p50 ratio per read."""
    ratios = {}
    with Session(engine) as session:
        actors = actors_for(session)
        visible = [session.scalar(count_query(a)) for a in actors]
        if restrictor is not restrict:
            same = all(session.scalar(count_query(a, restrictor)) == v
                       and session.execute(page_query(a, restrictor)).all() == session.execute(page_query(a)).all()
                       for a, v in zip(actors, visible))
            assert same, "the experimental filter sees other rows than restrict(): fix the prototype"
        if not prefix:
            total = session.scalar(count_query(None))
            share = ", ".join(f"{a.org_ref} {v / total:.0%}" for a, v in zip(actors, visible))
            print(f"{name} data: {total:,} assessments; visible to {share}", flush=True)
        ratios["page of 50"] = report(f"{prefix}{name} page of 50",
                                      *time_pair(session, page_query, lambda r: r.all(), actors, restrictor))
        ratios["count visible"] = report(f"{prefix}{name} count visible",
                                         *time_pair(session, count_query, lambda r: r.scalar_one(), actors, restrictor))
    return ratios


def verdict(name: str, ratios: dict[str, float], prefix: str = "") -> None:
    """The final line for a backend: the worst ratio against the target."""
    worst = max(ratios, key=ratios.get)
    ok = "meets" if ratios[worst] <= TARGET else "MISSES"
    print(f"{prefix}{name} verdict: worst ratio p50 {ratios[worst]:.2f} ({worst}) {ok} the target (ratio <= {TARGET})",
          flush=True)


def _plan_rows(session: Session, query, prefix: str):
    engine = session.get_bind()
    compiled = query.compile(engine, compile_kwargs={"render_postcompile": True})
    params = compiled.params if engine.dialect.name == "postgresql" else tuple(compiled.params[k] for k in compiled.positiontup)
    return session.connection().exec_driver_sql(prefix + str(compiled), params).all()


def plan_line(engine: Engine, name: str, prefix: str = "", restrictor=restrict, actor_ref: str = "DEU") -> None:
    """One line on how the backend runs the restricted count (full plans with RAPID_BENCH_EXPLAIN=1)."""
    with Session(engine) as session:
        actor = next(a for a in actors_for(session) if a.org_ref == actor_ref)
        if engine.dialect.name == "sqlite":
            steps = [row[-1] for row in _plan_rows(session, count_query(actor, restrictor), "EXPLAIN QUERY PLAN ")]
            print(f"{prefix}{name} plan of the restricted count ({actor_ref}): {' | '.join(steps[:4])}", flush=True)
        else:
            plan = _plan_rows(session, count_query(actor, restrictor), "EXPLAIN (ANALYZE, FORMAT JSON) ")[0][0]
            plan = plan if isinstance(plan, list) else json.loads(plan)
            top, scan = plan[0]["Plan"], plan[0]["Plan"]
            while scan.get("Plans") and "Scan" not in scan["Node Type"]:
                scan = scan["Plans"][0]
            jit = plan[0].get("JIT", {}).get("Timing", {}).get("Total")
            above = session.scalar(select(func.current_setting("jit_above_cost")))
            print(f"{prefix}{name} plan of the restricted count ({actor_ref}): {scan['Node Type']}"
                  f"{' on ' + scan['Index Name'] if scan.get('Index Name') else ''}; estimated cost {top['Total Cost']:,.0f} "
                  f"(jit_above_cost {above}); JIT compile {f'{jit:.1f} ms' if jit is not None else 'none'} of "
                  f"{plan[0]['Execution Time']:.1f} ms execution", flush=True)
        if os.environ.get("RAPID_BENCH_EXPLAIN"):
            for label, query in (("count", count_query(actor, restrictor)), ("page", page_query(actor, restrictor))):
                head = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
                print(f"--- {prefix}{name} plan of the restricted {label} ({actor_ref}):")
                for row in _plan_rows(session, query, head):
                    print("   ", row[-1] if engine.dialect.name == "sqlite" else row[0])


def create_experiment_index(engine: Engine) -> str:
    """EXPERIMENT: create the covering index in this benchmark database; returns its label."""
    index_name, columns = EXPERIMENT_INDEX
    include = " INCLUDE (id)" if engine.dialect.name == "postgresql" else ""
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE INDEX {index_name} ON assessments ({columns}){include}")
    analyze(engine)
    return f"covering index ({columns}){include}"


def run_backend(name: str, engine: Engine, rows: dict[str, list[dict]]) -> None:
    """Load, measure the real filter, then the experiments, on one backend."""
    seconds = load(engine, rows)
    print(f"{name} setup: {seconds:.1f} s (schema by migration, bulk Core inserts, ANALYZE)", flush=True)
    verdict(name, measure(engine, name))
    plan_line(engine, name)

    index = create_experiment_index(engine)
    label = f"experiment [{index}] "
    verdict(name, measure(engine, name, label), label)
    plan_line(engine, name, label)


def postgres_database(server_url: str) -> tuple[Engine, str] | str:
    """A fresh database on ``server_url``'s server: (admin engine, URL of the new database), or why not."""
    try:
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "skip PostgreSQL", with the reason printed
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    db = f"rapid_bench_sharing_{os.getpid()}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{db}"')
    return admin, make_url(server_url).set(database=db).render_as_string(hide_password=False)


def main() -> None:
    """Build the data once, then measure SQLite and PostgreSQL; one printed line per figure."""
    start = time.perf_counter()
    rows = build_rows(random.Random(SEED))
    print(f"data: {len(rows['organisations'])} organisations in 32 nations, {GROUPS} sharing groups, "
          f"{len(rows['assessments']):,} assessments, built in {time.perf_counter() - start:.1f} s", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'sharing.db'}")
        try:
            run_backend("sqlite", engine, rows)
        finally:
            engine.dispose()

    server = os.environ.get("RAPID_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    made = postgres_database(server)
    if isinstance(made, str):
        print(f"postgresql skipped: cannot connect to {make_url(server).render_as_string(hide_password=True)} ({made})")
    else:
        admin, url = made
        engine = make_engine(url)
        try:
            run_backend("postgresql", engine, rows)
        finally:
            engine.dispose()
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}"')
            admin.dispose()
    print(f"total: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
