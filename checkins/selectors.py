"""Reads for check-ins, signals and the team's rhythm, each with its queries planned."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from checkins.cadence import check_in_missing
from checkins.models import CheckIn, CheckInEntry, Experiment, Obstacle
from okrs.charts import WeekPoint, weekly_series
from okrs.models import KeyResult, KeyResultUpdate, Objective
from okrs.weeks import cycle_fraction, pace_value, week_start
from teams.models import Team

STALL_WEEKS = 3
CONFIDENCE_DROP = 3
HIGH_CONFIDENCE = 7
FAR_BEHIND = 25  # percentage points behind the pace line
HELP_RECEIVED_DAYS = 42


@dataclass(frozen=True)
class Signal:
    kind: str  # missing | stalled | confidence_drop | overconfident
    text: str
    key_result: KeyResult | None = None


def key_result_signals(
    key_result: KeyResult, series: list[WeekPoint], *, today: date
) -> list[Signal]:
    """What deserves attention in one key result's weekly history."""
    signals = []
    cycle = key_result.objective.cycle
    if series:
        three_weeks_ago = week_start(today) - timedelta(weeks=STALL_WEEKS)
        before = [p for p in series if p.week <= three_weeks_ago]
        if before and all(p.value == before[-1].value for p in series if p.week >= before[-1].week):
            signals.append(
                Signal(
                    "stalled",
                    _("“%(title)s” has not moved for three weeks.") % {"title": key_result.title},
                    key_result,
                )
            )
        confidences = [p.confidence for p in series if p.confidence is not None]
        if len(confidences) >= 2 and confidences[-2] - confidences[-1] >= CONFIDENCE_DROP:
            signals.append(
                Signal(
                    "confidence_drop",
                    _("Confidence in “%(title)s” fell from %(before)s to %(now)s.")
                    % {
                        "title": key_result.title,
                        "before": confidences[-2],
                        "now": confidences[-1],
                    },
                    key_result,
                )
            )
    if key_result.confidence is not None and key_result.confidence >= HIGH_CONFIDENCE:
        pace = int(cycle_fraction(cycle.start_date, cycle.end_date, today) * 100)
        if key_result.kind in ("increase", "decrease") and key_result.progress < pace - FAR_BEHIND:
            signals.append(
                Signal(
                    "overconfident",
                    _(
                        "“%(title)s”: confidence %(confidence)s/10 while %(progress)s %% is far "
                        "behind the pace of %(pace)s %%."
                    )
                    % {
                        "title": key_result.title,
                        "confidence": key_result.confidence,
                        "progress": key_result.progress,
                        "pace": pace,
                    },
                    key_result,
                )
            )
    return signals


def objective_signals(
    objective: Objective,
    key_results: list[KeyResult],
    series: dict,
    *,
    missing: bool,
    today: date,
) -> list[Signal]:
    """`missing`: this week's check-in is (checkins.cadence.check_in_missing)."""
    signals = []
    if missing:
        signals.append(Signal("missing", _("This week's check-in is missing.")))
    for kr in key_results:
        signals += key_result_signals(kr, series.get(kr.pk, []), today=today)
    return signals


def signals_for_objectives(
    objectives: list[Objective], *, today: date, missing: set[int] = frozenset()
) -> dict[int, list[Signal]]:
    """Signals for many team objectives at once (one query), `missing` naming those
    whose check-in of this week is missing.

    Each objective must come with its key results prefetched and its cycle set.
    """
    key_results = [kr for o in objectives for kr in o.key_results.all()]
    series = weekly_series(key_results)
    result = {}
    for objective in objectives:
        krs = list(objective.key_results.all())
        for kr in krs:
            kr.objective = objective
        result[objective.pk] = objective_signals(
            objective, krs, series, missing=objective.pk in missing, today=today
        )
    return result


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))


@dataclass
class EntryRow:
    key_result: KeyResult
    entry: CheckInEntry | None
    last_value: Decimal | None
    last_confidence: int | None
    pace: Decimal | None
    experiments: list[Experiment] = field(default_factory=list)


@dataclass
class CheckInPage:
    team: Team
    week: date
    objective: Objective
    checkin: CheckIn | None
    previous: CheckIn | None
    rows: list[EntryRow]
    obstacles: list[Obstacle]
    help_requests: list[Obstacle]
    experiments: list[Experiment]
    changes: list


