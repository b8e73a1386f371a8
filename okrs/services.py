"""Every write to cycles, objectives and key results goes through here."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from core.numbers import plain_number
from okrs.models import (
    MAX_KEY_RESULTS,
    Cycle,
    KeyResult,
    KeyResultUpdate,
    Objective,
    ObjectiveEvent,
)
from okrs.weeks import week_start
from teams.models import User


class StaleEdit(Exception):  # noqa: N818 - the product's word for it
    """The record changed since the editor loaded it; nothing was saved."""

    def __init__(self, current: KeyResult | Objective):
        super().__init__("Someone else saved a change first.")
        self.current = current


@dataclass(frozen=True)
class KeyResultData:
    title: str
    kind: str
    start_value: Decimal
    target_value: Decimal
    current_value: Decimal
    unit: str
    owner: User | None


def _full_clean(instance, *, exclude: list[str] | None = None) -> None:
    instance.full_clean(exclude=exclude, validate_constraints=True)


@transaction.atomic
def cycle_create(*, name: str, start_date: date, end_date: date) -> Cycle:
    """Open a new cycle in planning."""
    cycle = Cycle(name=name, start_date=start_date, end_date=end_date)
    _full_clean(cycle)
    cycle.save()
    return cycle


@transaction.atomic
def cycle_update(*, cycle: Cycle, name: str, start_date: date, end_date: date) -> Cycle:
    """Rename a cycle or move its dates; a closed cycle stays as it was."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.is_closed:
        raise ValidationError("This cycle is closed and can no longer be changed.")
    cycle.name, cycle.start_date, cycle.end_date = name, start_date, end_date
    _full_clean(cycle)
    cycle.save()
    return cycle


def cycle_activate(*, cycle: Cycle) -> Cycle:
    """Make a planned cycle the active one; only one cycle is active at a time."""
    try:
        with transaction.atomic():
            cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
            if cycle.status != Cycle.Status.PLANNING:
                raise ValidationError("Only a cycle in planning can be made active.")
            if Cycle.objects.filter(status=Cycle.Status.ACTIVE).exists():
                raise ValidationError("Another cycle is already active. Close it first.")
            cycle.status = Cycle.Status.ACTIVE
            cycle.save(update_fields=["status"])
    except IntegrityError as error:
        # Two leaders activating two cycles at once: the database keeps one.
        raise ValidationError("Another cycle is already active. Close it first.") from error
    return cycle


@transaction.atomic
def cycle_close(*, cycle: Cycle) -> Cycle:
    """Close the active cycle or one in review: it becomes read-only for everyone."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status not in (Cycle.Status.ACTIVE, Cycle.Status.REVIEW):
        raise ValidationError("Only the active cycle or one in review can be closed.")
    cycle.status = Cycle.Status.CLOSED
    cycle.save(update_fields=["status"])
    return cycle


CLOSED_MESSAGE = "This cycle is closed and can no longer be changed."
REVIEW_MESSAGE = (
    "This cycle is in review: its OKRs are frozen; only scores and retrospectives can still change."
)


def _ensure_open(cycle: Cycle) -> None:
    """OKRs change while their cycle is planned or active, not in review or closed."""
    if cycle.is_closed:
        raise ValidationError(CLOSED_MESSAGE)
    if cycle.in_review:
        raise ValidationError(REVIEW_MESSAGE)


def ensure_not_closed(cycle: Cycle) -> None:
    """Discussion, experiments' results and the review go on until the cycle closes."""
    if cycle.is_closed:
        raise ValidationError(CLOSED_MESSAGE)


def company_objective_create(
    *, cycle: Cycle, title: str, context: str, actor: User | None = None
) -> Objective:
    """Write the cycle's one company objective."""
    _ensure_open(cycle)
    objective = Objective(
        cycle=cycle,
        level=Objective.Level.COMPANY,
        title=title,
        context=context,
        state=Objective.State.COMMITTED,
    )
    _full_clean(objective)
    try:
        with transaction.atomic():
            objective.save()
    except IntegrityError as error:
        # The check above and the insert race with a second leader; the
        # database's unique constraint has the last word.
        raise ValidationError("This cycle already has its company objective.") from error
    _record(objective=objective, actor=actor, verb=ObjectiveEvent.Verb.DEFINED, subject=title)
    return objective


