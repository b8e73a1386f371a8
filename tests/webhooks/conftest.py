"""Webhooks: Onboarding's objective committed in a cycle around today, with two key
results; endpoints of the company, of Onboarding and of Payments."""

import pytest

from tests.factories import EndpointFactory
from tests.fixtures.okrs import DAY_ONE_INVOICING, SETUP_STEPS, committed_objective, cycle_around

ALL_EVENTS = [
    "objective.submitted",
    "objective.challenged",
    "objective.committed",
    "key_result.value_recorded",
    "checkin.submitted",
    "help.requested",
    "help.answered",
    "cycle.review_started",
    "cycle.closed",
]


@pytest.fixture
def cycle(db, today):
    return cycle_around(today, before=70, after=20)


@pytest.fixture
def objective(cycle, team):
    return committed_objective(cycle, team, DAY_ONE_INVOICING, SETUP_STEPS)


@pytest.fixture
def hook_for():
    """An endpoint of `team` (None: the company) wanting `events` (all by default)."""

    def make(team=None, events=None, **fields):
        return EndpointFactory(team=team, events=events or ALL_EVENTS, **fields)

    return make
