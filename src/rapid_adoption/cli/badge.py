"""``rapid badge`` and ``rapid issuer``: badges of approval and their issuers from the command line.

Each command calls one service (:mod:`rapid_adoption.services.badges`, :mod:`rapid_adoption.services.issuers`) and
prints its result; ``--json`` prints the service's data as JSON. ``rapid badge verify`` exits 0 for a valid badge and
1 for an invalid one, with one line per check.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any, List, Optional

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from ..badges import CHECKS
from ..domain.errors import ValidationError
from ..domain.types import Stage
from ..services import badges, issuers
from ..services.cases import CaseService
from .common import console, current_actor, handle_errors, open_workspace, print_json

badge_app = typer.Typer(help="Badges of approval (Open Badges 3.0 credentials): award at the badge gate, verify "
                             "offline, revoke, suspend, download.", no_args_is_help=True)
evidence_app = typer.Typer(help="External demonstrations (outside the platform's own trials) a board may accept at "
                                "a case's badge gate.", no_args_is_help=True)
issuer_app = typer.Typer(help="Your organisation's badge issuer: its DID and keys (encrypted at rest), key rotation, "
                              "and the deployment's trusted-issuer list.", no_args_is_help=True)
trust_app = typer.Typer(help="The trusted-issuer list: the DIDs whose badges verification accepts.",
                        no_args_is_help=True)
badge_app.add_typer(evidence_app, name="evidence")
issuer_app.add_typer(trust_app, name="trust")

JSON = typer.Option(False, "--json", help="Print JSON.")
REASON = typer.Option(..., "--reason", "-r", help="Why (required; audited and shown with the badge's status).")
VERSION = typer.Option(None, "--if-version", help="Refuse if the badge's version differs (optimistic locking).")
INVALID_EXIT = 1
"""``rapid badge verify``'s exit status for a badge that does not verify."""


def _say(message: str) -> None:
    """Print a line as plain text: no markup, no emoji codes (a DID holds ':key:')."""
    console.print(message, highlight=False, markup=False, emoji=False, soft_wrap=True)


def _fields(data: dict[str, Any], keys: tuple[str, ...]) -> Table:
    table = Table(show_header=False, box=None)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for key in keys:
        value = data.get(key)
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value) or "-"
        table.add_row(key, Text("-" if value is None else str(value)))
    return table


def _scores(scores: list[dict[str, Any]]) -> str:
    return ", ".join(f"{s['name']} {s['score_1_to_10']}/10" for s in scores)


def _parse_day(text: str | None, field: str) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(text.strip()), time(0), tzinfo=timezone.utc)
    except ValueError:
        raise ValidationError(f"is not a date (expected YYYY-MM-DD), got {text!r}", field=field) from None


# --- badges ------------------------------------------------------------------------------------------------------


@badge_app.command("list")
@handle_errors
def list_(status: Optional[str] = typer.Option(None, "--status", help="active, suspended or revoked."),
          company: Optional[str] = typer.Option(None, "--company", help="A company's ref."),
          case: Optional[str] = typer.Option(None, "--case", help="A case's id or ref."),
          issuer: Optional[str] = typer.Option(None, "--issuer", help="The issuing organisation's ref."),
          limit: int = typer.Option(50, "--limit", min=1, max=500, help="At most this many (newest first)."),
          as_json: bool = JSON) -> None:
    """List the badges you may see (those of cases you may see), newest first."""
    ws = open_workspace()
    page = badges.page_badges(ws, current_actor(ws), status=status, company=company, case=case, issuer=issuer,
                              sort="-id", limit=limit)
    if as_json:
        print_json({"total": page.total, "rows": page.rows})
        return
    table = Table(title=f"Badges: {len(page.rows)} of {page.total}", box=box.SIMPLE_HEAD)
    for column in ("id", "status", "listed", "case", "issuer", "company", "procedure", "valid until"):
        table.add_column(column, overflow="fold")
    for row in page.rows:
        table.add_row(str(row["id"]), row["status"], "yes" if row["listed"] else "no", str(row["case_id"]),
                      row["issuer"], Text(row["company_name"]), Text(row["procedure"]), row["valid_until"][:10])
    console.print(table)


