"""The objective's history: who changed what, when and why (`ObjectiveEvent`)."""

from decimal import Decimal

from core.numbers import plain_number
from okrs.models import (
    KeyResult,
    Objective,
    ObjectiveEvent,
)
from teams.models import User


def event_record(
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


def shown(value) -> str:
    if isinstance(value, Decimal):
        return plain_number(value)
    return "" if value is None else str(value)


def changed_fields(before, after, fields: list[str]) -> dict[str, list[str]]:
    """{field: [before, after]} for the fields whose value differs."""
    return {
        name: [shown(getattr(before, name)), shown(getattr(after, name))]
        for name in fields
        if getattr(before, name) != getattr(after, name)
    }
