"""Key results: added, edited, moved, removed, and their values recorded."""

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import Event, emit
from core.versioning import StaleEdit, versioned_update
from okrs.models import (
    MAX_KEY_RESULTS,
    KeyResult,
    KeyResultUpdate,
    Objective,
    ObjectiveEvent,
)
from okrs.services.events import changed_fields, event_record
from okrs.services.rules import ensure_open, lock_objective
from okrs.weeks import week_start
from teams.models import User


@dataclass(frozen=True)
class KeyResultData:
    """What a person writes of a key result: the one list of its fields (the forms and
    the history use it too)."""

    title: str
    kind: str
    start_value: Decimal
    target_value: Decimal
    current_value: Decimal
    unit: str
    owner: User | None

    def values(self) -> dict:
        return {name: getattr(self, name) for name in KEY_RESULT_FIELDS}


COMMITMENT_FIELDS = ["kind", "start_value", "target_value"]
KEY_RESULT_FIELDS = [field.name for field in fields(KeyResultData)]


def ensure_key_results_editable(
    objective: Objective, *, changes_commitment: bool, reason: str
) -> None:
    """The workflow's rules for changing a team's key results."""
    if "\x00" in reason or len(reason) > 1000:
        raise ValidationError({"reason": [_("Say why in plain text, up to 1,000 characters.")]})
    ensure_open(objective.cycle)
    if objective.is_company:
        return
    state = objective.state
    if state == Objective.State.PROPOSED:
        raise ValidationError(
            _("A leader first accepts the proposed objective; then draft its key results.")
        )
    if state == Objective.State.SUBMITTED:
        raise ValidationError(
            _(
                "The key results are with the leaders for review. Wait for their challenge "
                "or commitment before changing them."
            )
        )
    if state == Objective.State.ARCHIVED:
        raise ValidationError(_("This objective is archived."))
    if state == Objective.State.COMMITTED and changes_commitment and not reason.strip():
        raise ValidationError(
            {"reason": [_("The key results are committed: say why you change them.")]}
        )


