"""Reading files safely: UTF-8 checks, CSV with line numbers, JSON Lines, gzip.

Every problem raises :class:`ValidationError` with the file name and, where there is one, the line
and field, so a user can find and fix it.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence, TypeVar

from ..domain.errors import ValidationError

T = TypeVar("T")

csv.field_size_limit(10_000_000)


def read_text(path: Path) -> str:
    """Read ``path`` as UTF-8 text (a BOM is dropped; ``.gz`` files are decompressed).

    Raises:
        ValidationError: the file is missing, empty, truncated (gzip), or not UTF-8; the message
            gives the line of the first bad byte.
    """
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError("file not found", file=name) from None
    except IsADirectoryError:
        raise ValidationError("is a folder, not a file", file=name) from None
    if path.suffix.lower() == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise ValidationError(f"compressed data is damaged or truncated ({exc})", file=name) from None
    if not raw.strip():
        raise ValidationError("file is empty", file=name)
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = raw[3:].decode("utf-8") if bom else raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        position = exc.start + (3 if bom else 0)
        line = raw[:position].count(b"\n") + 1
        bad = raw[position : position + 1].hex()
        raise ValidationError(
            f"file is not UTF-8 text (byte 0x{bad} cannot be decoded); save it as UTF-8", file=name, line=line
        ) from None
    return text


@dataclass
class CsvRow:
    """One CSV record with the physical line it starts on (1-based; the header is line 1)."""

    line: int
    values: dict[str, str]


def read_csv(path: Path, required: Sequence[str], *, lower_header: bool = False) -> list[CsvRow]:
    """Read a CSV file with a header row.

    Args:
        path: the file (``.csv`` or ``.csv.gz``).
        required: columns that must be in the header.
        lower_header: compare column names in lower case (``Ref`` is ``ref``).

    Returns:
        The records in file order, each with its line number; blank lines are skipped.

    Raises:
        ValidationError: unreadable file (see :func:`read_text`), a missing column (field names
            it), a malformed quote, or a record with more cells than the header.
    """
    name = str(path)
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError("file is empty", file=name) from None
    except csv.Error as exc:
        raise ValidationError(f"malformed CSV header: {exc}", file=name, line=1) from None
    header = [h.strip().lower() if lower_header else h.strip() for h in header]
    repeated = sorted({h for h in header if header.count(h) > 1 and h})
    if repeated:
        raise ValidationError(f"column {repeated[0]!r} appears more than once in the header", file=name, line=1,
                              field=repeated[0])
    missing = [c for c in required if c not in header]
    if missing and len(header) == 1 and ";" in header[0]:
        raise ValidationError(
            "the header has no commas but has semicolons: save the file as comma-separated CSV", file=name, line=1)
    if missing:
        raise ValidationError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} (the header has: {', '.join(header)})",
            file=name,
            line=1,
            field=missing[0],
        )
    rows: list[CsvRow] = []
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ValidationError(f"malformed CSV: {exc}", file=name, line=start) from None
        if cells and any(c.strip() for c in cells):
            if len(cells) > len(header):
                raise ValidationError(
                    f"has {len(cells)} cells but the header has {len(header)} columns", file=name, line=start
                )
            values = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}
            rows.append(CsvRow(start, values))
        start = reader.line_num + 1
    return rows


def _json_reason(exc: json.JSONDecodeError) -> str:
    """The decoder's message without its own trailing "at" (it reads "starting at" before a position)."""
    return exc.msg.removesuffix(" at")


def read_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """Read JSON Lines (``.jsonl`` or ``.jsonl.gz``): one JSON object per line.

    Returns:
        ``(line, object)`` pairs; blank lines are skipped.

    Raises:
        ValidationError: unreadable file, a line that is not valid JSON (e.g. truncated), or a line
            that holds something other than an object.
    """
    name = str(path)
    out: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except RecursionError:
            raise ValidationError("JSON is nested too deeply", file=name, line=number) from None
        except json.JSONDecodeError as exc:
            raise ValidationError(f"not valid JSON ({_json_reason(exc)} at column {exc.colno}); is the line truncated?",
                                  file=name, line=number) from None
        if not isinstance(value, dict):
            raise ValidationError(f"expected a JSON object, got {type(value).__name__}", file=name, line=number)
        out.append((number, value))
    return out


def read_json_array(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """Read a JSON file holding an array of objects.

    Returns:
        ``(line, object)`` pairs; the line is where the object's ``{`` starts in the file.

    Raises:
        ValidationError: not valid JSON (with the line and column), not an array, or an element
            that is not an object.
    """
    name = str(path)
    text = read_text(path)
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValidationError("JSON is nested too deeply", file=name) from None
    except json.JSONDecodeError as exc:
        raise ValidationError(f"not valid JSON ({_json_reason(exc)} at column {exc.colno})", file=name, line=exc.lineno) from None
    if not isinstance(data, list):
        raise ValidationError(f"expected a JSON array of objects, got {type(data).__name__}", file=name, line=1)
    # Locate each top-level object's opening line with the decoder, so errors point at a line.
    decoder = json.JSONDecoder()
    lines: list[int] = []
    index = text.index("[") + 1
    for _ in data:
        while text[index] in " \t\r\n,":
            index += 1
        lines.append(text.count("\n", 0, index) + 1)
        _, index = decoder.raw_decode(text, index)
    out = []
    for line, item in zip(lines, data):
        if not isinstance(item, dict):
            raise ValidationError(f"expected a JSON object, got {type(item).__name__}", file=name, line=line)
        out.append((line, item))
    return out


@dataclass
class Reject:
    """A row left out by ``--skip-invalid``: where it was, why, and the row itself (as JSON text)."""

    file: str
    line: int
    field: str | None
    message: str
    row: str = ""


@dataclass
class RowCollector:
    """Applies a parser to rows; raises on the first bad row, or collects rejects when skipping.

    Attributes:
        file: the file name used in errors.
        skip_invalid: collect bad rows into ``rejects`` instead of raising.
        rejects: the bad rows seen so far.
    """

    file: str
    skip_invalid: bool = False
    rejects: list[Reject] = field(default_factory=list)

    def parse(self, line: int, parse: Callable[[], T], row: dict[str, Any] | None = None) -> T | None:
        """Run ``parse()`` for the record at ``line``; ``row`` is the raw record, kept in a reject.

        Returns:
            The parsed value, or None when the row was bad and ``skip_invalid`` is set.

        Raises:
            ValidationError: the row is bad and ``skip_invalid`` is not set; file and line added.
        """
        try:
            return parse()
        except ValidationError as exc:
            error = ValidationError(exc.message, file=self.file, line=line, field=exc.field)
            if not self.skip_invalid:
                raise error from None
            self.rejects.append(Reject(self.file, line, exc.field, exc.message,
                                       json.dumps(row, ensure_ascii=False, default=str) if row is not None else ""))
            return None


def write_rejects(path: Path, rejects: Sequence[Reject]) -> None:
    """Write rejected rows as CSV with columns ``file, line, field, message, row`` (the row as JSON)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "line", "field", "message", "row"])
        for r in rejects:
            writer.writerow([r.file, r.line, r.field or "", r.message, r.row])
