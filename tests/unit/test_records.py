"""Validation of catalogue records and the domain layer's independence from I/O."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import rapid_adoption.domain as domain_package
from rapid_adoption.domain.errors import ValidationError
from rapid_adoption.domain.records import MRL_RANGE, TRL_RANGE, SolutionRecord, check_iso3, check_level


@pytest.mark.parametrize(("value", "message"), [
    ("10", "trl: TRL must be 1-9, got '10'"),
    ("0", "trl: TRL must be 1-9, got '0'"),
    ("seven", "trl: TRL must be a whole number 1-9, got 'seven'"),
    ("6.5", "trl: TRL must be a whole number 1-9, got '6.5'"),
])
def test_trl_out_of_range(value, message):
    with pytest.raises(ValidationError) as err:
        check_level(value, "trl", TRL_RANGE)
    assert str(err.value) == message


def test_levels_in_range():
    assert check_level("9", "trl", TRL_RANGE) == 9
    assert check_level(10, "mrl", MRL_RANGE) == 10
    assert check_level("", "mrl", MRL_RANGE) is None


def test_solution_refuses_mrl_11():
    with pytest.raises(ValidationError) as err:
        SolutionRecord(ref="S1", company_ref="C1", name="x", description=None, mrl=11)
    assert str(err.value) == "mrl: MRL must be 1-10, got '11'"


def test_iso3_shape():
    assert check_iso3("deu") == "DEU"
    with pytest.raises(ValidationError) as err:
        check_iso3("DE")
    assert str(err.value) == "country: must be an ISO 3166-1 alpha-3 code such as DEU, got 'DE'"


def test_validation_error_rendering():
    assert str(ValidationError("bad", file="a.csv", line=3, field="trl")) == "a.csv:3: trl: bad"
    assert str(ValidationError("bad", file="a.csv")) == "a.csv: bad"
    assert str(ValidationError("bad")) == "bad"


def test_domain_imports_only_the_standard_library():
    allowed_roots = {"__future__", "calendar", "dataclasses", "datetime", "enum", "re", "typing"}
    folder = Path(domain_package.__file__).parent
    seen = set()
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                seen.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                seen.add(node.module.split(".")[0])
    assert seen <= allowed_roots, f"domain imports {sorted(seen - allowed_roots)}"
