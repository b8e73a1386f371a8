"""Every write to cycles, objectives and key results goes through here."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max

from okrs.models import MAX_KEY_RESULTS, Cycle, KeyResult, Objective
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
    """Close an active cycle: it becomes read-only."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status != Cycle.Status.ACTIVE:
        raise ValidationError("Only the active cycle can be closed.")
    cycle.status = Cycle.Status.CLOSED
    cycle.save(update_fields=["status"])
    return cycle


def _ensure_open(cycle: Cycle) -> None:
    if cycle.is_closed:
        raise ValidationError("This cycle is closed and can no longer be changed.")


def company_objective_create(*, cycle: Cycle, title: str, context: str) -> Objective:
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
    return objective


@transaction.atomic
def objective_update(
    *, objective: Objective, title: str, context: str, expected_version: int
) -> Objective:
    """Reword an objective unless someone else saved it since `expected_version`."""
    _ensure_open(objective.cycle)
    candidate = Objective(
        pk=objective.pk,
        cycle=objective.cycle,
        level=objective.level,
        team=objective.team,
        title=title,
        context=context,
        state=objective.state,
    )
    candidate._state.adding = False
    _full_clean(candidate, exclude=["cycle", "team"])
    updated = Objective.objects.filter(pk=objective.pk, version=expected_version).update(
        title=title, context=context, version=F("version") + 1
    )
    current = Objective.objects.select_related("cycle").get(pk=objective.pk)
    if not updated:
        raise StaleEdit(current)
    return current


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


def key_result_create(*, objective: Objective, data: KeyResultData) -> KeyResult:
    """Add a key result at the end of the objective's list (at most five)."""
    with transaction.atomic():
        # Lock the objective so two people adding a sixth at once cannot both pass.
        objective = (
            Objective.objects.select_for_update().select_related("cycle").get(pk=objective.pk)
        )
        _ensure_open(objective.cycle)
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
        )
        _validate_key_result(key_result)
        key_result.save()
    return key_result


@transaction.atomic
def key_result_update(
    *, key_result: KeyResult, data: KeyResultData, expected_version: int
) -> KeyResult:
    """Save a key result unless someone else saved it since `expected_version`.

    A stale save raises `StaleEdit` carrying the current values; nothing is written.
    """
    _ensure_open(key_result.objective.cycle)
    candidate = KeyResult(
        pk=key_result.pk,
        objective=key_result.objective,
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
    updated = KeyResult.objects.filter(pk=key_result.pk, version=expected_version).update(
        title=candidate.title,
        kind=candidate.kind,
        start_value=candidate.start_value,
        target_value=candidate.target_value,
        current_value=candidate.current_value,
        unit=candidate.unit,
        owner=candidate.owner,
        version=F("version") + 1,
    )
    current = KeyResult.objects.select_related("objective__cycle", "owner").get(pk=key_result.pk)
    if not updated:
        raise StaleEdit(current)
    return current


@transaction.atomic
def key_result_delete(*, key_result: KeyResult) -> None:
    """Remove a key result from its objective."""
    _ensure_open(key_result.objective.cycle)
    KeyResult.objects.filter(pk=key_result.pk).delete()


@transaction.atomic
def key_result_move(*, key_result: KeyResult, direction: str) -> None:
    """Swap a key result with its neighbour above ("up") or below ("down")."""
    if direction not in ("up", "down"):
        raise ValidationError("Move a key result up or down.")
    objective = (
        Objective.objects.select_for_update()
        .select_related("cycle")
        .get(pk=key_result.objective_id)
    )
    _ensure_open(objective.cycle)
    ordered = list(objective.key_results.order_by("position", "id"))
    index = next(i for i, kr in enumerate(ordered) if kr.pk == key_result.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, kr in enumerate(ordered, start=1):
        if kr.position != position:
            KeyResult.objects.filter(pk=kr.pk).update(position=position)
