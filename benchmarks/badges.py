"""Benchmark badge issuance and verification: throughput (badges per second) and latency percentiles.

Run: ``python benchmarks/badges.py [ROUNDS]`` (default 5 rounds). The badges are real: one per funded EDF project of
the bundled data (42), awarded to the project's coordinator (its name and EU PIC), with the project's acronym, title
and objective as the solution, two use cases scored 1-10 and one trial at a real test centre. Each round issues
every badge (build + eddsa-rdfc-2022 proof), then verifies every badge with one :class:`BadgeVerifier` (all six
checks, both status lists), then verifies each badge's VC-JOSE JWS form. Everything runs in this process, offline.

Prints one line per figure; the target is at least 50 verifications per second on this machine.
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from datetime import date, datetime, timezone
from importlib import resources

from rapid_adoption.badges import (
    BadgeData,
    BadgeVerifier,
    BitstringStatusList,
    Company,
    Ed25519KeyPair,
    EvaluationProcedure,
    IssuerProfile,
    Solution,
    TrialEvidence,
    TrustedIssuer,
    TrustedIssuerList,
    UseCaseScore,
    build_status_list_credential,
    encode_jws,
    issue_badge,
    sign_credential,
    status_list_entry,
)
from rapid_adoption.badges.credential import IDENTITY_TYPE_EU_PIC

TARGET_VERIFY_PER_S = 50.0
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
ISSUED_AT = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
REVOCATION_URL = "https://badges.example.org/status/revocation/1"
SUSPENSION_URL = "https://badges.example.org/status/suspension/1"


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile (0-100) of ``values`` in milliseconds, by the inclusive method."""
    return statistics.quantiles([v * 1000 for v in values], n=100, method="inclusive")[int(share) - 1]


def real_badges(issuer: IssuerProfile) -> list[BadgeData]:
    """One badge per EDF project: the coordinator (name, PIC) and the project as the solution."""
    edf = resources.files("rapid_adoption") / "data" / "edf"
    with (edf / "projects.csv").open(encoding="utf-8") as handle:
        projects = list(csv.DictReader(handle))
    with (edf / "participants.csv").open(encoding="utf-8") as handle:
        coordinators = {row["project_id"]: row for row in csv.DictReader(handle) if row["role"] == "coordinator"}
    badges = []
    for index, project in enumerate(projects):
        coordinator = coordinators[project["project_id"]]
        use_cases = ("Detection", "Interoperability")
        badges.append(
            BadgeData(
                credential_id=f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
                issuer=issuer,
                company=Company(name=coordinator["organization_name"], identifiers={IDENTITY_TYPE_EU_PIC: coordinator["pic"]}),
                solution=Solution(name=f"{project['acronym']}: {project['title']}", description=project["objective"][:1000]),
                procedure=EvaluationProcedure(project["call_identifier"], 1, "Demonstrated against the call's expected outcomes."),
                scores=[UseCaseScore(name, 5 + (index + i) % 5) for i, name in enumerate(use_cases)],
                evidence=[TrialEvidence(f"TRIAL-{index}", "ICE worx Arctic (FFI)", "NOR", date(2026, 4, 13), date(2026, 4, 24))],
                valid_from=ISSUED_AT,
                credential_status=[
                    status_list_entry(REVOCATION_URL, index, "revocation"),
                    status_list_entry(SUSPENSION_URL, index, "suspension"),
                ],
            )
        )
    return badges


def report(label: str, seconds: list[float]) -> float:
    """Print one line for ``label`` and return its throughput (items per second)."""
    rate = len(seconds) / sum(seconds)
    print(
        f"{label}: {len(seconds)} badges, {rate:.1f} badges/s, p50 {percentile(seconds, 50):.2f} ms, "
        f"p95 {percentile(seconds, 95):.2f} ms",
        flush=True,
    )
    return rate


def main(rounds: int = 5) -> None:
    """Issue and verify the real badges ``rounds`` times and print the figures."""
    key = Ed25519KeyPair.generate()
    vm = key.did_key_verification_method()
    issuer = IssuerProfile(id=key.did_key(), name="NATO DIANA", url="https://www.diana.nato.int")
    data = real_badges(issuer)
    lists = {
        url: sign_credential(
            build_status_list_credential(url, key.did_key(), purpose, BitstringStatusList(), "2026-11-01T00:00:00Z"), key, vm, ISSUED_AT
        )
        for url, purpose in ((REVOCATION_URL, "revocation"), (SUSPENSION_URL, "suspension"))
    }
    verifier = BadgeVerifier(TrustedIssuerList([TrustedIssuer(key.did_key(), "NATO DIANA")]), status_lists=lists)
    issue_times: list[float] = []
    verify_times: list[float] = []
    jws_times: list[float] = []
    invalid = 0
    for _ in range(rounds):
        signed = []
        for badge in data:
            start = time.perf_counter()
            signed.append(issue_badge(badge, key, vm, ISSUED_AT))
            issue_times.append(time.perf_counter() - start)
        tokens = [encode_jws(badge, key, vm) for badge in signed]
        for badge in signed:
            start = time.perf_counter()
            invalid += not verifier.verify(badge, NOW).valid
            verify_times.append(time.perf_counter() - start)
        for token in tokens:
            start = time.perf_counter()
            invalid += not verifier.verify(token, NOW).valid
            jws_times.append(time.perf_counter() - start)
    print(f"data: {len(data)} badges of real EDF projects and coordinators, {rounds} rounds, {invalid} found invalid", flush=True)
    report("issue (build + eddsa-rdfc-2022 proof)", issue_times)
    verify_rate = report("verify (Data Integrity proof, issuer key, trust, validity, 2 status lists)", verify_times)
    report("verify (VC-JOSE JWS form, same checks)", jws_times)
    verdict = "meets" if verify_rate >= TARGET_VERIFY_PER_S else "MISSES"
    print(f"verdict: verification {verify_rate:.1f} badges/s {verdict} the target (>= {TARGET_VERIFY_PER_S:.0f} badges/s)", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
