import pytest
from django.core.management import call_command

from okrs.models import Cycle, KeyResult, Objective
from teams.models import Membership, Team, User


@pytest.mark.dates  # the active cycle is the quarter of today, the closed one the one before
@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_tells_the_story():
    call_command("seed_demo")
    call_command("seed_demo")
    for email in ("leader@example.com", "lead@example.com", "member@example.com"):
        assert User.objects.get(email=email).check_password("lean-okrs-demo")
    assert User.objects.get(email="leader@example.com").is_leader
    assert Membership.objects.get(user__email="lead@example.com").role == "lead"
    assert Team.objects.count() >= 3
    cycle = Cycle.objects.get(status=Cycle.Status.ACTIVE)
    objective = Objective.objects.get(cycle=cycle, level="company")
    assert KeyResult.objects.filter(objective=objective).count() == 3
    assert User.objects.count() == 6
    states = dict(
        Objective.objects.filter(cycle=cycle, level="team").values_list("team__slug", "state")
    )
    assert states == {"onboarding": "committed", "payments": "submitted", "growth": "proposed"}
    # the quarter before is closed, with scores and learnings to plan with
    last = Cycle.objects.get(status=Cycle.Status.CLOSED)
    assert last.end_date < cycle.start_date
    scored = KeyResult.objects.filter(objective__cycle=last).values_list("score", flat=True)
    assert sorted(str(score) for score in scored) == ["0.50", "0.70"]
    assert (
        Objective.objects.filter(cycle=last, retrospective__learned__icontains="default").count()
        == 2
    )
    assert Objective.objects.filter(level="team", cycle=cycle).count() == 3  # idempotent
    assert Cycle.objects.count() == 2
