"""A cycle's dates are ones a person meant: near today, a year long at most. A typo in
the year (0026, 9999, 0001) is refused with a clear message and saves nothing."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from okrs import services
from okrs.models import Cycle
from tests.factories import CycleFactory

# A cycle starts within five years of today.
pytestmark = [pytest.mark.django_db, pytest.mark.dates]


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (date(1, 1, 1), date(1, 3, 31), "start_date", "is the year right?"),
        (date(26, 10, 1), date(26, 12, 31), "start_date", "is the year right?"),
        (date(9999, 10, 1), date(9999, 12, 31), "start_date", "is the year right?"),
        (None, 400, "end_date", "A cycle lasts a year at most"),
    ],
)
def test_dates_far_from_today_or_a_cycle_over_a_year_are_refused(today, start, end, field, message):
    start = start or today
    end = end if isinstance(end, date) else today + timedelta(days=end)
    with pytest.raises(ValidationError) as refused:
        services.cycle_create(name="Q4", start_date=start, end_date=end)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Cycle.objects.exists()


def test_a_quarter_and_a_year_from_today_are_fine(today):
    services.cycle_create(name="Q", start_date=today, end_date=today + timedelta(days=90))
    services.cycle_create(
        name="Next year",
        start_date=today + timedelta(days=400),
        end_date=today + timedelta(days=765),
    )
    assert Cycle.objects.count() == 2


def test_the_form_shows_the_refusal_beside_the_date_and_keeps_what_was_typed(client_for, leader):
    response = client_for(leader).post(
        reverse("okrs:cycle-create"),
        {"name": "Q4 2026", "start_date": "0026-10-01", "end_date": "0026-12-31"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "is the year right?" in html and 'value="Q4 2026"' in html
    assert not Cycle.objects.exists()


def test_moving_a_cycle_to_a_typo_year_changes_nothing(today, leader):
    cycle = CycleFactory(start_date=today, end_date=today + timedelta(days=90))
    with pytest.raises(ValidationError):
        services.cycle_update(
            cycle=cycle, name=cycle.name, start_date=date(26, 1, 1), end_date=date(26, 3, 31)
        )
    cycle.refresh_from_db()
    assert cycle.start_date == today
