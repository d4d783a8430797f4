"""``/api/procedures``: evaluation procedures, named and versioned, with use cases, measures of performance, 1-10
rubrics and pass thresholds."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Query, Response, status

from ...domain.errors import NotFound, PermissionDenied
from ...services import tevv_procedures
from ...tevv.procedures import parse_procedure
from .. import problems
from ..deps import ActorDep, WorkspaceDep
from ..pagination import Page
from ..schemas import Text
from ..schemas_tevv import Procedure, ProcedureIn, ProcedureRow
from ._common import RecordId, add_sharing_route, tagged

router = APIRouter(prefix="/procedures", tags=["Evaluation procedures"])


def create_version(ws, actor, body: ProcedureIn) -> dict[str, Any]:
    """Store the procedure version ``body`` describes, owned by the actor's organisation (community, TLP:GREEN).

    The body is validated as a procedure file is (:func:`rapid_adoption.tevv.procedures.parse_procedure`), so the
    API and ``rapid procedures import`` accept exactly the same procedures.

    Returns:
        The procedure's view with ``created`` (False when the same content was stored before).

    Raises:
        PermissionDenied: the actor is not admin, analyst or test_centre.
        ValidationError: the content is not a valid procedure (the field is named, the file is "request body").
        Conflict: that ref and version hold other content, or the ref is another organisation's hidden procedure.
    """
    if not actor.has_role(*tevv_procedures.IMPORT_ROLES):
        raise PermissionDenied("importing an evaluation procedure needs the role "
                               f"{' or '.join(tevv_procedures.IMPORT_ROLES)}")
    procedure = parse_procedure(json.dumps(body.model_dump(mode="json")), "request body")
    now = ws.now()
    with ws.uow.transaction() as session:
        row, created = tevv_procedures.store_procedure(session, actor, procedure, source="api", now=now)
        return {**tevv_procedures.view(session, row), "created": created}


@router.get("", response_model=Page[ProcedureRow], responses=problems.responses(), summary="List evaluation procedures")
def list_procedures(ws: WorkspaceDep, actor: ActorDep, ref: Text | None = None,
                    all_versions: bool = Query(False, description="Every version, not the newest only.")) -> Any:
    """The procedures you may see, by ref, the newest version of each (one page: procedures are few, so
    `next_cursor` is always null and `total` is always given)."""
    rows = tevv_procedures.list_procedures(ws, actor, ref=ref, all_versions=all_versions)
    return {"items": rows, "total": len(rows), "next_cursor": None}


@router.post("", response_model=Procedure, status_code=status.HTTP_201_CREATED,
             responses={200: {"model": Procedure, "description": "The same content was stored before: nothing "
                                                                  "changed."}, **problems.responses(403, 409)},
             summary="Create a procedure version")
def create_procedure(body: ProcedureIn, ws: WorkspaceDep, actor: ActorDep, response: Response) -> Any:
    """Store a procedure version in the shape of a procedure file (roles admin, analyst or test_centre).

    A new ref, or a new version of a ref, is created (201). A version never changes: the same content again
    answers 200 and changes nothing; other content under a stored version answers 409 naming the next free
    version.
    """
    made = create_version(ws, actor, body)
    if not made.pop("created"):
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = f"/api/procedures/{made['id']}"
    shown = tevv_procedures.show_procedure(ws, actor, f"{made['ref']}@{made['procedure_version']}")
    made["versions"] = shown["versions"]
    return tagged(response, made)


@router.get("/{record_id}", response_model=Procedure, responses=problems.responses(404),
            summary="Show an evaluation procedure")
def show_procedure(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep, response: Response) -> Any:
    """One procedure version with its use cases, measures, rubrics and thresholds; a hidden one is not found."""
    return tagged(response, tevv_procedures.show_procedure(ws, actor, _ref_of(ws, actor, record_id)))


def _ref_of(ws, actor, record_id: int) -> str:
    """``REF@VERSION`` of the visible procedure version with ``record_id`` (a numeric ref must not shadow an id).

    Raises:
        NotFound: no visible procedure version has that id.
    """
    for row in tevv_procedures.list_procedures(ws, actor, all_versions=True):
        if row["id"] == record_id:
            return f"{row['ref']}@{row['procedure_version']}"
    raise NotFound(f"no evaluation procedure {record_id} (give its id; GET /api/procedures lists them)")


add_sharing_route(router, "procedure", "evaluation procedure")

__all__ = ["create_version", "router"]
