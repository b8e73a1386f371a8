"""Reads for the home dashboard: every aligned team objective at once, in a fixed
number of queries however many teams and weeks there are."""

import time
from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Max, Prefetch

from checkins.models import CheckIn
from checkins.selectors import Signal, signals_for_objectives
from core.text import search_text
from okrs.charts import WeekPoint, attach_charts
from okrs.models import Cycle, KeyResult, Objective
from okrs.progress import objective_progress
from okrs.weeks import iso_week_label, week_start
from teams.models import Membership, Team

PAGE_SIZE = 10
STATES = [s for s in Objective.State if s != Objective.State.ARCHIVED]
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 28, 3


@dataclass(frozen=True)
class Filters:
    """What the dashboard shows, read from the query string (and written back to it)."""

    attention: bool = False
    state: str = ""
    mine: bool = False
    q: str = ""
    kr: int | None = None  # the company key result whose teams are paged
    page: int = 1

    @classmethod
    def from_query(cls, query) -> "Filters":
        state = query.get("state", "")
        try:
            kr = int(query.get("kr", "")) if query.get("kr") else None
            page = max(1, int(query.get("page", "1")))
        except ValueError:
            kr, page = None, 1
        return cls(
            attention=query.get("attention") == "1",
            state=state if state in Objective.State.values else "",
            mine=query.get("mine") == "1",
            q=search_text(query.get("q")),
            kr=kr,
            page=page,
        )

    @property
    def active(self) -> bool:
        return bool(self.attention or self.state or self.mine or self.q)

    def query(self, **changes) -> str:
        """The query string of these filters (with `changes`), for links that keep them."""
        from urllib.parse import urlencode

        values = {
            "attention": "1" if self.attention else "",
            "state": self.state,
            "mine": "1" if self.mine else "",
            "q": self.q,
        }
        values.update({k: "" if v is None else str(v) for k, v in changes.items()})
        return urlencode({k: v for k, v in values.items() if v})


@dataclass
class TeamRow:
    objective: Objective
    progress: int
    confidence: int | None
    last_checkin: date | None
    signals: list[Signal]

    @property
    def needs_attention(self) -> bool:
        return bool(self.signals)

    @property
    def last_checkin_label(self) -> str:
        return iso_week_label(self.last_checkin) if self.last_checkin else ""


@dataclass
class KeyResultSection:
    key_result: KeyResult
    total: int
    attention: int
    rows: list[TeamRow]
    page: Page
    sparkline: str = ""

    @property
    def shown(self) -> int:
        return len(self.rows)


@dataclass
class Dashboard:
    cycle: Cycle
    objective: Objective | None
    key_results: list[KeyResult] = field(default_factory=list)
    # The company key results shown: with filters, those some team objective matches.
    sections: list[KeyResultSection] = field(default_factory=list)
    hidden: int = 0  # company key results no team objective matching the filters moves
    teams: int = 0
    attention: int = 0
    waiting_for_review: int = 0

    @property
    def progress(self) -> int:
        return objective_progress(kr.progress for kr in self.key_results)


def sparkline(series: list[WeekPoint], key_result: KeyResult) -> str:
    """SVG polyline points of a key result's weekly values (start value first)."""
    values = [key_result.start_value] + [p.value for p in series]
    if len(values) < 2:
        return ""
    low = min(*values, key_result.target_value)
    high = max(*values, key_result.target_value)
    span = (high - low) or 1
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / (len(values) - 1)
    return " ".join(
        f"{SPARK_PAD + i * step:.1f},"
        f"{SPARK_PAD + float((high - v) / span) * (SPARK_HEIGHT - 2 * SPARK_PAD):.1f}"
        for i, v in enumerate(values)
    )


def _team_objectives(cycle: Cycle) -> list[Objective]:
    key_results = KeyResult.objects.only(
        "objective_id",
        "title",
        "kind",
        "start_value",
        "target_value",
        "current_value",
        "confidence",
    ).order_by("position", "id")
    return list(
        Objective.objects.filter(cycle=cycle, level=Objective.Level.TEAM)
        .exclude(state=Objective.State.ARCHIVED)
        .select_related("team")
        .only("title", "state", "aligned_to_id", "team_id", "cycle_id", "team__name", "team__slug")
        .prefetch_related(Prefetch("key_results", queryset=key_results))
        .order_by("team__name")
    )


# The rows of the last dashboard this process computed, with the fingerprint they were
# computed for. Computing them reads every key result's weekly history (tens of thousands
# of rows at a thousand teams), so a process does it again only when something changed.
_rows_cache: dict = {}
CACHE_SECONDS = 300  # a renamed team changes no page version: it shows within five minutes


