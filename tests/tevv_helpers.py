"""Test helper: give a case the completed, passing trial its ``tevv`` gate needs, through the services a user calls."""

from __future__ import annotations

from datetime import timedelta

from rapid_adoption.services import tevv_calendars, tevv_procedures, tevv_trials
from rapid_adoption.services.tevv_trials import TrialRequestInput
from rapid_adoption.tevv.weeks import planning_origin

GENERIC_RESULTS = {
    "function": ({"functions_shown": (100, "%")}, 8),
    "reliability": ({"mtbf": (120, "h")}, 8),
    "integration": ({"interfaces_working": (100, "%")}, 8),
    "security": ({"open_critical_vulnerabilities": (0, "count")}, 8),
}
"""Passing results for every use case of the shipped generic procedure ``system-demo-example``."""


def complete_a_passing_trial(ws, actor, case_id: int) -> int:
    """Import the example procedures if needed, then request, schedule (by hand, in the two weeks before the next
    plan's first week, at the first visible centre that supports the trial's test domain), run and complete a trial of
    ``case_id`` under ``system-demo-example`` with passing results. The workspace needs test centres.

    Returns:
        The trial's id.
    """
    tevv_procedures.import_examples(ws, actor)
    start = planning_origin(ws.now()) - timedelta(weeks=2)
    trial = tevv_trials.request_trial(ws, actor, TrialRequestInput(procedure="system-demo-example", case=case_id,
                                                                   ready_on=start))
    with ws.uow.read() as session:
        centre = next(c.id for c, cal in tevv_calendars.load(session, actor)
                      if trial["test_domain"] in tevv_calendars.effective(c, cal)["test_domains"])
    tevv_trials.schedule_trial(ws, actor, trial["id"], centre, start)
    for use_case, (measured, score) in GENERIC_RESULTS.items():
        tevv_trials.record_result(ws, actor, trial["id"], use_case, measured, score)
    tevv_trials.complete_trial(ws, actor, trial["id"])
    return trial["id"]
