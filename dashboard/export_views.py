"""A cycle to take away: CSV and JSON exports (OKRs, check-ins and experiments) and the
printable page. Everyone signed in reads them."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from dashboard import exports
from okrs import access, review_selectors
from okrs.models import Cycle


def _download(stream, *, cycle: Cycle, extension: str, content_type: str):
    response = StreamingHttpResponse(stream, content_type=content_type)
    name = slugify(cycle.name) or f"cycle-{cycle.pk}"
    response["Content-Disposition"] = f'attachment; filename="lean-okrs-{name}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def cycle_export_csv(request: HttpRequest, cycle_id: int) -> StreamingHttpResponse:
    cycle = access.get_cycle(cycle_id)
    return _download(
        exports.cycle_csv(cycle, language=translation.get_language()),
        cycle=cycle,
        extension="csv",
        content_type="text/csv; charset=utf-8",
    )


@login_required
@require_GET
def cycle_export_json(request: HttpRequest, cycle_id: int) -> StreamingHttpResponse:
    cycle = access.get_cycle(cycle_id)
    return _download(
        exports.cycle_json(cycle), cycle=cycle, extension="json", content_type="application/json"
    )


@login_required
@require_GET
def cycle_print(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The cycle on paper for a board meeting: OKRs, progress, scores and learnings."""
    cycle = access.get_cycle(cycle_id)
    company, teams = review_selectors.objectives_scored(cycle=cycle)
    return render(
        request,
        "dashboard/cycle_print.html",
        {"cycle": cycle, "company": company, "teams": teams, "printed_at": timezone.now()},
    )
