"""Making and revoking tokens on the pages: shown once, stored as a hash, at most a
year, audited; a team's tokens for its lead and leaders only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.forms import DEFAULT_DAYS
from api.models import ApiToken
from api.tokens import secret_hash
from teams.models import AuditEvent
from tests.fixtures.api import ApiClient


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.mark.django_db
def test_a_personal_token_is_shown_once_and_stored_as_a_hash(client_for, member):
    client = client_for(member)
    response = client.post(
        reverse("tokens:personal"),
        {"name": "My script", "expires_on": in_days(30), "scope": "read"},
    )
    assert response.status_code == 201
    token = ApiToken.objects.get(user=member)
    secret = response.context["made"].secret
    assert secret.startswith("lok_") and secret in response.content.decode()
    assert token.secret_hash == secret_hash(secret)
    assert secret not in repr(list(ApiToken.objects.values_list()))
    assert (token.kind, token.scope, token.team) == ("personal", "read", None)
    again = client.get(reverse("tokens:personal")).content.decode()
    assert secret not in again and token.prefix in again and "My script" in again
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_CREATED, actor=member).exists()
    assert ApiClient(secret).get("/api/v1/cycles").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("expires", "message"), [(366, "at most a year"), (0, "after today"), (-3, "after today")]
)
def test_a_token_lasts_at_most_a_year(client_for, member, expires, message):
    response = client_for(member).post(
        reverse("tokens:personal"),
        {"name": "Too long", "expires_on": in_days(expires), "scope": "write"},
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_a_token_of_a_full_year_is_made(client_for, member):
    response = client_for(member).post(
        reverse("tokens:personal"), {"name": "Year", "expires_on": in_days(365), "scope": "read"}
    )
    assert response.status_code == 201


@pytest.mark.django_db
def test_revoking_stops_the_token_at_once(client_for, member, outsider):
    client = client_for(member)
    response = client.post(
        reverse("tokens:personal"), {"name": "S", "expires_on": in_days(9), "scope": "read"}
    )
    secret = response.context["made"].secret
    token = ApiToken.objects.get()
    # Someone else's revoke finds nothing.
    revoke = reverse("tokens:personal-revoke", args=[token.pk])
    assert client_for(outsider).post(revoke).status_code == 404
    assert ApiToken.objects.get().revoked_at is None
    assert client.post(revoke).status_code == 302
    assert ApiToken.objects.get().revoked_at is not None
    refused = ApiClient(secret).get("/api/v1/cycles")
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_REVOKED).count() == 1
    assert "revoked" in client.get(reverse("tokens:personal")).content.decode()


@pytest.mark.django_db
def test_a_lead_makes_a_team_token_on_the_team_page(client_for, lead, member, team):
    page = client_for(lead).get(reverse("dashboard:team-detail", args=[team.slug]))
    assert reverse("tokens:team", args=[team.slug]) in page.content.decode()
    members_page = client_for(member).get(reverse("dashboard:team-detail", args=[team.slug]))
    assert reverse("tokens:team", args=[team.slug]) not in members_page.content.decode()
    response = client_for(lead).post(
        reverse("tokens:team", args=[team.slug]),
        {"name": "Nightly import", "expires_on": in_days(90), "scope": "read"},
    )
    assert response.status_code == 201
    token = ApiToken.objects.get()
    # A team token always writes: that is what it is for (the posted scope is no field).
    assert (token.kind, token.team, token.user, token.scope) == ("team", team, lead, "write")
    assert client_for(member).get(reverse("tokens:team", args=[team.slug])).status_code == 403


@pytest.mark.django_db
def test_the_audit_log_names_the_token(client_for, leader, api_world, api_tokens):
    api_tokens.client("team_token", REMOTE_ADDR="192.0.2.4").post(
        f"/api/v1/key-results/{api_world.key_result.pk}/values", {"value": 5}
    )
    page = client_for(leader).get(reverse("teams:audit-log")).content.decode()
    token = api_tokens.tokens["team_token"]
    assert "wrote through the API" in page
    assert token.prefix in page and "192.0.2.4" in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "nl", "de"])
def test_the_expiry_is_filled_in_whatever_the_language(client_for, member, language):
    """A date field shows its default as the browser's date input reads it (ISO), not as
    the language writes dates, or a Dutch or German reader would find it empty."""
    page = client_for(member).get("/settings/tokens/", HTTP_ACCEPT_LANGUAGE=language)
    default = timezone.localdate() + timedelta(days=DEFAULT_DAYS)
    assert f'value="{default.isoformat()}"' in page.content.decode()


@pytest.mark.django_db
def test_the_list_says_the_last_day_chosen(client_for, member):
    """A token works through the day chosen; the list names that day, not the midnight
    after it."""
    client = client_for(member)
    client.post(
        reverse("tokens:personal"), {"name": "Day", "expires_on": in_days(30), "scope": "read"}
    )
    page = client.get(reverse("tokens:personal")).content.decode()
    assert f'<time datetime="{in_days(30)}">' in page
    assert f'<time datetime="{in_days(31)}">' not in page
