"""Testing (TEVV) pages on the real quickstart data: a case's trials, tevv gate and risk burn-down; a trial and its
results form; the schedule as a Gantt chart; a centre's calendar; evaluation procedures.

The quickstart (frozen at 2026-11-29, a Sunday) schedules 37 trials at 31 centres from 2026-11-30, and completes
the demonstration trial 19 of case 23 at Lt Gen Best Barracks (centre 83, NLD) in 2026-W47 to W48.
"""

from __future__ import annotations

import re

from web_helpers import PASSWORD, csrf_of, text_of

from rapid_adoption.services import tevv_trials
from rapid_adoption.services.auth import actor_for_username, create_user, set_password
from rapid_adoption.services.tevv_trials import TrialRequestInput

CUAS_FORM = {
    "point_defence.detection_range": "3200", "point_defence.probability_of_defeat": "85",
    "point_defence.reaction_time": "22", "point_defence.score": "7",
    "perimeter.probability_of_detection": "94", "perimeter.classification_accuracy": "88",
    "perimeter.false_alarms": "1.5", "perimeter.score": "7",
    "border.detection_range": "5600", "border.continuous_operation": "80", "border.track_handover_time": "4",
    "border.score": "6",
    "convoy.detection_range_on_the_move": "1200", "convoy.reaction_time": "25", "convoy.time_into_action": "4",
    "convoy.score": "5", "convoy.notes": "on the move at 40 km/h", "convoy.evidence": "https://example.org/convoy",
}
"""A results form for cuas-example v1: every use case passes but convoy (reaction time 25 s over 20 s, score 5)."""


def _user(web, username: str, org: str, role: str):
    create_user(web.ws, None, username, org, [role])
    set_password(web.ws, None, username, PASSWORD)
    return web.login(username)


def _past_trial(web) -> int:
    """Trial 39: DIANA's trial of E-CUAS under cuas-example, scheduled by hand in 2026-W47 (begun), so it takes
    results."""
    admin = actor_for_username(web.ws, "admin")
    made = tevv_trials.request_trial(web.ws, admin, TrialRequestInput(procedure="cuas-example",
                                                                      solution="EDF-101167796", ready_on="2026-11-01"))
    tevv_trials.schedule_trial(web.ws, admin, made["id"], 83, "2026-W47")
    return made["id"]


def test_the_demonstration_case_shows_its_trial_gate_and_risk_burn_down(web):
    client = web.login("admin")
    page = client.get("/cases/23")
    assert page.status_code == 200
    text = text_of(page.text)
    assert ("Trials (1) trial procedure centre window status use cases results Trial 19 demonstration cuas-example v1 "
            "Lt Gen Best Barracks (Vredepeel) (NLD) 2026-11-16 to 2026-11-29 completed point_defence pass perimeter "
            "pass border pass convoy fail results") in text
    assert "covered Completed trials cover every use case, with 1 board override." in text
    assert "convoy fail overridden by the board" in text
    assert "Risks (3, total score 19)" in text
    assert ('<title id="burn-title">Risk burn-down: the register\'s total score went from 37 on 2024-12-01 to 19 on '
            '2026-11-29</title>') in page.text.replace("&#39;", "'")
    burn = re.search(r'<table class="list burn-table">(.*?)</table>', page.text, re.S).group(1)
    assert text_of(burn).endswith("2024-12-01 37 3 2026-11-29 19 3")
    risks = re.search(r'<table class="list" id="case-risks">(.*?)</table>', page.text, re.S).group(1)
    assert re.findall(r"<td>(\d+)\. ", risks) == ["3", "1", "2"]
    assert "6 medium (2 × 3)" in text_of(risks)
    # DIANA does not own the case: no form to request a trial, add a risk or override
    for form in ("request-trial-form", "risk-form", "score-form", "override-form"):
        assert f'id="{form}"' not in page.text


