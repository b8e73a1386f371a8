"""Deliveries survive a broker that is down and a worker killed mid-delivery: nothing is
lost, and a repeat (same `webhook-id`) happens only for what a dead worker was sending."""

import os
import signal
import time

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from okrs import services as okr_services
from tests.factories import EndpointFactory
from tests.fixtures.broker import broker_at, not_eager, start_worker, stop, wait_for
from tests.fixtures.checkins import child_env
from tests.fixtures.okrs import key_results_of
from tests.webhooks.conftest import ALL_EVENTS
from webhooks.delivery import deliveries_publish, deliveries_sweep
from webhooks.models import Delivery


# Not `dates`: the Celery worker runs in a process of its own on the real clock, which
# TEST_NOW cannot move; a delivery due at a travelled moment in the future would never be
# due for it. The fixtures build the cycle around the real today.
@pytest.mark.slow  # a Redis server and a Celery worker in processes of their own
@pytest.mark.django_db(transaction=True)
def test_broker_down_when_a_value_is_recorded_then_the_sweep_delivers_it_once(
    objective, team, lead, receiver, private_redis, caplog
):
    endpoint = EndpointFactory(team=team, url=receiver.url, events=ALL_EVENTS)
    kr = key_results_of(objective)[0]
    with not_eager(), broker_at(private_redis.url):
        # The broker is down: the value is saved, the delivery waits with no task.
        okr_services.key_result_record(
            key_result=kr, value=12, confidence=6, comment="cron", author=lead
        )
        delivery = Delivery.objects.get(endpoint=endpoint)
        assert (delivery.status, delivery.enqueued_at) == ("pending", None)
        assert any("Could not enqueue" in r.getMessage() for r in caplog.records)
        # Still down: the sweep publishes nothing and loses nothing.
        assert deliveries_sweep()["published"] == 0
        private_redis.start()
        assert deliveries_sweep()["published"] == 1
        env = child_env(
            CELERY_TASK_ALWAYS_EAGER="false",
            REDIS_URL=private_redis.url,
            WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
        )
        worker = start_worker(env)
        try:
            assert wait_for(
                lambda: Delivery.objects.filter(status="delivered").exists(), timeout=60
            ), list(Delivery.objects.values_list("status", "attempts", "last_error"))
        finally:
            stop(worker)
        deliveries_sweep()  # nothing more to send
    assert receiver.ids() == [delivery.message_id]


@pytest.mark.slow  # Celery worker processes, killed and started again
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_loses_nothing(receiver, settings, own_broker):
    """SIGKILL the worker while it posts deliveries, run the sweep after the claim
    timeout, start a worker again: every delivery arrives; a repeat is possible only for
    the one each killed process was posting, and the test counts them."""
    receiver.behaviour.delay = 0.1  # so the kill lands while a request is open
    settings.WEBHOOK_CLAIM_TIMEOUT = 2
    settings.WEBHOOK_REENQUEUE_AFTER = 2
    endpoint = EndpointFactory(url=receiver.url)
    ids = [
        Delivery.objects.create(
            endpoint=endpoint,
            message_id=f"msg_kill{n:03d}",
            event="checkin.submitted",
            payload={"type": "checkin.submitted", "data": {"n": n}},
            retry_until="2999-01-01T00:00:00Z",
            next_attempt_at="2000-01-01T00:00:00Z",
        ).pk
        for n in range(60)
    ]
    env = child_env(
        CELERY_TASK_ALWAYS_EAGER="false", WEBHOOK_ALLOWED_HOSTS="127.0.0.1", **own_broker
    )
    with not_eager():
        celery_app.control.purge()
        assert deliveries_publish(ids, enqueued_at=timezone.now()) == 60
        worker = start_worker(env)
        try:
            assert wait_for(
                lambda: (
                    len(receiver.received) >= 10
                    and Delivery.objects.filter(status="sending").exists()
                ),
                timeout=90,
                interval=0.01,
            ), "the worker never got going"
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
            received_at_kill = len(receiver.received)
            in_flight = Delivery.objects.filter(status="sending").count()
            assert received_at_kill < 60, "kill the worker in the middle of the deliveries"

            time.sleep(2.5)  # the dead worker's claims expire
            swept = deliveries_sweep()
            assert swept["rescued"] == in_flight
            worker = start_worker(env)

            def all_delivered() -> bool:
                deliveries_sweep()  # as beat would: lost tasks published again
                return Delivery.objects.filter(status="delivered").count() == 60

            assert wait_for(all_delivered, timeout=120, interval=1), list(
                Delivery.objects.exclude(status="delivered").values_list("status", "attempts")
            )
        finally:
            stop(worker)
    received = receiver.ids()
    expected = set(Delivery.objects.values_list("message_id", flat=True))
    assert set(received) == expected  # nothing lost
    duplicates = len(received) - len(expected)
    print(
        f"\nworker killed after {received_at_kill} received, {in_flight} claimed; "
        f"duplicates: {duplicates}"
    )
    # Each of the worker's two processes was posting at most one when it died.
    assert duplicates <= 2