def _record(
    *,
    objective: Objective,
    actor: User | None,
    verb: str,
    subject: str = "",
    changes: dict | None = None,
    reason: str = "",
    key_result: KeyResult | None = None,
) -> ObjectiveEvent:
    return ObjectiveEvent.objects.create(
        objective=objective,
        key_result=key_result,
        actor=actor,
        verb=verb,
        subject=subject[:200],
        changes=changes or {},
        reason=reason,
    )


def _shown(value) -> str:
    if isinstance(value, Decimal):
        return plain_number(value)
    return "" if value is None else str(value)


def _changes(before, after, fields: list[str]) -> dict[str, list[str]]:
    """{field: [before, after]} for the fields whose value differs."""
    return {
        name: [_shown(getattr(before, name)), _shown(getattr(after, name))]
        for name in fields
        if getattr(before, name) != getattr(after, name)
    }


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
    _full_clean(candidate, exclude=["cycle", "team"])


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
    _ensure_open(objective.cycle)
    state = Objective.objects.values_list("state", flat=True).get(pk=objective.pk)
    if state == Objective.State.PROPOSED:
        raise ValidationError(
            "A proposed objective is accepted (reworded as you see fit) or declined, not edited."
        )
    if state == Objective.State.ARCHIVED:
        raise ValidationError("An archived objective no longer changes.")
    if objective.is_company:
        aligned_to = None
    elif aligned_to is None:
        aligned_to = objective.aligned_to
    validate_objective_text(objective, title=title, context=context, aligned_to=aligned_to)
    if aligned_to is not None:
        _ensure_aligns_within_cycle(aligned_to, objective.cycle)
    before = Objective.objects.get(pk=objective.pk)
    updated = Objective.objects.filter(pk=objective.pk, version=expected_version).update(
        title=title, context=context, aligned_to=aligned_to, version=F("version") + 1
    )
    current = Objective.objects.select_related("cycle", "team", "aligned_to").get(pk=objective.pk)
    if not updated:
        raise StaleEdit(current)
    changes = _changes(before, current, ["title", "context", "aligned_to"])
    if changes:
        _record(
            objective=current,
            actor=actor,
            verb=ObjectiveEvent.Verb.REWORDED,
            subject=current.title,
            changes=changes,
        )
    return current


def _ensure_aligns_within_cycle(key_result: KeyResult, cycle: Cycle) -> None:
    objective = key_result.objective
    if objective.level != Objective.Level.COMPANY or objective.cycle_id != cycle.pk:
        raise ValidationError(
            {"aligned_to": ["Choose a key result of this cycle's company objective."]}
        )


COMMITMENT_FIELDS = ["kind", "start_value", "target_value"]


def _lock_objective(objective_id: int) -> Objective:
    # Lock only the objective's row: PostgreSQL cannot lock the nullable side of the
    # outer join to its team.
    return (
        Objective.objects.select_for_update(of=("self",))
        .select_related("cycle", "team")
        .get(pk=objective_id)
    )


def _ensure_key_results_editable(
    objective: Objective, *, changes_commitment: bool, reason: str
) -> None:
    """The workflow's rules for changing a team's key results."""
    _ensure_open(objective.cycle)
    if objective.is_company:
        return
    state = objective.state
    if state == Objective.State.PROPOSED:
        raise ValidationError(
            "A leader first accepts the proposed objective; then draft its key results."
        )
    if state == Objective.State.SUBMITTED:
        raise ValidationError(
            "The key results are with the leaders for review. Wait for their challenge "
            "or commitment before changing them."
        )
    if state == Objective.State.ARCHIVED:
        raise ValidationError("This objective is archived.")
    if state == Objective.State.COMMITTED and changes_commitment and not reason.strip():
        raise ValidationError(
            {"reason": ["The key results are committed: say why you change them."]}
        )


