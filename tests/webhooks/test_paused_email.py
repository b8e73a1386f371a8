"""Who is told that an endpoint was paused: who registered it while they still may
manage it (webhooks.access.may_manage), else the team's leads, else the leaders."""

from django.utils import timezone

from teams.models import Membership
from tests.factories import EndpointFactory, MembershipFactory, UserFactory
from webhooks.emails import paused_rows


def _told(endpoint) -> set[int]:
    endpoint.paused_at = timezone.now()
    return {row.recipient_id for row in paused_rows(endpoint)}


def test_the_lead_who_registered_it_is_told(team, lead):
    MembershipFactory(team=team, role=Membership.Role.LEAD)  # another lead: not told
    assert _told(EndpointFactory(team=team, created_by=lead)) == {lead.pk}


def test_a_lead_who_is_a_member_now_is_not_told_the_teams_leads_are(team, lead, leader):
    Membership.objects.filter(team=team, user=lead).update(role=Membership.Role.MEMBER)
    other = MembershipFactory(team=team, role=Membership.Role.LEAD).user
    assert _told(EndpointFactory(team=team, created_by=lead)) == {other.pk}


def test_a_team_with_no_lead_left_tells_the_leaders(team, lead, leader):
    Membership.objects.filter(team=team, user=lead).delete()
    assert _told(EndpointFactory(team=team, created_by=lead)) == {leader.pk}


def test_a_deactivated_leader_is_not_told_of_the_companys_endpoint(leader):
    gone = UserFactory(is_leader=True, is_active=False)
    assert _told(EndpointFactory(team=None, created_by=gone)) == {leader.pk}
    assert _told(EndpointFactory(team=None, created_by=leader)) == {leader.pk}
