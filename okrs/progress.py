"""Progress arithmetic: 0–100 %, right for every kind of key result."""

from collections.abc import Iterable
from decimal import Decimal

INCREASE = "increase"
DECREASE = "decrease"
STAY_ABOVE = "stay_above"
STAY_BELOW = "stay_below"
MILESTONE = "milestone"


def key_result_progress(*, kind: str, start: Decimal, target: Decimal, current: Decimal) -> int:
    """Whole percent, clamped to 0–100 (overshoot counts as reached).

    Increase/decrease: the share of the way from start to target, so a decrease
    from 40 to 10 at 25 is 50 %. Stay above/below: a threshold is held (100 %) or
    not (0 %). Milestone: done (any value of at least 1) or not.
    """
    if kind == MILESTONE:
        return 100 if current >= 1 else 0
    if kind == STAY_ABOVE:
        return 100 if current >= target else 0
    if kind == STAY_BELOW:
        return 100 if current <= target else 0
    span = target - start
    if span == 0:
        # A zero range is refused on input; if one exists anyway, the target is
        # either reached in the key result's direction or it is not.
        reached = current >= target if kind == INCREASE else current <= target
        return 100 if reached else 0
    share = (current - start) / span
    return int(max(Decimal(0), min(Decimal(1), share)) * 100)


def objective_progress(progresses: Iterable[int]) -> int:
    """The mean of its key results' progress; 0 without key results."""
    values = list(progresses)
    if not values:
        return 0
    return round(sum(values) / len(values))
