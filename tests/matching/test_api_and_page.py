"""The candidates over the API and on the need's page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api_helpers import assert_problem, bearer, token_of
from rapid_adoption.api import create_app
from rapid_adoption.services.auth import set_password
from rapid_adoption.store.tables import CapabilityNeed, Solution
from web_helpers import PASSWORD, USERS, Web, text_of


def _ids(ws):
    with Session(ws.uow.engine) as session:
        need = session.scalar(select(CapabilityNeed.id).where(CapabilityNeed.ref == "EDF-2023-DA-AIRDEF-CUAS"))
        solution = session.scalar(select(Solution.id).where(Solution.ref == "EDF-101167796"))
    return need, solution


def test_api_candidates_and_needs(qs_ws):
    need, solution = _ids(qs_ws)
    with TestClient(create_app(qs_ws)) as client:
        h = bearer(token_of(qs_ws, "nor.analyst"))
        r = client.get(f"/api/needs/{need}/candidates", params={"top": 3}, headers=h)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["ranked"] == "solutions" and len(body["candidates"]) == 3
        assert body["candidates"][0]["ref"] == "EDF-101167796"
        assert body["candidates"][0]["explanation"]["passages"][0]["highlights"]
        r = client.get(f"/api/solutions/{solution}/needs", params={"top": 2, "domain": "air"}, headers=h)
        assert r.status_code == 200 and r.json()["candidates"][0]["ref"] == "EDF-2023-DA-AIRDEF-CUAS"
        assert_problem(client.get("/api/needs/999999/candidates", headers=h), 404,
                       "no capability need '999999' (give its id or ref)")
        assert_problem(client.get(f"/api/needs/{need}/candidates", params={"top": 0}, headers=h), 422)
        assert client.get(f"/api/needs/{need}/candidates").status_code == 401


def test_need_page_shows_highlighted_candidates_with_open_case(qs_ws):
    for username in USERS:
        set_password(qs_ws, None, username, PASSWORD)
    client = Web(qs_ws).login("admin")
    page = client.get("/needs/EDF-2023-DA-AIRDEF-CUAS")
    assert page.status_code == 200
    assert 'id="candidate-1"' in page.text and "<mark>" in page.text
    assert "Candidate solutions (10 best of" in text_of(page.text)
    assert '<input type="hidden" name="solution" value="EDF-101167796">' in page.text
    viewer = Web(qs_ws).login("fra.viewer").get("/needs/EDF-2023-DA-AIRDEF-CUAS")
    assert 'id="candidate-1"' in viewer.text and "open-candidate" not in viewer.text
