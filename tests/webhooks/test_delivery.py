"""Deliveries against a real HTTP receiver on 127.0.0.1 (`receiver`, allowed by
WEBHOOK_ALLOWED_HOSTS): signed, retried with backoff, failed after a day, never sent
again once answered 2xx, never to where they may not go."""

import json
import socket
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from standardwebhooks import Webhook

from teams.models import EmailOutbox
from tests.factories import DeliveryFactory, EndpointFactory, MembershipFactory
from webhooks import services
from webhooks.delivery import backoff, deliveries_send, deliveries_sweep
from webhooks.models import Delivery
from webhooks.safety import pinned_target

pytestmark = pytest.mark.django_db


def pending(endpoint, **fields) -> Delivery:
    now = timezone.now()
    fields.setdefault(
        "payload", {"type": "checkin.submitted", "timestamp": now.isoformat(), "data": {"n": 1}}
    )
    return DeliveryFactory(
        endpoint=endpoint,
        status=Delivery.Status.PENDING,
        attempts=0,
        last_status_code=None,
        last_attempt_at=None,
        delivered_at=None,
        **fields,
    )


def test_delivered_signed_and_marked(receiver):
    endpoint = EndpointFactory(url=receiver.url)
    delivery = pending(endpoint)
    assert deliveries_send([delivery.pk]).delivered == [delivery.pk]
    [got] = receiver.received
    assert Webhook(endpoint.secret).verify(got.body, got.headers) == delivery.payload
    assert got.headers["webhook-id"] == delivery.message_id
    assert got.headers["content-type"] == "application/json"
    assert got.headers["host"] == f"127.0.0.1:{receiver.port}"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)
    assert delivery.delivered_at and delivery.last_attempt_at
    # Delivered is delivered: asking again sends nothing.
    assert deliveries_send([delivery.pk]).delivered == []
    deliveries_sweep(now=timezone.now() + timedelta(days=2))
    assert len(receiver.received) == 1


def test_receiver_down_then_up_is_delivered_once(receiver_down):
    endpoint = EndpointFactory(url=receiver_down.url)
    delivery = pending(endpoint)
    outcome = deliveries_send([delivery.pk])
    assert outcome.retrying == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert "Could not reach" in delivery.last_error
    assert timedelta(seconds=14) <= delivery.next_attempt_at - delivery.last_attempt_at
    # Not due yet: the sweep leaves it.
    deliveries_sweep()
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    receiver_down.start()
    # The sweep at its time publishes it (eager tasks in tests: sent in place).
    with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
        assert deliveries_sweep()["published"] == 1
        deliveries_sweep()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert receiver_down.ids() == [delivery.message_id]


@pytest.mark.parametrize(
    ("behaviour", "code", "error"),
    [
        ({"status": 500}, 500, "answered 500"),
        ({"status": "close"}, None, "Could not reach"),
        ({"status": 204, "delay": 1.5}, None, "did not answer in time"),
        ({"status": 302, "location": "http://169.254.169.254/latest/"}, 302, "Redirects"),
    ],
    ids=["500", "closed", "timeout", "redirect"],
)
def test_a_failed_attempt_is_retried_later(receiver, settings, behaviour, code, error):
    settings.WEBHOOK_TIMEOUT = 0.5
    for key, value in behaviour.items():
        setattr(receiver.behaviour, key, value)
    delivery = pending(EndpointFactory(url=receiver.url))
    assert deliveries_send([delivery.pk]).retrying == [delivery.pk]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("pending", code)
    assert error in delivery.last_error
    assert delivery.next_attempt_at > delivery.last_attempt_at
    # The redirect was not followed: only our own request reached a receiver.
    assert len(receiver.received) == (1 if code else 0)


def test_backoff_grows_with_jitter_and_stays_under_an_hour():
    first = [backoff(1).total_seconds() for _ in range(50)]
    assert all(15 <= s <= 30 for s in first) and len(set(first)) > 1
    assert 60 <= backoff(3).total_seconds() <= 120
    assert all(1800 <= backoff(n).total_seconds() <= 3600 for n in (8, 20, 40))


