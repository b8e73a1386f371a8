"""Every email the app sends goes through the outbox (`teams.models.EmailOutbox`).

Writing: a service writes one row per recipient in its own transaction
(`outbox_write`: a second write of the same event writes nothing), and once that commits
one send task per row is published; a broker that is down leaves the rows for the next
reminder tick, which publishes what has no task on its way (`outbox_enqueue_pending`)
and gives back claims a dead worker held (`outbox_rescue_expired_claims`).

Sending (`send_outbox_email`): the row is claimed with a conditional update (whoever
changes it sends it), rendered by the builder its kind registered, sent over the
worker's held SMTP connection, and marked sent, skipped or released for a retry.

Every app registers a builder per kind of email in its `AppConfig.ready()`:
`register(kind, builder)`, where a builder takes the row and returns the message, or
None when it is no longer wanted (the row is then skipped). So this layer renders the
emails of the apps above it without importing them.
"""

import logging
import random
import smtplib
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from core.tasks import publish
from teams.models import EmailOutbox

logger = logging.getLogger(__name__)

BATCH = 500
# Claims of one email before it is given up: 8 task retries a tick, over several ticks.
MAX_ATTEMPTS = 30

Builder = Callable[[EmailOutbox], EmailMultiAlternatives | None]
_builders: dict[str, Builder] = {}


def register(kind: str, builder: Builder) -> None:
    """`builder(row)` renders the rows of `kind` (called from an app's `ready()`)."""
    _builders[kind] = builder


def outbox_message(row: EmailOutbox) -> EmailMultiAlternatives | None:
    """The message for a row, or None when it is no longer wanted (nobody writes to an
    account that was closed since)."""
    builder = _builders.get(row.kind)
    if builder is None:
        raise LookupError(f"No email builder is registered for {row.kind!r}")
    if row.recipient_id is not None and not row.recipient.is_active:
        return None
    return builder(row)


def event_id(row: EmailOutbox) -> int:
    """The id in a row's event key ("comment:17" -> 17), for the builders."""
    return int(row.event.rpartition(":")[2])


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


def outbox_claim(*, outbox_id: int, now: datetime) -> EmailOutbox | None:
    """Claim a pending row; None when another worker has it or it is done."""
    claimed = EmailOutbox.objects.filter(pk=outbox_id, status=EmailOutbox.Status.PENDING).update(
        status=EmailOutbox.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    return EmailOutbox.objects.select_related("recipient", "team").get(pk=outbox_id)


def outbox_mark_sent(*, row: EmailOutbox, now: datetime) -> None:
    EmailOutbox.objects.filter(pk=row.pk, status=EmailOutbox.Status.SENDING).update(
        status=EmailOutbox.Status.SENT, sent_at=now, last_error=""
    )


def outbox_mark_skipped(*, row: EmailOutbox, reason: str) -> None:
    EmailOutbox.objects.filter(pk=row.pk).update(
        status=EmailOutbox.Status.SKIPPED, last_error=reason
    )


def outbox_release(*, row: EmailOutbox, error: str) -> None:
    """Sending failed: back to pending for the retry (or a later tick)."""
    EmailOutbox.objects.filter(pk=row.pk, status=EmailOutbox.Status.SENDING).update(
        status=EmailOutbox.Status.PENDING, claimed_at=None, last_error=error[:2000]
    )


def backoff(retries: int) -> int:
    """Exponential backoff with full jitter, capped well below the broker's visibility
    timeout so a retry is never mistaken for a lost task."""
    cap = min(settings.REMINDER_RETRY_MAX_DELAY, settings.CELERY_VISIBILITY_TIMEOUT // 2)
    return random.randint(0, min(cap, 10 * 2**retries))  # noqa: S311 - jitter, not security


_held = threading.local()


def _send(message) -> None:
    """Send over this worker's own SMTP connection, opened on first use and kept open: a
    fan-out of thousands of reminders then pays one handshake per worker, not one per
    email. A connection the server closed meanwhile is reopened once; any other error
    drops it, so the retry starts afresh."""
    config = repr(settings.MAILERS["default"])
    held = getattr(_held, "mailer", None)
    if held is None or held[0] != config:
        if held is not None:
            held[1].close()
        held = _held.mailer = (config, mailers.create_connection("default"))
    mailer = held[1]
    try:
        mailer.open()
        try:
            mailer.send_messages([message])
        except smtplib.SMTPServerDisconnected:
            mailer.close()
            mailer.open()
            mailer.send_messages([message])
    except Exception:
        mailer.close()
        _held.mailer = None
        raise


# Named as when it lived in checkins, so tasks queued by an earlier release still run.
@shared_task(name="checkins.tasks.send_outbox_email", bind=True, max_retries=8, acks_late=True)
def send_outbox_email(self, *, outbox_id: int) -> str:
    row = outbox_claim(outbox_id=outbox_id, now=timezone.now())
    if row is None:
        return "not mine"  # sent, skipped, or another worker has it
    message = outbox_message(row)
    if message is None:
        outbox_mark_skipped(row=row, reason="no longer wanted")
        return "skipped"
    try:
        _send(message)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
        # The server said no for good (an unknown address, say): retrying will not help.
        logger.warning("The mail server refused %s #%s: %s", row.kind, row.pk, error)
        outbox_mark_skipped(row=row, reason=f"refused by the mail server: {error}")
        return "refused"
    except (smtplib.SMTPException, OSError) as error:
        logger.warning(
            "Sending %s #%s to %s failed (attempt %s): %s",
            row.kind,
            row.pk,
            row.to,
            row.attempts,
            error,
        )
        outbox_release(row=row, error=str(error))
        if self.request.retries >= self.max_retries:
            return "left for a later tick"
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
    outbox_mark_sent(row=row, now=timezone.now())
    return "sent"


# --- the tick's share: what a broker outage or a dead worker left behind ---------------


def outbox_publish(ids: Sequence[int], *, enqueued_at: datetime) -> int:
    """Publish a send task for each row, in order, now; returns how many were published.

    The rows carry `enqueued_at` (a task is on its way). At the first row the broker
    refuses, the rest are not tried (each try would wait on the unreachable broker) and
    all that were not published get `enqueued_at` back to empty, so the next tick
    publishes them."""
    published = 0
    for outbox_id in ids:
        if not publish(send_outbox_email, outbox_id=outbox_id):
            break
        published += 1
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