def test_the_case_owner_requests_a_trial_and_adds_a_risk_from_the_case_page(web):
    client = _user(web, "eu.analyst", "EU-DEFIS", "analyst")
    page = client.get("/cases/3")
    text = text_of(page.text)
    assert ("not covered case 3 cannot pass the tevv gate: system-demo-example v1: no completed trial covers the use "
            "cases function, reliability, integration, security") in text
    assert 'id="request-trial-form"' in page.text and 'id="risk-form"' in page.text
    token = csrf_of(page.text)
    bad = client.post("/trials", data={"csrf_token": token, "case": "3", "procedure": "cuas-example@1",
                                       "duration_weeks": "60"})
    assert bad.status_code == 422
    assert ('<span class="field-error" id="duration_weeks-error" role="alert">must be a whole number 1-52, got '
            "&#39;60&#39;</span>") in bad.text
    assert 'value="60"' in bad.text
    made = client.post("/trials", data={"csrf_token": token, "case": "3", "procedure": "cuas-example@1",
                                        "ready_on": "2027-01-04", "notes": "second opinion"})
    assert (made.status_code, made.headers["location"]) == (303, "/trials/39")
    trial = text_of(client.get("/trials/39").text)
    assert "Status requested" in trial and "2 weeks, from 2027-01-04 at the earliest" in trial
    assert client.post("/trials", data={"case": "3", "procedure": "cuas-example@1"}).status_code == 403  # no CSRF

    risk = client.post("/risks", data={"csrf_token": token, "case": "3", "category": "supply_chain",
                                       "title": "One supplier for the hull", "likelihood": "4", "impact": "3",
                                       "risk_owner": "Procurement officer", "mitigations": "Second yard\nStock"})
    assert (risk.status_code, risk.headers["location"]) == (303, "/cases/3#risks-h")
    register = text_of(client.get("/cases/3").text)
    assert "Risks (1, total score 12)" in register
    assert ("One supplier for the hull supply chain Procurement officer Second yard; Stock 12 12 high (4 × 3)"
            in register)
    refused = client.post("/risks", data={"csrf_token": token, "case": "3", "category": "supply_chain",
                                          "title": "x", "likelihood": "9", "impact": "3", "risk_owner": "y"})
    assert refused.status_code == 422
    assert 'id="likelihood-error" role="alert">must be a whole number 1-5, got &#39;9&#39;</span>' in refused.text


def test_the_results_form_records_every_use_case_or_nothing(web):
    trial_id = _past_trial(web)
    client = web.login("admin")
    form_page = client.get(f"/trials/{trial_id}/results")
    assert form_page.status_code == 200
    assert '<label for="point_defence.detection_range">Detection range of a Group 1 UAS (m)</label>' in form_page.text
    assert 'id="point_defence.detection_range-hint">to pass: at least 2000 m</span>' in form_page.text
    assert 'id="convoy.reaction_time-hint">to pass: at most 20 s</span>' in form_page.text
    token = csrf_of(form_page.text)
    version = re.search(r'name="version" value="(\d+)"', form_page.text).group(1)

    partial = {k: v for k, v in CUAS_FORM.items() if k != "convoy.score"}
    refused = client.post(f"/trials/{trial_id}/results", data={"csrf_token": token, "version": version, **partial})
    assert refused.status_code == 422
    assert ('<span class="field-error" id="convoy.score-error" role="alert">give a score 1-10 by the rubric</span>'
            in refused.text)
    assert 'value="3200"' in refused.text  # what was typed is kept
    left = tevv_trials.show_trial(web.ws, actor_for_username(web.ws, "admin"), trial_id)
    assert (left["status"], left["results"]) == ("scheduled", [])  # nothing of the refused form was written

    two = {k: v for k, v in CUAS_FORM.items() if k.startswith(("point_defence.", "perimeter."))}
    early = client.post(f"/trials/{trial_id}/results",
                        data={"csrf_token": token, "version": version, "complete": "yes", **two})
    assert early.status_code == 422
    assert (f"trial {trial_id} has no result yet for border, convoy: record them first ('rapid trials record')"
            in text_of(early.text))
    assert tevv_trials.show_trial(web.ws, actor_for_username(web.ws, "admin"), trial_id)["results"] == []

    done = client.post(f"/trials/{trial_id}/results",
                       data={"csrf_token": token, "version": version, "complete": "yes", **CUAS_FORM})
    assert (done.status_code, done.headers["location"]) == (303, f"/trials/{trial_id}#results-h")
    page = client.get(f"/trials/{trial_id}")
    text = text_of(page.text)
    assert "Status completed" in text
    rows = re.findall(r'<tr data-use-case="([a-z_]+)">.*?class="tag outcome-([a-z-]+)"', page.text, re.S)
    assert rows == [("point_defence", "pass"), ("perimeter", "pass"), ("border", "pass"), ("convoy", "fail")]
    assert ("fail reaction_time 25 s is above the threshold 20 s score 5 is below the pass score 6 5/10 (passes at 6)"
            in text)
    assert "on the move at 40 km/h https://example.org/convoy" in text
    closed = text_of(client.get(f"/trials/{trial_id}/results").text)
    assert "The trial is completed: its results are final." in closed


