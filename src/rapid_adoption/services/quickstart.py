"""The quickstart: a workspace with all bundled real data and adoption cases opened from real pairs.

Inference rules (also in ``rapid quickstart --help`` and the README):

* **EDF projects.** Each funded project is a case on its call (the need) with the project as the
  solution, owned by the European Commission (DG DEFIS) and opened on the project's start date.
  The grant means the call's evaluation chose the project, so the market-research gate is taken
  as passed on the start date; the case is then in ``tevv`` (development and testing). A project
  whose status is ``Ended``, or whose end date has passed, has passed the ``tevv`` gate on its end
  date and waits at ``badge``. A project that starts after today is not opened.
* **Navy SBIR-to-Phase-III transitions.** Each transition is a case owned by the USA, opened on
  1 October before the US fiscal year of its earliest prior SBIR topic (``N112-137`` is FY2011, so
  2010-10-01). Its Phase III contract is dated 1 October before the transition year's fiscal year,
  the earliest date that year allows, so the elapsed time shown is a lower bound. The gates up to
  and including ``contracting`` are recorded as passed on that date (the source gives no earlier
  dates). Every transition in the file is a ``procurement``: the Navy bought the capability for
  use, so the fielding gate is passed on the same date and the case is ``adopted``. A transition
  whose topic codes carry no year is not opened.

Every inferred gate decision is marked ``inferred`` and says what it rests on.
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from ..domain.errors import Conflict
from ..domain.types import TLP, Distribution, Stage
from ..store import migrate
from ..store.sharing import unrestricted
from ..store.tables import AdoptionCase, CapabilityNeed, User
from .auth import set_password, system_actor
from .cases import CaseService
from .imports import ImportReport, Progress, run_import
from .setup import init_workspace
from .workspace import StoreUnavailable, Workspace
from .example import SharingExample, build_sharing_example

ACTOR = "rapid quickstart"
SHOWCASE_NEEDS = ("EDF-2023-DA-AIRDEF-CUAS", "EDF-2023-DA-AIR-SPS", "EDF-2021-NAVAL-D-MMPC")
"""Real needs whose top candidates the quickstart shows (those present in the workspace)."""
PUBLIC = {"distribution": Distribution.COMMUNITY.value, "tlp": TLP.CLEAR.value}


@dataclass
class QuickstartReport:
    """What the quickstart did.

    Attributes:
        backup: where an existing SQLite workspace was moved, or None.
        imported: the import report.
        opened: cases opened by this run, per source ("EDF projects", "Navy transitions").
        already_open: cases that a previous run had opened (with ``--reuse``).
        skipped: (case ref, reason) for real pairs that could not be opened.
        sharing: the multi-nation sharing example (users, group, assessments, who sees what).
        demo_password: the random password this run gave every user it made, for the web login
            (shown once, stored only hashed); None when the users already existed (``--reuse``).
    """

    backup: Path | None = None
    imported: ImportReport | None = None
    opened: dict[str, int] = field(default_factory=dict)
    already_open: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    sharing: SharingExample | None = None
    demo_password: str | None = None
    candidates: dict[str, dict] = field(default_factory=dict)
    """For a few real needs (:data:`SHOWCASE_NEEDS`), the top solutions ranked by ``services.matching``."""
    tevv: object | None = None
    """The TEVV part (:class:`rapid_adoption.services.tevv_quickstart.TevvExample`): trials, plan, demonstration."""
    badge: dict | None = None
    """The demonstration case's badge (:func:`rapid_adoption.services.badges.award_demonstration`), or None."""


def prepare_fresh(workspace: Workspace, reuse: bool, stamp: str) -> Path | None:
    """Make room for a fresh workspace without losing data.

    An existing SQLite file (with its ``-wal`` and ``-shm`` files) is moved to
    ``NAME.STAMP.bak`` unless ``reuse`` is set. A PostgreSQL database that already holds needs is
    never touched: use ``--reuse``.

    Returns:
        The backup path, or None when nothing was moved.

    Raises:
        Conflict: a non-empty PostgreSQL database without ``reuse``.
    """
    if reuse:
        return None
    url = make_url(workspace.settings.database_url)
    engine = workspace.uow.engine
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return None
        path = Path(url.database)
        if not path.exists():
            return None
        engine.dispose()
        counter = 1
        while True:
            backup = path.with_name(f"{path.name}.{stamp}{'' if counter == 1 else f'-{counter}'}.bak")
            try:
                os.link(path, backup)  # fails if the name is taken, so no backup is ever overwritten
                break
            except FileExistsError:
                counter += 1
            except OSError as exc:
                raise StoreUnavailable(f"cannot move the existing workspace {path} aside: {exc.strerror}") from None
        os.unlink(path)
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                shutil.move(str(side), backup.with_name(backup.name + suffix))
        return backup
    if migrate.is_initialised(engine):
        with workspace.uow.read() as session:
            if session.scalar(unrestricted(select(func.count()).select_from(CapabilityNeed), "is the database empty?")):
                raise Conflict(
                    f"the database {workspace.location} already holds data: run 'rapid quickstart --reuse' to import "
                    "into it, or point RAPID_DATABASE_URL at an empty database")
    return None