def test_a_day_of_failures_marks_it_failed_pauses_the_endpoint_and_emails_its_owner(
    receiver, team, lead
):
    receiver.behaviour.status = 503
    endpoint = EndpointFactory(url=receiver.url, team=team, created_by=lead)
    delivery = pending(endpoint, retry_until=timezone.now() - timedelta(seconds=1))
    waiting = pending(endpoint)
    assert deliveries_send([delivery.pk]).failed == [delivery.pk]
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.status == "failed" and delivery.last_status_code == 503
    assert not endpoint.is_active and endpoint.paused_at
    [email] = EmailOutbox.objects.filter(kind="webhook_paused")
    assert email.recipient == lead
    # Paused: what waits is not sent, not by a task, not by the sweep.
    assert deliveries_send([waiting.pk]).summary() == {"delivered": 0, "retrying": 0, "failed": 0}
    assert deliveries_sweep()["published"] == 0
    # Resumed: it goes.
    receiver.behaviour.status = 200
    services.endpoint_resume(endpoint=endpoint)
    assert deliveries_send([waiting.pk]).delivered == [waiting.pk]


def test_resuming_an_endpoint_that_is_not_paused_changes_nothing(team):
    """A second click on "resume" (or two leads at once) does not give its retrying
    deliveries a new day of retries."""
    endpoint = EndpointFactory(team=team)
    retry_until = timezone.now() + timedelta(hours=3)
    retrying = pending(endpoint, retry_until=retry_until)
    Delivery.objects.filter(pk=retrying.pk).update(attempts=4)
    services.endpoint_resume(endpoint=endpoint)
    retrying.refresh_from_db()
    assert (retrying.attempts, retrying.retry_until) == (4, retry_until)


def test_an_endpoint_that_answered_lately_is_not_paused(receiver, team):
    receiver.behaviour.status = 500
    endpoint = EndpointFactory(url=receiver.url, team=team, last_success_at=timezone.now())
    delivery = pending(endpoint, retry_until=timezone.now() - timedelta(seconds=1))
    deliveries_send([delivery.pk])
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert not EmailOutbox.objects.filter(kind="webhook_paused").exists()


def test_the_paused_email_goes_to_the_leads_when_its_maker_left(receiver, team, leader):
    receiver.behaviour.status = 500
    lead = MembershipFactory(team=team, role="lead").user
    endpoint = EndpointFactory(url=receiver.url, team=team, created_by=None)
    deliveries_send([pending(endpoint, retry_until=timezone.now()).pk])
    assert list(
        EmailOutbox.objects.filter(kind="webhook_paused").values_list("recipient", flat=True)
    ) == [lead.pk]


def test_a_send_again_uses_the_same_message_id(receiver):
    delivery = pending(EndpointFactory(url=receiver.url))
    deliveries_send([delivery.pk])
    services.delivery_resend(delivery=delivery)
    deliveries_send([delivery.pk])
    assert receiver.ids() == [delivery.message_id] * 2


def test_a_test_event_reaches_the_receiver(receiver, team):
    endpoint = EndpointFactory(url=receiver.url, team=team)
    delivery = services.delivery_test(endpoint=endpoint)
    deliveries_send([delivery.pk])
    [got] = receiver.received
    body = json.loads(got.body)
    assert body["type"] == "webhook.test" and body["data"]["team"]["slug"] == team.slug


