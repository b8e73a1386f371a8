"""The emails about people and teams, sent through the outbox (`teams.outbox`).

For each kind: who gets one (`*_rows`, written by the services in the transaction of
what happened) and what it says (`*_message`, the builder that renders a row when it is
sent, or None when it is no longer wanted), registered in `TeamsConfig.ready`.
"""

import uuid

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.emails import absolute_url, templated_message
from teams import outbox
from teams.invitations import invitation_token
from teams.models import EmailOutbox, Invitation, Membership
from teams.signin import normalize_email

Kind = EmailOutbox.Kind


def invitation_rows(invitation: Invitation) -> list[EmailOutbox]:
    """The link to join, to the invited address (which has no account yet)."""
    return [
        EmailOutbox(
            kind=Kind.INVITATION,
            event=f"invitation:{invitation.pk}",
            address=invitation.email,
            team_id=invitation.team_id,
        )
    ]


def invitation_message(row: EmailOutbox) -> EmailMultiAlternatives | None:
    invitation = (
        Invitation.objects.select_related("team", "invited_by")
        .filter(pk=outbox.event_id(row), accepted_at__isnull=True)
        .first()
    )
    if invitation is None or invitation.is_expired:
        return None  # used or expired meanwhile: the link would not work
    return templated_message(
        name="invitation",
        to=row.to,
        context={
            "invitation": invitation,
            "team": invitation.team,
            "inviter": invitation.invited_by,
            "accept_url": absolute_url(
                reverse("teams:invitation-accept", args=[invitation_token(invitation)])
            ),
        },
    )


def added_to_team_rows(membership: Membership) -> list[EmailOutbox]:
    """Someone with an account was put in a team: they hear so."""
    return [
        EmailOutbox(
            kind=Kind.ADDED_TO_TEAM,
            event=f"membership:{membership.pk}",
            recipient_id=membership.user_id,
            team_id=membership.team_id,
        )
    ]


def added_to_team_message(row: EmailOutbox) -> EmailMultiAlternatives | None:
    membership = (
        Membership.objects.select_related("team", "user").filter(pk=outbox.event_id(row)).first()
    )
    if membership is None:
        return None  # taken out again meanwhile
    return templated_message(
        name="added_to_team",
        to=row.to,
        context={
            "membership": membership,
            "team": membership.team,
            "team_url": absolute_url(reverse("dashboard:team-detail", args=[membership.team.slug])),
        },
    )


def password_reset_rows(email: str) -> list[EmailOutbox]:
    """One row per request, to the address as typed (normalized), whether or not an
    account uses it: the builder decides, on the worker, so the request does the same
    work either way."""
    return [
        EmailOutbox(
            kind=Kind.PASSWORD_RESET, event=f"reset:{uuid.uuid4()}", address=normalize_email(email)
        )
    ]


def password_reset_message(row: EmailOutbox) -> EmailMultiAlternatives | None:
    """A single-use link to choose a new password, to the active account using the
    address; None (the row is skipped) when no account does."""
    user = next(iter(PasswordResetForm().get_users(row.address)), None)
    if user is None:
        return None
    return templated_message(
        name="password_reset",
        to=user.email,
        context={
            "user": user,
            "email": user.email,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def register() -> None:
    outbox.register(Kind.INVITATION, invitation_message)
    outbox.register(Kind.ADDED_TO_TEAM, added_to_team_message)
    outbox.register(Kind.PASSWORD_RESET, password_reset_message)