def validate_key_result(key_result: KeyResult) -> None:
    errors: dict[str, list[str]] = {}
    if key_result.is_milestone:
        # A milestone is done (1) or not (0).
        key_result.start_value, key_result.target_value = Decimal(0), Decimal(1)
        if key_result.current_value not in (Decimal(0), Decimal(1)):
            errors["current_value"] = [_("A milestone is either done (1) or not done (0).")]
    else:
        start, target = key_result.start_value, key_result.target_value
        if key_result.kind in (KeyResult.Kind.INCREASE, KeyResult.Kind.DECREASE):
            if target == start:
                errors["target_value"] = [
                    _("The target must differ from the start: there is nothing to move.")
                ]
            elif key_result.kind == KeyResult.Kind.INCREASE and target < start:
                errors["target_value"] = [
                    _(
                        "To increase, the target must be above the start value "
                        "(or choose “Decrease to”)."
                    )
                ]
            elif key_result.kind == KeyResult.Kind.DECREASE and target > start:
                errors["target_value"] = [
                    _(
                        "To decrease, the target must be below the start value "
                        "(or choose “Increase to”)."
                    )
                ]
    try:
        key_result.full_clean(exclude=["objective", "position", "version"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def key_result_create(
    *,
    objective: Objective,
    data: KeyResultData,
    actor: User | None = None,
    reason: str = "",
) -> KeyResult:
    """Add a key result at the end of the objective's list (at most five)."""
    with transaction.atomic():
        # Lock the objective so two people adding a sixth at once cannot both pass.
        objective = lock_objective(objective.pk)
        ensure_key_results_editable(objective, changes_commitment=True, reason=reason)
        existing = objective.key_results.aggregate(n=Count("id"), last=Max("position"))
        if existing["n"] >= MAX_KEY_RESULTS:
            raise ValidationError(
                _("An objective has at most %(count)s key results: focus beats breadth.")
                % {"count": MAX_KEY_RESULTS}
            )
        key_result = KeyResult(
            objective=objective,
            position=(existing["last"] or 0) + 1,
            updated_by=actor,
            **data.values(),
        )
        validate_key_result(key_result)
        key_result.save()
        event_record(
            objective=objective,
            actor=actor,
            verb=ObjectiveEvent.Verb.KEY_RESULT_ADDED,
            subject=key_result.title,
            key_result=key_result,
            reason=reason,
        )
    return key_result


@transaction.atomic
def key_result_update(
    *,
    key_result: KeyResult,
    data: KeyResultData,
    expected_version: int,
    actor: User | None = None,
    reason: str = "",
) -> KeyResult:
    """Save a key result unless someone else saved it since `expected_version`.

    A stale save raises `StaleEdit` carrying the current values; nothing is written.
    Once a team objective is committed, a new target, start or kind needs a reason.
    """
    # The objective's state decides what may change: read it fresh and hold it, so a
    # submit or commit cannot slip in between the check and the write.
    objective = lock_objective(key_result.objective_id)
    candidate = KeyResult(
        pk=key_result.pk,
        objective=objective,
        position=key_result.position,
        **data.values(),
    )
    candidate._state.adding = False
    validate_key_result(candidate)
    before = KeyResult.objects.select_related("owner").get(pk=key_result.pk)
    ensure_key_results_editable(
        objective,
        changes_commitment=bool(changed_fields(before, candidate, COMMITMENT_FIELDS)),
        reason=reason,
    )
    current = versioned_update(
        KeyResult.objects.select_related("objective__cycle", "owner"),
        pk=key_result.pk,
        expected_version=expected_version,
        values={name: getattr(candidate, name) for name in KEY_RESULT_FIELDS}
        | {"updated_by": actor},
    )
    changes = changed_fields(before, current, [*KEY_RESULT_FIELDS])
    if "current_value" in changes:
        # The value history is append-only, whichever form moved the value.
        KeyResultUpdate.objects.create(
            key_result=current,
            value=current.current_value,
            confidence=current.confidence,
            comment="Edited with the key result",
            author=actor,
            week_start=week_start(timezone.localdate()),
        )
    if changes:
        event_record(
            objective=objective,
            actor=actor,
            verb=ObjectiveEvent.Verb.KEY_RESULT_CHANGED,
            subject=current.title,
            key_result=current,
            changes=changes,
            reason=reason,
        )
    return current


@transaction.atomic
def key_result_delete(
    *, key_result: KeyResult, actor: User | None = None, reason: str = ""
) -> None:
    """Remove a key result from its objective."""
    objective = lock_objective(key_result.objective_id)
    ensure_key_results_editable(objective, changes_commitment=True, reason=reason)
    aligned = list(
        Objective.objects.filter(aligned_to=key_result)
        .exclude(state=Objective.State.ARCHIVED)
        .values_list("team__name", flat=True)
    )
    if aligned:
        raise ValidationError(
            f"{', '.join(aligned)} work towards this key result. Align their objectives "
            "to another key result before removing it."
        )
    if KeyResult.objects.filter(pk=key_result.pk).delete()[0]:
        event_record(
            objective=objective,
            actor=actor,
            verb=ObjectiveEvent.Verb.KEY_RESULT_REMOVED,
            subject=key_result.title,
            reason=reason,
        )


@transaction.atomic
def key_result_move(*, key_result: KeyResult, direction: str, actor: User | None = None) -> None:
    """Swap a key result with its neighbour above ("up") or below ("down")."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Move a key result up or down."))
    objective = lock_objective(key_result.objective_id)
    ensure_key_results_editable(objective, changes_commitment=False, reason="")
    ordered = list(objective.key_results.order_by("position", "id"))
    index = next(i for i, kr in enumerate(ordered) if kr.pk == key_result.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, kr in enumerate(ordered, start=1):
        if kr.position != position:
            KeyResult.objects.filter(pk=kr.pk).update(position=position)
    event_record(
        objective=objective,
        actor=actor,
        verb=ObjectiveEvent.Verb.KEY_RESULTS_REORDERED,
        subject=key_result.title,
        key_result=key_result,
        changes={"position": [str(index + 1), str(other + 1)]},
    )


def key_result_record(
    *,
    key_result: KeyResult,
    value: Decimal,
    confidence: int | None,
    comment: str,
    author: User | None,
    week: date | None = None,
    expected_version: int | None = None,
) -> KeyResultUpdate:
    """Record a new value (and confidence) for a key result: a new row in its
    append-only history, which the key result's current value then follows.

    A team's key results are updated once its objective is committed. With
    `expected_version` (the API's, which the client last read) the value is recorded only
    while the key result still has that version: otherwise `StaleEdit` carries it as now
    stored, and nothing is written.
    """
    with transaction.atomic():
        objective = lock_objective(key_result.objective_id)
        if expected_version is not None:
            # Every write to the key result holds the objective's lock: the version read
            # here cannot move before this write commits.
            current = KeyResult.objects.select_related("objective__cycle", "owner").get(
                pk=key_result.pk
            )
            if current.version != expected_version:
                raise StaleEdit(current)
        ensure_open(objective.cycle)
        if not objective.is_company and objective.state != Objective.State.COMMITTED:
            raise ValidationError(
                _("Key results are updated once the leaders have committed the objective.")
            )
        update = KeyResultUpdate(
            key_result_id=key_result.pk,
            value=value,
            confidence=confidence,
            comment=comment,
            author=author,
            week_start=week or week_start(timezone.localdate()),
        )
        errors: dict[str, list[str]] = {}
        if key_result.is_milestone and value not in (Decimal(0), Decimal(1)):
            errors["value"] = [_("A milestone is either done (1) or not done (0).")]
        try:
            # The key result and the author are rows already read; the confidence's
            # range is checked by its validators here and by its constraint on save
            # (validating them here would ask the database three more questions).
            update.full_clean(exclude=["key_result", "author"], validate_constraints=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        update.save()
        KeyResult.objects.filter(pk=key_result.pk).update(
            current_value=value,
            confidence=confidence,
            updated_by=author,
            updated_at=timezone.now(),
            version=F("version") + 1,
        )
        # The objective just locked, so the event's listeners read its team without
        # asking again (a check-in submit records one value per key result).
        key_result.objective = objective
        emit(Event.KEY_RESULT_VALUE_RECORDED, update=update, key_result=key_result)
    return update
