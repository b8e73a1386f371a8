from datetime import date

import pytest
from django.db import IntegrityError, transaction

from okrs.models import Cycle, Objective
from tests.factories import (
    CompanyObjectiveFactory,
    CycleFactory,
    TeamFactory,
    TeamObjectiveFactory,
)

pytestmark = pytest.mark.django_db


def test_only_one_cycle_can_be_active():
    CycleFactory(status=Cycle.Status.ACTIVE)
    CycleFactory(status=Cycle.Status.PLANNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        CycleFactory(status=Cycle.Status.ACTIVE)
    assert Cycle.objects.filter(status="active").count() == 1


def test_a_cycle_ends_after_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        CycleFactory(start_date=date(2026, 10, 1), end_date=date(2026, 10, 1))


def test_exactly_one_company_objective_per_cycle():
    objective = CompanyObjectiveFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyObjectiveFactory(cycle=objective.cycle, title="A second one")
    assert Objective.objects.filter(cycle=objective.cycle).count() == 1


def test_one_open_team_objective_per_team_and_cycle():
    first = TeamObjectiveFactory()
    cycle, team, kr = first.cycle, first.team, first.aligned_to
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamObjectiveFactory(cycle=cycle, team=team, title="2", aligned_to=kr)
    # An archived objective does not count.
    Objective.objects.filter(team=team).update(state=Objective.State.ARCHIVED)
    TeamObjectiveFactory(cycle=cycle, team=team, title="2", aligned_to=kr)


def test_a_team_objective_is_aligned_to_a_company_key_result():
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamObjectiveFactory(
            cycle=CycleFactory(), team=TeamFactory(), title="Unaligned", aligned_to=None
        )


def test_a_company_objective_has_no_team():
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyObjectiveFactory(cycle=CycleFactory(), team=TeamFactory(), title="Wrong")
