"""The end of a cycle through HTTP for every role: the review, scores, retrospectives,
carrying forward, history, the CSV and JSON exports and the printable page."""

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from checkins.models import CheckIn, CheckInEntry, Experiment
from okrs import services
from okrs.models import Cycle, KeyResult, Objective, Retrospective
from okrs.services import reviews
from tests.factories import (
    CompanyObjectiveFactory,
    CycleFactory,
    KeyResultFactory,
    MembershipFactory,
    TeamFactory,
    TeamObjectiveFactory,
)

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "outsider", "member", "lead", "leader"]
HX = {"HTTP_HX_REQUEST": "true"}
State = Objective.State


def role_of(request) -> str:
    return request.node.callspec.params["role_client"]


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def cycle(today):
    return CycleFactory(
        name="Q4 2026",
        status=Cycle.Status.REVIEW,
        review_until=today + timedelta(days=10),
        start_date=today - timedelta(days=90),
        end_date=today - timedelta(days=1),
    )


@pytest.fixture
def objective(cycle, team):
    objective = TeamObjectiveFactory(cycle=cycle, team=team, state=State.COMMITTED)
    KeyResultFactory(
        objective=objective,
        title="Invoices sent on day one",
        start_value=D(10),
        target_value=D(60),
        current_value=D(45),
        position=1,
    )
    return objective


@pytest.fixture
def kr(objective):
    return objective.key_results.get()


def score_post(kr, score="0.7", reason="", version=None):
    prefix = f"score{kr.pk}"
    return {
        f"{prefix}-score": score,
        f"{prefix}-reason": reason,
        f"{prefix}-version": str(version or kr.score_version),
    }


def retro_post(version=0, **texts):
    values = {"learned": "", "keep": "", "change": "", "try_next": "", "version": str(version)}
    values.update(texts)
    return {f"retro-{key}": value for key, value in values.items()}


# --- who may do what -----------------------------------------------------------------


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


@pytest.fixture
def next_cycle(cycle, today):
    following = CycleFactory(
        name="Q1 2027",
        status=Cycle.Status.ACTIVE,
        start_date=today,
        end_date=today + timedelta(days=90),
    )
    KeyResultFactory(
        objective=CompanyObjectiveFactory(cycle=following), title="Referrals per month"
    )
    return following


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


# --- scores and retrospectives on the page -----------------------------------------------


def test_the_review_page_prefills_scores_from_progress(client_for, member, objective, kr):
    page = client_for(member).get(reverse("okrs:objective-review", args=[objective.pk]))
    assert page.status_code == 200
    assert f'name="score{kr.pk}-score" value="0.7"' in page.text
    assert "Progress suggests 0.7" in page.text
    assert "Save the retrospective" in page.text


@pytest.mark.parametrize(
    ("score", "reason", "message"),
    [
        ("1.5", "", "between 0.0 and 1.0"),
        ("-1", "", "between 0.0 and 1.0"),
        ("seven", "", "between 0.0 and 1.0"),
        ("0.4", "", "Progress suggests 0.7: say why the score differs."),
    ],
)
def test_bad_scores_answer_422_with_a_message_and_change_nothing(
    client_for, member, kr, score, reason, message
):
    client = client_for(member)
    url = reverse("okrs:key-result-score", args=[kr.pk])
    response = client.post(url, score_post(kr, score=score, reason=reason))
    assert response.status_code == 422
    assert message in response.text
    fragment = client.post(url, score_post(kr, score=score, reason=reason), **HX)
    assert fragment.status_code == 422 and message in fragment.text
    assert "<html" not in fragment.text
    kr.refresh_from_db()
    assert kr.score is None and kr.score_version == 1


def test_an_inline_score_answers_with_its_row(client_for, member, kr):
    response = client_for(member).post(
        reverse("okrs:key-result-score", args=[kr.pk]),
        score_post(kr, score="0.5", reason="The last month was a holiday."),
        **HX,
    )
    assert response.status_code == 200
    assert f'id="score-{kr.pk}"' in response.text and "Score 0.5 saved" in response.text
    # the page's summary follows, out of band
    assert 'id="review-summary" class="review-summary" hx-swap-oob="true"' in response.text
    assert (
        "Score <strong>0.5</strong>" in response.text
        and "1 of 1 key results scored" in response.text
    )
    kr.refresh_from_db()
    assert kr.score == D("0.50") and kr.score_reason == "The last month was a holiday."


def test_a_stale_score_answers_409_with_who_saved_first(client_for, member, lead, kr):
    client_for(lead).post(reverse("okrs:key-result-score", args=[kr.pk]), score_post(kr))
    response = client_for(member).post(
        reverse("okrs:key-result-score", args=[kr.pk]),
        score_post(kr, score="0.2", reason="Harsh", version=1),
        **HX,
    )
    assert response.status_code == 409
    assert "saved this key result first (score 0.7)" in response.text
    assert f'name="score{kr.pk}-version" value="2"' in response.text
    kr.refresh_from_db()
    assert kr.score == D("0.70")


