"""The testing (TEVV) API on the real quickstart data: evaluation procedures, trials and their results, the schedule,
centre calendars, a case's risk register and its tevv gate.

The quickstart (frozen at 2026-11-29) imports 3 example procedures, requests 38 trials for the EDF cases in tevv,
schedules 37 with CP-SAT from week 0 = 2026-11-30 at 31 centres, and completes the demonstration trial 19 of case 23
at Lt Gen Best Barracks (centre 83, NLD) in 2026-W47 to W48.
"""

from __future__ import annotations

from api_helpers import add_user, admin_h, assert_problem, bearer, qs_client, token_of  # noqa: F401 - fixtures

CUAS_PASS = {
    "point_defence": ({"detection_range": 3200, "probability_of_defeat": 85, "reaction_time": 22}, 7),
    "perimeter": ({"probability_of_detection": 94, "classification_accuracy": 88, "false_alarms": 1.5}, 7),
    "border": ({"detection_range": 5600, "continuous_operation": 80, "track_handover_time": 4}, 6),
    "convoy": ({"detection_range_on_the_move": 1200, "reaction_time": 18, "time_into_action": 4}, 6),
}
"""Values that pass every use case of cuas-example v1 (each measure's threshold reached, score at the pass score)."""


def _body(values: dict[str, float], score: int, **extra) -> dict:
    return {"measured": {k: {"value": v} for k, v in values.items()}, "score_1_to_10": score, **extra}


def _if(headers: dict, version: int) -> dict:
    return {**headers, "If-Match": f'"{version}"'}


# --- procedures ---------------------------------------------------------------------------------------------------

def test_procedures_list_show_and_a_new_version(qs_ws, qs_client, admin_h):
    listed = qs_client.get("/api/procedures", headers=admin_h).json()
    assert [(p["ref"], p["procedure_version"], p["use_cases"]) for p in listed["items"]] == [
        ("cuas-example", 1, ["point_defence", "perimeter", "border", "convoy"]),
        ("system-demo-example", 1, ["function", "reliability", "integration", "security"]),
        ("usv-persistence-example", 1, ["endurance", "station_keeping", "sea_state", "autonomous_navigation"])]
    assert (listed["total"], listed["next_cursor"]) == (3, None)
    cuas_id = listed["items"][0]["id"]
    shown = qs_client.get(f"/api/procedures/{cuas_id}", headers=admin_h)
    assert (shown.status_code, shown.headers["etag"]) == (200, '"1"')
    procedure = shown.json()
    assert (procedure["owner"], procedure["marking"], procedure["example"], procedure["versions"]) == (
        "DIANA", "TLP:CLEAR · All organisations", True, [1])
    point = procedure["use_cases"][0]
    assert (point["key"], point["pass_score"], point["measures"][0]) == ("point_defence", 6, {
        "key": "detection_range", "name": "Detection range of a Group 1 UAS", "unit": "m",
        "direction": "higher_is_better", "threshold": 2000.0})

    body = {"ref": "cuas-example", "version": 2, "name": "Counter-UAS system evaluation (example)", "example": True,
            "duration_weeks": 3, "test_domain": "c-uas",
            "use_cases": [{"key": "point_defence", "name": "Point defence", "pass_score": 7,
                           "measures": [{"key": "detection_range", "name": "Detection range", "unit": "m",
                                         "direction": "higher_is_better", "threshold": 2500}],
                           "rubric": [{"scores": "1-6", "description": "Short"},
                                      {"scores": "7-10", "description": "Long"}]}]}
    made = qs_client.post("/api/procedures", json=body, headers=admin_h)
    assert made.status_code == 201, made.text
    assert (made.json()["procedure_version"], made.json()["versions"], made.json()["source"]) == (2, [1, 2], "api")
    assert made.headers["location"] == f"/api/procedures/{made.json()['id']}"
    again = qs_client.post("/api/procedures", json=body, headers=admin_h)
    assert (again.status_code, again.json()["id"]) == (200, made.json()["id"])  # the same content changes nothing
    other = qs_client.post("/api/procedures", json={**body, "duration_weeks": 4}, headers=admin_h)
    assert_problem(other, 409, "procedure cuas-example version 2 is already stored with other content, and a version "
                               "never changes: give the file version 3")
    newest = qs_client.get("/api/procedures", params={"ref": "cuas-example"}, headers=admin_h).json()["items"]
    assert [(p["procedure_version"], p["duration_weeks"]) for p in newest] == [(2, 3)]
    every = qs_client.get("/api/procedures", params={"all_versions": "true"}, headers=admin_h).json()
    assert every["total"] == 4

    gap = {**body, "version": 3,
           "use_cases": [{**body["use_cases"][0], "rubric": [{"scores": "1-6", "description": "x"}]}]}
    bad = assert_problem(qs_client.post("/api/procedures", json=gap, headers=admin_h), 422)
    assert (bad["field"], bad["detail"]) == ("use_cases[0].rubric", "scores 7, 8, 9, 10 are in no band: the bands "
                                                                    "must cover 1-10")
    viewer = bearer(token_of(qs_ws, "fra.viewer"))
    assert_problem(qs_client.post("/api/procedures", json={**body, "ref": "fra-cuas"}, headers=viewer), 403,
                   "importing an evaluation procedure needs the role admin or analyst or test_centre")
    assert_problem(qs_client.get("/api/procedures/999", headers=admin_h), 404,
                   "no evaluation procedure 999 (give its id; GET /api/procedures lists them)")


