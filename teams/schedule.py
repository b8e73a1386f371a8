"""When things are due, in people's and teams' own time zones (DST included)."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

DIGEST_WEEKDAY = 0  # Monday
DIGEST_TIME = time(8, 0)


def local_moment(day, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time. A time skipped by a DST change is
    moved forward by the gap (02:30 on a spring-forward night is 03:30); a repeated
    time is its first occurrence. (PEP 495's fold=0 does exactly this.)"""
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)


def next_weekly(*, weekday: int, at: time, tz: str, after: datetime) -> datetime:
    """The first weekly moment (local `weekday` at `at` in `tz`) strictly after `after`."""
    zone = ZoneInfo(tz)
    local_day = after.astimezone(zone).date()
    for offset in range(0, 8):
        day = local_day + timedelta(days=offset)
        if day.weekday() != weekday:
            continue
        moment = local_moment(day, at, zone)
        if moment > after:
            return moment
    raise AssertionError("a weekday recurs within eight days")  # pragma: no cover


def local_date(moment: datetime, tz: str):
    return moment.astimezone(ZoneInfo(tz)).date()


def team_next_reminder(team, *, after: datetime) -> datetime:
    """The team's next weekly check-in moment after `after` (its reminder is due then)."""
    return next_weekly(
        weekday=team.checkin_weekday, at=team.checkin_time, tz=team.time_zone, after=after
    )


def next_digest(user, *, after: datetime) -> datetime:
    """A leader's next Monday-morning digest, in their own time zone."""
    return next_weekly(weekday=DIGEST_WEEKDAY, at=DIGEST_TIME, tz=user.time_zone, after=after)
