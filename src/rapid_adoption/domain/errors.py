"""The one error tree of Rapid Adoption, rooted at :class:`RapidError`.

Each error class carries ``exit_code`` (the CLI's exit status) and ``http_status`` (the HTTP
status the API answers with), so the mapping from error to outcome lives in one place.
"""

from __future__ import annotations


class RapidError(Exception):
    """Base of every error the system raises on purpose.

    Attributes:
        exit_code: the CLI exit status for this error (int, 1-9).
        http_status: the HTTP status code for this error (int).
    """

    exit_code = 1
    http_status = 500


class NotFound(RapidError):
    """A record does not exist, or the actor may not know that it exists."""

    exit_code = 3
    http_status = 404


class PermissionDenied(RapidError):
    """The actor may see the record but may not perform the action on it."""

    exit_code = 4
    http_status = 403


class Conflict(RapidError):
    """A write used a stale ``version`` of a record (optimistic locking), or a key is taken."""

    exit_code = 5
    http_status = 409


class GateNotSatisfied(RapidError):
    """A stage-gate move is illegal or its conditions are not met."""

    exit_code = 6
    http_status = 422


class ValidationError(RapidError):
    """Bad input. Names the file, line and field where the input came from a file.

    Args:
        message: what is wrong, in words a user can act on.
        file: the input file's name, or None when the input did not come from a file.
        line: the 1-based line number in ``file`` (for CSV, the physical line the record starts on).
        field: the column or JSON key at fault, or None.

    ``str(error)`` renders as ``file:line: field: message``, leaving out the parts that are None.
    """

    exit_code = 2
    http_status = 422

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file if self.line is None else f"{self.file}:{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"
