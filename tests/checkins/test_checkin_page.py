"""What the check-in page says and offers: why it is read-only, its badges and buttons,
its numbers, the milestone control, the save status and a submit that carries the
fields (the autosave's own rules are in test_views.py)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from checkins import services
from checkins.models import CheckIn
from okrs.models import Cycle
from okrs.weeks import iso_week_label, week_start
from tests.fixtures.okrs import DAY_ONE_INVOICING, committed_objective, cycle_around
from tests.helpers import HX

pytestmark = pytest.mark.django_db


@pytest.fixture
def objective(team, today):
    """Onboarding's committed objective with one key result, in a cycle ending soon."""
    cycle = cycle_around(today, before=90, after=10, name="Q4 2026")
    return committed_objective(cycle, team, DAY_ONE_INVOICING)


@pytest.fixture
def week():
    return iso_week_label(week_start(timezone.localdate()))


def url(name, team, week):
    return reverse(f"checkins:{name}", args=[team.slug, week])


def state_badge(html: str) -> str:
    head = html[html.index("Week of ") :]
    return head[: head.index("</p>")]


def test_in_the_review_a_member_is_told_the_cycle_is_in_review(client_for, member, objective, week):
    client = client_for(member)
    client.post(url("save", objective.team, week), {"field": "happened", "happened": "x"}, **HX)
    Cycle.objects.filter(pk=objective.cycle_id).update(status=Cycle.Status.REVIEW)
    page = client.get(url("week", objective.team, week)).text
    assert "Q4 2026 is in review: its check-ins are kept as they were, read-only." in page
    assert "members fill in this check-in" not in page
    assert "saved as you type" not in page and "Not submitted" in state_badge(page)
    assert "Save draft" not in page and "Submit check-in" not in page


def test_an_outsider_reads_a_draft_and_is_told_who_fills_it_in(
    client_for, member, outsider, objective, week
):
    client_for(member).post(
        url("save", objective.team, week), {"field": "happened", "happened": "x"}, **HX
    )
    page = client_for(outsider).get(url("week", objective.team, week)).text
    assert "Only Onboarding&#x27;s members fill in this check-in; you can read it." in page
    assert "saved as you type" not in page and ">Draft</span>" in state_badge(page)


def test_a_submitted_past_week_is_kept_as_submitted(client_for, member, objective):
    last_week = week_start(timezone.localdate()) - timedelta(weeks=1)
    checkin = services.checkin_get_or_create(team=objective.team, week=last_week, author=member)
    CheckIn.objects.filter(pk=checkin.pk).update(state=CheckIn.State.SUBMITTED)
    page = client_for(member).get(url("week", objective.team, iso_week_label(last_week))).text
    assert "That week is over: its check-in is kept as submitted." in page
    assert "Save draft" not in page and "Save corrections" not in page


def test_a_submitted_check_in_offers_corrections_not_a_draft(client_for, member, objective, week):
    client = client_for(member)
    field = f"entry-{objective.key_results.get().pk}"
    values = {f"{field}-value": "27", f"{field}-confidence": "6"}
    client.post(url("save", objective.team, week), values)
    client.post(url("submit", objective.team, week))
    page = client.get(url("week", objective.team, week)).text
    assert ">Submitted</span>" in state_badge(page)
    assert "Save draft" not in page and "Save corrections" in page
    assert "Submit check-in" not in page


def test_a_save_changes_the_text_of_the_fields_one_live_region(client_for, member, objective, week):
    """Screen readers announce a live region whose text changes, not a new element with
    the same word: the page has one per field and each answer swaps only its text."""
    client = client_for(member)
    page = client.get(url("week", objective.team, week)).text
    assert '<p class="save-status" id="status-happened" aria-live="polite"></p>' in page
    now = timezone.localtime().strftime("%H:")
    saved = client.post(
        url("save", objective.team, week), {"field": "happened", "happened": "x"}, **HX
    ).text
    assert '<p id="status-happened" hx-swap-oob="innerHTML">Saved at ' in saved
    assert f"Saved at {now}" in saved and "aria-live" not in saved
    refused = client.post(
        url("save", objective.team, week),
        {"field": "happened", "happened": "y", "happened__base": "someone else's"},
        **HX,
    ).text
    assert '<p id="status-happened" hx-swap-oob="innerHTML"><span class="save-status--error">' in (
        refused
    )
