"""The company objective, and rewording any objective."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.versioning import versioned_update
from okrs.models import (
    Cycle,
    KeyResult,
    Objective,
    ObjectiveEvent,
)
from okrs.services.events import changed_fields, event_record
from okrs.services.rules import ensure_aligns_within_cycle, ensure_open, full_clean
from teams.models import User


def company_objective_create(
    *, cycle: Cycle, title: str, context: str, actor: User | None = None
) -> Objective:
    """Write the cycle's one company objective."""
    ensure_open(cycle)
    objective = Objective(
        cycle=cycle,
        level=Objective.Level.COMPANY,
        title=title,
        context=context,
        state=Objective.State.COMMITTED,
    )
    full_clean(objective)
    try:
        with transaction.atomic():
            objective.save()
    except IntegrityError as error:
        # The check above and the insert race with a second leader; the
        # database's unique constraint has the last word.
        raise ValidationError(_("This cycle already has its company objective.")) from error
    event_record(objective=objective, actor=actor, verb=ObjectiveEvent.Verb.DEFINED, subject=title)
    return objective


def validate_objective_text(
    objective: Objective, *, title: str, context: str, aligned_to: KeyResult | None
) -> None:
    """Model validation of a reworded objective, without saving anything."""
    candidate = Objective(
        pk=objective.pk,
        cycle=objective.cycle,
        level=objective.level,
        team=objective.team,
        title=title,
        context=context,
        aligned_to=aligned_to,
        state=objective.state,
    )
    candidate._state.adding = False
    full_clean(candidate, exclude=["cycle", "team"])


@transaction.atomic
def objective_update(
    *,
    objective: Objective,
    title: str,
    context: str,
    expected_version: int,
    aligned_to: KeyResult | None = None,
    actor: User | None = None,
) -> Objective:
    """Reword an objective unless someone else saved it since `expected_version`."""
    ensure_open(objective.cycle)
    state = Objective.objects.values_list("state", flat=True).get(pk=objective.pk)
    if state == Objective.State.PROPOSED:
        raise ValidationError(
            _("A proposed objective is accepted (reworded as you see fit) or declined, not edited.")
        )
    if state == Objective.State.ARCHIVED:
        raise ValidationError(_("An archived objective no longer changes."))
    if objective.is_company:
        aligned_to = None
    elif aligned_to is None:
        aligned_to = objective.aligned_to
    validate_objective_text(objective, title=title, context=context, aligned_to=aligned_to)
    if aligned_to is not None:
        ensure_aligns_within_cycle(aligned_to, objective.cycle)
    before = Objective.objects.get(pk=objective.pk)
    current = versioned_update(
        Objective.objects.select_related("cycle", "team", "aligned_to"),
        pk=objective.pk,
        expected_version=expected_version,
        values={"title": title, "context": context, "aligned_to": aligned_to},
    )
    changes = changed_fields(before, current, ["title", "context", "aligned_to"])
    if changes:
        event_record(
            objective=current,
            actor=actor,
            verb=ObjectiveEvent.Verb.REWORDED,
            subject=current.title,
            changes=changes,
        )
    return current
