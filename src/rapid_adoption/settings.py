"""Deployment settings read from the environment.

| variable | default | meaning |
|---|---|---|
| ``RAPID_DATABASE_URL`` | ``sqlite:///./rapid.db`` | the SQLAlchemy URL of the workspace database |
| ``RAPID_STAGE_BUDGETS_MONTHS`` | ``3,15,16,21,24`` | cumulative stage budgets in months since opening |
| ``RAPID_COTS_TOTAL_MONTHS`` | ``9`` (or the fielding budget, if shorter) | a COTS case's total budget in months |
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .domain.clock import StageBudgets
from .domain.errors import ValidationError

DEFAULT_DATABASE_URL = "sqlite:///./rapid.db"
DEFAULT_COTS_TOTAL_MONTHS = 9


@dataclass(frozen=True)
class Settings:
    """Resolved settings.

    Attributes:
        database_url: SQLAlchemy URL.
        budgets: stage budgets in months.
    """

    database_url: str
    budgets: StageBudgets

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        """Read settings from ``environ`` (default ``os.environ``).

        Raises:
            ValidationError: a budget variable is malformed; the message names the variable.
        """
        env = os.environ if environ is None else environ
        stages_text = env.get("RAPID_STAGE_BUDGETS_MONTHS") or "3,15,16,21,24"
        cots_text = (env.get("RAPID_COTS_TOTAL_MONTHS") or "").strip()
        if not cots_text:
            # Unset: 9 months, or the whole budget when that is shorter.
            fielding = StageBudgets.parse(stages_text, cots_total_months=1).fielding_months
            cots_text = str(min(DEFAULT_COTS_TOTAL_MONTHS, fielding))
        if not (cots_text.isascii() and cots_text.isdigit() and len(cots_text) < 6) or int(cots_text) == 0:
            raise ValidationError(f"must be a positive whole number of months, got {cots_text!r}", field="RAPID_COTS_TOTAL_MONTHS")
        budgets = StageBudgets.parse(stages_text, int(cots_text))
        return cls(database_url=env.get("RAPID_DATABASE_URL") or DEFAULT_DATABASE_URL, budgets=budgets)
