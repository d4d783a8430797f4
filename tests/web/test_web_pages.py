"""Reading pages: the board, the catalogue lists and pages, a case, assessments with their markings."""

from __future__ import annotations

import re

from web_helpers import text_of

from rapid_adoption.services.board import build_board
from rapid_adoption.services.catalogue import Filters, list_records
from rapid_adoption.services.auth import actor_for_username


def test_board_headline_funnel_and_urgent_cases(web):
    client = web.login("admin")
    response = client.get("/")
    assert response.status_code == 200
    text = text_of(response.text)
    funnel = build_board(web.ws, actor_for_username(web.ws, "admin")).funnel
    assert f"{funnel.adopted_within_budget} of {funnel.total} adopted within 24 months" in text
    # The real quickstart's figures: no Navy transition was adopted within 24 months.
    assert "0 of 214 adopted within 24 months (0.0%; adopted at all: 172)" in text
    assert "0 on track 1 at risk 41 overdue" in text
    assert "At risk and overdue (42)" in text
    urgent = re.search(r'<table class="cases" id="urgent">(.*?)</table>', response.text, re.S).group(1)
    assert urgent.count("<tr>") == 1 + 42  # the header and one row per case
    # The board's columns hold the open cases by stage: 37 in TEVV, 4 at the badge gate, and the quickstart's
    # demonstration case (tested and badged) in contracting.
    for stage, count in (("market_research", 0), ("tevv", 37), ("badge", 4), ("contracting", 1), ("fielding", 0)):
        column = re.search(rf'data-stage="{stage}">(.*?)</section>', response.text, re.S).group(1)
        assert re.search(r'<span class="count">(\d+)</span>', column).group(1) == str(count), stage
        assert column.count('class="card"') == min(count, 25), stage
    assert "adopted 172" in text
    # The funnel is server-made SVG, with its numbers in words for screen readers and in a table.
    assert '<svg class="funnel"' in response.text
    assert "market_research: reached 214, passed 214, on time 42." in response.text
    assert "tevv: reached 214, passed 177, on time 0." in response.text
    # Each case's clock is an SVG bar coloured by status; case 1 ran 36.0 of its 24 months.
    assert 'aria-label="Clock: 36.0 of 24 months, overdue"' in response.text
    # By default each stage shows its 25 most urgent cases and links to the rest; the urgent table shows 50.
    assert response.text.count('class="clock-svg"') == 42 + 25 + 4 + 1 + 25  # urgent table, open cards, closed cases
    assert 'and 12 more (show all)' in response.text and 'and 147 more (show all)' in response.text
    everything = client.get("/?all=1")
    assert everything.text.count('class="clock-svg"') == 42 + 42 + 172
    for stage, count in (("market_research", 0), ("tevv", 37), ("badge", 4), ("contracting", 1), ("fielding", 0)):
        column = re.search(rf'data-stage="{stage}">(.*?)</section>', everything.text, re.S).group(1)
        assert column.count('class="card"') == count, stage


def test_needs_list_search_and_paging(web):
    client = web.login("fra.viewer")
    total, _ = list_records(web.ws, actor_for_username(web.ws, "fra.viewer"), "needs")
    assert total == 2983
    text = text_of(client.get("/needs").text)
    assert "Showing 1–50 of 2,983 capability needs" in text
    assert "Page 1 of 60" in text
    last = text_of(client.get("/needs?page=60").text)
    assert "Showing 2951–2983 of 2,983 capability needs" in last
    found = client.get("/needs?text=self-protection&domain=air")
    assert found.status_code == 200
    rows = re.findall(r'<a href="/needs/([^"]+)">', found.text)
    expected = list_records(web.ws, actor_for_username(web.ws, "fra.viewer"), "needs",
                            Filters(text="self-protection", domain="air"))[1]
    assert rows == [r["ref"] for r in expected]
    assert "EDF-2023-DA-AIR-SPS" in rows


