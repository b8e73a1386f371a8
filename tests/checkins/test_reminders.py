"""Schedules in time zones, the reminder tick, preferences, unsubscribe and the emails."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from checkins import emails, reminders
from okrs.models import Cycle, Objective
from teams.models import EmailOutbox, Team, User
from teams.outbox import backoff, outbox_rescue_expired_claims, send_outbox_email
from teams.schedule import local_moment, next_weekly
from tests.factories import (
    CheckInFactory,
    CycleFactory,
    EmailOutboxFactory,
    MembershipFactory,
    TeamFactory,
    UserFactory,
)
from tests.fixtures.okrs import committed_objective
from tests.helpers import role_of

# Schedules in time zones and across DST, and ticks at given moments beside the wall clock
# (which a first schedule and the claims follow).
pytestmark = pytest.mark.dates


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- schedules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "after", "expected"),
    [
        # Europe/Amsterdam: CEST (UTC+2) until 25 Oct 2026, then CET (UTC+1).
        ("Europe/Amsterdam", utc(2026, 10, 19, 9), utc(2026, 10, 26, 9)),
        ("Europe/Amsterdam", utc(2026, 10, 12, 7, 59), utc(2026, 10, 12, 8)),
        # ... and back to CEST on 28 Mar 2027.
        ("Europe/Amsterdam", utc(2027, 3, 23), utc(2027, 3, 29, 8)),
        # America/New_York: EDT (UTC-4) until 1 Nov 2026, then EST (UTC-5).
        ("America/New_York", utc(2026, 10, 27), utc(2026, 11, 2, 15)),
        ("America/New_York", utc(2026, 10, 20), utc(2026, 10, 26, 14)),
        ("America/New_York", utc(2027, 3, 10), utc(2027, 3, 15, 14)),
        # Asia/Kolkata: UTC+5:30 all year; Monday 10:00 local is Monday 04:30 UTC.
        ("Asia/Kolkata", utc(2026, 11, 23, 4, 30), utc(2026, 11, 30, 4, 30)),
        ("Asia/Kolkata", utc(2026, 11, 22, 23), utc(2026, 11, 23, 4, 30)),
        # Pacific/Auckland is ahead of UTC: Monday 10:00 there is Sunday 21:00 UTC.
        ("Pacific/Auckland", utc(2026, 11, 20), utc(2026, 11, 22, 21)),
    ],
)
def test_monday_ten_oclock_in_time_zones_on_both_sides_of_utc(tz, after, expected):
    assert next_weekly(weekday=0, at=time(10, 0), tz=tz, after=after) == expected


def test_times_skipped_or_repeated_by_dst():
    from zoneinfo import ZoneInfo

    amsterdam = ZoneInfo("Europe/Amsterdam")
    # 02:30 does not exist on 28 Mar 2027 in Amsterdam: it becomes 03:30 CEST.
    assert local_moment(date(2027, 3, 28), time(2, 30), amsterdam) == utc(2027, 3, 28, 1, 30)
    # 02:30 happens twice on 25 Oct 2026: the first one (CEST) counts.
    assert local_moment(date(2026, 10, 25), time(2, 30), amsterdam) == utc(2026, 10, 25, 0, 30)


def test_retry_backoff_stays_below_the_visibility_timeout(settings):
    settings.CELERY_VISIBILITY_TIMEOUT = 600
    settings.REMINDER_RETRY_MAX_DELAY = 10_000
    delays = [backoff(n) for n in range(12) for _ in range(20)]
    assert max(delays) <= 300 and min(delays) >= 0
    assert len(set(delays)) > 10  # jitter


# --- the tick -----------------------------------------------------------------------------

MONDAY_TEN_AMSTERDAM = utc(2026, 11, 30, 9)  # Monday 30 Nov 2026, 10:00 CET


@pytest.fixture
def rhythm(db):
    """Onboarding checks in on Mondays at 10:00 in Amsterdam; its objective is committed."""
    cycle = CycleFactory(
        status=Cycle.Status.ACTIVE, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31)
    )
    team = TeamFactory(name="Onboarding", slug="onboarding", time_zone="Europe/Amsterdam")
    objective = committed_objective(
        cycle,
        team,
        {
            "title": "Day-one invoicing",
            "current_value": D(27),
            "target_value": D(50),
            "confidence": 6,
        },
        title="New accounts invoice on day one",
    )
    lead = MembershipFactory(team=team, role="lead", user__email="lead@example.com").user
    member = MembershipFactory(team=team, user__email="member@example.com").user
    leader = UserFactory(email="leader@example.com", is_leader=True, time_zone="America/New_York")
    reminders.dispatch_reminders(now=utc(2026, 11, 29, 12))  # schedules the team
    return {"team": team, "lead": lead, "member": member, "leader": leader, "objective": objective}


def kinds():
    return sorted(EmailOutbox.objects.values_list("kind", "recipient__email"))


def tick_on_time(now: datetime):
    """A tick at `now` with the wall clock at `now` too, as beat runs it: the send tasks
    (eager, as the tick commits) write the emails at that moment."""
    with time_machine.travel(now, tick=False):
        return reminders.dispatch_reminders(now=now)


@pytest.mark.django_db(transaction=True)  # the send tasks run when the tick commits
def test_reminders_at_the_check_in_time_once(rhythm, settings):
    team = Team.objects.get(pk=rhythm["team"].pk)
    assert team.next_reminder_at == MONDAY_TEN_AMSTERDAM
    reminders.dispatch_reminders(now=MONDAY_TEN_AMSTERDAM - timedelta(minutes=1))
    assert kinds() == []
    reminders.dispatch_reminders(now=MONDAY_TEN_AMSTERDAM + timedelta(minutes=3))
    assert kinds() == [("reminder", "lead@example.com"), ("reminder", "member@example.com")]
    assert sorted(m.to[0] for m in mail.outbox) == ["lead@example.com", "member@example.com"]
    assert set(EmailOutbox.objects.values_list("status", flat=True)) == {"sent"}
    assert EmailOutbox.objects.get(recipient__email="lead@example.com").period == date(2026, 11, 30)
    # A second tick (or a second beat) writes and sends nothing.
    reminders.dispatch_reminders(now=MONDAY_TEN_AMSTERDAM + timedelta(minutes=4))
    assert EmailOutbox.objects.count() == 2 and len(mail.outbox) == 2
    team.refresh_from_db()
    assert team.next_reminder_at == MONDAY_TEN_AMSTERDAM + timedelta(weeks=1)


@pytest.mark.django_db(transaction=True)
def test_the_lead_is_nudged_a_day_later_only_when_the_check_in_is_missing(rhythm):
    reminders.dispatch_reminders(now=MONDAY_TEN_AMSTERDAM)
    mail.outbox.clear()
    reminders.dispatch_reminders(now=MONDAY_TEN_AMSTERDAM + timedelta(hours=23))
    assert not EmailOutbox.objects.filter(kind="nudge").exists()
    reminders.dispatch_reminders(now=MONDAY_TEN_AMSTERDAM + timedelta(hours=24, minutes=2))
    nudge = EmailOutbox.objects.get(kind="nudge")
    assert nudge.recipient == rhythm["lead"]
    nudges = [m for m in mail.outbox if "still open" in m.subject]
    assert [m.to for m in nudges] == [["lead@example.com"]]

    # Next week the team checks in on time: no nudge.
    next_monday = MONDAY_TEN_AMSTERDAM + timedelta(weeks=1)
    reminders.dispatch_reminders(now=next_monday)
    CheckInFactory(
        team=rhythm["team"],
        objective=rhythm["objective"],
        week_start=date(2026, 12, 7),
        state="submitted",
    )
    reminders.dispatch_reminders(now=next_monday + timedelta(hours=25))
    assert EmailOutbox.objects.filter(kind="nudge").count() == 1


@pytest.mark.django_db(transaction=True)
def test_leaders_get_the_digest_on_monday_morning_in_their_own_time_zone(rhythm):
    from tests.factories import CompanyObjectiveFactory

    CompanyObjectiveFactory  # noqa: B018 - the factory above already made the company OKR
    amsterdam = UserFactory(email="cto@example.com", is_leader=True, time_zone="Europe/Amsterdam")
    # The ticks run with the wall clock at their moment: the digest's send task reads it to
    # tell who missed last week's check-in (before Tuesday 24 November none had).
    tick_on_time(utc(2026, 11, 29, 12))
    # 08:00 Monday in Amsterdam is 07:00 UTC; in New York 13:00 UTC.
    tick_on_time(utc(2026, 11, 30, 7, 1))
    assert list(
        EmailOutbox.objects.filter(kind="digest").values_list("recipient__email", flat=True)
    ) == ["cto@example.com"]
    tick_on_time(utc(2026, 11, 30, 13, 1))
    assert EmailOutbox.objects.filter(kind="digest").count() == 2
    digest = next(m for m in mail.outbox if m.to == [amsterdam.email])
    assert "digest" in digest.subject
    assert "Did not check in: Onboarding" in digest.body


@pytest.mark.django_db(transaction=True)
def test_preferences_and_unsubscribe_are_honoured(rhythm):
    User.objects.filter(pk=rhythm["member"].pk).update(email_reminders=False)
    reminders.dispatch_reminders(now=MONDAY_TEN_AMSTERDAM)
    assert [m.to for m in mail.outbox] == [["lead@example.com"]]
    message = mail.outbox[0]
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body
    path = link.removeprefix("http://testserver").split("://", 1)[-1]
    path = path[path.index("/") :]
    client = Client()
    page = client.get(path)
    assert "Stop check-in reminders?" in page.content.decode()
    lead = User.objects.get(pk=rhythm["lead"].pk)
    assert lead.email_reminders  # a GET (a link scanner) changes nothing
    # One-click: the mail client POSTs without a CSRF token.
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    lead.refresh_from_db()
    assert not lead.email_reminders
    assert lead.email_nudges  # only that kind
    assert Client().get(path[:-3] + "xx/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_reminder_email_text_and_html_with_absolute_links(rhythm, settings):
    settings.SITE_URL = "https://okrs.example.com"
    reminders.dispatch_reminders(now=MONDAY_TEN_AMSTERDAM)
    message = next(m for m in mail.outbox if m.to == ["member@example.com"])
    url = "https://okrs.example.com/teams/onboarding/checkins/2026-W49/"
    assert url in message.body
    html = message.alternatives[0][0]
    assert f'href="{url}"' in html
    assert "Day-one invoicing: now 27 %, target 50, confidence 6/10" in message.body
    assert 'href="https://okrs.example.com/unsubscribe/' in html
    assert message.subject == "Check-in time for Onboarding (2026-W49)"


@pytest.mark.django_db(transaction=True)
def test_a_team_without_a_committed_objective_gets_no_reminder(rhythm):
    Objective.objects.filter(pk=rhythm["objective"].pk).update(state=Objective.State.SUBMITTED)
    reminders.dispatch_reminders(now=MONDAY_TEN_AMSTERDAM)
    assert not EmailOutbox.objects.exists()
    team = Team.objects.get(pk=rhythm["team"].pk)
    assert team.next_reminder_at == MONDAY_TEN_AMSTERDAM + timedelta(weeks=1)


@pytest.mark.django_db(transaction=True)
def test_a_late_tick_skips_stale_reminders_but_keeps_the_schedule(rhythm):
    reminders.dispatch_reminders(now=MONDAY_TEN_AMSTERDAM + timedelta(days=2))
    assert not EmailOutbox.objects.filter(kind="reminder").exists()
    team = Team.objects.get(pk=rhythm["team"].pk)
    assert team.next_reminder_at == MONDAY_TEN_AMSTERDAM + timedelta(weeks=1)


@pytest.mark.django_db
def test_a_row_is_sent_by_whoever_claims_it(rhythm, django_capture_on_commit_callbacks):
    row = EmailOutboxFactory(
        kind="reminder", recipient=rhythm["member"], team=rhythm["team"], period=date(2026, 11, 30)
    )
    assert send_outbox_email.apply(kwargs={"outbox_id": row.pk}).get() == "sent"
    assert send_outbox_email.apply(kwargs={"outbox_id": row.pk}).get() == "not mine"
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)


@pytest.mark.django_db
def test_expired_claims_are_rescued(rhythm, settings):
    settings.REMINDER_CLAIM_TIMEOUT = 60
    now = MONDAY_TEN_AMSTERDAM
    stuck = EmailOutboxFactory(
        kind="reminder",
        recipient=rhythm["member"],
        team=rhythm["team"],
        period=date(2026, 11, 30),
        status="sending",
        claimed_at=now - timedelta(minutes=5),
    )
    fresh = EmailOutboxFactory(
        kind="reminder",
        recipient=rhythm["lead"],
        team=rhythm["team"],
        period=date(2026, 11, 30),
        status="sending",
        claimed_at=now - timedelta(seconds=5),
    )
    assert outbox_rescue_expired_claims(now) == 1
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert (stuck.status, fresh.status) == ("pending", "sending")


@pytest.mark.django_db
def test_people_set_their_preferences_and_leads_their_schedule(client_for, lead, team):
    client = client_for(lead)
    response = client.post(
        reverse("teams:settings"),
        {
            "name": "Luis",
            "time_zone": "Asia/Kolkata",
            "email_reminders": "on",
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.time_zone, lead.email_reminders, lead.email_nudges) == (
        "Asia/Kolkata",
        True,
        False,
    )
    response = client.post(
        reverse("teams:schedule", args=[team.slug]),
        {
            "checkin_weekday": "2",
            "checkin_time": "09:30",
            "time_zone": "America/New_York",
        },
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.checkin_weekday, team.checkin_time, team.time_zone) == (
        2,
        time(9, 30),
        "America/New_York",
    )
    assert (
        team.next_reminder_at.astimezone(
            __import__("zoneinfo").ZoneInfo("America/New_York")
        ).strftime("%a %H:%M")
        == "Wed 09:30"
    )
    bad = client.post(reverse("teams:settings"), {"name": "Luis", "time_zone": "Mars/Base"})
    assert bad.status_code == 422
    lead.refresh_from_db()
    assert lead.time_zone == "Asia/Kolkata"


@pytest.mark.django_db
@pytest.mark.parametrize("role_client", ["anonymous", "outsider", "member"], indirect=True)
def test_only_leads_and_leaders_change_the_schedule(role_client, request, team):
    role = role_of(request)
    response = role_client.post(
        reverse("teams:schedule", args=[team.slug]),
        {
            "checkin_weekday": "4",
            "checkin_time": "16:00",
            "time_zone": "UTC",
        },
    )
    assert response.status_code == (302 if role == "anonymous" else 403)
    team.refresh_from_db()
    assert team.checkin_weekday == 0


def test_unsubscribe_tokens_name_a_person_and_a_kind(db):
    user = UserFactory()
    token = emails.unsubscribe_token(user, "digest")
    assert emails.read_unsubscribe_token(token) == (user, "digest")
    from django.core import signing

    with pytest.raises(signing.BadSignature):
        emails.read_unsubscribe_token(token + "x")


@pytest.mark.django_db
def test_comment_emails_honour_the_preference(rhythm, django_capture_on_commit_callbacks):
    from okrs.services import workflow

    User.objects.filter(pk=rhythm["member"].pk).update(email_comments=False)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.comment_add(objective=rhythm["objective"], author=rhythm["leader"], body="Hi")
    assert [m.to for m in mail.outbox] == [["lead@example.com"]]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("wall_clock", "due_reminders"),
    [
        # On a Friday the next Monday 08:00 in New York (the leader's digest) is a few
        # hours after the team's next check-in time (Monday 10:00 in Amsterdam).
        (utc(2026, 11, 27, 12), 2),
        # On a Monday between the two, the team's next check-in is a week away.
        (utc(2026, 11, 30, 10), 0),
    ],
)
def test_a_tick_pretending_to_be_later_finds_new_teams_due(rhythm, wall_clock, due_reminders):
    """A demo runs `dispatch_reminders --now <next check-in time>` on fresh data."""
    Team.objects.update(next_reminder_at=None)
    User.objects.update(next_digest_at=None)
    with time_machine.travel(wall_clock, tick=True):
        digest_due = next_weekly(
            weekday=0, at=time(8, 0), tz="America/New_York", after=timezone.now()
        )
        assert digest_due == utc(2026, 11, 30, 13)
        result = reminders.dispatch_reminders(now=digest_due + timedelta(minutes=5))
    assert result.reminders == due_reminders
    assert result.digests == 1


@pytest.mark.django_db(transaction=True)
def test_the_unsubscribe_header_survives_smtp_serialisation(rhythm, settings):
    import email.policy

    settings.SITE_URL = "https://okrs.example.com"
    reminders.dispatch_reminders(now=MONDAY_TEN_AMSTERDAM)
    raw = mail.outbox[0].message(policy=email.policy.SMTP).as_bytes().decode()
    header = next(line for line in raw.splitlines() if line.startswith("List-Unsubscribe:"))
    assert header.startswith("List-Unsubscribe: <https://okrs.example.com/unsubscribe/")
    assert header.endswith("/>")


@pytest.mark.django_db(transaction=True)
def test_a_team_that_already_checked_in_gets_no_reminder_of_that_week(rhythm):
    """Onboarding submitted its check-in on Friday, before Monday's check-in time (the
    same ISO week when its time is later in the week): no 'Check-in time' for that week."""
    team = Team.objects.get(pk=rhythm["team"].pk)
    CheckInFactory(
        team=team, objective=rhythm["objective"], week_start=date(2026, 11, 30), state="submitted"
    )
    reminders.dispatch_reminders(now=MONDAY_TEN_AMSTERDAM + timedelta(minutes=3))
    assert not EmailOutbox.objects.filter(kind="reminder").exists() and mail.outbox == []
    team.refresh_from_db()
    assert team.next_reminder_at == MONDAY_TEN_AMSTERDAM + timedelta(weeks=1)  # next week's


@pytest.mark.django_db(transaction=True)
def test_a_reminder_written_before_the_check_in_was_submitted_is_not_sent(
    rhythm, django_capture_on_commit_callbacks
):
    from teams.outbox import outbox_message

    reminders.dispatch_reminders(now=MONDAY_TEN_AMSTERDAM + timedelta(minutes=3))
    row = EmailOutbox.objects.filter(kind="reminder").first()
    assert outbox_message(row) is not None
    CheckInFactory(
        team=rhythm["team"],
        objective=rhythm["objective"],
        week_start=date(2026, 11, 30),
        state="submitted",
    )
    assert outbox_message(row) is None  # submitted meanwhile: no longer wanted


@pytest.mark.django_db(transaction=True)
def test_the_digest_does_not_count_a_week_before_the_team_committed_as_missed(rhythm):
    """One definition of "due" with the cycle overview: Payments committed on Tuesday
    1 December, after its Monday check-in time, so that week was not due for it."""
    from tests.factories import CompanyObjectiveFactory, ObjectiveEventFactory, TeamFactory

    CompanyObjectiveFactory  # noqa: B018 - the rhythm's cycle has its company OKR
    payments = TeamFactory(name="Payments", slug="payments", time_zone="Europe/Amsterdam")
    late = committed_objective(
        rhythm["objective"].cycle, payments, {"title": "Refunds in a day"}, title="Fast refunds"
    )
    with time_machine.travel(utc(2026, 11, 2, 9), tick=False):  # created_at is auto_now_add
        ObjectiveEventFactory(objective=rhythm["objective"], verb="committed")
    with time_machine.travel(utc(2026, 12, 1, 9), tick=False):
        ObjectiveEventFactory(objective=late, verb="committed")
    amsterdam = UserFactory(email="cto@example.com", is_leader=True, time_zone="Europe/Amsterdam")
    with time_machine.travel(utc(2026, 12, 7, 7, 1), tick=False):
        reminders.dispatch_reminders(now=utc(2026, 12, 6, 12))
        reminders.dispatch_reminders(now=utc(2026, 12, 7, 7, 1))
    digest = next(m for m in mail.outbox if m.to == [amsterdam.email])
    assert "Did not check in: Onboarding\n" in digest.body, digest.body  # Payments: not due


@pytest.mark.django_db(transaction=True)
def test_the_digest_lists_the_same_teams_whenever_it_is_sent(rhythm):
    """Its 'Did not check in' follows the digest's own Monday morning, not the clock of
    the send (a retry a week later, or a tick run with --now before the week's end)."""
    from teams.outbox import outbox_message
    from tests.factories import CompanyObjectiveFactory

    CompanyObjectiveFactory  # noqa: B018 - the rhythm's cycle has its company OKR
    UserFactory(email="cto@example.com", is_leader=True, time_zone="Europe/Amsterdam")
    with time_machine.travel(utc(2026, 11, 30, 7, 1), tick=False):
        reminders.dispatch_reminders(now=utc(2026, 11, 29, 12))
        reminders.dispatch_reminders(now=utc(2026, 11, 30, 7, 1))
    row = EmailOutbox.objects.get(kind="digest", recipient__email="cto@example.com")
    bodies = []
    for wall_clock in (utc(2026, 11, 20, 12), utc(2026, 12, 14, 12)):
        with time_machine.travel(wall_clock, tick=False):
            bodies.append(outbox_message(row).body)
    assert all("Did not check in: Onboarding\n" in body for body in bodies), bodies
