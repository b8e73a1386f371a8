"""A team's weekly check-in, in a real browser.

Journey 1: a member records an experiment, fills in the check-in (every field saves
itself as it is typed and survives a reload), asks another team for help, submits, and
sees the week in the key result's chart; the other team answers and Onboarding sees it.

Journey 2: two members typing into the same field at once never overwrite each other
silently: the second sees the first one's text and chooses to keep theirs.
"""

import os
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import CheckIn, Experiment, Obstacle
from okrs.models import Cycle, KeyResult, KeyResultUpdate
from okrs.weeks import iso_week_label, week_start
from tests.e2e.pages import sign_in
from tests.factories import (
    CompanyObjectiveFactory,
    CycleFactory,
    KeyResultFactory,
    MembershipFactory,
    TeamFactory,
    TeamObjectiveFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEAM_PATH = "/teams/onboarding/"
DAY_ONE_KR = "New accounts sending an invoice on day one"
DAYS_KR = "Days from sign-up to first sent invoice"
CONFLICT_409 = "the server responded with a status of 409"

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


# --- browser helpers ---------------------------------------------------------------


def collect_errors(page, errors: list[str], expected: list[str] | None = None) -> None:
    """Script errors and console errors (CSP violations, failed requests) of one page.

    Console errors containing CONFLICT_409 go to `expected` when given: only the page
    that deliberately triggers a conflict may log them. (Screenshots need
    caret="initial": Playwright's caret-hiding style is itself a CSP violation.)"""

    def on_console(message):
        if message.type != "error":
            return
        if expected is not None and CONFLICT_409 in message.text:
            expected.append(message.text)
        else:
            errors.append(f"{page.url}: {message.text}")

    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on("console", on_console)


def snap(page, name: str) -> None:
    """A screenshot under $E2E_SCREENSHOTS (when set), for reviewing the UI by eye."""
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True, caret="initial")


def field(scope, label):
    """The form control labelled exactly `label` (a required field's label ends in an
    aria-hidden " *")."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def open_team_page(page, live_server, path=TEAM_PATH, name="Onboarding"):
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


def entry(page, title):
    """The check-in's line for one key result."""
    return page.locator("li.entry").filter(
        has=page.locator(".entry__title", has_text=re.compile(rf"^{re.escape(title)}$"))
    )


def entry_input(page, title, label):
    # The label reads e.g. "New value of <title>": " of <title>" is visually hidden.
    return entry(page, title).get_by_label(f"{label} of {title}", exact=True)


ENTRY_LABELS = {"value": "New value", "confidence": "Confidence (0–10)", "comment": "Comment"}


def autosave(page, control, status_id: str, text: str) -> None:
    """Type into a field and wait until its autosave reports "Saved"."""
    control.fill(text)
    expect(page.locator(f"#{status_id}")).to_have_text("Saved")


def messages(page):
    return page.locator("#messages")


# --- data --------------------------------------------------------------------------


def onboarding_committed():
    """An active cycle around today, the company OKR, and Onboarding's committed OKR
    with two key results, a lead and a member."""
    today = timezone.localdate()
    cycle = CycleFactory(
        name="This quarter",
        status=Cycle.Status.ACTIVE,
        start_date=today - timedelta(days=60),
        end_date=today + timedelta(days=30),
    )
    company = CompanyObjectiveFactory(cycle=cycle)
    company_kr = KeyResultFactory(
        objective=company,
        title="Median days to first paid invoice",
        kind="decrease",
        start_value=Decimal(14),
        target_value=Decimal(5),
        current_value=Decimal(12),
        unit="days",
    )
    team = TeamFactory(name="Onboarding", slug="onboarding")
    objective = TeamObjectiveFactory(
        team=team, cycle=cycle, state="committed", aligned_to=company_kr
    )
    day_one = KeyResultFactory(
        objective=objective,
        title=DAY_ONE_KR,
        kind="increase",
        start_value=Decimal(18),
        target_value=Decimal(40),
        current_value=Decimal(22),
        unit="%",
    )
    days = KeyResultFactory(
        objective=objective,
        title=DAYS_KR,
        kind="decrease",
        start_value=Decimal(9),
        target_value=Decimal(4),
        current_value=Decimal("8.5"),
        unit="days",
    )
    lead = MembershipFactory(
        team=team, role="lead", user__email="lead@example.com", user__name="Theo Lead"
    ).user
    member = MembershipFactory(
        team=team, user__email="member@example.com", user__name="Nora Member"
    ).user
    return {
        "team": team,
        "krs": {DAY_ONE_KR: day_one, DAYS_KR: days},
        "lead": lead,
        "member": member,
    }