def checkin_page(*, team: Team, objective: Objective, week: date) -> CheckInPage:
    """Everything the weekly check-in shows, in a fixed number of queries."""
    checkin = CheckIn.objects.filter(team=team, week_start=week).prefetch_related("entries").first()
    previous = (
        CheckIn.objects.filter(team=team, week_start__lt=week, state=CheckIn.State.SUBMITTED)
        .order_by("-week_start")
        .first()
    )
    key_results = list(objective.key_results.order_by("position", "id"))
    last_updates: dict[int, KeyResultUpdate] = {}
    recorded: set[int] = set()
    for update in KeyResultUpdate.objects.filter(key_result__in=key_results).order_by(
        "created_at", "id"
    ):
        recorded.add(update.key_result_id)
        # "Last week" is what was known before this check-in began: earlier weeks, and
        # this week's updates made before the check-in was started.
        earlier = update.week_start < week or (
            update.week_start == week
            and (checkin is None or update.created_at < checkin.created_at)
        )
        if earlier:
            last_updates[update.key_result_id] = update
    entries = {e.key_result_id: e for e in checkin.entries.all()} if checkin else {}
    running = list(
        Experiment.objects.filter(team=team, status=Experiment.Status.RUNNING)
        .select_related("key_result")
        .order_by("created_at")
    )
    cycle = objective.cycle
    fraction = cycle_fraction(cycle.start_date, cycle.end_date, week + timedelta(days=6))
    rows = []
    for kr in key_results:
        last = last_updates.get(kr.pk)
        rows.append(
            EntryRow(
                key_result=kr,
                entry=entries.get(kr.pk),
                # Before the first recorded update the key result's own current value is
                # the truth; for an earlier week than any update, its start value.
                last_value=last.value
                if last
                else (kr.start_value if kr.pk in recorded else kr.current_value),
                last_confidence=last.confidence if last else None,
                pace=_rounded(
                    pace_value(
                        kind=kr.kind,
                        start_value=kr.start_value,
                        target_value=kr.target_value,
                        fraction=fraction,
                    )
                ),
                experiments=[e for e in running if e.key_result_id == kr.pk],
            )
        )
    obstacles = list(
        Obstacle.objects.filter(team=team, resolved_at__isnull=True).select_related("help_team")
    )
    help_requests = list(
        Obstacle.objects.filter(help_team=team, resolved_at__isnull=True).select_related("team")
    )
    changes = list(checkin.changes.select_related("author")) if checkin else []
    return CheckInPage(
        team, week, objective, checkin, previous, rows, obstacles, help_requests, running, changes
    )


@dataclass
class TeamRhythm:
    this_week: date
    checkin: CheckIn | None
    recent: list[CheckIn]
    signals: list
    obstacles: list[Obstacle]
    help_requests: list[Obstacle]
    answered: list[Obstacle]
    given: list[Obstacle]
    experiments: list[Experiment]


def team_rhythm(
    *, team: Team, objective: Objective | None, key_results: list[KeyResult], now: datetime
) -> TeamRhythm:
    """The check-in section of a team page (the key results' series are already attached)."""
    today = timezone.localdate(now)
    monday = week_start(today)
    recent = list(CheckIn.objects.filter(team=team).order_by("-week_start")[:6])
    checkin = next((c for c in recent if c.week_start == monday), None)
    signals = []
    if objective is not None:
        for kr in key_results:
            kr.objective = objective
        signals = objective_signals(
            objective,
            key_results,
            {kr.pk: getattr(kr, "series", []) for kr in key_results},
            missing=check_in_missing(objective, checkin, now=now),
            today=today,
        )
    # One query for the team's open obstacles, the requests for its help, and the help
    # it received lately.
    recently = today - timedelta(days=HELP_RECEIVED_DAYS)
    related = list(
        Obstacle.objects.filter(
            Q(team=team, resolved_at__isnull=True)
            | Q(help_team=team, resolved_at__isnull=True)
            | Q(team=team, answered_at__date__gte=recently)
            | Q(help_team=team, answered_at__date__gte=recently)
        ).select_related("team", "help_team", "answered_by")
    )
    obstacles = [o for o in related if o.team_id == team.pk and o.is_open]
    obstacles.sort(key=lambda o: (not o.is_focus, o.created_at))
    help_requests = [o for o in related if o.help_team_id == team.pk and o.is_open]
    answered = sorted(
        (o for o in related if o.team_id == team.pk and o.answered_at),
        key=lambda o: o.answered_at,
        reverse=True,
    )
    experiments = list(
        Experiment.objects.filter(team=team)
        .select_related("key_result")
        .order_by("-created_at")[:20]
    )
    given = sorted(
        (o for o in related if o.help_team_id == team.pk and o.answered_at),
        key=lambda o: o.answered_at,
        reverse=True,
    )
    return TeamRhythm(
        monday, checkin, recent, signals, obstacles, help_requests, answered, given, experiments
    )