def test_a_procedure_shared_with_its_owner_only_is_hidden_from_others(qs_ws, qs_client, admin_h):
    cuas_id = qs_client.get("/api/procedures", headers=admin_h).json()["items"][0]["id"]
    stale = qs_client.put(f"/api/procedures/{cuas_id}/sharing", json={"distribution": "organisation"},
                          headers=_if(admin_h, 7))
    assert_problem(stale, 409, f"procedure {cuas_id} is at version 1, not 7: reload and try again")
    shared = qs_client.put(f"/api/procedures/{cuas_id}/sharing", json={"distribution": "organisation"},
                           headers=_if(admin_h, 1))
    assert (shared.status_code, shared.json()["marking"]) == (200, "TLP:CLEAR · Owner organisation only")
    deu = bearer(token_of(qs_ws, "deu.analyst"))
    assert [p["ref"] for p in qs_client.get("/api/procedures", headers=deu).json()["items"]] == [
        "system-demo-example", "usv-persistence-example"]
    assert_problem(qs_client.get(f"/api/procedures/{cuas_id}", headers=deu), 404)
    # the trial under it (the demonstration, trial 19) is hidden with it, from lists and details alike
    assert_problem(qs_client.get("/api/trials/19", headers=deu), 404)
    assert qs_client.get("/api/trials", params={"count": "true"}, headers=deu).json()["total"] == 37


# --- trials -------------------------------------------------------------------------------------------------------

