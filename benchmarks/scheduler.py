"""The trial scheduler on the real test-centre network: CP-SAT against the earliest-deadline-first baseline.

Setup (issue 6, section 5):

* **Centres**: the 100 bundled centres (``data/network/test_centres.csv``, read with the project's ingest reader),
  their test domains from ``tevv/test_domains.py``, capacity per week by centre type
  (``DEFAULT_CAPACITY_PER_WEEK``: range 3, test centre 2, accelerator site 1), no capability tags (the source gives
  none). Week 0 is the week of Monday 2026-11-30, 52 weeks. Blackouts: the weeks of 25 December 2026, 1 January 2027
  and Easter Monday 2027 (weeks 3, 4 and 17) at every centre, and two maintenance weeks per centre drawn at random.
* **Requests** (500 and 2,000), seed 20261130: each draws a real capability need (the 207 EDF calls and 2,776 SBIR
  topics) and a real solution for it (a project or award linked to the need when there is one, otherwise a solution
  of the same source). The test domain comes from the need (``need_test_domain`` on its operational domain,
  technology areas, title and statement); the preferred countries are the solution's company country and the
  requesting nation (the need's owner when it is a nation). The case opened on a random day in the 15 months before
  week 0; on the 24-month clock its TEVV window runs from the market-research deadline (3 months; the ready week) to
  the TEVV deadline (15 months; the deadline week); COTS solutions use the 9-month budgets. The weight is 3 when the
  clock reads ``at_risk`` in TEVV at week 0 (more than 80% of the window gone), else 1. Durations are 1-8 weeks.

Printed, one line per figure and size: the solve time (wall clock, with the CPU time and the machine's load, since
the wall clock depends on what else runs); the CP-SAT objective with its proven bound and gap; the greedy objective;
the share of requests placed by their deadline (CP-SAT and greedy); then whether the targets are met (500 requests:
gap <= 5% within 60 s; 2,000 requests: a schedule within 300 s that beats greedy). Two workers; the time limits
(:data:`LIMITS`, 55 s and 290 s) cover the whole call, leaving room for the last CP-SAT run to overrun slightly.
The objective is ``(weighted lateness + unplaced penalties) x (N + 1) + preference misses``
(``tevv/scheduler.py``).

Run: ``python benchmarks/scheduler.py`` (``--sizes 500`` for one size, ``--limit`` to change the time limits).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from rapid_adoption.domain.clock import read_clock, stage_deadline, stage_window_start
from rapid_adoption.domain.types import ClockStatus, Stage
from rapid_adoption.ingest.edf import read_edf
from rapid_adoption.ingest.files import RowCollector
from rapid_adoption.ingest.network import read_test_centres
from rapid_adoption.ingest.sbir import read_sbir
from rapid_adoption.services.imports import bundled_dir
from rapid_adoption.tevv.scheduler import CentreCalendar, Schedule, TrialRequest, schedule_greedy, schedule_trials
from rapid_adoption.tevv.test_domains import DEFAULT_CAPACITY_PER_WEEK, centre_test_domains, need_test_domain

SEED = 20261130
HORIZON_WEEKS = 52
WEEK_0 = datetime(2026, 11, 30, tzinfo=timezone.utc)
HOLIDAYS = (date(2026, 12, 25), date(2027, 1, 1), date(2027, 3, 29))
LIMITS = {500: 55.0, 2000: 290.0}
"""Time limits in seconds (the scheduler stops its last CP-SAT run at the limit; the targets are 60 s and 300 s)."""
WORKERS = 2


def week_of(moment: date | datetime) -> int:
    """The week index (0 = the week of WEEK_0) of a date or datetime, by whole days."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return (day - WEEK_0.date()).days // 7


def load_centres(rng: random.Random) -> list[CentreCalendar]:
    """The 100 real centres as calendars (ids 1..100 in file order)."""
    path = bundled_dir("network") / "test_centres.csv"
    records = read_test_centres(Path(path), RowCollector(path.name))
    holidays = frozenset(week_of(d) for d in HOLIDAYS)
    centres = []
    for index, record in enumerate(records, start=1):
        maintenance = rng.sample([w for w in range(HORIZON_WEEKS) if w not in holidays], 2)
        centres.append(CentreCalendar(
            centre_id=index,
            country=record.country,
            test_domains=centre_test_domains(record.domains),
            capabilities=frozenset(record.capabilities),
            capacity_per_week=DEFAULT_CAPACITY_PER_WEEK[str(record.centre_type)],
            blackout_weeks=holidays | frozenset(maintenance),
        ))
    return centres


def load_pairs():
    """(needs, solutions by need ref, solutions by source, company country by ref) from the bundled EDF and SBIR data."""
    edf, _ = read_edf(bundled_dir("edf"))
    sbir, _ = read_sbir(bundled_dir("sbir"))
    country = {c.ref: c.country for c in edf.companies + sbir.companies}
    linked: dict[str, list] = {}
    for solution in edf.solutions + sbir.solutions:
        if solution.need_ref:
            linked.setdefault(solution.need_ref, []).append(solution)
    needs = [(n, edf.solutions) for n in edf.needs] + [(n, sbir.solutions) for n in sbir.needs]
    return needs, linked, country


