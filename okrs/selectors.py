"""Reads for cycles and OKRs, each with its queries planned."""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)

from okrs.models import Comment, Cycle, KeyResult, Objective, ObjectiveEvent
from okrs.progress import objective_progress
from teams.models import Membership, Team

HISTORY_LIMIT = 30


def _progress(objective: Objective | None) -> int:
    if objective is None:
        return 0
    return objective_progress(kr.progress for kr in objective.key_results.all())


@dataclass
class CompanyOkr:
    cycle: Cycle
    objective: Objective | None
    key_results: list[KeyResult] = field(default_factory=list)

    @property
    def progress(self) -> int:
        return objective_progress(kr.progress for kr in self.key_results)


def cycle_get_active() -> Cycle | None:
    return Cycle.objects.filter(status=Cycle.Status.ACTIVE).first()


def cycle_get_in_review() -> Cycle | None:
    """The latest cycle in review (its OKRs frozen, scores and learnings being written)."""
    return Cycle.objects.filter(status=Cycle.Status.REVIEW).order_by("-end_date", "-id").first()


def cycle_list() -> QuerySet[Cycle]:
    return Cycle.objects.all()


def _open_team_objectives() -> QuerySet[Objective]:
    return (
        Objective.objects.filter(level=Objective.Level.TEAM)
        .exclude(state=Objective.State.ARCHIVED)
        .select_related("team")
        .prefetch_related(Prefetch("key_results", queryset=KeyResult.objects.order_by("position")))
        .order_by("team__name")
    )


def company_okr_get(*, cycle: Cycle) -> CompanyOkr:
    """The company objective of a cycle with its key results in order, and under each
    key result the team objectives aligned to it (four queries in all)."""
    key_results = (
        KeyResult.objects.select_related("owner")
        .prefetch_related(Prefetch("aligned_objectives", queryset=_open_team_objectives()))
        .order_by("position", "id")
    )
    objective = (
        Objective.objects.filter(cycle=cycle, level=Objective.Level.COMPANY)
        .prefetch_related(Prefetch("key_results", queryset=key_results))
        .first()
    )
    if objective is None:
        return CompanyOkr(cycle=cycle, objective=None)
    objective.cycle = cycle
    key_results = list(objective.key_results.all())
    for kr in key_results:
        kr.aligned = [
            {"objective": aligned, "progress": _progress(aligned)}
            for aligned in kr.aligned_objectives.all()
        ]
    return CompanyOkr(cycle=cycle, objective=objective, key_results=key_results)


@dataclass
class TeamRow:
    team: Team
    objective: Objective | None
    progress: int


TEAMS_PER_PAGE = 48


def team_list(*, cycle: Cycle | None, page: int | str = 1, search: str = "") -> Page:
    """One page of teams (by name, optionally matching `search`) with member counts and
    their objectives in the cycle: the same five queries at 10 teams or 1,000."""
    teams = Team.objects.annotate(member_count=Count("memberships")).order_by("name", "id")
    if search:
        teams = teams.filter(name__icontains=search)
    page_of_teams = Paginator(teams, TEAMS_PER_PAGE).get_page(page)
    found = list(page_of_teams.object_list)
    if cycle is not None:
        prefetch_related_objects(
            found,
            Prefetch(
                "objectives",
                queryset=_open_team_objectives().filter(cycle=cycle),
                to_attr="cycle_objectives",
            ),
        )
    rows = []
    for team in found:
        objective = (getattr(team, "cycle_objectives", None) or [None])[0]
        rows.append(TeamRow(team=team, objective=objective, progress=_progress(objective)))
    page_of_teams.object_list = rows
    return page_of_teams


@dataclass
class TeamOkr:
    team: Team
    cycle: Cycle | None
    objective: Objective | None
    key_results: list[KeyResult]
    comments: list[Comment]
    history: list[ObjectiveEvent]
    memberships: list[Membership]

    @property
    def progress(self) -> int:
        return objective_progress(kr.progress for kr in self.key_results)

    @property
    def latest_challenge(self) -> Comment | None:
        challenges = [c for c in self.comments if c.kind == Comment.Kind.CHALLENGE]
        return challenges[-1] if challenges else None


def committed_at() -> Subquery:
    """When a team objective was committed (its first "committed" event), to annotate:
    no check-in was due before it (checkins.cadence.due_since). A subquery, so that it
    goes with select_related and first() without grouping."""
    return Subquery(
        ObjectiveEvent.objects.filter(objective=OuterRef("pk"), verb=ObjectiveEvent.Verb.COMMITTED)
        .order_by("created_at")
        .values("created_at")[:1]
    )


def team_okr_get(
    *, team: Team, cycle: Cycle | None, people: bool = True, discussion: bool = True
) -> TeamOkr:
    """A team's page: members, its objective in the cycle with key results, the company
    key result and objective above it, the discussion and the history. Without `people`
    no members, without `discussion` no comments and history (a part of the page that
    does not show them)."""
    memberships = []
    if people:
        memberships = list(
            Membership.objects.filter(team=team)
            .select_related("user")
            .order_by("role", "user__name")
        )
    objective = None
    if cycle is not None:
        objective = (
            Objective.objects.filter(cycle=cycle, team=team, level=Objective.Level.TEAM)
            .exclude(state=Objective.State.ARCHIVED)
            .select_related("aligned_to__objective")
            # no check-in was due before (checkins.cadence.due_since)
            .annotate(committed_at=committed_at())
            .first()
        )
    if objective is None:
        return TeamOkr(team, cycle, None, [], [], [], memberships)
    objective.cycle, objective.team = cycle, team
    key_results = list(
        objective.key_results.select_related("owner", "updated_by", "scored_by").order_by(
            "position", "id"
        )
    )
    comments, history = [], []
    if discussion:
        comments = list(objective.comments.select_related("author"))
        history = list(objective.events.select_related("actor")[:HISTORY_LIMIT])
    return TeamOkr(team, cycle, objective, key_results, comments, history, memberships)
