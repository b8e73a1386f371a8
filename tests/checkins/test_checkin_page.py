"""What the check-in page says and offers: why it is read-only, its badges and buttons,
its numbers, the milestone control, the save status and a submit that carries the
fields (the autosave's own rules are in test_views.py)."""

import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from checkins import services
from checkins.models import CheckIn
from okrs.models import Cycle, KeyResult
from okrs.templatetags.okrs import kr_number
from okrs.weeks import iso_week_label, week_start
from tests.factories import KeyResultFactory
from tests.fixtures.okrs import DAY_ONE_INVOICING, committed_objective, cycle_around
from tests.helpers import HX

# The week on the page is this week (of the app's local date); a past week is kept as
# submitted, a cycle in review is read-only.
pytestmark = [pytest.mark.django_db, pytest.mark.dates]


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


def test_every_number_of_a_key_result_is_written_alike(client_for, member, objective, week):
    """The pace is as precise as the key result's own numbers, and every one has its unit
    (was "where we should be…: 41.21" beside "22 %")."""
    kr = objective.key_results.get()
    kr.unit, kr.current_value = "%", D("22")
    kr.save()
    page = client_for(member).get(url("week", objective.team, week)).text
    context = page[page.index('class="entry__context') :]
    context = re.sub(r"\s+", " ", context[: context.index("</p>")])
    pace = re.search(r"end of this week: <strong>([^<]+)</strong> %", context).group(1)
    assert re.fullmatch(r"\d+", pace), context  # no decimals: 18 → 50 % has none
    assert "Last week: <strong>22</strong> %" in context and "target 50 %" in context
    # The confidence label says its range without wrapping the field out of line.
    assert 'Confidence <span class="field__hint">(0–10)</span>' in page


def test_the_pace_follows_the_key_results_decimals():
    days = KeyResult(start_value=D(9), target_value=D(4), current_value=D("8.5"))
    assert kr_number(D("5.3333"), days) == "5.3"
    share = KeyResult(start_value=D(18), target_value=D(40), current_value=D(22))
    assert kr_number(D("41.2133"), share) == "41" and kr_number(None, share) == ""


def test_a_milestone_is_done_or_not_and_posts_one_or_zero(client_for, member, objective, week):
    milestone = KeyResultFactory(
        objective=objective,
        title="Bank connection live",
        kind="milestone",
        start_value=D(0),
        target_value=D(1),
        current_value=D(0),
        unit="",
        position=2,
    )
    client = client_for(member)
    field = f"entry-{milestone.pk}-value"
    page = client.get(url("week", objective.team, week)).text
    control = page[page.index(f'<select id="id_{field}"') :]
    control = control[: control.index("</select>")]
    assert '<option value="1">Done</option>' in control
    assert '<option value="0">Not done</option>' in control
    assert 'hx-trigger="change, autosave-now"' in control
    assert f'type="number" id="id_{field}"' not in page
    response = client.post(
        url("save", objective.team, week), {"field": field, field: "1", f"{field}__base": ""}, **HX
    )
    assert response.status_code == 200
    page = client.get(url("week", objective.team, week)).text
    assert '<option value="1" selected>Done</option>' in page


def test_the_submit_carries_the_fields_typed_just_before_it(client_for, member, objective, week):
    """Without JavaScript, or before the autosave's pause: the submit button belongs to
    the check-in form, so what was typed last is saved, then submitted."""
    entry = f"entry-{objective.key_results.get().pk}"
    client = client_for(member)
    page = client.get(url("week", objective.team, week)).text
    submit = url("submit", objective.team, week)
    assert f'form="checkin-form" formaction="{submit}">Submit check-in</button>' in page
    fields = {
        f"{entry}-value": "27",
        f"{entry}-value__base": "",
        f"{entry}-confidence": "6",
        f"{entry}-confidence__base": "",
        "happened": "Fewer stalls",
        "happened__base": "",
    }
    response = client.post(submit, fields, follow=True)
    assert "Check-in submitted." in response.text
    checkin = CheckIn.objects.get()
    assert checkin.state == CheckIn.State.SUBMITTED and checkin.happened == "Fewer stalls"
    assert objective.key_results.get().confidence == 6


def test_a_submit_whose_fields_cannot_be_saved_submits_nothing(
    client_for, member, lead, objective, week
):
    entry = f"entry-{objective.key_results.get().pk}"
    save, submit = url("save", objective.team, week), url("submit", objective.team, week)
    client_for(lead).post(save, {f"{entry}-value": "27", f"{entry}-confidence": "6"})
    client_for(lead).post(save, {"field": "next_step", "next_step": "Lead's"}, **HX)
    # The member's page started before the lead's next step: theirs is not saved, and
    # nothing is submitted; a field they left as it was is no conflict.
    fields = {
        "next_step": "Mine",
        "next_step__base": "",
        "happened": "",
        "happened__base": "",
        f"{entry}-value": "",
        f"{entry}-value__base": "",
    }
    response = client_for(member).post(submit, fields, follow=True)
    assert "Nothing was submitted" in response.text
    assert "Someone else changed some of these fields" in response.text
    checkin = CheckIn.objects.get()
    assert checkin.state == CheckIn.State.DRAFT and checkin.next_step == "Lead's"
    del fields["next_step"], fields["next_step__base"]
    response = client_for(member).post(submit, fields, follow=True)
    assert "Check-in submitted." in response.text
    assert checkin.entries.get().value == 27  # the untouched field kept the lead's value
