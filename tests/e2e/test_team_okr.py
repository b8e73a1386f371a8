"""A team's OKR from objective to commitment, in a real browser.

A leader gives Onboarding its objective, the team lead invites a new member, the member
drafts the key results, a leader challenges their ambition, the team raises the bar and
resubmits, and the leader commits. Emails go out at each hand-over.
"""

import re
import time
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from okrs.models import Cycle, Objective, ObjectiveEvent
from tests.e2e.data import COMPANY_KR, DAY_ONE_KR, DAYS_KR
from tests.e2e.pages import TEAM_PATH, collect_errors, field, open_team_page, sign_in, sign_out
from tests.factories import (
    CompanyObjectiveFactory,
    KeyResultFactory,
    MembershipFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OBJECTIVE = "New accounts send their first invoice on day one"
NEW_MEMBER = "new.member@example.com"
NEW_MEMBER_PASSWORD = "pelican-lantern-orbit"
CHALLENGE = "Raise the bar: aim for 2 days"


# --- browser helpers ---------------------------------------------------------------


def expect_state(page, label):
    expect(page.locator("#team-okr .okr__head .state")).to_have_text(label)


def add_key_result(page, title, *, kind, start, target, current, unit):
    # The add form lives in a closed <details>; its <summary> opens it.
    page.locator("#team-okr summary", has_text="Add a key result").click()
    form = page.locator("#new-key-result")
    field(form, "Key result").fill(title)
    field(form, "Kind").select_option(label=kind)
    field(form, "Start").fill(start)
    field(form, "Target").fill(target)
    field(form, "Current").fill(current)
    field(form, "Unit").fill(unit)
    form.get_by_role("button", name="Add key result").click()
    expect(page.locator(".key-result__title", has_text=title)).to_be_visible()


def key_result_row(page, title):
    # Scoped by title: the hidden add form is a `.key-result` too, but has no title text.
    return page.locator("#team-okr .key-result", has_text=title)


# --- email helpers -----------------------------------------------------------------


def wait_for_emails(subject_contains: str, *, count: int = 1, timeout: float = 5.0):
    """The emails whose subject contains the text, once `count` of them have arrived.

    Celery runs the task eagerly after the live server's transaction commits, in the
    server's thread; the locmem outbox is shared with this process."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in mail.outbox if subject_contains in m.subject]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def recipients(messages) -> set[str]:
    return {address for message in messages for address in message.to}


# --- the journey -------------------------------------------------------------------


def test_team_drafts_key_results_gets_challenged_raises_the_bar_and_commits(
    page, second_page, live_server, settings
):
    member_page = second_page  # the invitee's browser: another person on another machine
    # Emails link to the live server, so the invitation link can be followed as sent.
    settings.SITE_URL = live_server.url
    company_objective = CompanyObjectiveFactory(cycle__status=Cycle.Status.ACTIVE)
    KeyResultFactory(
        objective=company_objective,
        title=COMPANY_KR,
        kind="decrease",
        start_value=Decimal(14),
        target_value=Decimal(5),
        current_value=Decimal(12),
        unit="days",
    )
    team = TeamFactory(name="Onboarding", slug="onboarding")
    leader = UserFactory(email="leader@example.com", name="Lena Leader", is_leader=True)
    lead = MembershipFactory(
        team=team, role="lead", user__email="lead@example.com", user__name="Theo Lead"
    ).user

    errors: list[str] = []
    collect_errors(page, errors)
    collect_errors(member_page, errors)

    # 1. The leader gives the team its objective, aligned to the company key result.
    sign_in(page, live_server, leader.email)
    open_team_page(page, live_server)
    page.get_by_label("Team objective").fill(OBJECTIVE)
    page.get_by_label(re.compile("^Why")).fill("Accounts that invoice on day one stay.")
    page.get_by_label("Company key result it moves").select_option(label=COMPANY_KR)
    page.get_by_role("button", name="Define objective").click()
    expect(page).to_have_url(f"{live_server.url}{TEAM_PATH}")
    expect(page.locator("#team-objective-title")).to_have_text(OBJECTIVE)
    expect(page.locator("#team-okr .alignment")).to_contain_text(COMPANY_KR)
    expect_state(page, "Draft")
    sign_out(page, live_server)

    # 2. The team lead invites a new member from the Members page.
    sign_in(page, live_server, lead.email)
    open_team_page(page, live_server)
    page.get_by_role("link", name="Members").click()
    expect(page).to_have_url(f"{live_server.url}{TEAM_PATH}members/")
    page.get_by_label("Email address").fill(NEW_MEMBER)
    field(page, "Role").select_option(label="Member")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {NEW_MEMBER}")
    expect(page.get_by_role("listitem").filter(has_text=NEW_MEMBER)).to_contain_text("(member)")
    invitations = wait_for_emails("invites you to Onboarding")
    assert [m.to for m in invitations] == [[NEW_MEMBER]]
    link = re.search(r"https?://\S+/invitations/\S+/", invitations[0].body)
    assert link, invitations[0].body
    accept_url = link.group(0)
    assert accept_url.startswith(live_server.url)
    sign_out(page, live_server)

    # 3. The invitee follows the link in a browser of their own and joins.
    member_page.goto(accept_url)
    expect(member_page.get_by_role("heading", name="Join Onboarding")).to_be_visible()
    member_page.get_by_label("Your name").fill("Nora Newcomer")
    member_page.get_by_label("Choose a password").fill(NEW_MEMBER_PASSWORD)
    member_page.get_by_label("Password again").fill(NEW_MEMBER_PASSWORD)
    member_page.get_by_role("button", name="Join Onboarding").click()
    expect(member_page).to_have_url(f"{live_server.url}{TEAM_PATH}")
    expect(member_page.get_by_role("status")).to_contain_text("Welcome to Onboarding!")
    expect(member_page.locator("summary", has_text="Account menu for")).to_contain_text("Nora")
    expect(member_page.locator(".people")).to_contain_text("Nora Newcomer")

    # 4. The member drafts two key results inline and submits them for review.
    url_before = member_page.url
    add_key_result(
        member_page, DAY_ONE_KR, kind="Increase to", start="18", target="40", current="18", unit="%"
    )
    add_key_result(
        member_page, DAYS_KR, kind="Decrease to", start="9", target="4", current="9", unit="days"
    )
    assert member_page.url == url_before, "drafting key results must not reload the page"
    expect(member_page.locator("#team-okr .key-result__title")).to_have_text([DAY_ONE_KR, DAYS_KR])
    member_page.get_by_role("button", name="Submit for review").click()
    expect_state(member_page, "Submitted")
    expect(member_page.locator("#team-okr")).to_contain_text("Submitted for review")
    # Submitted key results are locked until the leaders challenge or commit.
    expect(
        key_result_row(member_page, DAYS_KR).get_by_role("link", name=re.compile("^Edit"))
    ).to_have_count(0)
    submitted = wait_for_emails("Onboarding submitted its key results for review")
    assert recipients(submitted) == {leader.email}
    assert DAYS_KR in submitted[0].body and f"{live_server.url}{TEAM_PATH}" in submitted[0].body
    sign_out(member_page, live_server)

    # 5. The leader challenges the ambition.
    sign_in(page, live_server, leader.email)
    open_team_page(page, live_server)
    expect_state(page, "Submitted")
    review = page.locator(".review")
    review.get_by_label("Ambition").check()
    review.get_by_label("Your challenge").fill(CHALLENGE)
    review.get_by_role("button", name="Challenge", exact=True).click()
    expect_state(page, "Challenged")
    challenges = wait_for_emails("Lena Leader challenges Onboarding's key results", count=2)
    # Everyone in the team hears of it (the leader, its author, is not in the team).
    assert recipients(challenges) == {lead.email, NEW_MEMBER}
    assert CHALLENGE in challenges[0].body

    # 6. The member sees the challenge on the team page, raises the bar and resubmits.
    sign_in(member_page, live_server, NEW_MEMBER, NEW_MEMBER_PASSWORD)
    open_team_page(member_page, live_server)
    expect_state(member_page, "Challenged")
    challenge_note = member_page.get_by_role("note")
    expect(challenge_note).to_contain_text("Lena Leader challenges ambition")
    expect(challenge_note).to_contain_text(CHALLENGE)
    expect(member_page.locator(".comment--challenge")).to_contain_text(CHALLENGE)
    # For a "decrease" key result, more ambition means a lower target: 4 days → 2.
    key_result_row(member_page, DAYS_KR).get_by_role("link", name=re.compile("^Edit")).click()
    editing = member_page.locator(".key-result--editing", has_text=f"Edit “{DAYS_KR}”")
    field(editing, "Target").fill("2")
    editing.get_by_role("button", name="Save key result").click()
    expect(key_result_row(member_page, DAYS_KR)).to_contain_text("Decrease to 2 days")
    member_page.get_by_role("button", name="Resubmit for review").click()
    expect_state(member_page, "Submitted")
    assert len(wait_for_emails("submitted its key results", count=2)) == 2

    # 7. The leader commits the revised key results.
    page.reload()
    expect_state(page, "Submitted")
    expect(key_result_row(page, DAYS_KR)).to_contain_text("Decrease to 2 days")
    page.get_by_role("button", name="Commit", exact=True).click()
    expect_state(page, "Committed")
    expect(page.locator(".review")).to_have_count(0)

    # The history tells who changed what, newest first.
    page.locator("summary", has_text="History: who changed what").click()
    history = page.locator(".history__list > li")
    expect(history).to_have_text(
        [
            re.compile(r"Lena Leader\s+committed the objective"),
            re.compile(r"Nora Newcomer\s+submitted the key results for review"),
            re.compile(rf"Nora Newcomer\s+changed a key result “{DAYS_KR}”\s+target: 4 → 2"),
            re.compile(rf"Lena Leader\s+challenged the key results on ambition\s+Why: {CHALLENGE}"),
            re.compile(r"Nora Newcomer\s+submitted the key results for review"),
            re.compile(rf"Nora Newcomer\s+added a key result “{DAYS_KR}”"),
            re.compile(rf"Nora Newcomer\s+added a key result “{DAY_ONE_KR}”"),
            re.compile(r"Lena Leader\s+defined the objective"),
        ]
    )

    objective = Objective.objects.get(team=team, cycle=company_objective.cycle)
    assert objective.state == Objective.State.COMMITTED
    assert objective.aligned_to.title == COMPANY_KR
    assert {kr.title: kr.target_value for kr in objective.key_results.all()} == {
        DAY_ONE_KR: Decimal(40),
        DAYS_KR: Decimal(2),
    }
    assert list(objective.events.values_list("verb", flat=True).order_by("created_at", "pk")) == [
        ObjectiveEvent.Verb.DEFINED,
        ObjectiveEvent.Verb.KEY_RESULT_ADDED,
        ObjectiveEvent.Verb.KEY_RESULT_ADDED,
        ObjectiveEvent.Verb.SUBMITTED,
        ObjectiveEvent.Verb.CHALLENGED,
        ObjectiveEvent.Verb.KEY_RESULT_CHANGED,
        ObjectiveEvent.Verb.SUBMITTED,
        ObjectiveEvent.Verb.COMMITTED,
    ]
    assert errors == [], f"browser errors: {errors}"
