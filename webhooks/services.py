"""Every write of the webhooks app: endpoints (registered, changed, paused, resumed,
removed) and deliveries (written when an event happens, sent again, tested).

`deliveries_for_event` listens to `core.events` (subscribed in `WebhooksConfig.ready`):
it runs in the transaction of the write that emitted the event, so a delivery row is
saved with what it tells, or not at all; the send tasks are published once it commits.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.versioning import versioned_update
from teams.audit import audit_record
from teams.models import AuditEvent, Team, User
from webhooks import payloads, signing
from webhooks.delivery import deliveries_publish
from webhooks.models import EVENT_LABELS, TEST_EVENT, Delivery, Endpoint
from webhooks.safety import UnsafeURL, check_url


def _message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def _clean(*, url: str, events: list[str], format: str, description: str) -> None:
    errors: dict[str, list[str]] = {}
    try:
        check_url(url)
    except UnsafeURL as error:
        errors["url"] = [str(error)]
    if not events or not set(events) <= {str(e) for e in EVENT_LABELS}:
        errors["events"] = [_("Choose at least one event to send.")]
    if format not in Endpoint.Format.values:
        errors["format"] = [_("Choose one of the formats.")]
    if len(description) > 100:
        errors["description"] = [_("Keep the name under 100 characters.")]
    if errors:
        raise ValidationError(errors)


def _in_order(events: list[str]) -> list[str]:
    """The chosen events, in the order the app lists them."""
    return [str(e) for e in EVENT_LABELS if str(e) in events]


def endpoint_create(
    *,
    team: Team | None,
    url: str,
    events: list[str],
    format: str,
    description: str,
    actor: User,
    ip_address: str | None = None,
) -> Endpoint:
    """Register an endpoint (the company's when `team` is None) with a new secret. The
    address is checked (a DNS lookup) before the transaction opens."""
    _clean(url=url, events=events, format=format, description=description)
    with transaction.atomic():
        endpoint = Endpoint(
            team=team,
            url=url,
            events=_in_order(events),
            format=format,
            description=description,
            secret=signing.new_secret(),
            created_by=actor,
        )
        endpoint.full_clean()
        endpoint.save()
        audit_record(
            actor=actor,
            action=AuditEvent.Action.WEBHOOK_ADDED,
            subject=f"{team or _('Company')}: {url}",
            ip_address=ip_address,
        )
    return endpoint


def endpoint_update(
    *,
    endpoint: Endpoint,
    url: str,
    events: list[str],
    format: str,
    description: str,
    expected_version: int,
    actor: User,
    ip_address: str | None = None,
) -> Endpoint:
    """Change an endpoint unless someone saved it since `expected_version` (raises
    `core.versioning.StaleEdit` with the stored endpoint), audited like adding one: the
    address decides where signed OKR data goes. The address is checked (a DNS lookup)
    before the transaction opens."""
    _clean(url=url, events=events, format=format, description=description)
    changes = {"url": url, "events": _in_order(events), "format": format}
    changes["description"] = description
    with transaction.atomic():
        changed = versioned_update(
            Endpoint.objects.select_related("team"),
            pk=endpoint.pk,
            expected_version=expected_version,
            values=changes,
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.WEBHOOK_CHANGED,
            subject=f"{changed.team or _('Company')}: {changed.url}",
            ip_address=ip_address,
        )
    return changed


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint, actor: User, ip_address: str | None = None) -> None:
    """Remove an endpoint and its deliveries."""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.WEBHOOK_REMOVED,
        subject=f"{endpoint.team or _('Company')}: {endpoint.url}",
        ip_address=ip_address,
    )
    endpoint.delete()


@transaction.atomic
def endpoint_pause(*, endpoint: Endpoint, reason: str) -> bool:
    """Stop sending to an endpoint (its pending deliveries wait); False if it was."""
    return bool(
        Endpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
            is_active=False, paused_at=timezone.now(), paused_reason=reason[:300]
        )
    )


@transaction.atomic
def endpoint_resume(*, endpoint: Endpoint) -> None:
    """Send again: the deliveries that waited are due now, with a new day of retries.
    An endpoint that is not paused is left as it is (its deliveries keep their retries).
    Exactly the deliveries read are marked and published: one that became pending in
    between waits for the next resume or the sweep, never marked and left unsent."""
    now = timezone.now()
    resumed = Endpoint.objects.filter(pk=endpoint.pk, is_active=False).update(
        is_active=True, paused_at=None, paused_reason=""
    )
    if not resumed:
        return
    ids = list(
        Delivery.objects.filter(endpoint=endpoint, status=Delivery.Status.PENDING).values_list(
            "id", flat=True
        )
    )
    Delivery.objects.filter(pk__in=ids).update(
        next_attempt_at=now, retry_until=now + _retry_for(), enqueued_at=now, attempts=0
    )
    _publish_on_commit(ids, now)


def _retry_for() -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_RETRY_FOR)


def _publish_on_commit(ids: list[int], enqueued_at: datetime) -> None:
    if ids:
        transaction.on_commit(lambda: deliveries_publish(ids, enqueued_at=enqueued_at))


def _write(endpoints: list[Endpoint], event: str, payload: dict[str, Any]) -> list[int]:
    now = timezone.now()
    rows = [
        Delivery(
            endpoint=endpoint,
            message_id=_message_id(),
            event=str(event),
            payload=payload,
            retry_until=now + _retry_for(),
            next_attempt_at=now,
            enqueued_at=now,
        )
        for endpoint in endpoints
    ]
    created = Delivery.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    if not all(ids):  # a backend that gives no ids back: read them by message id
        ids = list(
            Delivery.objects.filter(message_id__in=[r.message_id for r in rows]).values_list(
                "id", flat=True
            )
        )
    _publish_on_commit(ids, now)
    return ids


def deliveries_for_event(event: str, **subjects: Any) -> list[int]:
    """One delivery per active endpoint that wants `event` and may hear of it (the
    company's, and the teams' it is about), in the caller's transaction. One query when
    nobody listens."""
    team_ids = payloads.subject_teams(event, **subjects)
    endpoints = Endpoint.objects.filter(is_active=True).only("id", "events", "team_id")
    if team_ids is not payloads.ALL_TEAMS:
        endpoints = endpoints.filter(Q(team__isnull=True) | Q(team_id__in=team_ids))
    wanted = [e for e in endpoints if str(event) in e.events]
    if not wanted:
        return []
    return _write(wanted, event, payloads.build(event, **subjects))


@transaction.atomic
def delivery_test(*, endpoint: Endpoint) -> Delivery:
    """A test event to the endpoint, whatever it subscribed to."""
    if not endpoint.is_active:
        raise ValidationError(_("This endpoint is paused: resume it before testing."))
    [pk] = _write([endpoint], TEST_EVENT, payloads.test_payload(endpoint))
    return Delivery.objects.get(pk=pk)


@transaction.atomic
def delivery_resend(*, delivery: Delivery) -> Delivery:
    """Send a delivery again (same message id, so a receiver can tell): due now, with a
    new day of retries."""
    if not delivery.endpoint.is_active:
        raise ValidationError(_("This endpoint is paused: resume it before sending again."))
    now = timezone.now()
    updated = Delivery.objects.filter(pk=delivery.pk).exclude(status=Delivery.Status.SENDING)
    if not updated.update(
        status=Delivery.Status.PENDING,
        next_attempt_at=now,
        retry_until=now + _retry_for(),
        enqueued_at=now,
    ):
        raise ValidationError(_("This delivery is being sent right now."))
    _publish_on_commit([delivery.pk], now)
    delivery.refresh_from_db()
    return delivery
