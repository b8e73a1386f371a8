"""The coach's findings dismissed for an objective, with a reason kept in its history."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from okrs.coach import KEY_RESULT, RULES_BY_ID
from okrs.coaching import dismissed_keys, objective_findings
from okrs.models import Objective, ObjectiveEvent
from okrs.services.events import event_record
from okrs.services.rules import ensure_not_closed, lock_objective
from teams.models import User

REASON_MAX_LENGTH = 1000


@transaction.atomic
def coach_finding_dismiss(
    *, objective: Objective, key: str, reason: str, actor: User
) -> ObjectiveEvent:
    """Someone who may edit the objective says a finding does not apply, and why: it no
    longer shows for this objective (for that key result, when it is about one)."""
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX_LENGTH or "\x00" in reason:
        raise ValidationError(
            {
                "reason": [
                    _("Say in a few words why the finding does not apply (up to 1,000 characters).")
                ]
            }
        )
    rule_id, _colon, ref = key.partition(":")
    rule = RULES_BY_ID.get(rule_id)
    if rule is None or (rule.about == KEY_RESULT) != bool(ref):
        raise ValidationError(_("The coach has no such finding."))
    objective = lock_objective(objective.pk)
    ensure_not_closed(objective.cycle)
    key_result = None
    if ref:
        key_result = objective.key_results.filter(pk=int(ref) if ref.isdecimal() else 0).first()
        if key_result is None:
            raise ValidationError(_("That key result is no longer part of this objective."))
    if key in dismissed_keys([objective.pk])[objective.pk]:
        raise ValidationError(_("This finding was dismissed already."))
    # Only what the coach says now: a finding dismissed before it shows would never show.
    key_results = list(objective.key_results.order_by("position", "id"))
    aligned = objective.aligned_to.title if objective.aligned_to_id else ""
    if key not in {
        f.key for f in objective_findings(objective, key_results, aligned_title=aligned)
    }:
        raise ValidationError(_("The coach does not say that about this objective now."))
    return event_record(
        objective=objective,
        actor=actor,
        verb=ObjectiveEvent.Verb.COACH_DISMISSED,
        subject=rule.title if key_result is None else f"{rule.title}: {key_result.title}",
        changes={"coach": key},
        reason=reason,
        key_result=key_result,
    )
