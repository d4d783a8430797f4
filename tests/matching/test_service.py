"""Ranking in the workspace: sharing before ranking, explanations, filters, edge cases, the incremental index."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rapid_adoption.domain.errors import NotFound, ValidationError
from rapid_adoption.services import records_write
from rapid_adoption.services.auth import actor_for_username
from rapid_adoption.services.matching import (MatchFilters, candidates_for_need, match_text, needs_for_solution,
                                              rebuild_index)
from rapid_adoption.matching import tokenize
from rapid_adoption.store.tables import CapabilityNeed, Organisation, Solution

CUAS = "EDF-2023-DA-AIRDEF-CUAS"
ECUAS = "EDF-101167796"


def _hide(ws, ref: str, owner: str = "USA") -> None:
    """Make solution ``ref`` private to ``owner`` (distribution organisation), as its owner's sharing would."""
    with Session(ws.uow.engine) as session:
        org = session.scalar(select(Organisation.id).where(Organisation.ref == owner))
        session.execute(update(Solution).where(Solution.ref == ref).values(
            owner_org_id=org, distribution="organisation", version=Solution.version + 1))
        session.commit()


def test_need_ranks_its_own_project_first_with_explanation(qs_ws):
    admin = actor_for_username(qs_ws, "admin")
    result = candidates_for_need(qs_ws, admin, CUAS, MatchFilters(top=5))
    first = result["candidates"][0]
    assert result["query"]["ref"] == CUAS and result["ranked"] == "solutions"
    assert first["ref"] == ECUAS and first["rank"] == 1
    assert first["company"]["legal_name"] == "LEONARDO - SOCIETA PER  AZIONI"
    assert "cuas" in first["explanation"]["terms"]
    passage = first["explanation"]["passages"][0]
    with Session(qs_ws.uow.engine) as session:
        need = session.scalar(select(CapabilityNeed).where(CapabilityNeed.ref == CUAS))
        query_terms = set(tokenize(need.title) + tokenize(need.statement))
    assert passage["highlights"]
    for start, end in passage["highlights"]:
        assert passage["text"][start:end].lower() in query_terms
    assert [c["rank"] for c in result["candidates"]] == [1, 2, 3, 4, 5]
    # deterministic: the same answer twice, byte for byte
    assert json.dumps(result) == json.dumps(candidates_for_need(qs_ws, admin, CUAS, MatchFilters(top=5)))


def test_solution_ranks_its_call_first(qs_ws):
    result = needs_for_solution(qs_ws, actor_for_username(qs_ws, "admin"), ECUAS, MatchFilters(top=3))
    assert result["candidates"][0]["ref"] == CUAS
    assert result["candidates"][0]["owner"] == "EU-DEFIS"


def test_hidden_solution_never_in_results_counts_or_explanations(qs_ws):
    viewer = actor_for_username(qs_ws, "nor.analyst")
    before = candidates_for_need(qs_ws, viewer, CUAS, MatchFilters(top=100))
    assert before["candidates"][0]["ref"] == ECUAS
    _hide(qs_ws, ECUAS)
    after = candidates_for_need(qs_ws, viewer, CUAS, MatchFilters(top=100))
    assert after["total"] == before["total"] - 1
    text = json.dumps(after)
    assert ECUAS not in text and "E-CUAS" not in text
    # the owner still sees it
    owner = candidates_for_need(qs_ws, actor_for_username(qs_ws, "admin"), CUAS, MatchFilters(top=3))
    assert ECUAS not in json.dumps(owner)  # admin is DIANA, not the USA
    # a word only the hidden solution has finds nothing for the other user
    only = match_text(qs_ws, viewer, "E-CUAS loitering munition effector ROE", filters=MatchFilters(top=100))
    assert ECUAS not in json.dumps(only)
    with pytest.raises(NotFound):
        needs_for_solution(qs_ws, viewer, ECUAS)


def test_empty_and_stop_word_queries_get_a_clear_error(qs_ws):
    admin = actor_for_username(qs_ws, "admin")
    for text in ("", "   ", "the and of a"):
        with pytest.raises(ValidationError) as exc:
            match_text(qs_ws, admin, text)
        assert exc.value.field == "text"
        assert exc.value.message == ("the query text is empty: give at least one word of two or more letters "
                                     "that is not a stop word")


def test_non_english_query_matches_words_of_the_data(qs_ws):
    result = match_text(qs_ws, actor_for_username(qs_ws, "admin"), "Lutte anti-drones: détection des drones",
                        filters=MatchFilters(top=5))
    assert result["total"] > 0
    assert all("drones" in c["explanation"]["terms"] or "détection" in c["explanation"]["terms"]
               or "des" in c["explanation"]["terms"] for c in result["candidates"])


def test_filters_apply_before_ranking(qs_ws):
    admin = actor_for_username(qs_ws, "admin")
    usa = candidates_for_need(qs_ws, admin, CUAS, MatchFilters(top=10, nation="US"))
    assert usa["candidates"] and all(c["company"]["country"] == "USA" for c in usa["candidates"])
    air = needs_for_solution(qs_ws, admin, ECUAS, MatchFilters(top=10, domain="air"))
    assert all(c["operational_domain"] == "air" for c in air["candidates"])
    with pytest.raises(ValidationError) as exc:
        candidates_for_need(qs_ws, admin, CUAS, MatchFilters(top=0))
    assert exc.value.field == "top"
    with pytest.raises(ValidationError) as exc:
        candidates_for_need(qs_ws, admin, CUAS, MatchFilters(trl_min=7, trl_max=3))
    assert exc.value.field == "trl_min"


def test_index_follows_edits_and_rebuilds(qs_ws):
    admin = actor_for_username(qs_ws, "admin")
    created = records_write.create(qs_ws, admin, "solutions", {
        "ref": "MY-ZEPHYRLINK", "company": "PIC-998627417", "name": "Zephyrlink quantum gravimeter",
        "description": "A cold-atom gravimeter for submarine navigation without GNSS."})
    found = match_text(qs_ws, admin, "zephyrlink gravimeter", filters=MatchFilters(top=3))
    assert found["candidates"][0]["ref"] == "MY-ZEPHYRLINK"
    records_write.update(qs_ws, admin, "solutions", created["id"], {"name": "Boreas quantum gravimeter"},
                         expected_version=created["version"])
    again = match_text(qs_ws, admin, "zephyrlink", filters=MatchFilters(top=3))
    assert "MY-ZEPHYRLINK" not in [c["ref"] for c in again["candidates"]]
    counts = rebuild_index(qs_ws, admin)
    assert counts["solutions"] >= 22335 and counts["needs"] >= 2983
