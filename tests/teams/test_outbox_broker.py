"""A broker outage only delays an email: comments and an invitation made while Redis is
down reach a real SMTP server once it is back and a tick has run, each exactly once."""

import pytest
from django.urls import reverse
from django.utils import timezone

from checkins.reminders import dispatch_reminders
from teams.models import EmailOutbox, Membership
from tests.factories import MembershipFactory, TeamFactory, TeamObjectiveFactory
from tests.fixtures.broker import broker_at, not_eager, start_worker, stop, wait_for
from tests.fixtures.checkins import child_env


@pytest.mark.slow  # a Redis server and a Celery worker in processes of their own
@pytest.mark.django_db(transaction=True)
def test_emails_written_while_the_broker_is_down_go_out_once_it_is_back(
    smtp_server, private_redis, client_for, caplog
):
    team = TeamFactory(name="Onboarding", slug="onboarding")
    people = [
        MembershipFactory(team=team, role=Membership.Role.LEAD, user__email="lead@example.com")
    ] + [MembershipFactory(team=team, user__email=f"m{n}@example.com") for n in range(3)]
    people = [membership.user for membership in people]
    objective = TeamObjectiveFactory(team=team)
    expected = []

    with not_eager(), broker_at(private_redis.url):
        # Redis is down: every page still answers as if all went well.
        for author in people:
            for n in range(3):
                response = client_for(author).post(
                    reverse("okrs:comment-create", args=[objective.pk]),
                    {"comment-body": f"Comment {n} while the broker is down"},
                )
                assert response.status_code == 302
                expected += [p.email for p in people if p != author]
        response = client_for(people[0]).post(
            reverse("teams:members", args=[team.slug]),
            {"email": "new@example.com", "role": "member"},
            follow=True,
        )
        assert "Invitation sent to new@example.com" in response.content.decode()
        expected.append("new@example.com")
        assert any("Could not enqueue" in r.getMessage() for r in caplog.records)
        # Nothing is lost, only waiting; a tick now says it could not enqueue anything.
        waiting = EmailOutbox.objects.filter(status="pending", enqueued_at__isnull=True)
        assert waiting.count() == len(expected) == 37
        assert dispatch_reminders(now=timezone.now()).enqueued == 0

        # Redis comes back: the next tick publishes them all, a worker sends them.
        private_redis.start()
        assert dispatch_reminders(now=timezone.now()).enqueued == len(expected)
        worker = start_worker(
            child_env(
                EMAIL_URL=smtp_server.url,
                CELERY_TASK_ALWAYS_EAGER="false",
                REDIS_URL=private_redis.url,
            )
        )
        try:
            assert wait_for(
                lambda: EmailOutbox.objects.filter(status="sent").count() == len(expected),
                timeout=60,
            ), list(EmailOutbox.objects.values_list("kind", "status", "last_error"))
            # Later ticks find nothing more to send.
            assert dispatch_reminders(now=timezone.now()).enqueued == 0
        finally:
            stop(worker)
    assert sorted(smtp_server.handler.recipients()) == sorted(expected)
    invitations = [r for r, subject in smtp_server.handler.received if "invites you" in subject]
    assert invitations == ["new@example.com"]