@badge_app.command("show")
@handle_errors
def show(badge: str = typer.Argument(..., help="The badge's id or credential id (urn:uuid:...)."),
         as_json: bool = JSON) -> None:
    """Show a badge: its status, scores, issuer and status lists (--json adds the credential)."""
    ws = open_workspace()
    view = badges.show_badge(ws, current_actor(ws), badge)
    if as_json:
        print_json(view)
        return
    view = {**view, "scores": _scores(view["scores"])}
    console.print(_fields(view, ("id", "credential_id", "status", "status_reason", "listed", "public_path", "case_id",
                                 "case_ref", "issuer", "issuer_did", "company_name", "company_ref", "solution_name",
                                 "procedure", "route", "scores", "valid_from", "valid_until", "issued_by",
                                 "revocation_list", "suspension_list", "status_index", "version")))


@badge_app.command("download")
@handle_errors
def download(badge: str = typer.Argument(..., help="The badge's id or credential id."),
             form: str = typer.Option("json", "--format", help="json (the signed credential) or jwt (VC-JOSE "
                                                               "compact JWS)."),
             out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file or folder (default: "
                                                                           "standard output).")) -> None:
    """Download a badge as the company receives it: JSON with its Data Integrity proof, or a .jwt."""
    ws = open_workspace()
    text, _media, name = badges.download(ws, current_actor(ws), badge, form.strip().lower())
    if out is None:
        sys.stdout.write(text)
        return
    path = out / name if out.is_dir() else out
    path.write_text(text, encoding="utf-8")
    _say(f"Wrote {path}.")


def print_verification(result: dict[str, Any]) -> None:
    """Print a verification result: one line per check with its reason, then the verdict."""
    width = max(len(name) for name in CHECKS)
    for check in result["checks"]:
        mark = Text("ok  ", style="green") if check["passed"] else Text("FAIL", style="bold red")
        console.print(Text.assemble(mark, f" {check['name']:<{width}}  {check['reason']}"), highlight=False,
                      soft_wrap=True)
    verdict = "valid" if result["valid"] else f"invalid{' (' + result['status'] + ')' if result['status'] else ''}"
    console.print(Text(verdict, style="bold green" if result["valid"] else "bold red"))


def _read_text(file: str, field: str) -> str:
    """The UTF-8 text of ``file`` (``-`` is standard input); ValidationError naming ``field`` when unreadable."""
    if file == "-":
        return sys.stdin.read()
    try:
        return Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(f"no such file: {file}", field=field) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}", field=field) from None


@badge_app.command("verify")
@handle_errors
def verify(file: str = typer.Argument(..., help="The badge: a .json credential or a .jwt, or - for standard input."),
           trusted: Optional[str] = typer.Option(None, "--trusted", help="Verify with no workspace, against this "
                                                 "trusted-issuer list (the JSON 'rapid issuer trust export' writes)."),
           status_list: List[str] = typer.Option(None, "--status-list", help="With --trusted: a status-list "
                                                 "credential downloaded from the issuer's /status/... URL; repeat "
                                                 "for more. Without it the status check fails."),
           as_json: bool = JSON) -> None:
    """Verify a badge offline: proof, issuer key, trusted issuer, validity, status lists and required fields.

    In a workspace it uses the workspace's trusted issuers and status lists. A buyer with no workspace gives
    --trusted (and --status-list). Exit status 0 when valid, 1 when not; one line per check says why.
    """
    text = _read_text(file, "FILE")
    if trusted is not None:
        from ..services.workspace import CLOCK

        result = badges.verify_without_workspace(
            text, _read_text(trusted, "--trusted"), [(name, _read_text(name, "--status-list")) for name in status_list or []],
            CLOCK.now(), trusted_issuers_file=Path(trusted).name).to_dict()
    else:
        if status_list:
            raise ValidationError("--status-list needs --trusted (in a workspace its own status lists are used)",
                                  field="--status-list")
        ws = open_workspace()
        result = badges.verify(ws, text).to_dict()
    if as_json:
        print_json(result)
    else:
        print_verification(result)
    if not result["valid"]:
        raise typer.Exit(INVALID_EXIT)


