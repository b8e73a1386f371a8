"""The webhooks' pages: adding one (its secret shown once), the lists, an endpoint with its
deliveries and buttons, bad input, a stale edit; query counts pinned. Who may use each
page is in the permission table (tests/permissions.py)."""

import pytest
from django.urls import reverse

from teams.models import AuditEvent
from tests.factories import DeliveryFactory, EndpointFactory, TeamFactory
from tests.helpers import HX, signed_in
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://93.184.215.14/hooks/okrs"


def post_data(**overrides) -> dict:
    return {
        "url": PUBLIC_URL,
        "description": "Metrics pipeline",
        "events": ["checkin.submitted", "objective.committed"],
        "format": "standard",
        **overrides,
    }


def test_a_lead_adds_a_team_webhook_and_sees_its_secret_once(team, lead):
    client = signed_in(lead)
    team_page = client.get(reverse("dashboard:team-detail", args=[team.slug]))
    assert reverse("webhooks:team", args=[team.slug]) in team_page.content.decode()
    response = client.post(reverse("webhooks:team-create", args=[team.slug]), post_data())
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("webhooks:endpoint", args=[endpoint.pk])
    assert (endpoint.team, endpoint.created_by, endpoint.events) == (
        team,
        lead,
        ["objective.committed", "checkin.submitted"],
    )
    assert endpoint.secret.startswith("whsec_")
    first = client.get(response["Location"])
    assert endpoint.secret in first.content.decode()
    assert "no-store" in first["Cache-Control"]
    again = client.get(response["Location"])
    assert endpoint.secret not in again.content.decode()
    assert AuditEvent.objects.filter(action="webhook_added", actor=lead).exists()


def test_a_leader_adds_a_company_webhook(leader):
    client = signed_in(leader)
    response = client.post(reverse("webhooks:company-create"), post_data(format="slack"))
    assert response.status_code == 302
    endpoint = Endpoint.objects.get()
    assert endpoint.team is None and endpoint.format == "slack"
    listing = client.get(reverse("webhooks:company")).content.decode()
    assert "Metrics pipeline" in listing


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"url": "https://10.0.0.1/hook"}, "url", "public addresses"),
        ({"url": "https://169.254.169.254/latest/"}, "url", "public addresses"),
        ({"url": "not a url"}, "url", "Enter a valid URL"),
        ({"events": []}, "events", "Choose at least one event"),
        ({"events": ["everything"]}, "events", "Select a valid choice"),
        ({"format": "xml"}, "format", "Select a valid choice"),
    ],
)
def test_bad_input_says_why_and_saves_nothing(leader, overrides, field, message):
    response = signed_in(leader).post(reverse("webhooks:company-create"), post_data(**overrides))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert response.context["form"].errors[field]
    assert not Endpoint.objects.exists()


def test_a_stale_edit_is_a_409_with_what_is_saved(team, lead, leader):
    endpoint = EndpointFactory(team=team)
    url = reverse("webhooks:endpoint-edit", args=[endpoint.pk])
    assert signed_in(leader).post(url, post_data(url="https://93.184.215.15/a", version=1))[
        "Location"
    ] == reverse("webhooks:endpoint", args=[endpoint.pk])
    response = signed_in(lead).post(url, post_data(url="https://93.184.215.16/b", version=1))
    assert response.status_code == 409
    assert "https://93.184.215.15/a" in response.content.decode()
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.version) == ("https://93.184.215.15/a", 2)
    # Saving again (the form now carries the new version) is a deliberate overwrite.
    again = signed_in(lead).post(url, post_data(url="https://93.184.215.16/b", version=2))
    assert again.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url == "https://93.184.215.16/b"
    # Each saved change is in the audit log with who and the new address; the refused
    # stale one is not.
    changes = AuditEvent.objects.filter(action="webhook_changed").order_by("pk")
    assert [(c.actor, c.subject.split(": ")[-1]) for c in changes] == [
        (leader, "https://93.184.215.15/a"),
        (lead, "https://93.184.215.16/b"),
    ]
    assert all(c.ip_address for c in changes)


