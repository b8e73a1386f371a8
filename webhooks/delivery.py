"""Sending deliveries: claimed, sent, marked, one at a time; retried by the sweep.

Like the email outbox (`teams.outbox`): a send task claims its rows that are due in one
transaction (pending -> sending; whoever changes a row's status sends it), posts each to
its endpoint's checked address (`webhooks.safety.pinned_target`; redirects are not
followed) and marks it at once: delivered on a 2xx, else pending again with its next
attempt after an exponential backoff with jitter, or failed once its day of retries is
over (and the endpoint paused, its owner emailed, when nothing reached it for that day).

**Nothing is lost**: a row is written in the event's transaction; a broker that is down
leaves it with no task on its way and the sweep (beat, every 30 s) publishes it; a
worker that dies leaves its rows claimed and the sweep gives them back once the claim is
older than `WEBHOOK_CLAIM_TIMEOUT`. **Nothing delivered is sent again**, except the one
row a worker was sending when it died (the receiver may have answered 2xx before the
row was marked): at most one repeat per dead worker, with the same `webhook-id`.
"""

import json
import logging
import random
import ssl
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.tasks import publish
from teams.outbox import outbox_write
from webhooks import chat, emails, signing
from webhooks.models import Delivery, Endpoint
from webhooks.safety import Target, UnsafeURL, pinned_target

logger = logging.getLogger(__name__)

SEND_BATCH = 20
SWEEP_BATCH = 500
USER_AGENT = "LeanOKRs-Webhooks/1"


@dataclass
class Outcome:
    delivered: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def summary(self) -> dict:
        return {k: len(v) for k, v in vars(self).items()}


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... up to an hour, each between half and all of it (jitter),
    so a receiver that comes back is not hit by every sender at once."""
    full = min(settings.WEBHOOK_RETRY_MAX_DELAY, 30 * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=random.uniform(full / 2, full))  # noqa: S311 - jitter


def body_of(delivery: Delivery) -> bytes:
    endpoint = delivery.endpoint
    if endpoint.format == Endpoint.Format.STANDARD:
        content = delivery.payload
    else:
        content = chat.message(endpoint.format, delivery.payload)
    return json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()


def _claim(ids: Sequence[int], now: datetime) -> list[Delivery]:
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(
                pk__in=list(ids),
                status=Delivery.Status.PENDING,
                next_attempt_at__lte=now,
                endpoint__is_active=True,
            )
            .order_by("id")
        )
        Delivery.objects.filter(pk__in=[r.pk for r in rows]).update(
            status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    for row in rows:
        row.attempts += 1
    return rows


_clients: OrderedDict[tuple, httpx.Client] = OrderedDict()
_clients_lock = threading.Lock()
_ssl_context: ssl.SSLContext | None = None
KEPT_CLIENTS = 64


def _client(target: Target) -> httpx.Client:
    """A kept client (its connections reused) per checked address and name: building one
    costs 50 ms (the certificates), sending over a kept connection 2 ms. Never shared
    between names: a TLS connection made for one name must not carry another's request."""
    global _ssl_context
    origin = urlsplit(target.url)
    key = (origin.scheme, origin.netloc, target.host_header, target.server_name)
    with _clients_lock:
        client = _clients.get(key)
        if client is not None:
            _clients.move_to_end(key)
            return client
        if _ssl_context is None:
            _ssl_context = ssl.create_default_context()
        # trust_env=False: no proxy from the environment may stand between us and the
        # address that was checked.
        client = httpx.Client(follow_redirects=False, trust_env=False, verify=_ssl_context)
        _clients[key] = client
        while len(_clients) > KEPT_CLIENTS:
            _, oldest = _clients.popitem(last=False)
            oldest.close()
        return client


def _post(delivery: Delivery) -> tuple[int | None, str]:
    """(status code, error): the code when the receiver answered, else why not."""
    try:
        target = pinned_target(delivery.endpoint.url)
    except UnsafeURL as error:
        return None, str(error)
    client = _client(target)
    body = body_of(delivery)
    headers = {
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signing.headers(
            secret=delivery.endpoint.secret,
            message_id=delivery.message_id,
            timestamp=int(timezone.now().timestamp()),
            body=body,
        ),
    }
    extensions = {"sni_hostname": target.server_name} if target.server_name else {}
    try:
        # The body is not read: the status says all, and a huge answer costs nothing.
        with client.stream(
            "POST",
            target.url,
            content=body,
            headers=headers,
            extensions=extensions,
            timeout=httpx.Timeout(
                settings.WEBHOOK_TIMEOUT, connect=settings.WEBHOOK_CONNECT_TIMEOUT
            ),
        ) as response:
            code = response.status_code
    except httpx.TimeoutException:
        return None, _("The receiver did not answer in time.")
    except httpx.HTTPError as error:
        return None, (_("Could not reach the receiver: %(error)s") % {"error": error})[:300]
    if 300 <= code < 400:
        return code, _("Redirects are not followed: give the final address.")
    return code, "" if 200 <= code < 300 else _("The receiver answered %(code)s.") % {"code": code}


