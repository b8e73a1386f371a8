"""When a team's weekly check-in is due, and whether it came on time: one definition
for the cycle overview, the leaders' digest and the signals."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy

from checkins.models import CheckIn
from checkins.reminders import NUDGE_AFTER
from okrs.models import Cycle, Objective
from okrs.weeks import week_start
from teams.models import Team
from teams.schedule import local_moment


class Cadence:
    ON_TIME = "on_time"
    LATE = "late"
    MISSED = "missed"
    OPEN = "open"  # due, but the grace period has not passed yet
    NOT_DUE = "not_due"

    LABELS = {
        ON_TIME: gettext_lazy("on time"),
        LATE: gettext_lazy("late"),
        MISSED: gettext_lazy("missed"),
        OPEN: gettext_lazy("still open"),
        NOT_DUE: gettext_lazy("not due"),
    }


def check_in_due(team: Team, monday: date) -> datetime:
    """When the team's check-in of the ISO week starting `monday` is due (UTC)."""
    return local_moment(
        monday + timedelta(days=team.checkin_weekday), team.checkin_time, ZoneInfo(team.time_zone)
    )


def cadence(
    team: Team,
    monday: date,
    checkin: CheckIn | None,
    *,
    now: datetime,
    since: datetime | None = None,
) -> str:
    """On time: submitted no later than 24 hours after the team's check-in time. Late:
    submitted after that. Missed: not submitted and those 24 hours have passed. A week
    whose check-in time came before `since` (the objective committed, the cycle begun)
    was not due."""
    due = check_in_due(team, monday)
    if checkin is not None and checkin.state == CheckIn.State.SUBMITTED and checkin.submitted_at:
        return Cadence.ON_TIME if checkin.submitted_at <= due + NUDGE_AFTER else Cadence.LATE
    if now < due or (since is not None and due < since):
        return Cadence.NOT_DUE
    return Cadence.MISSED if now > due + NUDGE_AFTER else Cadence.OPEN


def due_since(objective: Objective, cycle: Cycle) -> datetime:
    """Nothing is due before the cycle began in the team's time zone, nor before the
    objective was committed (`committed_at`, annotated from its history, when known)."""
    began = local_moment(cycle.start_date, time.min, ZoneInfo(objective.team.time_zone))
    committed_at = getattr(objective, "committed_at", None)
    return max(began, committed_at or began)


def check_in_missing(objective: Objective, checkin: CheckIn | None, *, now: datetime) -> bool:
    """This week's check-in (the week of `now` in the site's time zone) is missing: the
    objective is committed, the team's own check-in time and the nudges' grace have
    passed, and nothing was submitted. A check-in whose time came before the cycle began
    or the objective was committed (`committed_at`, when known) was not due."""
    if objective.state != Objective.State.COMMITTED:
        return False
    monday = week_start(timezone.localdate(now))
    since = due_since(objective, objective.cycle)
    return cadence(objective.team, monday, checkin, now=now, since=since) == Cadence.MISSED


def check_in_overdue(team: Team, *, now: datetime) -> bool:
    """This week's check-in time and the nudges' grace have passed: from then on, a
    check-in not submitted is missing (what a page built earlier that day did not say)."""
    return now > check_in_due(team, week_start(timezone.localdate(now))) + NUDGE_AFTER
