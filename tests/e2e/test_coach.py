"""The coach in a real browser: a team lead types an output as a key result and sees
the hint, rewrites it as an outcome and the hint goes away; once submitted, the leader
sees the findings that remain beside the challenge and turns one into its text."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from okrs.models import Cycle, Objective
from tests.e2e.pages import collect_errors, field, open_team_page, sign_in, sign_out
from tests.factories import (
    CompanyObjectiveFactory,
    KeyResultFactory,
    MembershipFactory,
    TeamFactory,
    TeamObjectiveFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OUTPUT = "Launch the new onboarding flow"
OUTCOME = "Share of new accounts that send an invoice in week one"
ACTIVITY_HINT = "An activity, not an outcome"


def test_a_lead_rewrites_an_output_as_an_outcome_and_the_leader_sees_the_rest(page, live_server):
    company = CompanyObjectiveFactory(cycle__status=Cycle.Status.ACTIVE)
    company_kr = KeyResultFactory(
        objective=company, title="Net revenue retention", start_value=Decimal(98),
        target_value=Decimal(110), current_value=Decimal(99),
    )  # fmt: skip
    team = TeamFactory(name="Onboarding", slug="onboarding")
    lead = MembershipFactory(team=team, role="lead", user__email="lead@example.com").user
    leader = UserFactory(email="leader@example.com", name="Lena Leader", is_leader=True)
    objective = TeamObjectiveFactory(
        cycle=company.cycle, team=team, aligned_to=company_kr, state=Objective.State.DRAFT
    )
    KeyResultFactory(
        objective=objective, title="Setup steps before the first invoice", kind="decrease",
        start_value=Decimal(9), target_value=Decimal(3), current_value=Decimal(9), owner=lead,
    )  # fmt: skip
    errors: list[str] = []
    collect_errors(page, errors)

    # 1. The lead types an output: the coach says so once typing pauses.
    sign_in(page, live_server, lead.email)
    open_team_page(page, live_server)
    page.locator("#team-okr summary", has_text="Add a key result").click()
    form = page.locator("#new-key-result")
    coach = page.locator("#coach-new")
    field(form, "Key result").press_sequentially(OUTPUT, delay=10)
    expect(coach).to_contain_text(ACTIVITY_HINT)
    expect(coach).to_contain_text("(Launch)")

    # 2. Rewritten as an outcome with a start and a target, the hint goes away (the
    # owner is left out: that hint stays).
    title = field(form, "Key result")
    title.fill("")
    title.press_sequentially(OUTCOME, delay=5)
    field(form, "Start").fill("35")
    field(form, "Target").fill("60")
    field(form, "Target").press("Tab")  # change
    expect(coach).not_to_contain_text(ACTIVITY_HINT)
    expect(coach).to_contain_text("No owner")
    form.get_by_role("button", name="Add key result").click()
    expect(page.locator(".key-result__title", has_text=OUTCOME)).to_be_visible()
    panel = page.locator("#team-okr .coach--panel")
    expect(panel).to_contain_text("No owner")
    expect(panel).not_to_contain_text(ACTIVITY_HINT)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#team-okr .okr__head .state")).to_have_text("Submitted")
    sign_out(page, live_server)

    # 3. The leader sees what remains beside the challenge and, with one click, makes
    # it the challenge's text.
    sign_in(page, live_server, leader.email)
    open_team_page(page, live_server)
    review = page.locator("#team-okr .review")
    expect(review.locator(".coach--challenge")).to_contain_text("No owner")
    review.get_by_role(
        "button", name=re.compile(r"^Turn into challenge comment\s*: No owner")
    ).click()
    body = page.get_by_label(re.compile("^Your challenge"))
    expect(body).to_have_value(re.compile(f"“{OUTCOME}”: No owner"))
    # "No owner" speaks to no aspect of the challenge: the leader marks one.
    review.get_by_label("Measurability").check()
    page.get_by_role("button", name="Challenge", exact=True).click()
    expect(page.locator("#team-okr .okr__head .state")).to_have_text("Challenged")
    expect(page.locator("#team-okr .challenge")).to_contain_text("No owner")
    assert errors == []
