"""The webhooks' one email: an endpoint was paused after a day of failed deliveries."""

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from core.emails import absolute_url, templated_message
from teams import outbox
from teams.models import EmailOutbox, Membership, User
from webhooks.access import may_manage
from webhooks.models import Endpoint

Kind = EmailOutbox.Kind


def _owners(endpoint: Endpoint) -> list[int]:
    """Who registered it, while they still may manage it; else who may."""
    creator = endpoint.created_by
    if creator is not None and creator.is_active and may_manage(creator, endpoint):
        return [creator.pk]
    if endpoint.team_id is not None:
        leads = Membership.objects.filter(
            team_id=endpoint.team_id, role=Membership.Role.LEAD, user__is_active=True
        ).values_list("user_id", flat=True)
        if leads:
            return list(leads)
    return list(User.objects.filter(is_leader=True, is_active=True).values_list("id", flat=True))


def paused_rows(endpoint: Endpoint) -> list[EmailOutbox]:
    event = f"webhook:{endpoint.pk}:{int(endpoint.paused_at.timestamp())}"
    return [
        EmailOutbox(kind=Kind.WEBHOOK_PAUSED, event=event, recipient_id=user_id)
        for user_id in _owners(endpoint)
    ]


def paused_message(row: EmailOutbox) -> EmailMultiAlternatives | None:
    endpoint_id = int(row.event.split(":")[1])
    endpoint = Endpoint.objects.select_related("team").filter(pk=endpoint_id).first()
    if endpoint is None or endpoint.is_active:
        return None  # removed or resumed meanwhile
    return templated_message(
        name="webhook_paused",
        to=row.to,
        context={
            "endpoint": endpoint,
            "url": absolute_url(reverse("webhooks:endpoint", args=[endpoint.pk])),
        },
    )


def register() -> None:
    outbox.register(Kind.WEBHOOK_PAUSED, paused_message)