@pytest.mark.parametrize("format", ["slack", "teams"])
def test_chat_formats_post_readable_text(receiver, format):
    endpoint = EndpointFactory(url=receiver.url, format=format)
    payload = {
        "type": "checkin.submitted",
        "timestamp": "2026-11-30T10:00:00+00:00",
        "data": {
            "team": {"slug": "onboarding", "name": "Onboarding", "url": "https://okrs.test/t/"},
            "objective": {"id": 1, "title": "Fast onboarding", "url": "https://okrs.test/o/"},
            "checkin": {"week": "2026-W49", "url": "https://okrs.test/c/"},
            "key_results": [
                {
                    "title": "Invoices <day one>",
                    "value": 27,
                    "target": 80,
                    "unit": "%",
                    "confidence": 6,
                    "url": "https://okrs.test/k/",
                },
            ],
        },
    }
    deliveries_send([pending(endpoint, payload=payload).pk])
    body = json.loads(receiver.received[0].body)
    text = body["text"]
    assert "2026-W49" in text and "27 %" in text and "80 %" in text and "6/10" in text
    if format == "slack":
        assert "<https://okrs.test/t/|Onboarding>" in text
        assert "Invoices &lt;day one&gt;" in text
    else:
        assert body["@type"] == "MessageCard" and "[Onboarding](https://okrs.test/t/)" in text


# --- where deliveries may not go ----------------------------------------------------------


def test_a_private_address_is_refused_at_delivery_too(receiver, settings):
    delivery = pending(EndpointFactory(url=receiver.url))
    settings.DEBUG = True  # plain http, so the address is what is refused
    settings.WEBHOOK_ALLOWED_HOSTS = []  # e.g. saved while it was allowed
    deliveries_send([delivery.pk])
    delivery.refresh_from_db()
    assert "public addresses" in delivery.last_error and delivery.status == "pending"
    assert receiver.received == []


def test_a_name_resolving_to_a_private_address_is_refused_at_delivery(
    receiver, settings, monkeypatch
):
    settings.DEBUG = True  # plain http, so the address is what is refused
    settings.WEBHOOK_ALLOWED_HOSTS = []
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda host, port, *a, **k: [(2, 1, 6, "", ("127.0.0.1", port))]
    )
    delivery = pending(EndpointFactory(url=f"http://hooks.example.com:{receiver.port}/hooks"))
    deliveries_send([delivery.pk])
    delivery.refresh_from_db()
    assert "public addresses" in delivery.last_error
    assert receiver.received == []


def test_the_request_goes_to_the_checked_address_with_the_name_as_host(
    receiver, settings, monkeypatch
):
    """The name is resolved once, by the check; the connection is made to that address
    (this name has no DNS at all: only the check's resolver knows it)."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.internal.test"]
    real = socket.getaddrinfo
    asked = []

    def getaddrinfo(host, port, *args, **kwargs):
        asked.append(host)
        if host == "hooks.internal.test":
            return [(2, 1, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    url = f"http://hooks.internal.test:{receiver.port}/hooks"
    assert pinned_target(url).url == f"http://127.0.0.1:{receiver.port}/hooks"
    asked.clear()
    delivery = pending(EndpointFactory(url=url))
    assert deliveries_send([delivery.pk]).delivered == [delivery.pk]
    assert receiver.received[0].headers["host"] == f"hooks.internal.test:{receiver.port}"
    assert asked.count("hooks.internal.test") == 1


def test_a_body_that_cannot_be_built_is_not_left_claimed(receiver, monkeypatch):
    from webhooks import chat

    def broken(format, payload):
        raise KeyError("data")

    monkeypatch.setattr(chat, "message", broken)
    delivery = pending(EndpointFactory(url=receiver.url, format="slack"))
    assert deliveries_send([delivery.pk]).retrying == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.status == "pending" and "could not send" in delivery.last_error
    assert receiver.received == []


def test_the_paused_email_says_what_happens_to_the_deliveries(receiver, team, lead):
    from teams.outbox import outbox_message

    receiver.behaviour.status = 500
    endpoint = EndpointFactory(url=receiver.url, team=team, created_by=lead)
    deliveries_send([pending(endpoint, retry_until=timezone.now()).pk])
    message = outbox_message(EmailOutbox.objects.get(kind="webhook_paused"))
    assert receiver.url in message.body and f"/webhooks/{endpoint.pk}/" in message.body
    assert "go out when you resume it" in message.body
    services.endpoint_resume(endpoint=endpoint)  # resumed meanwhile: no longer sent
    assert outbox_message(EmailOutbox.objects.get(kind="webhook_paused")) is None
