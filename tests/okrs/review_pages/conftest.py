"""The end of a cycle through HTTP. "Q4 2026" ended yesterday and is in review for ten
more days; Onboarding's committed objective has one key result, 70 % of the way."""

from datetime import timedelta

import pytest

from okrs.models import Cycle
from tests.fixtures.okrs import (
    INVOICES_SENT_ON_DAY_ONE,
    committed_objective,
    company_key_result,
    cycle_around,
)


@pytest.fixture
def cycle(today):
    return cycle_around(
        today,
        before=90,
        after=-1,
        name="Q4 2026",
        status=Cycle.Status.REVIEW,
        review_until=today + timedelta(days=10),
    )


@pytest.fixture
def objective(cycle, team):
    return committed_objective(cycle, team, INVOICES_SENT_ON_DAY_ONE)


@pytest.fixture
def kr(objective):
    return objective.key_results.get()


@pytest.fixture
def next_cycle(cycle, today):
    """The next cycle, active from today, with a company key result to carry towards."""
    following = cycle_around(today, before=0, after=90, name="Q1 2027")
    company_key_result(following, title="Referrals per month")
    return following
