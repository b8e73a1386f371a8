"""Who may manage which webhooks: leaders every endpoint (the company's and each
team's), a team's leads their team's. Views (and the API) ask here: 404 for what does
not exist, 403 for who may not."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from teams.access import (
    AnyUser,
    get_team_for_spokesperson,
    is_leader,
    require_leader,
    speaks_for_team,
)
from teams.models import Team
from webhooks.models import Delivery, Endpoint


def require_leader_for_company(user: AnyUser) -> None:
    require_leader(user, _("Only leaders manage the company's webhooks."))


def get_team_for_webhooks(user: AnyUser, slug: str) -> Team:
    return get_team_for_spokesperson(
        user, slug, _("Leaders and the team's leads manage its webhooks.")
    )


def may_manage(user: AnyUser, endpoint: Endpoint) -> bool:
    if endpoint.team_id is None:
        return is_leader(user)
    return speaks_for_team(user, endpoint.team)


def get_endpoint_for_manager(user: AnyUser, endpoint_id: int) -> Endpoint:
    endpoint = get_object_or_404(Endpoint.objects.select_related("team"), pk=endpoint_id)
    if not may_manage(user, endpoint):
        raise PermissionDenied(_("Only who manages this webhook may see or change it."))
    return endpoint


def get_delivery_for_manager(
    user: AnyUser, endpoint_id: int, delivery_id: int
) -> tuple[Endpoint, Delivery]:
    endpoint = get_endpoint_for_manager(user, endpoint_id)
    delivery = get_object_or_404(Delivery, pk=delivery_id, endpoint=endpoint)
    delivery.endpoint = endpoint
    return endpoint, delivery
