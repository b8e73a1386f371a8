"""The signed token in an invitation link: made when the email is sent, read when the
link is opened. Its own module, so the email and the services both use it and neither
needs the other."""

from django.core import signing

from teams.models import Invitation

INVITATION_SALT = "teams.invitation"


def invitation_token(invitation: Invitation) -> str:
    """The signed token in the invitation link: it names the invitation and cannot be
    guessed or altered without the SECRET_KEY."""
    return signing.dumps(
        {"id": invitation.pk, "email": invitation.email}, salt=INVITATION_SALT, compress=True
    )


class InvitationInvalid(Exception):  # noqa: N818 - reads as the page it leads to
    """The link is tampered with, used, or expired; `reason` says which."""

    def __init__(self, reason: str, invitation: Invitation | None = None):
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


def invitation_from_token(token: str) -> Invitation:
    """The open invitation a token names, or InvitationInvalid."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT)
        invitation = Invitation.objects.select_related("team").get(
            pk=payload["id"], email=payload["email"]
        )
    except (signing.BadSignature, Invitation.DoesNotExist, KeyError, TypeError):
        raise InvitationInvalid("invalid") from None
    if invitation.is_used:
        raise InvitationInvalid("used", invitation)
    if invitation.is_expired:
        raise InvitationInvalid("expired", invitation)
    return invitation