def _validate_key_result(key_result: KeyResult) -> None:
    errors: dict[str, list[str]] = {}
    if key_result.is_milestone:
        # A milestone is done (1) or not (0).
        key_result.start_value, key_result.target_value = Decimal(0), Decimal(1)
        if key_result.current_value not in (Decimal(0), Decimal(1)):
            errors["current_value"] = ["A milestone is either done (1) or not done (0)."]
    else:
        start, target = key_result.start_value, key_result.target_value
        if key_result.kind in (KeyResult.Kind.INCREASE, KeyResult.Kind.DECREASE):
            if target == start:
                errors["target_value"] = [
                    "The target must differ from the start: there is nothing to move."
                ]
            elif key_result.kind == KeyResult.Kind.INCREASE and target < start:
                errors["target_value"] = [
                    "To increase, the target must be above the start value "
                    "(or choose “Decrease to”)."
                ]
            elif key_result.kind == KeyResult.Kind.DECREASE and target > start:
                errors["target_value"] = [
                    "To decrease, the target must be below the start value "
                    "(or choose “Increase to”)."
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
        objective = (
            Objective.objects.select_for_update().select_related("cycle").get(pk=objective.pk)
        )
        _ensure_key_results_editable(objective, changes_commitment=True, reason=reason)
        existing = objective.key_results.aggregate(n=Count("id"), last=Max("position"))
        if existing["n"] >= MAX_KEY_RESULTS:
            raise ValidationError(
                f"An objective has at most {MAX_KEY_RESULTS} key results: focus beats breadth."
            )
        key_result = KeyResult(
            objective=objective,
            position=(existing["last"] or 0) + 1,
            title=data.title,
            kind=data.kind,
            start_value=data.start_value,
            target_value=data.target_value,
            current_value=data.current_value,
            unit=data.unit,
            owner=data.owner,
            updated_by=actor,
        )
        _validate_key_result(key_result)
        key_result.save()
        _record(
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
    objective = _lock_objective(key_result.objective_id)
    candidate = KeyResult(
        pk=key_result.pk,
        objective=objective,
        position=key_result.position,
        title=data.title,
        kind=data.kind,
        start_value=data.start_value,
        target_value=data.target_value,
        current_value=data.current_value,
        unit=data.unit,
        owner=data.owner,
    )
    candidate._state.adding = False
    _validate_key_result(candidate)
    before = KeyResult.objects.select_related("owner").get(pk=key_result.pk)
    _ensure_key_results_editable(
        objective,
        changes_commitment=bool(_changes(before, candidate, COMMITMENT_FIELDS)),
        reason=reason,
    )
    updated = KeyResult.objects.filter(pk=key_result.pk, version=expected_version).update(
        title=candidate.title,
        kind=candidate.kind,
        start_value=candidate.start_value,
        target_value=candidate.target_value,
        current_value=candidate.current_value,
        unit=candidate.unit,
        owner=candidate.owner,
        updated_by=actor,
        version=F("version") + 1,
    )
    current = KeyResult.objects.select_related("objective__cycle", "owner").get(pk=key_result.pk)
    if not updated:
        raise StaleEdit(current)
    changes = _changes(before, current, [*KEY_RESULT_FIELDS])
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
        _record(
            objective=objective,
            actor=actor,
            verb=ObjectiveEvent.Verb.KEY_RESULT_CHANGED,
            subject=current.title,
            key_result=current,
            changes=changes,
            reason=reason,
        )
    return current


KEY_RESULT_FIELDS = [
    "title",
    "kind",
    "start_value",
    "target_value",
    "current_value",
    "unit",
    "owner",
]


@transaction.atomic
def key_result_delete(
    *, key_result: KeyResult, actor: User | None = None, reason: str = ""
) -> None:
    """Remove a key result from its objective."""
    objective = _lock_objective(key_result.objective_id)
    _ensure_key_results_editable(objective, changes_commitment=True, reason=reason)
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
        _record(
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
        raise ValidationError("Move a key result up or down.")
    objective = (
        Objective.objects.select_for_update()
        .select_related("cycle")
        .get(pk=key_result.objective_id)
    )
    _ensure_key_results_editable(objective, changes_commitment=False, reason="")
    ordered = list(objective.key_results.order_by("position", "id"))
    index = next(i for i, kr in enumerate(ordered) if kr.pk == key_result.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, kr in enumerate(ordered, start=1):
        if kr.position != position:
            KeyResult.objects.filter(pk=kr.pk).update(position=position)


def key_result_record(
    *,
    key_result: KeyResult,
    value: Decimal,
    confidence: int | None,
    comment: str,
    author: User | None,
    week: date | None = None,
) -> KeyResultUpdate:
    """Record a new value (and confidence) for a key result: a new row in its
    append-only history, which the key result's current value then follows.

    A team's key results are updated once its objective is committed.
    """
    with transaction.atomic():
        objective = _lock_objective(key_result.objective_id)
        _ensure_open(objective.cycle)
        if not objective.is_company and objective.state != Objective.State.COMMITTED:
            raise ValidationError(
                "Key results are updated once the leaders have committed the objective."
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
            errors["value"] = ["A milestone is either done (1) or not done (0)."]
        try:
            update.full_clean(exclude=["key_result"])
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
            version=F("version") + 1,
        )
    return update
