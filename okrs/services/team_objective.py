"""Creating a team's objective for a cycle: defined, proposed or carried forward.

Its own module, so the workflow and the review both create one without importing each
other."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from okrs.models import (
    Cycle,
    KeyResult,
    Objective,
)
from okrs.services.events import event_record
from okrs.services.rules import ensure_aligns_within_cycle, ensure_open, full_clean
from teams.models import Team, User

ONE_PER_TEAM = "{team} already has an objective in {cycle}. Open it to change it."


def team_objective_create(
    *,
    cycle: Cycle,
    team: Team,
    title: str,
    context: str,
    aligned_to: KeyResult,
    state: str,
    actor: User | None,
    verb: str,
    carried_from: Objective | None = None,
    changes: dict | None = None,
) -> Objective:
    ensure_open(cycle)
    ensure_aligns_within_cycle(aligned_to, cycle)
    objective = Objective(
        cycle=cycle,
        level=Objective.Level.TEAM,
        team=team,
        title=title,
        context=context,
        aligned_to=aligned_to,
        state=state,
        carried_from=carried_from,
    )
    message = ONE_PER_TEAM.format(team=team.name, cycle=cycle.name)
    try:
        full_clean(objective)
    except ValidationError as error:
        # The partial unique constraint's own message names no team; say which.
        if any("already has an objective" in m for m in error.messages):
            raise ValidationError(message) from error
        raise
    try:
        with transaction.atomic():
            objective.save()
    except IntegrityError as error:
        raise ValidationError(message) from error
    event_record(objective=objective, actor=actor, verb=verb, subject=title, changes=changes)
    return objective