def _fingerprint(cycle: Cycle, today: date) -> tuple:
    """One cheap query whose answer changes whenever an objective, a key result, a
    recorded value or a check-in changes: each gives its team a new page version (database
    triggers, teams/page_version.py), whoever wrote it and however. And the cycle's dates,
    which the pace line, and so the signals, follow."""
    table = Team._meta.db_table
    with connection.cursor() as cursor:
        # The modulo keeps the sum of a thousand 62-bit versions within 64 bits.
        cursor.execute(f"SELECT COUNT(*), SUM(page_version % 2147483647) FROM {table}")  # noqa: S608
        return (cycle.pk, cycle.start_date, cycle.end_date, today, *cursor.fetchone())


def team_rows(*, cycle: Cycle, today: date) -> list[TeamRow]:
    """Every open team objective of the cycle with progress, confidence (the average of its
    key results'), last submitted check-in and signals: one query when nothing changed
    since this process last computed them, five otherwise."""
    key = _fingerprint(cycle, today)
    cached = _rows_cache.get("rows")
    if cached and cached[0] == key and time.monotonic() - cached[1] < CACHE_SECONDS:
        return cached[2]
    rows = _compute_team_rows(cycle=cycle, today=today)
    _rows_cache["rows"] = (key, time.monotonic(), rows)
    return rows


def clear_cache() -> None:
    _rows_cache.clear()


def _compute_team_rows(*, cycle: Cycle, today: date) -> list[TeamRow]:
    objectives = _team_objectives(cycle)
    for objective in objectives:
        objective.cycle = cycle
    team_ids = [o.team_id for o in objectives]
    submitted = CheckIn.objects.filter(team_id__in=team_ids, state=CheckIn.State.SUBMITTED)
    last = dict(
        submitted.values("team_id").annotate(last=Max("week_start")).values_list("team_id", "last")
    )
    this_week = week_start(today)
    signals = signals_for_objectives(
        objectives, today=today, checked_in={t for t, week in last.items() if week == this_week}
    )
    rows = []
    for objective in objectives:
        krs = list(objective.key_results.all())
        confidences = [kr.confidence for kr in krs if kr.confidence is not None]
        rows.append(
            TeamRow(
                objective=objective,
                progress=objective_progress(kr.progress for kr in krs),
                confidence=round(sum(confidences) / len(confidences)) if confidences else None,
                last_checkin=last.get(objective.team_id),
                signals=signals[objective.pk],
            )
        )
    return rows


def _matches(row: TeamRow, filters: Filters, my_teams: set[int]) -> bool:
    if filters.attention and not row.needs_attention:
        return False
    if filters.state and row.objective.state != filters.state:
        return False
    if filters.mine and row.objective.team_id not in my_teams:
        return False
    return not filters.q or filters.q.casefold() in row.objective.team.name.casefold()


def dashboard_get(*, cycle: Cycle, today: date, user, filters: Filters) -> Dashboard:
    """The home page: the company objective, its key results with sparklines, and under
    each the aligned team objectives that pass the filters, those needing attention first,
    a page at a time."""
    objective = (
        Objective.objects.filter(cycle=cycle, level=Objective.Level.COMPANY)
        .prefetch_related(
            Prefetch(
                "key_results",
                queryset=KeyResult.objects.select_related("owner").order_by("position", "id"),
            )
        )
        .first()
    )
    if objective is None:
        return Dashboard(cycle=cycle, objective=None)
    objective.cycle = cycle
    company_krs = list(objective.key_results.all())
    attach_charts(company_krs, cycle)
    rows = team_rows(cycle=cycle, today=today)
    my_teams = (
        set(Membership.objects.filter(user=user).values_list("team_id", flat=True))
        if filters.mine
        else set()
    )
    by_kr: dict[int, list[TeamRow]] = {}
    for row in rows:
        by_kr.setdefault(row.objective.aligned_to_id, []).append(row)
    dashboard = Dashboard(
        cycle=cycle,
        objective=objective,
        key_results=company_krs,
        teams=len(rows),
        attention=sum(r.needs_attention for r in rows),
        waiting_for_review=sum(r.objective.state == Objective.State.SUBMITTED for r in rows),
    )
    for kr in company_krs:
        aligned = by_kr.get(kr.pk, [])
        shown = sorted(
            (r for r in aligned if _matches(r, filters, my_teams)),
            key=lambda r: (not r.needs_attention, r.objective.team.name),
        )
        if filters.active and not shown:
            dashboard.hidden += 1
            continue
        page = Paginator(shown, PAGE_SIZE).get_page(filters.page if filters.kr == kr.pk else 1)
        dashboard.sections.append(
            KeyResultSection(
                key_result=kr,
                total=len(aligned),
                attention=sum(r.needs_attention for r in aligned),
                rows=shown,
                page=page,
                sparkline=sparkline(kr.series, kr),
            )
        )
    return dashboard
