"""Every write to cycles, objectives and key results goes through this package.

Split by concept: `cycles`, `objectives`, `team_objective` (creating one), `key_results`,
`workflow` (a team objective's way to commitment), `reviews` (the end of a cycle),
`events` (the history) and `rules` (what a cycle's status allows). The names below are
the ones other modules call most; `workflow` and `reviews` are imported by name.
"""

from core.versioning import StaleEdit
from okrs.services.cycles import cycle_activate, cycle_close, cycle_create, cycle_update
from okrs.services.key_results import (
    KeyResultData,
    key_result_create,
    key_result_delete,
    key_result_move,
    key_result_record,
    key_result_update,
)
from okrs.services.objectives import (
    company_objective_create,
    objective_update,
    validate_objective_text,
)
from okrs.services.rules import CLOSED_MESSAGE, REVIEW_MESSAGE, ensure_not_closed, lock_objective

__all__ = [
    "CLOSED_MESSAGE",
    "REVIEW_MESSAGE",
    "KeyResultData",
    "StaleEdit",
    "company_objective_create",
    "cycle_activate",
    "cycle_close",
    "cycle_create",
    "cycle_update",
    "ensure_not_closed",
    "key_result_create",
    "key_result_delete",
    "key_result_move",
    "key_result_record",
    "key_result_update",
    "lock_objective",
    "objective_update",
    "validate_objective_text",
]
