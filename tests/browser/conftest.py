"""Browser tests: the real application under uvicorn on a loopback port, driven by Playwright in Debian's chromium.

No browser is downloaded: Playwright launches ``/usr/bin/chromium`` (or ``RAPID_CHROMIUM``), which ``.ci/run``
installs with apt-get. On a failure, every page the test opened is saved as a PNG in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from rapid_adoption.api import create_app
from rapid_adoption.domain.clock import StageBudgets
from rapid_adoption.services.auth import set_password
from rapid_adoption.services.workspace import Workspace
from rapid_adoption.settings import Settings

CHROMIUM = os.environ.get("RAPID_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct horse battery staple"
"""The password every quickstart user gets in these tests."""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
"""Flags for a closed network: without the background-networking ones chromium keeps dialling Google's hosts."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(quickstart_file, tmp_path):
    """A copy of the quickstart workspace served at ``http://127.0.0.1:PORT`` for one test; yields the base URL."""
    path = tmp_path / "rapid.db"
    shutil.copy(quickstart_file, path)
    ws = Workspace.open(Settings(f"sqlite:///{path}", StageBudgets()))  # the default clock, frozen for tests
    from sqlalchemy import select

    from rapid_adoption.store.tables import User

    with ws.uow.read() as session:
        usernames = list(session.scalars(select(User.username)))
    for username in usernames:
        set_password(ws, None, username, PASSWORD)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(ws), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the test server did not start on port {port}")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    ws.close()


@pytest.fixture(scope="session")
def browser():
    """One chromium for the whole session (Debian's package, never a download)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"no chromium at {CHROMIUM}: install Debian's package (apt-get install chromium) or set "
                    "RAPID_CHROMIUM; scripts/test.sh does this as root")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell a failed test at teardown."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def new_page(browser, request):
    """A factory of pages, each in its own browser context (its own cookies: one user each).

    On failure, every page opened is saved to ``test-artifacts/TEST-N.png``.
    """
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        for i, context in enumerate(contexts):
            for j, page in enumerate(context.pages):
                try:
                    page.screenshot(path=str(ARTIFACTS / f"{name}-{i}-{j}.png"), full_page=True)
                except Exception as exc:  # noqa: BLE001 - a screenshot must never hide the real failure
                    print(f"could not save a screenshot of {page.url}: {exc}")
    for context in contexts:
        context.close()


@pytest.fixture
def log_in(live_server):
    """``log_in(page, username)``: log in through the real form, and wait for the board."""

    def do(page, username: str, password: str = PASSWORD) -> None:
        page.goto(f"{live_server}/login")
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server}/")

    return do
