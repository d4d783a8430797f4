"""The 24-month clock: month arithmetic, deadlines, COTS scaling and each status boundary."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from rapid_adoption.domain.clock import (
    StageBudgets,
    add_fractional_months,
    add_months,
    read_clock,
    stage_deadline,
    stage_window_start,
    total_deadline,
)
from rapid_adoption.domain.errors import ValidationError
from rapid_adoption.domain.types import ClockStatus, Stage

UTC = timezone.utc


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (at(2024, 1, 31), 1, at(2024, 2, 29)),  # leap year February
        (at(2023, 1, 31), 1, at(2023, 2, 28)),  # common year February
        (at(2024, 2, 29), 12, at(2025, 2, 28)),  # leap day plus a year
        (at(2024, 2, 29), 48, at(2028, 2, 29)),  # leap day to leap day
        (at(2024, 8, 31), 3, at(2024, 11, 30)),  # 30-day month
        (at(2024, 11, 30), 3, at(2025, 2, 28)),
        (at(2024, 12, 15), 1, at(2025, 1, 15)),  # year boundary
        (at(2024, 3, 31), -1, at(2024, 2, 29)),  # backwards
        (at(2024, 1, 1), 24, at(2026, 1, 1)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_add_months_keeps_time_of_day_and_zone():
    cet = timezone(timedelta(hours=1))
    assert add_months(datetime(2024, 1, 31, 23, 30, tzinfo=cet), 1) == datetime(2024, 2, 29, 23, 30, tzinfo=cet)


def test_default_stage_deadlines_from_month_end_opening():
    opened = at(2024, 1, 31, 9)
    deadlines = [stage_deadline(opened, s, cots=False) for s in
                 (Stage.MARKET_RESEARCH, Stage.TEVV, Stage.BADGE, Stage.CONTRACTING, Stage.FIELDING)]
    assert deadlines == [at(2024, 4, 30, 9), at(2025, 4, 30, 9), at(2025, 5, 31, 9), at(2025, 10, 31, 9), at(2026, 1, 31, 9)]


def test_deadlines_are_computed_in_utc_for_other_zones():
    # 00:30 on 1 March in Berlin (UTC+1) is 23:30 UTC on 29 February 2024.
    berlin = timezone(timedelta(hours=1))
    opened = datetime(2024, 3, 1, 0, 30, tzinfo=berlin)
    assert stage_deadline(opened, Stage.MARKET_RESEARCH, cots=False) == at(2024, 5, 29, 23, 30)


def test_cots_scales_each_stage_by_nine_over_twenty_four_in_calendar_months():
    # 9/24 of 3, 15, 16, 21, 24 months = 1.125, 5.625, 6, 7.875, 9 months.
    opened = at(2025, 1, 1)
    deadlines = [stage_deadline(opened, s, cots=True) for s in
                 (Stage.MARKET_RESEARCH, Stage.TEVV, Stage.BADGE, Stage.CONTRACTING, Stage.FIELDING)]
    assert deadlines == [
        at(2025, 2, 4, 12),  # 1 month, then 1/8 of February's 28 days (3.5 days)
        at(2025, 6, 19, 18),  # 5 months, then 5/8 of June's 30 days (18.75 days)
        at(2025, 7, 1),  # 6 months exactly
        at(2025, 8, 28, 3),  # 7 months, then 7/8 of August's 31 days (27.125 days)
        at(2025, 10, 1),  # 9 calendar months in all
    ]
    assert total_deadline(opened, cots=True) == at(2025, 10, 1)


def test_fractional_months_at_a_month_end():
    # 31 January + 1.125 months: 29 February 2024 (clamped), then 1/8 of the next month's span (29 Feb -> 31 Mar = 31 days).
    assert add_fractional_months(at(2024, 1, 31), 1.125) == at(2024, 3, 3, 21)


def test_custom_budgets_and_cots_total():
    budgets = StageBudgets(2, 8, 9, 10, 12, cots_total_months=6)
    opened = at(2025, 1, 1)
    assert stage_deadline(opened, Stage.TEVV, cots=False, budgets=budgets) == at(2025, 9, 1)
    assert total_deadline(opened, cots=True, budgets=budgets) == at(2025, 7, 1)
    assert stage_deadline(opened, Stage.MARKET_RESEARCH, cots=True, budgets=budgets) == at(2025, 2, 1)


@pytest.mark.parametrize("text", ["3,15,16,21", "3,15,x,21,24", "3,15,15,21,24", "0,15,16,21,24"])
def test_budget_settings_are_validated(text):
    with pytest.raises(ValidationError):
        StageBudgets.parse(text)


def test_budget_parse_message():
    with pytest.raises(ValidationError) as err:
        StageBudgets.parse("3,15,16")
    assert str(err.value) == "RAPID_STAGE_BUDGETS_MONTHS: stage budgets must be five comma-separated whole months, got '3,15,16'"
    with pytest.raises(ValidationError) as err:
        StageBudgets.parse("3,15,15,21,24")
    assert str(err.value) == "RAPID_STAGE_BUDGETS_MONTHS: stage budgets must increase stage by stage, got 3, 15, 15, 21, 24"


def test_window_of_tevv_runs_from_month_3_to_month_15():
    opened = at(2025, 1, 1)
    assert stage_window_start(opened, Stage.TEVV, cots=False) == at(2025, 4, 1)
    assert stage_deadline(opened, Stage.TEVV, cots=False) == at(2026, 4, 1)


class TestStatusBoundaries:
    """Market research window: 2025-01-01 to 2025-04-01 = 90 days; 80% is day 72 (2025-03-14)."""

    opened = at(2025, 1, 1)

    def status(self, now, stage=Stage.MARKET_RESEARCH, cots=False):
        return read_clock(self.opened, stage, now, cots=cots)

    def test_on_track_at_opening(self):
        reading = self.status(self.opened)
        assert (reading.status, reading.days_left, reading.window_used) == (ClockStatus.ON_TRACK, 90, 0.0)

    def test_exactly_80_percent_is_still_on_track(self):
        reading = self.status(at(2025, 3, 14))
        assert reading.window_used == pytest.approx(0.8)
        assert reading.status == ClockStatus.ON_TRACK

    def test_just_past_80_percent_is_at_risk(self):
        reading = self.status(at(2025, 3, 14, 0, 0, 1))
        assert reading.status == ClockStatus.AT_RISK
        assert reading.days_left == 18  # calendar days from 14 March to 1 April

    def test_at_the_deadline_is_at_risk_not_overdue(self):
        reading = self.status(at(2025, 4, 1))
        assert (reading.status, reading.days_left) == (ClockStatus.AT_RISK, 0)

    def test_one_second_after_the_deadline_is_overdue(self):
        reading = self.status(at(2025, 4, 1, 0, 0, 1))
        assert (reading.status, reading.days_left) == (ClockStatus.OVERDUE, 0)  # due today, and past
        assert self.status(at(2025, 4, 2, 9)).days_left == -1

    def test_a_stage_entered_early_is_on_track_before_its_window(self):
        # In tevv at month 1: its window opens at month 3, so none of it is used yet.
        reading = self.status(at(2025, 2, 1), stage=Stage.TEVV)
        assert (reading.status, reading.window_used, reading.days_left) == (ClockStatus.ON_TRACK, 0.0, 424)

    def test_tevv_at_risk_after_80_percent_of_months_3_to_15(self):
        # Window 2025-04-01 .. 2026-04-01 = 365 days; 80% = 292 days -> 2026-01-18.
        assert self.status(at(2026, 1, 18), stage=Stage.TEVV).status == ClockStatus.ON_TRACK
        assert self.status(at(2026, 1, 19), stage=Stage.TEVV).status == ClockStatus.AT_RISK

    def test_cots_case_is_overdue_sooner(self):
        now = at(2025, 2, 10)  # past the COTS market-research deadline 2025-02-04T12:00
        assert self.status(now).status == ClockStatus.ON_TRACK
        assert self.status(now, cots=True).status == ClockStatus.OVERDUE

    def test_terminal_case_reads_closed_and_stops_the_clock(self):
        reading = read_clock(self.opened, Stage.ADOPTED, at(2030, 1, 1), cots=False, closed_at=at(2026, 1, 1))
        assert reading.status == ClockStatus.CLOSED
        assert reading.days_left is None and reading.stage_deadline is None
        assert reading.months_elapsed == pytest.approx(365 / 30.4375)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValidationError) as err:
        read_clock(datetime(2025, 1, 1), Stage.TEVV, at(2025, 1, 2), cots=False)
    assert str(err.value) == "opened_at must be timezone-aware (UTC), got naive 2025-01-01T00:00:00"


def test_terminal_stage_has_no_deadline():
    with pytest.raises(ValidationError) as err:
        stage_deadline(at(2025, 1, 1), Stage.ADOPTED, cots=False)
    assert str(err.value) == "stage adopted has no deadline: it is terminal"


@pytest.mark.parametrize(("budgets", "cots", "message"), [
    ("0,0,0,0,0", "9", "RAPID_STAGE_BUDGETS_MONTHS: stage budgets must be 1-1200 months, got 0, 0, 0, 0, 0"),
    ("3,15,16,21,24", "30", "RAPID_COTS_TOTAL_MONTHS: must be 1 to the fielding budget (24) months, got 30"),
    ("²,15,16,21,24", "9", "RAPID_STAGE_BUDGETS_MONTHS: stage budgets must be five comma-separated whole months, got '²,15,16,21,24'"),
    ("3,15,16,21,24", "abc", "RAPID_COTS_TOTAL_MONTHS: must be a positive whole number of months, got 'abc'"),
])
def test_budget_settings_from_the_environment(budgets, cots, message):
    from rapid_adoption.settings import Settings

    with pytest.raises(ValidationError) as err:
        Settings.from_env({"RAPID_STAGE_BUDGETS_MONTHS": budgets, "RAPID_COTS_TOTAL_MONTHS": cots})
    assert str(err.value) == message


def test_empty_budget_variables_mean_the_defaults():
    from rapid_adoption.settings import Settings

    settings = Settings.from_env({"RAPID_STAGE_BUDGETS_MONTHS": "", "RAPID_COTS_TOTAL_MONTHS": ""})
    assert settings.budgets == StageBudgets()
    assert settings.database_url == "sqlite:///./rapid.db"
