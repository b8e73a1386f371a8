"""Typing into the check-in in a real browser: what a person typed is saved or kept on
screen whichever button they press and however fast, and each save is announced."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import CheckIn
from okrs.models import KeyResult
from okrs.weeks import iso_week_label, week_start
from tests.e2e.data import onboarding_committed
from tests.e2e.pages import SAVED, TEAM_PATH, autosave, collect_errors, field, messages, sign_in
from tests.factories import KeyResultFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_checkin(page, live_server):
    data = onboarding_committed()
    week = iso_week_label(week_start(timezone.localdate()))
    sign_in(page, live_server, data["member"].email)
    page.goto(f"{live_server.url}{TEAM_PATH}checkins/{week}/")
    return data, week


def test_each_save_changes_the_text_of_one_live_region(page, live_server):
    errors: list[str] = []
    collect_errors(page, errors)
    open_checkin(page, live_server)
    status = page.locator("#status-next_step")
    expect(status).to_have_attribute("aria-live", "polite")
    region = status.element_handle()
    box = page.get_by_label("Our next step", exact=True)
    autosave(page, box, "status-next_step", "Call five new accounts")
    autosave(page, box, "status-next_step", "Call five new accounts on day one")
    # The same element, still on the page, still live: only its text changed.
    assert region.evaluate("element => element.isConnected")
    assert region.get_attribute("aria-live") == "polite"
    expect(status).to_have_text(SAVED)
    expect(page.locator('[id="status-next_step"]')).to_have_count(1)
    assert errors == [], f"browser errors: {errors}"


def fill_all_but_the_last_confidence(page, krs):
    """Every field the submit needs, saved, but the last key result's confidence."""
    titles = list(krs)
    for title in titles:
        kr = krs[title]
        autosave(page, page.locator(f"#id_entry-{kr.pk}-value"), f"status-entry-{kr.pk}-value", "9")
        if title != titles[-1]:
            autosave(
                page,
                page.locator(f"#id_entry-{kr.pk}-confidence"),
                f"status-entry-{kr.pk}-confidence",
                "6",
            )
    return krs[titles[-1]]


def test_typing_the_last_field_and_submitting_at_once_submits_it(page, live_server):
    errors: list[str] = []
    collect_errors(page, errors)
    data, week = open_checkin(page, live_server)
    last = fill_all_but_the_last_confidence(page, data["krs"])
    # Typed and clicked within a few milliseconds: the autosave's pause never came.
    page.locator(f"#id_entry-{last.pk}-confidence").fill("4")
    page.get_by_role("button", name="Submit check-in").click()
    expect(messages(page)).to_contain_text("Check-in submitted.")
    expect(page.locator(".page-head .state")).to_have_text("Submitted")
    checkin = CheckIn.objects.get(team=data["team"])
    assert checkin.state == CheckIn.State.SUBMITTED
    assert checkin.entries.get(key_result=last).confidence == 4
    assert KeyResult.objects.get(pk=last.pk).confidence == 4
    assert errors == [], f"browser errors: {errors}"


def test_text_typed_just_before_another_button_is_saved_and_kept(page, live_server):
    errors: list[str] = []
    collect_errors(page, errors)
    data, week = open_checkin(page, live_server)
    obstacle_form = page.locator("form.obstacle-form")
    field(obstacle_form, "Obstacle").fill("Bank checks take three days")
    happened = page.get_by_label("What happened, and what did we learn?", exact=True)
    happened.fill("The checklist helped")
    obstacle_form.get_by_role("button", name="Add obstacle").click()
    expect(messages(page)).to_contain_text("Obstacle noted.")
    expect(happened).to_have_value("The checklist helped")
    assert CheckIn.objects.get(team=data["team"]).happened == "The checklist helped"

    # A link too: the next step typed just before following it is saved.
    page.get_by_label("Our next step", exact=True).fill("Call five accounts")
    page.get_by_role("link", name="Record an experiment").click()
    expect(page.get_by_role("heading", name="Record an experiment", level=1)).to_be_visible()
    assert CheckIn.objects.get(team=data["team"]).next_step == "Call five accounts"
    assert errors == [], f"browser errors: {errors}"


def test_a_save_still_on_its_way_is_waited_for(page, live_server):
    """The network is slow: a save is on its way when more is typed and a button is
    pressed. The page waits for it, then saves the rest, then goes on."""
    errors: list[str] = []
    collect_errors(page, errors)
    data, week = open_checkin(page, live_server)
    held, released = [], []

    def slow_network(route):
        if released:
            route.continue_()
        else:
            held.append(route)

    page.route("**/save/", slow_network)
    happened = page.get_by_label("What happened, and what did we learn?", exact=True)
    happened.fill("The checklist")
    page.wait_for_timeout(1000)  # the pause: its save goes out, and is held
    assert len(held) == 1
    happened.fill("The checklist helped a lot")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_timeout(300)
    assert len(held) == 1  # the second save waits behind the first
    released.append(True)
    held[0].continue_()
    expect(messages(page)).to_contain_text("Check-in saved.")
    expect(happened).to_have_value("The checklist helped a lot")
    assert CheckIn.objects.get(team=data["team"]).happened == "The checklist helped a lot"
    assert errors == [], f"browser errors: {errors}"


def test_a_milestone_is_done_or_not(page, live_server):
    data, week = open_checkin(page, live_server)
    objective = next(iter(data["krs"].values())).objective
    milestone = KeyResultFactory(
        objective=objective,
        title="Bank connection live",
        kind="milestone",
        start_value=Decimal(0),
        target_value=Decimal(1),
        current_value=Decimal(0),
        unit="",
        position=3,
    )
    page.reload()
    control = page.get_by_label("New value of Bank connection live", exact=True)
    control.select_option(label="Done")
    expect(page.locator(f"#status-entry-{milestone.pk}-value")).to_have_text(SAVED)
    entry = CheckIn.objects.get(team=data["team"]).entries.get(key_result=milestone)
    assert entry.value == 1
