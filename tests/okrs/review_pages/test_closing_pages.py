"""Ending a cycle from its page: the review is the obvious path, closing without one (or
ending a review early) asks first and names what it freezes, and a review starting
weeks before the cycle's end is warned of."""

from datetime import timedelta

import pytest
from django.urls import reverse

from okrs.models import Cycle
from teams.models import AuditEvent
from tests.factories import TeamFactory, TeamObjectiveFactory
from tests.fixtures.okrs import (
    INVOICES_SENT_ON_DAY_ONE,
    SETUP_STEPS,
    committed_objective,
    company_key_result,
    cycle_around,
)

# A review that starts weeks before the cycle's last day (counted from today) is warned of.
pytestmark = [pytest.mark.django_db, pytest.mark.dates]


@pytest.fixture
def active(today, team):
    """An active cycle ending in three weeks: a company key result, Onboarding committed
    with two key results, Payments still drafting."""
    cycle = cycle_around(today, before=70, after=21, name="Q4 2026")
    company = company_key_result(cycle, title="Revenue from self-serve grows")
    committed_objective(cycle, team, INVOICES_SENT_ON_DAY_ONE, SETUP_STEPS, aligned_to=company)
    TeamObjectiveFactory(cycle=cycle, team=TeamFactory(name="Payments"), aligned_to=company)
    return cycle


def test_the_cycle_page_makes_the_review_the_way_to_end_a_cycle(client_for, leader, active):
    page = client_for(leader).get(reverse("okrs:cycle-detail", args=[active.pk])).text
    close = reverse("okrs:cycle-close", args=[active.pk])
    assert '<button type="submit">Start the review</button>' in page
    # closing without a review is a link to a page that asks, not a button that closes
    assert f'<a href="{close}">Close Q4 2026 without a review…</a>' in page
    assert f'action="{close}"' not in page


def test_closing_without_a_review_asks_first_and_names_what_it_freezes(client_for, leader, active):
    client = client_for(leader)
    close = reverse("okrs:cycle-close", args=[active.pk])
    for response in (client.get(close), client.post(close)):  # a post without "yes" asks
        assert response.status_code == 200
        text = response.text
        assert "Close Q4 2026 without a review?" in text and "Closing is for good." in text
        assert "its 1 key result;" in text
        assert "1 committed team objective with 2 key results (Onboarding);" in text
        assert "1 team objective never committed" in text
        assert "Start the review instead" in text
        active.refresh_from_db()
        assert active.status == Cycle.Status.ACTIVE
    response = client.post(close, {"confirm": "yes"}, follow=True)
    assert "“Q4 2026” is closed." in response.text
    active.refresh_from_db()
    assert active.status == Cycle.Status.CLOSED
    event = AuditEvent.objects.get(action=AuditEvent.Action.CYCLE_CLOSED)
    assert event.subject == "Q4 2026 (without a review)"
    # once closed there is nothing to confirm
    assert client.get(close)["Location"] == reverse("okrs:cycle-detail", args=[active.pk])


def test_ending_a_review_early_says_what_stays_missing(client_for, leader, cycle, objective):
    client = client_for(leader)
    detail = client.get(reverse("okrs:cycle-detail", args=[cycle.pk])).text
    close = reverse("okrs:cycle-close", args=[cycle.pk])
    assert f'href="{close}">End the review now…</a>' in detail
    text = client.get(close).text
    assert "End the review of Q4 2026 now?" in text
    assert "2 key results are not scored yet and 0 of 2 retrospectives written" in text
    client.post(close, {"confirm": "yes"})
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.CLOSED


def test_a_review_starting_weeks_early_is_warned_of(client_for, leader, active, today):
    client = client_for(leader)
    page = client.get(reverse("okrs:cycle-detail", args=[active.pk])).text
    assert "3 weeks from today: starting the review now freezes its OKRs" in page
    response = client.post(
        reverse("okrs:cycle-review-start", args=[active.pk]),
        {"review_until": (today + timedelta(days=14)).isoformat()},
        follow=True,
    )
    assert "The review started 3 weeks before the cycle&#x27;s last day" in response.text


def test_a_review_near_the_cycles_end_is_no_warning(client_for, leader, today):
    cycle = cycle_around(today, before=80, after=14, name="Q4 2026")
    page = client_for(leader).get(reverse("okrs:cycle-detail", args=[cycle.pk])).text
    assert "Start the review" in page and "weeks from today" not in page
