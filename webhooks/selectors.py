"""The webhooks' reads: endpoints with their latest delivery, and an endpoint's
deliveries (the newest first)."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from teams.models import Team
from webhooks.models import Delivery, Endpoint

DELIVERIES_SHOWN = 50


def endpoints_listed(*, team: Team | None, all_teams: bool = False) -> QuerySet[Endpoint]:
    """The company's endpoints (`team` None), a team's, or every team's (`all_teams`),
    each with its failed and waiting deliveries counted and its last delivery's status."""
    latest = Delivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-id")
    endpoints = Endpoint.objects.annotate(
        failed_count=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
        waiting_count=Count(
            "deliveries",
            filter=Q(deliveries__status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]),
        ),
        last_status=Subquery(latest.values("status")[:1]),
        last_code=Subquery(latest.values("last_status_code")[:1]),
    ).order_by("team__name", "id")
    if all_teams:
        return endpoints.filter(team__isnull=False).select_related("team")
    if team is None:
        return endpoints.filter(team__isnull=True)
    return endpoints.filter(team=team)


def deliveries_of(endpoint: Endpoint, *, limit: int = DELIVERIES_SHOWN) -> list[Delivery]:
    return list(
        Delivery.objects.filter(endpoint=endpoint)
        .defer("payload")
        .order_by("-created_at", "-id")[:limit]
    )