@badge_app.command("award")
@handle_errors
def award(case: str = typer.Argument(..., help="The case's id or ref (at its badge gate)."),
          rationale: str = typer.Option(..., "--rationale", "-r", help="Why the board awards it (required)."),
          external: List[int] = typer.Option(None, "--external", help="Accept this external demonstration (its id, "
                                                                      "'rapid badge evidence list'); repeat for more."),
          listed: Optional[bool] = typer.Option(None, "--listed/--unlisted", help="Show it on the public pages "
                                                "(default: when case, solution and company are TLP:CLEAR)."),
          valid_until: Optional[str] = typer.Option(None, "--valid-until", help="Expiry day YYYY-MM-DD (default: "
                                                    "RAPID_BADGE_VALIDITY_YEARS, 2 years)."),
          evidence: List[str] = typer.Option(None, "--evidence", "-e", help="A link to evidence for the gate "
                                                                             "decision; repeat for more."),
          if_version: Optional[int] = typer.Option(None, "--if-version", help="Refuse if the case's version differs."),
          as_json: bool = JSON) -> None:
    """Pass the case's badge gate into contracting, issuing its badge of approval.

    As 'rapid case advance CASE --to contracting' does, with the award's options.
    """
    ws = open_workspace()
    actor = current_actor(ws)
    options = badges.AwardOptions(listed=listed, valid_until=_parse_day(valid_until, "--valid-until"),
                                  external=external or ())
    CaseService(ws, actor).advance(case, Stage.CONTRACTING, rationale, evidence or [], expected_version=if_version,
                                   award=options)
    every = badges.case_badges(ws, actor, case)
    newest = max((b["gate_decision_id"] or 0 for b in every), default=0)
    issued = [b for b in every if b["gate_decision_id"] == newest]
    if as_json:
        print_json(issued)
        return
    for view in issued:
        _say(f"Badge {view['id']} awarded to {view['company_name']} for {view['solution_name']} against "
             f"{view['procedure']} ({_scores(view['scores'])}); {'listed' if view['listed'] else 'unlisted'}; "
             f"valid until {view['valid_until'][:10]}.")
        _say(f"Download: rapid badge download {view['id']} --out . (and --format jwt)")


def _status_command(action: str, badge: str, reason: str, if_version: int | None, as_json: bool) -> None:
    ws = open_workspace()
    view = badges.change_status(ws, current_actor(ws), badge, action, reason, expected_version=if_version)
    if as_json:
        print_json(view)
        return
    _say(f"Badge {view['id']} is {view['status']} (reason: {view['status_reason']}); its status list "
         f"{view['revocation_list'] if action == 'revoke' else view['suspension_list']} is signed again.")


@badge_app.command("revoke")
@handle_errors
def revoke(badge: str = typer.Argument(..., help="The badge's id or credential id."), reason: str = REASON,
           if_version: Optional[int] = VERSION, as_json: bool = JSON) -> None:
    """Revoke a badge (final): its bit in the revocation list is set, and verification says revoked."""
    _status_command("revoke", badge, reason, if_version, as_json)


@badge_app.command("suspend")
@handle_errors
def suspend(badge: str = typer.Argument(..., help="The badge's id or credential id."), reason: str = REASON,
            if_version: Optional[int] = VERSION, as_json: bool = JSON) -> None:
    """Suspend a badge until it is unsuspended: verification says suspended."""
    _status_command("suspend", badge, reason, if_version, as_json)


@badge_app.command("unsuspend")
@handle_errors
def unsuspend(badge: str = typer.Argument(..., help="The badge's id or credential id."), reason: str = REASON,
              if_version: Optional[int] = VERSION, as_json: bool = JSON) -> None:
    """Lift a badge's suspension: it verifies as valid again."""
    _status_command("unsuspend", badge, reason, if_version, as_json)


@badge_app.command("listing")
@handle_errors
def listing(badge: str = typer.Argument(..., help="The badge's id or credential id."),
            listed: bool = typer.Option(..., "--listed/--unlisted", help="Show the badge on the public pages, or not."),
            if_version: Optional[int] = VERSION, as_json: bool = JSON) -> None:
    """List a badge on its company's public page (and its own), or keep it unlisted."""
    ws = open_workspace()
    view = badges.set_listed(ws, current_actor(ws), badge, listed, expected_version=if_version)
    if as_json:
        print_json(view)
        return
    where = f" at {view['public_path']}" if view["listed"] else ""
    _say(f"Badge {view['id']} is {'listed' if view['listed'] else 'unlisted'}{where}.")


