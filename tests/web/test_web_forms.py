"""Forms: open a case from a need's page, advance it and see the board change, record a shared assessment and
check who sees it; refused forms come back with the message next to the field."""

from __future__ import annotations

import re

from web_helpers import csrf_of, text_of

from rapid_adoption.services import assessments
from rapid_adoption.services.auth import actor_for_username
from rapid_adoption.services.board import build_board


def _column_count(html: str, stage: str) -> int:
    column = re.search(rf'data-stage="{stage}">(.*?)</section>', html, re.S).group(1)
    return column.count('class="card"')


def test_open_a_case_from_the_need_page_advance_it_and_see_the_board_change(web):
    client = web.login("admin")
    need = client.get("/needs/EDF-2023-DA-AIR-SPS")
    board_before = client.get("/?all=1")
    assert _column_count(board_before.text, "market_research") == 0
    assert _column_count(board_before.text, "tevv") == 37
    opened = client.post("/needs/EDF-2023-DA-AIR-SPS/cases",
                         data={"csrf_token": csrf_of(need.text), "solution": "EDF-101167826"})
    assert opened.status_code == 303
    assert opened.headers["location"] == "/cases/215"  # the quickstart has cases 1 to 214
    case = client.get("/cases/215")
    text = text_of(case.text)
    assert "Case 215: Self-protection systems → CARMENTA PF: CARMENTA PRIMUM FUGA" in text
    assert "Stage market_research" in text
    assert "TLP:GREEN · All organisations" in text
    assert 'aria-label="Clock: 0.0 of 24 months, on track"' in case.text
    assert '<form id="advance-form" method="post" action="/cases/215/advance" class="decision">' in case.text
    board = client.get("/?all=1")
    assert _column_count(board.text, "market_research") == 1
    assert 'data-case="215"' in re.search(r'data-stage="market_research">(.*?)</section>', board.text, re.S).group(1)

    advanced = client.post("/cases/215/advance", data={
        "csrf_token": csrf_of(case.text), "version": "1", "rationale": "TRL 6 confirmed by the analyst",
        "evidence": "https://example.org/report\n"})
    assert advanced.status_code == 303 and advanced.headers["location"] == "/cases/215"
    after = text_of(client.get("/cases/215").text)
    assert "Stage tevv" in after
    assert "Timeline (1 gate decision) market_research → tevv on 2026-11-29 by admin on time" in after
    assert "TRL 6 confirmed by the analyst" in after
    board_after = client.get("/?all=1")
    assert _column_count(board_after.text, "market_research") == 0
    assert _column_count(board_after.text, "tevv") == 38
    assert 'data-case="215"' in re.search(r'data-stage="tevv">(.*?)</section>', board_after.text, re.S).group(1)
    assert "1 on track 1 at risk 41 overdue" in text_of(board_after.text)


def test_open_case_errors_stay_on_the_need_page(web):
    client = web.login("admin")
    token = csrf_of(client.get("/needs/EDF-2023-DA-AIR-SPS").text)
    missing = client.post("/needs/EDF-2023-DA-AIR-SPS/cases", data={"csrf_token": token, "solution": "NO-SUCH-THING"})
    assert missing.status_code == 404
    assert ('<span class="field-error" id="solution-error" role="alert">no solution \'NO-SUCH-THING\' '
            '(give its id or ref)</span>') in missing.text.replace("&#39;", "'")
    assert 'value="NO-SUCH-THING"' in missing.text
    empty = client.post("/needs/EDF-2023-DA-AIR-SPS/cases", data={"csrf_token": token, "solution": " "})
    assert empty.status_code == 422
    assert "choose a solution: type its name and pick one, or give its ref" in empty.text
    first = client.post("/needs/EDF-2023-DA-AIR-SPS/cases", data={"csrf_token": token, "solution": "EDF-101167826"})
    assert first.status_code == 303
    again = client.post("/needs/EDF-2023-DA-AIR-SPS/cases", data={"csrf_token": token, "solution": "EDF-101167826"})
    assert again.status_code == 409
    assert ("case 215 is already open for need EDF-2023-DA-AIR-SPS and solution EDF-101167826"
            in text_of(again.text))


def test_a_viewer_may_not_open_a_case(web):
    client = web.login("fra.viewer")
    token = csrf_of(client.get("/needs/EDF-2023-DA-AIR-SPS").text)
    response = client.post("/needs/EDF-2023-DA-AIR-SPS/cases", data={"csrf_token": token, "solution": "EDF-101167826"})
    assert response.status_code == 403
    assert "opening a case needs the role admin or analyst or board; fra.viewer has viewer" in text_of(response.text)


def test_gate_decision_errors_keep_what_was_typed(web):
    client = web.login("admin")
    token = csrf_of(client.get("/needs/EDF-2023-DA-AIR-SPS").text)
    client.post("/needs/EDF-2023-DA-AIR-SPS/cases", data={"csrf_token": token, "solution": "EDF-101167826"})
    bad_link = client.post("/cases/215/advance", data={"csrf_token": token, "version": "1",
                                                       "rationale": "trial done", "evidence": "ftp://x"})
    assert bad_link.status_code == 422
    assert ('<span class="field-error" id="evidence-error" role="alert">must be an http(s) URL, got '
            "'ftp://x'</span>") in bad_link.text.replace("&#39;", "'")
    assert ">trial done</textarea>" in bad_link.text
    no_reason = client.post("/cases/215/reject", data={"csrf_token": token, "version": "1", "rationale": ""})
    assert no_reason.status_code == 422
    assert '<span class="field-error" id="rationale-error" role="alert">is required and was empty</span>' in no_reason.text
    stale = client.post("/cases/215/withdraw", data={"csrf_token": token, "version": "7", "rationale": "gone"})
    assert stale.status_code == 409
    assert "case 215 is at version 1, not 7: reload and try again" in text_of(stale.text)
    withdrawn = client.post("/cases/215/withdraw", data={"csrf_token": token, "version": "1",
                                                         "rationale": "the company withdrew its offer"})
    assert withdrawn.status_code == 303
    page = client.get("/cases/215")
    assert "Stage withdrawn" in text_of(page.text)
    assert 'id="advance-form"' not in page.text  # a closed case has no gate forms


