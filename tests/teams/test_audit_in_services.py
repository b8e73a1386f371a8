"""The team services write their audit records themselves, in the write's transaction:
a refused change leaves none."""

import pytest
from django.core.exceptions import ValidationError

from teams import services
from teams.models import AuditEvent, Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_invitation_is_audited_with_who_and_from_where(team, lead):
    services.invitation_create(
        team=team, email="New@Example.com", role="member", invited_by=lead, ip_address="10.1.2.3"
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.ip_address) == (
        AuditEvent.Action.INVITED,
        lead,
        "10.1.2.3",
    )
    assert event.subject == "new@example.com to Onboarding as member"


def test_a_refused_invitation_is_not_audited(team, lead, member):
    with pytest.raises(ValidationError):
        services.invitation_create(team=team, email=member.email, role="member", invited_by=lead)
    assert not AuditEvent.objects.exists()


def test_role_changes_and_removals_are_audited_and_refusals_are_not(team, lead):
    other = MembershipFactory(team=team, role=Membership.Role.MEMBER, user=UserFactory())
    services.membership_set_role(membership=other, role="lead", actor=lead, ip_address="::1")
    services.membership_remove(membership=other, actor=lead, ip_address="::1")
    only_lead = Membership.objects.get(user=lead)
    with pytest.raises(ValidationError):
        services.membership_remove(membership=only_lead, actor=lead)
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "ip_address")) == [
        (AuditEvent.Action.ROLE_CHANGED, "::1"),
        (AuditEvent.Action.MEMBER_REMOVED, "::1"),
    ]
