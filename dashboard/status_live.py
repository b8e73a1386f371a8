"""Reading the status rows (dashboard/status.py says what they hold): what the calendar
decides is compared with the moment of the request in SQL, here."""

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Case, F, Func, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from checkins.reminders import NUDGE_AFTER
from checkins.selectors import FAR_BEHIND
from dashboard.models import ObjectiveStatus, StatusEpoch
from dashboard.status import (
    CHUNK,
    WEEK_SECONDS,
    monday_of,
    needs_computing,
    status_refresh,
    week_number,
)
from okrs.models import Cycle, Objective
from okrs.weeks import cycle_fraction, week_start


@dataclass(frozen=True)
class Moment:
    """What the calendar decides at the moment of a request, for the SQL of `live()`."""

    now: datetime
    today: date
    monday: date  # this week's (in the site's time zone)
    this_week: int  # week_number of this Monday
    last_week: int  # the cycle's last week so far: this one, or the cycle's last
    pace: int

    @classmethod
    def of(cls, cycle: Cycle, now: datetime) -> "Moment":
        today = timezone.localdate(now)
        monday = week_start(today)
        return cls(
            now=now,
            today=today,
            monday=monday,
            this_week=week_number(monday),
            last_week=week_number(week_start(min(today, cycle.end_date))),
            pace=int(cycle_fraction(cycle.start_date, cycle.end_date, today) * 100),
        )


class SecondsIntoWeek(Func):
    """Whole seconds from 00:00 of `monday` to `moment` on the clock of the row's time
    zone, rounded down (or up: a check-in time in whole seconds is before a moment
    exactly when it is before the moment rounded up). PostgreSQL converts time zones
    itself; SQLite calls `seconds_into_week` (registered in dashboard/apps.py)."""

    output_field = IntegerField()

    def __init__(self, moment: datetime, monday: date, *, up: bool = False) -> None:
        super().__init__(F("time_zone"))
        self.moment, self.midnight, self.up = moment, datetime.combine(monday, time.min), up

    def as_sql(self, compiler, connection, **extra):
        zone, params = compiler.compile(self.source_expressions[0])
        return (
            f"seconds_into_week({zone}, %s, %s, %s)",
            [*params, self.moment.isoformat(), self.midnight.isoformat(), int(self.up)],
        )

    def as_postgresql(self, compiler, connection, **extra):
        zone, params = compiler.compile(self.source_expressions[0])
        rounding = "CEIL" if self.up else "FLOOR"
        return (
            f"{rounding}(EXTRACT(EPOCH FROM ((%s::timestamptz AT TIME ZONE {zone}) "
            "- %s::timestamp)))::integer",
            [self.moment, *params, self.midnight],
        )


@functools.lru_cache(maxsize=4096)
def seconds_into_week(zone: str, moment: str, midnight: str, up: int) -> int:
    """SecondsIntoWeek for SQLite, which knows no time zones."""
    local = datetime.fromisoformat(moment).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    seconds = (local - datetime.fromisoformat(midnight)).total_seconds()
    return math.ceil(seconds) if up else math.floor(seconds)


def _week(moment: Moment, ago: int) -> dict[str, Q]:
    """This week's (ago=0) or last week's check-in, for every row at once: in the due
    weeks so far; submitted; its time come (started); its time and grace gone (passed)."""
    week = moment.this_week - ago
    shift = Value(ago * WEEK_SECONDS)
    due = Q(first_due_week__lte=week) if week <= moment.last_week else Q(pk__in=[])
    started = SecondsIntoWeek(moment.now, moment.monday) + shift
    passed = SecondsIntoWeek(moment.now - NUDGE_AFTER, moment.monday, up=True) + shift
    return {
        "due": due,
        "submitted": Q(last_week=week) | Q(previous_week=week),
        "started": Q(due_second__lte=started),
        "passed": Q(due_second__lt=passed),
    }


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _conditions(moment: Moment) -> tuple[Q, Q]:
    """`missing` and `attention` at the moment, as conditions on a row's columns."""
    this = _week(moment, 0)
    missing = Q(state=Objective.State.COMMITTED) & Q(first_due_week__lte=moment.this_week)
    missing &= this["passed"] & ~this["submitted"]
    attention = (
        missing
        | Q(stalled_from__lte=monday_of(moment.this_week))
        | Q(confidence_drop=True)
        | Q(behind_below__lt=moment.pace - FAR_BEHIND)
    )
    return missing, attention


