"""Two members typing into the same check-in field at once, in real browsers: they never
overwrite each other silently; the second sees the first one's text and chooses to keep
theirs.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import CheckIn
from okrs.weeks import iso_week_label, week_start
from tests.e2e.data import onboarding_committed
from tests.e2e.pages import SAVED, TEAM_PATH, autosave, collect_errors, sign_in, snap

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CONFLICT_409 = "the server responded with a status of 409"


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
    collect_errors(member_page, errors, allowed=[CONFLICT_409], expected=conflicts_logged)

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
    # happen every run: whatever the order, the member's kept version must read "Saved at".
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
        expect(member_page.locator("#status-next_step")).to_have_text(SAVED)
    for route, response in stale:
        route.fulfill(response=response)
    member_page.unroute("**/save/")
    expect(member_box).not_to_have_class(re.compile(r"\bhtmx-request\b"))
    expect(member_page.locator("#status-next_step")).to_have_text(SAVED)
    expect(conflict).to_be_empty()
    assert CheckIn.objects.get(team=team, week_start=monday).next_step == member_text
    # It stays so: no late save of either page brings the lead's text back.
    member_page.reload()
    expect(member_page.get_by_label("Our next step", exact=True)).to_have_value(member_text)
    lead_page.reload()
    expect(lead_page.get_by_label("Our next step", exact=True)).to_have_value(member_text)
    assert CheckIn.objects.get(team=team, week_start=monday).next_step == member_text

    assert errors == [], f"browser errors: {errors}"
