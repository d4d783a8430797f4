"""Page tests: the real application in-process (``TestClient(create_app(ws))``) on a copy of the quickstart workspace.

Each test logs in through the real login form, with a password set by ``services.auth.set_password``.
"""

from __future__ import annotations

import pytest

from rapid_adoption.services.auth import set_password
from web_helpers import PASSWORD, USERS, Web


@pytest.fixture
def web(qs_ws) -> Web:
    """The application on a private copy of the quickstart workspace, with a known password for every user."""
    for username in USERS:
        set_password(qs_ws, None, username, PASSWORD)
    return Web(qs_ws)
