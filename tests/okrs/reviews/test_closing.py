"""Starting the review at the end of a cycle, and closing the cycle by hand or when
the review's last day is over."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from okrs import services
from okrs.models import Cycle
from okrs.services import reviews
from teams.models import AuditEvent
from tests.factories import CycleFactory
from tests.fixtures.okrs import start_review

# A review lasts until a day counted from today and closes once that day is over.
pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def test_review_freezes_the_active_cycle_until_a_day(cycle, today):
    reviewed = start_review(cycle, today)
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
    start_review(cycle, today)
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


def test_a_cycle_in_review_is_scorable_but_not_open():
    cycle = Cycle(
        status=Cycle.Status.REVIEW, start_date=date(2026, 1, 1), end_date=date(2026, 3, 31)
    )
    assert cycle.in_review and cycle.is_scorable and not cycle.is_open and not cycle.is_closed
