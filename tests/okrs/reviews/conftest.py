"""The end of a cycle in the services. Onboarding's objective is committed in a cycle,
"Q4 2026", that ends in five days; one key result is 70 % of the way, one is reached."""

from decimal import Decimal as D

import pytest

from tests.fixtures.okrs import (
    INVOICES_SENT_ON_DAY_ONE,
    SETUP_STEPS,
    committed_objective,
    cycle_around,
)


@pytest.fixture
def cycle(today):
    return cycle_around(today, before=80, after=5, name="Q4 2026")


@pytest.fixture
def objective(cycle, team):
    setup_steps_reached = {**SETUP_STEPS, "current_value": D(3), "unit": "steps"}
    return committed_objective(cycle, team, INVOICES_SENT_ON_DAY_ONE, setup_steps_reached)
