"""Events become deliveries where the write happens, in its transaction: for the
company's endpoints and the endpoints of the teams the event is about, if they want it."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from checkins import services as checkin_services
from core.events import Event
from okrs import services as okr_services
from okrs.models import KeyResult, Objective
from okrs.services import workflow
from okrs.weeks import week_start
from tests.factories import KeyResultFactory, ObstacleFactory, TeamObjectiveFactory
from tests.fixtures.okrs import key_results_of, start_review
from webhooks.models import Delivery
from webhooks.services import deliveries_for_event

# Check-ins are for this week of a cycle around today.
pytestmark = [pytest.mark.dates, pytest.mark.django_db]


def events_of(endpoint) -> list[str]:
    return list(
        Delivery.objects.filter(endpoint=endpoint).order_by("id").values_list("event", flat=True)
    )


def test_a_recorded_value_reaches_the_company_and_the_team_not_another_team(
    objective, team, payments, hook_for, lead, settings
):
    company, ours, theirs = hook_for(None), hook_for(team), hook_for(payments)
    unsubscribed = hook_for(team, events=["cycle.closed"])
    paused = hook_for(team, is_active=False)
    kr = key_results_of(objective)[0]
    okr_services.key_result_record(
        key_result=kr, value=D("42.5"), confidence=7, comment="from CI", author=lead
    )
    assert events_of(company) == events_of(ours) == ["key_result.value_recorded"]
    assert events_of(theirs) == events_of(unsubscribed) == events_of(paused) == []
    delivery = Delivery.objects.get(endpoint=ours)
    payload = delivery.payload
    assert payload["type"] == "key_result.value_recorded"
    data = payload["data"]
    assert data["key_result"]["value"] == 42.5 and data["key_result"]["confidence"] == 7
    assert data["team"]["slug"] == team.slug
    assert data["team"]["url"] == f"{settings.SITE_URL}/teams/{team.slug}/"
    assert data["key_result"]["url"].startswith(settings.SITE_URL + "/")
    assert delivery.message_id.startswith("msg_") and delivery.status == "pending"
    # Each endpoint gets its own message.
    assert Delivery.objects.get(endpoint=company).message_id != delivery.message_id


def test_a_recorded_value_reads_its_objective_once(objective, payments, hook_for, lead):
    """The objective is read (locked) by the write; the event's team comes from that row,
    not from another query per key result (a check-in submit records one per key
    result)."""
    hook_for(payments)  # another team's: the event is worked out, nothing is sent
    kr = KeyResult.objects.get(pk=key_results_of(objective)[0].pk)  # its objective unread
    with CaptureQueriesContext(connection) as captured:
        okr_services.key_result_record(
            key_result=kr, value=D("43"), confidence=None, comment="", author=lead
        )
    reads = [q["sql"] for q in captured.captured_queries if 'FROM "okrs_objective"' in q["sql"]]
    assert len(reads) == 1, reads  # the lock (FOR NO KEY UPDATE on PostgreSQL)


def test_nothing_is_written_when_the_write_rolls_back(objective, team, hook_for, lead):
    ours = hook_for(team)
    kr = key_results_of(objective)[0]
    with transaction.atomic():
        okr_services.key_result_record(
            key_result=kr, value=D(5), confidence=5, comment="", author=lead
        )
        transaction.set_rollback(True)
    assert events_of(ours) == []
    with pytest.raises(ValidationError):  # a refused write writes no delivery either
        okr_services.key_result_record(
            key_result=kr, value=D(5), confidence=11, comment="", author=lead
        )
    assert events_of(ours) == []


def test_a_submitted_checkin_sends_each_value_and_the_checkin(
    objective, team, hook_for, member, lead, today
):
    ours = hook_for(team)
    checkin = checkin_services.checkin_get_or_create(
        team=team, week=week_start(today), author=member
    )
    for kr, (value, confidence) in zip(key_results_of(objective), [(27, 6), (7, 8)], strict=True):
        for field, text in (("value", value), ("confidence", confidence)):
            checkin_services.checkin_save_field(
                checkin=checkin,
                field=f"entry-{kr.pk}-{field}",
                value=str(text),
                base="",
                author=member,
            )
    assert events_of(ours) == []  # a draft tells nobody
    checkin_services.checkin_submit(checkin=checkin, author=lead)
    assert events_of(ours) == ["key_result.value_recorded"] * 2 + ["checkin.submitted"]
    data = Delivery.objects.get(endpoint=ours, event="checkin.submitted").payload["data"]
    assert [(k["value"], k["confidence"]) for k in data["key_results"]] == [(27, 6), (7, 8)]
    assert data["checkin"]["url"].endswith(
        f"/teams/{team.slug}/checkins/{data['checkin']['week']}/"
    )


def test_the_workflow_events(cycle, team, hook_for, lead, leader):
    ours = hook_for(team)
    objective = TeamObjectiveFactory(cycle=cycle, team=team, state=Objective.State.DRAFT)
    KeyResultFactory(objective=objective)
    workflow.team_objective_submit(objective=objective, actor=lead)
    workflow.team_objective_challenge(
        objective=objective, actor=leader, body="Bolder", aspects=["ambition"]
    )
    workflow.team_objective_submit(objective=objective, actor=lead)
    workflow.team_objective_commit(objective=objective, actor=leader)
    assert events_of(ours) == [
        "objective.submitted",
        "objective.challenged",
        "objective.submitted",
        "objective.committed",
    ]
    challenged = Delivery.objects.get(endpoint=ours, event="objective.challenged")
    assert challenged.payload["data"]["aspects"] == ["ambition"]
    assert "Bolder" not in str(challenged.payload)  # no free text beyond titles


def test_help_reaches_both_teams(objective, team, payments, hook_for, member):
    ours, theirs = hook_for(team), hook_for(payments)
    obstacle = checkin_services.obstacle_add(
        team=team, description="No test data", help_team=payments, author=member
    )
    checkin_services.obstacle_answer(obstacle=obstacle, answer="Ask Kim", author=member)
    assert events_of(ours) == events_of(theirs) == ["help.requested", "help.answered"]
    # An obstacle that asks nobody tells nobody.
    ObstacleFactory(team=team)
    checkin_services.obstacle_add(team=team, description="Slow CI", help_team=None, author=member)
    assert events_of(ours) == ["help.requested", "help.answered"]


def test_a_cycles_end_reaches_every_endpoint_that_wants_it(
    cycle, team, payments, hook_for, today, leader
):
    company, ours, theirs = hook_for(None), hook_for(team), hook_for(payments)
    start_review(cycle, today)
    okr_services.cycle_close(cycle=cycle, actor=leader)
    for endpoint in (company, ours, theirs):
        assert events_of(endpoint) == ["cycle.review_started", "cycle.closed"]
    data = Delivery.objects.filter(endpoint=company).first().payload["data"]
    assert data["cycle"]["id"] == cycle.pk


def test_one_query_when_nobody_listens(
    objective, payments, lead, hook_for, django_assert_num_queries
):
    hook_for(payments)  # another team's: not for this event
    with django_assert_num_queries(1):
        deliveries = deliveries_for_event(
            Event.OBJECTIVE_COMMITTED, objective=objective, actor=lead
        )
    assert deliveries == []
