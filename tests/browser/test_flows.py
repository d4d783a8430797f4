"""The issue's browser flows, in Debian's chromium on the real quickstart data.

Open a case from a need's page and advance it (the board changes); record an assessment shared with a sharing
group, then look as a member organisation's user (sees it) and a non-member's (does not).
"""

from __future__ import annotations

import re

NEED = "EDF-2024-DA-C4ISR-SEEU-STEP"
SOLUTION = "SBIR-AWARD-384033"


def column_count(page, stage: str) -> int:
    """The number shown in the board's column for ``stage``."""
    return int(page.locator(f"#col-{stage} .count").inner_text())


def test_open_a_case_from_a_need_then_advance_it_and_see_the_board_change(live_server, new_page, log_in):
    page = new_page()
    log_in(page, "admin")
    market_research, tevv = column_count(page, "market_research"), column_count(page, "tevv")
    assert (market_research, tevv) == (0, 37)

    page.goto(f"{live_server}/needs/{NEED}")
    page.get_by_label("Solution (ref or id; type a name for suggestions)").fill(SOLUTION)
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(f"{live_server}/cases/215")
    assert "market research" in page.locator("main").inner_text().lower()

    page.goto(f"{live_server}/")
    assert (column_count(page, "market_research"), column_count(page, "tevv")) == (1, 37)
    assert page.locator('#board li.card[data-case="215"]').count() == 1

    page.goto(f"{live_server}/cases/215")
    page.locator("#advance-form").get_by_label("Rationale").fill("TRL 6 confirmed by the analyst")
    page.locator("#advance-form").get_by_label("Evidence links (one per line)").fill("https://example.org/report")
    page.locator("#advance-form").get_by_role("button").click()
    page.wait_for_url(f"{live_server}/cases/215")
    timeline = page.locator("main").inner_text()
    assert "TRL 6 confirmed by the analyst" in timeline and "https://example.org/report" in timeline

    page.goto(f"{live_server}/?all=1")  # by default a column shows its 25 most urgent cases
    assert (column_count(page, "market_research"), column_count(page, "tevv")) == (0, 38)
    assert page.locator('#col-tevv').locator("xpath=..").locator('li.card[data-case="215"]').count() == 1


def test_an_assessment_shared_with_a_group_is_seen_by_a_member_and_not_by_a_non_member(live_server, new_page, log_in):
    norway = new_page()
    log_in(norway, "nor.analyst")
    norway.goto(f"{live_server}/assessments/new")
    norway.get_by_label("Solution (ref or id)").fill("EDF-101167796")
    norway.get_by_label("Need (ref or id, optional)").fill("EDF-2023-DA-AIRDEF-CUAS")
    norway.get_by_label("TRL (1-9)").fill("6")
    norway.get_by_label("MRL (1-10)").fill("5")
    norway.get_by_label("Fit to the need (0-100)").fill("75")
    norway.get_by_label("Strengths").fill("Layered counter-UAS suited to Arctic bases")
    norway.get_by_label("Distribution").select_option("sharing_group")
    norway.get_by_label("Sharing group").select_option("Nordic-Baltic")
    norway.get_by_label("TLP").select_option("AMBER")
    norway.get_by_role("button", name="Record the assessment").click()
    norway.wait_for_url(re.compile(rf"{live_server}/assessments/\d+$"))
    url = norway.url
    assert url == f"{live_server}/assessments/6"
    assert norway.get_by_test_id("marking").inner_text() == "TLP:AMBER · Sharing group: Nordic-Baltic"

    estonia = new_page()  # Estonia is in Nordic-Baltic through its nation
    log_in(estonia, "est.analyst")
    estonia.goto(url)
    assert "Layered counter-UAS suited to Arctic bases" in estonia.locator("main").inner_text()
    assert estonia.get_by_test_id("marking").inner_text() == "TLP:AMBER · Sharing group: Nordic-Baltic"
    estonia.goto(f"{live_server}/assessments")
    assert estonia.locator('a[href="/assessments/6"]').count() == 1

    germany = new_page()  # Germany is not a member
    log_in(germany, "deu.analyst")
    answer = germany.goto(url)
    assert answer.status == 404
    assert "Layered counter-UAS" not in germany.content()
    germany.goto(f"{live_server}/assessments")
    assert germany.locator('a[href="/assessments/6"]').count() == 0

    for page in (norway, estonia, germany):
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{live_server}/login")
    answer = germany.goto(url)
    assert germany.url == f"{live_server}/login?next=%2Fassessments%2F6"
