"""Emails go out in batches: a send task claims up to SEND_BATCH rows at once, renders them
with the same few queries however many they are, sends them over one SMTP connection and
marks them in bulk. Whatever the server says half-way through a batch, nothing is lost
and nothing it accepted is sent twice. (A worker killed mid-batch:
tests/checkins/test_delivery_failures.py.)"""

import smtplib
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.data import DUE, make_due_teams
from checkins import reminders
from teams import outbox, outbox_send
from teams.models import EmailOutbox, Membership
from tests.factories import EmailOutboxFactory

TICK = DUE + timedelta(minutes=2)
LATER = TICK + timedelta(minutes=5)


def reminder_rows(n: int) -> list[int]:
    make_due_teams(n)
    return [
        EmailOutboxFactory(
            kind="reminder", recipient=m.user, team=m.team, period=date(2026, 11, 30)
        ).pk
        for m in Membership.objects.select_related("user", "team").order_by("pk")
    ]


def queries_to_send(ids: list[int]) -> int:
    with CaptureQueriesContext(connection) as queries:
        outcome = outbox.outbox_send(ids)
    assert sorted(outcome.sent) == sorted(ids)
    return len(queries)


@pytest.mark.django_db
def test_a_batch_takes_the_same_queries_for_3_reminders_as_for_30(monkeypatch):
    monkeypatch.setattr(outbox_send, "MARK_EVERY", 1000)  # one write of the sent rows
    ids = reminder_rows(33)
    assert queries_to_send(ids[:3]) == queries_to_send(ids[3:])
    assert len(mail.outbox) == 33
    assert set(EmailOutbox.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.django_db
def test_sent_rows_are_marked_every_few_messages(monkeypatch):
    """The most a worker killed between sending and marking sends again."""
    monkeypatch.setattr(outbox_send, "MARK_EVERY", 4)
    ids = reminder_rows(10)
    marked = []
    flush = outbox_send._Marks.flush

    def counting_flush(self):
        marked.append(len(self.sent))
        flush(self)

    monkeypatch.setattr(outbox_send._Marks, "flush", counting_flush)
    outbox.outbox_send(ids)
    assert [n for n in marked if n] == [4, 4, 2]


# --- a real SMTP server saying no half-way through a batch --------------------------------


def statuses() -> dict[str, tuple[str, int]]:
    return {
        row.recipient.email: (row.status, row.attempts)
        for row in EmailOutbox.objects.select_related("recipient")
    }


def tick_again(settings) -> None:
    settings.REMINDER_REENQUEUE_AFTER = 0  # what was given back goes out at once
    reminders.dispatch_reminders(now=LATER)


@pytest.mark.slow  # a real SMTP server
@pytest.mark.django_db(transaction=True)
def test_refused_and_greylisted_addresses_do_not_hold_up_the_batch(smtp_server, settings):
    expected = make_due_teams(10)
    refused, greylisted = {expected[2], expected[6]}, expected[4]
    smtp_server.handler.refuse |= refused
    smtp_server.handler.defer[greylisted] = 1
    reminders.dispatch_reminders(now=TICK)

    accepted = [a for a in expected if a not in refused and a != greylisted]
    assert sorted(smtp_server.handler.recipients()) == sorted(accepted)
    rows = {row.recipient.email: row for row in EmailOutbox.objects.select_related("recipient")}
    for address in refused:  # skipped for good, with the server's answer, never retried
        assert rows[address].status == "skipped" and rows[address].attempts == 1
        assert rows[address].last_error.startswith("refused by the mail server: ")
        assert "550" in rows[address].last_error
    assert rows[greylisted].status == "pending" and "451" in rows[greylisted].last_error

    tick_again(settings)
    assert sorted(smtp_server.handler.recipients()) == sorted([*accepted, greylisted])
    assert statuses()[greylisted] == ("sent", 2)
    assert EmailOutbox.objects.filter(status="sent").count() == 8


@pytest.mark.slow  # a real SMTP server
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "break_off",
    [{5: "421"}, {5: "drop", 6: "drop"}],
    ids=["a 421 closes the connection", "dropped, and again when reopened"],
)
def test_a_connection_lost_half_way_gives_the_rest_of_the_batch_back(
    break_off, smtp_server, settings
):
    expected = make_due_teams(10)
    smtp_server.handler.break_off = dict(break_off)
    reminders.dispatch_reminders(now=TICK)

    # The first four went out and are marked sent; the rest went back untried.
    assert sorted(smtp_server.handler.recipients()) == sorted(expected[:4])
    after = statuses()
    assert {after[a] for a in expected[:4]} == {("sent", 1)}
    assert {after[a] for a in expected[4:]} == {("pending", 1)}
    errors = set(EmailOutbox.objects.filter(status="pending").values_list("last_error", flat=True))
    assert len(errors) == 1 and errors.pop()

    tick_again(settings)
    assert sorted(smtp_server.handler.recipients()) == sorted(expected)  # each once
    assert EmailOutbox.objects.filter(status="sent").count() == 10


@pytest.mark.slow  # a real SMTP server
@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_once_is_reopened_and_the_batch_goes_on(smtp_server):
    expected = make_due_teams(10)
    smtp_server.handler.break_off = {5: "drop"}
    reminders.dispatch_reminders(now=TICK)
    assert sorted(smtp_server.handler.recipients()) == sorted(expected)
    assert set(statuses().values()) == {("sent", 1)}


def _failing_send(monkeypatch, failure, at: int) -> None:
    """The batch's `at`-th message fails with `failure`; the others go (locmem)."""
    send, calls = outbox_send._send, []

    def flaky(message):
        calls.append(message)
        if len(calls) == at:
            raise failure
        send(message)

    monkeypatch.setattr(outbox_send, "_send", flaky)


@pytest.mark.django_db
def test_a_message_that_cannot_be_sent_does_not_hold_up_its_batch(monkeypatch):
    ids = reminder_rows(6)
    _failing_send(monkeypatch, ValueError("Header values may not contain linefeed"), at=3)
    outcome = outbox.outbox_send(ids)
    assert len(outcome.sent) == 5 and len(mail.outbox) == 5
    failed = EmailOutbox.objects.get(pk=ids[2])
    assert failed.status == "pending" and "linefeed" in failed.last_error


@pytest.mark.django_db
def test_a_message_the_server_rejects_for_good_is_skipped_and_the_batch_goes_on(monkeypatch):
    ids = reminder_rows(4)
    _failing_send(monkeypatch, smtplib.SMTPDataError(554, b"Message rejected"), at=2)
    outbox.outbox_send(ids)
    statuses = dict(EmailOutbox.objects.values_list("pk", "status"))
    assert [statuses[pk] for pk in ids] == ["sent", "skipped", "sent", "sent"]


@pytest.mark.django_db
def test_our_own_address_refused_gives_the_batch_back_and_skips_nothing(monkeypatch):
    """A missing password or a sender policy is the server's setting, not the emails'."""
    ids = reminder_rows(4)
    refused = smtplib.SMTPSenderRefused(530, b"Authentication required", "okrs@example.com")
    _failing_send(monkeypatch, refused, at=2)
    outbox.outbox_send(ids)
    statuses = dict(EmailOutbox.objects.values_list("pk", "status"))
    assert [statuses[pk] for pk in ids] == ["sent", "pending", "pending", "pending"]
