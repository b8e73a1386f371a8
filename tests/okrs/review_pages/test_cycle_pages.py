"""The pages around the review: the cycle page (starting the review, the last cycle's
learnings while planning), the team and home pages pointing to it, carrying forward."""

from datetime import timedelta

import pytest
from django.urls import reverse

from okrs.models import Cycle, Objective
from okrs.services import reviews
from tests.factories import CycleFactory, KeyResultFactory, TeamObjectiveFactory
from tests.fixtures.okrs import retro_texts
from tests.helpers import role_of

# The cycle in review ended yesterday; the next one is planned from tomorrow.
pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def test_leaders_plan_the_next_cycle_beside_the_last_ones_learnings(
    client_for, leader, member, objective, kr, cycle, today
):
    reviews.key_result_score(
        key_result=kr, score="0.6", reason="Late start", expected_version=1, actor=member
    )
    reviews.retrospective_save(
        objective=objective,
        texts=retro_texts(learned="Pre-filled invoices get sent."),
        expected_version=0,
        actor=member,
    )
    planning = CycleFactory(
        name="Q1 2027", start_date=today + timedelta(days=1), end_date=today + timedelta(days=90)
    )
    page = client_for(leader).get(reverse("okrs:cycle-detail", args=[planning.pk]))
    assert "What Q4 2026 taught us" in page.text
    assert "Pre-filled invoices get sent." in page.text and "0.6" in page.text
    assert "No company objective yet" in page.text
    # members see the cycle, not the planning aid
    assert (
        "taught us"
        not in client_for(member).get(reverse("okrs:cycle-detail", args=[planning.pk])).text
    )


def test_the_active_cycle_offers_leaders_the_review(client_for, leader, member, today):
    cycle = CycleFactory(status=Cycle.Status.ACTIVE)
    url = reverse("okrs:cycle-detail", args=[cycle.pk])
    assert "Start the review" in client_for(leader).get(url).text
    assert "Start the review" not in client_for(member).get(url).text
    response = client_for(leader).post(
        reverse("okrs:cycle-review-start", args=[cycle.pk]),
        {"review_until": "not a date"},
        follow=True,
    )
    assert "Choose the last day of the review" in response.text
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.ACTIVE


def test_the_team_page_points_to_the_review_and_to_carrying_forward(
    client_for, lead, member, objective, next_cycle
):
    url = reverse("dashboard:team-detail", args=[objective.team.slug])
    page = client_for(lead).get(url).text
    assert "Q4 2026 is in review" in page
    assert reverse("okrs:objective-review", args=[objective.pk]) in page
    assert "Carry it forward into Q1 2027" in page
    assert "Carry it forward" not in client_for(member).get(url).text


@pytest.mark.parametrize("aligned_to", ["", "other cycle's", "999999"])
def test_carrying_forward_without_a_key_result_of_the_next_cycle_says_so(
    client_for, lead, objective, next_cycle, aligned_to
):
    if aligned_to == "other cycle's":
        aligned_to = str(objective.aligned_to_id)
    url = reverse("okrs:objective-carry-forward", args=[objective.pk])
    response = client_for(lead).post(url, {"aligned_to": aligned_to})
    assert response.status_code == 422
    assert 'class="errors"' in response.text
    assert "There is no active cycle" not in response.text
    assert not Objective.objects.filter(cycle=next_cycle, team=objective.team).exists()


def test_no_carry_forward_offered_when_the_team_already_has_an_objective(
    client_for, lead, objective, next_cycle
):
    existing = TeamObjectiveFactory(cycle=next_cycle, team=objective.team, title="Already here")
    client = client_for(lead)
    review = client.get(reverse("okrs:objective-review", args=[objective.pk])).text
    assert "Carry forward into" not in review
    page = client.get(reverse("okrs:objective-carry-forward", args=[objective.pk])).text
    assert "already has an objective in Q1 2027" in page and existing.title in page
    assert "Carry it forward as a draft" not in page


@pytest.mark.parametrize("role_client", ["member", "leader"], indirect=True)
def test_between_cycles_the_home_page_points_to_the_review(role_client, request, cycle):
    page = role_client.get(reverse("home")).text
    assert "Q4 2026 is in review" in page
    assert reverse("okrs:cycle-detail", args=[cycle.pk]) in page
    assert ("Open the next cycle" in page) == (role_of(request) == "leader")
    assert "Start the first cycle" not in page


def test_during_the_review_the_team_page_shows_the_okr_its_scores_and_learnings(
    client_for, member, objective, kr, cycle
):
    """No active cycle: the team page shows the OKR under review, not "Planning has not
    begun", and no check-in is offered."""
    reviews.key_result_score(
        key_result=kr, score="0.6", reason="Late start", expected_version=1, actor=member
    )
    reviews.retrospective_save(
        objective=objective,
        texts=retro_texts(learned="Pre-filled invoices get sent."),
        expected_version=0,
        actor=member,
    )
    page = client_for(member).get(reverse("dashboard:team-detail", args=[objective.team.slug]))
    text = page.text
    assert "Planning has not begun" not in text and "no active cycle" not in text
    assert objective.title in text and kr.title in text
    assert "In review" in text and "Score <strong>0.6</strong>" in text
    assert "Why: Late start" in text
    assert "Pre-filled invoices get sent." in text
    assert "Start this week" not in text and "Record an experiment" not in text
    assert "No check-ins during the review" in text
    # nothing to edit while it is frozen
    assert reverse("okrs:key-result-edit", args=[kr.pk]) not in text


def test_a_partly_scored_okr_under_review_shows_no_objective_score(
    client_for, member, outsider, objective, kr
):
    KeyResultFactory(objective=objective, title="Setup steps", position=2)
    reviews.key_result_score(
        key_result=kr, score="0.6", reason="Late start", expected_version=1, actor=member
    )
    url = reverse("dashboard:team-detail", args=[objective.team.slug])
    text = client_for(outsider).get(url).text
    assert "Score incomplete" in text and "1 of 2 key results scored" in text
    assert "No retrospective written yet." in text and "not scored yet" in text
