"""Benchmark the web application against Datasette on the same SQLite file.

Run: ``python benchmarks/api.py`` (needs the ``bench`` extra: ``pip install -e '.[bench]'``).

Set-up: a SQLite workspace with the real SBIR and EDF data, topped up to 100,000 solutions (copies of the real
ones under new refs) and 10,000 adoption cases of real needs and solutions (``benchmarks/synthetic.py``).

Each server runs in its own process on loopback: ``rapid serve`` (uvicorn, one worker) and ``datasette serve``
on the same file. A load generator in this process keeps 8 requests in flight (8 concurrent clients, each with
its own keep-alive connection) for ``SECONDS`` after a warm-up, and records each request's latency:

- ``GET /api/solutions?limit=50`` with a bearer token (the sharing filter applies; each token use is audited);
- ``GET /`` (the dashboard) with a logged-in session cookie;
- Datasette's ``GET /bench/solutions.json?_size=50`` of the same table, for comparison. Datasette runs with
  ``--setting suggest_facets off``: by default each table page also tries facets on every column, which costs
  about 2 s here on 100,000 rows and would make the comparison meaningless. Like the API's page, Datasette's
  then reads 50 rows and counts the table.

Prints one line per figure (requests per second, p50 and p95 latency), then the ratio of the API's requests per
second to Datasette's, against the target ratio >= 0.5.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from rapid_adoption.domain.clock import StageBudgets
from rapid_adoption.services.auth import actor_for_username, create_token, set_password
from rapid_adoption.services.imports import run_import
from rapid_adoption.services.setup import init_workspace
from rapid_adoption.services.workspace import Workspace
from rapid_adoption.settings import Settings
from synthetic import add_cases, add_solutions

SOLUTIONS, CASES = 100_000, 10_000
CLIENTS = 8
SECONDS = float(os.environ.get("RAPID_BENCH_SECONDS", "10"))
WARMUP_SECONDS = 2.0
TARGET = 0.5
PASSWORD = "benchmark password 2026"


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(folder: Path) -> tuple[Path, str]:
    """Make the workspace; returns its path and an API token of its admin."""
    path = folder / "bench.db"
    ws = Workspace.open(Settings(f"sqlite:///{path}", StageBudgets()))
    init_workspace(ws)
    for source in ("sbir", "edf"):
        run_import(ws, source)
    added = add_solutions(ws, SOLUTIONS)
    add_cases(ws, CASES)
    set_password(ws, None, "admin", PASSWORD)
    token = create_token(ws, actor_for_username(ws, "admin"), "benchmark").token
    ws.close()
    print(f"setup: {SOLUTIONS:,} solutions ({SOLUTIONS - added:,} real, {added:,} copies), {CASES:,} cases", flush=True)
    return path, token


def start(args: list[str], port: int, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    """Start a server process and wait until its port answers (60 s at most)."""
    process = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{args[0]} exited with {process.returncode}: {process.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{' '.join(args)} did not listen on port {port} within 60 s")


def session_cookie(base: str) -> dict[str, str]:
    """Log in through the real form; returns the cookies of the logged-in browser."""
    with httpx.Client(base_url=base) as client:
        page = client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        answer = client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": csrf, "next": "/"})
        if answer.status_code != 303:
            raise SystemExit(f"login failed: {answer.status_code} {answer.text[:300]}")
        return {"rapid_session": client.cookies["rapid_session"]}


async def load(url: str, headers: dict[str, str], cookies: dict[str, str]) -> tuple[float, list[float], int]:
    """Keep :data:`CLIENTS` requests to ``url`` in flight; returns (requests per second, latencies in ms, errors)."""
    latencies: list[float] = []
    errors = 0
    measuring = False
    stop_at = 0.0

    async def client() -> None:
        nonlocal errors
        async with httpx.AsyncClient(headers=headers, cookies=cookies, timeout=30) as http:
            while time.perf_counter() < stop_at:
                began = time.perf_counter()
                answer = await http.get(url)
                elapsed = (time.perf_counter() - began) * 1000
                if answer.status_code != 200:
                    errors += 1
                    if errors == 1:
                        print(f"  first error from {url}: {answer.status_code} {answer.text[:200]}", flush=True)
                elif measuring:
                    latencies.append(elapsed)

    stop_at = time.perf_counter() + WARMUP_SECONDS
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    measuring = True
    began = time.perf_counter()
    stop_at = began + SECONDS
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return len(latencies) / (time.perf_counter() - began), latencies, errors


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``; NaN for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def measure(label: str, url: str, headers: dict[str, str] | None = None, cookies: dict[str, str] | None = None) -> float:
    """Run the load against ``url``, print its line, and return its requests per second."""
    rps, latencies, errors = asyncio.run(load(url, headers or {}, cookies or {}))
    print(f"{label}: {rps:.0f} requests/s at {CLIENTS} clients; p50 {statistics.median(latencies) if latencies else float('nan'):.1f} ms, "
          f"p95 {percentile(latencies, 95):.1f} ms; {len(latencies)} requests in {SECONDS:.0f} s, {errors} errors",
          flush=True)
    return rps


def main() -> None:
    """Build the data, start both servers, measure, and print one line per figure."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db, token = build(folder)
        env = {**os.environ, "RAPID_DATABASE_URL": f"sqlite:///{db}"}
        rapid_port, datasette_port = free_port(), free_port()
        rapid = start([sys.executable, "-m", "rapid_adoption.cli", "serve", "--port", str(rapid_port)], rapid_port, env, folder)
        datasette = start([sys.executable, "-m", "datasette", "serve", str(db), "--port", str(datasette_port),
                           "--host", "127.0.0.1", "--setting", "suggest_facets", "off"], datasette_port, env, folder)
        try:
            base = f"http://127.0.0.1:{rapid_port}"
            api = measure("api GET /api/solutions?limit=50", f"{base}/api/solutions?limit=50",
                          headers={"Authorization": f"Bearer {token}"})
            measure("dashboard GET /", f"{base}/", cookies=session_cookie(base))
            theirs = measure("datasette GET /bench/solutions.json?_size=50",
                             f"http://127.0.0.1:{datasette_port}/bench/solutions.json?_size=50")
        finally:
            for process in (rapid, datasette):
                process.terminate()
                process.wait(timeout=10)
    ratio = api / theirs if theirs else float("nan")
    verdict = "meets" if ratio >= TARGET else "MISSES"
    print(f"ratio api/datasette requests per second: {ratio:.2f} ({verdict} the target >= {TARGET})", flush=True)


if __name__ == "__main__":
    main()
