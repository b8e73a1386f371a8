"""Reads for the home dashboard: the company OKR and, under each company key result, a
page of the team objectives moving it, from the status rows (dashboard/status.py), in a
fixed number of queries however many teams and weeks there are."""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import caches
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q
from django.utils import timezone, translation

from checkins.selectors import Signal, signals_for_objectives
from core.text import search_text
from dashboard.models import ObjectiveStatus
from dashboard.status_live import CountedRows, Moment, rows_refresh, status_fingerprint
from dashboard.team_page import code_version
from okrs.charts import WeekPoint, attach_charts
from okrs.coaching import dismissed_keys, findings_counts
from okrs.models import Cycle, KeyResult, Objective
from okrs.progress import objective_progress
from okrs.weeks import iso_week_label
from teams import page_version
from teams.models import Membership

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
    findings: int | None = None  # the coach's open findings, while waiting for review

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
    shown: int  # the team objectives that match the filters
    page: Page
    sparkline: str = ""


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


def _matching(filters: Filters, user) -> Q:
    """Which status rows (dashboard/status.py) pass the filters."""
    condition = Q()
    if filters.attention:
        condition &= Q(needs_attention=True)
    if filters.state:
        condition &= Q(state=filters.state)
    if filters.mine:
        condition &= Q(team_id__in=Membership.objects.filter(user=user).values("team_id"))
    if filters.q:
        condition &= Q(team_name__icontains=filters.q)
    return condition


def _team_rows(
    statuses: list[ObjectiveStatus], *, cycle: Cycle, moment, company_krs: list[KeyResult]
) -> list[TeamRow]:
    """The rows a page shows, with their signals in words, and the coach's findings on
    those waiting for review (three queries, and one for the findings dismissed)."""
    key_results = KeyResult.objects.only(
        "objective_id", "title", "kind", "start_value", "target_value", "current_value",
        "confidence", "owner_id", "unit",
    ).order_by("position", "id")  # fmt: skip
    objectives = {
        o.pk: o
        for o in Objective.objects.filter(pk__in=[s.objective_id for s in statuses])
        .select_related("team")
        .only("title", "state", "aligned_to_id", "team_id", "cycle_id", "team__name", "team__slug")
        .prefetch_related(Prefetch("key_results", queryset=key_results))
    }
    for objective in objectives.values():
        objective.cycle = cycle
    missing = {s.objective_id for s in statuses if s.check_in_missing}
    signals = signals_for_objectives(list(objectives.values()), today=moment.today, missing=missing)
    # The dismissals of every row on the page, so that the page takes the same queries
    # whichever of its rows wait for review.
    findings = findings_counts(
        [o for o in objectives.values() if o.state == Objective.State.SUBMITTED],
        {kr.pk: kr.title for kr in company_krs},
        dismissed=dismissed_keys(objectives),
    )
    return [
        TeamRow(
            objective=objectives[s.objective_id],
            progress=s.progress,
            confidence=s.confidence,
            last_checkin=s.last_checkin,
            signals=signals[s.objective_id],
            findings=findings.get(s.objective_id),
        )
        for s in statuses
        if s.objective_id in objectives
    ]


# How long a built home page may be reused. Its key changes with every write that shows
# on it; what it cannot see is the calendar within the minute it holds.
CACHE_SECONDS = 120


def dashboard_key(*, cycle: Cycle, now: datetime, user, filters: Filters) -> str:
    """The shared cache's key of the home page as `user` asks it: it changes whenever
    anything the page shows can (dashboard_get). Status rows gone stale are computed
    again first, so their fingerprint is the new one."""
    rows_refresh(cycle, now=now)
    digest = hashlib.blake2b(digest_size=16)
    for part in (
        code_version(),
        cycle.pk, cycle.name, cycle.status, cycle.start_date, cycle.end_date,
        status_fingerprint(cycle), page_version.epoch(),
        timezone.localtime(now).strftime("%Y-%m-%dT%H:%M"),
        filters.query(kr=filters.kr, page=filters.page), user.pk if filters.mine else "",
        translation.get_language(),  # its signals' words are in the reader's language
    ):  # fmt: skip
        digest.update(f"{part}|".encode())
    return f"home:{digest.hexdigest()}"