# --- external demonstrations -------------------------------------------------------------------------------------


def _parse_scores(items: list[str]) -> dict[str, int]:
    scores: dict[str, int] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip().lstrip("-").isdigit():
            raise ValidationError(f"give a score as USE_CASE=N (N 1-10), got {item!r}", field="--score")
        scores[key.strip()] = int(value)
    return scores


@evidence_app.command("add")
@handle_errors
def evidence_add(case: str = typer.Argument(..., help="The case's id or ref."),
                 procedure: str = typer.Option(..., "--procedure", help="The evaluation procedure it is judged "
                                                                        "against: ref, id or REF@N."),
                 source: str = typer.Option(..., "--source", help="What it was, e.g. 'Exercise BALTOPS 2026'."),
                 on: str = typer.Option(..., "--date", help="When, YYYY-MM-DD."),
                 vouched_by: str = typer.Option(..., "--vouched-by", help="The organisation that vouches for it."),
                 score: List[str] = typer.Option(None, "--score", help="USE_CASE=N, a 1-10 score the source gives; "
                                                                       "repeat for more."),
                 link: List[str] = typer.Option(None, "--link", help="A link (http or https) to a report; repeat."),
                 notes: Optional[str] = typer.Option(None, "--notes", help="Free text."),
                 as_json: bool = JSON) -> None:
    """Record a demonstration made outside the platform's trials, for the board to accept at the badge gate."""
    ws = open_workspace()
    view = badges.record_external(ws, current_actor(ws), case, procedure=procedure, source=source,
                                  demonstrated_on=on, vouched_by=vouched_by, scores=_parse_scores(score or []),
                                  evidence=link or [], notes=notes)
    if as_json:
        print_json(view)
        return
    _say(f"Recorded external demonstration {view['id']} for case {view['case_id']}. Accept it at the gate: "
         f"rapid badge award {view['case_id']} --external {view['id']} --rationale '...'")


