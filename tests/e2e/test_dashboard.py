"""The home dashboard filtered in a real browser: the filtered view is shareable by URL."""

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from dashboard.seed import seed_scale
from teams.models import User
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")


def test_a_filtered_dashboard_is_shared_by_its_url(page, browser, live_server):
    company = seed_scale(teams=30, weeks=3)
    leader = company.leaders[0]
    leader.set_password(PASSWORD)
    leader.save()
    colleague = User.objects.create_user("colleague@example.com", PASSWORD)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    sign_in(page, live_server, leader.email)
    expect(page.locator(".dashboard__kr")).to_have_count(3)

    # htmx swaps the list in place and writes the filters into the address bar.
    page.get_by_role("searchbox", name="Team").fill("Team 0007")
    expect(page).to_have_url(f"{live_server.url}/?q=Team+0007")
    expect(page.locator(".team-row")).to_have_count(1)
    page.get_by_role("checkbox", name="Needs attention").check()
    expect(page).to_have_url(f"{live_server.url}/?attention=1&q=Team+0007")
    shared = page.url

    # A colleague opens the link: the same filtered view, the form showing its filters.
    other = browser.new_context().new_page()
    next_url = quote(shared.removeprefix(live_server.url), safe="")
    other.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    other.get_by_label("Email").fill(colleague.email)
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    expect(other).to_have_url(shared)
    expect(other.get_by_role("searchbox", name="Team")).to_have_value("Team 0007")
    expect(other.get_by_role("checkbox", name="Needs attention")).to_be_checked()
    rows = other.locator(".team-row")
    assert rows.count() <= 1
    for row in rows.all():
        expect(row).to_contain_text("Team 0007")
    assert errors == [], f"browser errors: {errors}"
