"""Synthetic volume on top of the real bundled data, shared by the benchmarks.

Cases pair real needs with real solutions; extra solutions are copies of real SBIR and EDF solutions under
new refs. Set-up writes go straight to the tables (outside the services), the way a bulk migration would;
every benchmark then reads through the services and the sharing filter, as users do.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from rapid_adoption.domain.types import ACTIVE_STAGES, Stage
from rapid_adoption.services.workspace import Workspace
from rapid_adoption.store.tables import AdoptionCase, CapabilityNeed, GateDecision, Organisation, Solution


def add_cases(ws: Workspace, cases: int, seed: int = 20261129) -> None:
    """Add ``cases`` adoption cases of random real needs and solutions, opened over the last 900 days, with their
    gate decisions, owned by random organisations and shared with the community (TLP:GREEN)."""
    now = datetime.now(timezone.utc)
    rng = random.Random(seed)
    with Session(ws.uow.engine) as session, session.begin():
        needs = list(session.scalars(select(CapabilityNeed.id)))
        solutions = list(session.scalars(select(Solution.id).limit(50_000)))
        orgs = list(session.scalars(select(Organisation.id)))
        first = (session.scalar(select(func.max(AdoptionCase.id))) or 0) + 1
        rows, decisions = [], []
        for i in range(first, first + cases):
            opened = now - timedelta(days=rng.randint(0, 900))
            stage = rng.choice(list(ACTIVE_STAGES) + [Stage.ADOPTED, Stage.WITHDRAWN])
            rows.append({"id": i, "need_id": rng.choice(needs), "solution_id": rng.choice(solutions),
                         "stage": stage.value, "cots": rng.random() < 0.2, "opened_at": opened,
                         "closed_at": opened + timedelta(days=600) if stage in (Stage.ADOPTED, Stage.WITHDRAWN) else None,
                         "owner_org_id": rng.choice(orgs), "distribution": "community", "tlp": "GREEN", "version": 1,
                         "created_at": now, "updated_at": now})
            order = list(ACTIVE_STAGES) + [Stage.ADOPTED]
            reached = order.index(stage) if stage in order else 1
            for k in range(reached):
                decisions.append({"case_id": i, "from_stage": order[k].value, "to_stage": order[k + 1].value,
                                  "decided_at": opened + timedelta(days=30 * (k + 1)), "decided_by": "bench",
                                  "rationale": "bench", "evidence": [], "inferred": False,
                                  "owner_org_id": rows[-1]["owner_org_id"], "distribution": "community", "tlp": "GREEN",
                                  "version": 1, "created_at": now, "updated_at": now})
        session.execute(insert(AdoptionCase.__table__), rows)
        session.execute(insert(GateDecision.__table__), decisions)


def add_solutions(ws: Workspace, total: int) -> int:
    """Copy the workspace's real solutions under new refs (``bench-K-REF``) until it holds ``total``; returns the
    number added."""
    with Session(ws.uow.engine) as session, session.begin():
        table = Solution.__table__
        real = [dict(row) for row in session.execute(select(table)).mappings()]
        have = len(real)
        next_id = max(r["id"] for r in real) + 1
        batch, added, k = [], 0, 0
        while have + added < total:
            k += 1
            for row in real:
                if have + added >= total:
                    break
                copy = dict(row, id=next_id, ref=f"bench-{k}-{row['ref']}", responds_to_need_id=None)
                next_id += 1
                added += 1
                batch.append(copy)
                if len(batch) == 5_000:
                    session.execute(insert(table), batch)
                    batch = []
        if batch:
            session.execute(insert(table), batch)
    return added
