"""Evaluation procedures: import from a file, list, show.

A procedure is named (``ref``) and versioned (``procedure_version``). A version never changes once stored: importing
the same content again changes nothing, and other content under a stored version is refused (give it a new version).
Procedures are shared like other records (owner, distribution, TLP, releasability); reads go through the sharing
filter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..domain.sharing import Actor
from ..domain.tevv import Procedure, use_cases_from_json
from ..domain.types import TLP, Distribution
from ..store.sharing import restrict, unrestricted
from ..store.tables import Organisation
from ..store.tables_tevv import EvaluationProcedure
from ..tevv.procedures import content_hash, example_files, read_procedure_file
from . import audit
from .records import LABELS, marking_of, plain, row_dict
from .workspace import Workspace

IMPORT_ROLES = ("admin", "analyst", "test_centre")
"""Roles that may import an evaluation procedure."""

LABELS.setdefault(EvaluationProcedure, "evaluation procedure")


def procedure_of(row: EvaluationProcedure) -> Procedure:
    """The domain value of a stored procedure version."""
    return Procedure(ref=row.ref, procedure_version=row.procedure_version, name=row.name, description=row.description,
                     example=row.example, duration_weeks=row.duration_weeks, test_domain=row.test_domain,
                     required_capabilities=tuple(row.required_capabilities),
                     use_cases=use_cases_from_json(row.use_cases))


def label(row: EvaluationProcedure) -> str:
    """``REF vN``, how messages name a procedure version."""
    return f"{row.ref} v{row.procedure_version}"


def parse_ident(ident: str | int, version: int | None = None) -> tuple[str, int | None]:
    """Split ``REF@N`` (``cuas-example@1``) into the ref and the version; ``version`` wins when both are given.

    Raises:
        ValidationError: field ``procedure``: an empty name or a version that is not a whole number >= 1.
    """
    text = str(ident).strip()
    ref, sep, number = text.partition("@")
    if sep:
        if not number.strip().isdigit() or int(number) < 1:
            raise ValidationError(f"give a version as REF@N with N a whole number >= 1, got {text!r}", field="procedure")
        version = version if version is not None else int(number)
    if not ref.strip():
        raise ValidationError("give the procedure's ref or id", field="procedure")
    if version is not None and (isinstance(version, bool) or version < 1):
        raise ValidationError(f"a version is a whole number >= 1, got {version!r}", field="version")
    return ref.strip(), version


def resolve_procedure(session: Session, actor: Actor, ident: str | int, version: int | None = None
                      ) -> EvaluationProcedure:
    """The procedure version ``ident`` names, among those the actor may see.

    Args:
        ident: an id, a ref (the newest visible version), or ``REF@N``.
        version: a version number (overrides ``@N``).

    Raises:
        NotFound: no visible procedure (version) of that id or ref.
        ValidationError: a malformed ``REF@N``.
    """
    ref, version = parse_ident(ident, version)
    query = select(EvaluationProcedure).where(EvaluationProcedure.ref == ref)
    if version is not None:
        query = query.where(EvaluationProcedure.procedure_version == version)
    row = session.scalar(restrict(query.order_by(EvaluationProcedure.procedure_version.desc()).limit(1), actor))
    if row is None and ref.isdigit() and version is None:
        row = session.scalar(restrict(select(EvaluationProcedure).where(EvaluationProcedure.id == int(ref)), actor))
    if row is None:
        which = f"{ref!r} version {version}" if version is not None else repr(ref)
        raise NotFound(f"no evaluation procedure {which} (give its id, its ref or REF@VERSION; "
                       "'rapid procedures list' shows them)")
    return row


def view(session: Session, row: EvaluationProcedure) -> dict[str, Any]:
    """A procedure version as shown (JSON-ready): its fields, use cases, owner and marking."""
    data = row_dict(row, exclude=("owner_org_id", "content_sha256"))
    data["owner"] = session.get(Organisation, row.owner_org_id).ref
    data.update(marking_of(session, row))
    return plain(data)


def store_procedure(session: Session, actor: Actor, procedure: Procedure, *, source: str, now,
                    distribution: str = Distribution.COMMUNITY.value, tlp: str = TLP.GREEN.value
                    ) -> tuple[EvaluationProcedure, bool]:
    """Store one validated procedure version in the caller's transaction (audited), or find it already stored.

    Returns:
        ``(row, created)``; ``created`` is False when the same content was stored before.

    Raises:
        Conflict: that ref and version are stored with other content (a version never changes), or taken by a
            procedure the actor may not see.
    """
    digest = content_hash(procedure)
    taken = session.scalar(unrestricted(
        select(EvaluationProcedure.id).where(EvaluationProcedure.ref == procedure.ref,
                                             EvaluationProcedure.procedure_version == procedure.procedure_version),
        "a unique-key check that tells only 'taken'"))
    if taken is not None:
        mine = session.scalar(restrict(select(EvaluationProcedure).where(EvaluationProcedure.id == taken), actor))
        if mine is None:
            raise Conflict(f"the procedure ref {procedure.ref!r} version {procedure.procedure_version} is taken: "
                           "choose another ref")
        if mine.content_sha256 == digest:
            return mine, False
        raise Conflict(f"procedure {procedure.ref} version {procedure.procedure_version} is already stored with other "
                       f"content, and a version never changes: give the file version "
                       f"{_next_version(session, procedure.ref)}")
    row = EvaluationProcedure(
        ref=procedure.ref, procedure_version=procedure.procedure_version, name=procedure.name,
        description=procedure.description, example=procedure.example, duration_weeks=procedure.duration_weeks,
        test_domain=procedure.test_domain, required_capabilities=list(procedure.required_capabilities),
        use_cases=procedure.use_cases_json(), content_sha256=digest, source=source, owner_org_id=actor.org_id,
        distribution=distribution, tlp=tlp, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "evaluation_procedures", row.id, now=now, after=row_dict(row))
    return row, True


def _next_version(session: Session, ref: str) -> int:
    newest = session.scalar(unrestricted(select(func.max(EvaluationProcedure.procedure_version))
                                         .where(EvaluationProcedure.ref == ref), "the next free version number"))
    return (newest or 0) + 1


def import_procedure(workspace: Workspace, actor: Actor, path: Path | str) -> dict[str, Any]:
    """Import one procedure file (YAML or JSON; the format is in :mod:`rapid_adoption.tevv.procedures`).

    The new version is owned by the actor's organisation, shared with the community at TLP:GREEN ('rapid share
    procedure:ID' changes it).

    Returns:
        The procedure's view with ``created`` (False when the same content was already stored: nothing changed).

    Raises:
        PermissionDenied: the actor is not admin, analyst or test_centre.
        ValidationError: the file is bad (file, line and field named).
        Conflict: that version is stored with other content.
    """
    if not actor.has_role(*IMPORT_ROLES):
        raise PermissionDenied(f"importing an evaluation procedure needs the role {' or '.join(IMPORT_ROLES)}")
    procedure = read_procedure_file(path)
    now = workspace.now()
    with workspace.uow.transaction() as session:
        row, created = store_procedure(session, actor, procedure, source=Path(path).name, now=now)
        return {**view(session, row), "created": created}


def import_examples(workspace: Workspace, actor: Actor) -> list[dict[str, Any]]:
    """Import the shipped example procedures (``data/procedures``) in one transaction; idempotent.

    Returns:
        One view per file, each with ``created``.

    Raises:
        PermissionDenied, Conflict: as :func:`import_procedure`.
    """
    if not actor.has_role(*IMPORT_ROLES):
        raise PermissionDenied(f"importing an evaluation procedure needs the role {' or '.join(IMPORT_ROLES)}")
    procedures = [(read_procedure_file(p), p.name) for p in example_files()]
    now = workspace.now()
    out = []
    with workspace.uow.transaction() as session:
        for procedure, name in procedures:
            row, created = store_procedure(session, actor, procedure, source=f"example: data/procedures/{name}",
                                           now=now, tlp=TLP.CLEAR.value)
            out.append({**view(session, row), "created": created})
    return out


def list_procedures(workspace: Workspace, actor: Actor, *, ref: str | None = None, all_versions: bool = False
                    ) -> list[dict[str, Any]]:
    """The procedure versions the actor may see, by ref then version (newest version only unless ``all_versions``).

    Returns:
        Rows with ``id``, ``ref``, ``procedure_version``, ``name``, ``example``, ``duration_weeks``, ``test_domain``,
        ``use_cases`` (their keys), ``owner`` and ``tlp``.
    """
    query = (select(EvaluationProcedure, Organisation.ref.label("owner"))
             .join(Organisation, Organisation.id == EvaluationProcedure.owner_org_id))
    if ref:
        query = query.where(EvaluationProcedure.ref == ref.strip())
    query = restrict(query.order_by(EvaluationProcedure.ref, EvaluationProcedure.procedure_version.desc()), actor)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    with workspace.uow.read() as session:
        for row, owner in session.execute(query):
            if not all_versions and row.ref in seen:
                continue
            seen.add(row.ref)
            out.append({"id": row.id, "ref": row.ref, "procedure_version": row.procedure_version, "name": row.name,
                        "example": row.example, "duration_weeks": row.duration_weeks, "test_domain": row.test_domain,
                        "use_cases": [u["key"] for u in row.use_cases], "owner": owner, "tlp": row.tlp})
    return out


def show_procedure(workspace: Workspace, actor: Actor, ident: str | int, version: int | None = None) -> dict[str, Any]:
    """One procedure version with its use cases, measures, rubrics and thresholds, and the versions the actor may see.

    Raises:
        NotFound: no such visible procedure (version).
        ValidationError: a malformed ``REF@N``.
    """
    with workspace.uow.read() as session:
        row = resolve_procedure(session, actor, ident, version)
        data = view(session, row)
        data["versions"] = list(session.scalars(restrict(
            select(EvaluationProcedure.procedure_version).where(EvaluationProcedure.ref == row.ref)
            .order_by(EvaluationProcedure.procedure_version), actor)))
        return data


__all__ = ["IMPORT_ROLES", "import_examples", "import_procedure", "label", "list_procedures", "parse_ident",
           "procedure_of", "resolve_procedure", "show_procedure", "store_procedure", "view", "NotFound"]
