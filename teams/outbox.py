"""Every email the app sends goes through the outbox (`teams.models.EmailOutbox`).

Writing: a service writes one row per recipient in its own transaction
(`outbox_write`: a second write of the same event writes nothing), and once that commits
send tasks are published for the rows; a broker that is down leaves the rows for the next
reminder tick, which publishes what has no task on its way (`outbox_enqueue_pending`)
and gives back claims a dead worker held (`outbox_rescue_expired_claims`).

Sending (`send_outbox_batch`, up to SEND_BATCH rows a task): the rows are claimed in one
transaction (whoever changes a row's status sends it), rendered together by the builders
their kinds registered (`teams.outbox_render`: `register`, `event_id`, re-exported
here), sent one after another over the worker's held SMTP connection, and marked sent in
bulk every MARK_EVERY messages (so a worker killed mid-batch sends at most that many
again), skipped or given back for a retry (`teams.outbox_send`). The one-row task of
earlier releases (`send_outbox_email`) still runs.
"""

import logging
import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from core.tasks import publish
from teams.models import EmailOutbox
from teams.outbox_render import event_id, outbox_message, outbox_messages, register
from teams.outbox_send import MARK_EVERY, outbox_send

__all__ = [
    "MARK_EVERY",
    "event_id",
    "outbox_message",
    "outbox_messages",
    "outbox_send",
    "register",
]

logger = logging.getLogger(__name__)

BATCH = 500
# Rows a send task claims and sends over one connection (`teams.outbox_send`).
SEND_BATCH = 100
# Claims of one email before it is given up: 8 task retries a tick, over several ticks.
MAX_ATTEMPTS = 30


def outbox_write(rows: Sequence[EmailOutbox]) -> int:
    """Write event rows (one per recipient) in the caller's transaction and publish a
    send task for each once it commits. Rows written before for the same kind, event
    and recipient stay as they are (the unique constraints): returns how many are new.

    The rows are written as on their way (`enqueued_at`); a task the broker does not
    take gives its row an empty enqueue time back, and the next tick publishes it."""
    if not rows:
        return 0
    if not all(row.event for row in rows):
        raise ValueError("An event row names its event (rhythm rows are the tick's).")
    now = timezone.now()
    for row in rows:
        row.enqueued_at = now
    EmailOutbox.objects.bulk_create(rows, ignore_conflicts=True)
    # The new ones are those carrying this write's enqueue time (ignore_conflicts gives
    # no ids back).
    events = Q()
    for kind, event in {(row.kind, row.event) for row in rows}:
        events |= Q(kind=kind, event=event)
    ids = list(
        EmailOutbox.objects.filter(events, status=EmailOutbox.Status.PENDING, enqueued_at=now)
        .order_by("id")
        .values_list("id", flat=True)
    )
    transaction.on_commit(lambda: outbox_publish(ids, enqueued_at=now))
    return len(ids)


def backoff(retries: int) -> int:
    """Exponential backoff with full jitter, capped well below the broker's visibility
    timeout so a retry is never mistaken for a lost task."""
    cap = min(settings.REMINDER_RETRY_MAX_DELAY, settings.CELERY_VISIBILITY_TIMEOUT // 2)
    return random.randint(0, min(cap, 10 * 2**retries))  # noqa: S311 - jitter, not security


@shared_task(name="teams.outbox.send_outbox_batch", bind=True, max_retries=8, acks_late=True)
def send_outbox_batch(self, *, outbox_ids: list[int]) -> dict:
    """Send up to SEND_BATCH rows over one connection; what was given back after a
    failure is retried with backoff (then left for a later tick)."""
    outcome = outbox_send(outbox_ids)
    if outcome.handed_over:
        outbox_publish(outcome.handed_over, enqueued_at=outcome.handed_over_at)
    if outcome.released and self.request.retries < self.max_retries:
        raise self.retry(
            kwargs={"outbox_ids": outcome.released},
            exc=outcome.error,
            countdown=backoff(self.request.retries),
        )
    return outcome.summary()


# Named as when it lived in checkins, so tasks queued by an earlier release still run.
@shared_task(name="checkins.tasks.send_outbox_email", bind=True, max_retries=8, acks_late=True)
def send_outbox_email(self, *, outbox_id: int) -> str:
    """One row, as the tasks published before batches: "sent", "skipped", "refused",
    "not mine" (sent, skipped, or another worker has it) or, after its retries, "left
    for a later tick"."""
    outcome = outbox_send([outbox_id])
    if outcome.released:
        if self.request.retries >= self.max_retries:
            return "left for a later tick"
        raise self.retry(exc=outcome.error, countdown=backoff(self.request.retries))
    return outcome.status_of(outbox_id)


# --- the tick's share: what a broker outage or a dead worker left behind ---------------


def outbox_publish(ids: Sequence[int], *, enqueued_at: datetime) -> int:
    """Publish send tasks for the rows (SEND_BATCH a task), in order, now; returns how
    many rows went out.

    The rows carry `enqueued_at` (a task is on its way). At the first task the broker
    refuses, the rest are not tried (each try would wait on the unreachable broker) and
    all that were not published get `enqueued_at` back to empty, so the next tick
    publishes them."""
    published = 0
    for first in range(0, len(ids), SEND_BATCH):
        batch = list(ids[first : first + SEND_BATCH])
        if not publish(send_outbox_batch, outbox_ids=batch):
            break
        published += len(batch)
    if published < len(ids):
        EmailOutbox.objects.filter(
            pk__in=ids[published:], status=EmailOutbox.Status.PENDING, enqueued_at=enqueued_at
        ).update(enqueued_at=None)
    return published


def outbox_rescue_expired_claims(now: datetime) -> int:
    """A worker that died mid-send leaves its row claimed: give it back."""
    timeout = timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT)
    return EmailOutbox.objects.filter(
        status=EmailOutbox.Status.SENDING, claimed_at__lt=now - timeout
    ).update(status=EmailOutbox.Status.PENDING, enqueued_at=None)


def outbox_enqueue_pending(now: datetime) -> int:
    """One send task per pending row that has none on its way (new, or lost); returns
    how many the broker took. Must run outside a transaction: the tasks are published
    once the rows they name are committed."""
    # A row that failed this often is given up (and says why) rather than tried forever.
    EmailOutbox.objects.filter(
        status=EmailOutbox.Status.PENDING, attempts__gte=MAX_ATTEMPTS
    ).update(
        status=EmailOutbox.Status.SKIPPED,
        last_error=Concat(Value(f"Gave up after {MAX_ATTEMPTS} attempts: "), "last_error"),
    )
    lost = now - timedelta(seconds=settings.REMINDER_REENQUEUE_AFTER)
    enqueued = 0
    while True:
        with transaction.atomic():
            # Marked as on their way before they are published, so a tick beside this
            # one (skip_locked) leaves them alone.
            ids = list(
                EmailOutbox.objects.select_for_update(skip_locked=True)
                .filter(status=EmailOutbox.Status.PENDING)
                .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=lost))
                .order_by("id")
                .values_list("id", flat=True)[:BATCH]
            )
            if not ids:
                return enqueued
            EmailOutbox.objects.filter(pk__in=ids).update(enqueued_at=now)
        published = outbox_publish(ids, enqueued_at=now)
        enqueued += published
        if published < len(ids):
            return enqueued  # the broker is away: the next tick tries again
