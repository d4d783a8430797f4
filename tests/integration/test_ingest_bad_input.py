"""Bad input: every case damages a real bundled file (or writes a small user file), runs the import,
and checks the exact message (``file:line: field: message``) and that the database did not change.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from pathlib import Path

import pytest

from conftest import inspect_db
from sqlalchemy import func, select

from rapid_adoption.domain.errors import ValidationError
from rapid_adoption.ingest.files import Reject
from rapid_adoption.services.imports import bundled_dir, run_import
from rapid_adoption.store.tables import Base, CapabilityNeed, Company, Solution, SolutionParticipant

DATA = bundled_dir("edf").parent
AWARDS = "awards_phase2_1984_2017.jsonl"


# ---------------------------------------------------------------- helpers


def table_counts(ws) -> dict[str, int]:
    with inspect_db(ws) as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def table_contents(ws) -> dict[str, list[tuple]]:
    """Every row of every table, so "unchanged" means unchanged, not just the same count."""
    with inspect_db(ws) as s:
        return {t.name: sorted((tuple(r) for r in s.execute(select(t))), key=repr) for t in Base.metadata.sorted_tables}


def assert_rejected(ws, source: str, path: Path | None, message: str, **kwargs) -> ValidationError:
    """Run the import, expect ``ValidationError`` with exactly ``message``, and no change to any table."""
    counts, contents = table_counts(ws), table_contents(ws)
    with pytest.raises(ValidationError) as info:
        run_import(ws, source, path=path, **kwargs)
    assert str(info.value) == message
    assert table_counts(ws) == counts
    assert table_contents(ws) == contents
    return info.value


def copy_source(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(DATA / name, folder)
    return folder


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def line_of(path: Path, needle: str) -> int:
    """The 1-based physical line of the only line of ``path`` holding ``needle``."""
    hits = [n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1) if needle in line]
    assert len(hits) == 1, hits
    return hits[0]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- missing columns and keys


def test_edf_projects_without_start_date_column(empty_ws, tmp_path):
    folder = copy_source(tmp_path, "edf")
    projects = folder / "projects.csv"
    rows = read_rows(projects)
    i = rows[0].index("start_date")
    write_rows(projects, [r[:i] + r[i + 1:] for r in rows])
    error = assert_rejected(
        empty_ws, "edf", folder,
        f"{projects}:1: start_date: missing column start_date (the header has: project_id, acronym, title, "
        "call_identifier, status, type_of_action, end_date, overall_budget_eur, eu_contribution_eur, n_participants, "
        "objective)",
    )
    assert (error.file, error.line, error.field) == (str(projects), 1, "start_date")


def test_user_needs_with_misspelt_and_missing_columns(empty_ws, tmp_path):
    one = write(tmp_path / "one.csv", "ref,titel\nUN-1,Counter-drone sensing\n")
    assert_rejected(empty_ws, "needs", one, f"{one}:1: title: missing column title (the header has: ref, titel)")
    two = write(tmp_path / "two.csv", "name,description\nCounter-drone sensing,x\n")
    assert_rejected(empty_ws, "needs", two, f"{two}:1: ref: missing columns ref, title (the header has: name, description)")


def test_user_json_object_without_a_required_key(empty_ws, tmp_path):
    path = write(tmp_path / "needs.json", '[\n  {"ref": "UN-1", "title": "One"},\n  {"ref": "UN-2"}\n]\n')
    assert_rejected(empty_ws, "needs", path, f"{path}:3: title: is missing")


# ---------------------------------------------------------------- bad values


def test_user_solution_with_trl_10_csv(empty_ws, tmp_path):
    path = write(tmp_path / "solutions.csv", "ref,company,name,trl\nUS-1,UC-1,Radar,9\nUS-2,UC-1,Radar mk2,10\n")
    error = assert_rejected(empty_ws, "solutions", path, f"{path}:3: trl: TRL must be 1-9, got '10'")
    assert (error.line, error.field, error.message) == (3, "trl", "TRL must be 1-9, got '10'")


def test_user_solution_with_trl_10_json_points_at_the_object(empty_ws, tmp_path):
    path = write(tmp_path / "solutions.json", json.dumps([
        {"ref": "US-1", "company": "UC-1", "name": "Radar", "trl": 9},
        {"ref": "US-2", "company": "UC-1", "name": "Radar mk2", "trl": 10},
    ], indent=2))
    # indent=2: "[" on line 1, the first object on lines 2-7, the second from line 8
    assert path.read_text(encoding="utf-8").split("\n")[7] == "  {"
    assert_rejected(empty_ws, "solutions", path, f"{path}:8: trl: TRL must be 1-9, got '10'")


def test_user_solution_with_trl_not_a_number(empty_ws, tmp_path):
    path = write(tmp_path / "solutions.csv", "ref,company,name,trl,mrl\nUS-1,UC-1,Radar,high,\n")
    assert_rejected(empty_ws, "solutions", path, f"{path}:2: trl: TRL must be a whole number 1-9, got 'high'")
    path = write(tmp_path / "solutions2.csv", "ref,company,name,trl,mrl\nUS-1,UC-1,Radar,4,11\n")
    assert_rejected(empty_ws, "solutions", path, f"{path}:2: mrl: MRL must be 1-10, got '11'")


def test_edf_project_with_impossible_start_date(empty_ws, tmp_path):
    folder = copy_source(tmp_path, "edf")
    projects = folder / "projects.csv"
    rows = read_rows(projects)
    i = rows[0].index("start_date")
    assert (rows[5][0], rows[5][i]) == ("101168065", "2024-12-01")
    rows[5][i] = "2024-02-30"
    write_rows(projects, rows)
    assert line_of(projects, "2024-02-30") == 6
    assert_rejected(empty_ws, "edf", folder, f"{projects}:6: start_date: is not a date (expected YYYY-MM-DD), got '2024-02-30'")


def test_edf_project_ending_before_it_starts(empty_ws, tmp_path):
    folder = copy_source(tmp_path, "edf")
    projects = folder / "projects.csv"
    rows = read_rows(projects)
    i = rows[0].index("end_date")
    assert rows[5][i] == "2028-05-31"
    rows[5][i] = "2023-05-31"
    write_rows(projects, rows)
    assert_rejected(empty_ws, "edf", folder, f"{projects}:6: end_date: ends (2023-05-31) before it starts (2024-12-01)")


def test_user_need_with_unparseable_published_on(empty_ws, tmp_path):
    path = write(tmp_path / "needs.csv", "ref,title,published_on\nUN-1,One,2025-01-15\nUN-2,Two,15/01/2025\n")
    assert_rejected(empty_ws, "needs", path, f"{path}:3: published_on: is not a date (expected YYYY-MM-DD), got '15/01/2025'")


def test_user_values_outside_their_lists(empty_ws, tmp_path):
    path = write(tmp_path / "needs.csv", "ref,title,operational_domain\nUN-1,One,sea\n")
    assert_rejected(empty_ws, "needs", path,
                    f"{path}:2: operational_domain: must be one of land, maritime, air, space, cyber, got 'sea'")
    path = write(tmp_path / "companies.csv", "ref,legal_name,sme\nUC-1,Acme,maybe\n")
    assert_rejected(empty_ws, "companies", path, f"{path}:2: sme: must be true or false, got 'maybe'")
    path = write(tmp_path / "companies2.csv", "ref,legal_name,eu_pic\nUC-1,Acme,12345\n")
    assert_rejected(empty_ws, "companies", path, f"{path}:2: eu_pic: an EU PIC is 9 digits, got '12345'")
    path = write(tmp_path / "centres.csv", "name,type,country\nLab,lab,NOR\n")
    assert_rejected(empty_ws, "centres", path,
                    f"{path}:2: type: must be one of test centre, accelerator site, test range, got 'lab'")
    path = write(tmp_path / "solutions.csv", "ref,company,name,year\nUS-1,UC-1,Radar,20x4\n")
    assert_rejected(empty_ws, "solutions", path, f"{path}:2: year: must be a year such as 2024, got '20x4'")


# ---------------------------------------------------------------- duplicates


def test_edf_duplicate_call_identifier(empty_ws, tmp_path):
    folder = copy_source(tmp_path, "edf")
    calls_gz = folder / "calls.csv.gz"
    text = gzip.decompress(calls_gz.read_bytes()).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 208 and text.count("\n") == 208  # header + 207 calls, one line each
    assert rows[3][0] == "EDF-2026-DA-AIR-STFS"
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows + [rows[3]])
    calls_gz.write_bytes(gzip.compress(out.getvalue().encode("utf-8")))
    assert_rejected(empty_ws, "edf", folder,
                    f"{calls_gz}:209: call_identifier: duplicate identifier 'EDF-2026-DA-AIR-STFS' (first on line 4)")


def test_edf_duplicate_project_id(empty_ws, tmp_path):
    folder = copy_source(tmp_path, "edf")
    projects = folder / "projects.csv"
    rows = read_rows(projects)
    assert len(rows) == 43
    write_rows(projects, rows + [rows[1]])
    assert_rejected(empty_ws, "edf", folder, f"{projects}:44: project_id: duplicate identifier '101167826' (first on line 2)")


def test_user_file_duplicate_ref(empty_ws, tmp_path):
    path = write(tmp_path / "needs.csv", "ref,title\nUN-1,One\nUN-2,Two\nUN-1,One again\n")
    assert_rejected(empty_ws, "needs", path, f"{path}:4: ref: duplicate ref 'UN-1' (first on line 2)")
    path = write(tmp_path / "needs.jsonl", '{"ref": "UN-1", "title": "One"}\n{"ref": "UN-1", "title": "Again"}\n')
    assert_rejected(empty_ws, "needs", path, f"{path}:2: ref: duplicate ref 'UN-1' (first on line 1)")


def test_user_companies_with_the_same_eu_pic(empty_ws, tmp_path):
    path = write(tmp_path / "companies.csv", "ref,legal_name,eu_pic\nUC-1,Acme,123456789\nUC-2,Acme Two,123456789\n")
    assert_rejected(empty_ws, "companies", path, f"{path}:3: eu_pic: duplicate eu_pic '123456789' (first on line 2)")


def test_user_company_reusing_an_imported_pic(empty_ws, tmp_path):
    run_import(empty_ws, "edf")
    path = write(tmp_path / "companies.csv", "ref,legal_name,eu_pic\nLEO,Leonardo,998627417\n")
    assert_rejected(
        empty_ws, "companies", path,
        f"{path}:2: eu_pic: EU PIC '998627417' already belongs to company 'PIC-998627417'",
    )


# ---------------------------------------------------------------- encodings and empty files


def test_user_file_in_latin_1(empty_ws, tmp_path):
    path = tmp_path / "needs.csv"
    path.write_bytes("ref,title\nUN-1,Counter-drone\nUN-2,Détection de drones\n".encode("latin-1"))
    assert_rejected(empty_ws, "needs", path,
                    f"{path}:3: file is not UTF-8 text (byte 0xe9 cannot be decoded); save it as UTF-8")


def test_edf_participants_saved_as_latin_1(empty_ws, tmp_path):
    folder = copy_source(tmp_path, "edf")
    participants = folder / "participants.csv"
    text = participants.read_text(encoding="utf-8")
    participants.write_bytes(text.encode("latin-1"))
    lines = text.split("\n")
    first = next(n for n, line in enumerate(lines, start=1) if not line.isascii())
    char = next(c for c in lines[first - 1] if not c.isascii())
    assert (first, char, char.encode("latin-1").hex()) == (51, "Á", "c1")  # ALCALÁ DE HENARES
    assert_rejected(empty_ws, "edf", folder,
                    f"{participants}:51: file is not UTF-8 text (byte 0xc1 cannot be decoded); save it as UTF-8")


def test_latin_1_bytes_in_a_file_with_a_byte_order_mark(empty_ws, tmp_path):
    path = tmp_path / "needs.csv"
    path.write_bytes(b"\xef\xbb\xbfref,title\nUN-1,One\n\xe9UN-2,Two\n")
    assert_rejected(empty_ws, "needs", path,
                    f"{path}:3: file is not UTF-8 text (byte 0xe9 cannot be decoded); save it as UTF-8")


@pytest.mark.parametrize("content", [b"", b"\n\n", b"  \r\n\t\n"], ids=["zero-bytes", "blank-lines", "whitespace"])
def test_empty_user_file(empty_ws, tmp_path, content):
    for name in ("needs.csv", "needs.json", "needs.jsonl"):
        path = tmp_path / name
        path.write_bytes(content)
        assert_rejected(empty_ws, "needs", path, f"{path}: file is empty")


def test_edf_empty_participants_file(empty_ws, tmp_path):
    folder = copy_source(tmp_path, "edf")
    (folder / "participants.csv").write_bytes(b"")
    assert_rejected(empty_ws, "edf", folder, f"{folder / 'participants.csv'}: file is empty")


# ---------------------------------------------------------------- malformed structure


def test_user_csv_structure_errors(empty_ws, tmp_path):
    path = write(tmp_path / "cells.csv", "ref,title\nUN-1,One\nUN-2,Two,extra\n")
    assert_rejected(empty_ws, "needs", path, f"{path}:3: has 3 cells but the header has 2 columns")
    path = write(tmp_path / "quote.csv", 'ref,title\nUN-1,"One\nUN-2,Two\n')
    assert_rejected(empty_ws, "needs", path, f"{path}:2: malformed CSV: unexpected end of data")
    # A quoted cell over two lines: the next record starts on line 4, and errors there say so.
    path = write(tmp_path / "multiline.csv", 'ref,title,statement\nUN-1,One,"first\nsecond"\nUN-2,,x\n')
    assert_rejected(empty_ws, "needs", path, f"{path}:4: title: is required and was empty")


def test_user_json_structure_errors(empty_ws, tmp_path):
    path = write(tmp_path / "object.json", '{"ref": "UN-1", "title": "One"}')
    assert_rejected(empty_ws, "needs", path, f"{path}:1: expected a JSON array of objects, got dict")
    path = write(tmp_path / "list.jsonl", '{"ref": "UN-1", "title": "One"}\n["UN-2", "Two"]\n')
    assert_rejected(empty_ws, "needs", path, f"{path}:2: expected a JSON object, got list")
    path = write(tmp_path / "comma.json", '[\n  {"ref": "UN-1", "title": "One"}\n  {"ref": "UN-2", "title": "Two"}\n]\n')
    assert_rejected(empty_ws, "needs", path, f"{path}:3: not valid JSON (Expecting ',' delimiter at column 3)")
    path = write(tmp_path / "needs.txt", "ref,title\n")
    assert_rejected(empty_ws, "needs", path, f"{path}: unknown file format: use .csv, .json or .jsonl")
    assert_rejected(empty_ws, "needs", tmp_path / "missing.csv", f"{tmp_path / 'missing.csv'}: file not found")


def test_truncated_jsonl_user_file(empty_ws, tmp_path):
    path = write(tmp_path / "needs.jsonl", '{"ref": "UN-1", "title": "One"}\n{"ref": "UN-2", ')
    assert_rejected(empty_ws, "needs", path,
                    f"{path}:2: not valid JSON (Expecting property name enclosed in double quotes at column 17); "
                    "is the line truncated?")


def test_truncated_string_in_jsonl_reads_well(empty_ws, tmp_path):
    path = write(tmp_path / "needs.jsonl", '{"ref": "UN-1", "title": "One"}\n{"ref": "UN-2", "title": "Tw')
    assert_rejected(empty_ws, "needs", path,
                    f"{path}:2: not valid JSON (Unterminated string starting at column 26); is the line truncated?")


def _sbir_with_last_award_cut(tmp_path: Path, compress: bool) -> Path:
    folder = copy_source(tmp_path, "sbir")
    gz = folder / f"{AWARDS}.gz"
    text = gzip.decompress(gz.read_bytes()).decode("utf-8")
    lines = text.split("\n")
    assert (len(lines), lines[-1]) == (22121, "")  # 22120 awards, newline-terminated
    last = lines[-2]
    assert last.startswith('{"firm": "TELAZTEC LLC", "title": ')
    lines[-2] = last[: len('{"firm": "TELAZTEC LLC", ')]  # cut after the first key-value pair
    cut = "\n".join(lines[:-1])
    if compress:
        gz.write_bytes(gzip.compress(cut.encode("utf-8")))
    else:
        gz.unlink()
        (folder / AWARDS).write_text(cut, encoding="utf-8")
    return folder


@pytest.mark.parametrize("compress", [False, True], ids=["jsonl", "jsonl.gz"])
def test_sbir_awards_with_last_line_cut(empty_ws, tmp_path, compress):
    folder = _sbir_with_last_award_cut(tmp_path, compress)
    name = f"{AWARDS}.gz" if compress else AWARDS
    assert_rejected(empty_ws, "sbir", folder,
                    f"{folder / name}:22120: not valid JSON (Expecting property name enclosed in double quotes at "
                    "column 26); is the line truncated?")


def test_sbir_awards_gzip_cut_in_half(empty_ws, tmp_path):
    folder = copy_source(tmp_path, "sbir")
    gz = folder / f"{AWARDS}.gz"
    data = gz.read_bytes()
    gz.write_bytes(data[: len(data) // 2])
    assert_rejected(empty_ws, "sbir", folder,
                    f"{gz}: compressed data is damaged or truncated (Compressed file ended before the end-of-stream "
                    "marker was reached)")


# ---------------------------------------------------------------- references to records that do not exist


def test_user_solution_naming_an_unknown_company(empty_ws, tmp_path):
    path = write(tmp_path / "solutions.csv", "ref,company,name\nUS-1,NO-SUCH-CO,Radar\n")
    error = assert_rejected(empty_ws, "solutions", path, f"{path}:2: company: no company 'NO-SUCH-CO' in this file or workspace")
    assert (error.file, error.line, error.field) == (str(path), 2, "company")


def test_user_solutions_with_one_unknown_company_among_known_ones(empty_ws, tmp_path):
    run_import(empty_ws, "edf")
    path = write(tmp_path / "solutions.csv",
                 "ref,company,name\nUS-1,PIC-998627417,Radar\nUS-2,PIC-000000000,Sonar\n")
    assert_rejected(empty_ws, "solutions", path, f"{path}:3: company: no company 'PIC-000000000' in this file or workspace")


def test_user_need_naming_an_unknown_owner(empty_ws, tmp_path):
    path = write(tmp_path / "needs.csv", "ref,title,owner\nUN-1,One,DEU\nUN-2,Two,ZZZ\n")
    assert_rejected(empty_ws, "needs", path, f"{path}:3: owner: no organisation 'ZZZ' in this workspace")


def test_edf_project_naming_a_call_not_in_the_calls_file(empty_ws, tmp_path):
    folder = copy_source(tmp_path, "edf")
    projects = folder / "projects.csv"
    rows = read_rows(projects)
    i = rows[0].index("call_identifier")
    rows[2][i] = "EDF-2099-DA-AIR-NONE"
    write_rows(projects, rows)
    assert_rejected(empty_ws, "edf", folder,
                    f"{projects}:3: call_identifier: call 'EDF-2099-DA-AIR-NONE' is not in the calls file")


# ---------------------------------------------------------------- country codes


def test_user_company_with_unknown_country(empty_ws, tmp_path):
    path = write(tmp_path / "companies.csv", "ref,legal_name,country\nUC-1,Acme,GB\nUC-2,Bad,ZZ\n")
    assert_rejected(empty_ws, "companies", path, f"{path}:3: country: is not an ISO 3166-1 country code, got 'ZZ'")
    path = write(tmp_path / "centres.csv", "name,type,country\nRange A,test range,NOR\nRange B,test range,XYZ\n")
    assert_rejected(empty_ws, "centres", path, f"{path}:3: country: is not an ISO 3166-1 country code, got 'XYZ'")


def test_edf_participant_with_unknown_country(empty_ws, tmp_path):
    folder = copy_source(tmp_path, "edf")
    participants = folder / "participants.csv"
    rows = read_rows(participants)
    i = rows[0].index("country_code")
    assert rows[10][i] == "ES"
    rows[10][i] = "XX"
    write_rows(participants, rows)
    assert_rejected(empty_ws, "edf", folder,
                    f"{participants}:11: country_code: is not an ISO 3166-1 country code, got 'XX'")


# ---------------------------------------------------------------- --skip-invalid


def test_skip_invalid_user_file_imports_the_good_rows_and_reports_the_rest(empty_ws, tmp_path):
    path = write(tmp_path / "needs.csv", (
        "ref,title,published_on,priority\n"
        "UN-1,One,2025-01-15,high\n"
        "UN-2,Two,2025-13-01,\n"
        "UN-3,,,\n"
        "UN-4,Four,,urgent\n"
        "UN-5,Five,,low\n"
        "UN-1,One again,,\n"
    ))
    before = table_counts(empty_ws)
    report = run_import(empty_ws, "needs", path=path, skip_invalid=True)
    assert report.rejects == [
        Reject(str(path), 3, "published_on", "is not a date (expected YYYY-MM-DD), got '2025-13-01'",
               '{"ref": "UN-2", "title": "Two", "published_on": "2025-13-01", "priority": ""}'),
        Reject(str(path), 4, "title", "is required and was empty",
               '{"ref": "UN-3", "title": "", "published_on": "", "priority": ""}'),
        Reject(str(path), 5, "priority", "must be one of low, medium, high, critical, got 'urgent'",
               '{"ref": "UN-4", "title": "Four", "published_on": "", "priority": "urgent"}'),
        Reject(str(path), 7, "ref", "duplicate ref 'UN-1' (first on line 2)",
               '{"ref": "UN-1", "title": "One again", "published_on": "", "priority": ""}'),
    ]
    assert report.counts["capability_needs"].inserted == 2
    assert table_counts(empty_ws) == {**before, "capability_needs": 2, "audit_entries": before["audit_entries"] + 1,
                                      "match_terms": 2}  # each new need is indexed for matching
    with inspect_db(empty_ws) as s:
        got = s.execute(select(CapabilityNeed.ref, CapabilityNeed.title, CapabilityNeed.priority).order_by(CapabilityNeed.ref))
        assert [tuple(r) for r in got] == [("UN-1", "One", "high"), ("UN-5", "Five", "low")]
    # The same file without --skip-invalid stops at the first bad row and writes nothing more.
    assert_rejected(empty_ws, "needs", path, f"{path}:3: published_on: is not a date (expected YYYY-MM-DD), got '2025-13-01'")


def test_skip_invalid_edf_leaves_out_the_bad_project_and_participant(empty_ws, tmp_path):
    folder = copy_source(tmp_path, "edf")
    projects, participants = folder / "projects.csv", folder / "participants.csv"
    project_rows, participant_rows = read_rows(projects), read_rows(participants)
    bad_project = project_rows[5][0]
    project_rows[5][project_rows[0].index("start_date")] = "2024-02-30"
    head = participant_rows[0]
    bad_member = dict(zip(head, participant_rows[10]))
    assert bad_member["role"] == "participant" and bad_member["project_id"] != bad_project
    participant_rows[10][head.index("country_code")] = "XX"
    write_rows(projects, project_rows)
    write_rows(participants, participant_rows)

    report = run_import(empty_ws, "edf", path=folder, skip_invalid=True)

    assert [(r.file, r.line, r.field, r.message) for r in report.rejects] == [
        (str(projects), 6, "start_date", "is not a date (expected YYYY-MM-DD), got '2024-02-30'"),
        (str(participants), 11, "country_code", "is not an ISO 3166-1 country code, got 'XX'"),
    ]
    assert json.loads(report.rejects[0].row)["start_date"] == "2024-02-30"
    assert json.loads(report.rejects[1].row)["country_code"] == "XX"
    # What should remain, from the raw rows.
    kept = [dict(zip(head, r)) for n, r in enumerate(participant_rows[1:], start=1)
            if n != 10 and r[0] != bad_project]
    assert len(kept) == 1149 - 12 - 1
    counts = table_counts(empty_ws)
    assert counts["solutions"] == 41
    assert counts["solution_participants"] == len(kept) == 1136
    assert counts["companies"] == len({m["pic"] for m in kept})
    assert counts["capability_needs"] == 207
    with inspect_db(empty_ws) as s:
        assert s.scalar(select(func.count()).select_from(Solution).where(Solution.ref == f"EDF-{bad_project}")) == 0
        pair = s.scalar(select(func.count()).select_from(SolutionParticipant).join(
            Solution, Solution.id == SolutionParticipant.solution_id).join(
            Company, Company.id == SolutionParticipant.company_id).where(
            Solution.ref == f"EDF-{bad_member['project_id']}", Company.eu_pic == bad_member["pic"]))
        assert pair == 0


# ---------------------------------------------------------------- no partial state


def test_same_bad_import_twice_gives_the_same_error_and_then_a_good_one_works(empty_ws, tmp_path):
    folder = copy_source(tmp_path, "edf")
    projects = folder / "projects.csv"
    original = projects.read_bytes()
    rows = read_rows(projects)
    rows[-1][rows[0].index("start_date")] = "someday"
    write_rows(projects, rows)
    message = f"{projects}:43: start_date: is not a date (expected YYYY-MM-DD), got 'someday'"
    first = assert_rejected(empty_ws, "edf", folder, message)
    second = assert_rejected(empty_ws, "edf", folder, message)
    assert (first.file, first.line, first.field) == (second.file, second.line, second.field)

    projects.write_bytes(original)
    report = run_import(empty_ws, "edf", path=folder)
    assert {t: c.inserted for t, c in report.counts.items() if c.inserted} == {
        "companies": 616, "capability_needs": 207, "solutions": 42, "solution_participants": 1149,
    }


def test_bad_import_into_a_filled_workspace_changes_nothing(empty_ws, tmp_path):
    run_import(empty_ws, "edf")
    path = write(tmp_path / "needs.csv", "ref,title,owner\nEDF-2023-DA-AIR-SPS,Renamed call,DIANA\nUN-2,Two,ZZZ\n")
    message = f"{path}:3: owner: no organisation 'ZZZ' in this workspace"
    assert_rejected(empty_ws, "needs", path, message)
    assert_rejected(empty_ws, "needs", path, message)
    with inspect_db(empty_ws) as s:
        assert s.scalar(select(CapabilityNeed.title).where(CapabilityNeed.ref == "EDF-2023-DA-AIR-SPS")) == \
            "Self-protection systems"
