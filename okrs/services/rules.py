"""The rules every write to an OKR obeys: what a cycle's status allows, one validation,
which row to lock."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okrs.models import (
    Cycle,
    KeyResult,
    Objective,
)


def full_clean(instance, *, exclude: list[str] | None = None) -> None:
    instance.full_clean(exclude=exclude, validate_constraints=True)


CLOSED_MESSAGE = gettext_lazy("This cycle is closed and can no longer be changed.")
REVIEW_MESSAGE = gettext_lazy(
    "This cycle is in review: its OKRs are frozen; only scores and retrospectives can still change."
)


def ensure_open(cycle: Cycle) -> None:
    """OKRs change while their cycle is planned or active, not in review or closed."""
    if cycle.is_closed:
        raise ValidationError(CLOSED_MESSAGE)
    if cycle.in_review:
        raise ValidationError(REVIEW_MESSAGE)


def ensure_not_closed(cycle: Cycle) -> None:
    """Discussion, experiments' results and the review go on until the cycle closes."""
    if cycle.is_closed:
        raise ValidationError(CLOSED_MESSAGE)


def lock_objective(objective_id: int) -> Objective:
    """Hold the objective's row for this write: the first lock every write to a team's
    OKR or check-in takes, so writers on one team queue in one order (objective, then
    the rows below it, then the team row that the page-version triggers update).

    FOR NO KEY UPDATE, not FOR UPDATE: a comment's or an experiment's foreign key check
    takes KEY SHARE on the objective at commit, and must not wait for this lock (that
    wait, while the comment held the team row, was a deadlock)."""
    # Lock only the objective's row: PostgreSQL cannot lock the nullable side of the
    # outer join to its team.
    return (
        Objective.objects.select_for_update(of=("self",), no_key=True)
        .select_related("cycle", "team")
        .get(pk=objective_id)
    )


def ensure_aligns_within_cycle(key_result: KeyResult, cycle: Cycle) -> None:
    objective = key_result.objective
    if objective.level != Objective.Level.COMPANY or objective.cycle_id != cycle.pk:
        raise ValidationError(
            {"aligned_to": [_("Choose a key result of this cycle's company objective.")]}
        )
