"""Obstacles (one in focus, help asked from and answered by another team) and
experiments."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from checkins import services
from checkins.models import Experiment, Obstacle
from tests.factories import KeyResultFactory
from tests.fixtures.checkins import experiment_data
from tests.fixtures.okrs import key_results_of


@pytest.mark.django_db
def test_help_between_teams(objective, member, payments, stranger):
    helper = stranger  # of Payments
    obstacle = services.obstacle_add(
        team=objective.team,
        description="Bank checks take 3 days",
        help_team=payments,
        author=member,
        focus=True,
    )
    assert obstacle.is_focus
    with pytest.raises(ValidationError):
        services.obstacle_add(
            team=objective.team, description="Self help", help_team=objective.team, author=member
        )
    with pytest.raises(ValidationError):
        services.obstacle_answer(obstacle=obstacle, answer="  ", author=helper)
    services.obstacle_answer(obstacle=obstacle, answer="We verify same day now", author=helper)
    obstacle.refresh_from_db()
    assert obstacle.resolved_at and obstacle.answered_by == helper and not obstacle.is_focus
    with pytest.raises(ValidationError, match="already resolved"):
        services.obstacle_answer(obstacle=obstacle, answer="again", author=helper)


@pytest.mark.django_db
def test_one_obstacle_in_focus(objective, member):
    a = services.obstacle_add(
        team=objective.team, description="A", help_team=None, author=member, focus=True
    )
    b = services.obstacle_add(
        team=objective.team, description="B", help_team=None, author=member, focus=True
    )
    assert list(Obstacle.objects.filter(is_focus=True)) == [b]
    services.obstacle_resolve(obstacle=b)
    with pytest.raises(ValidationError):
        services.obstacle_focus(obstacle=b)
    services.obstacle_focus(obstacle=a)
    assert list(Obstacle.objects.filter(is_focus=True)) == [a]


@pytest.mark.django_db
def test_experiments(objective, member):
    kr = key_results_of(objective)[0]
    data = experiment_data(
        kr,
        belief="a pre-filled sample invoice",
        outcome="more day-one invoices",
        signal="+5 points",
        status="running",
        started_on=date(2026, 11, 2),
        ended_on=None,
        result="",
        learning="",
    )
    experiment = services.experiment_create(team=objective.team, data=data, author=member)
    other_kr = KeyResultFactory()
    with pytest.raises(ValidationError):
        services.experiment_create(
            team=objective.team,
            author=member,
            data=services.ExperimentData(**{**data.__dict__, "key_result": other_kr}),
        )
    done = services.ExperimentData(
        **{
            **data.__dict__,
            "status": "validated",
            "ended_on": date(2026, 11, 20),
            "result": "+7 points",
            "learning": "Show, don't tell",
        }
    )
    experiment = services.experiment_update(experiment=experiment, data=done, expected_version=1)
    assert (experiment.status, experiment.version) == ("validated", 2)
    from okrs.services import StaleEdit

    with pytest.raises(StaleEdit):
        services.experiment_update(experiment=experiment, data=data, expected_version=1)
    with pytest.raises(ValidationError):
        services.experiment_update(
            experiment=experiment,
            expected_version=2,
            data=services.ExperimentData(**{**done.__dict__, "ended_on": date(2026, 10, 1)}),
        )
    assert Experiment.objects.get().status == "validated"
