"""The weekly check-in once in Dutch, in a real browser whose language is Dutch: every
label, status, message and number the member meets is Dutch (1.234,5 rather than
1,234.5), and what is typed is saved as in English."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import CheckIn
from okrs.models import KeyResult
from okrs.weeks import iso_week_label, week_start
from tests.e2e.data import DAY_ONE_KR, DAYS_KR, onboarding_committed
from tests.e2e.pages import TEAM_PATH, collect_errors, field, messages, snap
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAVED = re.compile(r"^Opgeslagen om \d{2}:\d{2}$")
ENTRIES = {
    DAY_ONE_KR: {"Nieuwe waarde": "27", "Vertrouwen (0–10)": "6"},
    DAYS_KR: {"Nieuwe waarde": "7.5", "Vertrouwen (0–10)": "4"},
}
TEXTS = {
    "Wat gebeurde er, en wat hebben we geleerd?": "De checklist hielp.",
    "Onze volgende stap": "Het eerste factuur vooraf invullen.",
    "Wat we verwachten dat het oplevert": "Vijf punten meer.",
    "Wanneer we het weten": "Bij de check-in van volgende week.",
}


@pytest.fixture
def dutch_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_member_checks_in_in_dutch(dutch_page, live_server):
    page = dutch_page
    data = onboarding_committed()
    team, krs, member = data["team"], data["krs"], data["member"]
    week = iso_week_label(week_start(timezone.localdate()))
    errors: list[str] = []
    collect_errors(page, errors)

    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", name="Inloggen", level=1)).to_be_visible()
    page.get_by_label("E-mail").fill(member.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Bedrijfs-OKR")).to_be_visible()

    page.goto(f"{live_server.url}{TEAM_PATH}")
    page.get_by_role("link", name="Begin de check-in van deze week").click()
    expect(page.get_by_role("heading", name=f"Check-in {week}", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Wat is de doeltoestand?")).to_be_visible()

    for title, values in ENTRIES.items():
        line = page.locator("li.entry").filter(
            has=page.locator(".entry__title", has_text=re.compile(rf"^{re.escape(title)}$"))
        )
        for label, text in values.items():
            control = line.get_by_label(f"{label} van {title}", exact=True)
            control.fill(text)
            status = control.locator("xpath=..").locator(".save-status")
            expect(status).to_have_text(SAVED)
    for label, text in TEXTS.items():
        control = page.get_by_label(label, exact=True)
        control.fill(text)
        expect(control.locator("xpath=..").locator(".save-status")).to_have_text(SAVED)
    expect(page.locator(".page-head .state")).to_have_text("Concept, opgeslagen terwijl je typt")
    field(page.locator("form.obstacle-form"), "Obstakel").fill("Testaccounts ontbreken")
    page.get_by_role("button", name="Obstakel toevoegen").click()
    expect(messages(page)).to_contain_text("Obstakel genoteerd.")

    page.get_by_role("button", name="Check-in indienen").click()
    expect(messages(page)).to_contain_text(
        "Check-in ingediend. Je kunt hem deze week nog corrigeren; wijzigingen worden bewaard."
    )
    expect(page.locator(".page-head .state")).to_have_text("Ingediend")
    snap(page, "checkin-dutch-submitted")
    checkin = CheckIn.objects.get(team=team)
    assert checkin.state == CheckIn.State.SUBMITTED
    assert checkin.next_step == "Het eerste factuur vooraf invullen."
    assert KeyResult.objects.get(pk=krs[DAYS_KR].pk).current_value == Decimal("7.5")

    # The team page in Dutch: the chart's table writes the number the Dutch way.
    page.goto(f"{live_server.url}{TEAM_PATH}")
    expect(page.locator(".rhythm")).to_contain_text(f"Deze week ({week}): ingecheckt")
    chart = page.locator("#team-okr .key-result", has_text=DAYS_KR).locator("details.chart")
    chart.locator("summary").click()
    expect(chart.locator("table tbody tr td").first).to_have_text("7,5")
    assert errors == []
