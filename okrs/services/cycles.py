"""Cycles: opened in planning, made active, closed."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.events import Event, emit
from okrs.models import (
    Cycle,
)
from okrs.services.rules import CLOSED_MESSAGE, full_clean
from teams.audit import audit_record
from teams.models import AuditEvent, User


@transaction.atomic
def cycle_create(*, name: str, start_date: date, end_date: date) -> Cycle:
    """Open a new cycle in planning."""
    cycle = Cycle(name=name, start_date=start_date, end_date=end_date)
    full_clean(cycle)
    cycle.save()
    return cycle


@transaction.atomic
def cycle_update(*, cycle: Cycle, name: str, start_date: date, end_date: date) -> Cycle:
    """Rename a cycle or move its dates; a closed cycle stays as it was."""
    cycle = Cycle.objects.select_for_update(no_key=True).get(pk=cycle.pk)
    if cycle.is_closed:
        raise ValidationError(CLOSED_MESSAGE)
    cycle.name, cycle.start_date, cycle.end_date = name, start_date, end_date
    full_clean(cycle)
    cycle.save()
    return cycle


def cycle_activate(*, cycle: Cycle) -> Cycle:
    """Make a planned cycle the active one; only one cycle is active at a time."""
    try:
        with transaction.atomic():
            cycle = Cycle.objects.select_for_update(no_key=True).get(pk=cycle.pk)
            if cycle.status != Cycle.Status.PLANNING:
                raise ValidationError(_("Only a cycle in planning can be made active."))
            if Cycle.objects.filter(status=Cycle.Status.ACTIVE).exists():
                raise ValidationError(_("Another cycle is already active. Close it first."))
            cycle.status = Cycle.Status.ACTIVE
            cycle.save(update_fields=["status"])
    except IntegrityError as error:
        # Two leaders activating two cycles at once: the database keeps one.
        raise ValidationError(_("Another cycle is already active. Close it first.")) from error
    return cycle


@transaction.atomic
def cycle_close(
    *,
    cycle: Cycle,
    actor: User | None = None,
    ip_address: str | None = None,
    why: str = "",
) -> Cycle:
    """Close the active cycle or one in review: it becomes read-only for everyone."""
    cycle = Cycle.objects.select_for_update(no_key=True).get(pk=cycle.pk)
    if cycle.status not in (Cycle.Status.ACTIVE, Cycle.Status.REVIEW):
        raise ValidationError(_("Only the active cycle or one in review can be closed."))
    cycle.status = Cycle.Status.CLOSED
    cycle.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CYCLE_CLOSED,
        subject=f"{cycle.name} ({why})" if why else cycle.name,
        ip_address=ip_address,
    )
    emit(Event.CYCLE_CLOSED, cycle=cycle)
    return cycle
