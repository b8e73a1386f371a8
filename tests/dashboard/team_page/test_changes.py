"""Never stale: a change to any row the page shows, made the way code that forgets about
caches would (queryset `.update()`, plain inserts and deletes), reaches the next reader;
so do changes to the people and teams it names, and to what only its forms show."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import caches
from django.utils import timezone

from checkins.models import CheckIn, Obstacle
from dashboard import team_page
from okrs.models import Cycle, KeyResult, Objective, ObjectiveEvent
from okrs.weeks import week_start
from teams.models import Membership, Team, User
from tests.dashboard.team_page.pages import body, page
from tests.factories import (
    CheckInFactory,
    CommentFactory,
    ExperimentFactory,
    KeyResultFactory,
    KeyResultUpdateFactory,
    MembershipFactory,
    ObjectiveEventFactory,
    ObstacleFactory,
    RetrospectiveFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _other_team_asks_for_help(team, objective):
    ObstacleFactory(team=TeamFactory(name="Billing"), help_team=team, description="Q")


def _focus_on_obstacle(team, objective):
    obstacle = ObstacleFactory(team=team, description="Flaky invoices")
    Obstacle.objects.filter(pk=obstacle.pk).update(is_focus=True)


def _submit_checkin(team, objective):
    CheckInFactory(
        team=team,
        objective=objective,
        week_start=week_start(timezone.localdate()),
        state=CheckIn.State.SUBMITTED,
    )


def _record_value(team, objective):
    kr = objective.key_results.get()
    KeyResultUpdateFactory(
        key_result=kr, value=kr.target_value, week_start=week_start(timezone.localdate())
    )
    KeyResult.objects.filter(pk=kr.pk).update(current_value=kr.target_value)


# (what changes, how, what a reader sees afterwards)
CHANGES = {
    "key result renamed": (
        lambda team, o: KeyResult.objects.filter(objective=o).update(title="Invoices sent"),
        "Invoices sent",
    ),
    "key result deleted": (
        lambda team, o: KeyResult.objects.filter(objective=o).delete(),
        "No key results yet.",
    ),
    "value recorded": (_record_value, "now 100 %"),
    "objective state": (
        lambda team, o: Objective.objects.filter(pk=o.pk).update(state="challenged"),
        'state--challenged">Challenged',
    ),
    "comment": (
        lambda team, o: CommentFactory(objective=o, body="Nice one, team"),
        "Nice one, team",
    ),
    "history event": (
        lambda team, o: ObjectiveEventFactory(
            objective=o, verb=ObjectiveEvent.Verb.REWORDED, subject="A new subject"
        ),
        "A new subject",
    ),
    "new member": (
        lambda team, o: MembershipFactory(team=team, user__name="Nora New"),
        "Nora New",
    ),
    "role changed": (
        lambda team, o: Membership.objects.filter(team=team).update(role="lead"),
        '<span class="badge">lead</span>',
    ),
    "person renamed": (
        lambda team, o: User.objects.filter(memberships__team=team).update(name="Renamed"),
        "Renamed",
    ),
    "company key result renamed": (
        lambda team, o: KeyResult.objects.filter(pk=o.aligned_to_id).update(title="ARR"),
        "“ARR”",
    ),
    "company objective renamed": (
        lambda team, o: Objective.objects.filter(pk=o.aligned_to.objective_id).update(
            title="Be loved"
        ),
        "“Be loved”",
    ),
    "cycle in review": (
        lambda team, o: Cycle.objects.filter(pk=o.cycle_id).update(status="review"),
        'state--review">In review',
    ),
    "help asked by another team": (_other_team_asks_for_help, "Billing</strong> asks: Q"),
    "obstacle in focus": (_focus_on_obstacle, "working on it now"),
    "experiment": (
        lambda team, o: ExperimentFactory(
            team=team,
            key_result=o.key_results.get(),
            belief="a checklist",
            outcome="fewer steps",
            signal="steps drop",
        ),
        "We believe that a checklist",
    ),
    "check-in submitted": (_submit_checkin, "checked in</span>"),
    "team renamed": (
        lambda team, o: Team.objects.filter(pk=team.pk).update(name="Invoicing"),
        "<h1>Invoicing</h1>",
    ),
}


# While the cycle is in review the page shows the scores and the retrospective.
REVIEW_CHANGES = {
    "score": (
        lambda team, o: KeyResult.objects.filter(objective=o).update(score="0.6"),
        "Score <strong>0.6</strong>",
    ),
    "retrospective": (
        lambda team, o: RetrospectiveFactory(objective=o, learned="Checklists work"),
        "Checklists work",
    ),
}


def _reaches_the_next_reader(client, change, team, objective) -> None:
    make, shown = change
    before = body(page(client, team))
    assert shown not in before
    make(team, objective)
    after = body(page(client, team))
    assert shown in after
    caches["pages"].clear()
    assert after == body(page(client, team)), "served as built from the database"


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_reaches_the_next_reader(change, client_for, outsider, team, objective):
    _reaches_the_next_reader(client_for(outsider), CHANGES[change], team, objective)


@pytest.mark.parametrize("change", REVIEW_CHANGES)
def test_every_change_in_the_review_reaches_the_next_reader(
    change, client_for, outsider, team, objective
):
    Cycle.objects.filter(pk=objective.cycle_id).update(status="review")
    _reaches_the_next_reader(client_for(outsider), REVIEW_CHANGES[change], team, objective)


def test_other_people_and_teams_named_on_the_page_follow_their_changes(
    client_for, outsider, team, objective
):
    client = client_for(outsider)
    _other_team_asks_for_help(team, objective)
    author = UserFactory(name="Temporary Tom")
    CommentFactory(objective=objective, author=author, body="Hello")
    html = page(client, team)  # built and cached with both names
    assert "Billing</strong> asks" in html and "<strong>Temporary Tom</strong>" in html
    Team.objects.filter(name="Billing").update(name="Payments")
    assert "Payments</strong> asks" in page(client, team)
    author.delete()  # the comment stays; its author is gone (SET_NULL)
    assert "<strong>Someone</strong>" in page(client, team)


def test_the_teams_own_people_see_changes_to_their_forms(
    client_for, team, objective, member, leader
):
    """What only forms show: the company key results a new objective may move (leaders,
    a team without one) and who may own a key result (leaders are offered too)."""
    empty = TeamFactory(name="Platform")
    leader_client = client_for(leader)
    assert "Churn below two percent" not in page(leader_client, empty)
    KeyResultFactory(objective=objective.aligned_to.objective, title="Churn below two percent")
    assert "Churn below two percent" in page(leader_client, empty)
    member_client = client_for(member)
    promoted = UserFactory(name="Paula Promoted")
    assert ">Paula Promoted<" not in page(member_client, team)  # built and cached
    User.objects.filter(pk=promoted.pk).update(is_leader=True)
    assert ">Paula Promoted<" in page(member_client, team)


def test_the_csrf_placeholder_in_user_text_stays_text(client_for, team, objective, member):
    CommentFactory(objective=objective, body=f"About {team_page.CSRF_PLACEHOLDER}")
    client = client_for(member)
    page(client, team)
    assert f"About {team_page.CSRF_PLACEHOLDER}" in page(client, team)


def test_a_new_day_another_role_another_section_and_an_overdue_check_in_are_another_page(
    team,
):
    team.time_zone, team.checkin_weekday, team.checkin_time = "Europe/Amsterdam", 0, time(10)
    with time_machine.travel(datetime(2026, 11, 30, 9, tzinfo=AMSTERDAM)):
        key = team_page.cache_key(team, "person:outside", "okr")
        assert team_page.cache_key(team, "person:member", "okr") != key
        assert team_page.cache_key(team, "person:outside", "checkins") != key
    with time_machine.travel(datetime(2026, 11, 30, 23, tzinfo=AMSTERDAM)):
        assert team_page.cache_key(team, "person:outside", "okr") == key
    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=AMSTERDAM)):
        next_day = team_page.cache_key(team, "person:outside", "okr")
        assert next_day != key
        before = team_page.cache_key(team, "person:outside", "checkins")
    # Tuesday 10:00: the check-in's time and the grace have passed; "missing" shows now,
    # in the check-in section (the others show no signal: they are kept)
    with time_machine.travel(datetime(2026, 12, 1, 10, 1, tzinfo=AMSTERDAM)):
        assert team_page.cache_key(team, "person:outside", "checkins") != before
        assert team_page.cache_key(team, "person:outside", "okr") == next_day
