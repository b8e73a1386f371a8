"""The cached team page. Onboarding's objective is committed in the active cycle, moves
a company key result and has one key result of its own."""

import pytest

from okrs.models import Cycle, Objective
from tests.factories import CompanyObjectiveFactory, KeyResultFactory, TeamObjectiveFactory


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