def test_list_search_returns_a_fragment_to_htmx(web):
    client = web.login("fra.viewer")
    response = client.get("/solutions?text=counter+uas", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and "<form" not in response.text
    total, rows = list_records(web.ws, actor_for_username(web.ws, "fra.viewer"), "solutions",
                               Filters(text="counter uas"))
    assert f"of {total:,} solutions" in text_of(response.text)
    assert re.findall(r'<a href="/solutions/([^"]+)">', response.text) == [r["ref"] for r in rows]


def test_bad_filter_is_shown_next_to_its_field(web):
    client = web.login("fra.viewer")
    response = client.get("/solutions?trl_min=12&text=radar")
    assert response.status_code == 422
    assert '<span class="field-error" id="trl_min-error" role="alert">TRL must be 1-9, got 12</span>' in response.text
    assert 'value="radar"' in response.text and 'value="12"' in response.text


def test_need_page_shows_marking_cases_and_the_open_case_form(web):
    client = web.login("admin")
    response = client.get("/needs/EDF-2023-DA-AIR-SPS")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Self-protection systems" in text
    assert '<p class="banner tlp-CLEAR" role="note" aria-label="Marking" data-testid="marking">TLP:CLEAR · All organisations</p>' in response.text
    assert "Cases opened on this need (1)" in text
    assert '<a href="/cases/25">Case 25</a>' in response.text
    assert '<form id="open-case" method="post" action="/needs/EDF-2023-DA-AIR-SPS/cases">' in response.text
    assert '<label for="solution">Solution (ref or id; type a name for suggestions)</label>' in response.text
    assert '<option value="EDF-101167826">' in response.text  # the responding EDF project is offered


def test_a_viewer_gets_no_open_case_form(web):
    response = web.login("fra.viewer").get("/needs/EDF-2023-DA-AIR-SPS")
    assert response.status_code == 200
    assert 'id="open-case"' not in response.text


def test_solution_suggestions_for_the_datalist(web):
    client = web.login("admin")
    response = client.get("/solutions-suggest?solution=european+counter")
    _, rows = list_records(web.ws, actor_for_username(web.ws, "admin"), "solutions",
                           Filters(text="european counter", limit=10))
    assert re.findall(r'<option value="([^"]+)">', response.text) == [r["ref"] for r in rows]
    assert '<option value="EDF-101167796">E-CUAS: European Counter Unmanned Aerial Systems' in response.text


def test_company_page_shows_programmes_and_investments(web):
    response = web.login("fra.viewer").get("/companies/ORG-aquark-technologies-gbr")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Aquark Technologies" in text
    assert "Programmes (1) programme year challenge area source DIANA challenge programme (phase 2) 2024" in text
    assert "Investments (1) investor invested on amount (EUR) note NATO Innovation Fund undisclosed" in text


def test_solution_page_lists_only_the_assessments_the_reader_may_see(web):
    response = web.login("fra.viewer").get("/solutions/EDF-101167796")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "E-CUAS: European Counter Unmanned Aerial Systems" in text
    assert "Assessments (0)" in text  # Estonia's assessment is releasable to EST, LVA, LTU only
    assert 'href="/assessments/3"' not in response.text
    estonia = web.login("est.analyst").get("/solutions/EDF-101167796")
    assert "Assessments (1)" in text_of(estonia.text)
    assert '<a href="/assessments/3">Assessment 3</a>' in estonia.text


def test_centres_by_country_and_domain(web):
    client = web.login("fra.viewer")
    text = text_of(client.get("/centres").text)
    assert "Showing 1–100 of 100 test centres" in text
    countries = re.findall(r'<a href="/centres\?country=([A-Z]{3})"[^>]*>[A-Z]{3} <span class="count">(\d+)</span>',
                           client.get("/centres").text)
    assert len(countries) == 23  # the bundled network covers 23 nations
    assert sum(int(n) for _, n in countries) == 100
    assert ("EST", "8") in countries
    estonia = client.get("/centres?country=EST")
    assert estonia.status_code == 200
    text = text_of(estonia.text)
    assert "Showing 1–8 of 8 test centres" in text
    assert "EST 8" in text and "CR14 Foundation cyber range" in text and "Milrem Robotics test facilities" in text
    cyber = client.get("/centres?domain=cyber&country=EST")
    names = re.findall(r'<a href="/centres/[^"]+">([^<]+)</a>', cyber.text)
    _, rows = list_records(web.ws, actor_for_username(web.ws, "fra.viewer"), "centres",
                           Filters(domain="cyber", country="EST"))
    assert names == [r["name"] for r in rows]
    assert "CR14 Foundation cyber range" in names


def test_case_page_timeline_and_clock(web):
    response = web.login("admin").get("/cases/1")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Case 1: Innovative multi-sensor space-based Earth observation capabilities" in text
    assert "Timeline (2 gate decisions)" in text
    assert "market_research → tevv" in text and "tevv → badge" in text
    assert "EDF grant under call EDF-2022-DA-SPACE-ISR: the call's evaluation selected this" in text
    assert 'aria-label="Clock: 36.0 of 24 months, overdue"' in response.text
    assert "The badge gate is due 2025-04-01 (607 days overdue)." in text
    # DIANA's admin does not own the case (the Commission does), so no gate form.
    assert 'id="advance-form"' not in response.text


def test_assessment_markings_as_banners(web):
    nor = web.login("nor.analyst")
    one = nor.get("/assessments/1")
    assert one.status_code == 200
    assert '<p class="banner tlp-AMBER" role="note" aria-label="Marking" data-testid="marking">TLP:AMBER · Sharing group: Nordic-Baltic</p>' in one.text
    est = web.login("est.analyst")
    three = est.get("/assessments/3")
    assert "TLP:GREEN · All organisations · REL TO EST, LTU, LVA" in text_of(three.text)
    listing = text_of(est.get("/assessments").text)
    assert "Showing 1–3 of 3 assessments" in listing
    assert re.findall(r'<a href="/assessments/(\d+)">', est.get("/assessments").text) == ["4", "3", "1"]


def test_list_pages_out_of_range(web):
    client = web.login("fra.viewer")
    bad = client.get("/needs?page=-1&domain=air")
    assert bad.status_code == 422
    assert "page: must be a whole number of 1 or more, got '-1'" in text_of(bad.text)
    total, _ = list_records(web.ws, actor_for_username(web.ws, "fra.viewer"), "needs", Filters(domain="air"))
    assert -(-total // 50) == 5  # the real air needs fill 5 pages of 50
    past = client.get("/needs?page=999999&domain=air")
    assert (past.status_code, past.headers["location"]) == (303, "/needs?domain=air&page=5")


def test_a_company_page_lists_every_project_it_takes_part_in(web):
    page = web.login("fra.viewer").get("/companies/PIC-998627417")  # Leonardo
    text = text_of(page.text)
    assert "Projects it takes part in (26)" in text
    section = re.search(r'<section aria-labelledby="part-h">(.*?)</section>', page.text, re.S).group(1)
    assert section.count('<a href="/solutions/') == 26