def test_a_stale_retrospective_shows_both_texts(client_for, member, lead, objective):
    url = reverse("okrs:retrospective-edit", args=[objective.pk])
    client_for(lead).post(url, retro_post(learned="Lead's learning"))
    response = client_for(member).post(url, retro_post(learned="Member's learning"))
    assert response.status_code == 409
    assert "Lead&#x27;s learning" in response.text and "Member&#x27;s learning" in response.text
    assert Retrospective.objects.get().learned == "Lead's learning"


def test_a_closed_cycle_shows_its_review_read_only_and_refuses_writes(
    client_for, member, objective, kr, cycle
):
    services.cycle_close(cycle=cycle)
    client = client_for(member)
    page = client.get(reverse("okrs:objective-review", args=[objective.pk]))
    assert "is closed" in page.text and "Save score" not in page.text
    response = client.post(reverse("okrs:key-result-score", args=[kr.pk]), score_post(kr))
    assert response.status_code == 422 and "closed" in response.text
    response = client.post(
        reverse("okrs:retrospective-edit", args=[objective.pk]), retro_post(learned="Late")
    )
    assert response.status_code == 422 and "closed" in response.text
    kr.refresh_from_db()
    assert kr.score is None and not Retrospective.objects.exists()


def test_user_text_on_review_pages_is_escaped(client_for, member, objective, kr, cycle):
    payload = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    reviews.retrospective_save(
        objective=objective,
        texts={"learned": payload, "keep": "", "change": "", "try_next": ""},
        expected_version=0,
        actor=member,
    )
    reviews.key_result_score(
        key_result=kr, score="0.1", reason=payload, expected_version=1, actor=member
    )
    services.cycle_close(cycle=cycle)
    client = client_for(member)
    for url in [
        reverse("okrs:objective-review", args=[objective.pk]),
        reverse("okrs:objective-history", args=[objective.pk]),
        reverse("dashboard:cycle-print", args=[cycle.pk]),
        reverse("okrs:cycle-detail", args=[cycle.pk]),
    ]:
        text = client.get(url).text
        assert "<script>alert(1)" not in text and "<img src=x" not in text, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, url


# --- the cycle page: starting the review, learnings while planning -----------------------


