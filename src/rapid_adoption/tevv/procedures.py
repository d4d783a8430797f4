"""Reading evaluation procedures from YAML or JSON files, with the file, line and field of every error.

The file is parsed by PyYAML (JSON is read by the same parser: a JSON document is valid YAML), validated by pydantic
models, then turned into a :class:`rapid_adoption.domain.tevv.Procedure`. A pydantic error's location (``use_cases ->
1 -> measures -> 0 -> threshold``) is mapped back to the line of that value in the file, so a bad file is reported as
``cuas.yaml:42: use_cases[1].measures[0].threshold: Input should be a valid number``.

The format (every key other than these is refused, so a typo is an error, not a silent default)::

    ref: cuas-example                 # the procedure's identifier across versions: letters, digits, - _ .
    version: 1                        # a whole number >= 1; a new version is a new record
    name: Counter-UAS system evaluation
    example: true                     # true for an illustration, not an agreed procedure
    description: ...
    duration_weeks: 2                 # a trial's default length, 1-52 consecutive weeks
    test_domain: c-uas                # optional: the test domain its trials need (else the need's)
    required_capabilities: []         # optional: tags a centre must list in its calendar
    use_cases:                        # at least one
      - key: point_defence            # unique in the procedure
        name: Point defence
        description: ...
        pass_score: 6                 # the lowest 1-10 score that passes
        measures:                     # at least one
          - key: detection_range
            name: Detection range of a Group 1 UAS
            unit: m
            direction: higher_is_better   # or lower_is_better
            threshold: 2000           # the value that passes (at least, or at most)
        rubric:                       # bands that cover 1-10 exactly once
          - {scores: 1-3, description: ...}
          - {scores: 4-6, description: ...}
          - {scores: 7-8, description: ...}
          - {scores: 9-10, description: ...}
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError as PydanticError, field_validator, model_validator

from ..domain.errors import ValidationError
from ..domain.tevv import Direction, Measure, Procedure, RubricBand, UseCase, check_rubric
from .test_domains import TEST_DOMAINS

KEY = r"^[a-z0-9][a-z0-9_\-]*$"
"""Use-case and measure keys: lower-case letters, digits, ``_`` and ``-``."""
REF = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
"""Procedure refs: letters, digits, ``_``, ``.`` and ``-``."""
MAX_FILE_BYTES = 1_000_000
"""A procedure file is at most 1 MB."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)


class MeasureModel(_Strict):
    """A measure of performance in a procedure file."""

    key: str = Field(pattern=KEY, max_length=60)
    name: str = Field(min_length=1, max_length=300)
    unit: str = Field(min_length=1, max_length=40)
    direction: Literal["higher_is_better", "lower_is_better"]
    threshold: float = Field(allow_inf_nan=False)


class BandModel(_Strict):
    """A rubric band in a procedure file: ``scores`` is ``"7-8"``, ``"10"`` or a whole number."""

    scores: str | int
    description: str = Field(min_length=1, max_length=2000)

    @field_validator("scores")
    @classmethod
    def _scores(cls, value: str | int) -> str:
        text = str(value).strip()
        if not re.fullmatch(r"\d{1,2}(\s*-\s*\d{1,2})?", text):
            raise ValueError(f"must be a score or a range of scores such as 7-8, got {text!r}")
        return text.replace(" ", "")

    def band(self) -> RubricBand:
        """The band as a domain value."""
        low, _, high = str(self.scores).partition("-")
        return RubricBand(int(low), int(high or low), self.description)


class UseCaseModel(_Strict):
    """A use case in a procedure file."""

    key: str = Field(pattern=KEY, max_length=60)
    name: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=5000)
    pass_score: int = Field(ge=1, le=10)
    measures: list[MeasureModel] = Field(min_length=1, max_length=50)
    rubric: list[BandModel] = Field(min_length=1, max_length=10)

    @field_validator("measures")
    @classmethod
    def _unique_measures(cls, value: list[MeasureModel]) -> list[MeasureModel]:
        keys = [m.key for m in value]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"measure keys must be unique in a use case; repeated: {', '.join(duplicates)}")
        return value

    @field_validator("rubric")
    @classmethod
    def _covers_1_to_10(cls, value: list[BandModel]) -> list[BandModel]:
        try:
            check_rubric([b.band() for b in value])
        except ValidationError as exc:
            raise ValueError(exc.message) from None
        return value


