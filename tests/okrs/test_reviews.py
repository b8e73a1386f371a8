"""The end of a cycle in the services: review, scores, retrospectives, closing,
read-only closed cycles, carrying an objective forward and the history it leaves."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from checkins import services as checkin_services
from checkins.models import CheckIn, Experiment
from okrs import review_selectors, services
from okrs.models import Comment, Cycle, KeyResult, Objective, ObjectiveEvent, Retrospective
from okrs.services import StaleEdit, reviews, workflow
from teams.models import AuditEvent
from tests.factories import (
    CompanyObjectiveFactory,
    CycleFactory,
    KeyResultFactory,
    TeamFactory,
    TeamObjectiveFactory,
)

pytestmark = pytest.mark.django_db
State = Objective.State


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def cycle(today):
    return CycleFactory(
        name="Q4 2026",
        status=Cycle.Status.ACTIVE,
        start_date=today - timedelta(days=80),
        end_date=today + timedelta(days=5),
    )


@pytest.fixture
def objective(cycle, team):
    objective = TeamObjectiveFactory(cycle=cycle, team=team, state=State.COMMITTED)
    KeyResultFactory(
        objective=objective,
        title="Invoices sent on day one",
        start_value=D(10),
        target_value=D(60),
        current_value=D(45),  # 70 % of the way
        unit="%",
        position=1,
    )
    KeyResultFactory(
        objective=objective,
        title="Setup steps",
        kind=KeyResult.Kind.DECREASE,
        start_value=D(9),
        target_value=D(3),
        current_value=D(3),  # reached
        unit="steps",
        position=2,
    )
    return objective


def key_results(objective) -> list[KeyResult]:
    return list(objective.key_results.order_by("position"))


def in_review(cycle, today) -> Cycle:
    return reviews.cycle_review_start(cycle=cycle, review_until=today + timedelta(days=14))


# --- the review and closing -----------------------------------------------------------


def test_review_freezes_the_active_cycle_until_a_day(cycle, today):
    reviewed = in_review(cycle, today)
    cycle.refresh_from_db()
    assert reviewed.status == cycle.status == Cycle.Status.REVIEW
    assert cycle.review_until == today + timedelta(days=14)
    # the one-active rule no longer holds the next cycle back
    following = CycleFactory(
        start_date=cycle.end_date + timedelta(days=1), end_date=cycle.end_date + timedelta(days=90)
    )
    assert services.cycle_activate(cycle=following).status == Cycle.Status.ACTIVE


@pytest.mark.parametrize(
    ("status", "days", "message"),
    [
        (Cycle.Status.PLANNING, 14, "Only the active cycle"),
        (Cycle.Status.CLOSED, 14, "Only the active cycle"),
        (Cycle.Status.ACTIVE, -1, "today or later"),
        (Cycle.Status.ACTIVE, 91, "under 90 days"),
    ],
)
def test_review_start_refuses_with_a_message(today, status, days, message):
    cycle = CycleFactory(status=status)
    with pytest.raises(ValidationError, match=message):
        reviews.cycle_review_start(cycle=cycle, review_until=today + timedelta(days=days))
    cycle.refresh_from_db()
    assert cycle.status == status and cycle.review_until is None


def test_a_review_closes_by_hand_or_when_its_last_day_is_over(cycle, today):
    in_review(cycle, today)
    other = CycleFactory(status=Cycle.Status.REVIEW, review_until=today - timedelta(days=1))
    assert reviews.cycles_close_due(today=today) == [other]
    cycle.refresh_from_db()
    other.refresh_from_db()
    assert other.status == Cycle.Status.CLOSED
    assert cycle.status == Cycle.Status.REVIEW  # its last day has not come
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CYCLE_CLOSED).count() == 1
    assert services.cycle_close(cycle=cycle).status == Cycle.Status.CLOSED
    with pytest.raises(ValidationError, match="Only the active cycle or one in review"):
        services.cycle_close(cycle=cycle)
    assert reviews.cycles_close_due(today=today + timedelta(days=30)) == []


def test_a_review_stays_open_through_its_last_day(today):
    last_day = CycleFactory(status=Cycle.Status.REVIEW, review_until=today)
    assert reviews.cycles_close_due(today=today) == []
    last_day.refresh_from_db()
    assert last_day.status == Cycle.Status.REVIEW
    assert reviews.cycles_close_due(today=today + timedelta(days=1)) == [last_day]


# --- scores -------------------------------------------------------------------------------


def test_scores_are_prefilled_from_progress_and_need_a_reason_to_differ(objective, member):
    first, second = key_results(objective)
    assert (first.suggested_score, second.suggested_score) == (D("0.7"), D("1.0"))
    scored = reviews.key_result_score(
        key_result=first,
        score=D("0.7"),
        reason="",
        expected_version=first.score_version,
        actor=member,
    )
    assert scored.score == D("0.70") and scored.scored_by == member
    with pytest.raises(ValidationError, match="Progress suggests 1: say why"):
        reviews.key_result_score(
            key_result=second,
            score=D("0.6"),
            reason=" ",
            expected_version=second.score_version,
            actor=member,
        )
    second.refresh_from_db()
    assert second.score is None
    reviews.key_result_score(
        key_result=second,
        score=D("0.6"),
        reason="We cut steps by hiding options, not by simplifying them.",
        expected_version=second.score_version,
        actor=member,
    )
    second.refresh_from_db()
    assert second.score == D("0.60")
    assert review_selectors.objective_score(key_results(objective)) == D("0.65")
    event = ObjectiveEvent.objects.get(verb=ObjectiveEvent.Verb.SCORED, key_result=second)
    assert event.changes == {"score": ["", "0.6"]}
    assert event.actor == member and "hiding options" in event.reason


@pytest.mark.parametrize("raw", ["-0.1", "1.01", "abc", "NaN", "Infinity", "0.333", "", "1e400"])
def test_scores_outside_zero_to_one_are_refused_and_change_nothing(objective, member, raw):
    kr = key_results(objective)[0]
    with pytest.raises(ValidationError) as error:
        reviews.key_result_score(
            key_result=kr,
            score=raw,
            reason="because",
            expected_version=kr.score_version,
            actor=member,
        )
    assert "score" in error.value.message_dict
    kr.refresh_from_db()
    assert kr.score is None and kr.score_version == 1
    assert not ObjectiveEvent.objects.filter(verb=ObjectiveEvent.Verb.SCORED).exists()


def test_a_stale_score_is_refused_with_the_current_one(objective, member, lead):
    kr = key_results(objective)[0]
    reviews.key_result_score(key_result=kr, score="0.7", reason="", expected_version=1, actor=lead)
    with pytest.raises(StaleEdit) as stale:
        reviews.key_result_score(
            key_result=kr, score="0.5", reason="Too kind", expected_version=1, actor=member
        )
    assert stale.value.current.score == D("0.70") and stale.value.current.scored_by == lead
    kr.refresh_from_db()
    assert kr.score == D("0.70")


def test_scores_wait_for_a_committed_objective_at_the_end_of_the_cycle(team, member, today):
    planned = TeamObjectiveFactory(
        team=team, state=State.COMMITTED, cycle__status=Cycle.Status.PLANNING
    )
    kr = KeyResultFactory(objective=planned)
    with pytest.raises(ValidationError, match="end of the cycle"):
        reviews.key_result_score(
            key_result=kr, score="0.5", reason="x", expected_version=1, actor=member
        )
    draft = TeamObjectiveFactory(state=State.DRAFT)
    kr = KeyResultFactory(objective=draft)
    with pytest.raises(ValidationError, match="committed"):
        reviews.key_result_score(
            key_result=kr, score="0.5", reason="x", expected_version=1, actor=member
        )


# --- retrospectives -------------------------------------------------------------------


def retro(**texts):
    values = {"learned": "", "keep": "", "change": "", "try_next": ""}
    values.update(texts)
    return values


def test_a_retrospective_is_written_then_improved_and_kept_in_the_history(objective, member, lead):
    first = reviews.retrospective_save(
        objective=objective,
        texts=retro(learned="Customers invoice when the first invoice is pre-filled."),
        expected_version=0,
        actor=member,
    )
    assert first.version == 1 and first.updated_by == member
    second = reviews.retrospective_save(
        objective=objective,
        texts=retro(learned=first.learned, keep="Weekly calls with new customers"),
        expected_version=1,
        actor=lead,
    )
    assert second.version == 2 and second.keep == "Weekly calls with new customers"
    events = list(
        ObjectiveEvent.objects.filter(verb=ObjectiveEvent.Verb.RETROSPECTIVE).order_by("id")
    )
    assert [e.actor for e in events] == [member, lead]
    assert events[0].changes == {"learned": ["", first.learned]}
    assert events[1].changes == {"keep": ["", "Weekly calls with new customers"]}


def test_retrospective_edits_never_overwrite_each_other(objective, member, lead):
    reviews.retrospective_save(
        objective=objective, texts=retro(learned="A"), expected_version=0, actor=member
    )
    # a second person who opened the empty form before the first save
    with pytest.raises(StaleEdit) as stale:
        reviews.retrospective_save(
            objective=objective, texts=retro(learned="B"), expected_version=0, actor=lead
        )
    assert stale.value.current.learned == "A"
    with pytest.raises(StaleEdit):
        reviews.retrospective_save(
            objective=objective, texts=retro(learned="C"), expected_version=7, actor=lead
        )
    assert Retrospective.objects.get(objective=objective).learned == "A"


def test_retrospective_bad_input_changes_nothing(objective, member):
    with pytest.raises(ValidationError):
        reviews.retrospective_save(
            objective=objective, texts=retro(learned="x" * 5001), expected_version=0, actor=member
        )
    with pytest.raises(ValidationError, match="plain text"):
        reviews.retrospective_save(
            objective=objective, texts=retro(keep="a\x00b"), expected_version=0, actor=member
        )
    assert not Retrospective.objects.exists()


# --- a closed cycle is read-only for every write path ------------------------------------


@pytest.fixture
def closed(objective, cycle, team, member, leader, today):
    """The cycle with a check-in, an experiment and a comment, then closed."""
    checkin = checkin_services.checkin_get_or_create(
        team=team, week=checkin_services.this_week(), author=member
    )
    kr = key_results(objective)[0]
    experiment = Experiment.objects.create(
        team=team, key_result=kr, belief="b", outcome="o", signal="s", status="running"
    )
    company_kr = objective.aligned_to
    services.cycle_close(cycle=cycle)
    cycle.refresh_from_db()
    objective.refresh_from_db()
    return {"checkin": checkin, "experiment": experiment, "kr": kr, "company_kr": company_kr}


def experiment_data(kr, **overrides) -> checkin_services.ExperimentData:
    values = {
        "belief": "b",
        "outcome": "o",
        "signal": "s",
        "status": "validated",
        "started_on": None,
        "ended_on": None,
        "result": "r",
        "learning": "l",
    }
    values.update(overrides)
    return checkin_services.ExperimentData(key_result=kr, **values)


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
    data = services.KeyResultData(
        title="New",
        kind="increase",
        start_value=D(0),
        target_value=D(5),
        current_value=D(0),
        unit="",
        owner=None,
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
            objective=objective, texts=retro(learned="x"), expected_version=0, actor=member
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
        "kr": key_results(objective)[0],
        "company_kr": objective.aligned_to,
    }
    in_review(cycle, today)
    cycle.refresh_from_db()
    objective.refresh_from_db()
    before = snapshot()
    with pytest.raises(ValidationError, match=r"cycle is (in review|over)"):
        write_paths(objective, cycle, team, member, leader, refs)[path]()
    assert snapshot() == before


def test_in_review_scores_retrospectives_comments_and_learnings_still_go_on(
    objective, cycle, team, member, today
):
    kr = key_results(objective)[0]
    experiment = Experiment.objects.create(
        team=team, key_result=kr, belief="b", outcome="o", signal="s", status="running"
    )
    in_review(cycle, today)
    objective.refresh_from_db()
    reviews.key_result_score(
        key_result=kr, score="0.7", reason="", expected_version=kr.score_version, actor=member
    )
    reviews.retrospective_save(
        objective=objective, texts=retro(learned="L"), expected_version=0, actor=member
    )
    workflow.comment_add(objective=objective, author=member, body="Well done")
    data = experiment_data(kr, result="It worked", learning="Pre-fill works")
    assert (
        checkin_services.experiment_update(
            experiment=experiment, data=data, expected_version=1
        ).learning
        == "Pre-fill works"
    )


# --- carrying an objective forward -------------------------------------------------------


@pytest.fixture
def next_cycle(cycle, today):
    in_review(cycle, today)
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
    old, new = key_results(objective), key_results(carried)
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
    assert [k.start_value for k in key_results(objective)] == [D(10), D(9)]
    with pytest.raises(ValidationError, match="already has an objective in Q1 2027"):
        reviews.objective_carry_forward(objective=objective, aligned_to=target_kr, actor=lead)
    assert Objective.objects.filter(cycle=next_cycle, team=objective.team).count() == 1


def test_carrying_forward_is_refused_with_a_message(objective, cycle, lead, today):
    company_kr = objective.aligned_to
    with pytest.raises(ValidationError, match="once its cycle is over"):
        reviews.objective_carry_forward(objective=objective, aligned_to=company_kr, actor=lead)
    in_review(cycle, today)
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


# --- history -----------------------------------------------------------------------------


def test_the_history_of_an_objective_and_of_each_key_result(objective, member, leader):
    objective.state = State.DRAFT
    objective.save()
    first, second = key_results(objective)
    data = services.KeyResultData(
        title=first.title,
        kind="increase",
        start_value=D(10),
        target_value=D(80),
        current_value=D(45),
        unit="%",
        owner=None,
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


def test_a_cycle_in_review_is_scorable_but_not_open():
    cycle = Cycle(
        status=Cycle.Status.REVIEW, start_date=date(2026, 1, 1), end_date=date(2026, 3, 31)
    )
    assert cycle.in_review and cycle.is_scorable and not cycle.is_open and not cycle.is_closed


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
