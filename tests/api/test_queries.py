"""Pinned query counts: each list (and each read) costs the same at 10 teams and at 200,
so N+1 never returns. Counted after a first request (which also notes the token's use)."""

import pytest

from checkins.models import CheckIn, Experiment
from okrs.models import Cycle, Objective
from tests.factories import (
    CompanyObjectiveFactory,
    KeyResultFactory,
    MembershipFactory,
    TeamFactory,
    TeamObjectiveFactory,
)
from tests.fixtures.api import ApiClient, make_token
from tests.fixtures.okrs import cycle_around

# endpoint -> queries: the token (1), then the endpoint's own.
READS = {
    "/api/v1/cycles": 3,
    "/api/v1/cycles/active/company-okr": 6,
    "/api/v1/teams": 6,
    "/api/v1/teams/t0/objective": 8,
    "/api/v1/teams/t0/checkins": 5,
    "/api/v1/teams/t0/experiments": 4,
}


def company(teams: int):
    from django.utils import timezone

    cycle = cycle_around(timezone.localdate(), before=30, after=60)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.ACTIVE)
    company_kr = KeyResultFactory(objective=CompanyObjectiveFactory(cycle=cycle))
    for n in range(teams):
        team = TeamFactory(name=f"T{n:03}", slug=f"t{n}")
        MembershipFactory(team=team)
        objective = TeamObjectiveFactory(
            cycle=cycle, team=team, aligned_to=company_kr, state=Objective.State.COMMITTED
        )
        for position in (1, 2):
            kr = KeyResultFactory(objective=objective, position=position)
        CheckIn.objects.create(team=team, objective=objective, week_start=cycle.start_date)
        Experiment.objects.create(team=team, key_result=kr, belief="b", outcome="o", signal="s")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "teams", [10, pytest.param(200, marks=pytest.mark.slow)], ids=["10-teams", "200-teams"]
)
def test_reads_cost_the_same_at_any_size(teams, leader, django_assert_num_queries):
    company(teams)
    _, secret = make_token(leader)
    client = ApiClient(secret)
    client.get("/api/v1/cycles")  # notes the token's use: one query more, once a minute
    for path, queries in READS.items():
        with django_assert_num_queries(queries):
            response = client.get(path)
        assert response.status_code == 200, (path, response.content[:200])