class ProcedureModel(_Strict):
    """A whole procedure file."""

    ref: str = Field(pattern=REF, max_length=120)
    version: int = Field(ge=1, le=100_000)
    name: str = Field(min_length=1, max_length=300)
    example: bool = False
    description: str = Field(default="", max_length=20_000)
    duration_weeks: int = Field(ge=1, le=52)
    test_domain: str | None = None
    required_capabilities: list[str] = Field(default_factory=list, max_length=50)
    use_cases: list[UseCaseModel] = Field(min_length=1, max_length=50)

    @field_validator("test_domain")
    @classmethod
    def _domain(cls, value: str | None) -> str | None:
        if value is not None and value.strip().lower() not in TEST_DOMAINS:
            raise ValueError(f"must be one of {', '.join(TEST_DOMAINS)}, got {value!r}")
        return value.strip().lower() if value is not None else None

    @field_validator("required_capabilities")
    @classmethod
    def _capabilities(cls, value: list[str]) -> list[str]:
        return sorted({v.strip().lower() for v in value if v.strip()})

    @model_validator(mode="after")
    def _unique_use_cases(self) -> "ProcedureModel":
        keys = [u.key for u in self.use_cases]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"use-case keys must be unique; repeated: {', '.join(duplicates)}")
        return self

    def procedure(self) -> Procedure:
        """The validated procedure as a domain value."""
        return Procedure(
            ref=self.ref, procedure_version=self.version, name=self.name, description=self.description,
            example=self.example, duration_weeks=self.duration_weeks, test_domain=self.test_domain,
            required_capabilities=tuple(self.required_capabilities),
            use_cases=tuple(UseCase(
                key=u.key, name=u.name, description=u.description,
                measures=tuple(Measure(m.key, m.name, m.unit, Direction(m.direction), m.threshold) for m in u.measures),
                rubric=tuple(sorted((b.band() for b in u.rubric), key=lambda b: b.low)), pass_score=u.pass_score,
            ) for u in self.use_cases),
        )


def _lines(node: yaml.Node, path: tuple = (), out: dict[tuple, int] | None = None) -> dict[tuple, int]:
    """Map each path in the document (keys and list indexes) to the 1-based line its value starts on."""
    out = {} if out is None else out
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            _lines(value_node, path + (key,), out)
            out[path + (key, "__key__")] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _lines(item, path + (index,), out)
    return out


def field_path(loc: tuple) -> str:
    """A pydantic location as a field name: ``("use_cases", 1, "measures", 0, "unit")`` gives
    ``use_cases[1].measures[0].unit``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "(document)"


def _line_of(lines: dict[tuple, int], loc: tuple) -> int | None:
    """The line of ``loc``, or of its nearest enclosing value that is in the file (a missing key's mapping)."""
    if loc + ("__key__",) in lines:
        return lines[loc + ("__key__",)]
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def content_hash(procedure: Procedure) -> str:
    """SHA-256 (hex) of a procedure's validated content in canonical JSON: the same content gives the same hash
    whatever the file's layout, comments or format."""
    data = {"ref": procedure.ref, "version": procedure.procedure_version, "name": procedure.name,
            "description": procedure.description, "example": procedure.example,
            "duration_weeks": procedure.duration_weeks, "test_domain": procedure.test_domain,
            "required_capabilities": list(procedure.required_capabilities), "use_cases": procedure.use_cases_json()}
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def parse_procedure(text: str, file: str) -> Procedure:
    """Parse and validate one procedure document.

    Args:
        text: the YAML or JSON text.
        file: the file's name, for messages.

    Returns:
        The procedure.

    Raises:
        ValidationError: with ``file``, the line and the field: a syntax error, a wrong type, a missing or unknown
            key, a value out of range, a rubric that does not cover 1-10, repeated keys. Only the first error is
            reported, with the count of the others.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 - SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ValidationError(f"not valid YAML or JSON: {exc.problem or exc.context}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise ValidationError(f"not valid YAML or JSON: {exc}", file=file) from None
    if root is None or not isinstance(data, dict):
        raise ValidationError("must hold one procedure: a mapping with ref, version, name, duration_weeks and "
                              "use_cases", file=file, line=1)
    lines = _lines(root)
    try:
        model = ProcedureModel.model_validate(data)
    except PydanticError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        loc = tuple(first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "is not a key of this format (check its spelling)"
        elif first["type"] == "missing":
            message = "is required"
        more = f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
        raise ValidationError(message + more, file=file, line=_line_of(lines, loc), field=field_path(loc)) from None
    return model.procedure()


def read_procedure_file(path: Path | str) -> Procedure:
    """Read one procedure file (``.yaml``, ``.yml`` or ``.json``).

    Raises:
        ValidationError: the file cannot be read, is over 1 MB, is not UTF-8, or fails :func:`parse_procedure`.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValidationError(f"is {size} bytes; a procedure file is at most {MAX_FILE_BYTES}", file=path.name)
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ValidationError("no such file", file=str(path)) from None
    except IsADirectoryError:
        raise ValidationError("is a folder, not a procedure file", file=str(path)) from None
    except UnicodeDecodeError as exc:
        raise ValidationError(f"is not UTF-8 text (byte {exc.start})", file=path.name) from None
    except OSError as exc:
        raise ValidationError(f"cannot be read: {exc.strerror}", file=str(path)) from None
    return parse_procedure(text, path.name)


EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "procedures"
"""The shipped example procedures."""


def example_files() -> list[Path]:
    """The shipped example procedure files, sorted by name."""
    return sorted(p for p in EXAMPLES_DIR.iterdir() if p.suffix in (".yaml", ".yml", ".json"))


def procedure_as_dict(procedure: Procedure) -> dict[str, Any]:
    """A procedure in the file format's shape (JSON-ready), e.g. to write it back or show it."""
    return {"ref": procedure.ref, "version": procedure.procedure_version, "name": procedure.name,
            "example": procedure.example, "description": procedure.description,
            "duration_weeks": procedure.duration_weeks, "test_domain": procedure.test_domain,
            "required_capabilities": list(procedure.required_capabilities), "use_cases": procedure.use_cases_json()}


__all__ = ["EXAMPLES_DIR", "ProcedureModel", "content_hash", "example_files", "field_path", "parse_procedure",
           "procedure_as_dict", "read_procedure_file"]
