"""A leader writes the company OKR in a real browser; everyone else reads it."""

import re

import pytest
from playwright.sync_api import expect

from okrs.models import KeyResult
from tests.e2e.pages import collect_errors, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def add_key_result(page, title, start, target, current, unit):
    page.get_by_text("Add a key result", exact=True).first.click()
    form = page.locator("#new-key-result")
    form.get_by_label("Key result").fill(title)
    form.get_by_label("Start").fill(start)
    form.get_by_label("Target").fill(target)
    form.get_by_label("Current").fill(current)
    form.get_by_label("Unit").fill(unit)
    form.get_by_role("button", name="Add key result").click()
    expect(page.locator(".key-result__title", has_text=title)).to_be_visible()


def test_leader_writes_the_company_okr_inline_and_it_survives_a_reload(page, live_server):
    UserFactory(email="leader@example.com", name="Lena Leader", is_leader=True)
    errors = []
    # the invalid input below answers 422 on purpose
    collect_errors(page, errors, allowed=["the server responded with a status of 422"])

    sign_in(page, live_server, "leader@example.com")
    expect(page.get_by_role("heading", name="Start the first cycle")).to_be_visible()

    page.get_by_role("link", name="Open a cycle").click()
    page.get_by_label("Name").fill("Q1 2027")
    page.get_by_label("Start date").fill("2027-01-01")
    page.get_by_label("End date").fill("2027-03-31")
    page.get_by_role("button", name="Open cycle").click()
    expect(page.get_by_role("heading", name="Q1 2027")).to_be_visible()

    page.get_by_role("link", name="Write the company objective").click()
    page.get_by_label("Objective").fill("Become the tool small businesses recommend")
    page.get_by_label("Why this, why now").fill("Referral customers stay longest.")
    page.get_by_role("button", name="Save objective").click()
    expect(page.locator("#company-objective-title")).to_have_text(
        "Become the tool small businesses recommend"
    )

    url_before = page.url
    add_key_result(page, "Net promoter score rises", "21", "45", "29", "NPS")
    # Invalid input is explained next to its field and keeps what was typed.
    page.get_by_text("Add a key result", exact=True).first.click()
    form = page.locator("#new-key-result")
    form.get_by_label("Key result").fill("Referral share grows")
    form.get_by_label("Start").fill("12")
    form.get_by_label("Target").fill("12")
    form.get_by_role("button", name="Add key result").click()
    expect(page.locator("#new-key-result")).to_contain_text("The target must differ")
    expect(page.locator("#new-key-result").get_by_label("Key result")).to_have_value(
        "Referral share grows"
    )
    page.locator("#new-key-result").get_by_label("Target").fill("30")
    page.locator("#new-key-result").get_by_label("Current").fill("16")
    page.locator("#new-key-result").get_by_role("button", name="Add key result").click()
    expect(page.locator(".key-result__title", has_text="Referral share grows")).to_be_visible()
    assert page.url == url_before, "adding key results must not reload the page"

    # Edit inline: raise the current value.
    row = page.locator(".key-result", has_text="Net promoter score rises")
    row.get_by_role("link", name=re.compile("^Edit")).click()
    editing = page.locator(".key-result--editing", has_text="Edit “Net promoter score rises”")
    editing.get_by_label("Current").fill("33")
    editing.get_by_role("button", name="Save key result").click()
    expect(page.locator(".key-result", has_text="Net promoter score rises")).to_contain_text(
        "now 33 NPS"
    )

    # Reorder: the second key result moves up.
    page.get_by_role("button", name="Move Referral share grows up").click()
    expect(page.locator(".key-result__title").first).to_have_text("Referral share grows")

    page.reload()
    titles = page.locator(".key-result__title")
    expect(titles).to_have_text(["Referral share grows", "Net promoter score rises"])
    expect(page.get_by_role("progressbar", name="Net promoter score rises")).to_have_attribute(
        "value", "50"
    )
    assert KeyResult.objects.count() == 2
    assert errors == [], f"browser errors: {errors}"


def test_a_member_reads_the_company_okr_on_a_phone_without_edit_controls(page, live_server):
    from django.core.management import call_command

    call_command("seed_demo")
    UserFactory(email="reader@example.com")
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server, "reader@example.com")
    expect(page.locator("#company-objective-title")).to_contain_text("recommend to each other")
    expect(page.locator(".key-result")).to_have_count(3)
    expect(page.get_by_role("link", name=re.compile("^Edit"))).to_have_count(0)
    # Nothing overflows sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