def dashboard_get(
    *, cycle: Cycle, now: datetime, user, filters: Filters, key: str = ""
) -> Dashboard:
    """The home page: the company objective, its key results with sparklines, and under
    each the aligned team objectives that pass the filters, those needing attention first,
    a page at a time.

    Built once for everyone who asks the same within a minute (leaders on a check-in
    morning), in the shared cache, under a key that changes whenever anything it shows
    can: a status row computed again (their fingerprint), anything of the company (the
    page epoch: the cycle, the company OKR, a leader's name), the minute (the signals the
    calendar changes), the filters (and the person, for "my teams"), the code. `key` is
    dashboard_key's, when the caller has it already."""
    key = key or dashboard_key(cycle=cycle, now=now, user=user, filters=filters)
    cache = caches["pages"]
    dashboard = cache.get(key)
    if dashboard is None:
        dashboard = _dashboard_build(cycle=cycle, now=now, user=user, filters=filters)
        cache.set(key, dashboard, CACHE_SECONDS)
    return dashboard


def _dashboard_build(*, cycle: Cycle, now: datetime, user, filters: Filters) -> Dashboard:
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
    # What the calendar decides is stored in the rows for this moment (rows_refresh, in
    # dashboard_key): order, counts and filters are read from the rows' index.
    moment = Moment.of(cycle, now)
    rows = ObjectiveStatus.objects.filter(cycle=cycle).exclude(state=Objective.State.ARCHIVED)
    matching = _matching(filters, user)
    counts = {
        c["aligned_to_id"]: c
        for c in rows.order_by()
        .values("aligned_to_id")
        .annotate(
            # of a column the index holds (the cycle), not the key: read from it alone
            total=Count("cycle"),
            needing=Count("cycle", filter=Q(needs_attention=True)),
            submitted=Count("cycle", filter=Q(state=Objective.State.SUBMITTED)),
            shown=Count("cycle", filter=matching) if filters.active else Count("cycle"),
        )
    }
    dashboard = Dashboard(
        cycle=cycle,
        objective=objective,
        key_results=company_krs,
        teams=sum(c["total"] for c in counts.values()),
        attention=sum(c["needing"] for c in counts.values()),
        waiting_for_review=sum(c["submitted"] for c in counts.values()),
    )
    ordered = rows.filter(matching).order_by("-needs_attention", "team_name", "pk")
    for kr in company_krs:
        count = counts.get(kr.pk, {"total": 0, "needing": 0, "shown": 0})
        if filters.active and not count["shown"]:
            dashboard.hidden += 1
            continue
        shown = CountedRows(count["shown"], ordered.filter(aligned_to_id=kr.pk))
        page = Paginator(shown, PAGE_SIZE).get_page(filters.page if filters.kr == kr.pk else 1)
        dashboard.sections.append(
            KeyResultSection(
                key_result=kr,
                total=count["total"],
                attention=count["needing"],
                shown=count["shown"],
                page=page,
                sparkline=sparkline(kr.series, kr),
            )
        )
    # The rows of every section's page at once, with their signals in words.
    statuses = [status for section in dashboard.sections for status in section.page.object_list]
    built = {
        row.objective.pk: row
        for row in _team_rows(statuses, cycle=cycle, moment=moment, company_krs=company_krs)
    }
    for section in dashboard.sections:
        section.page.object_list = [
            built[s.objective_id] for s in section.page.object_list if s.objective_id in built
        ]
        section.page.paginator.object_list.forget()  # read: nothing but its count is kept
    return dashboard