def test_assessment_shared_with_a_group_is_seen_by_members_only(web):
    nor = web.login("nor.analyst")
    form = nor.get("/assessments/new?solution=EDF-101167796")
    assert form.status_code == 200
    assert '<form id="assessment-form" method="post" action="/assessments" class="panel">' in form.text
    assert '<option value="Nordic-Baltic">Nordic-Baltic</option>' in form.text
    assert 'value="EDF-101167796"' in form.text
    created = nor.post("/assessments", data={
        "csrf_token": csrf_of(form.text), "solution": "EDF-101167796", "need": "EDF-2023-DA-AIRDEF-CUAS",
        "trl": "6", "mrl": "5", "fit_0_to_100": "75", "strengths": "Layered counter-UAS for the High North",
        "distribution": "sharing_group", "group": "Nordic-Baltic", "tlp": "AMBER", "releasable_to": "NOR,EST,DNK"})
    assert created.status_code == 303
    assert created.headers["location"] == "/assessments/6"  # the quickstart made assessments 1 to 5
    page = nor.get("/assessments/6")
    assert ('<p class="banner tlp-AMBER" role="note" aria-label="Marking" data-testid="marking">'
            "TLP:AMBER · Sharing group: Nordic-Baltic · REL TO DNK, EST, NOR</p>") in page.text
    assert "Layered counter-UAS for the High North" in text_of(page.text)

    member = web.login("est.analyst").get("/assessments/6")
    assert member.status_code == 200
    assert "TLP:AMBER · Sharing group: Nordic-Baltic · REL TO DNK, EST, NOR" in text_of(member.text)
    outsider = web.login("deu.analyst")
    hidden = outsider.get("/assessments/6")
    missing = outsider.get("/assessments/999")
    assert hidden.status_code == missing.status_code == 404
    assert "no assessment '6' (give its id or ref)" in text_of(hidden.text)
    assert text_of(hidden.text).replace("'6'", "'999'") == text_of(missing.text)
    assert 'href="/assessments/6"' not in outsider.get("/assessments").text
    deu = assessments.list_visible(web.ws, actor_for_username(web.ws, "deu.analyst"))[0]
    assert f"of {deu} assessments" in text_of(outsider.get("/assessments").text)


def test_assessment_form_errors_next_to_their_fields(web):
    client = web.login("est.analyst")
    token = csrf_of(client.get("/assessments/new").text)
    base = {"csrf_token": token, "solution": "EDF-101167796", "distribution": "organisation", "tlp": "AMBER"}
    trl = client.post("/assessments", data={**base, "trl": "12", "strengths": "kept text"})
    assert trl.status_code == 422
    assert '<span class="field-error" id="trl-error" role="alert">TRL must be 1-9, got \'12\'</span>' in trl.text.replace("&#39;", "'")
    assert ">kept text</textarea>" in trl.text
    fit = client.post("/assessments", data={**base, "fit_0_to_100": "101"})
    assert "FIT must be 0-100, got '101'" in fit.text.replace("&#39;", "'")
    assert 'id="fit_0_to_100-error"' in fit.text
    rel = client.post("/assessments", data={**base, "releasable_to": "ETS"})
    assert rel.status_code == 422
    assert 'id="releasable_to-error"' in rel.text and "is not an ISO 3166-1 country code, got 'ETS'" in rel.text.replace("&#39;", "'")
    group = client.post("/assessments", data={**base, "distribution": "sharing_group"})
    assert group.status_code == 422
    assert '<span class="field-error" id="group-error" role="alert">sharing_group needs --group NAME</span>' in group.text
    solution = client.post("/assessments", data={**base, "solution": "NOPE"})
    assert solution.status_code == 404
    assert 'id="solution-error"' in solution.text
    # Nothing was written by the refused forms.
    assert assessments.list_visible(web.ws, actor_for_username(web.ws, "est.analyst"))[0] == 3


def test_owner_changes_the_sharing_of_an_assessment(web):
    client = web.login("deu.analyst")
    page = client.get("/assessments/5")
    assert "TLP:AMBER · Owner organisation only" in text_of(page.text)
    assert '<form id="share-form" method="post" action="/assessments/5/share">' in page.text
    shared = client.post("/assessments/5/share", data={"csrf_token": csrf_of(page.text), "distribution": "community",
                                                       "tlp": "GREEN", "group": "", "releasable_to": "DEU,FRA"})
    assert shared.status_code == 303
    assert "TLP:GREEN · All organisations · REL TO DEU, FRA" in text_of(client.get("/assessments/5").text)
    assert web.login("fra.viewer").get("/assessments/5").status_code == 200
    assert web.login("nor.analyst").get("/assessments/5").status_code == 404
    # Another organisation sees the record but gets no sharing form.
    assert 'id="share-form"' not in web.login("fra.viewer").get("/assessments/5").text


def test_board_figures_come_from_the_services(web):
    client = web.login("nor.analyst")
    funnel = build_board(web.ws, actor_for_username(web.ws, "nor.analyst")).funnel
    text = text_of(client.get("/").text)
    assert (f"{funnel.status['on_track']} on track {funnel.status['at_risk']} at risk "
            f"{funnel.status['overdue']} overdue") in text
