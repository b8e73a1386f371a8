"""Thin Celery tasks for the rhythm: beat's tick (the send task is `delivery`)."""

from celery import shared_task
from django.utils import timezone

from checkins import reminders


@shared_task
def dispatch_reminders() -> None:
    """Beat's tick every five minutes."""
    reminders.dispatch_reminders(now=timezone.now())
