"""Reminders survive a killed worker and a broker that goes away."""

import os
import signal
import time
from datetime import date, timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from bench.data import DUE, make_due_teams
from checkins import reminders
from config.celery import app as celery_app
from okrs.models import Objective
from teams import outbox
from teams.models import EmailOutbox
from tests.factories import CheckInFactory
from tests.fixtures.broker import (
    broker_at,
    not_eager,
    require_redis_broker,
    start_worker,
    stop,
    wait_for,
)
from tests.fixtures.checkins import child_env

TICK = DUE + timedelta(minutes=2)


@pytest.mark.slow  # Celery worker processes, killed and started again
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_nothing(smtp_server, settings, own_broker):
    """SIGKILL the worker while it sends a batch, start it again: every reminder
    arrives; a duplicate is possible only for a message the SMTP server accepted since
    the batch last marked its sent rows (at most MARK_EVERY), and the test counts them."""
    require_redis_broker()
    expected = set(make_due_teams(100))
    smtp_server.handler.delay = 0.2  # so the kill lands while a worker is sending
    settings.REMINDER_CLAIM_TIMEOUT = 2
    settings.REMINDER_REENQUEUE_AFTER = 2
    env = child_env(EMAIL_URL=smtp_server.url, CELERY_TASK_ALWAYS_EAGER="false", **own_broker)
    with not_eager():
        celery_app.control.purge()  # of this test's own broker
        reminders.dispatch_reminders(now=TICK)
        assert EmailOutbox.objects.filter(status="pending").count() == 100

        worker = start_worker(env)
        try:
            # Kill mid-batch: some of its rows marked sent, the rest claimed.
            assert wait_for(
                lambda: (
                    EmailOutbox.objects.filter(status="sent").count() >= outbox.MARK_EVERY
                    and EmailOutbox.objects.filter(status="sending").exists()
                ),
                timeout=90,
                interval=0.01,
            ), "the worker never got going"
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
            accepted_at_kill = smtp_server.handler.count()
            in_flight = EmailOutbox.objects.filter(status="sending").count()
            assert 20 <= accepted_at_kill < 100, "kill the worker in the middle of the batch"

            # The next tick, after the claim timeout, gives back what the dead worker held
            # and enqueues again what never reached a worker.
            time.sleep(2.5)
            result = reminders.dispatch_reminders(now=TICK + timedelta(minutes=5))
            assert result.rescued == in_flight
            worker = start_worker(env)
            assert wait_for(
                lambda: EmailOutbox.objects.filter(status="sent").count() == 100, timeout=90
            ), list(
                EmailOutbox.objects.exclude(status="sent").values_list(
                    "status", "attempts", "last_error"
                )
            )
        finally:
            stop(worker)
    received = smtp_server.handler.recipients()
    assert set(received) == expected  # nothing lost
    duplicates = len(received) - len(expected)
    print(
        f"\nworker killed after {accepted_at_kill} accepted messages with {in_flight} "
        f"in flight; duplicates: {duplicates}"
    )
    assert duplicates <= min(in_flight, outbox.MARK_EVERY)


@pytest.mark.slow  # a Redis server and a Celery worker in processes of their own
@pytest.mark.django_db(transaction=True)
def test_redis_down_while_a_team_checks_in_then_the_reminders_catch_up(
    smtp_server, settings, client_for, caplog, private_redis
):
    expected = set(make_due_teams(20))
    team_objective = Objective.objects.filter(level="team").select_related("team").first()
    member = team_objective.team.memberships.get().user

    with not_eager(), broker_at(private_redis.url):
        # Redis is down while the team checks in: the page still works.
        CheckInFactory(
            team=team_objective.team, objective=team_objective, week_start=date(2026, 11, 23)
        )
        client = client_for(member)
        page = reverse("dashboard:team-detail", args=[team_objective.team.slug])
        assert client.get(page).status_code == 200
        response = client.post(
            reverse("okrs:comment-create", args=[team_objective.pk]),
            {"comment-body": "Checked in while the broker was down"},
        )
        assert response.status_code == 302
        assert team_objective.comments.count() == 1
        # The tick writes the outbox but cannot enqueue: nothing is lost, only waiting,
        # and it says so.
        result = reminders.dispatch_reminders(now=TICK)
        assert (result.reminders, result.enqueued) == (20, 0)
        assert EmailOutbox.objects.filter(status="pending").count() == 20
        assert not EmailOutbox.objects.filter(enqueued_at__isnull=False).exists()
        assert any("Could not enqueue" in r.getMessage() for r in caplog.records)

        # Redis comes back; the next tick enqueues again and a worker sends everything.
        private_redis.start()
        worker = None
        try:
            assert reminders.dispatch_reminders(now=TICK + timedelta(minutes=5)).enqueued == 20
            env = child_env(
                EMAIL_URL=smtp_server.url,
                CELERY_TASK_ALWAYS_EAGER="false",
                REDIS_URL=private_redis.url,
            )
            worker = start_worker(env)
            assert wait_for(
                lambda: EmailOutbox.objects.filter(status="sent").count() == 20, timeout=60
            ), list(EmailOutbox.objects.values_list("status", "attempts", "enqueued_at"))[:3]
        finally:
            if worker is not None:
                stop(worker)
    assert set(smtp_server.handler.recipients()) >= expected
    reminder_recipients = [
        r for r, subject in smtp_server.handler.received if subject.startswith("Check-in time")
    ]
    assert sorted(reminder_recipients) == sorted(expected)


@pytest.mark.django_db(transaction=True)
def test_a_tick_while_the_broker_is_down_reports_nothing_enqueued(private_redis, caplog):
    """Publishing stops at the first refusal (each try waits on the unreachable broker)
    and the rows keep no enqueue time, so the next tick publishes them at once."""
    make_due_teams(3)
    with not_eager(), broker_at(private_redis.url):
        result = reminders.dispatch_reminders(now=TICK)
        assert (result.reminders, result.enqueued) == (3, 0)
        assert not EmailOutbox.objects.filter(enqueued_at__isnull=False).exists()
        assert sum("Could not enqueue" in r.getMessage() for r in caplog.records) == 1

        private_redis.start()
        assert reminders.dispatch_reminders(now=TICK + timedelta(minutes=5)).enqueued == 3
        assert EmailOutbox.objects.filter(enqueued_at__isnull=False).count() == 3
        # Published once: a tick soon after leaves them to the tasks on their way.
        assert reminders.dispatch_reminders(now=TICK + timedelta(minutes=10)).enqueued == 0


def test_the_settings_name_a_broker():
    assert django_settings.CELERY_BROKER_URL.startswith(("redis://", "filesystem://"))
