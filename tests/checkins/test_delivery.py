"""Reminder delivery against a real SMTP server: exactly once, whatever happens."""

import logging
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.db import connection

from bench.data import DUE, make_due_teams
from checkins import reminders
from teams import outbox
from teams.models import EmailOutbox
from tests.fixtures.checkins import SMTPServer, child_env, free_port
from tests.helpers import ROOT

TICK = DUE + timedelta(minutes=2)


@pytest.mark.slow  # a thousand emails
@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_in_threads_send_each_email_exactly_once(smtp_server):
    expected = make_due_teams(1000)
    barrier = threading.Barrier(2)
    errors = []

    def tick():
        try:
            barrier.wait()
            reminders.dispatch_reminders(now=TICK)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    received = smtp_server.handler.recipients()
    assert len(received) == 1000, f"{len(received)} emails for 1000 due reminders"
    assert sorted(received) == sorted(expected)
    assert EmailOutbox.objects.filter(status="sent").count() == 1000


@pytest.mark.slow  # a thousand emails, from two manage.py processes
@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_in_separate_processes_send_each_email_exactly_once(smtp_server):
    expected = make_due_teams(1000)
    env = child_env(EMAIL_URL=smtp_server.url)
    command = [sys.executable, "manage.py", "dispatch_reminders", "--now", TICK.isoformat()]
    processes = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], [o[-2000:] for o in outputs]
    received = smtp_server.handler.recipients()
    assert len(received) == 1000, f"{len(received)} emails for 1000 due reminders"
    assert sorted(received) == sorted(expected)


@pytest.mark.django_db(transaction=True)
def test_smtp_down_then_back_sends_everything_once_and_logs_each_failure(settings, caplog):
    expected = make_due_teams(5)
    server = SMTPServer()  # its port is chosen, but nothing listens yet
    settings.MAILERS = server.mailers()
    settings.REMINDER_REENQUEUE_AFTER = 0
    with caplog.at_level(logging.WARNING, logger="teams.outbox"):
        reminders.dispatch_reminders(now=TICK)
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert len(failures) >= 5  # every attempt of every email is logged
    assert set(EmailOutbox.objects.values_list("status", flat=True)) == {"pending"}
    assert all(row.last_error for row in EmailOutbox.objects.all())

    server.start()
    try:
        reminders.dispatch_reminders(now=TICK + timedelta(minutes=5))
        assert sorted(server.handler.recipients()) == sorted(expected)
        assert set(EmailOutbox.objects.values_list("status", flat=True)) == {"sent"}
        # Nothing more goes out on later ticks.
        reminders.dispatch_reminders(now=TICK + timedelta(minutes=10))
        assert server.handler.count() == 5
    finally:
        server.stop()


def test_free_port_is_free():
    port = free_port()
    assert 1024 < port < 65536


@pytest.mark.django_db(transaction=True)
def test_an_address_the_server_refuses_is_skipped_not_retried(smtp_server):
    expected = make_due_teams(3)
    refused = expected[0]
    smtp_server.handler.refuse.add(refused)
    reminders.dispatch_reminders(now=TICK)
    assert sorted(smtp_server.handler.recipients()) == sorted(expected[1:])
    row = EmailOutbox.objects.get(recipient__email=refused)
    assert row.status == "skipped" and "refused by the mail server" in row.last_error
    assert row.attempts == 1  # no retries
    # later ticks leave it alone
    reminders.dispatch_reminders(now=TICK + timedelta(hours=1))
    assert smtp_server.handler.count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_email_that_keeps_failing_is_given_up_with_its_reason(settings):
    make_due_teams(1)
    server = SMTPServer()  # nothing listens
    settings.MAILERS = server.mailers()
    settings.REMINDER_REENQUEUE_AFTER = 0
    reminders.dispatch_reminders(now=TICK)
    EmailOutbox.objects.update(attempts=outbox.MAX_ATTEMPTS)
    reminders.dispatch_reminders(now=TICK + timedelta(minutes=5))
    row = EmailOutbox.objects.get()
    assert row.status == "skipped"
    assert row.last_error.startswith(f"Gave up after {outbox.MAX_ATTEMPTS} attempts: ")
    assert "Connection refused" in row.last_error or "Errno" in row.last_error
