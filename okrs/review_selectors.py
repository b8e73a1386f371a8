"""Reads for the end of a cycle: scores, retrospectives, learnings, history and the
rows of the exports, each with its queries planned (none grows with the number of
teams)."""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from okrs.models import (
    Cycle,
    KeyResult,
    KeyResultUpdate,
    Objective,
    ObjectiveEvent,
    Retrospective,
)
from okrs.progress import objective_progress


def objective_score(key_results) -> Decimal | None:
    """The mean of the key results' scores, once every one is scored (None until then:
    the mean of some would read as the objective's score)."""
    scores = [kr.score for kr in key_results]
    if not scores or None in scores:
        return None
    return (sum(scores) / len(scores)).quantize(Decimal("0.01"))


@dataclass
class ScoredObjective:
    objective: Objective
    key_results: list[KeyResult]
    retrospective: object | None

    @property
    def progress(self) -> int:
        return objective_progress(kr.progress for kr in self.key_results)

    @property
    def score(self) -> Decimal | None:
        return objective_score(self.key_results)

    @property
    def scored(self) -> int:
        return sum(kr.score is not None for kr in self.key_results)


def _ordered_key_results() -> QuerySet[KeyResult]:
    return KeyResult.objects.select_related("scored_by", "owner").order_by("position", "id")


def _scored(objective: Objective) -> ScoredObjective:
    retrospective = getattr(objective, "retrospective", None)
    return ScoredObjective(
        objective=objective,
        key_results=list(objective.key_results.all()),
        retrospective=retrospective,
    )


def objectives_scored(*, cycle: Cycle) -> tuple[ScoredObjective | None, list[ScoredObjective]]:
    """The company objective and the teams' committed objectives of a cycle with their
    key results, scores and retrospectives (two queries)."""
    objectives = (
        Objective.objects.filter(cycle=cycle)
        .filter(Q(level=Objective.Level.COMPANY) | Q(state=Objective.State.COMMITTED))
        .select_related("team", "retrospective", "aligned_to")
        .prefetch_related(Prefetch("key_results", queryset=_ordered_key_results()))
        .order_by("level", "team__name", "id")
    )
    company, teams = None, []
    for objective in objectives:
        objective.cycle = cycle
        if objective.is_company:
            company = _scored(objective)
        else:
            teams.append(_scored(objective))
    return company, teams


@dataclass
class CycleCloseSummary:
    """What closing a cycle freezes for good, for the leader to confirm it."""

    company: Objective | None
    company_key_results: int
    committed: list[Objective]  # the teams' committed objectives, by team name
    key_results: int  # of the committed team objectives
    uncommitted: int  # team objectives never committed (drafts, in review, proposed)
    unscored: int  # key results of the company and committed objectives without a score
    retrospectives: int  # written for the company and committed objectives
    reviewed: int  # the company and committed objectives: the ones a review is for


def cycle_close_summary(cycle: Cycle) -> CycleCloseSummary:
    """What a cycle holds that closing it freezes (three queries)."""
    company, teams = objectives_scored(cycle=cycle)
    uncommitted = (
        Objective.objects.filter(cycle=cycle, level=Objective.Level.TEAM)
        .exclude(state__in=[Objective.State.COMMITTED, Objective.State.ARCHIVED])
        .count()
    )
    scored = ([company] if company else []) + teams
    return CycleCloseSummary(
        company=company.objective if company else None,
        company_key_results=len(company.key_results) if company else 0,
        committed=[row.objective for row in teams],
        key_results=sum(len(row.key_results) for row in teams),
        uncommitted=uncommitted,
        unscored=sum(len(row.key_results) - row.scored for row in scored),
        retrospectives=sum(
            bool(row.retrospective and not row.retrospective.is_empty) for row in scored
        ),
        reviewed=len(scored),
    )


def objective_for_review(objective_id: int) -> Objective | None:
    """One objective with what its review page shows (two queries), or None."""
    return (
        Objective.objects.select_related("cycle", "team", "retrospective", "carried_from__cycle")
        .prefetch_related(Prefetch("key_results", queryset=_ordered_key_results()))
        .filter(pk=objective_id)
        .first()
    )


def retrospective_of(objective: Objective) -> Retrospective | None:
    """The objective's retrospective with who wrote it last, if one was saved (one query)."""
    return Retrospective.objects.filter(objective=objective).select_related("updated_by").first()


def team_finished_objective(team) -> Objective | None:
    """The team's committed objective of its latest cycle that is over (in review or
    closed): to score, or to carry forward (one query)."""
    return (
        Objective.objects.filter(
            team=team,
            state=Objective.State.COMMITTED,
            cycle__status__in=[Cycle.Status.REVIEW, Cycle.Status.CLOSED],
        )
        .select_related("cycle")
        .order_by("-cycle__start_date", "-id")
        .first()
    )


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """The last cycle before this one that is over (in review or closed)."""
    return (
        Cycle.objects.filter(
            status__in=[Cycle.Status.REVIEW, Cycle.Status.CLOSED], start_date__lt=cycle.start_date
        )
        .order_by("-start_date", "-id")
        .first()
    )


def objective_history(
    objective: Objective, *, key_result: KeyResult | None = None
) -> tuple[list[ObjectiveEvent], list[KeyResultUpdate]]:
    """Every change (who, when, before and after) and every recorded value, newest first;
    for one key result when given (two queries)."""
    events = ObjectiveEvent.objects.filter(objective=objective).select_related(
        "actor", "key_result"
    )
    updates = KeyResultUpdate.objects.filter(key_result__objective=objective).select_related(
        "author", "key_result"
    )
    if key_result is not None:
        events = events.filter(key_result=key_result)
        updates = updates.filter(key_result=key_result)
    return list(events.order_by("-created_at", "-id")), list(updates.order_by("-created_at", "-id"))


def export_key_results(cycle: Cycle) -> Iterator[KeyResult]:
    """Every key result of the cycle's company objective and committed (or still open)
    team objectives, streamed from one query in the order of the CSV."""
    return (
        KeyResult.objects.filter(objective__cycle=cycle)
        .exclude(objective__state=Objective.State.ARCHIVED)
        .select_related("objective__team")
        .order_by("objective__level", "objective__team__name", "objective_id", "position", "id")
        .iterator(chunk_size=500)
    )


def export_objectives(cycle: Cycle, *, batch: int = 200) -> Iterator[list[Objective]]:
    """The cycle's objectives in batches, each with its key results, value history and
    retrospective (three queries per batch: memory stays flat on large cycles)."""
    ids = list(
        Objective.objects.filter(cycle=cycle)
        .exclude(state=Objective.State.ARCHIVED)
        .order_by("level", "team__name", "id")
        .values_list("id", flat=True)
    )
    updates = KeyResultUpdate.objects.select_related("author").order_by("created_at", "id")
    key_results = KeyResult.objects.select_related("owner", "scored_by").prefetch_related(
        Prefetch("updates", queryset=updates)
    )
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        objectives = {
            objective.pk: objective
            for objective in Objective.objects.filter(pk__in=chunk)
            .select_related("team", "retrospective", "aligned_to")
            .prefetch_related(
                Prefetch("key_results", queryset=key_results.order_by("position", "id"))
            )
        }
        yield [objectives[pk] for pk in chunk if pk in objectives]
