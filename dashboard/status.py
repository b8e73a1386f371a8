"""The status rows of team objectives (dashboard.models.ObjectiveStatus): kept, read.

**Kept.** Two database triggers, installed after every migrate like the page-version
triggers (teams/page_version.py), mark rows stale in the writer's own transaction, and
touch only the writer's team:

- a new team objective gets its row (stale, to be computed);
- a team whose page version changes (any write to a row its page shows: a key result,
  a recorded value, a check-in, the objective's history, ...) or whose check-in schedule
  changes has its rows marked stale.

The next reader of the home page or the cycle overview computes the stale rows of its
cycle again (`status_refresh`), with the same definitions the team page uses
(progress, `checkins.cadence`, the signals' thresholds), and writes them under a row
lock that writers' triggers wait for, so an invalidation is never lost. Rows whose
cycle dates changed are computed again the same way.

**Read.** What the calendar changes (this week's check-in becoming missing once the
team's own check-in time and the nudges' grace have passed, three weeks without
movement, the pace line) is never stored: the rows hold the dates from which each signal
holds, and `live()` compares them with the moment of the request in SQL. So filters,
"needs attention first", counts and paging are database queries whose number does not
grow with the company, and a signal is right at any hour without a write.
"""

import functools
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import (
    Case,
    F,
    Func,
    IntegerField,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from checkins.cadence import Cadence, cadence, check_in_due, due_since
from checkins.models import CheckIn
from checkins.reminders import NUDGE_AFTER
from checkins.selectors import CONFIDENCE_DROP, FAR_BEHIND, HIGH_CONFIDENCE, STALL_WEEKS
from dashboard.models import ObjectiveStatus
from okrs.charts import weekly_series
from okrs.models import Cycle, KeyResult, Objective, ObjectiveEvent
from okrs.progress import objective_progress
from okrs.weeks import cycle_fraction, week_start

FIRST_MONDAY = date(1970, 1, 5)
CHUNK = 1000
WEEK_SECONDS = 7 * 24 * 60 * 60
COMPUTED_FIELDS = [
    "stale",
    "computed_at",
    "cycle_id",
    "team_id",
    "cycle_start",
    "cycle_end",
    "state",
    "aligned_to_id",
    "progress",
    "confidence",
    "last_checkin",
    "confidence_drop",
    "stalled_from",
    "behind_below",
    "due_second",
    "time_zone",
    "team_name",
    "first_due_week",
    "last_week",
    "previous_week",
    "submitted_due",
    "on_time",
    "late",
]


def week_number(monday: date) -> int:
    return (monday - FIRST_MONDAY).days // 7


def monday_of(number: int) -> date:
    return FIRST_MONDAY + timedelta(weeks=number)


# --- computing rows ---------------------------------------------------------------------


def _objectives(ids) -> list[Objective]:
    key_results = KeyResult.objects.only(
        "objective_id", "title", "kind", "start_value", "target_value", "current_value",
        "confidence",
    )  # fmt: skip
    return list(
        Objective.objects.filter(pk__in=ids)
        .select_related("team", "cycle")
        .annotate(
            committed_at=Min(
                "events__created_at", filter=Q(events__verb=ObjectiveEvent.Verb.COMMITTED)
            )
        )
        .prefetch_related(Prefetch("key_results", queryset=key_results))
    )


def _first_due_monday(objective: Objective) -> date:
    """The first Monday of the cycle whose check-in was due: its time came after the
    cycle began and the objective was committed (checkins.cadence.due_since)."""
    since = due_since(objective, objective.cycle)
    local = since.astimezone(ZoneInfo(objective.team.time_zone)).date()
    monday = max(week_start(objective.cycle.start_date), week_start(local) - timedelta(weeks=1))
    while check_in_due(objective.team, monday) < since:
        monday += timedelta(weeks=1)
    return monday


def _compute(objectives: list[Objective], now: datetime) -> list[ObjectiveStatus]:
    key_results = [kr for o in objectives for kr in o.key_results.all()]
    series = weekly_series(key_results)
    checkins: dict[int, list[CheckIn]] = {}
    for checkin in (
        CheckIn.objects.filter(
            team_id__in={o.team_id for o in objectives},
            state=CheckIn.State.SUBMITTED,
            submitted_at__isnull=False,
        )
        .only("team_id", "week_start", "state", "submitted_at")
        .order_by("-week_start")
    ):
        checkins.setdefault(checkin.team_id, []).append(checkin)
    rows = []
    for objective in objectives:
        team, cycle = objective.team, objective.cycle
        krs = list(objective.key_results.all())
        confidences = [kr.confidence for kr in krs if kr.confidence is not None]
        row = ObjectiveStatus(
            objective_id=objective.pk,
            cycle_id=objective.cycle_id,
            team_id=objective.team_id,
            stale=False,
            computed_at=now,
            cycle_start=cycle.start_date,
            cycle_end=cycle.end_date,
            state=objective.state,
            aligned_to_id=objective.aligned_to_id,
            progress=objective_progress(kr.progress for kr in krs),
            confidence=round(sum(confidences) / len(confidences)) if confidences else None,
            due_second=team.checkin_weekday * 86400
            + team.checkin_time.hour * 3600
            + team.checkin_time.minute * 60
            + team.checkin_time.second,
            time_zone=team.time_zone,
            team_name=team.name,
        )
        # checkins.selectors.key_result_signals, as the dates from which they hold.
        stalled, behind = [], []
        for kr in krs:
            points = series.get(kr.pk, [])
            if points:
                # The first week of the last run of one value: "has not moved for three
                # weeks" once that week is three weeks before this one.
                first = len(points) - 1
                while first > 0 and points[first - 1].value == points[-1].value:
                    first -= 1
                stalled.append(points[first].week + timedelta(weeks=STALL_WEEKS))
                said = [p.confidence for p in points if p.confidence is not None]
                if len(said) >= 2 and said[-2] - said[-1] >= CONFIDENCE_DROP:
                    row.confidence_drop = True
            confident = kr.confidence is not None and kr.confidence >= HIGH_CONFIDENCE
            if confident and kr.kind in ("increase", "decrease"):
                behind.append(kr.progress)
        row.stalled_from = min(stalled, default=None)
        row.behind_below = min(behind, default=None)

        submitted = checkins.get(objective.team_id, [])
        row.last_checkin = submitted[0].week_start if submitted else None
        row.last_week = week_number(submitted[0].week_start) if submitted else None
        row.previous_week = week_number(submitted[1].week_start) if len(submitted) > 1 else None
        first_monday, last_monday = week_start(cycle.start_date), week_start(cycle.end_date)
        due_from = _first_due_monday(objective) if objective.state == "committed" else None
        row.first_due_week = week_number(due_from) if due_from else None
        for checkin in submitted:
            if not first_monday <= checkin.week_start <= last_monday:
                continue
            came = cadence(team, checkin.week_start, checkin, now=now)
            row.on_time += came == Cadence.ON_TIME
            row.late += came == Cadence.LATE
            row.submitted_due += bool(due_from and checkin.week_start >= due_from)
        rows.append(row)
    return rows


def _write(rows: list[ObjectiveStatus]) -> None:
    """One UPDATE per row, sent at once (executemany): Django's bulk_update builds a CASE
    per column and row, which took ten seconds for a thousand rows."""
    if not rows:
        return
    fields = [ObjectiveStatus._meta.get_field(name) for name in COMPUTED_FIELDS]
    quote = connection.ops.quote_name
    table = quote(ObjectiveStatus._meta.db_table)
    columns = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    key = quote(ObjectiveStatus._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {columns} WHERE {key} = %s",  # noqa: S608 - our own names
            [
                [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
                + [row.objective_id]
                for row in rows
            ],
        )


def _needs_computing(cycle: Cycle) -> Q:
    """Stale, never computed, or computed for other dates of the cycle (ranges rather
    than "not equal", so each is a probe of an index, not a scan of the cycle's rows)."""
    start, end = cycle.start_date, cycle.end_date
    return Q(cycle=cycle) & (
        Q(stale=True)
        | Q(cycle_start__isnull=True)
        | Q(cycle_start__lt=start)
        | Q(cycle_start__gt=start)
        | Q(cycle_end__lt=end)
        | Q(cycle_end__gt=end)
    )


def status_refresh(cycle: Cycle, *, now: datetime | None = None) -> int:
    """Compute the cycle's stale rows again; returns how many. One query when none is.

    The rows are locked while computed (rows another reader is computing are left to
    it), so a writer's trigger that marks one stale meanwhile waits, and marks it stale
    again after: what it wrote is computed by the next reader, never lost. A thousand
    rows a transaction, so no lock is held long (after a deploy, the first reader of a
    big company computes them all; beat's `status_refresh_active` usually has)."""
    now = now or timezone.now()
    computed = 0
    while ObjectiveStatus.objects.filter(_needs_computing(cycle)).exists():
        with transaction.atomic():
            ids = list(
                ObjectiveStatus.objects.select_for_update(skip_locked=True, no_key=True)
                .filter(_needs_computing(cycle))
                .values_list("objective_id", flat=True)[:CHUNK]
            )
            if not ids:
                return computed  # the rest are being computed by another reader
            objectives = _objectives(ids)
            rows = _compute(
                [o for o in objectives if o.level == Objective.Level.TEAM and o.team_id], now
            )
            _write(rows)
            # Not a team objective (any more): never read, never stale again.
            gone = set(ids) - {row.objective_id for row in rows}
            if gone:
                ObjectiveStatus.objects.filter(objective_id__in=gone).update(
                    stale=False, state=Objective.State.ARCHIVED, cycle_start=cycle.start_date,
                    cycle_end=cycle.end_date,
                )  # fmt: skip
        computed += len(ids)
    return computed


def status_compute_fresh(objectives, *, now: datetime) -> list[ObjectiveStatus]:
    """What the rows of these objectives should hold now (for tests and checks)."""
    return _compute(_objectives([o.pk for o in objectives]), now)


# --- reading rows -----------------------------------------------------------------------


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


def cycle_rows(cycle: Cycle, *, now: datetime, counts: bool = False) -> tuple[QuerySet, Moment]:
    """The cycle's open team objectives' rows, computed where stale, with the calendar's
    part (`live`) for `now`. One query before the caller's own (to find stale rows)."""
    status_refresh(cycle, now=now)
    rows = ObjectiveStatus.objects.filter(cycle=cycle).exclude(state=Objective.State.ARCHIVED)
    moment = Moment.of(cycle, now)
    return live(rows, moment, counts=counts), moment
