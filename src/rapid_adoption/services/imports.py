"""Importing data sources into the workspace, transactionally and idempotently.

A source is read completely and checked before anything is written; then every record is written
in one transaction. A second run of the same import changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain.errors import Conflict, PermissionDenied, ValidationError
from ..domain.types import TLP, Distribution
from ..ingest.batch import Batch
from ..ingest.edf import read_edf
from ..ingest.files import Reject
from ..ingest.generic import KINDS, read_user_file
from ..ingest.names import name_key
from ..ingest.network import read_network, slug
from ..ingest.sbir import TransitionFacts, read_sbir
from ..ingest.taxonomies import read_taxonomies
from ..domain.sharing import Actor
from ..store.sharing import unrestricted
from ..store.tables import (
    CapabilityNeed,
    Company,
    Investment,
    MrlLevel,
    Organisation,
    ProgrammeMembership,
    Solution,
    SolutionParticipant,
    TechnologyArea,
    TestCentre,
    TrlLevel,
)
from . import audit
from .auth import system_actor
from .upsert import UpsertCount, upsert
from .workspace import Workspace

BUNDLED_SOURCES = ("taxonomies", "edf", "sbir", "network")
"""Bundled sources in the order ``all`` imports them (owners and reference data first)."""

Progress = Callable[[str], None]


def bundled_dir(name: str) -> Path:
    """The folder of a bundled data set inside the installed package (``edf``, ``sbir``, ...)."""
    return Path(str(resources.files("rapid_adoption") / "data" / name))


@dataclass
class ImportReport:
    """What an import did.

    Attributes:
        counts: table name -> inserted/updated/unchanged counts.
        notes: figures from the readers, e.g. how many firm names merged.
        rejects: rows left out under ``--skip-invalid``.
        edf_projects: EDF project facts (for the quickstart), keyed by solution ref.
        transitions: Navy transition facts (for the quickstart).
    """

    counts: dict[str, UpsertCount] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    edf_projects: dict[str, dict[str, str]] = field(default_factory=dict)
    transitions: list[TransitionFacts] = field(default_factory=list)

    def add(self, table: str, count: UpsertCount) -> None:
        """Add ``count`` to the running total for ``table``."""
        self.counts.setdefault(table, UpsertCount())
        self.counts[table] += count

    @property
    def changed(self) -> int:
        """Rows inserted or updated in all."""
        return sum(c.inserted + c.updated for c in self.counts.values())


def read_source(
    source: str,
    *,
    path: Path | None = None,
    home_org: str = "DIANA",
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> tuple[Batch, ImportReport]:
    """Read a source without writing anything.

    Args:
        source: ``all``, one of :data:`BUNDLED_SOURCES`, or a user kind (``needs``, ``companies``,
            ``solutions``, ``centres``).
        path: for a bundled source, a folder to read instead of the bundled copy (for ``network``, a
            folder holding both ``network`` and ``taxonomies`` files, or the network folder whose
            sibling is ``taxonomies``); for a user kind, the file (required).
        home_org: owner of user needs that name none.
        skip_invalid: leave bad rows out and report them instead of failing.
        progress: called with a short message as each file is read.

    Raises:
        ValidationError: an unknown source, a missing path, or the first bad file or row.
    """
    report = ImportReport()
    say = progress or (lambda _m: None)
    if source in KINDS:
        if path is None:
            raise ValidationError(f"give the file to import: rapid import {source} FILE", field="FILE")
        say(f"reading {path}")
        batch = read_user_file(source, path, home_org=home_org, skip_invalid=skip_invalid)
        return batch, report
    if source == "all":
        if path is not None:
            raise ValidationError("'all' reads the bundled data and takes no path", field="FILE")
        batch = Batch()
        for name in BUNDLED_SOURCES:
            part, part_report = read_source(name, skip_invalid=skip_invalid, progress=progress)
            batch.extend(part)
            report.edf_projects.update(part_report.edf_projects)
            report.transitions.extend(part_report.transitions)
        return batch, report
    if source not in BUNDLED_SOURCES:
        valid = ", ".join(("all",) + BUNDLED_SOURCES + KINDS)
        raise ValidationError(f"unknown source {source!r}; expected one of {valid}", field="SOURCE")
    folder = path or bundled_dir(source)
    if not folder.is_dir():
        raise ValidationError(f"{source} expects a folder of its files, and {folder} is not one", file=str(folder))
    say(f"reading {source} from {folder}")
    if source == "taxonomies":
        return read_taxonomies(folder, skip_invalid=skip_invalid), report
    if source == "edf":
        batch, report.edf_projects = read_edf(folder, skip_invalid=skip_invalid)
        return batch, report
    if source == "sbir":
        batch, report.transitions = read_sbir(folder, skip_invalid=skip_invalid)
        return batch, report
    taxonomies = folder if (folder / "nato_innovation_seed_facts.csv").exists() else folder.parent / "taxonomies"
    if path is None:
        taxonomies = bundled_dir("taxonomies")
    return read_network(folder, taxonomies, skip_invalid=skip_invalid), report


SHARING_PUBLIC = {"distribution": Distribution.COMMUNITY.value, "tlp": TLP.CLEAR.value}
"""Sharing of records imported from public sources: everyone on the instance, TLP:CLEAR."""


def apply_batch(session: Session, batch: Batch, report: ImportReport, *, home_org: str, now, public: bool,
                progress: Progress | None = None, skip_invalid: bool = False) -> None:
    """Write ``batch`` in the session's transaction, idempotently.

    Args:
        session: inside a transaction; nothing is committed here.
        batch: what the readers returned.
        report: receives the counts.
        home_org: owner of records whose source names none.
        now: timestamp for created/updated rows.
        public: records come from public sources (TLP:CLEAR, community); otherwise a user's own
            data, which is marked TLP:GREEN, community, owned by ``home_org``.
        progress: called with a short message per table.
        skip_invalid: a record of a user's file whose reference cannot be resolved goes to
            ``batch.rejects`` instead of failing the import.

    Raises:
        ValidationError: a record names an owner, company or need that exists neither in the batch
            nor in the workspace (with the file and line for a user's file).
    """
    say = progress or (lambda _m: None)
    sharing = SHARING_PUBLIC if public else {"distribution": Distribution.COMMUNITY.value, "tlp": TLP.GREEN.value}

    def reference_error(kind: str, ref: str, field_name: str, message: str) -> bool:
        """Reject the record (with ``skip_invalid`` and a known origin) and return True, or raise."""
        file, line = batch.origins.get((kind, ref), (None, None))
        if skip_invalid and file is not None:
            batch.rejects.append(Reject(file, line, field_name, message, json.dumps({"ref": ref})))
            return True
        raise ValidationError(message, file=file, line=line, field=field_name)

    def owned_elsewhere(kind: str, counts: UpsertCount) -> None:
        """Rows whose ref another organisation holds are never overwritten: noted (public data) or refused (a user's file)."""
        if not counts.kept:
            return
        if public:
            note = "records left as they are because another organisation holds their ref"
            report.notes[note] = report.notes.get(note, 0) + len(counts.kept)
            return
        for (ref,) in counts.kept:
            reference_error(kind, ref, "ref", f"ref {ref!r} is already used by a record another organisation owns; "
                                              "choose another ref")

    say("writing organisations")
    counts, org_ids = upsert(session, Organisation, ("ref",), [
        {"ref": o.ref, "name": o.name, "kind": o.kind, "nation_iso3": o.nation_iso3, "source": o.source}
        for o in batch.organisations
    ], now=now)
    report.add("organisations", counts)
    org_ids = {ref: oid for ref, oid in session.execute(select(Organisation.ref, Organisation.id))}
    home_id = org_ids.get(home_org)
    if home_id is None:
        raise ValidationError(f"the workspace's organisation {home_org!r} does not exist; run 'rapid init'")

    def owner_for(ref: str) -> int:
        """Owner of a record: for public data, the body that published it; else the workspace's organisation."""
        if not public:
            return home_id
        for prefixes, owner in ((("EDF-", "PIC-"), "EU-DEFIS"), (("SBIR-", "NAVY-"), "USA")):
            if ref.startswith(prefixes) and owner in org_ids:
                return org_ids[owner]
        return home_id

    if batch.trl_levels:
        report.add("trl_levels", upsert(session, TrlLevel, ("level",), [
            {"level": t[0], "nasa": t[1], "dod": t[2], "eu": t[3]} for t in batch.trl_levels], now=now, versioned=False)[0])
    if batch.mrl_levels:
        report.add("mrl_levels", upsert(session, MrlLevel, ("level",), [
            {"level": m[0], "dod": m[1]} for m in batch.mrl_levels], now=now, versioned=False)[0])
    if batch.technology_areas:
        report.add("technology_areas", upsert(session, TechnologyArea, ("scheme", "name"), [
            {"scheme": t[0], "name": t[1], "definition": t[2], "source": t[3]} for t in batch.technology_areas],
            now=now, versioned=False)[0])

    say(f"writing {len(batch.companies)} companies")
    pics = {c.eu_pic for c in batch.companies if c.eu_pic}
    if pics:
        pic_owner = dict(session.execute(unrestricted(
            select(Company.eu_pic, Company.ref).where(Company.eu_pic.in_(pics)), "a PIC is unique across owners")).all())
        kept = []
        for c in batch.companies:
            other = pic_owner.get(c.eu_pic) if c.eu_pic else None
            if other is not None and other != c.ref:
                reference_error("companies", c.ref, "eu_pic", f"EU PIC {c.eu_pic!r} already belongs to company {other!r}")
                continue
            kept.append(c)
        batch.companies = kept
    counts, company_ids = upsert(session, Company, ("ref",), [
        {"ref": c.ref, "legal_name": c.legal_name, "aliases": list(c.aliases), "country": c.country, "city": c.city,
         "eu_pic": c.eu_pic, "duns": c.duns, "uei": c.uei, "ncage": c.ncage, "sme": c.sme, "website": c.website,
         "kind": c.kind, "source": c.source, "owner_org_id": owner_for(c.ref), **sharing}
        for c in batch.companies
    ], now=now, protect_owner=True)
    report.add("companies", counts)
    owned_elsewhere("companies", counts)
    company_ids = {k[0]: v for k, v in company_ids.items()}

    say(f"writing {len(batch.needs)} capability needs")
    need_rows = []
    for n in batch.needs:
        if n.owner_ref not in org_ids:
            reference_error("needs", n.ref, "owner", f"no organisation {n.owner_ref!r} in this workspace")
            continue
        need_rows.append({
            "ref": n.ref, "title": n.title, "statement": n.statement,
            "operational_domain": n.operational_domain.value if n.operational_domain else None,
            "technology_areas": list(n.technology_areas), "priority": n.priority.value, "source": n.source,
            "published_on": n.published_on, "owner_org_id": org_ids[n.owner_ref], **sharing,
        })
    counts, need_ids = upsert(session, CapabilityNeed, ("ref",), need_rows, now=now, protect_owner=True)
    report.add("capability_needs", counts)
    owned_elsewhere("needs", counts)
    need_ids = {k[0]: v for k, v in need_ids.items()}

    say(f"writing {len(batch.solutions)} solutions")
    solution_rows = []
    for s in batch.solutions:
        if s.company_ref not in company_ids:
            reference_error("solutions", s.ref, "company", f"no company {s.company_ref!r} in this file or workspace")
            continue
        if s.need_ref and s.need_ref not in need_ids:
            reference_error("solutions", s.ref, "need", f"no capability need {s.need_ref!r} in this file or workspace")
            continue
        solution_rows.append({
            "ref": s.ref, "company_id": company_ids[s.company_ref], "name": s.name, "description": s.description,
            "technology_areas": list(s.technology_areas), "trl": s.trl, "mrl": s.mrl, "cots": s.cots,
            "dual_use": s.dual_use, "source": s.source, "year": s.year,
            "responds_to_need_id": need_ids.get(s.need_ref) if s.need_ref else None,
            "owner_org_id": owner_for(s.ref), **sharing,
        })
    counts, solution_ids = upsert(session, Solution, ("ref",), solution_rows, now=now, protect_owner=True)
    report.add("solutions", counts)
    owned_elsewhere("solutions", counts)
    solution_ids = {k[0]: v for k, v in solution_ids.items()}

    if batch.participants:
        wanted = {(solution_ids[p.solution_ref], company_ids[p.company_ref]): p for p in batch.participants}
        touched = {sid for sid, _ in wanted}
        existing = {
            (r.solution_id, r.company_id): r
            for r in session.scalars(select(SolutionParticipant).where(SolutionParticipant.solution_id.in_(touched)))
        }
        count = UpsertCount()
        for key, p in wanted.items():
            row = existing.get(key)
            if row is None:
                session.add(SolutionParticipant(solution_id=key[0], company_id=key[1], role=p.role,
                                                eu_contribution_eur=p.eu_contribution_eur))
                count.inserted += 1
            elif (row.role, row.eu_contribution_eur) != (p.role, p.eu_contribution_eur):
                row.role, row.eu_contribution_eur = p.role, p.eu_contribution_eur
                count.updated += 1
            else:
                count.unchanged += 1
        for key in set(existing) - set(wanted):
            session.execute(delete(SolutionParticipant).where(
                SolutionParticipant.solution_id == key[0], SolutionParticipant.company_id == key[1]))
            count.updated += 1
        report.add("solution_participants", count)

    if batch.centres:
        say(f"writing {len(batch.centres)} test centres")
        counts, _ = upsert(session, TestCentre, ("ref",), [
            {"ref": c.ref, "name": c.name, "centre_type": c.centre_type.value, "country": c.country, "city": c.city,
             "operator": c.operator, "domains": list(c.domains), "capabilities": list(c.capabilities),
             "source": c.source, "notes": c.notes,
             "owner_org_id": org_ids.get(c.country, org_ids.get("DIANA", home_id)) if public else home_id, **sharing}
            for c in batch.centres
        ], now=now, protect_owner=True)
        report.add("test_centres", counts)
        owned_elsewhere("centres", counts)

    if batch.memberships or batch.investments:
        _write_programmes(session, batch, report, org_ids, home_id, sharing, now)


def _write_programmes(session, batch, report, org_ids, home_id, sharing, now) -> None:
    """Write programme memberships and investments, matching companies by normalised name.

    A company is matched on its legal name or an alias (same normalised key and, where both are
    known, the same country); an unknown company is created with ref ``ORG-<slug>-<country>``.
    """
    by_key: dict[str, list[tuple[int, str, str | None]]] = {}
    for cid, ref, legal, aliases, country in session.execute(unrestricted(
            select(Company.id, Company.ref, Company.legal_name, Company.aliases, Company.country),
            "programme facts name public companies")):
        for n in [legal, *(aliases or [])]:
            by_key.setdefault(name_key(n), []).append((cid, ref, country))

    new_companies = []
    already = UpsertCount()

    def company_for(name: str, country: str | None) -> str:
        for cid, ref, c_country in by_key.get(name_key(name), []):
            if country is None or c_country is None or c_country == country:
                if ref.startswith("ORG-") and ref not in seen_programme_refs:
                    seen_programme_refs.add(ref)
                    already.unchanged += 1  # made by an earlier import of these files
                return f"#{cid}"
        ref = f"ORG-{slug(name)}" + (f"-{country.lower()}" if country else "")
        if ref not in {c["ref"] for c in new_companies}:
            new_companies.append({"ref": ref, "legal_name": name, "aliases": [], "country": country, "city": None,
                                  "eu_pic": None, "duns": None, "uei": None, "ncage": None, "sme": None, "website": None,
                                  "kind": "Company named by a NATO innovation programme", "source": "diana_cohorts.csv / nato_innovation_seed_facts.csv",
                                  "owner_org_id": org_ids.get("DIANA", home_id), **sharing})
        return ref

    seen_programme_refs: set[str] = set()
    member_refs = [company_for(m.company_name, m.country) for m in batch.memberships]
    invest_refs = [company_for(i.company_name, i.country) for i in batch.investments]
    counts, ids = upsert(session, Company, ("ref",), new_companies, now=now)
    report.add("companies", counts)
    report.add("companies", already)
    ids = {k[0]: v for k, v in ids.items()}

    def resolve(ref: str) -> int:
        return int(ref[1:]) if ref.startswith("#") else ids[ref]

    report.add("programme_memberships", upsert(session, ProgrammeMembership, ("company_id", "programme", "year"), [
        {"company_id": resolve(ref), "programme": m.programme, "year": m.year, "challenge_area": m.challenge_area,
         "source": m.source, "owner_org_id": org_ids.get("DIANA", home_id), **sharing}
        for ref, m in zip(member_refs, batch.memberships)
    ], now=now)[0])
    report.add("investments", upsert(session, Investment, ("company_id", "investor"), [
        {"company_id": resolve(ref), "investor": i.investor, "invested_on": i.invested_on, "amount_eur": i.amount_eur,
         "note": i.note, "source": i.source, "owner_org_id": org_ids.get("NIF", home_id), **sharing}
        for ref, i in zip(invest_refs, batch.investments)
    ], now=now)[0])


IMPORT_ROLES = ("admin", "analyst")


def run_import(
    workspace: Workspace,
    source: str,
    *,
    actor: Actor | None = None,
    path: Path | None = None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Read ``source`` and write it in one transaction (see :func:`read_source` for the arguments).

    Args:
        actor: who imports (an admin or analyst); None for the system itself (the quickstart). A
            user's own records belong to the actor's organisation; public data to its publisher.
            One audit entry records the import and its counts.

    Returns:
        The report. With ``skip_invalid`` its ``rejects`` list the rows left out.

    Raises:
        NotInitialised: the workspace has no schema.
        ValidationError: the first bad file or row (nothing is written).
        Conflict: another import wrote the same records meanwhile (nothing is written).
        PermissionDenied: the actor is neither admin nor analyst.
    """
    workspace.require_schema()
    if actor is not None and not actor.has_role(*IMPORT_ROLES):
        raise PermissionDenied(f"importing needs the role admin or analyst; {actor.username} has "
                               f"{', '.join(sorted(actor.roles)) or 'none'}")
    home_org = actor.org_ref if actor is not None else workspace.home_org_ref()
    batch, report = read_source(source, path=path, home_org=home_org, skip_invalid=skip_invalid, progress=progress)
    try:
        with workspace.uow.transaction() as session:
            apply_batch(session, batch, report, home_org=home_org, now=workspace.now(),
                        public=source not in KINDS, progress=progress, skip_invalid=skip_invalid)
            who = actor or system_actor(session, home_org)
            if report.changed:  # the retrieval index follows the records, in the same transaction
                from .matching import sync_index
                sync_index(session)
            if report.changed:  # an import that changes nothing writes nothing, not even an audit entry
                audit.record(session, who, "import", "import", None, now=workspace.now(), after={
                    "source": source, "path": str(path) if path else None,
                    "counts": {t: {"inserted": c.inserted, "updated": c.updated, "unchanged": c.unchanged}
                               for t, c in report.counts.items()},
                    "rejected": len(batch.rejects)})
    except IntegrityError:
        raise Conflict("another import changed the workspace at the same time; nothing was written: run this "
                       "import again") from None
    report.notes.update(batch.notes)
    report.rejects = batch.rejects
    return report
