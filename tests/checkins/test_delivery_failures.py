"""Reminders survive a killed worker and a broker that goes away."""

import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from bench.data import DUE, make_due_teams
from checkins import reminders
from config.celery import app as celery_app
from okrs.models import Objective
from teams.models import EmailOutbox
from tests.factories import CheckInFactory
from tests.fixtures.broker import broker_at
from tests.fixtures.checkins import child_env, free_port
from tests.helpers import IN_CI, ROOT

TICK = DUE + timedelta(minutes=2)


def wait_for(condition, *, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


WORKER_LOG = open(os.environ.get("WORKER_LOG", os.devnull), "a")  # noqa: SIM115


def start_worker(env: dict) -> subprocess.Popen:
    """A real Celery worker process (prefork, two children) in its own process group."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "2",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextmanager
def not_eager():
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = True


def require_redis_broker() -> None:
    """These tests are about Redis as the broker (kombu's filesystem transport, the
    embedded default, has other delivery rules): in CI it must be there."""
    if not django_settings.CELERY_BROKER_URL.startswith("redis://"):
        if IN_CI:
            pytest.fail("REDIS_URL must point at Redis in CI")
        pytest.skip("set REDIS_URL to run the broker failure tests")


@pytest.mark.slow  # Celery worker processes, killed and started again
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_nothing(smtp_server, settings, own_broker):
    """SIGKILL the worker while it sends, start it again: every reminder arrives; a
    duplicate is possible only for a message the SMTP server accepted just before the
    kill, and the test counts them."""
    require_redis_broker()
    expected = set(make_due_teams(100))
    smtp_server.handler.delay = 0.4  # so the kill lands while a worker is sending
    settings.REMINDER_CLAIM_TIMEOUT = 2
    settings.REMINDER_REENQUEUE_AFTER = 2
    env = child_env(EMAIL_URL=smtp_server.url, CELERY_TASK_ALWAYS_EAGER="false", **own_broker)
    with not_eager():
        celery_app.control.purge()  # of this test's own broker
        reminders.dispatch_reminders(now=TICK)
        assert EmailOutbox.objects.filter(status="pending").count() == 100

        worker = start_worker(env)
        try:
            # Kill while a message is being sent (claimed, not yet marked sent).
            assert wait_for(
                lambda: (
                    smtp_server.handler.count() >= 20
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
    assert duplicates <= in_flight


def redis_server_binary() -> str | None:
    binary = shutil.which("redis-server")
    if binary is None and IN_CI:
        pytest.fail("redis-server is needed for the broker-down test in CI")
    return binary


@pytest.mark.slow  # a Redis server and a Celery worker in processes of their own
@pytest.mark.django_db(transaction=True)
def test_redis_down_while_a_team_checks_in_then_the_reminders_catch_up(
    smtp_server, settings, client_for, caplog
):
    require_redis_broker()
    binary = redis_server_binary()
    if binary is None:
        pytest.skip("redis-server is not installed on this machine")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    command = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    expected = set(make_due_teams(20))
    team_objective = Objective.objects.filter(level="team").select_related("team").first()
    member = team_objective.team.memberships.get().user
    settings.REMINDER_REENQUEUE_AFTER = 1

    with not_eager(), broker_at(url):
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
        # The tick writes the outbox but cannot enqueue: nothing is lost, only waiting.
        reminders.dispatch_reminders(now=TICK)
        assert EmailOutbox.objects.filter(status="pending").count() == 20
        assert any("Could not enqueue" in r.getMessage() for r in caplog.records)

        # Redis comes back; the next tick enqueues again and a worker sends everything.
        redis = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        worker = None
        try:
            assert wait_for(lambda: _redis_ready(port), timeout=10)
            time.sleep(1.1)
            reminders.dispatch_reminders(now=TICK + timedelta(minutes=5))
            env = child_env(
                EMAIL_URL=smtp_server.url, CELERY_TASK_ALWAYS_EAGER="false", REDIS_URL=url
            )
            worker = start_worker(env)
            assert wait_for(
                lambda: EmailOutbox.objects.filter(status="sent").count() == 20, timeout=60
            ), list(EmailOutbox.objects.values_list("status", "attempts", "enqueued_at"))[:3]
        finally:
            if worker is not None:
                stop(worker)
            redis.terminate()
            redis.wait(timeout=10)
    assert set(smtp_server.handler.recipients()) >= expected
    reminder_recipients = [
        r for r, subject in smtp_server.handler.received if subject.startswith("Check-in time")
    ]
    assert sorted(reminder_recipients) == sorted(expected)


def _redis_ready(port: int) -> bool:
    import redis

    try:
        return redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.2).ping()
    except redis.RedisError:
        return False


def test_the_settings_name_a_broker():
    assert django_settings.CELERY_BROKER_URL.startswith(("redis://", "filesystem://"))
