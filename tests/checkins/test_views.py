"""Check-in pages through HTTP, for every role, with bad input and query counts."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from checkins import services
from checkins.models import CheckIn, Experiment, Obstacle
from okrs.models import Cycle, KeyResultUpdate, Objective
from okrs.services import key_result_record
from okrs.weeks import iso_week_label, week_start
from tests.factories import (
    CheckInFactory,
    ExperimentFactory,
    KeyResultFactory,
    ObstacleFactory,
    TeamFactory,
)
from tests.fixtures.okrs import DAY_ONE_INVOICING, committed_objective, cycle_around
from tests.helpers import HX, ROLES, role_of

# The check-in's week is this week (of the app's local date): next week's has not
# started, one from before the cycle is outside it.
pytestmark = [pytest.mark.django_db, pytest.mark.dates]


@pytest.fixture
def objective(team, today):
    """Onboarding's committed objective with one key result, in a cycle ending soon."""
    cycle = cycle_around(today, before=90, after=10)
    return committed_objective(cycle, team, DAY_ONE_INVOICING)


@pytest.fixture
def week():
    return iso_week_label(week_start(timezone.localdate()))


def url(name, team, week, **kw):
    return reverse(f"checkins:{name}", args=[team.slug, week])


def kr_field(objective, attribute="value"):
    return f"entry-{objective.key_results.first().pk}-{attribute}"


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_everyone_reads_only_the_team_writes(role_client, request, objective, week):
    role = role_of(request)
    team = objective.team
    page = role_client.get(url("week", team, week))
    assert page.status_code == (302 if role == "anonymous" else 200)
    if role != "anonymous":
        html = page.content.decode()
        assert "What is the target condition?" in html
        assert ("hx-post" in html) is (role in {"member", "lead"})
    field = kr_field(objective)
    response = role_client.post(
        url("save", team, week), {"field": field, field: "27", f"{field}__base": ""}, **HX
    )
    expected = {"anonymous": 302, "member": 200, "lead": 200}.get(role, 403)
    assert response.status_code == expected
    assert CheckIn.objects.exists() is (role in {"member", "lead"})
    response = role_client.post(url("submit", team, week))
    assert response.status_code == (302 if role in {"anonymous", "member", "lead"} else 403)


