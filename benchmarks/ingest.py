"""Benchmark the main job: quickstart time and memory, the idempotent re-import, and the board for 10,000 cases.

Run: ``python benchmarks/ingest.py``. Prints one line per figure, with its target (2-core machine):
quickstart <= 60 s and <= 1 GB peak; re-import <= 20 s; board <= 1 s for 10,000 cases.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


from rapid_adoption.services.auth import actor_for_username
from rapid_adoption.services.board import build_board
from rapid_adoption.services.imports import run_import
from rapid_adoption.services.setup import init_workspace
from rapid_adoption.services.workspace import Workspace
from rapid_adoption.settings import Settings
from rapid_adoption.domain.clock import StageBudgets
from synthetic import add_cases

RAPID = [sys.executable, "-m", "rapid_adoption.cli"]


def run(args: list[str], cwd: Path) -> float:
    """Run the CLI in ``cwd`` and return the wall time in seconds; fail loudly on a non-zero exit."""
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("RAPID_DATABASE_URL", None)
    start = time.perf_counter()
    result = subprocess.run(RAPID + args, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"rapid {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return elapsed


def board_for(cases: int, folder: Path) -> float:
    """Median seconds of :func:`build_board` over 5 runs on ``cases`` synthetic cases of real needs/solutions."""
    ws = Workspace.open(Settings(f"sqlite:///{folder / 'board.db'}", StageBudgets()))
    init_workspace(ws)
    run_import(ws, "edf")
    add_cases(ws, cases)
    reader = actor_for_username(ws, "admin")  # the board is read through the sharing filter, as users read it
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        board = build_board(ws, reader)
        timings.append(time.perf_counter() - start)
    assert board.funnel.total == cases
    ws.close()
    return statistics.median(timings)


def main() -> None:
    """Run the three measurements and print one line per figure."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        quickstart_s = run(["quickstart"], folder)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # ru_maxrss is in KiB on Linux
        reimport_s = run(["import", "all"], folder)
        board_s = board_for(10_000, folder)
    print(f"quickstart wall time: {quickstart_s:.1f} s (target <= 60 s)")
    print(f"quickstart peak memory: {peak_mb:.0f} MB (target <= 1024 MB)" + ("" if before == 0 else " (max of child processes)"))
    print(f"re-import of the same data (idempotent): {reimport_s:.1f} s (target <= 20 s)")
    print(f"board for 10,000 cases: {board_s:.3f} s median of 5 (target <= 1 s)")


if __name__ == "__main__":
    main()
