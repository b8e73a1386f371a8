"""The emails of a team's first weeks that were missing: a leader defines or commits the
team's objective, a team is asked for help, a request is answered. Each goes through the
outbox to the people who have to act, with the team-news preference honoured."""

import pytest
from django.core import mail

from checkins import services as checkin_services
from okrs.services import workflow
from teams.models import EmailOutbox, Membership, User
from tests.factories import CompanyObjectiveFactory, KeyResultFactory, MembershipFactory
from tests.fixtures.okrs import cycle_around

pytestmark = pytest.mark.django_db(transaction=True)  # the send tasks run on commit


@pytest.fixture
def company_kr(today):
    cycle = cycle_around(today, before=10, after=80)
    return KeyResultFactory(objective=CompanyObjectiveFactory(cycle=cycle), title="NPS")


def _to(kind: str) -> list[str]:
    return sorted(
        EmailOutbox.objects.filter(kind=kind, status="sent").values_list(
            "recipient__email", flat=True
        )
    )


def test_a_defined_and_then_committed_objective_is_news_for_the_team(
    company_kr, team, lead, member, leader
):
    quiet = MembershipFactory(team=team, user__email_comments=False).user
    objective = workflow.team_objective_define(
        cycle=company_kr.objective.cycle,
        team=team,
        title="Invoices on day one",
        context="",
        aligned_to=company_kr,
        actor=leader,
    )
    assert _to("objective_defined") == sorted([lead.email, member.email])
    assert quiet.email not in _to("objective_defined")
    defined = [m for m in mail.outbox if "has its objective" in m.subject]
    assert len(defined) == 2 and "Invoices on day one" in defined[0].body
    KeyResultFactory(objective=objective, title="Day-one invoices")
    workflow.team_objective_submit(objective=objective, actor=lead)
    objective.refresh_from_db()
    workflow.team_objective_commit(objective=objective, actor=leader)
    assert _to("objective_committed") == sorted([lead.email, member.email])
    committed = [m for m in mail.outbox if "are committed" in m.subject]
    assert "Day-one invoices" in committed[0].body


def test_a_help_request_reaches_the_team_asked_and_its_answer_the_team_that_asked(
    team, member, payments, stranger
):
    obstacle = checkin_services.obstacle_add(
        team=team, description="We need the refund API", help_team=payments, author=member
    )
    assert _to("help_requested") == [stranger.email]
    asked = next(m for m in mail.outbox if m.to == [stranger.email])
    assert "Onboarding asks Payments for help" in asked.subject
    assert "/teams/payments/" in asked.body and "We need the refund API" in asked.body
    checkin_services.obstacle_answer(obstacle=obstacle, answer="It ships Friday", author=stranger)
    assert _to("help_answered") == [member.email]
    answered = next(m for m in mail.outbox if "answered" in m.subject)
    assert "It ships Friday" in answered.body and "/teams/onboarding/" in answered.body


def test_an_obstacle_that_asks_nobody_sends_nothing(team, member):
    checkin_services.obstacle_add(team=team, description="Slow CI", help_team=None, author=member)
    assert not EmailOutbox.objects.exists() and mail.outbox == []


def test_someone_who_left_the_team_gets_no_team_news(company_kr, team, lead, member, leader):
    Membership.objects.filter(user=member).delete()
    User.objects.filter(pk=lead.pk).update(email_comments=False)
    workflow.team_objective_define(
        cycle=company_kr.objective.cycle,
        team=team,
        title="Invoices on day one",
        context="",
        aligned_to=company_kr,
        actor=leader,
    )
    assert mail.outbox == []