def _mark(delivery: Delivery, code: int | None, error: str, outcome: Outcome) -> None:
    now = timezone.now()
    ok = code is not None and 200 <= code < 300
    common = {"last_attempt_at": now, "last_status_code": code, "last_error": error[:300]}
    mine = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING)
    if ok:
        with transaction.atomic():
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.DELIVERED, delivered_at=now, claimed_at=None, **common
            )
            # What pausing reads: kept to the minute, so a busy endpoint's row is not
            # written at every delivery.
            Endpoint.objects.filter(pk=delivery.endpoint_id).filter(
                Q(last_success_at__isnull=True) | Q(last_success_at__lt=now - timedelta(minutes=1))
            ).update(last_success_at=now)
        outcome.delivered.append(delivery.pk)
    elif now >= delivery.retry_until:
        mine.update(status=Delivery.Status.FAILED, claimed_at=None, **common)
        outcome.failed.append(delivery.pk)
        _pause_if_failing(delivery.endpoint, now)
    else:
        mine.update(
            status=Delivery.Status.PENDING,
            claimed_at=None,
            enqueued_at=None,
            next_attempt_at=now + backoff(delivery.attempts),
            **common,
        )
        outcome.retrying.append(delivery.pk)


def _pause_if_failing(endpoint: Endpoint, now: datetime) -> None:
    """An endpoint nothing reached for a whole day of retries is paused (once), and the
    person who registered it is emailed (or the leaders / the team's leads)."""
    since = now - timedelta(seconds=settings.WEBHOOK_RETRY_FOR)
    with transaction.atomic():
        paused = (
            Endpoint.objects.filter(pk=endpoint.pk, is_active=True)
            .filter(Q(last_success_at__isnull=True) | Q(last_success_at__lt=since))
            .update(
                is_active=False,
                paused_at=now,
                paused_reason=_("No delivery succeeded for a day."),
            )
        )
        if paused:
            endpoint.paused_at = now
            outbox_write(emails.paused_rows(endpoint))


def deliveries_send(ids: Sequence[int]) -> Outcome:
    """Claim the due rows among `ids`, send each and mark it as soon as it is answered."""
    outcome = Outcome()
    rows = _claim(ids, timezone.now())
    if not rows:
        return outcome
    for delivery in rows:
        try:
            code, error = _post(delivery)
        except Exception:  # a bug of ours must not leave the row claimed forever
            logger.exception("Webhook delivery %s could not be sent", delivery.pk)
            code, error = None, _("Lean OKRs could not send this delivery.")
        _mark(delivery, code, error, outcome)
    return outcome


@shared_task(name="webhooks.deliver", acks_late=True)
def deliver(*, delivery_ids: list[int]) -> dict:
    """Send these deliveries (those still due and pending); what fails waits for its
    next attempt, which the sweep publishes."""
    return deliveries_send(delivery_ids).summary()


def deliveries_publish(ids: Sequence[int], *, enqueued_at: datetime) -> int:
    """Publish send tasks for the rows (SEND_BATCH a task); at the broker's first refusal
    the rest get an empty `enqueued_at` back for the sweep. Returns how many went."""
    published = 0
    for first in range(0, len(ids), SEND_BATCH):
        batch = list(ids[first : first + SEND_BATCH])
        if not publish(deliver, delivery_ids=batch):
            break
        published += len(batch)
    if published < len(ids):
        Delivery.objects.filter(
            pk__in=list(ids[published:]),
            status=Delivery.Status.PENDING,
            enqueued_at=enqueued_at,
        ).update(enqueued_at=None)
    return published


def deliveries_sweep(*, now: datetime | None = None) -> dict:
    """Beat's sweep: give back claims a dead worker held, then publish every due row of
    an active endpoint that has no task on its way (new after a broker outage, a retry
    whose time came, or a task that was lost)."""
    now = now or timezone.now()
    claim_expired = now - timedelta(seconds=settings.WEBHOOK_CLAIM_TIMEOUT)
    rescued = Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=claim_expired
    ).update(status=Delivery.Status.PENDING, claimed_at=None, enqueued_at=None)
    lost = now - timedelta(seconds=settings.WEBHOOK_REENQUEUE_AFTER)
    published = 0
    while True:
        with transaction.atomic():
            ids = list(
                Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    status=Delivery.Status.PENDING,
                    next_attempt_at__lte=now,
                    endpoint__is_active=True,
                )
                .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=lost))
                .order_by("next_attempt_at", "id")
                .values_list("id", flat=True)[:SWEEP_BATCH]
            )
            if not ids:
                break
            Delivery.objects.filter(pk__in=ids).update(enqueued_at=now)
        sent = deliveries_publish(ids, enqueued_at=now)
        published += sent
        if sent < len(ids):
            break  # the broker is away: the next sweep tries again
    return {"rescued": rescued, "published": published}
