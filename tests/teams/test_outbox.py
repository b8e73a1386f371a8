"""Every email goes through the outbox: a row per recipient written with what it is
about, sent once; writing the same event again writes nothing; a row no longer wanted
when it is sent is skipped."""

from decimal import Decimal as D

import pytest
from celery import current_app
from django.core import mail
from django.test import Client
from django.urls import reverse

from okrs import emails as okr_emails
from okrs.models import Objective
from okrs.services import workflow
from teams import services
from teams.models import EmailOutbox, Invitation, User
from teams.outbox import outbox_write
from tests.factories import (
    CommentFactory,
    KeyResultFactory,
    MembershipFactory,
    TeamObjectiveFactory,
    UserFactory,
)
from tests.fixtures.okrs import company_key_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(team, lead, member, leader):
    """Onboarding's lead and two members; two active leaders and a former one."""
    User.objects.filter(pk=lead.pk).update(email="lead@example.com")
    User.objects.filter(pk=member.pk).update(email="member@example.com")
    MembershipFactory(team=team, user__email="second@example.com")
    UserFactory(email="cto@example.com", is_leader=True)
    UserFactory(email="gone@example.com", is_leader=True, is_active=False)
    return {"lead": lead, "member": member, "leader": leader}


def _ready_to_submit(team, state=Objective.State.DRAFT):
    objective = TeamObjectiveFactory(team=team, state=state)
    KeyResultFactory(objective=objective, start_value=D(1), target_value=D(5))
    return objective


def propose(team, people):
    key_result = company_key_result()
    workflow.team_objective_propose(
        cycle=key_result.objective.cycle,
        team=team,
        title="New accounts invoice on day one",
        context="",
        aligned_to=key_result,
        actor=people["lead"],
    )


def submit(team, people):
    workflow.team_objective_submit(objective=_ready_to_submit(team), actor=people["member"])


def comment(team, people):
    objective = TeamObjectiveFactory(team=team)
    workflow.comment_add(objective=objective, author=people["member"], body="Idea: <b>x</b>")


def challenge(team, people):
    objective = _ready_to_submit(team, state=Objective.State.SUBMITTED)
    workflow.team_objective_challenge(
        objective=objective, actor=people["leader"], body="Aim higher.", aspects=["ambition"]
    )


def invite(team, people):
    services.invitation_create(
        team=team, email="New.Person@Example.com", role="member", invited_by=people["lead"]
    )


def add_existing(team, people):
    UserFactory(email="known@example.com")
    services.invitation_create(
        team=team, email="KNOWN@example.com", role="member", invited_by=people["lead"]
    )


def reset(team, people):
    Client().post(reverse("password_reset"), {"email": " Member@Example.com "})


LEADERS = ["cto@example.com", "leader@example.com"]
EVERY_EMAIL = [
    (propose, "objective_proposed", "proposal:", LEADERS),
    (submit, "objective_submitted", "submission:", LEADERS),
    (comment, "comment_posted", "comment:", ["lead@example.com", "second@example.com"]),
    (
        challenge,
        "comment_posted",
        "comment:",
        ["lead@example.com", "member@example.com", "second@example.com"],
    ),
    (invite, "invitation", "invitation:", ["new.person@example.com"]),
    (add_existing, "added_to_team", "membership:", ["known@example.com"]),
    (reset, "password_reset", "reset:", ["member@example.com"]),
]


@pytest.mark.parametrize(
    ("write", "kind", "event", "recipients"),
    EVERY_EMAIL,
    ids=[case[0].__name__ for case in EVERY_EMAIL],
)
def test_every_email_is_a_row_per_recipient_sent_once(
    write, kind, event, recipients, team, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        write(team, people)
    rows = list(EmailOutbox.objects.select_related("recipient"))
    assert sorted(row.to for row in rows) == recipients
    assert {(row.kind, row.status) for row in rows} == {(kind, "sent")}
    assert len({row.event for row in rows}) == 1 and rows[0].event.startswith(event)
    assert sorted(m.to[0] for m in mail.outbox) == recipients
    assert all(len(m.to) == 1 and m.alternatives for m in mail.outbox)

    # The same event written again (a retried task, a second writer) writes nothing.
    copies = [
        EmailOutbox(
            kind=row.kind,
            event=row.event,
            recipient_id=row.recipient_id,
            address=row.address,
            team_id=row.team_id,
        )
        for row in rows
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_write(copies) == 0
    assert EmailOutbox.objects.count() == len(recipients)
    assert len(mail.outbox) == len(recipients)


def test_a_comment_written_twice_is_one_row_per_recipient(
    team, people, django_capture_on_commit_callbacks
):
    objective = TeamObjectiveFactory(team=team)
    with django_capture_on_commit_callbacks(execute=True):
        posted = workflow.comment_add(objective=objective, author=people["lead"], body="Hi")
        assert outbox_write(okr_emails.comment_posted_rows(posted)) == 0
    assert EmailOutbox.objects.count() == 2 == len(mail.outbox)


def test_a_reset_for_an_unknown_address_writes_a_row_that_is_skipped(
    django_capture_on_commit_callbacks,
):
    UserFactory(email="lena@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("password_reset"), {"email": "nobody@example.com"})
        Client().post(reverse("password_reset"), {"email": "LENA@example.com"})
    unknown, known = EmailOutbox.objects.order_by("id")
    assert (unknown.kind, unknown.address, unknown.recipient_id) == (
        "password_reset",
        "nobody@example.com",
        None,
    )
    assert (unknown.status, unknown.last_error) == ("skipped", "no longer wanted")
    assert (known.address, known.status) == ("lena@example.com", "sent")
    [message] = mail.outbox
    assert message.to == ["lena@example.com"] and "/accounts/reset/" in message.body


def test_what_is_no_longer_wanted_when_it_is_sent_is_skipped(team, people):
    """Rows written, then the world moves on before a worker sends them."""
    objective = TeamObjectiveFactory(team=team)
    posted = workflow.comment_add(objective=objective, author=people["lead"], body="Hi")
    services.invitation_create(
        team=team, email="new@example.com", role="member", invited_by=people["lead"]
    )
    User.objects.filter(email="member@example.com").update(email_comments=False)
    User.objects.filter(email="second@example.com").update(is_active=False)
    Invitation.objects.update(accepted_at=posted.created_at)
    send = current_app.tasks["checkins.tasks.send_outbox_email"]
    results = {
        row.to: send.apply(kwargs={"outbox_id": row.pk}).get()
        for row in EmailOutbox.objects.select_related("recipient")
    }
    assert results == {
        "member@example.com": "skipped",
        "second@example.com": "skipped",
        "new@example.com": "skipped",
    }
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("okrs.tasks.send_comment_posted", lambda c: {"comment_id": c.pk}),
        ("okrs.tasks.send_objective_proposed", lambda c: {"objective_id": c.objective_id}),
    ],
)
def test_a_send_task_of_the_last_release_writes_its_rows(
    name, kwargs, team, people, django_capture_on_commit_callbacks
):
    """Queued before an upgrade, run after it: the email is not lost."""
    import okrs.tasks  # noqa: F401 - registers the tasks (a worker autodiscovers them)

    objective = TeamObjectiveFactory(team=team, state=Objective.State.PROPOSED)
    posted = CommentFactory(objective=objective, author=people["lead"])
    with django_capture_on_commit_callbacks(execute=True):
        current_app.tasks[name].apply(kwargs=kwargs(posted)).get()
    assert EmailOutbox.objects.filter(status="sent").count() == len(mail.outbox) == 2
