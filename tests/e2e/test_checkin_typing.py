"""Typing into the check-in in a real browser: what a person typed is saved or kept on
screen whichever button they press and however fast, and each save is announced."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from okrs.weeks import iso_week_label, week_start
from tests.e2e.data import onboarding_committed
from tests.e2e.pages import SAVED, TEAM_PATH, autosave, collect_errors, sign_in

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