@pytest.fixture
def second_page(browser):
    """A second browser: another person on another machine."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


# --- journey 1 ---------------------------------------------------------------------


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
    field(obstacle_form, "Team whose help we need (optional)").select_option(label="Payments")
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


# --- journey 2 ---------------------------------------------------------------------


def test_two_members_typing_at_once_never_overwrite_each_other_silently(
    page, second_page, live_server
):
    data = onboarding_committed()
    team = data["team"]
    monday = week_start(timezone.localdate())
    checkin_url = f"{live_server.url}{TEAM_PATH}checkins/{iso_week_label(monday)}/"
    lead_text = "Call five new accounts on their first day."
    member_text = "Ship the invoice template picker to everyone."

    errors: list[str] = []
    conflicts_logged: list[str] = []
    lead_page, member_page = page, second_page
    collect_errors(lead_page, errors)
    collect_errors(member_page, errors, expected=conflicts_logged)

    for who, browser_page in ((data["lead"], lead_page), (data["member"], member_page)):
        sign_in(browser_page, live_server, who.email)
        browser_page.goto(checkin_url)
        expect(browser_page.get_by_label("Our next step", exact=True)).to_have_value("")

    # The lead writes the next step first.
    autosave(
        lead_page,
        lead_page.get_by_label("Our next step", exact=True),
        "status-next_step",
        lead_text,
    )
    assert CheckIn.objects.get(team=team, week_start=monday).next_step == lead_text

    # The member's page still started from the empty text: their save is refused and
    # they see the lead's text beside their own.
    member_box = member_page.get_by_label("Our next step", exact=True)
    member_box.fill(member_text)
    conflict = member_page.locator("#conflict-next_step")
    expect(conflict.get_by_role("alert")).to_be_visible()
    expect(conflict).to_contain_text("Someone else changed this while you typed.")
    expect(conflict.locator("blockquote")).to_have_text(lead_text)
    expect(member_page.locator("#status-next_step")).to_have_text(
        "Not saved: someone else changed this."
    )
    expect(member_box).to_have_value(member_text)
    snap(member_page, "checkin-5-conflict")
    assert CheckIn.objects.get(team=team, week_start=monday).next_step == lead_text
    assert conflicts_logged, "the refused save answers 409"

    # The member keeps their version, knowingly. A save of the field may still be on its
    # way with the old base (typing pauses trigger saves); the page queues "Keep my
    # version" behind it. Hold any such save's answer back to make the worst order
    # happen every run: whatever the order, the member's kept version must read "Saved".
    stale, kept, released = [], [], []

    def slow_network(route):
        if released:
            route.fallback()
        elif "overwrite=1" in (route.request.post_data or ""):
            kept.append(route)  # sent once the blur's save has reached the server
        else:
            stale.append((route, route.fetch()))  # answered only after "Keep my version"

    member_page.route("**/save/", slow_network)
    keep = member_page.locator("#conflict-next_step + .conflict-actions")
    keep.get_by_role("button", name="Keep my version").click()
    member_page.wait_for_timeout(500)  # both requests are on their way (unless queued)
    released.append(True)
    for route in kept:
        route.continue_()
    if kept:
        expect(member_page.locator("#status-next_step")).to_have_text("Saved")
    for route, response in stale:
        route.fulfill(response=response)
    member_page.unroute("**/save/")
    expect(member_box).not_to_have_class(re.compile(r"\bhtmx-request\b"))
    expect(member_page.locator("#status-next_step")).to_have_text("Saved")
    expect(conflict).to_be_empty()
    assert CheckIn.objects.get(team=team, week_start=monday).next_step == member_text
    # It stays so: no late save of either page brings the lead's text back.
    member_page.reload()
    expect(member_page.get_by_label("Our next step", exact=True)).to_have_value(member_text)
    lead_page.reload()
    expect(lead_page.get_by_label("Our next step", exact=True)).to_have_value(member_text)
    assert CheckIn.objects.get(team=team, week_start=monday).next_step == member_text

    assert errors == [], f"browser errors: {errors}"
