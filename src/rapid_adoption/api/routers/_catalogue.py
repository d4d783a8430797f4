"""One router factory for the four catalogue resources: needs, solutions, companies and test centres."""

from typing import Any, Callable

from fastapi import APIRouter, Depends, Response, status

from ...services import catalogue, records_write
from .. import problems
from ..deps import ActorDep, WorkspaceDep
from ..pagination import Page
from ._common import (
    CountTotal,
    WRITE_PROBLEMS,
    Cursor,
    IfMatch,
    Limit,
    RecordId,
    add_sharing_route,
    after_of,
    optional_version,
    page_of,
    sort_query,
    tagged,
    version_of,
)


def make_router(resource: str, *, prefix: str, tag: str, label: str, kind: str, row: type, record: type,
                create_model: type, patch_model: type, filters: Callable[..., catalogue.Filters]) -> APIRouter:
    """The router of one catalogue ``resource`` (``needs``, ``solutions``, ``companies``, ``centres``).

    Args:
        prefix: the path under ``/api``, e.g. ``/needs``.
        label: the record's name in words, e.g. "capability need".
        kind: the record's type for sharing, e.g. ``need``.
        row, record: the response models of a list row and of one record.
        create_model, patch_model: the request models.
        filters: a dependency that turns the list's query parameters into :class:`catalogue.Filters`.
    """
    router = APIRouter(prefix=prefix, tags=[tag])
    sorts = catalogue.SORTS[resource]
    roles = " or ".join(records_write.WRITE_ROLES[resource])

    @router.get("", response_model=Page[row], responses=problems.responses(), summary=f"List {tag.lower()}")
    def list_records(ws: WorkspaceDep, actor: ActorDep, found: catalogue.Filters = Depends(filters),
                     limit: Limit = 50, cursor: Cursor = None, with_total: CountTotal = False,
                     sort: str = sort_query(sorts)) -> Any:
        """The records you may see that match the filters, one page at a time (`total` counts visible ones only)."""
        sort = sort or "id"
        page = catalogue.page_records(ws, actor, resource, found, sort=sort, after=after_of(cursor, sort), limit=limit,
                                      with_total=with_total)
        return page_of(page, sort)

    @router.post("", response_model=record, status_code=status.HTTP_201_CREATED, responses=problems.responses(403, 404, 409),
                 summary=f"Create a {label}")
    def create_record(body: create_model, ws: WorkspaceDep, actor: ActorDep, response: Response) -> Any:  # type: ignore[valid-type]
        created = records_write.create(ws, actor, resource, body.model_dump(exclude_unset=True))
        response.headers["Location"] = f"/api{prefix}/{created['id']}"
        return tagged(response, created)

    create_record.__doc__ = (f"Create a {label} owned by your organisation (distribution community, TLP:GREEN "
                             f"until you share it otherwise). Roles {roles}.")

    @router.get("/{record_id}", response_model=record, responses=problems.responses(404), summary=f"Show a {label}")
    def show_record(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep, response: Response) -> Any:
        """One record with what hangs off it, as far as you may see it; a hidden record is not found (404)."""
        return tagged(response, catalogue.show_record(ws, actor, resource, str(record_id)))

    @router.patch("/{record_id}", response_model=record, responses=WRITE_PROBLEMS, summary=f"Change a {label}")
    def update_record(record_id: RecordId, body: patch_model, ws: WorkspaceDep, actor: ActorDep,  # type: ignore[valid-type]
                      response: Response, if_match: IfMatch = None) -> Any:
        """Change the fields sent. Send `If-Match` with the version you read; a stale one answers 409."""
        changed = records_write.update(ws, actor, resource, record_id, body.model_dump(exclude_unset=True),
                                       expected_version=version_of(if_match))
        return tagged(response, changed)

    update_record.__doc__ = (f"Change the fields sent (owner organisation only; roles {roles}). Send `If-Match` with "
                             "the version you read: without it 428, a stale one 409.")

    @router.delete("/{record_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems.responses(403, 404, 409),
                   response_class=Response, summary=f"Delete a {label}")
    def delete_record(record_id: RecordId, ws: WorkspaceDep, actor: ActorDep, if_match: IfMatch = None) -> Response:
        """Delete the record (owner organisation only); refused (409) while other records depend on it."""
        records_write.delete(ws, actor, resource, record_id, expected_version=optional_version(if_match))
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    add_sharing_route(router, kind, label)
    return router


__all__ = ["make_router"]
