"""Pages that compose the apps (the home page) and the health probe."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from checkins.selectors import signals_for_objectives
from config.mail import MAILBOX_BACKEND, read_mailbox
from okrs import selectors as okr_selectors
from okrs.contexts import company_okr_context
from okrs.models import Cycle
from teams.permissions import is_leader

logger = logging.getLogger(__name__)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The active cycle's company OKR, for everyone signed in."""
    cycle = okr_selectors.cycle_get_active()
    if cycle is None:
        planning = (
            list(Cycle.objects.filter(status=Cycle.Status.PLANNING))
            if is_leader(request.user)
            else []
        )
        return render(request, "home.html", {"cycle": None, "planning_cycles": planning})
    context = company_okr_context(request, cycle)
    _attach_signals(context["okr"].key_results, cycle)
    return render(request, "home.html", context)


def _attach_signals(company_key_results, cycle) -> None:
    """Each aligned team objective gets the check-in signals that need attention."""
    rows = [row for kr in company_key_results for row in getattr(kr, "aligned", [])]
    objectives = [row["objective"] for row in rows]
    for objective in objectives:
        objective.cycle = cycle
    signals = signals_for_objectives(objectives, today=timezone.localdate())
    for row in rows:
        row["signals"] = signals.get(row["objective"].pk, [])


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


@login_required
@require_GET
def dev_mailbox(request: HttpRequest) -> HttpResponse:
    """What the app emailed, for superusers, when mail stays on this machine."""
    if not request.user.is_superuser:
        raise PermissionDenied("The development mailbox is for administrators.")
    using_mailbox = settings.MAILERS["default"]["BACKEND"] == MAILBOX_BACKEND
    return render(
        request,
        "dev_mailbox.html",
        {"messages_": read_mailbox() if using_mailbox else [], "using_mailbox": using_mailbox},
    )
