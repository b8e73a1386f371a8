"""What the API reads: the selectors the pages use, and a few lists of their own, each
with its queries planned (tests/api/test_queries.py pins them)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from api.models import ApiToken
from checkins.cadence import check_in_missing
from checkins.models import CheckIn, CheckInEntry, Experiment
from checkins.selectors import Signal, objective_signals
from okrs import selectors as okr_selectors
from okrs.charts import weekly_series
from okrs.models import Cycle, KeyResult, KeyResultUpdate, Objective
from okrs.progress import objective_progress
from okrs.weeks import week_start
from teams.models import Team, User

PER_PAGE = 50


def paginate(queryset: QuerySet, page: int, per_page: int = PER_PAGE) -> Page:
    """A page of a list (the last page for a number past the end)."""
    return Paginator(queryset, per_page).get_page(page)


def cycles() -> QuerySet[Cycle]:
    return Cycle.objects.order_by("-start_date", "-id")


def cycle_for(cycle_id: int | None) -> Cycle | None:
    """The cycle asked for (404 is the caller's), else the active one."""
    if cycle_id is None:
        return okr_selectors.cycle_get_active()
    return Cycle.objects.filter(pk=cycle_id).first()


@dataclass
class TeamObjective:
    team: Team
    objective: Objective
    key_results: list[KeyResult]
    history: dict[int, list[KeyResultUpdate]]
    signals: list[Signal]

    @property
    def progress(self) -> int:
        return objective_progress(kr.progress for kr in self.key_results)


def team_objective(*, team: Team, cycle: Cycle, now: datetime) -> TeamObjective | None:
    """A team's objective in a cycle with its key results, each one's value history and
    the signals of the team page (five queries)."""
    okr = okr_selectors.team_okr_get(team=team, cycle=cycle, people=False, discussion=False)
    if okr.objective is None:
        return None
    history: dict[int, list[KeyResultUpdate]] = {kr.pk: [] for kr in okr.key_results}
    for update in (
        KeyResultUpdate.objects.filter(key_result__in=okr.key_results)
        .select_related("author")
        .order_by("created_at", "id")
    ):
        history[update.key_result_id].append(update)
    monday = week_start(timezone.localdate(now))
    checkin = CheckIn.objects.filter(team=team, week_start=monday).first()
    signals = objective_signals(
        okr.objective,
        okr.key_results,
        weekly_series(okr.key_results),
        missing=check_in_missing(okr.objective, checkin, now=now),
        today=timezone.localdate(now),
    )
    return TeamObjective(team, okr.objective, okr.key_results, history, signals)


def checkins(team: Team) -> QuerySet[CheckIn]:
    return (
        CheckIn.objects.filter(team=team)
        .select_related("submitted_by")
        .prefetch_related(
            Prefetch("entries", queryset=CheckInEntry.objects.order_by("key_result_id"))
        )
        .order_by("-week_start")
    )


def checkin_of_week(team: Team, monday: date) -> CheckIn | None:
    return checkins(team).filter(week_start=monday).first()


def experiments(team: Team) -> QuerySet[Experiment]:
    return (
        Experiment.objects.filter(team=team)
        .select_related("key_result")
        .order_by("-created_at", "-id")
    )


def personal_tokens(user: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user, kind=ApiToken.Kind.PERSONAL))


def team_tokens(team: Team) -> list[ApiToken]:
    return list(ApiToken.objects.filter(team=team, kind=ApiToken.Kind.TEAM).select_related("user"))


def team_key_results(team: Team) -> list[KeyResult]:
    """The key results of the team's objective in the active cycle (for the token page's
    example), in order."""
    cycle = okr_selectors.cycle_get_active()
    if cycle is None:
        return []
    return list(
        KeyResult.objects.filter(
            objective__cycle=cycle, objective__team=team, objective__level=Objective.Level.TEAM
        )
        .exclude(objective__state=Objective.State.ARCHIVED)
        .order_by("position", "id")
    )
