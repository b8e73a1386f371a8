"""A team's weekly check-in, in a real browser.

A member records an experiment, fills in the check-in (every field saves itself as it is
typed and survives a reload), asks another team for help, submits, and sees the week in
the key result's chart; the other team answers and Onboarding sees it.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import CheckIn, Experiment, Obstacle
from okrs.models import KeyResult, KeyResultUpdate
from okrs.weeks import iso_week_label, week_start
from tests.e2e.data import DAY_ONE_KR, DAYS_KR, onboarding_committed
from tests.e2e.pages import (
    TEAM_PATH,
    autosave,
    collect_errors,
    field,
    messages,
    open_team_page,
    sign_in,
    snap,
)
from tests.factories import MembershipFactory, TeamFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What the member types into the check-in: per key result, then the PDCA texts.
ENTRIES = {
    DAY_ONE_KR: {"value": "27", "confidence": "6", "comment": "The welcome checklist helped"},
    DAYS_KR: {"value": "7.5", "confidence": "4", "comment": "Bank connection still slow"},
}
TEXTS = {
    "happened": (
        "What happened, and what did we learn?",
        "The checklist lifted day-one invoices; bank syncing is still the bottleneck.",
    ),
    "next_step": ("Our next step", "Pre-fill the first invoice from the sign-up form."),
    "expectation": ("What we expect it to bring", "Five more points of day-one invoices."),
    "learn_by": ("When we will know", "At next Tuesday's check-in."),
}
OBSTACLE = "We need test accounts at the payment provider to try instant payouts"
ANSWER = "Test accounts are ready: ask Pia for the credentials."


def entry(page, title):
    """The check-in's line for one key result."""
    return page.locator("li.entry").filter(
        has=page.locator(".entry__title", has_text=re.compile(rf"^{re.escape(title)}$"))
    )


def entry_input(page, title, label):
    # The label reads e.g. "New value of <title>": " of <title>" is visually hidden.
    return entry(page, title).get_by_label(f"{label} of {title}", exact=True)


ENTRY_LABELS = {"value": "New value", "confidence": "Confidence (0–10)", "comment": "Comment"}


