"""The cached team page. Onboarding's objective is committed in the active cycle, moves
a company key result and has one key result of its own. The tests run on a Wednesday
afternoon in that cycle: a page is built for its day (the key holds the date, the page
shows the week), so a test that reads a page twice must not see the day change between."""

from datetime import UTC, datetime

import pytest
import time_machine

from okrs.models import Cycle, Objective
from tests.factories import CompanyObjectiveFactory, KeyResultFactory, TeamObjectiveFactory

# In the factories' cycle (1 October to 31 December 2026), hours away from midnight:
# 14:00 in Amsterdam (the app's time zone).
WEDNESDAY_AFTERNOON = datetime(2026, 11, 25, 13, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _a_wednesday_afternoon():
    with time_machine.travel(WEDNESDAY_AFTERNOON, tick=True):
        yield


@pytest.fixture
def objective(team, member):
    company = CompanyObjectiveFactory(
        cycle__status=Cycle.Status.ACTIVE, title="Grow without sales calls"
    )
    objective = TeamObjectiveFactory(
        team=team,
        cycle=company.cycle,
        state=Objective.State.COMMITTED,
        title="Customers invoice on day one",
        aligned_to=KeyResultFactory(objective=company, title="Revenue from self-serve grows"),
    )
    KeyResultFactory(objective=objective, title="Setup steps before the first invoice")
    return objective
