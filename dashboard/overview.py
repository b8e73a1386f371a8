"""Reads for the leaders' cycle overview: the check-in cadence, confidence, reviews."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Sum
from django.db.models.functions import Coalesce

from checkins.cadence import Cadence, cadence, due_since
from checkins.models import CheckIn
from dashboard.status_live import CountedRows, cycle_rows
from okrs.coaching import findings_counts
from okrs.models import Cycle, KeyResult, Objective
from okrs.selectors import committed_at
from okrs.weeks import iso_week_label, week_start
from teams.models import Team

HEATMAP_PAGE_SIZE = 50
REVIEW_LIMIT = 50
BAR_HEIGHT = 60
_COACHED_KEY_RESULTS = KeyResult.objects.only(
    "objective_id", "title", "kind", "start_value", "target_value", "confidence", "owner_id", "unit"
).order_by("position", "id")


@dataclass
class Cell:
    week: str
    status: str

    @property
    def label(self) -> str:
        return Cadence.LABELS[self.status]


@dataclass
class HeatmapRow:
    team: Team
    cells: list[Cell]
    counts: Counter


@dataclass
class CycleOverview:
    weeks: list[str]
    rows: Page
    totals: Counter
    confidence: list[dict]  # per confidence 0–10: key results and the bar's geometry
    confidence_unset: int
    reviews: list[Objective]
    review_count: int
    teams: int = 0
    legend: dict = field(default_factory=lambda: Cadence.LABELS)


def cycle_weeks(cycle: Cycle, today: date) -> list[date]:
    """The Mondays of the cycle's weeks so far (the current week included)."""
    first, last = week_start(cycle.start_date), week_start(min(today, cycle.end_date))
    return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def cycle_overview_get(*, cycle: Cycle, now: datetime, page: int = 1) -> CycleOverview:
    """Teams × weeks of check-in cadence (the teams that miss most first, a page at a
    time), the spread of the team key results' confidence, and the objectives waiting for
    review: from the status rows (dashboard/status.py), in a number of queries that does
    not grow with the company."""
    mondays = cycle_weeks(cycle, now.date()) if now.date() >= cycle.start_date else []
    rows, _ = cycle_rows(cycle, now=now, counts=True)
    # A team checks in once its objective is committed: the others have nothing due yet.
    committed = rows.filter(state=Objective.State.COMMITTED)
    sums = committed.aggregate(  # (an aggregate named as a column would replace it)
        teams=Count("pk"),
        on_time_weeks=Coalesce(Sum("on_time"), 0),
        late_weeks=Coalesce(Sum("late"), 0),
        missed_weeks=Coalesce(Sum("missed"), 0),
        open_weeks=Coalesce(Sum("still_open"), 0),
    )
    totals = Counter(
        {
            Cadence.ON_TIME: sums["on_time_weeks"],
            Cadence.LATE: sums["late_weeks"],
            Cadence.MISSED: sums["missed_weeks"],
            Cadence.OPEN: sums["open_weeks"],
        }
    )
    totals[Cadence.NOT_DUE] = sums["teams"] * len(mondays) - sum(totals.values())
    totals = +totals  # the statuses no cell has are left out, as before
    ordered = committed.order_by("-missed", "-late", "team_name", "pk")
    shown = Paginator(CountedRows(sums["teams"], ordered), HEATMAP_PAGE_SIZE).get_page(page)
    shown.object_list = _heatmap_rows(shown.object_list, cycle=cycle, mondays=mondays, now=now)
    spread = dict(
        KeyResult.objects.filter(objective__cycle=cycle, objective__level=Objective.Level.TEAM)
        .exclude(objective__state=Objective.State.ARCHIVED)
        .values("confidence")
        .annotate(n=Count("id"))
        .values_list("confidence", "n")
    )
    highest = max([n for c, n in spread.items() if c is not None] or [1])
    confidence = []
    for value in range(11):
        count = spread.get(value, 0)
        height = BAR_HEIGHT * count / highest
        confidence.append(
            {
                "value": value,
                "count": count,
                "x": value * 30,
                "y": f"{BAR_HEIGHT - height:.1f}",
                "height": f"{height:.1f}",
            }
        )
    waiting = Objective.objects.filter(
        cycle=cycle,
        level=Objective.Level.TEAM,
        state__in=[Objective.State.SUBMITTED, Objective.State.PROPOSED],
    )
    reviews = list(
        waiting.select_related("team", "aligned_to")
        .prefetch_related(Prefetch("key_results", queryset=_COACHED_KEY_RESULTS))
        .order_by("updated_at", "pk")[:REVIEW_LIMIT]
    )
    # The coach's open findings of each submitted objective (two queries: the key
    # results above, and the findings dismissed).
    submitted = [o for o in reviews if o.state == Objective.State.SUBMITTED]
    counts = findings_counts(submitted, {o.aligned_to_id: o.aligned_to.title for o in submitted})
    for objective in reviews:
        objective.coach_findings = counts.get(objective.pk)
    return CycleOverview(
        weeks=[iso_week_label(m) for m in mondays],
        rows=shown,
        totals=totals,
        confidence=confidence,
        confidence_unset=spread.get(None, 0),
        reviews=reviews,
        review_count=waiting.count(),
        teams=sums["teams"],
    )


def _heatmap_rows(statuses, *, cycle: Cycle, mondays: list[date], now: datetime) -> list:
    """The cells of the teams on the page (two queries)."""
    objectives = {
        o.pk: o
        for o in Objective.objects.filter(pk__in=[s.objective_id for s in statuses])
        .select_related("team")
        .annotate(committed_at=committed_at())
    }
    checkins = {
        (c.team_id, c.week_start): c
        for c in CheckIn.objects.filter(
            team_id__in=[s.team_id for s in statuses], week_start__in=mondays
        ).only("team_id", "week_start", "state", "submitted_at")
    }
    rows = []
    for status in statuses:
        objective = objectives.get(status.objective_id)
        if objective is None:
            continue
        team = objective.team
        # Nor was anything due before it committed, or before the cycle began.
        since = due_since(objective, cycle)
        cells = [
            Cell(
                iso_week_label(m),
                cadence(team, m, checkins.get((team.pk, m)), now=now, since=since),
            )
            for m in mondays
        ]
        rows.append(HeatmapRow(team, cells, Counter(cell.status for cell in cells)))
    return rows