def test_a_member_runs_the_whole_weekly_check_in(page, second_page, live_server):
    data = onboarding_committed()
    team, krs, member = data["team"], data["krs"], data["member"]
    payments = TeamFactory(name="Payments", slug="payments")
    payer = MembershipFactory(
        team=payments, user__email="payer@example.com", user__name="Pia Payments"
    ).user
    monday = week_start(timezone.localdate())
    week = iso_week_label(monday)
    checkin_url = f"{live_server.url}{TEAM_PATH}checkins/{week}/"

    errors: list[str] = []
    collect_errors(page, errors)
    collect_errors(second_page, errors)

    # 1. The member opens this week's check-in from the team page.
    sign_in(page, live_server, member.email)
    open_team_page(page, live_server)
    page.get_by_role("link", name="Start this week's check-in").click()
    expect(page).to_have_url(checkin_url)
    expect(page.get_by_role("heading", name=f"Check-in {week}", level=1)).to_be_visible()
    expect(entry(page, DAY_ONE_KR)).to_have_count(1)
    expect(entry(page, DAYS_KR)).to_have_count(1)

    # 2. An experiment first: it then shows under its key result in the check-in.
    page.get_by_role("link", name="Record an experiment").click()
    expect(page.get_by_role("heading", name="Record an experiment", level=1)).to_be_visible()
    field(page, "Key result it should move").select_option(label=DAY_ONE_KR)
    field(page, "We believe that…").fill("a checklist on the first screen")
    field(page, "…will result in…").fill("more accounts sending an invoice on day one")
    field(page, "We will know when…").fill("day-one invoices pass 25 %")
    field(page, "Status").select_option(label="Running")
    started = timezone.localdate() - timedelta(days=5)
    field(page, "Started").fill(started.isoformat())
    page.get_by_role("button", name="Record experiment").click()
    expect(page).to_have_url(f"{live_server.url}{TEAM_PATH}")
    expect(messages(page)).to_contain_text("Experiment recorded.")
    experiment = Experiment.objects.get(team=team)
    assert experiment.key_result == krs[DAY_ONE_KR]
    assert experiment.status == Experiment.Status.RUNNING
    assert experiment.started_on == started

    page.get_by_role("link", name=re.compile("^(Start|Open) this week's check-in$")).click()
    expect(page).to_have_url(checkin_url)
    expect(entry(page, DAY_ONE_KR).locator(".experiment-note")).to_contain_text(
        "Experiment running: we believe that a checklist on the first screen will result in "
        "more accounts sending an invoice on day one."
    )
    expect(entry(page, DAYS_KR).locator(".experiment-note")).to_have_count(0)

    # 3. Every field saves itself as it is typed…
    for title, values in ENTRIES.items():
        kr = krs[title]
        for attribute, text in values.items():
            control = entry_input(page, title, ENTRY_LABELS[attribute])
            autosave(page, control, f"status-entry-{kr.pk}-{attribute}", text)
    for name, (label, text) in TEXTS.items():
        autosave(page, page.get_by_label(label, exact=True), f"status-{name}", text)
    snap(page, "checkin-1-filled")

    # …so nothing is lost when the browser closes.
    page.reload()
    expect(page.locator(".page-head .state")).to_have_text("Draft, saved as you type")
    for title, values in ENTRIES.items():
        for attribute, text in values.items():
            expect(entry_input(page, title, ENTRY_LABELS[attribute])).to_have_value(text)
    for label, text in TEXTS.values():
        expect(page.get_by_label(label, exact=True)).to_have_value(text)
    checkin = CheckIn.objects.get(team=team, week_start=monday)
    assert checkin.state == CheckIn.State.DRAFT
    assert {name: getattr(checkin, name) for name in TEXTS} == {
        name: text for name, (_, text) in TEXTS.items()
    }

    # 4. An obstacle that needs another team's help.
    obstacle_form = page.locator("form.obstacle-form")
    field(obstacle_form, "Obstacle").fill(OBSTACLE)
    help_team = field(obstacle_form, "Team whose help we need (optional)")
    help_team.fill("pay")  # typing fetches the matching teams' names as suggestions
    expect(page.locator("#help-team-options option")).to_have_count(1)
    expect(page.locator("#help-team-options option")).to_have_attribute("value", "Payments")
    help_team.fill("Payments")
    obstacle_form.get_by_role("button", name="Add obstacle").click()
    expect(page).to_have_url(checkin_url)
    expect(messages(page)).to_contain_text("Obstacle noted; Payments sees your request.")
    expect(page.locator("ul.obstacles > li.obstacle", has_text=OBSTACLE)).to_contain_text(
        "help asked from Payments"
    )

    # 5. Submitting records each key result's value and confidence.
    page.get_by_role("button", name="Submit check-in").click()
    expect(page).to_have_url(checkin_url)
    expect(messages(page)).to_contain_text(
        "Check-in submitted. You can still correct it this week; changes are kept."
    )
    expect(page.locator(".page-head .state")).to_have_text("Submitted")
    expect(page.locator(".page-head")).to_contain_text("by Nora Member")
    snap(page, "checkin-2-submitted")
    checkin.refresh_from_db()
    assert checkin.state == CheckIn.State.SUBMITTED
    assert checkin.submitted_by == member
    for title, values in ENTRIES.items():
        kr = KeyResult.objects.get(pk=krs[title].pk)
        assert kr.current_value == Decimal(values["value"]), title
        assert kr.confidence == int(values["confidence"]), title
        updates = list(KeyResultUpdate.objects.filter(key_result=kr))
        assert len(updates) == 1, title
        assert updates[0].week_start == monday
        assert updates[0].value == Decimal(values["value"])
        assert updates[0].confidence == int(values["confidence"])
        assert updates[0].comment == values["comment"]
        assert updates[0].author == member

    # 6. The team page shows the week in the key result's progress chart.
    open_team_page(page, live_server)
    expect(page.locator(".rhythm")).to_contain_text(f"This week ({week}): checked in")
    row = page.locator("#team-okr .key-result", has_text=DAYS_KR)
    chart = row.locator("details.chart")
    summary = chart.locator("summary")
    expect(summary).to_contain_text("Progress over the weeks")
    expect(summary).to_contain_text("confidence 4/10")
    summary.click()
    expect(chart).to_have_attribute("open", "")
    value_line = chart.locator('polyline[data-series="value"]')
    expect(value_line).to_be_visible()
    # The cycle's start and this week.
    assert len(value_line.get_attribute("points").split()) == 2
    expect(chart.locator("table tbody tr")).to_have_count(1)
    expect(chart.locator("table tbody tr th")).to_have_text(week)
    expect(chart.locator("table tbody tr td").first).to_have_text("7.5")
    snap(page, "checkin-3-chart")

    # 7. Payments sees the request on its team page and answers it…
    sign_in(second_page, live_server, payer.email)
    open_team_page(second_page, live_server, "/teams/payments/", "Payments")
    snap(second_page, "checkin-4-payments")
    help_request = second_page.locator("li.obstacle", has_text=OBSTACLE)
    expect(help_request).to_contain_text(f"Onboarding asks: {OBSTACLE}")
    help_request.get_by_label("Your team's answer to Onboarding").fill(ANSWER)
    help_request.get_by_role("button", name="Answer and resolve").click()
    expect(messages(second_page)).to_contain_text("Answer sent: Onboarding sees it resolved.")
    # The open request is gone; Payments sees it under the help it gave, resolved.
    expect(
        second_page.locator("li.obstacle:not(.obstacle--resolved)", has_text=OBSTACLE)
    ).to_have_count(0)
    expect(second_page.locator("li.obstacle--resolved", has_text=OBSTACLE)).to_contain_text(
        f"we answered: {ANSWER}"
    )
    obstacle = Obstacle.objects.get(team=team)
    assert obstacle.help_answer == ANSWER
    assert obstacle.answered_by == payer
    assert obstacle.resolved_at is not None

    # …and Onboarding sees the help it received.
    open_team_page(page, live_server)
    expect(page.get_by_role("heading", name="Help we received")).to_be_visible()
    received = page.locator("li.obstacle--resolved", has_text=OBSTACLE)
    expect(received).to_contain_text(f"Payments: {ANSWER}")
    expect(page.get_by_role("heading", name="Obstacles in our way")).to_have_count(0)

    assert errors == [], f"browser errors: {errors}"