def test_a_stale_results_form_is_refused(web):
    trial_id = _past_trial(web)
    client = web.login("admin")
    form_page = client.get(f"/trials/{trial_id}/results")
    token = csrf_of(form_page.text)
    admin = actor_for_username(web.ws, "admin")
    tevv_trials.start_trial(web.ws, admin, trial_id)  # someone else started it meanwhile (version 2 -> 3)
    stale = client.post(f"/trials/{trial_id}/results", data={"csrf_token": token, "version": "2", **CUAS_FORM})
    assert stale.status_code == 409
    assert (f"trial {trial_id} was changed meanwhile (version 3, the form had 2): reload the page and try again"
            in text_of(stale.text))


def _scheduled_at(web) -> dict[int, list[int]]:
    """The quickstart's scheduled trials by centre, from the trial list (CP-SAT chooses among equally good
    centres, so the centres are read rather than assumed)."""
    rows = tevv_trials.page_trials(web.ws, actor_for_username(web.ws, "admin"), status="scheduled", limit=500).rows
    at: dict[int, list[int]] = {}
    for row in rows:
        at.setdefault(row["centre_id"], []).append(row["id"])
    return at


def test_the_schedule_as_a_gantt_chart_with_a_table(web):
    at = _scheduled_at(web)
    client = web.login("admin")
    page = client.get("/schedule")
    text = text_of(page.text)
    assert f"for the 26 weeks from 2026-11-23 (this week's Monday). 37 trials at {len(at)} centres." in text
    assert page.text.count('class="gantt-bar gantt-scheduled') == 37
    assert '<svg class="gantt"' in page.text and 'role="img"' in page.text
    table = re.search(r'<table class="list gantt-table" id="gantt-table">(.*?)</table>', page.text, re.S).group(1)
    assert table.count("<tr>") == 1 + 37
    assert "Trial 1 EDF-101121213 3 2026-11-30 to 2026-12-13 scheduled" in text_of(table)
    centre = next(c for c, ids in at.items() if 1 in ids)
    one = client.get(f"/schedule?weeks=4&centre={centre}")
    n = len(at[centre])
    assert (f"4 weeks from 2026-11-23 (this week's Monday). {n} trial{'s' if n > 1 else ''} at 1 centre."
            in text_of(one.text))
    assert re.findall(r'<a href="/trials/(\d+)">\s*<text', one.text) == [str(i) for i in at[centre]]
    assert client.get("/schedule?weeks=200").status_code == 422


