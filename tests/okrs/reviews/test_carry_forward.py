"""Carrying an objective forward into the next cycle, and the history an objective and
its key results leave."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from okrs import review_selectors, services
from okrs.models import KeyResult, Objective
from okrs.services import reviews, workflow
from tests.factories import CompanyObjectiveFactory, CycleFactory, KeyResultFactory
from tests.fixtures.okrs import key_result_data, key_results_of, start_review

# The review starts today and the next cycle begins after the one around today.
pytestmark = [pytest.mark.django_db, pytest.mark.dates]
State = Objective.State


@pytest.fixture
def next_cycle(cycle, today):
    start_review(cycle, today)
    following = CycleFactory(
        name="Q1 2027",
        start_date=cycle.end_date + timedelta(days=1),
        end_date=cycle.end_date + timedelta(days=91),
    )
    services.cycle_activate(cycle=following)
    company = CompanyObjectiveFactory(cycle=following)
    KeyResultFactory(objective=company, title="Referrals per month")
    return following


def test_a_team_carries_its_objective_forward_with_current_values_as_starts(
    objective, next_cycle, lead
):
    target_kr = next_cycle.objectives.get(level="company").key_results.get()
    carried = reviews.objective_carry_forward(objective=objective, aligned_to=target_kr, actor=lead)
    assert carried.cycle == next_cycle and carried.state == State.DRAFT
    assert carried.carried_from == objective and carried.title == objective.title
    assert carried.aligned_to == target_kr
    old, new = key_results_of(objective), key_results_of(carried)
    assert [k.title for k in new] == [k.title for k in old]
    assert [(k.start_value, k.target_value, k.current_value) for k in new] == [
        (D(45), D(60), D(45)),
        (D(3), D(3), D(3)),
    ]
    assert [k.score for k in new] == [None, None] and [k.confidence for k in new] == [None, None]
    assert reviews.reached_targets(carried) == [new[1]]
    verbs = list(carried.events.order_by("id").values_list("verb", "key_result_id"))
    assert verbs == [("carried", None), ("kr_added", new[0].pk), ("kr_added", new[1].pk)]
    # the old objective and its cycle are untouched
    assert [k.start_value for k in key_results_of(objective)] == [D(10), D(9)]
    with pytest.raises(ValidationError, match="already has an objective in Q1 2027"):
        reviews.objective_carry_forward(objective=objective, aligned_to=target_kr, actor=lead)
    assert Objective.objects.filter(cycle=next_cycle, team=objective.team).count() == 1


def test_carrying_forward_is_refused_with_a_message(objective, cycle, lead, today):
    company_kr = objective.aligned_to
    with pytest.raises(ValidationError, match="once its cycle is over"):
        reviews.objective_carry_forward(objective=objective, aligned_to=company_kr, actor=lead)
    start_review(cycle, today)
    objective.refresh_from_db()
    with pytest.raises(ValidationError, match="no active cycle"):
        reviews.objective_carry_forward(objective=objective, aligned_to=company_kr, actor=lead)
    following = CycleFactory(
        start_date=cycle.end_date + timedelta(days=1), end_date=cycle.end_date + timedelta(days=90)
    )
    services.cycle_activate(cycle=following)
    with pytest.raises(ValidationError, match="this cycle's company objective"):
        # a key result of the old cycle
        reviews.objective_carry_forward(objective=objective, aligned_to=company_kr, actor=lead)
    with pytest.raises(ValidationError, match="company objective anew"):
        reviews.objective_carry_forward(
            objective=company_kr.objective, aligned_to=company_kr, actor=lead
        )
    assert not Objective.objects.filter(cycle=following).exists()


def test_only_a_committed_objective_is_carried_forward(objective, next_cycle, lead):
    target_kr = next_cycle.objectives.get(level="company").key_results.get()
    Objective.objects.filter(pk=objective.pk).update(state=State.ARCHIVED)  # a declined proposal
    objective.refresh_from_db()
    assert reviews.carry_forward_target(objective) is None
    with pytest.raises(ValidationError, match="Only a committed objective"):
        reviews.objective_carry_forward(objective=objective, aligned_to=target_kr, actor=lead)
    assert not Objective.objects.filter(cycle=next_cycle, team=objective.team).exists()


def test_a_carried_key_result_at_its_target_must_be_raised_before_submitting(
    objective, next_cycle, lead
):
    target_kr = next_cycle.objectives.get(level="company").key_results.get()
    carried = reviews.objective_carry_forward(objective=objective, aligned_to=target_kr, actor=lead)
    with pytest.raises(ValidationError, match="“Setup steps”: The target must differ"):
        workflow.team_objective_submit(objective=carried, actor=lead)
    carried.refresh_from_db()
    assert carried.state == State.DRAFT
    KeyResult.objects.filter(objective=carried, title="Setup steps").update(target_value=D(2))
    assert workflow.team_objective_submit(objective=carried, actor=lead).state == State.SUBMITTED


# --- history -----------------------------------------------------------------------------


def test_the_history_of_an_objective_and_of_each_key_result(objective, member, leader):
    objective.state = State.DRAFT
    objective.save()
    first, second = key_results_of(objective)
    data = key_result_data(
        title=first.title, start_value=D(10), target_value=D(80), current_value=D(45), unit="%"
    )
    services.key_result_update(key_result=first, data=data, expected_version=1, actor=member)
    services.objective_update(
        objective=objective,
        title="Day one matters",
        context="",
        expected_version=objective.version,
        actor=leader,
    )
    events, updates = review_selectors.objective_history(objective)
    assert [(e.verb, e.actor) for e in events] == [("reworded", leader), ("kr_changed", member)]
    assert events[1].changes == {"target_value": ["60", "80"]} and events[1].key_result == first
    kr_events, _ = review_selectors.objective_history(objective, key_result=second)
    assert kr_events == []
    kr_events, _ = review_selectors.objective_history(objective, key_result=first)
    assert [e.verb for e in kr_events] == ["kr_changed"]
    assert updates == []