def live(rows: QuerySet, moment: Moment, *, counts: bool = False) -> QuerySet:
    """The rows with what the calendar decides: `missing` (this week's check-in, once
    its time and the grace have passed) and `attention` (any signal); with `counts`,
    instead, the cadence counts `missed` and `still_open` over the cycle's weeks so far.
    (Only what the page reads: compiling these expressions is most of a query's cost.)"""
    committed = Q(state=Objective.State.COMMITTED)
    this, last = _week(moment, 0), _week(moment, 1)
    missing, attention = _conditions(moment)
    due_weeks = Case(
        When(first_due_week__lte=moment.last_week, then=Value(moment.last_week + 1)),
        default=Value(0),
        output_field=IntegerField(),
    ) - Case(
        When(first_due_week__lte=moment.last_week, then="first_due_week"),
        default=Value(0),
        output_field=IntegerField(),
    )
    not_passed = [w["due"] & ~w["passed"] & ~w["submitted"] for w in (this, last)]
    if not counts:
        return rows.annotate(
            # (CASE, not the bare condition: a comparison with an empty date is NULL, and
            # PostgreSQL sorts NULL first)
            missing=Case(When(missing, then=Value(True)), default=Value(False)),
            attention=Case(When(attention, then=Value(True)), default=Value(False)),
        )
    return rows.annotate(
        missed=Case(
            When(
                committed,
                then=due_weeks
                - Case(When(committed, then="submitted_due"), default=Value(0))
                - _flag(not_passed[0])
                - _flag(not_passed[1]),
            ),
            default=Value(0),
            output_field=IntegerField(),
        ),
        still_open=Case(
            When(committed, then=_flag(not_passed[0] & this["started"])),
            default=Value(0),
            output_field=IntegerField(),
        )
        + Case(
            When(committed, then=_flag(not_passed[1] & last["started"])),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )


def _needs_calendar(cycle: Cycle, now: datetime) -> Q:
    """Rows whose stored `check_in_missing` and `needs_attention` may be out of date at
    `now`: never worked out, past their `recheck_at`, or worked out for a later moment
    (a clock set back: tests, or a server's clock corrected)."""
    return (
        Q(cycle=cycle)
        & ~Q(state=Objective.State.ARCHIVED)
        & (Q(recheck_at__isnull=True) | Q(recheck_at__lt=now) | Q(calendar_at__gt=now))
    )


def _recheck_at(moment: Moment, time_zone: str, due_second: int) -> datetime:
    """The next moment after `moment.now` at which what the calendar decides of a row can
    change without a write: this week's check-in time plus the grace, when still ahead
    (`missing` holds from just after it), else the site's next midnight (the day and the
    week turn: pace, three weeks without movement, a new week's check-in)."""
    midnight = timezone.make_aware(datetime.combine(moment.today + timedelta(days=1), time.min))
    wall = datetime.combine(moment.monday, time.min) + timedelta(seconds=due_second)
    zone = ZoneInfo(time_zone)
    # A wall time a clock change skips or repeats: the earlier reading, never too late.
    due = min(wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1))
    passed = due + NUDGE_AFTER
    return passed if moment.now <= passed < midnight else midnight


def _calendar_write(moment: Moment, rows: list[tuple[int, str, int]]) -> None:
    """Store what the calendar decides at `moment` in these rows (objective id, time
    zone, check-in second): the flags in one UPDATE of live()'s own conditions, each
    row's next `recheck_at` in one executemany."""
    missing, attention = _conditions(moment)
    ObjectiveStatus.objects.filter(objective_id__in=[pk for pk, _, _ in rows]).update(
        check_in_missing=Case(When(missing, then=Value(True)), default=Value(False)),
        needs_attention=Case(When(attention, then=Value(True)), default=Value(False)),
        calendar_at=moment.now,
    )
    field = ObjectiveStatus._meta.get_field("recheck_at")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {ObjectiveStatus._meta.db_table} SET recheck_at = %s "  # noqa: S608
            "WHERE objective_id = %s",
            [
                [field.get_db_prep_save(_recheck_at(moment, zone, due), connection), pk]
                for pk, zone, due in rows
            ],
        )


def _calendar_refresh(cycle: Cycle, moment: Moment) -> int:
    """_calendar_write on every row that needs it, a thousand a transaction, under row
    locks (rows another reader is at are left to it)."""
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                ObjectiveStatus.objects.select_for_update(skip_locked=True, no_key=True)
                .filter(_needs_calendar(cycle, moment.now))
                .values_list("objective_id", "time_zone", "due_second")[:CHUNK]
            )
            if not rows:
                return done
            _calendar_write(moment, rows)
        done += len(rows)


def rows_refresh(cycle: Cycle, *, now: datetime | None = None) -> int:
    """The cycle's rows made right for `now`: stale ones computed again (status_refresh),
    then what the calendar decides stored where it may have changed. One query when
    nothing needs it, as on almost every request."""
    now = now or timezone.now()
    if not ObjectiveStatus.objects.filter(
        needs_computing(cycle) | _needs_calendar(cycle, now)
    ).exists():
        return 0
    moment = Moment.of(cycle, now)
    computed = status_refresh(
        cycle,
        now=now,
        written=lambda rows: _calendar_write(
            moment, [(r.objective_id, r.time_zone, r.due_second) for r in rows]
        ),
    )
    return computed + _calendar_refresh(cycle, moment)


def cycle_rows(cycle: Cycle, *, now: datetime, counts: bool = False) -> tuple[QuerySet, Moment]:
    """The cycle's open team objectives' rows, computed where stale, with the calendar's
    part (`live`) for `now`. One query before the caller's own (to find stale rows)."""
    rows_refresh(cycle, now=now)
    rows = ObjectiveStatus.objects.filter(cycle=cycle).exclude(state=Objective.State.ARCHIVED)
    moment = Moment.of(cycle, now)
    return live(rows, moment, counts=counts), moment


def status_fingerprint(cycle: Cycle) -> int:
    """What a cached home page was built from: the cycle's status epoch, which changes
    whenever a row of the cycle is computed to a new version or archived (one row read,
    whatever the company's size)."""
    return StatusEpoch.objects.filter(cycle=cycle).values_list("version", flat=True).first() or 0


class CountedRows(Sequence):
    """Rows for a Paginator whose number is already known (from the counts a page reads
    anyway, so the paginator asks no COUNT): only the page asked for is read, a slice
    of the query. `forget()` drops the query once read, so the page can be cached."""

    def __init__(self, count: int, rows: QuerySet) -> None:
        self.count, self._rows = count, rows

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("a page of rows is read as a slice")
        return list(self._rows[index])

    def forget(self) -> None:
        self._rows = None
