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
movement, the pace line) is held as the dates from which each signal holds, and
`live()` (dashboard/status_live.py) compares them with a moment in SQL. Its answer is
stored in the row too (`check_in_missing`, `needs_attention`) with the next moment it can
change without a write (`recheck_at`: the check-in time plus grace, or the site's next
midnight); `rows_refresh` stores it again for the rows whose moment has come, in one
UPDATE of the same conditions. So the home page's filters, "needs attention first",
counts and paging read an index, and a signal is right at any hour without a write.
"""

import hashlib
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import (
    Prefetch,
    Q,
)
from django.utils import timezone

from checkins.cadence import Cadence, cadence, check_in_due, due_since
from checkins.models import CheckIn
from checkins.selectors import CONFIDENCE_DROP, HIGH_CONFIDENCE, STALL_WEEKS
from dashboard.models import ObjectiveStatus, StatusEpoch
from okrs.charts import weekly_series
from okrs.coaching import dismissed_keys
from okrs.models import Cycle, KeyResult, Objective
from okrs.progress import objective_progress
from okrs.selectors import committed_at
from okrs.weeks import week_start

FIRST_MONDAY = date(1970, 1, 5)
CHUNK = 1000
WEEK_SECONDS = 7 * 24 * 60 * 60
COMPUTED_FIELDS = [
    "stale",
    "computed_at",
    "version",
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
    key_results = KeyResult.objects.order_by("position", "id")
    return list(
        Objective.objects.filter(pk__in=ids)
        .select_related("team", "cycle")
        .annotate(committed_at=committed_at())
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
    # The coach's findings shown are those of objectives waiting for review.
    dismissed = dismissed_keys(o.pk for o in objectives if o.state == Objective.State.SUBMITTED)
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
        committed = objective.state == Objective.State.COMMITTED
        due_from = _first_due_monday(objective) if committed else None
        row.first_due_week = week_number(due_from) if due_from else None
        for checkin in submitted:
            if not first_monday <= checkin.week_start <= last_monday:
                continue
            came = cadence(team, checkin.week_start, checkin, now=now)
            row.on_time += came == Cadence.ON_TIME
            row.late += came == Cadence.LATE
            row.submitted_due += bool(due_from and checkin.week_start >= due_from)
        row.version = _version(row, objective, dismissed.get(objective.pk, set()))
        rows.append(row)
    return rows


# What a row's version leaves out: its bookkeeping, and the columns of the objective, its
# key results and its team that change without anything shown changing.
UNVERSIONED = {"stale", "computed_at", "version", "updated_at", "created_at", "page_version"}


def _version(row: ObjectiveStatus, objective: Objective, dismissed: set[str]) -> int:
    """The row's version: a digest of everything the home page shows of its objective (the
    row's values, the objective's and its key results' columns, the team's name and
    address, the coach's findings dismissed). Computed again to the same (a draft
    check-in begun, a comment, another section of the team page changed), a row keeps its
    version, and the home pages built from it stay valid (status_fingerprint)."""
    digest = hashlib.blake2b(digest_size=8)
    shown = [
        [getattr(row, name) for name in COMPUTED_FIELDS if name not in UNVERSIONED],
        _columns(objective),
        [_columns(kr) for kr in objective.key_results.all()],
        [objective.team.name, objective.team.slug],
        sorted(dismissed),
    ]
    digest.update(repr(shown).encode())
    return int.from_bytes(digest.digest()) >> 2  # 62 bits, as the column has held


def _columns(instance) -> list:
    return [
        getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.name not in UNVERSIONED
    ]


def _write(rows: list[ObjectiveStatus]) -> None:
    """One UPDATE per row, sent at once (executemany): Django's bulk_update builds a CASE
    per column and row, which took ten seconds for a thousand rows."""
    if not rows:
        return
    fields = [ObjectiveStatus._meta.get_field(name) for name in COMPUTED_FIELDS]
    quote = connection.ops.quote_name
    table = quote(ObjectiveStatus._meta.db_table)
    # A row computed again has its calendar part worked out again (status_live).
    columns = ", ".join([*(f"{quote(f.column)} = %s" for f in fields), "recheck_at = NULL"])
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


def needs_computing(cycle: Cycle) -> Q:
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


def status_refresh(
    cycle: Cycle,
    *,
    now: datetime | None = None,
    written: Callable[[list[ObjectiveStatus]], None] | None = None,
) -> int:
    """Compute the cycle's stale rows again; returns how many. One query when none is.

    The rows are locked while computed (rows another reader is computing are left to
    it), so a writer's trigger that marks one stale meanwhile waits, and marks it stale
    again after: what it wrote is computed by the next reader, never lost. A thousand
    rows a transaction, so no lock is held long (after a deploy, the first reader of a
    big company computes them all; beat's `status_refresh_active` usually has).
    `written` is called with each chunk's rows once written (status_live stores what the
    calendar decides of them)."""
    now = now or timezone.now()
    computed = 0
    while ObjectiveStatus.objects.filter(needs_computing(cycle)).exists():
        with transaction.atomic():
            versions = dict(
                ObjectiveStatus.objects.select_for_update(skip_locked=True, no_key=True)
                .filter(needs_computing(cycle))
                .values_list("objective_id", "version")[:CHUNK]
            )
            ids = list(versions)
            if not ids:
                return computed  # the rest are being computed by another reader
            objectives = _objectives(ids)
            rows = _compute(
                [o for o in objectives if o.level == Objective.Level.TEAM and o.team_id], now
            )
            _write(rows)
            if written is not None:
                written(rows)  # in the same transaction, under the same locks
            # Not a team objective (any more): never read, never stale again.
            gone = set(ids) - {row.objective_id for row in rows}
            if gone:
                ObjectiveStatus.objects.filter(objective_id__in=gone).update(
                    stale=False, state=Objective.State.ARCHIVED, cycle_start=cycle.start_date,
                    cycle_end=cycle.end_date, version=secrets.randbits(62),
                )  # fmt: skip
            if gone or any(row.version != versions[row.objective_id] for row in rows):
                epoch_bump(cycle)
        computed += len(ids)
    return computed


def epoch_bump(cycle: Cycle) -> None:
    """A new random epoch for the cycle (not +1: a database emptied and filled again must
    not meet the keys of pages cached before). Only readers computing rows write it,
    after their rows' locks: writers never wait for it."""
    version = secrets.randbits(62)
    if not StatusEpoch.objects.filter(cycle=cycle).update(version=version):
        StatusEpoch.objects.update_or_create(cycle=cycle, defaults={"version": version})


def status_compute_fresh(objectives, *, now: datetime) -> list[ObjectiveStatus]:
    """What the rows of these objectives should hold now (for tests and checks)."""
    return _compute(_objectives([o.pk for o in objectives]), now)
