"""The pages that compose every app: the home dashboard and the leaders' cycle overview."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from core.htmx import is_fragment_request, render_page_or_fragment
from dashboard import overview as overview_selectors
from dashboard.selectors import STATES, Filters, dashboard_get
from okrs import access as okr_access
from okrs import selectors as okr_selectors
from okrs.models import Cycle
from teams.access import is_leader


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The active cycle's cockpit, for everyone signed in; filters live in the URL."""
    cycle = okr_selectors.cycle_get_active()
    if cycle is None:
        planning = (
            list(Cycle.objects.filter(status=Cycle.Status.PLANNING))
            if is_leader(request.user)
            else []
        )
        # Between cycles: the last one may be in review (scores and learnings to write).
        reviewing = Cycle.objects.filter(status=Cycle.Status.REVIEW).first()
        return render(
            request,
            "home.html",
            {"cycle": None, "planning_cycles": planning, "review_cycle": reviewing},
        )
    filters = Filters.from_query(request.GET)
    dashboard = dashboard_get(cycle=cycle, now=timezone.now(), user=request.user, filters=filters)
    context = {
        "cycle": cycle,
        "dashboard": dashboard,
        "filters": filters,
        "states": STATES,
        "can_edit": is_leader(request.user) and not cycle.is_closed,
    }
    response = render_page_or_fragment(request, "home.html", context, fragment="dashboard")
    if is_fragment_request(request):
        # The address bar shows only the filters in use, so a shared link stays short.
        query = filters.query(kr=filters.kr, page=filters.page if filters.kr else None)
        push_url(response, f"{request.path}?{query}" if query else request.path)
    return response


@login_required
@require_GET
def cycle_overview(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """For leaders: the check-in cadence per team and week, the spread of confidence and
    the objectives waiting for review."""
    cycle = okr_access.get_cycle_for_leader(
        request.user, cycle_id, _("The cycle overview is for leaders.")
    )
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    overview = overview_selectors.cycle_overview_get(
        cycle=cycle, now=timezone.now(), page=page_number
    )
    return render_page_or_fragment(
        request,
        "dashboard/cycle_overview.html",
        {"cycle": cycle, "overview": overview},
        fragment="heatmap",
    )
