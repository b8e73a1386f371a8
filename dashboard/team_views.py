"""The team page: the team's OKR (okrs) and its weekly rhythm (checkins), composed here,
its body built in sections, each once per change and role (`dashboard.team_page`)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from checkins.sections import team_section
from core.htmx import is_fragment_request
from dashboard import team_page
from okrs.contexts import team_okr_context
from teams import access as team_access
from teams.models import Team

TEAM_PAGE = "dashboard/team_detail.html"


def team_page_context(
    request: HttpRequest, team: Team, sections: tuple[str, ...] = team_page.SECTIONS
) -> dict:
    """What the team page's sections show (only what `sections` need): its head with the
    team's people, the OKR and, below it, the weekly check-in."""
    context = team_okr_context(
        request,
        team,
        head="head" in sections,
        discussion="okr" in sections,
        charts="okr" in sections or "checkins" in sections,
    )
    if "checkins" in sections:
        context["rhythm"] = team_section(request=request, team=team, okr=context["okr"])
    return context


@login_required
@require_GET
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_access.get_team(slug, with_page_epoch=True)
    if is_fragment_request(request):
        # htmx asks for the OKR section alone (history restores get the whole page).
        response = render(request, "okrs/team_okr.html#team_okr", team_okr_context(request, team))
    else:
        # Everyone in the same role sees the same page: each section of its body is built
        # once per change to what it shows.
        body = team_page.body(
            request, team, lambda sections: team_page_context(request, team, sections)
        )
        response = render(request, TEAM_PAGE, {"team": team, "body": body})
    patch_vary_headers(response, ["HX-Request"])
    return response
