"""The pages that compose every app: the home dashboard and the leaders' cycle overview."""

from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from core.htmx import is_fragment_request, render_page_or_fragment
from dashboard import overview as overview_selectors
from dashboard.selectors import CACHE_SECONDS, STATES, Filters, dashboard_get, dashboard_key
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
    filters, now = Filters.from_query(request.GET), timezone.now()
    can_edit = is_leader(request.user) and not cycle.is_closed
    fragment = is_fragment_request(request)
    # The company OKR and its teams are the same for every reader with the same rights,
    # filters and language: rendered once (the cycle's, not the person's, part of the page)
    # and kept beside the built dashboard, under its key.
    key = dashboard_key(cycle=cycle, now=now, user=request.user, filters=filters)
    part = "dashboard" if fragment else "okr"
    html_key = f"{key}:{part}:{'edit' if can_edit else 'read'}:{get_language()}"
    html = caches["pages"].get(html_key)
    if html is None:
        dashboard = dashboard_get(cycle=cycle, now=now, user=request.user, filters=filters, key=key)
        context = {
            "cycle": cycle,
            "dashboard": dashboard,
            "filters": filters,
            "states": STATES,
            "can_edit": can_edit,
        }
        html = render_to_string(f"home.html#{part}", context, request)
        caches["pages"].set(html_key, html, CACHE_SECONDS)
    if fragment:
        response = HttpResponse(html)
    else:
        response = render(request, "home.html", {"cycle": cycle, "okr_html": html})
    patch_vary_headers(response, ["HX-Request"])
    if fragment:
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
