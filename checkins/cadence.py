"""When a team's weekly check-in is due, and whether it came on time: one definition
for the cycle overview, the leaders' digest and the signals."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from checkins.models import CheckIn
from checkins.reminders import NUDGE_AFTER
from okrs.models import Cycle, Objective
from teams.models import Team
from teams.schedule import local_moment


class Cadence:
    ON_TIME = "on_time"
    LATE = "late"
    MISSED = "missed"
    OPEN = "open"  # due, but the grace period has not passed yet
    NOT_DUE = "not_due"

    LABELS = {
        ON_TIME: "on time",
        LATE: "late",
        MISSED: "missed",
        OPEN: "still open",
        NOT_DUE: "not due",
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