def test_leaders_plan_the_next_cycle_beside_the_last_ones_learnings(
    client_for, leader, member, objective, kr, cycle, today
):
    reviews.key_result_score(
        key_result=kr, score="0.6", reason="Late start", expected_version=1, actor=member
    )
    reviews.retrospective_save(
        objective=objective,
        texts={
            "learned": "Pre-filled invoices get sent.",
            "keep": "",
            "change": "",
            "try_next": "",
        },
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


# --- exports ----------------------------------------------------------------------------


def read_csv(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_has_one_row_per_key_result_and_defuses_formulas(
    client_for, member, cycle, objective, kr
):
    company_kr = objective.aligned_to
    company_kr.title = 'Revenue, "net", per\nmonth'
    company_kr.save()
    kr.title = '=HYPERLINK("http://evil.example","click")'
    kr.unit = "+1 users"
    kr.score, kr.score_reason = D("0.7"), "@SUM(A1:A9)"
    kr.confidence = 6
    kr.save()
    other = TeamObjectiveFactory(
        cycle=cycle, team=TeamFactory(name="-Ops"), state=State.COMMITTED, aligned_to=company_kr
    )
    KeyResultFactory(
        objective=other,
        title="Tickets",
        kind="decrease",
        start_value=D(-5),
        target_value=D(-20),
        current_value=D(-12.5),
    )
    response = client_for(member).get(reverse("dashboard:cycle-export-csv", args=[cycle.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="lean-okrs-q4-2026.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert [row["team"] for row in rows] == ["Company", "'-Ops", objective.team.name]
    company_row, ops_row, team_row = rows
    assert company_row["key_result"] == 'Revenue, "net", per\nmonth'
    assert team_row["key_result"] == '\'=HYPERLINK("http://evil.example","click")'
    assert team_row["unit"] == "'+1 users" and team_row["score_reason"] == "'@SUM(A1:A9)"
    assert (team_row["start"], team_row["target"], team_row["current"]) == ("10", "60", "45")
    assert (team_row["progress"], team_row["confidence"], team_row["score"]) == ("70", "6", "0.7")
    assert team_row["objective"] == objective.title and team_row["objective_state"] == "committed"
    # numbers are numbers, even negative ones
    assert (ops_row["start"], ops_row["target"], ops_row["current"]) == ("-5", "-20", "-12.5")
    assert ops_row["progress"] == "50" and ops_row["score"] == ""


def test_the_json_export_is_the_whole_tree_with_checkins_and_experiments(
    client_for, member, cycle, objective, kr
):
    reviews.key_result_score(
        key_result=kr, score="0.7", reason="", expected_version=1, actor=member
    )
    reviews.retrospective_save(
        objective=objective,
        texts={
            "learned": 'Quotes " and \\ and\nnewlines',
            "keep": "k",
            "change": "",
            "try_next": "",
        },
        expected_version=0,
        actor=member,
    )
    week = cycle.start_date - timedelta(days=cycle.start_date.weekday()) + timedelta(days=7)
    checkin = CheckIn.objects.create(
        team=objective.team,
        objective=objective,
        week_start=week,
        happened="Shipped",
        state="submitted",
    )
    CheckInEntry.objects.create(checkin=checkin, key_result=kr, value=D("30.5"), confidence=7)
    Experiment.objects.create(
        team=objective.team,
        key_result=kr,
        belief="pre-fill",
        outcome="more invoices",
        signal="ratio",
        status="validated",
        learning="It works",
    )
    response = client_for(member).get(reverse("dashboard:cycle-export-json", args=[cycle.pk]))
    assert response["Content-Type"] == "application/json"
    data = json.loads(b"".join(response.streaming_content))
    assert data["cycle"]["name"] == "Q4 2026" and data["cycle"]["status"] == "review"
    company, team_objective = data["objectives"]
    assert company["level"] == "company" and company["team"] is None
    assert team_objective["team"] == objective.team.name
    assert team_objective["aligned_to"] == objective.aligned_to_id
    assert team_objective["score"] == 0.7 and team_objective["progress"] == 70
    assert team_objective["retrospective"]["learned"] == 'Quotes " and \\ and\nnewlines'
    (exported_kr,) = team_objective["key_results"]
    assert (exported_kr["start"], exported_kr["target"], exported_kr["current"]) == (10, 60, 45)
    assert exported_kr["score"] == 0.7
    (exported_checkin,) = team_objective["checkins"]
    assert exported_checkin["happened"] == "Shipped"
    assert exported_checkin["entries"] == [
        {"key_result": kr.pk, "value": 30.5, "confidence": 7, "comment": ""}
    ]
    (exported_experiment,) = team_objective["experiments"]
    assert (
        exported_experiment["we_believe_that"] == "pre-fill"
        and exported_experiment["learning"] == "It works"
    )


def make_teams(cycle, company_kr, count: int) -> None:
    for _ in range(count):
        objective = TeamObjectiveFactory(
            cycle=cycle, team=TeamFactory(), state=State.COMMITTED, aligned_to=company_kr
        )
        checkin = CheckIn.objects.create(
            team=objective.team, objective=objective, week_start=cycle.start_date
        )
        for _ in range(3):
            kr = KeyResultFactory(objective=objective)
            kr.updates.create(value=D(1), week_start=cycle.start_date)
            CheckInEntry.objects.create(checkin=checkin, key_result=kr, value=D(1), confidence=5)
        Retrospective.objects.create(objective=objective, learned="L")
        MembershipFactory(team=objective.team)


@pytest.mark.parametrize("teams", [3, 12])
def test_exports_and_the_printable_page_keep_their_query_counts(
    client_for, member, cycle, objective, django_assert_num_queries, teams
):
    make_teams(cycle, objective.aligned_to, teams)
    client = client_for(member)
    # session, user, cycle, then one streamed query for every key result
    with django_assert_num_queries(4):
        rows = read_csv(client.get(reverse("dashboard:cycle-export-csv", args=[cycle.pk])))
    assert len(rows) == 2 + teams * 3
    # session, user, cycle, objective ids, then per batch: objectives (+team,
    # retrospective), key results, their updates, check-ins, their entries, experiments
    with django_assert_num_queries(10):
        response = client.get(reverse("dashboard:cycle-export-json", args=[cycle.pk]))
        data = json.loads(b"".join(response.streaming_content))
    assert len(data["objectives"]) == 2 + teams
    # session, user, cycle, objectives (+team, retrospective, alignment), key results
    with django_assert_num_queries(5):
        page = client.get(reverse("dashboard:cycle-print", args=[cycle.pk]))
    assert page.text.count('class="print-okr"') == 2 + teams


def test_a_large_json_export_comes_in_batches(cycle, objective):
    from dashboard import exports
    from okrs import review_selectors

    make_teams(cycle, objective.aligned_to, 5)
    batches = list(review_selectors.export_objectives(cycle, batch=3))
    assert [len(batch) for batch in batches] == [3, 3, 1]
    assert json.loads("".join(exports.cycle_json(cycle)))["objectives"][-1]["level"] == "team"


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
