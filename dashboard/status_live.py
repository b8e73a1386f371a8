"""Reading the status rows (dashboard/status.py says what they hold): what the calendar
decides is compared with the moment of the request in SQL, here."""

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, F, Func, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from checkins.reminders import NUDGE_AFTER
from checkins.selectors import FAR_BEHIND
from dashboard.models import ObjectiveStatus
from dashboard.status import WEEK_SECONDS, monday_of, status_refresh, week_number
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


def live(rows: QuerySet, moment: Moment, *, counts: bool = False) -> QuerySet:
    """The rows with what the calendar decides: `missing` (this week's check-in, once
    its time and the grace have passed) and `attention` (any signal); with `counts`,
    instead, the cadence counts `missed` and `still_open` over the cycle's weeks so far.
    (Only what the page reads: compiling these expressions is most of a query's cost.)"""
    committed = Q(state=Objective.State.COMMITTED)
    this, last = _week(moment, 0), _week(moment, 1)
    missing = committed & Q(first_due_week__lte=moment.this_week)
    missing &= this["passed"] & ~this["submitted"]
    attention = (
        missing
        | Q(stalled_from__lte=monday_of(moment.this_week))
        | Q(confidence_drop=True)
        | Q(behind_below__lt=moment.pace - FAR_BEHIND)
    )
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


def cycle_rows(
    cycle: Cycle, *, now: datetime, counts: bool = False, refresh: bool = True
) -> tuple[QuerySet, Moment]:
    """The cycle's open team objectives' rows, computed where stale, with the calendar's
    part (`live`) for `now`. One query before the caller's own (to find stale rows)."""
    if refresh:
        status_refresh(cycle, now=now)
    rows = ObjectiveStatus.objects.filter(cycle=cycle).exclude(state=Objective.State.ARCHIVED)
    moment = Moment.of(cycle, now)
    return live(rows, moment, counts=counts), moment


def status_fingerprint(cycle: Cycle) -> tuple[int, int]:
    """One query whose answer changes whenever a row of the cycle is computed again (a
    new random version) or added: what a cached home page was built from."""
    totals = ObjectiveStatus.objects.filter(cycle=cycle).aggregate(
        rows=Count("pk"), versions=Sum(F("version") % 2147483647)
    )
    return totals["rows"], totals["versions"] or 0


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
