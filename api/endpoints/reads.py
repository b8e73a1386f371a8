"""Reads: cycles, the active cycle's company OKR, teams, a team's objective, its
check-ins and experiments. Anyone with a personal token reads what the pages show to
everyone signed in; a team token reads its own team's objective only."""

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Status

from api import access, selectors, shapes
from api.http import api
from api.schemas import (
    CheckInOut,
    CheckInPage,
    CompanyOkrOut,
    CyclePage,
    Error,
    ExperimentPage,
    TeamObjectiveOut,
    TeamPage,
)
from okrs import selectors as okr_selectors
from okrs.weeks import parse_iso_week
from teams import access as teams_access

REFUSALS = {401: Error, 403: Error, 404: Error, 422: Error, 429: Error}


def _page(value: int) -> int:
    return max(1, value)


@api.get("/cycles", response={200: CyclePage, **REFUSALS}, tags=["cycles"])
def cycles(request: HttpRequest, page: int = 1):
    """Every cycle, newest first (50 a page)."""
    access.require_personal(request.auth)
    found = selectors.paginate(selectors.cycles(), _page(page))
    return shapes.page_out(found, [shapes.cycle_out(c) for c in found.object_list])


@api.get("/cycles/active/company-okr", response={200: CompanyOkrOut, **REFUSALS}, tags=["cycles"])
def company_okr(request: HttpRequest):
    """The active cycle's company objective, its key results with progress, and the team
    objectives aligned to each."""
    access.require_personal(request.auth)
    cycle = okr_selectors.cycle_get_active()
    if cycle is None:
        raise Http404(_("No cycle is active."))
    okr = okr_selectors.company_okr_get(cycle=cycle)
    return {
        "cycle": shapes.cycle_out(cycle),
        "objective_id": okr.objective.pk if okr.objective else None,
        "title": okr.objective.title if okr.objective else None,
        "progress": okr.progress,
        "key_results": [
            shapes.key_result_out(kr)
            | {
                "aligned": [
                    {
                        "team": row["objective"].team.slug,
                        "objective_id": row["objective"].pk,
                        "title": row["objective"].title,
                        "progress": row["progress"],
                    }
                    for row in kr.aligned
                ]
            }
            for kr in okr.key_results
        ],
    }


@api.get("/teams", response={200: TeamPage, **REFUSALS}, tags=["teams"])
def teams(request: HttpRequest, page: int = 1, search: str = ""):
    """Teams by name with their objective in the active cycle and its progress (48 a
    page, as the teams page)."""
    access.require_personal(request.auth)
    found = okr_selectors.team_list(
        cycle=okr_selectors.cycle_get_active(), page=_page(page), search=search[:100]
    )
    items = [
        {
            "slug": row.team.slug,
            "name": row.team.name,
            "member_count": row.team.member_count,
            "objective_id": row.objective.pk if row.objective else None,
            "objective_title": row.objective.title if row.objective else None,
            "state": row.objective.state if row.objective else None,
            "progress": row.progress,
        }
        for row in found.object_list
    ]
    return shapes.page_out(found, items)


@api.get("/teams/{slug}/objective", response={200: TeamObjectiveOut, **REFUSALS}, tags=["teams"])
def team_objective(request: HttpRequest, slug: str, cycle: int | None = None):
    """A team's objective (in the active cycle, or `cycle`) with its key results, their
    progress, confidence and value history, and the signals of the team page. Team
    tokens read their own team's."""
    team = teams_access.get_team(slug)
    access.require_team_reader(request.auth, team)
    found_cycle = selectors.cycle_for(cycle)
    if found_cycle is None:
        raise Http404(_("No such cycle."))
    found = selectors.team_objective(team=team, cycle=found_cycle, now=timezone.now())
    if found is None:
        raise Http404(_("The team has no objective in this cycle."))
    return shapes.team_objective_out(found)


@api.get("/teams/{slug}/checkins", response={200: CheckInPage, **REFUSALS}, tags=["check-ins"])
def team_checkins(request: HttpRequest, slug: str, page: int = 1):
    """A team's weekly check-ins, newest week first (50 a page)."""
    team = teams_access.get_team(slug)
    access.require_personal(request.auth)
    found = selectors.paginate(selectors.checkins(team), _page(page))
    return shapes.page_out(found, [shapes.checkin_out(c) for c in found.object_list])


@api.get(
    "/teams/{slug}/checkins/{week}", response={200: CheckInOut, **REFUSALS}, tags=["check-ins"]
)
def team_checkin(request: HttpRequest, slug: str, week: str):
    """A team's check-in of one ISO week (`2026-W48`)."""
    team = teams_access.get_team(slug)
    access.require_personal(request.auth)
    try:
        monday = parse_iso_week(week)
    except ValueError as problem:
        return Status(422, {"detail": str(problem), "errors": {"week": [str(problem)]}})
    checkin = selectors.checkin_of_week(team, monday)
    if checkin is None:
        raise Http404(_("The team has no check-in that week."))
    return shapes.checkin_out(checkin)


@api.get(
    "/teams/{slug}/experiments", response={200: ExperimentPage, **REFUSALS}, tags=["experiments"]
)
def team_experiments(request: HttpRequest, slug: str, page: int = 1):
    """A team's experiments, newest first (50 a page)."""
    team = teams_access.get_team(slug)
    access.require_personal(request.auth)
    found = selectors.paginate(selectors.experiments(team), _page(page))
    return shapes.page_out(found, [shapes.experiment_out(e) for e in found.object_list])
