"""The team page is built once per role (outside the team, member, lead, leader) and
served from the cache with each request's own CSRF token; nothing of the viewer's own
is on it."""

import re

import pytest
from django.core.cache import caches
from django.urls import reverse

from dashboard import team_page
from tests.dashboard.team_page.pages import body, page
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_readers_get_the_page_built_once_in_four_queries(
    client_for, outsider, team, objective, django_assert_num_queries
):
    client = client_for(outsider)
    first = page(client, team)
    # session, user, team, the viewer's team roles: the body comes from the cache
    with django_assert_num_queries(4):
        again = page(client, team)
    assert body(again) == body(first)
    assert "Customers invoice on day one" in again
    caches["pages"].clear()
    assert body(page(client, team)) == body(first), "the cached body is what a build shows"


def test_the_team_and_leaders_get_their_own_page_with_its_forms(
    client_for, outsider, member, lead, leader, team, objective
):
    member_page = page(client_for(member), team)  # cached first, for the team's members
    assert "Post comment" in member_page and "Members</a>" not in member_page
    reader = page(client_for(outsider), team)
    assert "csrfmiddlewaretoken" not in body(reader) and "Post comment" not in reader
    assert "Members</a>" in page(client_for(lead), team)
    leader_page = page(client_for(leader), team)
    assert "Edit team" in leader_page and "Post comment" in leader_page
    assert "Edit team" not in page(client_for(outsider), team)
    assert "Edit team" not in page(client_for(member), team)


def test_a_cached_page_carries_each_requests_own_csrf_token_and_its_forms_work(
    client_for, team, objective, member, django_assert_num_queries
):
    first, second = (client_for(member, enforce_csrf_checks=True) for _ in range(2))
    page(first, team)
    with django_assert_num_queries(4):  # session, user, team, the viewer's team roles
        html = page(second, team)
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert tokens and team_page.CSRF_PLACEHOLDER not in html
    response = second.post(
        reverse("okrs:comment-create", args=[objective.pk]),
        {"csrfmiddlewaretoken": tokens[-1], "comment-body": "Posted from a cached page"},
    )
    assert response.status_code == 302
    assert "Posted from a cached page" in page(second, team)


def test_people_in_the_same_role_see_the_same_page(client_for, team, objective, member):
    """Nothing of the viewer's own may be on a team page, or caching it per role would
    show one person's page to another: built afresh for two members, it is the same."""
    other = MembershipFactory(team=team, user__name="Another Member").user
    built = []
    for person in (member, other):
        caches["pages"].clear()
        html = body(page(client_for(person), team))
        built.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html))
    assert built[0] == built[1]
