"""Sending the outbox: claim rows, render them together, send them over the worker's
held SMTP connection and write what became of each (`outbox_send`, which the send tasks
of `teams.outbox` call).

Sent rows are marked in bulk every MARK_EVERY messages: a worker killed between sending
and marking sends at most that many again (the SMTP server accepted them, their claims
expire and a later tick publishes them); nothing else is ever sent twice.
"""

import logging
import smtplib
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.mail import mailers
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import wire
from teams.models import EmailOutbox
from teams.outbox_render import outbox_messages

logger = logging.getLogger("teams.outbox")

# Sent rows are marked every this many messages (see above): fewer means fewer repeats
# after a crash and more writes.
MARK_EVERY = 20


def outbox_claim(*, outbox_ids: Sequence[int], now: datetime) -> list[EmailOutbox]:
    """Claim the rows that are still pending, in one transaction (whoever changes a row's
    status sends it): the rows claimed, with their recipient and team, in id order. The
    rows are locked in id order, so two claims of overlapping rows wait, never deadlock."""
    with transaction.atomic():
        ids = list(
            EmailOutbox.objects.select_for_update()
            .filter(pk__in=outbox_ids, status=EmailOutbox.Status.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            return []
        EmailOutbox.objects.filter(pk__in=ids).update(
            status=EmailOutbox.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return list(EmailOutbox.objects.select_related("recipient", "team").filter(pk__in=ids))


_held = threading.local()


def _mailer():
    """This worker's own mailer, opened on first use and kept open: a fan-out of
    thousands of emails pays one SMTP handshake per worker, not one per email."""
    config = repr(settings.MAILERS["default"])
    held = getattr(_held, "mailer", None)
    if held is None or held[0] != config:
        if held is not None:
            held[1].close()
        held = _held.mailer = (config, mailers.create_connection("default"))
    return held[1]


def _drop_mailer() -> None:
    held = getattr(_held, "mailer", None)
    _held.mailer = None
    if held is not None:
        try:
            held[1].close()
        except Exception:  # noqa: BLE001 - a connection already gone is closed enough
            logger.debug("Closing the mailer failed", exc_info=True)


def _codes(error: smtplib.SMTPException) -> list[int]:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return [code for code, _ in error.recipients.values()]
    return [getattr(error, "smtp_code", 0)]


def _send(message) -> None:
    """Send over the held connection. A connection the server closed meanwhile (between
    batches, say) is reopened once. After a refusal of this one message the connection
    stays (smtplib reset the transaction); after anything else it is dropped, so the
    next try starts afresh."""
    mailer = _mailer()
    try:
        try:
            wire.send_one(mailer, message)
        except smtplib.SMTPServerDisconnected:
            mailer.close()
            wire.send_one(mailer, message)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as e:
        if 421 in _codes(e):
            _drop_mailer()  # the server is closing the connection
        raise
    except Exception:
        _drop_mailer()
        raise


@dataclass
class Outcome:
    """What became of the rows a send task was given."""

    sent: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)
    # Given back to pending after a failure: the task tries them again.
    released: list[int] = field(default_factory=list)
    not_mine: list[int] = field(default_factory=list)
    # Left untried by a batch that ran long, for a task of their own.
    handed_over: list[int] = field(default_factory=list)
    handed_over_at: datetime | None = None
    error: Exception | None = None

    def status_of(self, outbox_id: int) -> str:
        if outbox_id in self.sent:
            return "sent"
        if outbox_id in self.released:
            return "released"
        if outbox_id in self.skipped:
            return "refused" if "refused" in self.skipped[outbox_id] else "skipped"
        return "not mine"

    def summary(self) -> dict:
        return {
            "sent": len(self.sent),
            "skipped": len(self.skipped),
            "released": len(self.released),
            "not_mine": len(self.not_mine),
        }


class _Marks:
    """Outcomes written in bulk: sent rows every MARK_EVERY messages (the most a worker
    killed between sending and marking sends again), skipped and released rows with
    them, one transaction each time."""

    def __init__(self, outcome: Outcome):
        self.outcome = outcome
        self.sent: list[int] = []
        self.skipped: dict[str, list[int]] = {}
        self.released: dict[str, list[int]] = {}

    def mark_sent(self, row: EmailOutbox) -> None:
        self.sent.append(row.pk)
        self.outcome.sent.append(row.pk)
        if len(self.sent) >= MARK_EVERY:
            self.flush()

    def skip(self, row: EmailOutbox, reason: str) -> None:
        self.skipped.setdefault(reason, []).append(row.pk)
        self.outcome.skipped[row.pk] = reason

    def release(self, rows: Sequence[EmailOutbox], error: str) -> None:
        self.released.setdefault(error[:2000], []).extend(row.pk for row in rows)
        self.outcome.released += [row.pk for row in rows]

    def flush(self) -> None:
        if not (self.sent or self.skipped or self.released):
            return
        rows = EmailOutbox.objects
        with transaction.atomic():
            if self.sent:
                rows.filter(pk__in=self.sent, status=EmailOutbox.Status.SENDING).update(
                    status=EmailOutbox.Status.SENT, sent_at=timezone.now(), last_error=""
                )
            for reason, ids in self.skipped.items():
                # still ours: a row sent meanwhile by another worker stays sent
                rows.filter(pk__in=ids, status=EmailOutbox.Status.SENDING).update(
                    status=EmailOutbox.Status.SKIPPED, last_error=reason
                )
            for error, ids in self.released.items():
                rows.filter(pk__in=ids, status=EmailOutbox.Status.SENDING).update(
                    status=EmailOutbox.Status.PENDING, claimed_at=None, last_error=error
                )
        self.sent, self.skipped, self.released = [], {}, {}


def outbox_send(outbox_ids: Sequence[int]) -> Outcome:
    """Claim the rows, render them together and send them one after another over the
    held SMTP connection, writing what became of each as it goes (`_Marks`).

    An address the server refuses for good (5xx) is skipped with the server's answer;
    one it refuses for now (4xx), or a message it does not take, is given back for a
    retry while the rest goes on. When the connection fails (dropped twice, a 421, a
    network error), the message being sent and the rest of the batch are given back
    at once, untried; nothing the server accepted is sent again. A batch that runs for
    half the claim timeout gives the rest back to a new task, so no claim expires while
    its worker is still sending."""
    started = time.monotonic()
    rows = outbox_claim(outbox_ids=outbox_ids, now=timezone.now())
    outcome = Outcome()
    claimed = {row.pk for row in rows}
    outcome.not_mine = [pk for pk in outbox_ids if pk not in claimed]
    if not rows:
        return outcome
    marks = _Marks(outcome)
    try:
        for index, (row, message) in enumerate(zip(rows, outbox_messages(rows), strict=True)):
            if isinstance(message, Exception):
                marks.release([row], f"Rendering failed: {message!r}")
                continue
            if message is None:
                marks.skip(row, "no longer wanted")
                continue
            if time.monotonic() - started > settings.REMINDER_CLAIM_TIMEOUT / 2:
                _hand_over(rows[index:], marks)
                break
            try:
                _send(message)
            except smtplib.SMTPSenderRefused as error:
                # Our own address refused (credentials, a sender policy): no message of
                # the batch would go, and none is this message's fault.
                _give_back(rows[index:], error, marks)
                break
            except smtplib.SMTPException as error:
                codes = _codes(error)
                about_this = isinstance(
                    error, (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)
                )
                if about_this and codes and all(code >= 500 for code in codes):
                    # The server said no to this message for good (an unknown address).
                    logger.warning("The mail server refused %s #%s: %s", row.kind, row.pk, error)
                    marks.skip(row, f"refused by the mail server: {error}")
                    continue
                if 421 not in codes and about_this:
                    _log_failure([row], error)  # this message only: the rest goes on
                    outcome.error = error
                    marks.release([row], str(error))
                    continue
                _give_back(rows[index:], error, marks)
                break
            except OSError as error:
                _give_back(rows[index:], error, marks)
                break
            except Exception as error:  # noqa: BLE001 - this message only, never the batch
                # A message Django will not serialise (an address, a header): it goes
                # back for a retry (and, failing every time, is given up with the reason);
                # the rest of the batch goes on.
                _log_failure([row], error)
                outcome.error = error
                marks.release([row], repr(error))
                continue
            else:
                marks.mark_sent(row)
    finally:
        marks.flush()
    return outcome


def _log_failure(rows: Sequence[EmailOutbox], error: Exception) -> None:
    """One line per email, as when each had a task of its own: the first was being sent,
    the others of its batch are given back untried."""
    for index, row in enumerate(rows):
        logger.warning(
            "Sending %s #%s to %s failed (attempt %s)%s: %s",
            row.kind,
            row.pk,
            row.to,
            row.attempts,
            ", given back untried with its batch" if index else "",
            error,
        )


def _give_back(rows: Sequence[EmailOutbox], error: Exception, marks: _Marks) -> None:
    """The connection failed: the message being sent and the rest of the batch go back
    to pending, untried, for the task's retry."""
    _log_failure(rows, error)
    marks.outcome.error = error
    marks.release(rows, str(error))


def _hand_over(rows: Sequence[EmailOutbox], marks: _Marks) -> None:
    """A long batch gives its untried rest to a new task."""
    marks.flush()
    now = timezone.now()
    ids = [row.pk for row in rows]
    EmailOutbox.objects.filter(pk__in=ids, status=EmailOutbox.Status.SENDING).update(
        status=EmailOutbox.Status.PENDING, claimed_at=None, enqueued_at=now
    )
    marks.outcome.handed_over, marks.outcome.handed_over_at = ids, now
