"""What the OKR forms offer."""

import pytest

from okrs.forms import KeyResultForm
from tests.factories import KeyResultFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_team_key_result_is_owned_by_a_member_a_leader_or_its_owner(team, payments):
    member = MembershipFactory(team=team).user
    leader = UserFactory(is_leader=True)
    elsewhere = MembershipFactory(team=payments).user
    former = UserFactory()  # owns the key result, in no team any more
    gone = UserFactory(is_active=False, is_leader=True)
    key_result = KeyResultFactory(owner=former)
    offered = set(KeyResultForm(instance=key_result, team=team).fields["owner"].queryset)
    assert {member, leader, former} <= offered
    assert elsewhere not in offered and gone not in offered
    assert elsewhere not in set(KeyResultForm(team=team).fields["owner"].queryset)
