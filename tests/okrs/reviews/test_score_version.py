"""A score has its own version: recording a value or editing the key result while a
teammate scores it is no conflict, and a stale score names who scored first."""

from decimal import Decimal as D

import pytest

from core.versioning import StaleEdit
from okrs import services
from okrs.services import reviews
from tests.fixtures.okrs import key_results_of

pytestmark = pytest.mark.django_db


def test_a_value_recorded_while_someone_scores_does_not_refuse_the_score(objective, member, lead):
    first, _ = key_results_of(objective)
    loaded_score_version = first.score_version  # the scorer opens the review page
    services.key_result_record(key_result=first, value=D(50), confidence=7, comment="", author=lead)
    scored = reviews.key_result_score(
        key_result=first,
        score=D("0.8"),
        reason="Nearly there",
        expected_version=loaded_score_version,
        actor=member,
    )
    assert scored.score == D("0.80") and scored.current_value == D(50)
    assert scored.score_version == loaded_score_version + 1
    assert scored.version == first.version + 1  # the value moved the edit version only


def test_two_scorers_still_conflict_and_the_loser_learns_who_scored(objective, member, lead):
    first, _ = key_results_of(objective)
    version = first.score_version
    reviews.key_result_score(
        key_result=first, score=D("0.7"), reason="", expected_version=version, actor=lead
    )
    with pytest.raises(StaleEdit) as stale:
        reviews.key_result_score(
            key_result=first, score=D("0.2"), reason="Harsh", expected_version=version, actor=member
        )
    assert stale.value.current.scored_by == lead and stale.value.current.score == D("0.70")
