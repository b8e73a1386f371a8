"""Cycles and the company OKR's page; starting a cycle's review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.client_ip import client_ip
from core.htmx import (
    UNPROCESSABLE,
    is_fragment_request,
    render_page_or_fragment,
)
from core.http import error_text
from okrs import access, review_selectors, selectors, services
from okrs.contexts import company_okr_context, cycle_review_context, review_weeks_early
from okrs.forms import (
    CycleForm,
    ReviewStartForm,
)
from okrs.models import Cycle
from okrs.services import reviews


@login_required
@require_GET
def cycle_list(request: HttpRequest) -> HttpResponse:
    return render(request, "okrs/cycle_list.html", {"cycles": selectors.cycle_list()})


@login_required
@require_http_methods(["GET", "POST"])
def cycle_create(request: HttpRequest) -> HttpResponse:
    access.require_leader(request.user)
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_create(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Cycle “%(cycle)s” is open for planning.") % {"cycle": cycle.name}
            )
            return redirect("okrs:cycle-detail", cycle_id=cycle.pk)
    status = UNPROCESSABLE if form.errors else 200
    return render(request, "okrs/cycle_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_edit(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access.get_cycle_for_leader(request.user, cycle_id)
    form = CycleForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            services.cycle_update(cycle=cycle, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Cycle saved."))
            return redirect("okrs:cycle-detail", cycle_id=cycle.pk)
    status = UNPROCESSABLE if form.errors else 200
    return render(request, "okrs/cycle_form.html", {"form": form, "cycle": cycle}, status=status)


@login_required
@require_GET
def cycle_detail(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access.get_cycle(cycle_id)
    context = company_okr_context(request, cycle)
    if not is_fragment_request(request):
        context.update(cycle_review_context(request, cycle))
    return render_page_or_fragment(
        request, "okrs/cycle_detail.html", context, fragment="company_okr"
    )


@login_required
@require_POST
def cycle_activate(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access.get_cycle_for_leader(request.user, cycle_id)
    try:
        services.cycle_activate(cycle=cycle)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("“%(cycle)s” is now the active cycle.") % {"cycle": cycle.name})
    return redirect("okrs:cycle-detail", cycle_id=cycle.pk)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_close(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Closing is for good: this page names what it freezes and asks to confirm; only its
    own form's post (confirm=yes) closes the cycle."""
    cycle = access.get_cycle_for_leader(request.user, cycle_id)
    if cycle.status not in (Cycle.Status.ACTIVE, Cycle.Status.REVIEW):
        messages.info(request, f"“{cycle.name}” is {cycle.get_status_display().lower()}.")
        return redirect("okrs:cycle-detail", cycle_id=cycle.pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        without_review = cycle.status == Cycle.Status.ACTIVE
        try:
            services.cycle_close(
                cycle=cycle,
                actor=request.user,
                ip_address=client_ip(request),
                why="without a review" if without_review else "",
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("“%(cycle)s” is closed.") % {"cycle": cycle.name})
        return redirect("okrs:cycle-detail", cycle_id=cycle.pk)
    return render(
        request,
        "okrs/cycle_close.html",
        {"cycle": cycle, "summary": review_selectors.cycle_close_summary(cycle)},
    )


@login_required
@require_POST
def cycle_review_start(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access.get_cycle_for_leader(request.user, cycle_id)
    form = ReviewStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the last day of the review (a date)."))
    else:
        try:
            reviews.cycle_review_start(cycle=cycle, review_until=form.cleaned_data["review_until"])
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            early = review_weeks_early(cycle)
            messages.success(
                request,
                _(
                    "“%(cycle)s” is in review: its OKRs are frozen. Teams score their key "
                    "results and write their retrospectives."
                )
                % {"cycle": cycle.name}
                + (
                    " "
                    + ngettext(
                        "The review started %(weeks)s week before the cycle's last day (%(date)s).",
                        "The review started %(weeks)s weeks before the cycle's last day "
                        "(%(date)s).",
                        early,
                    )
                    % {"weeks": early, "date": date_format(cycle.end_date, "DATE_FORMAT")}
                    if early
                    else ""
                ),
            )
    return redirect("okrs:cycle-detail", cycle_id=cycle.pk)
