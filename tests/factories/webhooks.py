"""Factories of the webhooks app: endpoints and their deliveries."""

from datetime import timedelta

import factory
from django.utils import timezone

from webhooks.models import Delivery, Endpoint
from webhooks.signing import new_secret


class EndpointFactory(factory.django.DjangoModelFactory):
    """A team's endpoint (`team=None`: the company's) wanting check-ins."""

    class Meta:
        model = Endpoint

    team = None
    url = factory.Sequence(lambda n: f"https://93.184.215.14/hooks/{n}")
    events = factory.LazyFunction(lambda: ["checkin.submitted"])
    secret = factory.LazyFunction(new_secret)


class DeliveryFactory(factory.django.DjangoModelFactory):
    """A delivery that was sent and answered 2xx (the page's "send again" applies)."""

    class Meta:
        model = Delivery

    endpoint = factory.SubFactory(EndpointFactory)
    message_id = factory.Sequence(lambda n: f"msg_factory{n:08d}")
    event = "checkin.submitted"
    payload = factory.LazyFunction(lambda: {"type": "checkin.submitted", "data": {}})
    status = Delivery.Status.DELIVERED
    attempts = 1
    retry_until = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    next_attempt_at = factory.LazyFunction(timezone.now)
    last_status_code = 204
    last_attempt_at = factory.LazyFunction(timezone.now)
    delivered_at = factory.LazyFunction(timezone.now)