def _midnight(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def fiscal_year_start(fiscal_year: int) -> datetime:
    """1 October of the year before: the first day of a US federal fiscal year (31 U.S.C. 1102)."""
    return datetime(fiscal_year - 1, 10, 1, tzinfo=timezone.utc)


def run_quickstart(workspace: Workspace, *, reuse: bool = False, progress: Progress | None = None) -> QuickstartReport:
    """Build the workspace, import everything bundled, and open cases from real pairs.

    Running it again with ``reuse`` changes nothing.

    Raises:
        Conflict: see :func:`prepare_fresh`.
        ValidationError: bundled data fails its checks (a packaging error).
    """
    say = progress or (lambda _m: None)
    report = QuickstartReport()
    now = workspace.now()
    workspace.check_reachable(create=True)
    report.backup = prepare_fresh(workspace, reuse, now.strftime("%Y%m%dT%H%M%SZ"))
    if report.backup:
        say(f"moved the existing workspace to {report.backup}")
    say(f"initialising the workspace at {workspace.location}")
    init_workspace(workspace)
    report.imported = run_import(workspace, "all", progress=progress)
    say("opening adoption cases from real need-solution pairs")
    with workspace.uow.transaction() as session:
        # The system acts for each case's owner: the Commission for EDF projects, the USA for Navy transitions.
        edf_cases = CaseService(workspace, replace(system_actor(session, "EU-DEFIS"), username=ACTOR))
        navy_cases = CaseService(workspace, replace(system_actor(session, "USA"), username=ACTOR))
        existing = set(session.scalars(unrestricted(
            select(AdoptionCase.ref).where(AdoptionCase.ref.is_not(None)), "the quickstart's own case refs")))

        def open_case(cases, ref, need, solution, opened_at, owner, source, label) -> bool:
            if ref in existing:
                report.already_open += 1
                return False
            try:
                cases.open(need, solution, opened_at=opened_at, owner_ref=owner, ref=ref, source=source,
                           sharing=PUBLIC, session=session)
            except Conflict as exc:  # the owner already has its own open case on this pair
                report.skipped.append((ref, str(exc)))
                return False
            report.opened[label] = report.opened.get(label, 0) + 1
            return True

        for solution_ref, facts in sorted(report.imported.edf_projects.items()):
            ref = f"QS-{solution_ref}"
            if not facts["start_date"]:
                report.skipped.append((ref, "the project has no start date"))
                continue
            start = _midnight(facts["start_date"])
            if start > now:
                report.skipped.append((ref, f"the project starts on {facts['start_date']}, after today"))
                continue
            if not open_case(edf_cases, ref, facts["call_identifier"], solution_ref, start, "EU-DEFIS",
                             "EDF projects.csv", "EDF projects"):
                continue
            edf_cases.advance(ref, Stage.TEVV, f"EDF grant under call {facts['call_identifier']}: the call's evaluation "
                          "selected this project (inferred: gate passed on the project's start date).",
                          decided_at=start, inferred=True, session=session)
            end = _midnight(facts["end_date"]) if facts["end_date"] else None
            if facts["status"].lower() == "ended" or (end is not None and end <= now):
                when = min(end, now) if end else now
                edf_cases.advance(ref, Stage.BADGE, f"Project status {facts['status']!r}, end date {facts['end_date']}: "
                              "development and testing finished (inferred).", decided_at=when, inferred=True,
                              session=session)

        for t in report.imported.transitions:
            ref = f"QS-{t.solution_ref}"
            if t.first_topic_fiscal_year is None:
                report.skipped.append((ref, f"no SBIR topic code with a year in {t.prior_sbir!r} (navy_transitions.csv line {t.line})"))
                continue
            opened_at = fiscal_year_start(t.first_topic_fiscal_year)
            contract_at = fiscal_year_start(t.transition_year)
            if contract_at < opened_at:
                report.skipped.append((ref, f"transition year {t.transition_year} is before its first topic's fiscal year {t.first_topic_fiscal_year}"))
                continue
            contract_at = min(contract_at, now)
            if not open_case(navy_cases, ref, t.need_ref, t.solution_ref, opened_at, "USA",
                             t.source_url or "navy_transitions.csv", "Navy transitions"):
                continue
            evidence = [t.source_url] if t.source_url.startswith("http") else []
            for target, why in (
                (Stage.TEVV, f"SBIR Phase I/II research under topics {t.prior_sbir} (no date in the source; recorded at the contract)."),
                (Stage.BADGE, "SBIR Phase II testing completed (no date in the source; recorded at the contract)."),
                (Stage.CONTRACTING, "Selected for transition (no date in the source; recorded at the contract)."),
                (Stage.FIELDING, f"Phase III contract with {t.command} in FY{t.transition_year}, transition value {t.transition_value}."),
                (Stage.ADOPTED, f"Transition type {t.transition_type!r}: the Navy bought the capability for use "
                                "(inferred: fielded at the contract)."),
            ):
                navy_cases.advance(ref, target, why, evidence if target in (Stage.FIELDING, Stage.ADOPTED) else [],
                              decided_at=contract_at, inferred=True, session=session)
    say("setting up the multi-nation sharing example")
    report.sharing = build_sharing_example(workspace)
    if report.sharing.created:
        report.demo_password = secrets.token_urlsafe(12)
        with workspace.uow.read() as session:
            usernames = list(session.scalars(select(User.username).order_by(User.id)))
        for username in usernames:
            set_password(workspace, None, username, report.demo_password)
    say("requesting and scheduling trials for the cases in tevv")
    from .tevv_quickstart import run_tevv_example

    report.tevv = run_tevv_example(workspace)
    say("awarding the demonstration case's badge of approval")
    from .badges import award_demonstration

    report.badge = award_demonstration(workspace)
    from .matching import MatchFilters, candidates_for_need  # BM25 only: no dense model runs here
    from ..domain.errors import NotFound
    with workspace.uow.read() as session:
        reader = system_actor(session, workspace.home_org_ref())
    for ref in SHOWCASE_NEEDS:
        try:
            report.candidates[ref] = candidates_for_need(workspace, reader, ref, MatchFilters(top=3))
        except NotFound:
            continue
    return report
