"""Creating, changing and deleting capability needs, solutions, companies and test centres.

Each write is one transaction that checks the role, the owner organisation and the record's version,
validates the values through the domain's record classes (``domain/records.py``), and writes an audit
entry with the data before and after.

Roles: ``admin`` and ``analyst`` write needs, solutions and companies; ``admin`` and ``test_centre``
write test centres. Only the owner organisation changes or deletes a record; a record another
organisation owns answers 403 when the actor may see it, and 404 when not.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from ..domain.errors import Conflict, PermissionDenied, ValidationError
from ..domain.records import (
    MRL_RANGE,
    TRL_RANGE,
    CapabilityNeedRecord,
    CompanyRecord,
    SolutionRecord,
    TestCentreRecord,
    check_enum,
    check_level,
    check_text,
)
from ..domain.sharing import Actor
from ..domain.types import CentreType, OperationalDomain, Priority
from ..ingest.values import country_iso3
from ..store.sharing import restrict, unrestricted
from ..store.tables import (
    AdoptionCase,
    Assessment,
    CapabilityNeed,
    Company,
    Investment,
    ProgrammeMembership,
    RedRecipient,
    Solution,
    SolutionParticipant,
    TestCentre,
)
from . import audit
from .catalogue import _with_owner
from .records import LABELS, require_owner, resolve
from .workspace import Workspace

MODELS = {"needs": CapabilityNeed, "solutions": Solution, "companies": Company, "centres": TestCentre}
"""The table of each resource."""

WRITE_ROLES = {"needs": ("admin", "analyst"), "solutions": ("admin", "analyst"), "companies": ("admin", "analyst"),
               "centres": ("admin", "test_centre")}
"""The roles that may create, change and delete each resource."""

FIELDS = {
    "needs": ("ref", "title", "statement", "operational_domain", "technology_areas", "priority", "published_on",
              "source"),
    "solutions": ("ref", "company", "name", "description", "technology_areas", "trl", "mrl", "cots", "dual_use",
                  "year", "need", "source"),
    "companies": ("ref", "legal_name", "aliases", "country", "city", "eu_pic", "duns", "uei", "ncage", "sme",
                  "website", "kind", "source"),
    "centres": ("ref", "name", "centre_type", "country", "city", "operator", "domains", "capabilities", "notes",
                "source"),
}
"""The fields a user may set on each resource (``company`` and ``need`` are an id or ref)."""

REQUIRED = {"needs": ("ref", "title"), "solutions": ("ref", "company", "name"), "companies": ("ref", "legal_name"),
            "centres": ("ref", "name", "centre_type", "country")}
"""The fields a new record must have."""

YEAR_RANGE = range(1900, 2101)


def _length(model, name: str) -> int:
    """The column's length limit (so PostgreSQL never refuses a value the check let through)."""
    column = model.__table__.c.get(name)
    return getattr(column.type, "length", None) or 200_000 if column is not None else 200_000


def _texts(values: Any, name: str) -> tuple[str, ...]:
    """A list of short texts, each checked; duplicates and blanks dropped, order kept."""
    if values is None:
        return ()
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise ValidationError("must be a list of texts", field=name)
    out: dict[str, None] = {}
    for value in values:
        text = check_text(value if isinstance(value, str) else None, name, required=False, max_length=2000)
        if text:
            out[text] = None
    return tuple(out)