def test_autosave_answers_with_the_new_base_and_a_conflict_with_their_text(
    client_for, member, lead, objective, week
):
    team = objective.team
    save = url("save", team, week)
    response = client_for(lead).post(
        save, {"field": "next_step", "next_step": "Lead's plan", "next_step__base": ""}, **HX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="base-next_step"' in html and 'value="Lead&#x27;s plan"' in html
    assert "Saved" in html
    response = client_for(member).post(
        save, {"field": "next_step", "next_step": "Mine", "next_step__base": ""}, **HX
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this while you typed" in html and "Lead&#x27;s plan" in html
    assert CheckIn.objects.get().next_step == "Lead's plan"
    response = client_for(member).post(
        save,
        {"field": "next_step", "next_step": "Mine", "overwrite": "1", "stored": "Lead's plan"},
        **HX,
    )
    assert response.status_code == 200
    assert CheckIn.objects.get().next_step == "Mine"


@pytest.mark.parametrize(
    ("attribute", "value", "message"),
    [("value", "abc", "Enter a number."), ("confidence", "12", "0 to 10")],
)
def test_bad_autosave_input_is_explained(
    client_for, member, objective, week, attribute, value, message
):
    field = kr_field(objective, attribute)
    response = client_for(member).post(
        url("save", objective.team, week), {"field": field, field: value}, **HX
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    entry = CheckIn.objects.get().entries.get()
    assert (entry.value, entry.confidence) == (None, None)


def test_without_javascript_the_whole_form_saves_and_submits(client_for, member, objective, week):
    team = objective.team
    value, confidence = kr_field(objective), kr_field(objective, "confidence")
    client = client_for(member)
    response = client.post(
        url("save", team, week),
        {value: "27", confidence: "6", "happened": "Fewer stalls", "next_step": "Pre-fill"},
        follow=True,
    )
    assert "Check-in saved." in response.content.decode()
    response = client.post(url("submit", team, week), follow=True)
    assert "Check-in submitted" in response.content.decode()
    kr = objective.key_results.get()
    assert (kr.current_value, kr.confidence) == (D(27), 6)
    assert KeyResultUpdate.objects.filter(key_result=kr).count() == 1


def test_submit_without_values_is_refused_with_a_message(client_for, member, objective, week):
    client = client_for(member)
    client.post(url("save", objective.team, week), {"field": "happened", "happened": "x"}, **HX)
    response = client.post(url("submit", objective.team, week), follow=True)
    assert "Give a value and a confidence" in response.content.decode()
    assert CheckIn.objects.get().state == CheckIn.State.DRAFT


@pytest.mark.parametrize(
    ("week_offset", "status", "message"),
    [(1, 400, "not started yet"), (-30, 400, "outside the cycle")],
)
def test_weeks_outside_the_rules_show_a_clear_page(
    client_for, member, objective, week_offset, status, message
):
    label = iso_week_label(week_start(timezone.localdate()) + timedelta(weeks=week_offset))
    team = objective.team
    assert client_for(member).get(url("week", team, label)).status_code == status
    response = client_for(member).post(url("save", team, label), {"happened": "x"})
    assert response.status_code == status and message in response.content.decode()
    assert not CheckIn.objects.exists()


def test_a_malformed_week_is_not_found(client_for, member, objective):
    assert client_for(member).get(url("week", objective.team, "2026-48")).status_code == 404
    assert client_for(member).get(url("week", objective.team, "2026-W60")).status_code == 404


def test_no_checkin_before_the_objective_is_committed(client_for, member, objective, week):
    Objective.objects.filter(pk=objective.pk).update(state=Objective.State.SUBMITTED)
    response = client_for(member).get(url("week", objective.team, week))
    assert response.status_code == 400
    assert "committed" in response.content.decode()


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_obstacles_belong_to_the_team_and_help_is_answered_by_the_asked_team(
    role_client, request, objective, payments
):
    role = role_of(request)
    team = objective.team
    response = role_client.post(
        reverse("checkins:obstacle-create", args=[team.slug]),
        {"obstacle-description": "Bank checks take 3 days"},
    )
    assert response.status_code == (302 if role in {"anonymous", "member", "lead"} else 403)
    assert Obstacle.objects.exists() is (role in {"member", "lead"})

    request_ = ObstacleFactory(team=payments, description="Need onboarding data", help_team=team)
    response = role_client.post(
        reverse("checkins:obstacle-answer", args=[request_.pk]),
        {f"answer{request_.pk}-answer": "Here it is"},
    )
    assert response.status_code == (302 if role in {"anonymous", "member", "lead"} else 403)
    request_.refresh_from_db()
    assert (request_.resolved_at is not None) is (role in {"member", "lead"})


def test_a_team_cannot_answer_its_own_request(client_for, member, objective, payments):
    mine = ObstacleFactory(team=objective.team, description="x", help_team=payments)
    response = client_for(member).post(
        reverse("checkins:obstacle-answer", args=[mine.pk]), {f"answer{mine.pk}-answer": "x"}
    )
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.resolved_at is None


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_experiments_are_the_teams(role_client, request, objective):
    role = role_of(request)
    kr = objective.key_results.first()
    data = {
        "key_result": str(kr.pk),
        "belief": "a sample invoice",
        "outcome": "more day-one invoices",
        "signal": "+5 points",
        "status": "running",
        "started_on": "2026-11-02",
    }
    response = role_client.post(
        reverse("checkins:experiment-create", args=[objective.team.slug]), data
    )
    assert response.status_code == (302 if role in {"anonymous", "member", "lead"} else 403)
    assert Experiment.objects.exists() is (role in {"member", "lead"})


def test_experiment_stale_edit_gets_409(client_for, member, lead, objective):
    kr = objective.key_results.first()
    experiment = ExperimentFactory(
        team=objective.team, key_result=kr, belief="b", outcome="o", signal="s"
    )
    edit = reverse("checkins:experiment-edit", args=[experiment.pk])
    data = {
        "key_result": str(kr.pk),
        "belief": "b",
        "outcome": "o",
        "signal": "s",
        "status": "validated",
        "version": "1",
        "result": "+7",
    }
    assert client_for(lead).post(edit, data).status_code == 302
    response = client_for(member).post(edit, {**data, "status": "abandoned"})
    assert response.status_code == 409
    assert "Someone else saved this experiment" in response.content.decode()
    assert Experiment.objects.get().status == "validated"


def test_experiment_bad_dates_are_explained(client_for, member, objective):
    kr = objective.key_results.first()
    response = client_for(member).post(
        reverse("checkins:experiment-create", args=[objective.team.slug]),
        {
            "key_result": str(kr.pk),
            "belief": "b",
            "outcome": "o",
            "signal": "s",
            "status": "running",
            "started_on": "2026-11-10",
            "ended_on": "2026-11-01",
        },
    )
    assert response.status_code == 422
    assert "ends on or after" in response.content.decode()
    assert not Experiment.objects.exists()


def test_team_page_with_twelve_weeks_of_history_keeps_its_query_count(
    client_for, member, objective, django_assert_num_queries
):
    team = objective.team
    for i in range(4):
        KeyResultFactory(objective=objective, title=f"KR {i}", position=i + 2)
    monday = week_start(timezone.localdate())
    for n in range(12):
        week = monday - timedelta(weeks=12 - n)
        checkin = services.checkin_get_or_create(team=team, week=week, author=member)
        for kr in objective.key_results.all():
            key_result_record(
                key_result=kr, value=D(20 + n), confidence=5, comment="", author=member, week=week
            )
        CheckIn.objects.filter(pk=checkin.pk).update(state="submitted")
        ExperimentFactory(
            team=team,
            key_result=objective.key_results.first(),
            belief=f"b{n}",
            outcome="o",
            signal="s",
            status="running",
        )
        ObstacleFactory(team=team, description=f"Obstacle {n}")
    client = client_for(member)
    # (16: the team page's queries, tests/okrs/test_team_views.py, with the coach's)
    with django_assert_num_queries(16):
        response = client.get(reverse("dashboard:team-detail", args=[team.slug]))
    html = response.content.decode()
    assert html.count('data-series="value"') == 5
    assert "2026-W" in html or "-W" in html


def test_checkin_page_query_count_is_flat(
    client_for, member, objective, week, django_assert_num_queries
):
    for i in range(4):
        KeyResultFactory(objective=objective, title=f"KR {i}", position=i + 2)
    client = client_for(member)
    client.post(url("save", objective.team, week), {"field": "happened", "happened": "x"}, **HX)
    # session, user, team, objective, check-in (+entries), previous check-in, key
    # results, last updates, running experiments, obstacles, help requests, changes, the
    # viewer's team roles (the team asked for help is typed, not listed: no other teams)
    with django_assert_num_queries(14):
        assert client.get(url("week", objective.team, week)).status_code == 200


def test_another_teams_member_is_an_outsider(client_for, objective, week, stranger):
    field = kr_field(objective)
    response = client_for(stranger).post(
        url("save", objective.team, week), {"field": field, field: "99"}, **HX
    )
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


@pytest.mark.dates(at=datetime(2026, 11, 30, 5, tzinfo=ZoneInfo("Europe/Amsterdam")))
def test_home_page_shows_a_check_in_missing_once_its_time_and_grace_have_passed(
    client_for, leader, objective
):
    # The team objective is aligned to a key result of the active cycle's company OKR;
    # Onboarding checks in on Mondays at 10:00 in Amsterdam, and the nudges wait 24 hours.
    objective.team.time_zone = "Europe/Amsterdam"
    objective.team.save()
    client = client_for(leader)
    missing = "This week&#x27;s check-in is missing."
    team_url = reverse("dashboard:team-detail", args=[objective.team.slug])
    for moment, shown in [
        ("2026-11-30T05:00:00+01:00", False),  # Monday morning, before the check-in time
        ("2026-11-30T10:30:00+01:00", False),  # due, not yet missing
        ("2026-12-01T09:59:00+01:00", False),  # the grace is not over
        ("2026-12-01T10:01:00+01:00", True),
        ("2026-12-06T23:59:00+01:00", True),  # all week long
        ("2026-12-07T00:01:00+01:00", False),  # a new week
    ]:
        with time_machine.travel(datetime.fromisoformat(moment), tick=False):
            html = client.get("/").content.decode()
            team_page = client.get(team_url).content.decode()  # cached, yet right
        assert (missing in html) is shown, moment
        assert ("Onboarding needs attention" in html) is shown, moment
        assert (missing in team_page) is shown, moment
    # A submitted check-in answers it.
    with time_machine.travel(datetime(2026, 12, 1, 12, tzinfo=UTC), tick=False):
        CheckInFactory(
            team=objective.team,
            objective=objective,
            week_start=date(2026, 11, 30),
            state="submitted",
            submitted_at=timezone.now(),
        )
        assert missing not in client.get("/").content.decode()


def test_both_teams_see_a_help_request_resolved(client_for, member, objective, payments, stranger):
    helper = stranger  # of Payments
    obstacle = ObstacleFactory(
        team=objective.team, description="Bank checks take 3 days", help_team=payments
    )
    payments_page = reverse("dashboard:team-detail", args=["payments"])
    assert "Bank checks take 3 days" in client_for(helper).get(payments_page).content.decode()
    client_for(helper).post(
        reverse("checkins:obstacle-answer", args=[obstacle.pk]),
        {f"answer{obstacle.pk}-answer": "We verify the same day now"},
    )
    ours = client_for(member).get(reverse("dashboard:team-detail", args=["onboarding"]))
    assert "Help we received" in ours.content.decode()
    theirs = client_for(helper).get(payments_page).content.decode()
    assert "Help we gave" in theirs and "We verify the same day now" in theirs


def test_a_refusal_explains_itself(client_for, objective, week, stranger):
    response = client_for(stranger).post(url("submit", objective.team, week))
    assert response.status_code == 403
    assert "Only the team&#x27;s members fill in its check-in." in response.content.decode()


def test_a_checkin_of_a_cycle_in_review_is_shown_read_only(client_for, member, objective, week):
    client = client_for(member)
    client.post(url("save", objective.team, week), {"field": "happened", "happened": "Draft"})
    Cycle.objects.filter(pk=objective.cycle_id).update(status=Cycle.Status.REVIEW)
    page = client.get(url("week", objective.team, week)).content.decode()
    assert "Draft" in page
    assert 'name="happened"' in page and "readonly" in page and "hx-post" not in page


def test_a_new_experiment_asks_for_its_key_result_and_no_result_yet(client_for, member, objective):
    client = client_for(member)
    page = client.get(reverse("checkins:experiment-create", args=[objective.team.slug])).text
    assert "Select an option" not in page and ">Choose a key result</option>" in page
    assert 'name="result"' not in page and 'name="learning"' not in page
    experiment = ExperimentFactory(team=objective.team, key_result=objective.key_results.first())
    edit = client.get(reverse("checkins:experiment-edit", args=[experiment.pk])).text
    assert 'name="result"' in edit and 'name="learning"' in edit


def test_the_team_asked_for_help_is_named_not_picked_from_every_team(
    client_for, member, objective, payments, django_assert_num_queries
):
    team = objective.team
    for i in range(30):
        TeamFactory(name=f"Payroll {i:02d}")
    client = client_for(member)
    page = client.get(reverse("checkins:current", args=[team.slug]), follow=True)
    html = page.content.decode()
    # no list of every team: a field with suggestions fetched as one types
    assert "Payroll 29" not in html and 'list="help-team-options"' in html
    suggest = reverse("checkins:help-teams", args=[team.slug])
    with django_assert_num_queries(5):  # session, user, team, roles, ten names
        options = client.get(suggest, {"obstacle-help_team": "pay"}, **HX).content.decode()
    assert options.count("<option") == 10 and 'value="Payments"' in options
    assert (
        'value="Onboarding"'
        not in client.get(suggest, {"obstacle-help_team": "onb"}).content.decode()
    )
    # named in any case, with odd spaces
    create = reverse("checkins:obstacle-create", args=[team.slug])
    client.post(create, {"obstacle-description": "Bank data", "obstacle-help_team": " payments "})
    assert Obstacle.objects.get(description="Bank data").help_team == payments
    # an unknown team (or one's own) says so beside the field, keeps what was typed and
    # writes nothing
    for name in ("Nobody", team.name):
        response = client.post(
            create, {"obstacle-description": "Other", "obstacle-help_team": name}
        )
        html = response.content.decode()
        assert response.status_code == 422 and "No other team is called" in html
        assert "\nOther</textarea>" in html and f'value="{name}"' in html
    assert not Obstacle.objects.filter(description="Other").exists()
    # a name as written wins; in another case only when it names one team
    twins = TeamFactory(name="PAYMENTS"), TeamFactory(name="Data  Platform")
    client.post(create, {"obstacle-description": "Exact", "obstacle-help_team": "PAYMENTS"})
    client.post(create, {"obstacle-description": "Spaced", "obstacle-help_team": "Data  Platform"})
    assert Obstacle.objects.get(description="Exact").help_team == twins[0]
    assert Obstacle.objects.get(description="Spaced").help_team == twins[1]
    response = client.post(
        create, {"obstacle-description": "Which", "obstacle-help_team": "pAyMeNtS"}
    )
    assert response.status_code == 422 and not Obstacle.objects.filter(description="Which").exists()
