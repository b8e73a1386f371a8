"""A closed cycle is read-only for every write path; in review, the OKRs are frozen while
scores, retrospectives, comments and learnings go on."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from checkins import services as checkin_services
from checkins.models import CheckIn, Experiment
from okrs import services
from okrs.models import Comment, Cycle, KeyResult, Objective, ObjectiveEvent, Retrospective
from okrs.services import reviews, workflow
from tests.factories import ExperimentFactory, TeamFactory
from tests.fixtures.checkins import experiment_data
from tests.fixtures.okrs import key_result_data, key_results_of, retro_texts, start_review

# The cycle around today is reviewed or closed; this week's check-in is refused for the
# cycle, not for being an old week.
pytestmark = [pytest.mark.django_db, pytest.mark.dates]


@pytest.fixture
def closed(objective, cycle, team, member, leader, today):
    """The cycle with a check-in, an experiment and a comment, then closed."""
    checkin = checkin_services.checkin_get_or_create(
        team=team, week=checkin_services.this_week(), author=member
    )
    kr = key_results_of(objective)[0]
    experiment = ExperimentFactory(
        team=team, key_result=kr, belief="b", outcome="o", signal="s", status="running"
    )
    company_kr = objective.aligned_to
    services.cycle_close(cycle=cycle)
    cycle.refresh_from_db()
    objective.refresh_from_db()
    return {"checkin": checkin, "experiment": experiment, "kr": kr, "company_kr": company_kr}


def snapshot():
    """Everything a write could touch, to compare before and after a refusal."""
    return {
        "objectives": list(Objective.objects.order_by("pk").values()),
        "key_results": list(KeyResult.objects.order_by("pk").values()),
        "events": ObjectiveEvent.objects.count(),
        "comments": Comment.objects.count(),
        "checkins": list(CheckIn.objects.order_by("pk").values()),
        "experiments": list(Experiment.objects.order_by("pk").values()),
        "retrospectives": Retrospective.objects.count(),
        "cycles": list(Cycle.objects.order_by("pk").values()),
    }


def write_paths(objective, cycle, team, member, leader, refs):
    kr, company_kr = refs["kr"], refs["company_kr"]
    data = key_result_data(
        title="New", start_value=D(0), target_value=D(5), current_value=D(0), unit=""
    )
    validated = experiment_data(kr)
    other_team = TeamFactory()
    return {
        "cycle_update": lambda: services.cycle_update(
            cycle=cycle, name="Renamed", start_date=cycle.start_date, end_date=cycle.end_date
        ),
        "company_objective_update": lambda: services.objective_update(
            objective=company_kr.objective, title="New", context="", expected_version=1
        ),
        "objective_update": lambda: services.objective_update(
            objective=objective, title="New", context="", expected_version=objective.version
        ),
        "key_result_create": lambda: services.key_result_create(
            objective=objective, data=data, reason="r"
        ),
        "key_result_update": lambda: services.key_result_update(
            key_result=kr, data=data, expected_version=kr.version, reason="r"
        ),
        "key_result_delete": lambda: services.key_result_delete(key_result=kr, reason="r"),
        "key_result_move": lambda: services.key_result_move(key_result=kr, direction="down"),
        "key_result_record": lambda: services.key_result_record(
            key_result=kr, value=D(50), confidence=5, comment="", author=member
        ),
        "company_key_result_record": lambda: services.key_result_record(
            key_result=company_kr, value=D(50), confidence=5, comment="", author=leader
        ),
        "team_objective_define": lambda: workflow.team_objective_define(
            cycle=cycle, team=other_team, title="T", context="", aligned_to=company_kr, actor=leader
        ),
        "team_objective_submit": lambda: workflow.team_objective_submit(
            objective=objective, actor=member
        ),
        "team_objective_commit": lambda: workflow.team_objective_commit(
            objective=objective, actor=leader
        ),
        "comment_add": lambda: workflow.comment_add(
            objective=objective, author=member, body="Late thought"
        ),
        "key_result_score": lambda: reviews.key_result_score(
            key_result=kr, score="0.5", reason="r", expected_version=kr.score_version, actor=member
        ),
        "retrospective_save": lambda: reviews.retrospective_save(
            objective=objective, texts=retro_texts(learned="x"), expected_version=0, actor=member
        ),
        "checkin_save_field": lambda: checkin_services.checkin_save_field(
            checkin=refs["checkin"], field="happened", value="x", base="", author=member
        ),
        "checkin_submit": lambda: checkin_services.checkin_submit(
            checkin=refs["checkin"], author=member
        ),
        "experiment_create": lambda: checkin_services.experiment_create(
            team=team, data=validated, author=member
        ),
        "experiment_update": lambda: checkin_services.experiment_update(
            experiment=refs["experiment"], data=validated, expected_version=1
        ),
    }


WRITE_PATHS = [
    "cycle_update",
    "company_objective_update",
    "objective_update",
    "key_result_create",
    "key_result_update",
    "key_result_delete",
    "key_result_move",
    "key_result_record",
    "company_key_result_record",
    "team_objective_define",
    "team_objective_submit",
    "team_objective_commit",
    "comment_add",
    "key_result_score",
    "retrospective_save",
    "checkin_save_field",
    "checkin_submit",
    "experiment_create",
    "experiment_update",
]


@pytest.mark.parametrize("path", WRITE_PATHS)
def test_every_write_to_a_closed_cycle_is_refused_and_changes_nothing(
    path, closed, objective, cycle, team, member, leader
):
    before = snapshot()
    # "That week is over" (an old week's check-in) would be the wrong refusal
    with pytest.raises(ValidationError, match=r"cycle is (closed|over)"):
        write_paths(objective, cycle, team, member, leader, closed)[path]()
    assert snapshot() == before


OKR_WRITES_FROZEN_IN_REVIEW = [
    "objective_update",
    "key_result_create",
    "key_result_update",
    "key_result_delete",
    "key_result_move",
    "key_result_record",
    "company_key_result_record",
    "team_objective_define",
    "checkin_save_field",
    "checkin_submit",
]


@pytest.mark.parametrize("path", OKR_WRITES_FROZEN_IN_REVIEW)
def test_in_review_the_okrs_are_frozen(path, objective, cycle, team, member, leader, today):
    refs = {
        "checkin": checkin_services.checkin_get_or_create(
            team=team, week=checkin_services.this_week(), author=member
        ),
        "experiment": None,
        "kr": key_results_of(objective)[0],
        "company_kr": objective.aligned_to,
    }
    start_review(cycle, today)
    cycle.refresh_from_db()
    objective.refresh_from_db()
    before = snapshot()
    with pytest.raises(ValidationError, match=r"cycle is (in review|over)"):
        write_paths(objective, cycle, team, member, leader, refs)[path]()
    assert snapshot() == before


def test_in_review_scores_retrospectives_comments_and_learnings_still_go_on(
    objective, cycle, team, member, today
):
    kr = key_results_of(objective)[0]
    experiment = ExperimentFactory(
        team=team, key_result=kr, belief="b", outcome="o", signal="s", status="running"
    )
    start_review(cycle, today)
    objective.refresh_from_db()
    reviews.key_result_score(
        key_result=kr, score="0.7", reason="", expected_version=kr.score_version, actor=member
    )
    reviews.retrospective_save(
        objective=objective, texts=retro_texts(learned="L"), expected_version=0, actor=member
    )
    workflow.comment_add(objective=objective, author=member, body="Well done")
    data = experiment_data(kr, result="It worked", learning="Pre-fill works")
    assert (
        checkin_services.experiment_update(
            experiment=experiment, data=data, expected_version=1
        ).learning
        == "Pre-fill works"
    )
