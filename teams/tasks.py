"""Thin Celery tasks for people and accounts, and what is left of their email tasks.

Emails go through the outbox now (`teams.emails`, `teams.outbox`). The send tasks the
previous release queued may still arrive after an upgrade: under their old names they
write the outbox rows they stand for, which are then sent as any other, instead of
being dropped as unknown tasks. Remove them in the release after.
"""

from celery import shared_task
from django.core import management
from django.db import transaction

from teams import emails, services
from teams.models import Invitation, Membership
from teams.outbox import outbox_write


@shared_task
def clear_expired_sessions() -> None:
    management.call_command("clearsessions")


@shared_task
def send_password_reset(*, email: str) -> None:
    services.password_reset_request(email=email)


@shared_task
def send_invitation(*, invitation_id: int) -> None:
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is not None:
        with transaction.atomic():
            outbox_write(emails.invitation_rows(invitation))


@shared_task
def send_added_to_team(*, membership_id: int) -> None:
    membership = Membership.objects.filter(pk=membership_id).first()
    if membership is not None:
        with transaction.atomic():
            outbox_write(emails.added_to_team_rows(membership))
