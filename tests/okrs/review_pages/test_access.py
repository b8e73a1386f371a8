"""Who may read the review pages, history, exports and the printable page, and who may
score, write the retrospective, carry an objective forward or start a review."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse

from okrs.models import Cycle, KeyResult, Objective, Retrospective
from tests.factories import CycleFactory, KeyResultFactory, TeamFactory, TeamObjectiveFactory
from tests.fixtures.okrs import retro_post, score_post
from tests.helpers import ROLES, role_of

pytestmark = pytest.mark.django_db
State = Objective.State


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_everyone_signed_in_reads_reviews_history_exports_and_the_printable_page(
    role_client, request, objective, kr, cycle
):
    urls = [
        reverse("okrs:objective-review", args=[objective.pk]),
        reverse("okrs:objective-history", args=[objective.pk]),
        reverse("okrs:key-result-history", args=[kr.pk]),
        reverse("dashboard:cycle-print", args=[cycle.pk]),
        reverse("dashboard:cycle-export-csv", args=[cycle.pk]),
        reverse("dashboard:cycle-export-json", args=[cycle.pk]),
    ]
    for url in urls:
        response = role_client.get(url)
        if role_of(request) == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url
        else:
            assert response.status_code == 200, url


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_the_team_and_leaders_score_others_may_not(role_client, request, kr, member, lead, leader):
    response = role_client.post(reverse("okrs:key-result-score", args=[kr.pk]), score_post(kr))
    role = role_of(request)
    kr.refresh_from_db()
    if role == "anonymous":
        assert response.status_code == 302 and kr.score is None
    elif role == "outsider":
        assert response.status_code == 403 and kr.score is None
    else:
        assert response.status_code == 302 and kr.score == D("0.70")
        assert kr.scored_by == {"member": member, "lead": lead, "leader": leader}[role]


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_the_team_and_leaders_write_the_retrospective_others_may_not(
    role_client, request, objective
):
    url = reverse("okrs:retrospective-edit", args=[objective.pk])
    response = role_client.post(url, retro_post(learned="Pre-filled invoices get sent."))
    role = role_of(request)
    written = Retrospective.objects.filter(objective=objective).first()
    if role == "anonymous":
        assert response.status_code == 302 and written is None
    elif role == "outsider":
        assert response.status_code == 403 and written is None
    else:
        assert response.status_code == 302 and written.learned == "Pre-filled invoices get sent."


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_the_lead_and_leaders_carry_an_objective_forward(
    role_client, request, objective, next_cycle
):
    url = reverse("okrs:objective-carry-forward", args=[objective.pk])
    target_kr = KeyResult.objects.get(title="Referrals per month")
    role = role_of(request)
    page = role_client.get(url)
    response = role_client.post(url, {"aligned_to": str(target_kr.pk)})
    carried = Objective.objects.filter(cycle=next_cycle, team=objective.team).first()
    if role == "anonymous":
        assert page.status_code == response.status_code == 302 and carried is None
    elif role in ("outsider", "member"):
        assert page.status_code == response.status_code == 403 and carried is None
    else:
        assert page.status_code == 200
        assert "Carry it forward as a draft" in page.text
        assert response.status_code == 302
        assert response["Location"] == reverse("dashboard:team-detail", args=[objective.team.slug])
        assert carried.state == State.DRAFT and carried.carried_from == objective
        assert carried.key_results.get().start_value == D(45)


@pytest.mark.dates  # the review lasts until a day counted from today
@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_only_leaders_start_a_review(role_client, request, today):
    cycle = CycleFactory(status=Cycle.Status.ACTIVE)
    url = reverse("okrs:cycle-review-start", args=[cycle.pk])
    response = role_client.post(url, {"review_until": (today + timedelta(days=7)).isoformat()})
    cycle.refresh_from_db()
    role = role_of(request)
    if role == "leader":
        assert response.status_code == 302 and cycle.status == Cycle.Status.REVIEW
        assert cycle.review_until == today + timedelta(days=7)
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        assert cycle.status == Cycle.Status.ACTIVE


def test_another_teams_objects_and_missing_ones_answer_404_or_403(client_for, member, cycle):
    other = TeamObjectiveFactory(cycle=cycle, team=TeamFactory(), state=State.COMMITTED)
    other_kr = KeyResultFactory(objective=other)
    client = client_for(member)
    response = client.post(
        reverse("okrs:key-result-score", args=[other_kr.pk]), score_post(other_kr)
    )
    assert response.status_code == 403
    response = client.post(
        reverse("okrs:retrospective-edit", args=[other.pk]), retro_post(learned="x")
    )
    assert response.status_code == 403
    assert client.get(reverse("okrs:objective-review", args=[999_999])).status_code == 404
    assert client.get(reverse("dashboard:cycle-export-csv", args=[999_999])).status_code == 404
    other_kr.refresh_from_db()
    assert other_kr.score is None and not Retrospective.objects.exists()