def test_the_buttons(team, lead):
    endpoint = EndpointFactory(team=team)
    delivery = DeliveryFactory(endpoint=endpoint, status=Delivery.Status.FAILED)
    client = signed_in(lead)
    page = reverse("webhooks:endpoint", args=[endpoint.pk])
    assert client.post(reverse("webhooks:endpoint-test", args=[endpoint.pk]))["Location"] == page
    assert endpoint.deliveries.filter(event="webhook.test").count() == 1
    client.post(reverse("webhooks:delivery-resend", args=[endpoint.pk, delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    client.post(reverse("webhooks:endpoint-pause", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    # Paused: no test event until resumed, and the page says why.
    refused = client.post(reverse("webhooks:endpoint-test", args=[endpoint.pk]), follow=True)
    assert "resume it before testing" in refused.content.decode()
    assert endpoint.deliveries.filter(event="webhook.test").count() == 1
    client.post(reverse("webhooks:endpoint-resume", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.is_active
    client.post(reverse("webhooks:endpoint-delete", args=[endpoint.pk]))
    assert not Endpoint.objects.exists() and not Delivery.objects.exists()
    assert AuditEvent.objects.filter(action="webhook_removed").exists()


def test_the_endpoint_page_lists_deliveries_and_polls_while_some_wait(team, lead):
    endpoint = EndpointFactory(team=team)
    DeliveryFactory(endpoint=endpoint, last_status_code=204)
    client = signed_in(lead)
    url = reverse("webhooks:endpoint", args=[endpoint.pk])
    body = client.get(url).content.decode()
    assert "204" in body and "Delivered" in body and 'hx-trigger="every 2s"' not in body
    DeliveryFactory(endpoint=endpoint, status=Delivery.Status.PENDING, attempts=0)
    fragment = client.get(url, **HX).content.decode()
    assert fragment.lstrip().startswith('<section id="deliveries"')
    assert 'hx-trigger="every 2s"' in fragment


def test_a_leader_sees_every_teams_webhooks(team, leader):
    EndpointFactory(team=team, description="Onboarding metrics")
    EndpointFactory(team=None, description="Company Slack")
    body = signed_in(leader).get(reverse("webhooks:company")).content.decode()
    assert "Onboarding metrics" in body and "Company Slack" in body


def test_a_lead_manages_only_their_teams(team, lead, payments):
    theirs = EndpointFactory(team=payments)
    response = signed_in(lead).get(reverse("webhooks:endpoint", args=[theirs.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize("count", [1, 20])
def test_query_counts_of_the_lists(team, lead, leader, count, django_assert_num_queries):
    """The same number of queries for 1 or 20 endpoints with deliveries."""
    for _ in range(count):
        other = TeamFactory()
        for endpoint in (
            EndpointFactory(team=team),
            EndpointFactory(team=None),
            EndpointFactory(team=other),
        ):
            DeliveryFactory(endpoint=endpoint)
            DeliveryFactory(endpoint=endpoint, status=Delivery.Status.FAILED)
    client = signed_in(leader)
    client.get(reverse("webhooks:company"))  # the session, once
    # session, user, the company's endpoints, the teams'
    with django_assert_num_queries(4):
        assert client.get(reverse("webhooks:company")).status_code == 200
    lead_client = signed_in(lead)
    lead_client.get(reverse("webhooks:team", args=[team.slug]))
    # session, user, the team, the lead's roles, the team's endpoints
    with django_assert_num_queries(5):
        assert lead_client.get(reverse("webhooks:team", args=[team.slug])).status_code == 200


@pytest.mark.parametrize("count", [1, 50])
def test_query_count_of_the_endpoint_page(team, lead, count, django_assert_num_queries):
    endpoint = EndpointFactory(team=team)
    for _ in range(count):
        DeliveryFactory(endpoint=endpoint)
    client = signed_in(lead)
    url = reverse("webhooks:endpoint", args=[endpoint.pk])
    client.get(url)
    # session, user, the endpoint with its team, the lead's roles, the deliveries
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200


def test_another_endpoints_delivery_cannot_be_sent_again_through_ours(team, lead, payments):
    """The delivery must belong to the endpoint in the address: a lead cannot resend
    another team's delivery by pairing its id with their own endpoint's."""
    ours = EndpointFactory(team=team)
    theirs = DeliveryFactory(endpoint=EndpointFactory(team=payments), status="failed")
    response = signed_in(lead).post(reverse("webhooks:delivery-resend", args=[ours.pk, theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "failed"


def test_a_private_address_is_refused_on_edit_and_nothing_changes(team, lead):
    endpoint = EndpointFactory(team=team)
    before = endpoint.url
    url = reverse("webhooks:endpoint-edit", args=[endpoint.pk])
    response = signed_in(lead).post(url, post_data(url="https://10.0.0.5/hook", version=1))
    assert response.status_code == 422
    assert response.context["form"].errors["url"]
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.version) == (before, 1)
    assert not AuditEvent.objects.filter(action="webhook_changed").exists()
