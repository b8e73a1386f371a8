"""On a phone (390 px wide): the header is one row with a menu, and the leaders' cycle
overview fits, its wide table scrolling in its own box with the team names in view."""

import pytest
from playwright.sync_api import expect

from tests.e2e.data import onboarding_committed
from tests.e2e.pages import collect_errors, sign_in
from tests.factories import TeamFactory, UserFactory
from tests.fixtures.okrs import INVOICES_SENT_ON_DAY_ONE, committed_objective

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PAGE_WIDTH = "() => document.documentElement.scrollWidth"


def test_the_navigation_is_a_menu_on_a_phone_and_a_row_on_a_desktop(page, live_server):
    errors: list[str] = []
    collect_errors(page, errors)
    onboarding_committed()
    UserFactory(email="leader@example.com", name="Lena Leader", is_leader=True)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "leader@example.com")
    header = page.locator("header.site-header")
    assert header.bounding_box()["height"] < 80  # one row (three rows were ~190 px)
    assert page.evaluate(PAGE_WIDTH) <= PHONE["width"]
    teams = page.get_by_role("link", name="Teams", exact=True)
    expect(teams).to_be_hidden()
    menu = page.locator("details.site-menu > summary")
    # A disclosure a keyboard opens: Tab to it, Enter.
    menu.focus()
    page.keyboard.press("Enter")
    expect(page.locator("details.site-menu")).to_have_attribute("open", "")
    expect(teams).to_be_visible()
    teams.click()
    expect(page.get_by_role("heading", name="Teams", level=1)).to_be_visible()
    # Screen readers hear a button named "Menu" (not its arrow), the page marked current.
    expect(menu).to_have_accessible_name("Menu")
    menu.click()
    expect(teams).to_have_attribute("aria-current", "page")

    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator("details.site-menu > summary")).to_be_hidden()
    expect(page.get_by_role("link", name="Cycles", exact=True)).to_be_visible()
    assert errors == [], f"browser errors: {errors}"


def test_the_cycle_overview_fits_a_phone_and_keeps_the_team_names_in_view(page, live_server):
    errors: list[str] = []
    collect_errors(page, errors)
    data = onboarding_committed()  # a cycle of thirteen weeks so far
    cycle = next(iter(data["krs"].values())).objective.cycle
    for name in ("Payments and billing operations", "Growth"):
        committed_objective(cycle, TeamFactory(name=name), INVOICES_SENT_ON_DAY_ONE)
    UserFactory(email="leader@example.com", name="Lena Leader", is_leader=True)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "leader@example.com")
    page.goto(f"{live_server.url}/cycles/{cycle.pk}/overview/")
    expect(page.get_by_role("heading", name="Cycle overview")).to_be_visible()
    assert page.evaluate(PAGE_WIDTH) <= PHONE["width"]  # was 546 px
    box = page.locator("#heatmap")
    assert box.evaluate("box => box.scrollWidth > box.clientWidth")  # it scrolls inside
    box.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    left = box.bounding_box()["x"]
    for name in ("Growth", "Onboarding"):
        cell = box.get_by_role("rowheader", name=name)
        expect(cell).to_be_visible()
        assert abs(cell.bounding_box()["x"] - left) < 2, name  # stuck to the box's edge
    assert page.evaluate(PAGE_WIDTH) <= PHONE["width"]
    assert errors == [], f"browser errors: {errors}"
