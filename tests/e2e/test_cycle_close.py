"""Closing a cycle in a real browser: a leader starts the review, the team scores a key
result (inline, with a reason when it differs from progress) and writes its
retrospective, the leader closes the cycle, and it reads as it was."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from okrs.models import KeyResult, Retrospective
from teams.models import Membership
from tests.e2e.pages import collect_errors, sign_in
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.fixtures.okrs import INVOICES_SENT_ON_DAY_ONE, committed_objective, cycle_around

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.context.clear_cookies()


def test_a_leader_closes_a_cycle_and_the_team_scores_and_reflects(page, live_server):
    today = timezone.localdate()
    UserFactory(email="leader@example.com", name="Lena Leader", is_leader=True)
    lead = UserFactory(email="lead@example.com", name="Luis Lead")
    cycle = cycle_around(today, before=85, after=0, name="Q4 2026")  # its last day
    objective = committed_objective(cycle, TeamFactory(), INVOICES_SENT_ON_DAY_ONE)
    MembershipFactory(team=objective.team, user=lead, role=Membership.Role.LEAD)
    kr = objective.key_results.get()
    errors = []
    collect_errors(page, errors, allowed=["status of 422"])  # the refused score below

    # The leader ends the cycle: the review starts and the OKRs freeze.
    sign_in(page, live_server, "leader@example.com")
    page.goto(f"{live_server.url}/cycles/{cycle.pk}/")
    page.get_by_text("End the cycle: start the review").click()
    page.get_by_label("Scoring and retrospectives until").fill(
        (today + timedelta(days=7)).isoformat()
    )
    page.get_by_role("button", name="Start the review").click()
    expect(page.get_by_text("is in review: its OKRs are frozen").first).to_be_visible()
    sign_out(page)

    # The team lead scores from the team page.
    sign_in(page, live_server, "lead@example.com")
    page.goto(f"{live_server.url}/teams/{objective.team.slug}/")
    expect(page.get_by_text("Q4 2026 is in review")).to_be_visible()
    # The OKR under review stays on the team page, frozen, with what is scored so far.
    expect(page.get_by_role("heading", name=objective.title, level=2)).to_be_visible()
    expect(page.locator("#team-okr")).to_contain_text("Score not yet")
    expect(page.get_by_text("Planning has not begun")).to_have_count(0)
    page.get_by_role("link", name="Score and reflect").click()
    row = page.locator(f"#score-{kr.pk}")
    score = row.get_by_label(f"Score (0.0–1.0) of {kr.title}")
    expect(score).to_have_value("0.7")  # prefilled from progress
    score.fill("0.4")
    row.get_by_role("button", name="Save score").click()
    # inline (htmx): the row comes back with the refusal, nothing saved
    expect(page.locator(f"#score-{kr.pk}")).to_contain_text("Progress suggests 0.7: say why")
    assert KeyResult.objects.get(pk=kr.pk).score is None
    expect(page).to_have_url(f"{live_server.url}/objectives/{objective.pk}/review/")
    row = page.locator(f"#score-{kr.pk}")
    row.get_by_label("Why this score?").fill("Most of the rise came from one big customer.")
    row.get_by_role("button", name="Save score").click()
    expect(page.locator(f"#score-{kr.pk}")).to_contain_text("Score 0.4 saved")
    assert KeyResult.objects.get(pk=kr.pk).score == D("0.40")

    page.get_by_label("What we learned").fill("A pre-filled first invoice gets sent.")
    page.get_by_label("What we try next").fill("Pre-fill from the company register.")
    page.get_by_role("button", name="Save the retrospective").click()
    expect(page.get_by_text("Retrospective saved.")).to_be_visible()
    assert Retrospective.objects.get(objective=objective).learned.startswith("A pre-filled")
    sign_out(page)

    # The leader closes the cycle; it reads as it was, with the scores and learnings.
    sign_in(page, live_server, "leader@example.com")
    page.goto(f"{live_server.url}/cycles/{cycle.pk}/")
    page.get_by_role("link", name="End the review now…").click()
    # Closing is for good: a page of its own names what it freezes and asks.
    expect(page.get_by_role("heading", name="End the review of Q4 2026 now?")).to_be_visible()
    expect(page.locator(".close-summary")).to_contain_text(
        f"1 committed team objective with 1 key result ({objective.team.name})"
    )
    page.get_by_role("button", name="End the review and close Q4 2026").click()
    expect(page.get_by_text("This cycle is closed")).to_be_visible()
    table = page.get_by_role("table", name="Scores and retrospectives per objective")
    expect(table).to_contain_text("0.4")
    expect(table).to_contain_text("A pre-filled first invoice gets sent.")
    page.get_by_role("link", name=objective.title).click()
    expect(page.get_by_text("Q4 2026 is closed")).to_be_visible()
    expect(page.get_by_role("button", name="Save score")).to_have_count(0)
    page.goto(f"{live_server.url}/cycles/{cycle.pk}/print/")
    expect(
        page.get_by_role("heading", name=f"{objective.team.name}: {objective.title}")
    ).to_be_visible()
    assert errors == []
