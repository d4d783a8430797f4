"""Helpers of the page tests (tests/web): a browser-like client that logs in through the real form, CSRF and text.

A module of its own, not a conftest, so that ``from web_helpers import ...`` names one file whatever other
test folder's conftest was imported first.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from rapid_adoption.api import create_app

PASSWORD = "correct horse battery staple"
"""The password the quickstart's users get in these tests."""

USERS = ("admin", "nor.analyst", "est.analyst", "deu.analyst", "fra.viewer")
"""The quickstart's users: DIANA's admin, and the sharing example's four users."""


class Web:
    """A browser-like client of one application: log in as a user, read CSRF tokens off pages."""

    def __init__(self, workspace) -> None:
        self.ws = workspace
        self.app = create_app(workspace)

    def client(self) -> TestClient:
        """A new client with no cookies (a fresh browser)."""
        return TestClient(self.app, follow_redirects=False)

    def login(self, username: str, password: str = PASSWORD) -> TestClient:
        """A client logged in as ``username`` through the real login form."""
        client = self.client()
        page = client.get("/login")
        token = csrf_of(page.text)
        response = client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                               "next": "/"})
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/"
        return client


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class _Text(HTMLParser):
    """Collects a page's visible text, with runs of whitespace folded into one space."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def text_of(html: str) -> str:
    """The visible text of ``html`` (entities decoded, whitespace folded)."""
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())
