"""The team objective's workflow, legal and illegal transitions, and its emails."""

from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from okrs import services
from okrs.models import Comment, Cycle, Objective, ObjectiveEvent
from okrs.services import workflow
from teams.models import Membership
from tests.factories import (
    CompanyObjectiveFactory,
    KeyResultFactory,
    MembershipFactory,
    TeamObjectiveFactory,
    UserFactory,
)
from tests.fixtures.okrs import company_key_result, key_result_data

pytestmark = pytest.mark.django_db
State = Objective.State


@pytest.fixture
def company_kr():
    return company_key_result(title="Median days to first paid invoice")


@pytest.fixture
def people(team):
    return {
        "leader": UserFactory(email="leader@example.com", is_leader=True),
        "lead": MembershipFactory(team=team, role="lead", user__email="lead@example.com").user,
        "member": MembershipFactory(team=team, user__email="member@example.com").user,
    }


def kr_data(**values):
    """A team key result's data (not the company's NPS) unless told otherwise."""
    team_key_result = {
        "title": "Invoices sent on day one",
        "start_value": D(18),
        "target_value": D(30),
        "current_value": D(18),
        "unit": "%",
    }
    return key_result_data(**{**team_key_result, **values})


def define(company_kr, team, leader) -> Objective:
    return workflow.team_objective_define(
        cycle=company_kr.objective.cycle,
        team=team,
        title="New accounts invoice on day one",
        context="Setup is where we lose them.",
        aligned_to=company_kr,
        actor=leader,
    )


def test_the_whole_review_loop(company_kr, team, people, django_capture_on_commit_callbacks):
    leader, member = people["leader"], people["member"]
    objective = define(company_kr, team, leader)
    assert objective.state == State.DRAFT
    kr = services.key_result_create(objective=objective, data=kr_data(), actor=member)

    with django_capture_on_commit_callbacks(execute=True):
        objective = workflow.team_objective_submit(objective=objective, actor=member)
    assert objective.state == State.SUBMITTED
    assert [m.to for m in mail.outbox] == [["leader@example.com"]]
    assert "submitted its key results" in mail.outbox[0].subject
    assert "/teams/onboarding/" in mail.outbox[0].body

    # Under review, the key results are locked.
    with pytest.raises(ValidationError, match="with the leaders for review"):
        services.key_result_update(
            key_result=kr, data=kr_data(target_value=D(40)), expected_version=1, actor=member
        )

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        challenge = workflow.team_objective_challenge(
            objective=objective, actor=leader, body="Aim higher.", aspects=["ambition"]
        )
    assert challenge.kind == Comment.Kind.CHALLENGE
    objective.refresh_from_db()
    assert objective.state == State.CHALLENGED
    assert sorted(m.to[0] for m in mail.outbox) == ["lead@example.com", "member@example.com"]
    assert "challenges" in mail.outbox[0].subject and "Aim higher." in mail.outbox[0].body

    kr = services.key_result_update(
        key_result=kr, data=kr_data(target_value=D(50)), expected_version=1, actor=member
    )
    objective = workflow.team_objective_submit(objective=objective, actor=member)
    objective = workflow.team_objective_commit(objective=objective, actor=leader)
    assert objective.state == State.COMMITTED

    verbs = list(objective.events.order_by("created_at", "id").values_list("verb", flat=True))
    assert verbs == [
        "defined",
        "kr_added",
        "submitted",
        "challenged",
        "kr_changed",
        "submitted",
        "committed",
    ]
    change = objective.events.get(verb="kr_changed")
    assert change.actor == member
    assert change.changes == {"target_value": ["30", "50"]}


