"""Listing and showing needs, solutions, companies and test centres, with filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, func, or_, select

from ..domain.errors import ValidationError
from ..domain.records import MRL_RANGE, TRL_RANGE
from ..domain.sharing import Actor
from ..ingest.values import country_iso3
from ..store.sharing import restrict
from ..domain.types import OperationalDomain
from ..store.tables import (
    AdoptionCase,
    CapabilityNeed,
    Company,
    Investment,
    Organisation,
    ProgrammeMembership,
    Solution,
    SolutionParticipant,
    TestCentre,
)
from .paging import KeysetPage, keyset_page
from .records import marking_of, plain, resolve, row_dict
from .workspace import Workspace

RESOURCES = ("needs", "solutions", "companies", "centres")
MAX_SEARCH_WORDS = 32
"""The most words a text search may have (each word is one condition on every searched column)."""
WORD_STARTS = (" ", "-", "/", "(", '"', "'", "\n")


@dataclass(frozen=True)
class Filters:
    """Filters for a list; each is optional.

    Attributes:
        text: words that must all start a word of the title, name or description (case-insensitive).
        domain: operational domain (needs) or domain text (centres).
        country: ISO 3166-1 alpha-3 or alpha-2 code: the owner's nation (needs), the company's
            country (solutions, companies) or the centre's country.
        trl_min, trl_max: TRL range, solutions only (1-9).
        limit: at most this many rows (1-10,000; default 50).
        offset: skip this many rows first.
    """

    text: str | None = None
    domain: str | None = None
    country: str | None = None
    trl_min: int | None = None
    trl_max: int | None = None
    limit: int = 50
    offset: int = 0


def _check(resource: str, f: Filters) -> None:
    if resource not in RESOURCES:
        raise ValidationError(f"unknown resource {resource!r}; expected one of {', '.join(RESOURCES)}")
    if (f.trl_min is not None or f.trl_max is not None) and resource != "solutions":
        raise ValidationError("the TRL filter applies to solutions only", field="--trl-min/--trl-max")
    for name, value in (("--trl-min", f.trl_min), ("--trl-max", f.trl_max)):
        if value is not None and value not in TRL_RANGE:
            raise ValidationError(f"TRL must be 1-9, got {value}", field=name)
    if f.trl_min is not None and f.trl_max is not None and f.trl_min > f.trl_max:
        raise ValidationError(f"--trl-min {f.trl_min} is above --trl-max {f.trl_max}", field="--trl-min")
    if f.domain and resource in ("solutions", "companies"):
        raise ValidationError(f"the domain filter applies to needs and centres, not {resource}", field="--domain")
    if f.domain and resource == "needs" and f.domain.lower() not in {d.value for d in OperationalDomain}:
        raise ValidationError(
            f"must be one of {', '.join(d.value for d in OperationalDomain)}, got {f.domain!r}", field="--domain")
    if not 1 <= f.limit <= 10_000:
        raise ValidationError(f"must be 1-10000, got {f.limit}", field="--limit")
    if f.offset < 0:
        raise ValidationError(f"must be 0 or more, got {f.offset}", field="--offset")
    country_iso3(f.country, "--country")


def _words(column_list, text: str | None):
    """One condition per word: a word of one of the columns starts with it (case-insensitive).

    A word starts at the beginning of the text or after a space, hyphen, slash, parenthesis or quote,
    so "uas" finds "counter-UAS" but not "persuasively". ``%`` and ``_`` match themselves.
    """
    conditions = []
    words = (text or "").split()
    if len(words) > MAX_SEARCH_WORDS:
        raise ValidationError(f"give at most {MAX_SEARCH_WORDS} words, got {len(words)}", field="text")
    for word in words:
        word = word.lower()
        options = []
        for column in column_list:
            lowered = func.lower(column)
            options.append(lowered.startswith(word, autoescape=True))
            options.extend(lowered.contains(sep + word, autoescape=True) for sep in WORD_STARTS)
        conditions.append(or_(*options))
    return conditions


def _list_query(resource: str, filters: Filters):
    """The list's ``select`` with the filters applied (not yet restricted), and its table's id column."""
    country = country_iso3(filters.country, "--country")
    if resource == "needs":
        query = select(CapabilityNeed.id, CapabilityNeed.ref, CapabilityNeed.title, CapabilityNeed.operational_domain,
                       CapabilityNeed.priority, Organisation.ref.label("owner")).join(
            Organisation, Organisation.id == CapabilityNeed.owner_org_id)
        where = _words([CapabilityNeed.title, CapabilityNeed.statement], filters.text)
        if filters.domain:
            where.append(CapabilityNeed.operational_domain == filters.domain.lower())
        if country:
            where.append(Organisation.nation_iso3 == country)
        order = CapabilityNeed.id
    elif resource == "solutions":
        query = select(Solution.id, Solution.ref, Solution.name, Company.legal_name.label("company"),
                       Company.country, Solution.trl, Solution.mrl, Solution.year).join(Company, Company.id == Solution.company_id)
        where = _words([Solution.name, Solution.description], filters.text)
        if country:
            where.append(Company.country == country)
        if filters.trl_min is not None:
            where.append(Solution.trl >= filters.trl_min)
        if filters.trl_max is not None:
            where.append(Solution.trl <= filters.trl_max)
        order = Solution.id
    elif resource == "companies":
        query = select(Company.id, Company.ref, Company.legal_name, Company.country, Company.sme, Company.eu_pic,
                       Company.kind)
        where = _words([Company.legal_name, cast(Company.aliases, String)], filters.text)
        if country:
            where.append(Company.country == country)
        order = Company.id
    else:
        query = select(TestCentre.id, TestCentre.ref, TestCentre.name, TestCentre.centre_type, TestCentre.country,
                       TestCentre.city, TestCentre.domains)
        where = _words([TestCentre.name, TestCentre.operator, TestCentre.notes, cast(TestCentre.domains, String)], filters.text)
        if filters.domain:
            where.append(func.lower(cast(TestCentre.domains, String)).contains(filters.domain.lower(), autoescape=True))
        if country:
            where.append(TestCentre.country == country)
        order = TestCentre.id
    return query.where(*where), order


def list_records(workspace: Workspace, actor: Actor, resource: str,
                 filters: Filters = Filters()) -> tuple[int, list[dict[str, Any]]]:
    """List the ``resource`` records that ``actor`` may see and that match ``filters``, ordered by id.

    The count counts visible records only: a hidden record does not show, even as a number.

    Returns:
        ``(total, rows)``: how many match in all, and the page of rows as JSON-ready dicts (long
        text left out; ``show`` gives it).

    Raises:
        ValidationError: a filter that does not apply to ``resource`` or is out of range.
    """
    _check(resource, filters)
    query, order = _list_query(resource, filters)
    query = restrict(query, actor)
    with workspace.uow.read() as session:
        total = session.scalar(restrict(select(func.count()).select_from(query.subquery()), actor))
        rows = session.execute(query.order_by(order).limit(filters.limit).offset(filters.offset)).mappings().all()
    return total, [plain(dict(r)) for r in rows]


def _with_owner(session, record) -> dict[str, Any]:
    """The record's columns, with the owner's ref in place of its internal id, and its marking banner."""
    out = row_dict(record, exclude=("owner_org_id",))
    out["owner"] = session.get(Organisation, record.owner_org_id).ref
    out.update(marking_of(session, record))
    return out


def show_record(workspace: Workspace, actor: Actor, resource: str, ident: str) -> dict[str, Any]:
    """One record in full, with what hangs off it.

    A need lists the solutions that responded to it and its cases; a solution lists its company,
    consortium and cases; a company lists its solutions (count and first 20), the projects it takes part
    in (first 100, with its role), programmes and investments; a centre is shown as stored.

    Everything shown, including the lists of related records, is what ``actor`` may see.

    Raises:
        NotFound: no record with that id or ref that the actor may see.
        ValidationError: unknown resource.
    """
    if resource not in RESOURCES:
        raise ValidationError(f"unknown resource {resource!r}; expected one of {', '.join(RESOURCES)}")
    with workspace.uow.read() as session:
        if resource == "needs":
            need = resolve(session, CapabilityNeed, ident, actor)
            out = _with_owner(session, need)
            out["responding_solutions"] = [
                {"id": i, "ref": r, "name": n} for i, r, n in session.execute(restrict(
                    select(Solution.id, Solution.ref, Solution.name).where(Solution.responds_to_need_id == need.id)
                    .order_by(Solution.id), actor))
            ]
            out["cases"] = [{"id": i, "stage": s} for i, s in session.execute(restrict(
                select(AdoptionCase.id, AdoptionCase.stage).where(AdoptionCase.need_id == need.id)
                .order_by(AdoptionCase.id), actor))]
            return out
        if resource == "solutions":
            solution = resolve(session, Solution, ident, actor)
            out = _with_owner(session, solution)
            out.pop("company_id", None)
            company = session.scalar(restrict(select(Company).where(Company.id == solution.company_id), actor))
            out["company"] = None if company is None else {
                "id": company.id, "ref": company.ref, "legal_name": company.legal_name, "country": company.country}
            out["consortium"] = [
                {"company_ref": r, "legal_name": n, "country": c, "role": role, "eu_contribution_eur": eur}
                for r, n, c, role, eur in session.execute(restrict(
                    select(Company.ref, Company.legal_name, Company.country, SolutionParticipant.role,
                           SolutionParticipant.eu_contribution_eur)
                    .join(Company, Company.id == SolutionParticipant.company_id)
                    .where(SolutionParticipant.solution_id == solution.id)
                    .order_by(SolutionParticipant.role, Company.legal_name), actor))
            ]
            out["cases"] = [{"id": i, "stage": s} for i, s in session.execute(restrict(
                select(AdoptionCase.id, AdoptionCase.stage).where(AdoptionCase.solution_id == solution.id)
                .order_by(AdoptionCase.id), actor))]
            return out
        if resource == "companies":
            company = resolve(session, Company, ident, actor)
            out = _with_owner(session, company)
            count = session.scalar(restrict(
                select(func.count()).select_from(Solution).where(Solution.company_id == company.id), actor))
            out["solution_count"] = count
            out["solutions"] = [{"id": i, "ref": r, "name": n, "year": y} for i, r, n, y in session.execute(restrict(
                select(Solution.id, Solution.ref, Solution.name, Solution.year).where(Solution.company_id == company.id)
                .order_by(Solution.year.desc(), Solution.id).limit(20), actor))]
            out["programmes"] = [{"programme": p, "year": y, "challenge_area": a, "source": s}
                                 for p, y, a, s in session.execute(restrict(
                select(ProgrammeMembership.programme, ProgrammeMembership.year, ProgrammeMembership.challenge_area,
                       ProgrammeMembership.source).where(ProgrammeMembership.company_id == company.id), actor))]
            out["investments"] = [plain({"investor": i, "invested_on": d, "amount_eur": a, "note": n, "source": s})
                                  for i, d, a, n, s in session.execute(restrict(
                select(Investment.investor, Investment.invested_on, Investment.amount_eur, Investment.note, Investment.source)
                .where(Investment.company_id == company.id), actor))]
            out["projects_as_participant"] = session.scalar(restrict(
                select(func.count()).select_from(SolutionParticipant).join(Solution, Solution.id == SolutionParticipant.solution_id)
                .where(SolutionParticipant.company_id == company.id), actor))
            out["participations"] = [
                {"id": i, "ref": r, "name": n, "year": y, "role": role} for i, r, n, y, role in session.execute(restrict(
                    select(Solution.id, Solution.ref, Solution.name, Solution.year, SolutionParticipant.role)
                    .join(SolutionParticipant, SolutionParticipant.solution_id == Solution.id)
                    .where(SolutionParticipant.company_id == company.id)
                    .order_by(Solution.year.desc(), Solution.id).limit(100), actor))]
            return out
        centre = resolve(session, TestCentre, ident, actor)
        return _with_owner(session, centre)


SORTS = {
    "needs": {"id": CapabilityNeed.id, "ref": CapabilityNeed.ref, "title": CapabilityNeed.title,
              "created_at": CapabilityNeed.created_at, "updated_at": CapabilityNeed.updated_at},
    "solutions": {"id": Solution.id, "ref": Solution.ref, "name": Solution.name,
                  "created_at": Solution.created_at, "updated_at": Solution.updated_at},
    "companies": {"id": Company.id, "ref": Company.ref, "legal_name": Company.legal_name,
                  "created_at": Company.created_at, "updated_at": Company.updated_at},
    "centres": {"id": TestCentre.id, "ref": TestCentre.ref, "name": TestCentre.name, "country": TestCentre.country,
                "created_at": TestCentre.created_at, "updated_at": TestCentre.updated_at},
}
"""Per resource, the keys a list may be sorted by (non-null columns only, so keyset pages are exact)."""

MODELS = {"needs": CapabilityNeed, "solutions": Solution, "companies": Company, "centres": TestCentre}
"""The table of each catalogue resource."""


def page_records(workspace: Workspace, actor: Actor, resource: str, filters: Filters = Filters(), *,
                 sort: str | None = "id", after: list[Any] | None = None, limit: int = 50,
                 with_total: bool = True) -> KeysetPage:
    """One keyset page of the ``resource`` records ``actor`` may see that match ``filters``.

    Like :func:`list_records`, but ordered by ``sort`` (a key of :data:`SORTS`, ``-`` for descending,
    ties broken by id) and continuing after the row whose ``[sort value, id]`` is ``after``
    (``filters.limit`` and ``filters.offset`` are ignored). Each row also carries its ``version``.

    Returns:
        The page: ``total`` visible matches, ``rows``, and ``next_after`` for the next page (None on the last).

    Raises:
        ValidationError: a filter as for :func:`list_records`; a bad ``sort``, ``after`` or ``limit`` (1-500).
    """
    _check(resource, Filters(filters.text, filters.domain, filters.country, filters.trl_min, filters.trl_max))
    query, order = _list_query(resource, filters)
    model = MODELS[resource]
    query = restrict(query.add_columns(model.version), actor)
    with workspace.uow.read() as session:
        return keyset_page(session, query, actor, id_column=order, sorts=SORTS[resource], sort=sort, after=after,
                           limit=limit, with_total=with_total)


__all__ = ["Filters", "KeysetPage", "list_records", "page_records", "show_record", "RESOURCES", "MRL_RANGE", "SORTS"]
