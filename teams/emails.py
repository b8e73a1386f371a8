"""One function per email about people and teams."""

from django.urls import reverse

from core.emails import absolute_url, send_templated_email
from teams.invitations import invitation_token
from teams.models import Invitation, Membership


def send_invitation(invitation: Invitation) -> int:
    return send_templated_email(
        name="invitation",
        to=[invitation.email],
        context={
            "invitation": invitation,
            "team": invitation.team,
            "inviter": invitation.invited_by,
            "accept_url": absolute_url(
                reverse("teams:invitation-accept", args=[invitation_token(invitation)])
            ),
        },
    )


def send_added_to_team(membership: Membership) -> int:
    return send_templated_email(
        name="added_to_team",
        to=[membership.user.email],
        context={
            "membership": membership,
            "team": membership.team,
            "team_url": absolute_url(reverse("dashboard:team-detail", args=[membership.team.slug])),
        },
    )


def send_password_reset(email: str) -> int:
    """A single-use link to choose a new password, to each active account using `email`
    (nobody, when no account does)."""
    from django.contrib.auth.forms import PasswordResetForm
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    sent = 0
    for user in PasswordResetForm().get_users(email):
        sent += send_templated_email(
            name="password_reset",
            to=[user.email],
            context={
                "user": user,
                "email": user.email,
                "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    return sent
