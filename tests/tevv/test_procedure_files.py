"""Evaluation-procedure files: YAML and JSON, and every error with its file, line and field."""

from __future__ import annotations

import json

import pytest

from rapid_adoption.domain.errors import ValidationError
from rapid_adoption.tevv.procedures import content_hash, parse_procedure, procedure_as_dict, read_procedure_file

GOOD = """\
ref: drone-detect
version: 2
name: Drone detection
duration_weeks: 1
use_cases:
  - key: day
    name: By day
    pass_score: 6
    measures:
      - key: detection_range
        name: Detection range
        unit: m
        direction: higher_is_better
        threshold: 1500
    rubric:
      - scores: 1-5
        description: short range
      - scores: 6-10
        description: long range
"""


def test_a_good_file_reads_with_its_defaults():
    procedure = parse_procedure(GOOD, "detect.yaml")
    assert (procedure.ref, procedure.procedure_version, procedure.example, procedure.test_domain,
            procedure.required_capabilities, procedure.use_case_keys) == ("drone-detect", 2, False, None, (), ("day",))
    assert procedure.use_case("day").measures[0].meets(1500) and not procedure.use_case("day").measures[0].meets(1499)


def test_json_is_read_too_and_hashes_like_the_same_yaml(tmp_path):
    procedure = parse_procedure(GOOD, "detect.yaml")
    path = tmp_path / "detect.json"
    path.write_text(json.dumps(procedure_as_dict(procedure), indent=1))
    again = read_procedure_file(path)
    assert again == procedure
    assert content_hash(again) == content_hash(procedure)
    assert content_hash(parse_procedure(GOOD.replace("threshold: 1500", "threshold: 1600"), "x.yaml")) != \
        content_hash(procedure)


@pytest.mark.parametrize("old, new, message", [
    ("threshold: 1500", "threshold: far", "bad.yaml:14: use_cases[0].measures[0].threshold: Input should be a valid number"),
    ("direction: higher_is_better", "direction: up",
     "bad.yaml:13: use_cases[0].measures[0].direction: Input should be 'higher_is_better' or 'lower_is_better'"),
    ("        unit: m\n", "",
     "bad.yaml:10: use_cases[0].measures[0].unit: is required"),
    ("    pass_score: 6", "    pass_score: 11", "bad.yaml:8: use_cases[0].pass_score: Input should be less than or equal to 10"),
    ("    pass_score: 6", "    pass_scor: 6",
     "bad.yaml:6: use_cases[0].pass_score: is required (and 1 more error)"),
    ("name: Drone detection", "name: Drone detection\nowner: DEU",
     "bad.yaml:4: owner: is not a key of this format (check its spelling)"),
    ("scores: 6-10", "scores: 7-10", "bad.yaml:15: use_cases[0].rubric: score 6 is in no band: the bands must cover 1-10"),
    ("scores: 6-10", "scores: six", "bad.yaml:18: use_cases[0].rubric[1].scores: must be a score or a range of scores "
                                    "such as 7-8, got 'six'"),
    ("version: 2", "version: '2'", "bad.yaml:2: version: Input should be a valid integer"),
    ("duration_weeks: 1", "duration_weeks: 53", "bad.yaml:4: duration_weeks: Input should be less than or equal to 52"),
    ("ref: drone-detect", "ref: drone detect", "bad.yaml:1: ref: String should match pattern "
                                               "'^[A-Za-z0-9][A-Za-z0-9_.\\-]*$'"),
    ("duration_weeks: 1", "duration_weeks: 1\ntest_domain: underwater",
     "bad.yaml:5: test_domain: must be one of air, land, maritime, undersea, space, cyber, c-uas, ew-rf, comms, "
     "ai-data, autonomy, sensors, munitions, cbrn, materials, electronics, energy, quantum, biotech, environment, "
     "general, got 'underwater'"),
    ("      - key: detection_range", "      - key: detection_range\n        extra: 1",
     "bad.yaml:11: use_cases[0].measures[0].extra: is not a key of this format (check its spelling)"),
    ("use_cases:\n", "use_cases: []\nx:\n", "bad.yaml:5: use_cases: List should have at least 1 item after validation, "
                                           "not 0 (and 1 more error)"),
])
def test_bad_files_name_file_line_and_field(old, new, message):
    assert old in GOOD
    with pytest.raises(ValidationError) as err:
        parse_procedure(GOOD.replace(old, new, 1), "bad.yaml")
    assert str(err.value) == message


def test_repeated_keys_are_refused():
    twice = GOOD + GOOD[GOOD.index("  - key: day"):]
    with pytest.raises(ValidationError) as err:
        parse_procedure(twice, "twice.yaml")
    assert str(err.value) == "twice.yaml:1: (document): use-case keys must be unique; repeated: day"
    measures = GOOD.replace("    rubric:", "      - key: detection_range\n        name: again\n        unit: m\n"
                                          "        direction: lower_is_better\n        threshold: 1\n    rubric:")
    with pytest.raises(ValidationError) as err:
        parse_procedure(measures, "m.yaml")
    assert str(err.value) == ("m.yaml:9: use_cases[0].measures: measure keys must be unique in a use case; repeated: "
                              "detection_range")


@pytest.mark.parametrize("text, message", [
    ("ref: x\n  bad: [1,\n", "syntax.yaml:2: not valid YAML or JSON: mapping values are not allowed here"),
    ('{"ref": "x", "version": 1,,}', "syntax.yaml:1: not valid YAML or JSON: expected the node content, but found ','"),
    ("", "syntax.yaml:1: must hold one procedure: a mapping with ref, version, name, duration_weeks and use_cases"),
    ("- a\n- b\n", "syntax.yaml:1: must hold one procedure: a mapping with ref, version, name, duration_weeks and "
                   "use_cases"),
])
def test_syntax_errors_name_the_line(text, message):
    with pytest.raises(ValidationError) as err:
        parse_procedure(text, "syntax.yaml")
    assert str(err.value) == message


def test_unreadable_files(tmp_path):
    with pytest.raises(ValidationError) as err:
        read_procedure_file(tmp_path / "missing.yaml")
    assert str(err.value) == f"{tmp_path / 'missing.yaml'}: no such file"
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: Défense\n".encode("latin-1"))
    with pytest.raises(ValidationError) as err:
        read_procedure_file(latin)
    assert str(err.value) == "latin.yaml: is not UTF-8 text (byte 7)"
