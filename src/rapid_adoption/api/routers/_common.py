"""What every resource router shares: list parameters, cursors, ``If-Match`` and ``ETag``, the sharing route."""

from __future__ import annotations

import re
from typing import Annotated, Any, Callable

from fastapi import APIRouter, Header, Path, Query, Response

from ...domain.errors import RapidError, ValidationError
from ...services import sharing
from ...services.paging import KeysetPage
from .. import problems
from ..deps import ActorDep, WorkspaceDep
from ..pagination import MAX_LIMIT, decode_cursor, encode_cursor
from ..schemas import INT32, SharingIn, SharingOut, Text


class PreconditionRequired(RapidError):
    """A write that must name the version it was made from came without ``If-Match`` (HTTP 428, RFC 6585)."""

    exit_code = 2
    http_status = 428


RecordId = Annotated[int, Path(ge=1, le=INT32, description="The record's numeric id.")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page (1-500).")]
Cursor = Annotated[Text | None, Query(description="The `next_cursor` of the page before.")]
CountTotal = Annotated[bool, Query(alias="count", description=(
    "Also count every visible match (`total`). Off by default: counting scans every match, which on a large "
    "list costs far more than the page itself."))]
IfMatch = Annotated[Text | None, Header(alias="If-Match",
                                        description='The record\'s version, as its ETag `"3"` or as `3`.')]

_ETAG = re.compile(r'^\s*(?:W/)?"?([0-9]{1,9})"?\s*$')

WRITE_PROBLEMS = problems.responses(403, 404, 409, 428)
"""The problems a change of one record can answer."""


def sort_query(allowed: dict[str, Any], default: str = "id") -> Any:
    """A ``sort`` query parameter listing the allowed keys."""
    options = ", ".join(f"`{k}`" for k in allowed)
    return Query(default, description=f"Sort key, `-` in front for descending: {options}. Default `{default}`.",
                 pattern=r"^-?[a-z_]{1,40}$")


def after_of(cursor: str | None, sort: str) -> list[Any] | None:
    """The keyset ``after`` values of a cursor made for ``sort`` (None without a cursor).

    Raises:
        ValidationError: (field ``cursor``) not a cursor of this API, or made for another sort.
    """
    return decode_cursor(cursor, sort, 2) if cursor else None


def page_of(page: KeysetPage, sort: str) -> dict[str, Any]:
    """The ``Page`` document of a service's keyset page, its next cursor made for ``sort``."""
    return {"items": page.rows, "total": page.total,
            "next_cursor": encode_cursor(sort, page.next_after) if page.next_after is not None else None}


def version_of(if_match: str | None) -> int:
    """The version an ``If-Match`` header names.

    Raises:
        PreconditionRequired: no ``If-Match`` (428).
        ValidationError: (field ``If-Match``) not a version number.
    """
    if if_match is None or not if_match.strip():
        raise PreconditionRequired("send If-Match with the record's version (its ETag) to change it")
    match = _ETAG.match(if_match)
    if not match:
        raise ValidationError(f'must be the record\'s version, e.g. "3", got {if_match!r}', field="If-Match")
    return int(match.group(1))


def optional_version(if_match: str | None) -> int | None:
    """The version an ``If-Match`` header names, or None when it is absent (see :func:`version_of`)."""
    return None if if_match is None or not if_match.strip() else version_of(if_match)


def tagged(response: Response, record: dict[str, Any]) -> dict[str, Any]:
    """Set ``ETag: "<version>"`` on ``response`` from ``record``; return the record."""
    response.headers["ETag"] = f'"{record["version"]}"'
    return record


def add_sharing_route(router: APIRouter, kind: str, label: str, owner_check: Callable | None = None) -> None:
    """Add ``PUT /{record_id}/sharing`` to ``router`` for records of ``kind`` (``need``, ``assessment``, ...)."""

    @router.put("/{record_id}/sharing", response_model=SharingOut, responses=WRITE_PROBLEMS,
                summary=f"Change a {label}'s sharing")
    def change_sharing(record_id: RecordId, body: SharingIn, ws: WorkspaceDep, actor: ActorDep, response: Response,
                       if_match: IfMatch = None):
        """Change who may see the record (owner organisation only; audited as its own action `share`).

        Roles admin, analyst, board or test_centre. Fields not sent stay as they are.
        """
        result = sharing.share(
            ws, actor, f"{kind}:{record_id}", distribution=body.distribution, group=body.sharing_group_id,
            tlp=body.tlp, releasable_to=None if body.releasable_to is None else ",".join(body.releasable_to),
            red_recipients=body.red_recipients, expected_version=version_of(if_match), with_version=True)
        return tagged(response, result)


__all__ = ["Cursor", "IfMatch", "Limit", "PreconditionRequired", "RecordId", "WRITE_PROBLEMS", "add_sharing_route",
           "after_of", "optional_version", "page_of", "sort_query", "tagged", "version_of", "MAX_LIMIT", "Header"]
