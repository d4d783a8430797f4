"""Helpers and fixtures for the API tests (tests/api): real tokens, users, the RFC 9457 problem check, and
clients of the application over real workspaces. Test modules import the fixtures they use from here."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from rapid_adoption.api import create_app
from rapid_adoption.services.auth import actor_for_username, create_token, create_user

PROBLEM = "application/problem+json"


def token_of(ws, username: str) -> str:
    """A fresh API token of ``username`` (made by the real service, as ``rapid tokens create`` does)."""
    return create_token(ws, actor_for_username(ws, username), "api-test").token


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


def add_user(ws, username: str, org: str, role: str) -> dict[str, str]:
    """Create a user with one role and return the header of a token of theirs."""
    create_user(ws, None, username, org, [role])
    return bearer(token_of(ws, username))


def assert_problem(response, status: int, detail: str | None = None) -> dict:
    """The response is an RFC 9457 problem with ``status`` (and exactly ``detail`` when given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    if detail is not None:
        assert body["detail"] == detail
    return body


@pytest.fixture
def qs_client(qs_ws):
    """A client of the application over a copy of the quickstart workspace."""
    with TestClient(create_app(qs_ws)) as client:
        yield client


@pytest.fixture
def empty_client(empty_ws):
    """A client of the application over an initialised, empty workspace."""
    with TestClient(create_app(empty_ws)) as client:
        yield client


@pytest.fixture
def admin_h(qs_ws) -> dict[str, str]:
    """The header of a token of the quickstart's admin (DIANA; admin, analyst, board)."""
    return bearer(token_of(qs_ws, "admin"))
