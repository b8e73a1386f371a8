"""Scores (prefilled from progress, a reason when they differ) and retrospectives, never
overwriting each other."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from okrs import review_selectors
from okrs.models import Cycle, Objective, ObjectiveEvent, Retrospective
from okrs.services import StaleEdit, reviews
from tests.factories import KeyResultFactory, TeamObjectiveFactory
from tests.fixtures.okrs import key_results_of, retro_texts

# The cycle ends in five days: scores wait for the end of a cycle counted from today.
pytestmark = [pytest.mark.django_db, pytest.mark.dates]
State = Objective.State


def test_scores_are_prefilled_from_progress_and_need_a_reason_to_differ(objective, member):
    first, second = key_results_of(objective)
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
    assert review_selectors.objective_score(key_results_of(objective)) == D("0.65")
    event = ObjectiveEvent.objects.get(verb=ObjectiveEvent.Verb.SCORED, key_result=second)
    assert event.changes == {"score": ["", "0.6"]}
    assert event.actor == member and "hiding options" in event.reason


@pytest.mark.parametrize("raw", ["-0.1", "1.01", "abc", "NaN", "Infinity", "0.333", "", "1e400"])
def test_scores_outside_zero_to_one_are_refused_and_change_nothing(objective, member, raw):
    kr = key_results_of(objective)[0]
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
    kr = key_results_of(objective)[0]
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


def test_a_retrospective_is_written_then_improved_and_kept_in_the_history(objective, member, lead):
    first = reviews.retrospective_save(
        objective=objective,
        texts=retro_texts(learned="Customers invoice when the first invoice is pre-filled."),
        expected_version=0,
        actor=member,
    )
    assert first.version == 1 and first.updated_by == member
    second = reviews.retrospective_save(
        objective=objective,
        texts=retro_texts(learned=first.learned, keep="Weekly calls with new customers"),
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
        objective=objective, texts=retro_texts(learned="A"), expected_version=0, actor=member
    )
    # a second person who opened the empty form before the first save
    with pytest.raises(StaleEdit) as stale:
        reviews.retrospective_save(
            objective=objective, texts=retro_texts(learned="B"), expected_version=0, actor=lead
        )
    assert stale.value.current.learned == "A"
    with pytest.raises(StaleEdit):
        reviews.retrospective_save(
            objective=objective, texts=retro_texts(learned="C"), expected_version=7, actor=lead
        )
    assert Retrospective.objects.get(objective=objective).learned == "A"


def test_retrospective_bad_input_changes_nothing(objective, member):
    with pytest.raises(ValidationError):
        reviews.retrospective_save(
            objective=objective,
            texts=retro_texts(learned="x" * 5001),
            expected_version=0,
            actor=member,
        )
    with pytest.raises(ValidationError, match="plain text"):
        reviews.retrospective_save(
            objective=objective, texts=retro_texts(keep="a\x00b"), expected_version=0, actor=member
        )
    assert not Retrospective.objects.exists()


def test_an_objective_has_no_score_until_every_key_result_is_scored(objective, member):
    first, second = key_results_of(objective)
    reviews.key_result_score(
        key_result=first, score=D("0.7"), reason="", expected_version=1, actor=member
    )
    # the mean of the one scored key result would read as the objective's score
    assert review_selectors.objective_score(key_results_of(objective)) is None
    assert review_selectors.objective_score([]) is None
