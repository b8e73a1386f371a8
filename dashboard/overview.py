"""Reads for the leaders' cycle overview: the check-in cadence, confidence, reviews."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Q

from checkins.cadence import Cadence, cadence, due_since
from checkins.models import CheckIn
from okrs.models import Cycle, KeyResult, Objective, ObjectiveEvent
from okrs.weeks import iso_week_label, week_start
from teams.models import Team

HEATMAP_PAGE_SIZE = 50
REVIEW_LIMIT = 50
BAR_HEIGHT = 60


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
    """Teams × weeks of check-in cadence (the teams that miss most first), the spread of
    the team key results' confidence, and the objectives waiting for review (four queries)."""
    objectives = list(
        Objective.objects.filter(cycle=cycle, level=Objective.Level.TEAM)
        .exclude(state=Objective.State.ARCHIVED)
        .select_related("team")
        .annotate(
            committed_at=Min(
                "events__created_at", filter=Q(events__verb=ObjectiveEvent.Verb.COMMITTED)
            )
        )
        .order_by("team__name")
    )
    mondays = cycle_weeks(cycle, now.date()) if now.date() >= cycle.start_date else []
    checkins = {
        (c.team_id, c.week_start): c
        for c in CheckIn.objects.filter(
            team_id__in=[o.team_id for o in objectives], week_start__in=mondays
        ).only("team_id", "week_start", "state", "submitted_at")
    }
    rows, totals = [], Counter()
    # A team checks in once its objective is committed: the others have nothing due yet.
    # Nor was anything due before it committed, or before the cycle began.
    for objective in (o for o in objectives if o.state == Objective.State.COMMITTED):
        team = objective.team
        since = due_since(objective, cycle)
        cells = [
            Cell(
                iso_week_label(m),
                cadence(team, m, checkins.get((team.pk, m)), now=now, since=since),
            )
            for m in mondays
        ]
        counts = Counter(cell.status for cell in cells)
        totals.update(counts)
        rows.append(HeatmapRow(team, cells, counts))
    rows.sort(key=lambda r: (-r.counts[Cadence.MISSED], -r.counts[Cadence.LATE], r.team.name))
    spread = dict(
        KeyResult.objects.filter(objective__in=[o.pk for o in objectives])
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
    waiting = [
        o for o in objectives if o.state in (Objective.State.SUBMITTED, Objective.State.PROPOSED)
    ]
    waiting.sort(key=lambda o: o.updated_at)
    return CycleOverview(
        weeks=[iso_week_label(m) for m in mondays],
        rows=Paginator(rows, HEATMAP_PAGE_SIZE).get_page(page),
        totals=totals,
        confidence=confidence,
        confidence_unset=spread.get(None, 0),
        reviews=waiting[:REVIEW_LIMIT],
        review_count=len(waiting),
        teams=len(rows),
    )
