"""The weekly rhythm by email: the reminder tick.

The tick (Celery beat every five minutes, or `manage.py dispatch_reminders`) finds what
is due, writes outbox rows (unique, so a second tick or a second beat writes nothing),
and publishes one send task per row once its transaction has committed (`teams.outbox`:
a send task claims its row with a conditional update; whoever changes the row's status
sends). It also looks after every email in the outbox, not only its own: rows whose claim
expired (a worker died) and rows whose task never arrived (the broker was down) are
published again; it counts only the tasks the broker took.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from checkins.models import CheckIn
from okrs.models import Cycle, Objective
from okrs.weeks import week_start
from teams import outbox
from teams.models import EmailOutbox, Membership, Team, User
from teams.schedule import local_date, next_digest, team_next_reminder

logger = logging.getLogger(__name__)

BATCH = 500
NUDGE_AFTER = timedelta(hours=24)
# A reminder found more than this late (the tick did not run for a long while) is no
# longer worth sending; the schedule moves on.
REMINDER_GRACE = timedelta(hours=12)
DIGEST_GRACE = timedelta(hours=24)


@dataclass
class TickResult:
    # Emails found due (a second tick at the same moment finds them again; the outbox's
    # unique rows make sure each is written and sent once).
    reminders: int = 0
    nudges: int = 0
    digests: int = 0
    rescued: int = 0
    enqueued: int = 0


def _teams_with_committed_objective(team_ids: list[int]) -> set[int]:
    return set(
        Objective.objects.filter(
            team_id__in=team_ids,
            level=Objective.Level.TEAM,
            state=Objective.State.COMMITTED,
            cycle__status=Cycle.Status.ACTIVE,
        ).values_list("team_id", flat=True)
    )


def _insert(rows: list[EmailOutbox]) -> int:
    """Write outbox rows; the unique constraints drop those another tick wrote first.
    Returns how many rows were due (written now or already there)."""
    EmailOutbox.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BATCH)
    return len(rows)


def _schedule_new_teams(now: datetime) -> None:
    for team in Team.objects.filter(next_reminder_at__isnull=True).only(
        "pk", "checkin_weekday", "checkin_time", "time_zone"
    ):
        Team.objects.filter(pk=team.pk, next_reminder_at__isnull=True).update(
            next_reminder_at=team_next_reminder(team, after=now)
        )


def _save_schedules(teams: list[Team]) -> None:
    """One UPDATE per distinct schedule: teams due at the same moment mostly share their
    next one (Django's bulk_update writes a CASE per row and field, which took most of a
    10,000-team tick)."""
    by_schedule: dict[tuple, list[int]] = {}
    for team in teams:
        key = (team.next_reminder_at, team.next_nudge_at, team.nudge_week)
        by_schedule.setdefault(key, []).append(team.pk)
    for (reminder_at, nudge_at, nudge_week), ids in by_schedule.items():
        Team.objects.filter(pk__in=ids).update(
            next_reminder_at=reminder_at, next_nudge_at=nudge_at, nudge_week=nudge_week
        )


def _due_reminders(now: datetime) -> int:
    """Teams whose check-in time has come: a reminder to every member."""
    created = 0
    while True:
        with transaction.atomic():
            teams = list(
                Team.objects.select_for_update(skip_locked=True)
                .filter(next_reminder_at__lte=now)
                .order_by("next_reminder_at")[:BATCH]
            )
            if not teams:
                return created
            committed = _teams_with_committed_objective([t.pk for t in teams])
            # A team that already submitted the week's check-in needs no reminder of it.
            weeks = {t.pk: week_start(local_date(t.next_reminder_at, t.time_zone)) for t in teams}
            submitted = set(
                CheckIn.objects.filter(
                    team_id__in=list(weeks),
                    week_start__in=set(weeks.values()),
                    state=CheckIn.State.SUBMITTED,
                ).values_list("team_id", "week_start")
            )
            members = Membership.objects.filter(
                team__in=[t.pk for t in teams if t.pk in committed],
                user__is_active=True,
                user__email_reminders=True,
            ).values_list("team_id", "user_id")
            by_team: dict[int, list[int]] = {}
            for team_id, user_id in members:
                by_team.setdefault(team_id, []).append(user_id)
            rows = []
            for team in teams:
                due = team.next_reminder_at
                week = week_start(local_date(due, team.time_zone))
                fresh = now - due <= REMINDER_GRACE
                if team.pk in committed and fresh and (team.pk, week) not in submitted:
                    rows += [
                        EmailOutbox(kind="reminder", recipient_id=u, team=team, period=week)
                        for u in by_team.get(team.pk, [])
                    ]
                    team.next_nudge_at, team.nudge_week = due + NUDGE_AFTER, week
                team.next_reminder_at = team_next_reminder(team, after=max(now, due))
            created += _insert(rows)
            _save_schedules(teams)


def _due_nudges(now: datetime) -> int:
    """24 hours after the check-in time, the leads hear if it is still not submitted."""
    with transaction.atomic():
        teams = list(
            Team.objects.select_for_update(skip_locked=True).filter(next_nudge_at__lte=now)
        )
        if not teams:
            return 0
        submitted = set(
            CheckIn.objects.filter(
                Q(*[Q(team=t, week_start=t.nudge_week) for t in teams], _connector=Q.OR),
                state=CheckIn.State.SUBMITTED,
            ).values_list("team_id", flat=True)
        )
        leads = Membership.objects.filter(
            team__in=teams,
            role=Membership.Role.LEAD,
            user__is_active=True,
            user__email_nudges=True,
        ).values_list("team_id", "user_id")
        week_of = {t.pk: t.nudge_week for t in teams}
        rows = [
            EmailOutbox(kind="nudge", recipient_id=u, team_id=t, period=week_of[t])
            for t, u in leads
            if t not in submitted and week_of[t] is not None
        ]
        created = _insert(rows)
        Team.objects.filter(pk__in=[t.pk for t in teams]).update(next_nudge_at=None)
    return created


def _due_digests(now: datetime) -> int:
    """Monday morning in each leader's own time zone: the company OKR at a glance."""
    leaders = User.objects.filter(is_leader=True, is_active=True)
    first_seen = min(now, timezone.now())
    for user in leaders.filter(next_digest_at__isnull=True).only("pk", "time_zone"):
        User.objects.filter(pk=user.pk, next_digest_at__isnull=True).update(
            next_digest_at=next_digest(user, after=first_seen)
        )
    with transaction.atomic():
        due = list(leaders.select_for_update(skip_locked=True).filter(next_digest_at__lte=now))
        rows = []
        for user in due:
            if user.email_digest and now - user.next_digest_at <= DIGEST_GRACE:
                week = week_start(local_date(user.next_digest_at, user.time_zone))
                rows.append(EmailOutbox(kind="digest", recipient=user, team=None, period=week))
            user.next_digest_at = next_digest(user, after=max(now, user.next_digest_at))
        created = _insert(rows)
        User.objects.bulk_update(due, ["next_digest_at"])
    return created


def dispatch_reminders(*, now: datetime) -> TickResult:
    """One reminder tick: the same code beat runs and `manage.py dispatch_reminders`."""
    # A team or leader seen for the first time is scheduled from the real clock, so a
    # tick pretending to be later (--now) finds them due rather than a week away.
    _schedule_new_teams(min(now, timezone.now()))
    result = TickResult()
    result.reminders = _due_reminders(now)
    result.nudges = _due_nudges(now)
    result.digests = _due_digests(now)
    # What is due follows `now` (which --now may move); claims and enqueue times are
    # bookkeeping of real work and follow the real clock, so a tick pretending to be
    # later never takes a claim from a worker that is sending right now.
    wall_clock = timezone.now()
    result.rescued = outbox.outbox_rescue_expired_claims(wall_clock)
    result.enqueued = outbox.outbox_enqueue_pending(wall_clock)
    logger.info("Reminder tick at %s: %s", now.isoformat(), result)
    return result
