"""The real services behind the suite: in CI they must be there, never skipped."""

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection

from config.celery import app as celery_app
from teams import services
from tests.factories import UserFactory
from tests.helpers import IN_CI


@pytest.mark.django_db
def test_ci_runs_on_postgresql():
    if IN_CI:
        assert connection.vendor == "postgresql", "CI must run the suite on PostgreSQL"
    assert connection.vendor in ("postgresql", "sqlite")


def test_ci_uses_redis_as_the_broker():
    if IN_CI:
        assert settings.CELERY_BROKER_URL.startswith("redis://"), "CI must use Redis"
        import redis

        assert redis.Redis.from_url(settings.CELERY_BROKER_URL).ping()
    else:
        assert settings.CELERY_BROKER_URL.startswith(("redis://", "filesystem://"))


@pytest.mark.slow  # a real Celery worker starts and stops
@pytest.mark.django_db(transaction=True)  # the worker runs Django's checks as it starts
def test_a_real_worker_runs_a_task_through_the_configured_broker(own_broker):
    """An email's send task goes through the real broker (Redis in CI, the embedded one
    locally): a database or folders of this test's own (tests/fixtures/broker.py)."""
    from celery.contrib.testing.worker import start_worker

    UserFactory(email="a@b.example")
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            services.password_reset_request(email="a@b.example")  # published on commit
            for _ in range(100):
                if mail.outbox:
                    break
                import time

                time.sleep(0.1)
    finally:
        celery_app.conf.task_always_eager = True
    assert [m.subject for m in mail.outbox] == ["Reset your Lean OKRs password"]
