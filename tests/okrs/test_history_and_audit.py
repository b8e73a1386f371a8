"""What the services write beside the change itself: the objective's history (reorders
included) and the audit log, in the write's own transaction."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from okrs import services
from okrs.models import ObjectiveEvent
from okrs.services import reviews, workflow
from teams.models import AuditEvent
from tests.factories import KeyResultFactory, TeamObjectiveFactory
from tests.fixtures.okrs import cycle_around, key_results_of

# The cycles are around today; a review closes once its last day is over.
pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def test_reordering_key_results_is_in_the_history(team, member, today):
    objective = TeamObjectiveFactory(team=team, cycle=cycle_around(today, before=5, after=60))
    first = KeyResultFactory(objective=objective, position=1, title="First")
    KeyResultFactory(objective=objective, position=2, title="Second")
    services.key_result_move(key_result=first, direction="down", actor=member)
    event = ObjectiveEvent.objects.get(verb=ObjectiveEvent.Verb.KEY_RESULTS_REORDERED)
    assert (event.actor, event.subject, event.key_result) == (member, "First", first)
    assert event.changes == {"position": ["1", "2"]}
    assert [kr.title for kr in key_results_of(objective)] == ["Second", "First"]


def test_a_move_past_the_end_changes_nothing_and_writes_no_history(team, member, today):
    objective = TeamObjectiveFactory(team=team, cycle=cycle_around(today, before=5, after=60))
    only = KeyResultFactory(objective=objective, position=1)
    services.key_result_move(key_result=only, direction="up", actor=member)
    assert not ObjectiveEvent.objects.filter(verb=ObjectiveEvent.Verb.KEY_RESULTS_REORDERED)


def test_commit_challenge_and_close_write_their_audit_record_with_the_address(team, leader, today):
    cycle = cycle_around(today, before=5, after=60)
    objective = TeamObjectiveFactory(team=team, cycle=cycle, state="submitted")
    KeyResultFactory(objective=objective)
    workflow.team_objective_challenge(
        objective=objective,
        actor=leader,
        body="Bolder?",
        aspects=["ambition"],
        ip_address="10.0.0.7",
    )
    objective.refresh_from_db()
    workflow.team_objective_submit(objective=objective, actor=leader)
    workflow.team_objective_commit(objective=objective, actor=leader, ip_address="10.0.0.7")
    services.cycle_close(cycle=cycle, actor=leader, ip_address="10.0.0.7")
    rows = list(AuditEvent.objects.order_by("pk").values_list("action", "actor", "ip_address"))
    assert rows == [
        (AuditEvent.Action.CHALLENGED, leader.pk, "10.0.0.7"),
        (AuditEvent.Action.COMMITTED, leader.pk, "10.0.0.7"),
        (AuditEvent.Action.CYCLE_CLOSED, leader.pk, "10.0.0.7"),
    ]


def test_a_refused_write_leaves_no_audit_record(team, leader, today):
    cycle = cycle_around(today, before=5, after=60)
    objective = TeamObjectiveFactory(team=team, cycle=cycle, state="draft")
    with pytest.raises(ValidationError):
        workflow.team_objective_commit(objective=objective, actor=leader, ip_address="10.0.0.7")
    services.cycle_close(cycle=cycle, actor=leader)
    with pytest.raises(ValidationError):
        services.cycle_close(cycle=cycle, actor=leader)  # closed already
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        AuditEvent.Action.CYCLE_CLOSED
    ]


def test_a_review_that_ends_closes_its_cycle_with_an_audit_record(team, today):
    cycle = cycle_around(today, before=80, after=0, name="Q3")
    reviews.cycle_review_start(cycle=cycle, review_until=today)
    assert reviews.cycles_close_due(today=today) == []
    # a year later (not today.replace(year=…): 29 February has none the next year)
    [closed] = reviews.cycles_close_due(today=today + timedelta(days=365))
    event = AuditEvent.objects.get()
    assert closed == cycle and event.action == AuditEvent.Action.CYCLE_CLOSED
    assert event.subject == "Q3 (its review ended)" and event.actor is None


def test_a_reason_with_a_nul_is_refused_not_a_500(client_for, team, member, today):
    """The delete page reads its reason straight from the post (PostgreSQL refuses NUL)."""
    from django.urls import reverse

    objective = TeamObjectiveFactory(
        team=team, cycle=cycle_around(today, before=5, after=60), state="committed"
    )
    kr = KeyResultFactory(objective=objective)
    response = client_for(member).post(
        reverse("okrs:key-result-delete", args=[kr.pk]), {"reason": "a\x00b"}
    )
    assert response.status_code == 422 and "plain text" in response.content.decode()
    assert objective.key_results.filter(pk=kr.pk).exists()
