"""Cycles, objectives and key results. This app knows nothing of check-ins.

`plan` holds what a cycle plans, `history` what happens to it over the weeks; import
both from here."""

from okrs.models.history import Comment, KeyResultUpdate, ObjectiveEvent, Retrospective
from okrs.models.plan import (
    MAX_CYCLE_DAYS,
    MAX_KEY_RESULTS,
    MAX_YEARS_AWAY,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Cycle,
    KeyResult,
    Objective,
)

__all__ = [
    "MAX_CYCLE_DAYS",
    "MAX_KEY_RESULTS",
    "MAX_YEARS_AWAY",
    "TEXT_MAX_LENGTH",
    "TITLE_MAX_LENGTH",
    "Comment",
    "Cycle",
    "KeyResult",
    "KeyResultUpdate",
    "Objective",
    "ObjectiveEvent",
    "Retrospective",
]