def test_running_the_scheduler_from_the_schedule_page(web):
    admin = actor_for_username(web.ws, "admin")
    trial_id = tevv_trials.request_trial(web.ws, admin, TrialRequestInput(procedure="cuas-example",
                                                                          solution="EDF-101167796"))["id"]
    client = web.login("admin")
    page = client.get("/schedule")
    assert "CP-SAT places your organisation's requested trials at capable centres" in text_of(page.text)
    token = csrf_of(page.text)
    dry = client.post("/schedule", data={"csrf_token": token, "mode": "dry_run"})
    assert dry.status_code == 200
    summary = text_of(re.search(r'<p data-testid="plan-summary">(.*?)</p>', dry.text, re.S).group(1))
    assert summary.startswith("1 requested trial: 1 placed, 0 not placed. cp-sat optimal in ")
    assert "Plan (dry run: nothing scheduled)" in text_of(dry.text)
    assert tevv_trials.show_trial(web.ws, admin, trial_id)["status"] == "requested"
    applied = client.post("/schedule", data={"csrf_token": token, "mode": "apply"})
    assert "Plan applied" in text_of(applied.text)
    trial = tevv_trials.show_trial(web.ws, admin, trial_id)
    assert (trial["status"], trial["scheduled_by"]) == ("scheduled", "cp-sat")
    assert f'<a href="/trials/{trial_id}">' in applied.text  # on the Gantt chart now
    viewer = web.login("fra.viewer")
    assert 'id="run-form"' not in viewer.get("/schedule").text


def test_a_centre_calendar_and_its_owner_changes_it(web):
    at = _scheduled_at(web)
    centre = next(c for c, ids in at.items() if 1 in ids)
    client = web.login("admin")
    page = client.get(f"/centres/{centre}/calendar?weeks=4")
    text = text_of(page.text)
    capacity = re.search(r"Capacity (\d+) concurrent", text).group(1)
    n = len(at[centre])
    assert f"booked / capacity 0/{capacity} {n}/{capacity} {n}/{capacity} 0/{capacity}" in text
    assert re.findall(r'<th scope="row"><a href="/trials/(\d+)">', page.text) == [str(i) for i in at[centre]]
    assert 'id="calendar-form"' not in page.text  # DIANA owns no test centre
    assert f'<a class="button" href="/centres/{centre}/calendar">' in client.get(f"/centres/{centre}").text
    vredepeel = text_of(client.get("/centres/83/calendar").text)
    assert "Capacity 3 concurrent trials per week (the default for a test range)" in vredepeel
    assert "Test domains air, c-uas, ew-rf" in vredepeel

    owner = _user(web, "nld.range", "NLD", "test_centre")
    page = owner.get("/centres/83/calendar")
    token = csrf_of(page.text)
    bad = owner.post("/centres/83/calendar", data={"csrf_token": token, "version": "0", "add_blackout": "2026-W54"})
    assert bad.status_code == 422
    assert ('id="add_blackout-error" role="alert">must be an ISO week such as 2026-W52 or a date such as 2026-12-24, '
            "got &#39;2026-W54&#39;</span>") in bad.text
    saved = owner.post("/centres/83/calendar", data={"csrf_token": token, "version": "0", "capacity_per_week": "1",
                                                     "add_blackout": "2026-W52, 2027-01-01",
                                                     "capabilities": "EW range\nNight"})
    assert (saved.status_code, saved.headers["location"]) == (303, "/centres/83/calendar")
    text = text_of(owner.get("/centres/83/calendar").text)
    assert "Capacity 1 concurrent trial per week" in text
    assert "Capabilities ew range; night" in text
    assert "Blackout weeks 2026-12-21, 2026-12-28" in text
    assert "closed" in text  # the blackout weeks in the grid
    stale = owner.post("/centres/83/calendar", data={"csrf_token": token, "version": "0", "capacity_per_week": "2"})
    assert stale.status_code == 409


