"""Check-in services. Onboarding's objective is committed in a cycle that began ten
weeks ago and ends in twenty days, with two key results; its member is Mia."""

import pytest

from tests.factories import MembershipFactory, UserFactory
from tests.fixtures.okrs import DAY_ONE_INVOICING, SETUP_STEPS, committed_objective, cycle_around


@pytest.fixture
def cycle(db, today):
    return cycle_around(today, before=70, after=20)


@pytest.fixture
def objective(cycle, team):
    return committed_objective(cycle, team, DAY_ONE_INVOICING, SETUP_STEPS)


@pytest.fixture
def member(team):
    return MembershipFactory(team=team, user=UserFactory(email="mia@example.com")).user
