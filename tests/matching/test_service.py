"""Ranking in the workspace: sharing before ranking, explanations, filters, edge cases, the incremental index."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rapid_adoption.domain.errors import NotFound, ValidationError
from conftest import system_of
from rapid_adoption.services import records_write
from rapid_adoption.services.sharing import share
from rapid_adoption.services.auth import actor_for_username
from rapid_adoption.services.matching import (MatchFilters, _full_index, candidates_for_need, match_text,
                                              needs_for_solution, rebuild_index)
from rapid_adoption.matching import tokenize
from rapid_adoption.store.tables import CapabilityNeed

CUAS = "EDF-2023-DA-AIRDEF-CUAS"
ECUAS = "EDF-101167796"


def _hide(ws, ref: str, owner: str = "EU-DEFIS") -> None:
    """Make solution ``ref`` private to its owner (distribution organisation) through the sharing service, as
    its owner would (the audit entry this writes is what tells cached rankings to read visibility again)."""
    share(ws, system_of(ws, owner), f"solution:{ref}", distribution="organisation")


def test_need_ranks_its_own_project_first_with_explanation(qs_ws):
    admin = actor_for_username(qs_ws, "admin")
    result = candidates_for_need(qs_ws, admin, CUAS, MatchFilters(top=5))
    first = result["candidates"][0]
    assert result["query"]["ref"] == CUAS and result["ranked"] == "solutions"
    assert first["ref"] == ECUAS and first["rank"] == 1
    assert first["company"]["legal_name"] == "LEONARDO - SOCIETA PER  AZIONI"
    assert first["explanation"]["terms"][:3] == ["uas", "defence", "counter"]
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
    other = candidates_for_need(qs_ws, actor_for_username(qs_ws, "admin"), CUAS, MatchFilters(top=3))
    assert ECUAS not in json.dumps(other)  # admin is DIANA, not the owner EU-DEFIS
    owner = candidates_for_need(qs_ws, system_of(qs_ws, "EU-DEFIS"), CUAS, MatchFilters(top=3))
    assert owner["candidates"][0]["ref"] == ECUAS  # the owner still sees it
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


def test_matched_words_are_ordered_by_their_part_of_the_bm25_score(qs_ws):
    admin = actor_for_username(qs_ws, "admin")
    first = candidates_for_need(qs_ws, admin, CUAS, MatchFilters(top=5))["candidates"][0]
    terms = first["explanation"]["terms"]
    assert terms == ["uas", "defence", "counter", "effectors", "scenarios", "c2", "technologies", "relevant",
                     "operational", "including", "assets", "systems"]
    # each word's part, found independently: the solution's BM25 score for that word alone, times the
    # number of times the need's text holds it
    with Session(qs_ws.uow.engine) as session:
        need = session.scalar(select(CapabilityNeed).where(CapabilityNeed.ref == CUAS))
        query = tokenize(need.title) + tokenize(need.statement)
    index = _full_index(qs_ws, "solution")
    at = index.lexical.position[first["id"]]
    part = {term: query.count(term) * float(index.lexical.scores([term])[at]) for term in set(query)}
    shown = [part[t] for t in terms]
    assert shown == sorted(shown, reverse=True) and shown[-1] > 0
    assert sorted(part.values(), reverse=True)[:12] == shown  # the 12 words shown are the 12 largest parts
    assert sum(part.values()) == pytest.approx(first["score"], abs=1e-2)  # the parts add up to the score


def test_non_english_query_drops_its_stop_words(qs_ws):
    result = match_text(qs_ws, actor_for_username(qs_ws, "admin"), "Lutte anti-drones: détection des drones",
                        filters=MatchFilters(top=5))
    assert result["total"] == 514
    assert [c["explanation"]["terms"] for c in result["candidates"]] == [["drones"]] * 5
    french_only = match_text(qs_ws, actor_for_username(qs_ws, "admin"), "systèmes des récepteurs",
                             ranked="needs", filters=MatchFilters(top=3))
    assert french_only["candidates"][0]["ref"] == "EDF-2026-DA-SPACE-PRS-STEP"
    assert french_only["candidates"][0]["explanation"]["terms"] == ["récepteurs", "systèmes"]


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