def test_trials_list_pages_and_filters(qs_client, admin_h):
    first = qs_client.get("/api/trials", params={"limit": 15, "count": "true"}, headers=admin_h).json()
    assert (first["total"], len(first["items"])) == (38, 15)
    ids = [t["id"] for t in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = qs_client.get("/api/trials", params={"limit": 15, "cursor": cursor}, headers=admin_h).json()
        ids += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
    assert ids == list(range(1, 39))
    done = qs_client.get("/api/trials", params={"status": "completed"}, headers=admin_h).json()["items"]
    assert [(t["id"], t["ref"], t["case_id"], t["centre_id"], t["demonstration"]) for t in done] == [
        (19, "QS-TRIAL-EDF-101167796", 23, 83, True)]
    assert [t["id"] for t in qs_client.get("/api/trials", params={"case": 23}, headers=admin_h).json()["items"]] == [19]
    assert [t["id"] for t in qs_client.get("/api/trials", params={"case": "QS-EDF-101121213"},
                                           headers=admin_h).json()["items"]] == [1]
    scheduled = qs_client.get("/api/trials", params={"status": "scheduled", "count": "true"}, headers=admin_h).json()
    assert scheduled["total"] == 37
    assert {t["window_starts_on"] for t in scheduled["items"]} == {"2026-11-30"}
    newest = qs_client.get("/api/trials", params={"sort": "-id", "limit": 2}, headers=admin_h).json()["items"]
    assert [t["id"] for t in newest] == [38, 37]
    assert qs_client.get("/api/trials", params={"procedure": "usv-persistence-example", "count": "true"},
                         headers=admin_h).json()["total"] == 1
    bad = assert_problem(qs_client.get("/api/trials", params={"status": "done"}, headers=admin_h), 422)
    assert bad["field"] == "status"
    assert_problem(qs_client.get("/api/trials", params={"centre": "no-such-centre"}, headers=admin_h), 404,
                   "no test centre 'no-such-centre' (give its id or ref)")
    forged = assert_problem(qs_client.get("/api/trials", params={"cursor": "bm9wZQ"}, headers=admin_h), 422)
    assert forged["field"] == "cursor"


def test_the_demonstration_trial_in_full(qs_client, admin_h):
    response = qs_client.get("/api/trials/19", headers=admin_h)
    assert (response.status_code, response.headers["etag"]) == (200, '"4"')
    trial = response.json()
    assert (trial["status"], trial["window"], trial["centre"]["name"], trial["case"]) == (
        "completed", "2026-W47 to 2026-W48", "Lt Gen Best Barracks (Vredepeel)",
        {"id": 23, "ref": "QS-EDF-101167796", "stage": "contracting"})
    assert trial["use_case_states"] == {"point_defence": "pass", "perimeter": "pass", "border": "pass",
                                        "convoy": "fail"}
    convoy = trial["results"][3]
    assert (convoy["score_1_to_10"], convoy["outcome"], convoy["outcome_reasons"]) == (
        5, "fail", ["reaction_time 25 s is above the threshold 20 s", "score 5 is below the pass score 6"])
    assert [(m["measure"], m["value"], m["unit"], m["meets_threshold"]) for m in convoy["measured"]] == [
        ("detection_range_on_the_move", 1200.0, "m", True), ("reaction_time", 25.0, "s", False),
        ("time_into_action", 4.0, "min", True)]


def test_a_trial_from_request_to_results_with_versions(qs_client, admin_h):
    made = qs_client.post("/api/trials", json={"procedure": "cuas-example", "solution": "EDF-101167796",
                                                "use_cases": ["convoy", "point_defence"], "ready_on": "2026-11-01"},
                          headers=admin_h)
    assert made.status_code == 201, made.text
    trial = made.json()
    assert (trial["id"], trial["status"], trial["owner"], trial["marking"], trial["use_cases"],
            made.headers["etag"]) == (
        39, "requested", "DIANA", "TLP:GREEN · All organisations", ["point_defence", "convoy"], '"1"')
    assert made.headers["location"] == "/api/trials/39"
    assert_problem(qs_client.post("/api/trials/39/schedule", json={"centre": 83, "start": "2026-W47"},
                                  headers=admin_h), 428,
                   "send If-Match with the record's version (its ETag) to change it")
    assert_problem(qs_client.post("/api/trials/39/schedule", json={"centre": 83, "start": "2026-W47"},
                                  headers=_if(admin_h, 2)), 409,
                   "trial 39 is at version 1, not 2: reload and try again")
    early = assert_problem(qs_client.post("/api/trials/39/schedule", json={"centre": 83, "start": "2026-W43"},
                                          headers=_if(admin_h, 1)), 422,
                           "the trial is ready on 2026-11-01: it cannot start in 2026-W43")
    assert early["field"] == "start"
    scheduled = qs_client.post("/api/trials/39/schedule", json={"centre": 83, "start": "2026-11-18"},
                               headers=_if(admin_h, 1))
    assert (scheduled.json()["status"], scheduled.json()["window"], scheduled.headers["etag"]) == (
        "scheduled", "2026-W47 to 2026-W48", '"2"')

    missing = assert_problem(qs_client.put("/api/trials/39/results/convoy",
                                           json=_body({"reaction_time": 18}, 6), headers=_if(admin_h, 2)), 422,
                             "use case convoy needs a value for detection_range_on_the_move, time_into_action (m, min)")
    assert missing["field"] == "measured"
    wrong_unit = qs_client.put("/api/trials/39/results/convoy", json={
        "measured": {"detection_range_on_the_move": {"value": 1.2, "unit": "km"}, "reaction_time": {"value": 18},
                     "time_into_action": {"value": 4}}, "score_1_to_10": 6}, headers=_if(admin_h, 2))
    assert_problem(wrong_unit, 422, "detection_range_on_the_move: the unit must be 'm' as the procedure says, got 'km' "
                                    "(values are not converted)")
    assert_problem(qs_client.put("/api/trials/39/results/border", json=_body(*CUAS_PASS["border"]),
                                 headers=_if(admin_h, 2)), 422,
                   "trial 39 covers the use cases point_defence, convoy, not border")
    values, _ = CUAS_PASS["convoy"]
    failed = qs_client.put("/api/trials/39/results/convoy",
                           json=_body({**values, "reaction_time": 25}, 5, notes="at 40 km/h",
                                      evidence=["https://example.org/convoy-run"]), headers=_if(admin_h, 2))
    assert (failed.status_code, failed.json()["status"], failed.headers["etag"]) == (200, "running", '"3"')
    assert failed.json()["use_case_states"] == {"point_defence": "not recorded", "convoy": "fail"}
    assert failed.json()["results"][0]["outcome_reasons"] == ["reaction_time 25 s is above the threshold 20 s",
                                                              "score 5 is below the pass score 6"]
    assert_problem(qs_client.post("/api/trials/39/complete", headers=_if(admin_h, 3)), 422,
                   "trial 39 has no result yet for point_defence: record it first ('rapid trials record')")
    corrected = qs_client.put("/api/trials/39/results/convoy", json=_body(*CUAS_PASS["convoy"]),
                              headers=_if(admin_h, 3))
    assert corrected.json()["use_case_states"]["convoy"] == "pass"
    qs_client.put("/api/trials/39/results/point_defence", json=_body(*CUAS_PASS["point_defence"]),
                  headers=_if(admin_h, 3))
    completed = qs_client.post("/api/trials/39/complete", headers=_if(admin_h, 3))
    assert (completed.status_code, completed.json()["status"], completed.headers["etag"]) == (200, "completed", '"4"')
    assert_problem(qs_client.put("/api/trials/39/results/convoy", json=_body(*CUAS_PASS["convoy"]),
                                 headers=_if(admin_h, 4)), 422,
                   "trial 39 is completed (its results are final): results are recorded while it runs")
    assert_problem(qs_client.post("/api/trials/39/cancel", json={"reason": "late"}, headers=_if(admin_h, 4)), 422,
                   "a completed trial is final: it cannot become cancelled")


def test_request_refusals_and_cancel(qs_ws, qs_client, admin_h):
    assert_problem(qs_client.post("/api/trials", json={"procedure": "cuas-example"}, headers=admin_h), 422,
                   "give the case (--case) or the solution (--solution) to trial")
    assert_problem(qs_client.post("/api/trials", json={"procedure": "nope", "solution": "EDF-101167796"},
                                  headers=admin_h), 404,
                   "no evaluation procedure 'nope' (give its id, its ref or REF@VERSION; 'rapid procedures list' "
                   "shows them)")
    assert_problem(qs_client.post("/api/trials", json={"procedure": "cuas-example", "case": 3}, headers=admin_h), 403,
                   "adoption case 3 belongs to another organisation: only its owner may change it")
    viewer = bearer(token_of(qs_ws, "fra.viewer"))
    assert_problem(qs_client.post("/api/trials", json={"procedure": "cuas-example", "solution": "EDF-101167796"},
                                  headers=viewer), 403,
                   "requesting a trial needs the role admin or analyst or board; fra.viewer has viewer")
    made = qs_client.post("/api/trials", json={"procedure": "cuas-example", "solution": "EDF-101167796",
                                                "ref": "DIANA-CUAS-1"}, headers=admin_h).json()
    assert_problem(qs_client.post("/api/trials", json={"procedure": "cuas-example", "solution": "EDF-101167796",
                                                        "ref": "DIANA-CUAS-1"}, headers=admin_h), 409,
                   "the ref 'DIANA-CUAS-1' is taken by another trial: choose another")
    assert_problem(qs_client.post(f"/api/trials/{made['id']}/start", headers=_if(admin_h, 1)), 422,
                   "a requested trial cannot become running: it can become scheduled or cancelled")
    assert_problem(qs_client.post(f"/api/trials/{made['id']}/cancel", json={"reason": "x"}, headers=_if(viewer, 1)),
                   403, f"trial {made['id']} belongs to another organisation: only its owner or its test centre's "
                        "may cancel a trial")
    cancelled = qs_client.post(f"/api/trials/{made['id']}/cancel", json={"reason": "the supplier withdrew"},
                               headers=_if(admin_h, 1)).json()
    assert (cancelled["status"], cancelled["cancel_reason"], cancelled["version"]) == (
        "cancelled", "the supplier withdrew", 2)


# --- the schedule -------------------------------------------------------------------------------------------------

def test_the_schedule_as_a_gantt_chart(qs_client, admin_h):
    """The Gantt data agrees with the trial list: the 37 scheduled trials, each at its centre, in weeks 1-2 (the
    quickstart's trials are 2 or 3 weeks long and all start in week 0 of the plan, 2026-11-30)."""
    listed = qs_client.get("/api/trials", params={"status": "scheduled", "limit": 500}, headers=admin_h).json()["items"]
    at = {}
    for trial in listed:
        at.setdefault(trial["centre_id"], []).append(trial["id"])
    gantt = qs_client.get("/api/schedule", params={"weeks": 4}, headers=admin_h).json()
    assert (gantt["origin"], gantt["weeks"], len(gantt["centres"])) == ("2026-11-23", 4, len(at))
    assert {c["centre_id"]: [t["trial_id"] for t in c["trials"]] for c in gantt["centres"]} == at
    trials = [t for c in gantt["centres"] for t in c["trials"]]
    assert len(trials) == 37 and {(t["start_week"], t["status"]) for t in trials} == {(1, "scheduled")}
    assert sorted(t["end_week"] - t["start_week"] for t in trials) == [2] * 36 + [3]  # the USV trial takes 3
    centre = next(t["centre_id"] for t in listed if t["id"] == 1)
    busiest = next(c for c in gantt["centres"] if c["centre_id"] == centre)
    assert busiest["load"][:3] == [0, len(at[centre]), len(at[centre])]
    only = qs_client.get("/api/schedule", params={"weeks": 4, "centre": centre}, headers=admin_h).json()
    assert [c["centre_id"] for c in only["centres"]] == [centre]
    assert_problem(qs_client.get("/api/schedule", params={"weeks": 0}, headers=admin_h), 422)


def test_run_the_scheduler_dry_then_for_real(qs_ws, qs_client, admin_h):
    ids = []
    for body in ({"procedure": "cuas-example", "solution": "EDF-101167796"},
                 {"procedure": "usv-persistence-example", "solution": "EDF-101121408", "ready_on": "2027-01-04"},
                 {"procedure": "cuas-example", "solution": "EDF-101167796", "capabilities": ["moon-base"]}):
        ids.append(qs_client.post("/api/trials", json=body, headers=admin_h).json()["id"])
    dry = qs_client.post("/api/schedule", json={"dry_run": True}, headers=admin_h)
    assert dry.status_code == 200, dry.text
    plan = dry.json()
    assert (plan["requested"], plan["applied"], plan["method"], plan["status"], plan["origin"]) == (
        3, False, "cp-sat", "optimal", "2026-11-30")
    assert sorted(p["trial_id"] for p in plan["placements"]) == ids[:2]
    assert [(u["trial_id"], u["reason"]) for u in plan["unplaced"]] == [(ids[2], "no capable centre")]
    assert "moon-base" in plan["unplaced"][0]["detail"]
    assert (plan["gap"], plan["bound"], plan["weighted_lateness"]) == (0.0, plan["objective"], 0)
    usv = next(p for p in plan["placements"] if p["trial_id"] == ids[1])
    assert usv["window_starts_on"] >= "2027-01-04"
    assert qs_client.get(f"/api/trials/{ids[0]}", headers=admin_h).json()["status"] == "requested"
    real = qs_client.post("/api/schedule", json={"trials": ids[:2]}, headers=admin_h).json()
    assert (real["requested"], real["applied"], len(real["placements"])) == (2, True, 2)
    for placement in real["placements"]:
        trial = qs_client.get(f"/api/trials/{placement['trial_id']}", headers=admin_h).json()
        assert (trial["status"], trial["centre_id"], trial["window_starts_on"], trial["scheduled_by"]) == (
            "scheduled", placement["centre_id"], placement["window_starts_on"], "cp-sat")
    assert_problem(qs_client.post("/api/schedule", json={"trials": [ids[0]]}, headers=admin_h), 422,
                   f"trial {ids[0]} is scheduled: the scheduler places requested trials only")
    viewer = bearer(token_of(qs_ws, "fra.viewer"))
    assert_problem(qs_client.post("/api/schedule", json={}, headers=viewer), 403,
                   "scheduling trials needs the role admin or analyst or board or test_centre")
    assert_problem(qs_client.post("/api/schedule", json={"time_limit_seconds": 600}, headers=admin_h), 422)


# --- centre calendars ---------------------------------------------------------------------------------------------

def test_a_centre_calendar_is_changed_by_its_owner_with_versions(qs_ws, qs_client, admin_h):
    shown = qs_client.get("/api/centres/83/calendar", params={"weeks": 3}, headers=admin_h)
    assert (shown.status_code, shown.headers["etag"]) == (200, '"0"')
    calendar = shown.json()
    assert (calendar["centre_name"], calendar["capacity_per_week"], calendar["capacity_is_default"],
            calendar["blackout_weeks"], calendar["test_domains"][:1]) == (
        "Lt Gen Best Barracks (Vredepeel)", 3, True, [], [calendar["test_domains"][0]])
    assert "c-uas" in calendar["test_domains"]
    assert [(w["week"], w["booked"], w["blackout"]) for w in calendar["weeks"]] == [
        ("2026-W48", 0, False), ("2026-W49", 0, False), ("2026-W50", 0, False)]
    nld = add_user(qs_ws, "nld.range", "NLD", "test_centre")
    assert_problem(qs_client.patch("/api/centres/83/calendar", json={"capacity_per_week": 1}, headers=nld), 428)
    assert_problem(qs_client.patch("/api/centres/83/calendar", json={"capacity_per_week": 1}, headers=_if(admin_h, 0)),
                   403, "test centre 83 belongs to another organisation: only its owner may change it")
    changed = qs_client.patch("/api/centres/83/calendar", json={"capacity_per_week": 1, "add_blackout": ["2026-W52"],
                                                                "capabilities": ["EW-range", "night"]},
                              headers=_if(nld, 0))
    assert changed.status_code == 200, changed.text
    assert (changed.headers["etag"], changed.json()["capacity_per_week"], changed.json()["blackout_weeks"],
            changed.json()["capabilities"], changed.json()["changed"]) == (
        '"1"', 1, ["2026-12-21"], ["ew-range", "night"], True)
    assert_problem(qs_client.patch("/api/centres/83/calendar", json={"capacity_per_week": 2}, headers=_if(nld, 0)), 409)
    back = qs_client.patch("/api/centres/83/calendar",
                           json={"capacity_per_week": None, "remove_blackout": ["2026-12-24"]},
                           headers=_if(nld, 1)).json()
    assert (back["capacity_per_week"], back["capacity_is_default"], back["blackout_weeks"], back["version"]) == (
        3, True, [], 2)
    bad = assert_problem(qs_client.patch("/api/centres/83/calendar", json={"add_blackout": ["2026-W54"]},
                                         headers=_if(nld, 2)), 422)
    assert bad["field"] == "blackout"
    assert_problem(qs_client.get("/api/centres/99999/calendar", headers=admin_h), 404,
                   "no test centre '99999' (give its id or ref)")


# --- risks and the tevv gate --------------------------------------------------------------------------------------

def test_the_demonstration_case_risk_register_and_burn_down(qs_client, admin_h):
    register = qs_client.get("/api/cases/23/risks", headers=admin_h).json()
    risks = register["risks"]
    assert [(r["id"], r["category"], r["initial_score"], r["score_1_to_25"], r["level"]) for r in risks] == [
        (3, "supply_chain", 9, 9, "medium"), (1, "technical", 16, 6, "medium"), (2, "integration", 12, 4, "low")]
    assert register["total_score"] == 19
    assert [(p["at"][:10], p["total_score"], p["risks"]) for p in register["burn_down"]] == [
        ("2024-12-01", 37, 3), ("2026-11-29", 19, 3)]
    risk = qs_client.get("/api/risks/1", headers=admin_h)
    assert (risk.headers["etag"], [(h["kind"], h["score_1_to_25"], h["trial_id"]) for h in risk.json()["history"]]) == (
        '"2"', [("initial", 16, None), ("residual", 6, 19)])


def test_risks_added_and_scored_by_the_case_owner(qs_ws, qs_client, admin_h):
    eu = add_user(qs_ws, "eu.analyst", "EU-DEFIS", "analyst")
    body = {"category": "security", "title": "Firmware updates are not signed", "likelihood_1_to_5": 4,
            "impact_1_to_5": 5, "risk_owner": "Supplier CISO", "mitigations": ["Sign the update chain"],
            "recorded_at": "2026-06-01T09:00:00Z"}
    assert_problem(qs_client.post("/api/cases/3/risks", json=body, headers=admin_h), 403,
                   "adoption case 3 belongs to another organisation: only its owner may change it")
    made = qs_client.post("/api/cases/3/risks", json=body, headers=eu)
    assert made.status_code == 201, made.text
    risk = made.json()
    assert (risk["score_1_to_25"], risk["level"], risk["version"], made.headers["location"]) == (
        20, "critical", 1, f"/api/risks/{risk['id']}")
    assert_problem(qs_client.post(f"/api/risks/{risk['id']}/scores", json={"likelihood_1_to_5": 2, "impact_1_to_5": 5},
                                  headers=_if(eu, 2)), 409,
                   f"risk {risk['id']} is at version 1, not 2: reload and try again")
    assert_problem(qs_client.post(f"/api/risks/{risk['id']}/scores",
                                  json={"likelihood_1_to_5": 2, "impact_1_to_5": 5, "trial": 1}, headers=_if(eu, 1)),
                   422, "trial 1 is scheduled: a residual score follows a completed trial")
    scored = qs_client.post(f"/api/risks/{risk['id']}/scores",
                            json={"likelihood_1_to_5": 2, "impact_1_to_5": 5, "note": "signing shown",
                                  "add_mitigations": ["Audit the keys"]}, headers=_if(eu, 1))
    assert (scored.status_code, scored.headers["etag"], scored.json()["score_1_to_25"],
            scored.json()["mitigations"]) == (200, '"2"', 10, ["Sign the update chain", "Audit the keys"])
    register = qs_client.get("/api/cases/3/risks", headers=admin_h).json()
    assert [p["total_score"] for p in register["burn_down"]] == [20, 10]
    bad = assert_problem(qs_client.post("/api/cases/3/risks", json={**body, "likelihood_1_to_5": 6}, headers=eu), 422)
    assert bad["field"] == "likelihood_1_to_5"


def test_from_a_failed_use_case_through_an_override_to_the_badge_gate(qs_ws, qs_client):
    """Case 3 in tevv: its quickstart trial 1 (system-demo-example, ready today) is moved to this week, which has
    begun; it records its results (security fails) and completes; the gate refuses until the board overrides."""
    eu = add_user(qs_ws, "eu.analyst", "EU-DEFIS", "analyst")
    board = add_user(qs_ws, "eu.board", "EU-DEFIS", "board")
    gate = qs_client.get("/api/cases/3/tevv-gate", headers=eu).json()
    assert (gate["ready"], gate["problem"]) == (False, "case 3 cannot pass the tevv gate: system-demo-example v1: no "
                                                       "completed trial covers the use cases function, reliability, "
                                                       "integration, security")
    case_version = qs_client.get("/api/cases/3", headers=eu).json()["version"]
    refused = qs_client.post("/api/cases/3/advance", json={"to": "badge", "rationale": "done"},
                             headers=_if(board, case_version))
    assert_problem(refused, 422, gate["problem"])
    moved = qs_client.post("/api/trials/1/schedule", json={"centre": 85, "start": "2026-W48"}, headers=_if(eu, 2))
    assert moved.status_code == 200, moved.text
    version = moved.json()["version"]
    for use_case, key, value, score in (("function", "functions_shown", 95, 7), ("reliability", "mtbf", 60, 6),
                                        ("integration", "interfaces_working", 85, 7),
                                        ("security", "open_critical_vulnerabilities", 1, 4)):
        answer = qs_client.put(f"/api/trials/1/results/{use_case}", json=_body({key: value}, score),
                               headers=_if(eu, version))
        assert answer.status_code == 200, answer.text
        version = answer.json()["version"]
    assert qs_client.post("/api/trials/1/complete", headers=_if(eu, version)).status_code == 200
    gate = qs_client.get("/api/cases/3/tevv-gate", headers=eu).json()
    assert gate["procedures"][0] | {"failed": None} == {
        "procedure_id": gate["procedures"][0]["procedure_id"], "procedure": "system-demo-example v1",
        "satisfied": False, "passed": ["function", "reliability", "integration"], "missing": [], "overridden": [],
        "failed": None}
    assert gate["procedures"][0]["failed"] == [{"use_case": "security", "trial_id": 1, "reasons": [
        "open_critical_vulnerabilities 1 count is above the threshold 0 count", "score 4 is below the pass score 6"]}]
    assert_problem(qs_client.post("/api/cases/3/tevv-overrides", json={"use_case": "security", "rationale": "x"},
                                  headers=eu), 403,
                   "a gate override needs the role admin or board; eu.analyst has analyst")
    assert_problem(qs_client.post("/api/cases/3/tevv-overrides", json={"use_case": "function", "rationale": "x"},
                                  headers=board), 422,
                   "the use case function of system-demo-example v1 passed: only a failed use case can be overridden")
    made = qs_client.post("/api/cases/3/tevv-overrides",
                          json={"use_case": "security",
                                "rationale": "The vulnerability is patched in the next release."},
                          headers=board)
    assert made.status_code == 201, made.text
    assert (made.json()["procedure"], made.json()["use_case"], made.json()["decided_by"]) == (
        "system-demo-example v1", "security", "eu.board")
    gate = qs_client.get("/api/cases/3/tevv-gate", headers=eu).json()
    assert (gate["ready"], gate["procedures"][0]["overridden"], len(gate["overrides"])) == (True, ["security"], 1)
    passed = qs_client.post("/api/cases/3/advance", json={"to": "badge", "rationale": "Trial 1 covers every use case"},
                            headers=_if(board, case_version))
    assert (passed.status_code, passed.json()["stage"]) == (200, "badge")
