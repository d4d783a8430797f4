"""Stage transitions: only the next stage; closing rules; clear errors."""

from __future__ import annotations

import pytest

from rapid_adoption.domain.errors import GateNotSatisfied, ValidationError
from rapid_adoption.domain.pipeline import check_advance, check_close, next_stage, parse_stage
from rapid_adoption.domain.types import Stage


def test_the_stage_order():
    order = [Stage.MARKET_RESEARCH]
    while order[-1] != Stage.ADOPTED:
        order.append(next_stage(order[-1]))
    assert [s.value for s in order] == ["market_research", "tevv", "badge", "contracting", "fielding", "adopted"]


@pytest.mark.parametrize(("current", "target", "message"), [
    (Stage.MARKET_RESEARCH, Stage.BADGE, "cannot advance from market_research to badge: the next stage is tevv"),
    (Stage.TEVV, Stage.MARKET_RESEARCH, "cannot advance from tevv to market_research: the next stage is badge"),
    (Stage.FIELDING, Stage.CONTRACTING, "cannot advance from fielding to contracting: the next stage is adopted"),
    (Stage.BADGE, Stage.BADGE, "cannot advance from badge to badge: the next stage is contracting"),
    (Stage.TEVV, Stage.REJECTED, "use reject or withdraw, not advance, to close a case as rejected"),
    (Stage.ADOPTED, Stage.FIELDING, "the case is adopted: a closed case cannot move"),
    (Stage.WITHDRAWN, Stage.TEVV, "the case is withdrawn: a closed case cannot move"),
])
def test_illegal_moves_are_refused_with_the_reason(current, target, message):
    with pytest.raises(GateNotSatisfied) as err:
        check_advance(current, target)
    assert str(err.value) == message


@pytest.mark.parametrize("stage", [Stage.MARKET_RESEARCH, Stage.TEVV, Stage.BADGE, Stage.CONTRACTING, Stage.FIELDING])
def test_every_active_stage_may_close(stage):
    check_close(stage, Stage.REJECTED)
    check_close(stage, Stage.WITHDRAWN)


def test_closing_rules():
    with pytest.raises(GateNotSatisfied) as err:
        check_close(Stage.REJECTED, Stage.WITHDRAWN)
    assert str(err.value) == "the case is already rejected"
    with pytest.raises(ValidationError) as err:
        check_close(Stage.TEVV, Stage.ADOPTED)
    assert str(err.value) == "a case closes as rejected or withdrawn, not adopted"


def test_parse_stage():
    assert parse_stage(" TEVV ") == Stage.TEVV
    with pytest.raises(ValidationError) as err:
        parse_stage("testing")
    assert str(err.value) == ("stage: unknown stage 'testing'; expected one of market_research, tevv, badge, "
                              "contracting, fielding, adopted, rejected, withdrawn")
