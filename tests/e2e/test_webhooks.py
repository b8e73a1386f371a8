"""A leader adds a company-wide webhook in a real browser, copies its secret (shown
once), sends a test event and sees it delivered to a real receiver, which checks the
signature with the Standard Webhooks library."""

import json

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook

from tests.e2e.pages import collect_errors, field, sign_in, snap
from tests.factories import UserFactory
from webhooks.models import Endpoint

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_leader_adds_a_webhook_and_sees_the_test_event_delivered(page, live_server, receiver):
    UserFactory(email="leader@example.com", name="Lena Leader", is_leader=True)
    errors = []
    collect_errors(page, errors)
    sign_in(page, live_server, "leader@example.com")

    # From the account menu to the company's webhooks.
    page.locator("summary", has_text="Account menu for").click()
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="The company's webhooks")).to_be_visible()
    page.get_by_role("link", name="Add a webhook").click()

    field(page, "Address (URL)").fill(receiver.url)
    field(page, "Name").fill("Metrics receiver")
    page.get_by_label("Check-in submitted").check()
    page.get_by_label("Objective committed").check()
    page.get_by_role("button", name="Add webhook").click()

    expect(page.get_by_role("heading", name="Metrics receiver")).to_be_visible()
    secret = page.get_by_label("Signing secret: copy it now").input_value()
    assert secret == Endpoint.objects.get().secret and secret.startswith("whsec_")
    snap(page, "webhook-added")

    page.get_by_role("button", name="Send a test event").click()
    deliveries = page.locator("#deliveries")
    expect(deliveries.get_by_role("cell", name="webhook.test", exact=False)).to_be_visible()
    expect(deliveries.get_by_text("Delivered")).to_be_visible()
    expect(deliveries.get_by_text("204", exact=False)).to_be_visible()
    snap(page, "webhook-delivered")

    [received] = receiver.received
    assert Webhook(secret).verify(received.body, received.headers)["type"] == "webhook.test"
    assert json.loads(received.body)["data"]["endpoint"]["id"] == Endpoint.objects.get().pk

    # Reloaded, the secret is gone for good.
    page.reload()
    expect(page.get_by_label("Signing secret: copy it now")).to_have_count(0)
    assert errors == []
