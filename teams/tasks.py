"""Thin Celery tasks for people and accounts: they take ids and call a function."""

from celery import shared_task
from django.core import management

from core.tasks import RETRY
from teams import emails
from teams.models import Invitation, Membership


@shared_task(**RETRY)
def send_password_reset(*, email: str) -> None:
    """The reset link to the account using `email`, if any (decided here, off the
    request, so the request does the same work either way)."""
    emails.send_password_reset(email)


@shared_task(**RETRY)
def send_invitation(*, invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_related("team", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True)
        .first()
    )
    if invitation is not None:
        emails.send_invitation(invitation)


@shared_task(**RETRY)
def send_added_to_team(*, membership_id: int) -> None:
    membership = Membership.objects.select_related("team", "user").filter(pk=membership_id).first()
    if membership is not None:
        emails.send_added_to_team(membership)


@shared_task
def clear_expired_sessions() -> None:
    management.call_command("clearsessions")