@evidence_app.command("list")
@handle_errors
def evidence_list(case: str = typer.Argument(..., help="The case's id or ref."), as_json: bool = JSON) -> None:
    """List the external demonstrations recorded for a case."""
    ws = open_workspace()
    rows = badges.list_external(ws, current_actor(ws), case)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"External demonstrations: {len(rows)}", box=box.SIMPLE_HEAD)
    for column in ("id", "date", "source", "vouched by", "procedure", "scores", "accepted"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(str(row["id"]), row["demonstrated_on"], Text(row["source"]), Text(row["vouched_by"]),
                      row["procedure"], ", ".join(f"{k} {v}" for k, v in row["scores"].items()) or "-",
                      row["accepted_at"][:10] if row["accepted"] else "no")
    console.print(table)


def write_quickstart_badge(ws, example: dict[str, Any]) -> list[Path]:
    """Write the quickstart's badge (:func:`rapid_adoption.services.badges.award_demonstration`) into the workspace
    folder (the SQLite file's folder, else the current one), verify the written file as ``rapid badge verify``
    does, and print the paths and the verdict.

    Returns:
        The paths written (the .json, then the .jwt).
    """
    sqlite = ws.sqlite_path()
    folder = sqlite.parent if sqlite is not None else Path.cwd()
    paths = []
    for name, text in example["files"].items():
        path = (folder / name).resolve()
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    result = badges.verify(ws, paths[0].read_text(encoding="utf-8")).to_dict()
    _say(f"\nBadge of approval for the demonstration case {example['case_ref']}: {example['company_name']}, "
         f"{example['procedure']} ({_scores(example['scores'])}), issued by {example['issuer_did']}.")
    _say(f"Written to {paths[0]} and {paths[1]}.")
    verdict = "valid" if result["valid"] else "INVALID: " + "; ".join(c["reason"] for c in result["checks"]
                                                                      if not c["passed"])
    _say(f"rapid badge verify {paths[0].name}: {verdict}")
    return paths


# --- issuers -----------------------------------------------------------------------------------------------------


def _print_issuer(view: dict[str, Any]) -> None:
    current = view["current_key"]["public_key_multibase"] if view["current_key"] else "none yet (made at its first badge)"
    data = {**view, "current_key": current,
            "retired_keys": [k["public_key_multibase"] for k in view["retired_keys"]]}
    console.print(_fields(data, ("organisation", "name", "did", "did_method", "verification_method", "current_key",
                                 "retired_keys", "did_document_url", "trusted", "status_list_base")))


@issuer_app.command("show")
@handle_errors
def issuer_show(org: Optional[str] = typer.Option(None, "--org", help="An organisation's ref (default: yours)."),
                as_json: bool = JSON) -> None:
    """Show an organisation's issuer: its DID, keys (public parts only) and DID document."""
    ws = open_workspace()
    view = issuers.issuer_view(ws, current_actor(ws), org)
    if as_json:
        print_json(view)
        return
    _print_issuer(view)


@issuer_app.command("rotate")
@handle_errors
def issuer_rotate(as_json: bool = JSON) -> None:
    """Retire your organisation's current key and make a new one (admin). Badges signed before still verify."""
    ws = open_workspace()
    view = issuers.rotate_key(ws, current_actor(ws))
    if as_json:
        print_json(view)
        return
    if view["retired"]:
        _say(f"Retired key {view['retired']}; badges it signed still verify.")
    _print_issuer(view)


@trust_app.command("list")
@handle_errors
def trust_list(as_json: bool = JSON) -> None:
    """List the trusted issuers."""
    ws = open_workspace()
    rows = issuers.list_trusted(ws)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"Trusted issuers: {len(rows)}", box=box.SIMPLE_HEAD)
    for column in ("did", "name", "here", "did document"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(Text(row["did"]), Text(row["name"]), row["organisation"] or "-",
                      "yes" if row["has_did_document"] else "-")
    console.print(table)


@trust_app.command("add")
@handle_errors
def trust_add(did: str = typer.Argument(..., help="The issuer's DID (did:key:... or did:web:...)."),
              name: str = typer.Option(..., "--name", help="A name for it, e.g. 'Norwegian Defence Materiel Agency'."),
              did_document: Optional[Path] = typer.Option(None, "--did-document", help="A did:web issuer's DID "
                                                          "document (JSON), so its badges verify offline.")) -> None:
    """Trust an issuer (admin of the workspace's own organisation)."""
    import json

    ws = open_workspace()
    document = None
    if did_document is not None:
        try:
            document = json.loads(did_document.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValidationError(f"cannot read a JSON DID document from {did_document}: {exc}",
                                  field="--did-document") from None
    issuers.add_trusted(ws, current_actor(ws), did, name, document)
    _say(f"Trusted {did.strip()}.")


@trust_app.command("remove")
@handle_errors
def trust_remove(did: str = typer.Argument(..., help="The DID to stop trusting.")) -> None:
    """Stop trusting an issuer (admin of the workspace's own organisation)."""
    ws = open_workspace()
    issuers.remove_trusted(ws, current_actor(ws), did)
    _say(f"No longer trusted: {did.strip()}.")


@trust_app.command("import")
@handle_errors
def trust_import(file: Path = typer.Argument(..., help="A trusted-issuer list exported by 'rapid issuer trust "
                                                       "export' (JSON).")) -> None:
    """Merge a trusted-issuer list into this deployment's (admin of the workspace's own organisation)."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}", field="FILE") from None
    ws = open_workspace()
    counts = issuers.import_trusted(ws, current_actor(ws), text, file=file.name)
    _say(f"Imported {file}: {counts['added']} added, {counts['updated']} updated, {counts['unchanged']} "
         "unchanged.")


@trust_app.command("export")
@handle_errors
def trust_export(out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file (default: "
                                                                              "standard output).")) -> None:
    """Export the trusted-issuer list as JSON (with this deployment's did:web documents)."""
    ws = open_workspace()
    text = issuers.export_trusted(ws)
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8")
    _say(f"Wrote {out}.")


__all__ = ["badge_app", "issuer_app", "print_verification", "write_quickstart_badge"]
