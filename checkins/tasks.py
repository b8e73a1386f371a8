"""Thin Celery tasks for the rhythm: ids in, services called, retries with backoff."""

import logging
import random
import smtplib
import threading

from celery import shared_task
from django.conf import settings
from django.core.mail import mailers
from django.utils import timezone

from checkins import emails, reminders

logger = logging.getLogger(__name__)


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


@shared_task
def dispatch_reminders() -> None:
    """Beat's tick every five minutes."""
    reminders.dispatch_reminders(now=timezone.now())


@shared_task(bind=True, max_retries=8, acks_late=True)
def send_outbox_email(self, *, outbox_id: int) -> str:
    row = reminders.outbox_claim(outbox_id=outbox_id, now=timezone.now())
    if row is None:
        return "not mine"  # sent, skipped, or another worker has it
    message = emails.outbox_message(row)
    if message is None:
        reminders.outbox_mark_skipped(row=row, reason="no longer wanted")
        return "skipped"
    try:
        _send(message)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
        # The server said no for good (an unknown address, say): retrying will not help.
        logger.warning("The mail server refused %s #%s: %s", row.kind, row.pk, error)
        reminders.outbox_mark_skipped(row=row, reason=f"refused by the mail server: {error}")
        return "refused"
    except (smtplib.SMTPException, OSError) as error:
        logger.warning(
            "Sending %s #%s to %s failed (attempt %s): %s",
            row.kind,
            row.pk,
            row.recipient.email,
            row.attempts,
            error,
        )
        reminders.outbox_release(row=row, error=str(error))
        if self.request.retries >= self.max_retries:
            return "left for a later tick"
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
    reminders.outbox_mark_sent(row=row, now=timezone.now())
    return "sent"
