"""Creating a team: its address (slug) is made from its name unless typed, a wrong one
is explained the way the help text says, and its first invitation is for its lead."""

import pytest
from django.urls import reverse

from teams.models import Membership, Team
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_address_is_made_from_the_name_when_left_empty(client_for, leader):
    response = client_for(leader).post(
        reverse("teams:team-create"), {"name": "Payments EMEA", "slug": "", "purpose": ""}
    )
    assert response.status_code == 302
    assert Team.objects.get(name="Payments EMEA").slug == "payments-emea"


def test_a_typed_address_is_kept_and_lower_cased(client_for, leader):
    client_for(leader).post(
        reverse("teams:team-create"), {"name": "Payments", "slug": "Pay-EU", "purpose": ""}
    )
    assert Team.objects.get(name="Payments").slug == "pay-eu"


@pytest.mark.parametrize("slug", ["pay_eu", "pay eu", "-pay", "päy"])
def test_a_wrong_address_is_explained_as_the_help_text_says(client_for, leader, slug):
    response = client_for(leader).post(
        reverse("teams:team-create"), {"name": "Payments", "slug": slug, "purpose": ""}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Use lowercase letters, digits and hyphens" in html
    assert "underscores" not in html  # Django's own message contradicted the help text
    assert not Team.objects.filter(name="Payments").exists()


def test_a_name_with_no_letters_for_an_address_asks_for_one(client_for, leader):
    response = client_for(leader).post(
        reverse("teams:team-create"), {"name": "日本", "slug": "", "purpose": ""}
    )
    assert response.status_code == 422 and "Use lowercase letters" in response.content.decode()


def test_a_team_without_a_lead_invites_its_lead_first(client_for, leader, team):
    html = client_for(leader).get(reverse("teams:members", args=[team.slug])).content.decode()
    assert '<option value="lead" selected>' in html
    MembershipFactory(team=team, role=Membership.Role.LEAD)
    html = client_for(leader).get(reverse("teams:members", args=[team.slug])).content.decode()
    assert '<option value="member" selected>' in html