def test_trials_list_procedures_and_a_missing_trial(web):
    client = web.login("fra.viewer")
    listed = text_of(client.get("/trials").text)
    assert "38 trials" in listed
    done = client.get("/trials?status=completed")
    assert "1 trial" in text_of(done.text)
    assert re.findall(r'<a href="/trials/(\d+)">Trial', done.text) == ["19"]
    assert "No trial matches." in text_of(client.get("/trials?status=cancelled").text)
    assert client.get("/trials?status=done").status_code == 422
    procedures = client.get("/procedures")
    assert "3 procedure versions" in text_of(procedures.text)
    cuas = text_of(client.get("/procedures/cuas-example@1").text)
    assert "Detection range of a Group 1 UAS detection_range m at least 2000 m" in cuas
    assert "Example. An illustration shipped with Rapid Adoption, not a commonly agreed procedure." in cuas
    missing = client.get("/trials/999")
    assert missing.status_code == 404
    assert "no trial '999' (give its id or ref)" in text_of(missing.text)


def test_the_board_overrides_a_failed_use_case_and_scores_a_risk_from_the_case_page(web):
    """Case 3's quickstart trial 1 is moved to this week, records its results (security fails) and completes, all
    through the services; the case's board then overrides the failure and scores a risk after the trial."""
    create_user(web.ws, None, "eu.analyst", "EU-DEFIS", ["analyst"])
    analyst = actor_for_username(web.ws, "eu.analyst")
    tevv_trials.schedule_trial(web.ws, analyst, 1, 85, "2026-W48")
    for use_case, key, value, score in (("function", "functions_shown", 95, 7), ("reliability", "mtbf", 60, 6),
                                        ("integration", "interfaces_working", 85, 7),
                                        ("security", "open_critical_vulnerabilities", 1, 4)):
        tevv_trials.record_result(web.ws, analyst, 1, use_case, {key: (value, None)}, score)
    tevv_trials.complete_trial(web.ws, analyst, 1)
    from rapid_adoption.services.tevv_risks import add_risk

    risk = add_risk(web.ws, analyst, 3, category="security", title="Open vulnerability in the firmware", likelihood=4,
                    impact=4, risk_owner="Supplier CISO")

    board = _user(web, "eu.board", "EU-DEFIS", "board")
    page = board.get("/cases/3")
    text = text_of(page.text)
    assert ("security fail in trial 1 : open_critical_vulnerabilities 1 count is above the threshold 0 count; score 4 "
            "is below the pass score 6") in text  # (the link "trial 1" ends a text run: hence the space)
    assert '<option value="security">security (system-demo-example v1)</option>' in page.text
    token = csrf_of(page.text)
    empty = board.post("/tevv-overrides", data={"csrf_token": token, "case": "3", "use_case": "security",
                                                 "rationale": " "})
    assert empty.status_code == 422
    assert 'id="rationale-error" role="alert">' in empty.text
    done = board.post("/tevv-overrides", data={"csrf_token": token, "case": "3", "use_case": "security",
                                                "rationale": "Patched in the next release, checked by the board."})
    assert (done.status_code, done.headers["location"]) == (303, "/cases/3#gate-h")
    text = text_of(board.get("/cases/3").text)
    assert "covered Completed trials cover every use case, with 1 board override." in text
    assert "security (system-demo-example v1) overridden by eu.board on 2026-11-29: Patched in the next release" in text

    scored = board.post("/risks/score", data={"csrf_token": token, "case": "3", "risk": str(risk["id"]),
                                              "likelihood": "2", "impact": "4", "trial": "1",
                                              "note": "patch verified in the trial"})
    assert (scored.status_code, scored.headers["location"]) == (303, "/cases/3#risks-h")
    text = text_of(board.get("/cases/3").text)
    assert "Risks (1, total score 8)" in text
    assert "Open vulnerability in the firmware security Supplier CISO 16 8 medium (2 × 4)" in text