@pytest.mark.parametrize(
    ("state", "step", "message"),
    [
        (State.DRAFT, "commit", "Only submitted key results can be committed"),
        (State.DRAFT, "challenge", "Only submitted key results can be challenged"),
        (State.COMMITTED, "submit", "Only a draft or a challenged objective can be submitted"),
        (State.CHALLENGED, "commit", "Only submitted key results can be committed"),
        (State.SUBMITTED, "submit", "Only a draft or a challenged objective can be submitted"),
        (State.DRAFT, "accept", "Only a proposed objective can be accepted"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(people, state, step, message):
    objective = TeamObjectiveFactory(state=state)
    KeyResultFactory(objective=objective)
    leader = people["leader"]
    steps = {
        "commit": lambda: workflow.team_objective_commit(objective=objective, actor=leader),
        "challenge": lambda: workflow.team_objective_challenge(
            objective=objective, actor=leader, body="More", aspects=["ambition"]
        ),
        "submit": lambda: workflow.team_objective_submit(objective=objective, actor=leader),
        "accept": lambda: workflow.team_objective_accept(
            objective=objective,
            title="x",
            context="",
            aligned_to=objective.aligned_to,
            actor=leader,
        ),
    }
    with pytest.raises(ValidationError, match=message):
        steps[step]()
    objective.refresh_from_db()
    assert objective.state == state
    assert not objective.events.exists()


def test_submitting_needs_a_key_result(people):
    objective = TeamObjectiveFactory()
    with pytest.raises(ValidationError, match="at least one key result"):
        workflow.team_objective_submit(objective=objective, actor=people["member"])


def test_a_challenge_says_what_and_why(people):
    objective = TeamObjectiveFactory(state=State.SUBMITTED)
    with pytest.raises(ValidationError) as error:
        workflow.team_objective_challenge(
            objective=objective, actor=people["leader"], body=" ", aspects=["taste"]
        )
    assert set(error.value.message_dict) == {"body", "aspects"}
    objective.refresh_from_db()
    assert objective.state == State.SUBMITTED


def test_one_objective_per_team_and_cycle_with_a_clear_message(company_kr, team, people):
    define(company_kr, team, people["leader"])
    with pytest.raises(ValidationError, match="Onboarding already has an objective"):
        define(company_kr, team, people["leader"])
    assert Objective.objects.filter(team=team).count() == 1


def test_alignment_must_be_a_company_key_result_of_the_cycle(team, people):
    other_cycle_kr = KeyResultFactory()  # a company key result of a planning cycle
    active = CompanyObjectiveFactory(cycle__status=Cycle.Status.ACTIVE)
    with pytest.raises(ValidationError, match="this cycle's company objective"):
        workflow.team_objective_define(
            cycle=active.cycle,
            team=team,
            title="Misaligned",
            context="",
            aligned_to=other_cycle_kr,
            actor=people["leader"],
        )


def test_a_proposal_is_accepted_reworded_or_declined(
    company_kr, team, people, payments, django_capture_on_commit_callbacks
):
    cycle = company_kr.objective.cycle
    with django_capture_on_commit_callbacks(execute=True):
        proposal = workflow.team_objective_propose(
            cycle=cycle,
            team=team,
            title="Build a setup wizard",
            context="",
            aligned_to=company_kr,
            actor=people["lead"],
        )
    assert proposal.state == State.PROPOSED
    assert [m.to for m in mail.outbox] == [["leader@example.com"]]
    with pytest.raises(ValidationError, match="accepts the proposed objective"):
        services.key_result_create(objective=proposal, data=kr_data(), actor=people["lead"])

    accepted = workflow.team_objective_accept(
        objective=proposal,
        title="New accounts invoice on day one",  # an outcome, not the solution
        context="Reworded by leadership.",
        aligned_to=company_kr,
        actor=people["leader"],
    )
    assert (accepted.state, accepted.title) == (State.DRAFT, "New accounts invoice on day one")

    other = payments
    declined = workflow.team_objective_propose(
        cycle=cycle,
        team=other,
        title="Ship X",
        context="",
        aligned_to=company_kr,
        actor=people["lead"],
    )
    with pytest.raises(ValidationError):
        workflow.team_objective_decline(objective=declined, actor=people["leader"], reason="")
    workflow.team_objective_decline(objective=declined, actor=people["leader"], reason="Output")
    declined.refresh_from_db()
    assert declined.state == State.ARCHIVED
    # The team may propose again.
    workflow.team_objective_propose(
        cycle=cycle,
        team=other,
        title="Customers pay on time",
        context="",
        aligned_to=company_kr,
        actor=people["lead"],
    )


def test_after_commit_changing_a_target_or_the_list_needs_a_reason(people):
    objective = TeamObjectiveFactory(state=State.COMMITTED)
    kr = KeyResultFactory(objective=objective, start_value=D(0), target_value=D(10))
    member = people["member"]
    data = kr_data(title=kr.title, start_value=D(0), target_value=D(20), unit=kr.unit)
    with pytest.raises(ValidationError) as error:
        services.key_result_update(key_result=kr, data=data, expected_version=1, actor=member)
    assert "say why" in error.value.message_dict["reason"][0]
    kr.refresh_from_db()
    assert kr.target_value == D(10)

    # The current value alone may move without a reason.
    services.key_result_update(
        key_result=kr,
        data=kr_data(
            title=kr.title, start_value=D(0), target_value=D(10), current_value=D(4), unit=kr.unit
        ),
        expected_version=1,
        actor=member,
    )
    services.key_result_update(
        key_result=kr, data=data, expected_version=2, actor=member, reason="Pilot went well"
    )
    event = objective.events.get(verb=ObjectiveEvent.Verb.KEY_RESULT_CHANGED, reason__gt="")
    assert event.reason == "Pilot went well"
    assert event.changes["target_value"] == ["10", "20"]

    with pytest.raises(ValidationError):
        services.key_result_create(objective=objective, data=kr_data(), actor=member)
    with pytest.raises(ValidationError):
        services.key_result_delete(key_result=kr, actor=member)
    services.key_result_delete(key_result=kr, actor=member, reason="Not measurable after all")
    assert objective.events.filter(verb="kr_removed", reason="Not measurable after all").exists()


def test_a_company_key_result_that_teams_move_cannot_be_removed(company_kr):
    aligned = TeamObjectiveFactory(cycle=company_kr.objective.cycle, aligned_to=company_kr)
    with pytest.raises(ValidationError, match="work towards this key result"):
        services.key_result_delete(key_result=company_kr)
    aligned.state = State.ARCHIVED
    aligned.save()
    services.key_result_delete(key_result=company_kr)
    aligned.refresh_from_db()
    assert aligned.aligned_to is None


def test_comments_email_the_team_but_not_the_author(people, django_capture_on_commit_callbacks):
    objective = TeamObjectiveFactory(team=Membership.objects.first().team)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.comment_add(objective=objective, author=people["member"], body="Idea: <b>x</b>")
    assert [m.to for m in mail.outbox] == [["lead@example.com"]]
    assert "Idea: <b>x</b>" in mail.outbox[0].body  # plain text is not HTML-escaped
    html = mail.outbox[0].alternatives[0][0]
    assert "&lt;b&gt;x&lt;/b&gt;" in html
