"""The testing (TEVV) flow in Debian's chromium on the real quickstart data: log in, open a trial's results form,
record its results with the keyboard and the mouse, see the outcome per use case, then read the Gantt chart."""

from __future__ import annotations

from conftest import open_ws
from rapid_adoption.services import tevv_trials
from rapid_adoption.services.auth import actor_for_username
from rapid_adoption.services.tevv_trials import TrialRequestInput

VALUES = {
    "point_defence": ({"Detection range of a Group 1 UAS (m)": "3200",
                       "Share of attacking UAS defeated before reaching the point (%)": "85",
                       "Time from first detection to defeat (s)": "22"}, "7"),
    "perimeter": ({"Share of UAS crossings detected (%)": "94",
                   "Share of detections correctly classified (UAS, bird, other) (%)": "88",
                   "False alarms per 24 hours of operation (per 24 h)": "1.5"}, "7"),
    "border": ({"Detection range of a Group 2 UAS (m)": "5600",
                "Unattended continuous operation without a fault (h)": "80",
                "Time to hand a track to another node (s)": "4"}, "6"),
}
"""What the tester types per use case, by the label of each field (the measure's name and unit)."""


def test_record_a_trials_results_see_the_outcome_and_the_gantt(live_server, tmp_path, new_page, log_in):
    ws = open_ws(tmp_path / "rapid.db")  # the live server's copy of the quickstart workspace
    admin = actor_for_username(ws, "admin")
    centres = {r["centre_id"] for r in tevv_trials.page_trials(ws, admin, status="scheduled", limit=500).rows}
    trial = tevv_trials.request_trial(ws, admin, TrialRequestInput(procedure="cuas-example", solution="EDF-101167796",
                                                                   ready_on="2026-11-01"))["id"]
    tevv_trials.schedule_trial(ws, admin, trial, "lt-gen-best-barracks-vredepeel-nld", "2026-W47")
    ws.close()

    page = new_page()
    log_in(page, "admin")
    page.goto(f"{live_server}/trials/{trial}")
    page.get_by_role("link", name="Record results").click()
    page.wait_for_url(f"{live_server}/trials/{trial}/results")

    for use_case, (fields, score) in VALUES.items():
        group = page.locator(f"#uc-{use_case}")
        for label, value in fields.items():
            group.get_by_label(label, exact=True).fill(value)
        group.get_by_label("Score (1-10)").fill(score)
    convoy = page.locator("#uc-convoy")  # typed with the keyboard alone: Tab moves from field to field
    convoy.get_by_label("Detection range of a Group 1 UAS while moving at 40 km/h (m)").focus()
    page.keyboard.type("1200")
    page.keyboard.press("Tab")
    page.keyboard.type("25")  # the reaction time: over the 20 s threshold
    page.keyboard.press("Tab")
    page.keyboard.type("4")
    page.keyboard.press("Tab")
    page.keyboard.type("5")  # the score: under the pass score 6
    convoy.get_by_label("Notes").fill("On the move at 40 km/h.")
    page.get_by_label("Complete the trial after recording (every use case must then have a result)").check()
    page.get_by_role("button", name="Record the results").click()
    page.wait_for_url(f"{live_server}/trials/{trial}#results-h")

    assert page.get_by_test_id("trial-status").inner_text() == "completed"
    outcomes = {uc: page.locator(f'tr[data-use-case="{uc}"] .tag').first.inner_text()
                for uc in ("point_defence", "perimeter", "border", "convoy")}
    assert outcomes == {"point_defence": "pass", "perimeter": "pass", "border": "pass", "convoy": "fail"}
    reasons = page.locator('tr[data-use-case="convoy"] ul.reasons li').all_inner_texts()
    assert reasons == ["reaction_time 25 s is above the threshold 20 s", "score 5 is below the pass score 6"]

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Schedule").click()
    page.wait_for_url(f"{live_server}/schedule")
    gantt = page.get_by_test_id("gantt")
    assert gantt.is_visible()
    assert gantt.locator("rect.gantt-bar").count() == 37
    assert page.get_by_test_id("gantt-summary").inner_text() == f"37 trials at {len(centres)} centres."
    box = gantt.bounding_box()
    assert box is not None and box["width"] > 900  # drawn at the page's width, not collapsed
    assert page.locator("#gantt-table tbody tr").count() == 37