def make_requests(count: int, rng: random.Random, data) -> list[TrialRequest]:
    """``count`` trial requests drawn from real needs and solutions (module docstring)."""
    needs, linked, country = data
    requests = []
    for trial_id in range(1, count + 1):
        need, pool = needs[rng.randrange(len(needs))]
        solution = rng.choice(linked.get(need.ref) or pool)
        opened_at = WEEK_0 - timedelta(days=rng.randrange(0, 456))
        ready = stage_window_start(opened_at, Stage.TEVV, cots=solution.cots)
        deadline = stage_deadline(opened_at, Stage.TEVV, cots=solution.cots)
        clock = read_clock(opened_at, Stage.TEVV, WEEK_0, cots=solution.cots)
        preferred = {country.get(solution.company_ref)}
        if len(need.owner_ref) == 3 and need.owner_ref.isupper():
            preferred.add(need.owner_ref)
        requests.append(TrialRequest(
            trial_id=trial_id,
            test_domain=need_test_domain(need.operational_domain, need.technology_areas,
                                         f"{need.title}\n{need.statement or ''}"),
            required_capabilities=frozenset(),
            duration_weeks=rng.randint(1, 8),
            ready_week=max(0, -(-(ready.date() - WEEK_0.date()).days // 7)),
            deadline_week=week_of(deadline),
            weight=3 if clock.status == ClockStatus.AT_RISK else 1,
            preferred_countries=frozenset(c for c in preferred if c),
        ))
    return requests


def on_time_share(schedule: Schedule, count: int) -> float:
    """Share of all ``count`` requests placed with no lateness."""
    return sum(1 for p in schedule.placements if p.lateness_weeks == 0) / count


def run(size: int, limit: float, centres: list[CentreCalendar], data) -> None:
    """Solve one size and print its lines."""
    requests = make_requests(size, random.Random(SEED + size), data)
    reasons: dict[str, int] = {}
    greedy = schedule_greedy(centres, requests, horizon_weeks=HORIZON_WEEKS)
    cpu = time.process_time()
    best = schedule_trials(centres, requests, horizon_weeks=HORIZON_WEEKS, time_limit_seconds=limit,
                           workers=WORKERS, seed=0)
    cpu = time.process_time() - cpu
    load = os.getloadavg()[0]
    for u in best.unplaced:
        reasons[u.reason] = reasons.get(u.reason, 0) + 1
    label = f"{size} requests"
    print(f"{label}: solve time {best.solve_seconds:.1f} s (limit {limit:.0f} s, {WORKERS} workers; CPU {cpu:.0f} s, "
          f"load average {load:.1f} on {os.cpu_count()} cores), status {best.status}", flush=True)
    print(f"{label}: cp-sat objective {best.objective:,} bound {best.bound:,} gap {best.gap:.2%} "
          f"(weighted lateness {best.weighted_lateness:,}, preference misses {best.preference_misses}, "
          f"unplaced {len(best.unplaced)}: {', '.join(f'{k} {v}' for k, v in sorted(reasons.items())) or 'none'})")
    g_unplaced = sum(1 for u in greedy.unplaced if u.reason == "capacity")
    print(f"{label}: greedy objective {greedy.objective:,} in {greedy.solve_seconds:.2f} s "
          f"(weighted lateness {greedy.weighted_lateness:,}, preference misses {greedy.preference_misses}, "
          f"unplaced for capacity {g_unplaced})")
    print(f"{label}: placed by deadline cp-sat {on_time_share(best, size):.1%}, greedy {on_time_share(greedy, size):.1%}")
    if size <= 500:
        ok = best.gap is not None and best.gap <= 0.05 and best.solve_seconds <= 60
        print(f"{label}: target gap <= 5% in <= 60 s: {'met' if ok else 'NOT met'}")
    else:
        ok = best.status in ("optimal", "feasible") and best.solve_seconds <= 300 and best.objective < greedy.objective
        print(f"{label}: target feasible in <= 300 s and better than greedy: {'met' if ok else 'NOT met'}")


def main() -> None:
    """Parse the arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=sorted(LIMITS))
    parser.add_argument("--limit", type=float, default=None, help="time limit in seconds for every size")
    args = parser.parse_args()
    centres = load_centres(random.Random(SEED))
    data = load_pairs()
    print(f"network: {len(centres)} centres, {sum(c.capacity_per_week for c in centres)} trial slots a week, "
          f"{HORIZON_WEEKS} weeks; needs: {len(data[0])}", flush=True)
    for size in args.sizes:
        run(size, args.limit or LIMITS.get(size, 60.0), centres, data)


if __name__ == "__main__":
    main()