def _year(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in YEAR_RANGE:
        raise ValidationError(f"must be a year {YEAR_RANGE.start}-{YEAR_RANGE.stop - 1}, got {value!r}", field="year")
    return value


def _flag(value: Any, name: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise ValidationError(f"must be true or false, got {value!r}", field=name)
    return value


def _text(model, values: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = values.get(name)
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"must be text, got {value!r}", field=name)
    return check_text(value, name, required=required, max_length=_length(model, name))


def _checked(resource: str, values: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """The column values of a record with ``values`` (every field, as after the change), validated.

    Returns:
        Column name -> value, plus ``company_ref``/``need_ref`` for solutions (resolved by the caller).

    Raises:
        ValidationError: naming the field at fault.
    """
    model = MODELS[resource]
    for name in REQUIRED[resource]:
        if values.get(name) is None or (isinstance(values.get(name), str) and not values[name].strip()):
            raise ValidationError("is required and was empty", field=name)
    ref = _text(model, values, "ref", required=True)
    source = _text(model, values, "source") or ""
    if resource == "needs":
        domain = values.get("operational_domain")
        domain = None if domain in (None, "") else check_enum(domain, OperationalDomain, "operational_domain")
        priority = check_enum(values.get("priority"), Priority, "priority", default=Priority.MEDIUM)
        published = values.get("published_on")
        if published is not None and not isinstance(published, date):
            raise ValidationError(f"must be a date YYYY-MM-DD, got {published!r}", field="published_on")
        record = CapabilityNeedRecord(
            ref=ref, title=_text(model, values, "title", required=True), statement=_text(model, values, "statement"),
            operational_domain=domain, technology_areas=_texts(values.get("technology_areas"), "technology_areas"),
            priority=priority, owner_ref=actor.org_ref, source=source, published_on=published)
        return {"ref": record.ref, "title": record.title, "statement": record.statement,
                "operational_domain": domain.value if domain else None, "technology_areas": list(record.technology_areas),
                "priority": priority.value, "published_on": published, "source": source}
    if resource == "companies":
        country = values.get("country")
        if country is not None and not isinstance(country, str):
            raise ValidationError(f"must be an ISO 3166-1 code, got {country!r}", field="country")
        country = country_iso3(country, "country") if country else None
        texts = {name: _text(model, values, name) for name in ("city", "eu_pic", "duns", "uei", "ncage", "website", "kind")}
        record = CompanyRecord(ref=ref, legal_name=_text(model, values, "legal_name", required=True),
                               aliases=_texts(values.get("aliases"), "aliases"), country=country,
                               sme=_flag(values.get("sme"), "sme"), source=source, **texts)
        return {"ref": record.ref, "legal_name": record.legal_name, "aliases": list(record.aliases),
                "country": record.country, "sme": record.sme, "source": source, **texts}
    if resource == "solutions":
        company = values.get("company")
        need = values.get("need")
        trl = check_level(values.get("trl"), "trl", TRL_RANGE)
        mrl = check_level(values.get("mrl"), "mrl", MRL_RANGE)
        record = SolutionRecord(ref=ref, company_ref=str(company), name=_text(model, values, "name", required=True),
                                description=_text(model, values, "description"),
                                technology_areas=_texts(values.get("technology_areas"), "technology_areas"),
                                trl=trl, mrl=mrl, cots=bool(_flag(values.get("cots"), "cots")),
                                dual_use=_flag(values.get("dual_use"), "dual_use"), source=source,
                                year=_year(values.get("year")), need_ref=None if need is None else str(need))
        return {"ref": record.ref, "company_ref": record.company_ref, "need_ref": record.need_ref, "name": record.name,
                "description": record.description, "technology_areas": list(record.technology_areas), "trl": trl,
                "mrl": mrl, "cots": record.cots, "dual_use": record.dual_use, "year": record.year, "source": source}
    country = values.get("country")
    if not isinstance(country, str):
        raise ValidationError(f"must be an ISO 3166-1 code, got {country!r}", field="country")
    centre_type = check_enum(values.get("centre_type"), CentreType, "centre_type")
    record = TestCentreRecord(ref=ref, name=_text(model, values, "name", required=True), centre_type=centre_type,
                              country=country_iso3(country, "country"), city=_text(model, values, "city"),
                              operator=_text(model, values, "operator"), domains=_texts(values.get("domains"), "domains"),
                              capabilities=_texts(values.get("capabilities"), "capabilities"), source=source,
                              notes=_text(model, values, "notes"))
    return {"ref": record.ref, "name": record.name, "centre_type": centre_type.value, "country": record.country,
            "city": record.city, "operator": record.operator, "domains": list(record.domains),
            "capabilities": list(record.capabilities), "notes": record.notes, "source": source}


def _require_role(resource: str, actor: Actor, what: str) -> None:
    roles = WRITE_ROLES[resource]
    if not actor.has_role(*roles):
        raise PermissionDenied(f"{what} a {LABELS[MODELS[resource]]} needs the role {' or '.join(roles)}")


def _check_fields(resource: str, values: dict[str, Any]) -> None:
    unknown = sorted(set(values) - set(FIELDS[resource]))
    if unknown:
        raise ValidationError(f"unknown field; expected some of {', '.join(FIELDS[resource])}", field=unknown[0])


def _check_unique(session, model, row_id: int | None, columns: dict[str, Any]) -> None:
    """Refuse a ref (or EU PIC) that another record, visible or not, already has.

    Raises:
        Conflict: naming the field and the value.
    """
    for name in ("ref", "eu_pic"):
        value = columns.get(name)
        if value is None or name not in model.__table__.c:
            continue
        taken = session.scalar(unrestricted(select(model.id).where(getattr(model, name) == value),
                                            "a unique key is unique over every record"))
        if taken is not None and taken != row_id:
            raise Conflict(f"the {name} {value!r} is taken by another {LABELS[model]}")


def _apply(session, actor: Actor, resource: str, row, columns: dict[str, Any]) -> None:
    """Set the checked ``columns`` on ``row``, resolving a solution's company and need (visible ones only)."""
    if resource == "solutions":
        columns = dict(columns)
        row.company_id = resolve(session, Company, columns.pop("company_ref"), actor).id
        need_ref = columns.pop("need_ref")
        row.responds_to_need_id = resolve(session, CapabilityNeed, need_ref, actor).id if need_ref else None
    for key, value in columns.items():
        setattr(row, key, value)


def _view(session, row, resource: str, actor: Actor) -> dict[str, Any]:
    out = _with_owner(session, row)
    if resource == "solutions":
        out["company"] = session.scalar(restrict(select(Company.ref).where(Company.id == row.company_id), actor))
        out["need"] = session.scalar(restrict(select(CapabilityNeed.ref).where(
            CapabilityNeed.id == row.responds_to_need_id), actor)) if row.responds_to_need_id else None
    return out


def _current(session, resource: str, row) -> dict[str, Any]:
    """The user-settable fields of ``row`` as they are now (a solution's company and need by ref)."""
    out = {name: getattr(row, name) for name in FIELDS[resource] if name not in ("company", "need")}
    if resource == "solutions":
        out["company"] = str(row.company_id)
        out["need"] = str(row.responds_to_need_id) if row.responds_to_need_id else None
    return out


def _reindex(session, resource: str) -> None:
    """Keep the retrieval index in step with a written need or solution, in the same transaction."""
    if resource in ("needs", "solutions"):
        from .matching import sync_index
        sync_index(session, (resource[:-1],))


def create(workspace: Workspace, actor: Actor, resource: str, values: dict[str, Any]) -> dict[str, Any]:
    """Create a record of ``resource`` owned by the actor's organisation (distribution community, TLP:GREEN).

    Args:
        resource: ``needs``, ``solutions``, ``companies`` or ``centres``.
        values: field -> value, the fields of :data:`FIELDS`; a solution's ``company`` and ``need`` are
            an id or ref of a record the actor may see; ``published_on`` is a ``date``.

    Returns:
        The new record as :func:`rapid_adoption.services.catalogue.show_record`'s top level shows it, with ``version`` 1.

    Raises:
        PermissionDenied: the actor lacks the role (:data:`WRITE_ROLES`).
        ValidationError: a missing, unknown or bad field.
        NotFound: a solution's company or need the actor may not see.
        Conflict: the ref (or a company's EU PIC) is taken.
    """
    _require_role(resource, actor, "creating")
    _check_fields(resource, values)
    columns = _checked(resource, values, actor)
    model = MODELS[resource]
    now = workspace.now()
    with workspace.uow.transaction() as session:
        _check_unique(session, model, None, columns)
        row = model(owner_org_id=actor.org_id, created_at=now, updated_at=now)
        _apply(session, actor, resource, row, columns)
        session.add(row)
        session.flush()
        view = _view(session, row, resource, actor)
        _reindex(session, resource)
        audit.record(session, actor, "create", model.__tablename__, row.id, now=now, after=view)
        return view


def update(workspace: Workspace, actor: Actor, resource: str, ident: str | int, values: dict[str, Any], *,
           expected_version: int) -> dict[str, Any]:
    """Change the given fields of a record the actor's organisation owns; the version goes up by one.

    A change that sets every field to the value it has already is no change: the record, its version and the
    audit log stay as they are.

    Args:
        ident: the record's id or ref.
        values: field -> new value (None clears an optional field); fields not given stay as they are.
        expected_version: the version the change was made from (the client's ``If-Match``).

    Returns:
        The record after the change.

    Raises:
        NotFound: the actor may not see the record.
        PermissionDenied: another organisation owns it, or the actor lacks the role.
        Conflict: ``expected_version`` is stale, someone changed it meanwhile, or a new ref is taken.
        ValidationError: an unknown or bad field.
    """
    model = MODELS[resource]
    label = LABELS[model]
    try:
        with workspace.uow.transaction() as session:
            row = resolve(session, model, ident, actor)
            require_owner(row, actor)
            _require_role(resource, actor, "changing")
            _check_fields(resource, values)
            if row.version != expected_version:
                raise Conflict(f"{label} {row.id} is at version {row.version}, not {expected_version}: "
                               "reload and try again")
            columns = _checked(resource, {**_current(session, resource, row), **values}, actor)
            _check_unique(session, model, row.id, columns)
            before = _view(session, row, resource, actor)
            _apply(session, actor, resource, row, columns)
            if not session.is_modified(row):
                return before  # nothing changed: no new version, no audit entry
            row.updated_at = workspace.now()
            session.flush()
            after = _view(session, row, resource, actor)
            _reindex(session, resource)
            audit.record(session, actor, "update", model.__tablename__, row.id, now=workspace.now(), before=before,
                         after=after)
            return after
    except StaleDataError:
        raise Conflict(f"{label} {ident} was changed by someone else meanwhile: reload and try again") from None


DEPENDENTS = {
    "needs": ((Solution, Solution.responds_to_need_id, "solution"), (AdoptionCase, AdoptionCase.need_id, "adoption case"),
              (Assessment, Assessment.need_id, "assessment")),
    "solutions": ((AdoptionCase, AdoptionCase.solution_id, "adoption case"),
                  (Assessment, Assessment.solution_id, "assessment")),
    "companies": ((Solution, Solution.company_id, "solution"),
                  (SolutionParticipant, SolutionParticipant.company_id, "consortium membership"),
                  (ProgrammeMembership, ProgrammeMembership.company_id, "programme membership"),
                  (Investment, Investment.company_id, "investment")),
    "centres": (),
}
"""Per resource, the records that depend on one: (table, foreign key, label). A record with any is not deleted."""


def _dependents(session, actor: Actor, resource: str, row_id: int) -> str | None:
    """What depends on the record, as words (visible ones by id or ref, hidden ones only counted), or None."""
    named: list[str] = []
    hidden = 0
    for model, key, label in DEPENDENTS[resource]:
        total = session.scalar(unrestricted(select(func.count()).select_from(model).where(key == row_id),
                                            "a delete must know every dependent, visible or not"))
        if not total:
            continue
        if model is SolutionParticipant:  # consortium rows are seen through their solution
            visible = list(session.scalars(restrict(
                select(Solution.ref).join(SolutionParticipant, SolutionParticipant.solution_id == Solution.id)
                .where(key == row_id).order_by(Solution.id), actor)))
            label = "solution (as consortium member)"
        else:
            shown = model.ref if hasattr(model, "ref") and model is not AdoptionCase else model.id
            visible = [str(v) for v in session.scalars(restrict(select(shown).where(key == row_id).order_by(model.id),
                                                                actor))]
        hidden += total - len(visible)
        if visible:
            listed = ", ".join(visible[:5]) + (f" and {len(visible) - 5} more" if len(visible) > 5 else "")
            named.append(f"{len(visible)} {label}{'' if len(visible) == 1 else 's'} ({listed})")
    if hidden:
        named.append(f"{hidden} record{'' if hidden == 1 else 's'} you cannot see")
    return "; ".join(named) or None


def delete(workspace: Workspace, actor: Actor, resource: str, ident: str | int, *,
           expected_version: int | None = None) -> None:
    """Delete a record the actor's organisation owns, if no other record depends on it.

    Args:
        expected_version: when given, the version the client last saw (its ``If-Match``).

    Raises:
        NotFound: the actor may not see the record.
        PermissionDenied: another organisation owns it, or the actor lacks the role.
        Conflict: ``expected_version`` is stale, or other records depend on it (the message names
            them, e.g. "capability need 5 is used by 2 solutions (EDF-1, EDF-2): delete or change them first").
    """
    model = MODELS[resource]
    label = LABELS[model]
    try:
        with workspace.uow.transaction() as session:
            row = resolve(session, model, ident, actor)
            require_owner(row, actor)
            _require_role(resource, actor, "deleting")
            if expected_version is not None and row.version != expected_version:
                raise Conflict(f"{label} {row.id} is at version {row.version}, not {expected_version}: "
                               "reload and try again")
            used_by = _dependents(session, actor, resource, row.id)
            if used_by:
                raise Conflict(f"{label} {row.id} is used by {used_by}: delete or change them first")
            before = _view(session, row, resource, actor)
            session.execute(sql_delete(RedRecipient).where(RedRecipient.record_table == model.__tablename__,
                                                           RedRecipient.record_id == row.id))
            if resource == "solutions":  # its consortium is part of it
                session.execute(sql_delete(SolutionParticipant).where(SolutionParticipant.solution_id == row.id))
            session.delete(row)
            session.flush()
            _reindex(session, resource)
            audit.record(session, actor, "delete", model.__tablename__, row.id, now=workspace.now(), before=before)
    except StaleDataError:
        raise Conflict(f"{label} {ident} was changed by someone else meanwhile: reload and try again") from None


__all__ = ["DEPENDENTS", "FIELDS", "MODELS", "REQUIRED", "WRITE_ROLES", "create", "delete", "update"]
