"""Cycles and the company OKR: leaders edit, everyone signed in reads."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.htmx import (
    CONFLICT,
    UNPROCESSABLE,
    is_fragment_request,
    render_fragment_into,
    render_page_or_fragment,
)
from okrs import selectors, services
from okrs.forms import CycleForm, KeyResultForm, NewKeyResultForm, ObjectiveForm
from okrs.models import MAX_KEY_RESULTS, Cycle, KeyResult, Objective
from teams.permissions import is_leader

COMPANY_OKR = "okrs/cycle_detail.html#company_okr"


def _require_leader(request: HttpRequest) -> None:
    if not is_leader(request.user):
        raise PermissionDenied("Only leaders can change the company OKR.")


def _get_cycle_for_leader(request: HttpRequest, cycle_id: int) -> Cycle:
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    _require_leader(request)
    return cycle


def _get_company_objective_for_leader(request: HttpRequest, objective_id: int) -> Objective:
    objective = get_object_or_404(
        Objective.objects.select_related("cycle"), pk=objective_id, level="company"
    )
    _require_leader(request)
    return objective


def _get_key_result_for_leader(request: HttpRequest, key_result_id: int) -> KeyResult:
    key_result = get_object_or_404(
        KeyResult.objects.select_related("objective__cycle", "owner"),
        pk=key_result_id,
        objective__level="company",
    )
    _require_leader(request)
    return key_result


def company_okr_context(request: HttpRequest, cycle: Cycle, **extra) -> dict:
    okr = selectors.company_okr_get(cycle=cycle)
    can_edit = is_leader(request.user) and not cycle.is_closed
    context = {"cycle": cycle, "okr": okr, "can_edit": can_edit}
    if can_edit and okr.objective and len(okr.key_results) < MAX_KEY_RESULTS:
        context["add_form"] = NewKeyResultForm(prefix="new")
        context["add_action"] = reverse("okrs:key-result-create", args=[okr.objective.pk])
    context.update(extra)
    return context


def _company_okr_changed(request: HttpRequest, cycle: Cycle, message: str) -> HttpResponse:
    """After a change: the refreshed company OKR for htmx, else back to the cycle page."""
    if is_fragment_request(request):
        return render_fragment_into(
            request, COMPANY_OKR, company_okr_context(request, cycle), target="#company-okr"
        )
    messages.success(request, message)
    return redirect("okrs:cycle-detail", cycle_id=cycle.pk)


def _refused(request: HttpRequest, cycle: Cycle, error: ValidationError) -> HttpResponse:
    """A rule refused the change: say why, change nothing."""
    text = " ".join(error.messages)
    if is_fragment_request(request):
        return render_fragment_into(
            request,
            COMPANY_OKR,
            company_okr_context(request, cycle, okr_error=text),
            target="#company-okr",
            status=UNPROCESSABLE,
        )
    messages.error(request, text)
    return redirect("okrs:cycle-detail", cycle_id=cycle.pk)


# --- cycles ------------------------------------------------------------------------


@login_required
@require_GET
def cycle_list(request: HttpRequest) -> HttpResponse:
    return render(request, "okrs/cycle_list.html", {"cycles": selectors.cycle_list()})


@login_required
@require_http_methods(["GET", "POST"])
def cycle_create(request: HttpRequest) -> HttpResponse:
    _require_leader(request)
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_create(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Cycle “{cycle.name}” is open for planning.")
            return redirect("okrs:cycle-detail", cycle_id=cycle.pk)
    status = UNPROCESSABLE if form.errors else 200
    return render(request, "okrs/cycle_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_edit(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _get_cycle_for_leader(request, cycle_id)
    form = CycleForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            services.cycle_update(cycle=cycle, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Cycle saved.")
            return redirect("okrs:cycle-detail", cycle_id=cycle.pk)
    status = UNPROCESSABLE if form.errors else 200
    return render(request, "okrs/cycle_form.html", {"form": form, "cycle": cycle}, status=status)


@login_required
@require_GET
def cycle_detail(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    return render_page_or_fragment(
        request,
        "okrs/cycle_detail.html",
        company_okr_context(request, cycle),
        fragment="company_okr",
    )


@login_required
@require_POST
def cycle_activate(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _get_cycle_for_leader(request, cycle_id)
    try:
        services.cycle_activate(cycle=cycle)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{cycle.name}” is now the active cycle.")
    return redirect("okrs:cycle-detail", cycle_id=cycle.pk)


@login_required
@require_POST
def cycle_close(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _get_cycle_for_leader(request, cycle_id)
    try:
        services.cycle_close(cycle=cycle)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{cycle.name}” is closed.")
    return redirect("okrs:cycle-detail", cycle_id=cycle.pk)


# --- the company objective -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def company_objective_create(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _get_cycle_for_leader(request, cycle_id)
    form = ObjectiveForm(request.POST or None, initial={"version": 1})
    form.fields["version"].required = False
    if request.method == "POST" and form.is_valid():
        try:
            services.company_objective_create(
                cycle=cycle, title=form.cleaned_data["title"], context=form.cleaned_data["context"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _company_okr_changed(request, cycle, "Company objective saved.")
    status = UNPROCESSABLE if form.errors else 200
    return render_page_or_fragment(
        request,
        "okrs/objective_form.html",
        {
            "form": form,
            "cycle": cycle,
            "action": request.path,
            "inline": is_fragment_request(request),
        },
        fragment="objective_form",
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_objective_edit(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = _get_company_objective_for_leader(request, objective_id)
    cycle = objective.cycle
    form = ObjectiveForm(
        request.POST or None, instance=objective, initial={"version": objective.version}
    )
    status, current = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_update(
                objective=objective,
                title=form.cleaned_data["title"],
                context=form.cleaned_data["context"],
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleEdit as stale:
            current = stale.current
            form = _rebase(form, ObjectiveForm, current)
            status = CONFLICT
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _company_okr_changed(request, cycle, "Company objective saved.")
    if form.errors:
        status = UNPROCESSABLE
    return render_page_or_fragment(
        request,
        "okrs/objective_form.html",
        {
            "form": form,
            "cycle": cycle,
            "objective": objective,
            "current": current,
            "action": request.path,
            "inline": is_fragment_request(request),
        },
        fragment="objective_form",
        status=status,
    )


# --- key results ------------------------------------------------------------------


@login_required
@require_GET
def key_result_detail(request: HttpRequest, key_result_id: int) -> HttpResponse:
    key_result = get_object_or_404(
        KeyResult.objects.select_related("objective__cycle", "owner"), pk=key_result_id
    )
    cycle = key_result.objective.cycle
    if not is_fragment_request(request):
        return redirect("okrs:cycle-detail", cycle_id=cycle.pk)
    context = {
        "kr": key_result,
        "cycle": cycle,
        "can_edit": is_leader(request.user) and not cycle.is_closed,
    }
    return render_page_or_fragment(
        request, "okrs/cycle_detail.html", context, fragment="key_result_row"
    )


@login_required
@require_http_methods(["GET", "POST"])
def key_result_create(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = _get_company_objective_for_leader(request, objective_id)
    cycle = objective.cycle
    form = NewKeyResultForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        try:
            services.key_result_create(objective=objective, data=form.key_result_data())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _company_okr_changed(request, cycle, "Key result added.")
    status = UNPROCESSABLE if form.errors else 200
    return render_page_or_fragment(
        request,
        "okrs/key_result_form.html",
        {
            "form": form,
            "cycle": cycle,
            "action": request.path,
            "adding": True,
            "inline": is_fragment_request(request),
        },
        fragment="key_result_form",
        status=status,
    )


def _rebase(form, form_class, current):
    """The editor's values on top of the current version, so saving again is deliberate."""
    data = form.data.copy()
    data[form.add_prefix("version")] = current.version
    # A copy: validating the form writes the editor's values into its instance,
    # and `current` must keep showing what is saved.
    return form_class(data, instance=copy.copy(current), prefix=form.prefix)


@login_required
@require_http_methods(["GET", "POST"])
def key_result_edit(request: HttpRequest, key_result_id: int) -> HttpResponse:
    key_result = _get_key_result_for_leader(request, key_result_id)
    cycle = key_result.objective.cycle
    prefix = f"kr{key_result.pk}"
    form = KeyResultForm(
        request.POST or None,
        instance=key_result,
        initial={"version": key_result.version},
        prefix=prefix,
    )
    status, current = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            services.key_result_update(
                key_result=key_result,
                data=form.key_result_data(),
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleEdit as stale:
            current = stale.current
            form = _rebase(form, KeyResultForm, current)
            status = CONFLICT
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _company_okr_changed(request, cycle, "Key result saved.")
    if form.errors:
        status = UNPROCESSABLE
    context = {
        "form": form,
        "cycle": cycle,
        "kr": key_result,
        "current": current,
        "action": request.path,
        "cancel_url": reverse("okrs:key-result-detail", args=[key_result.pk]),
        "inline": is_fragment_request(request),
    }
    return render_page_or_fragment(
        request, "okrs/key_result_form.html", context, fragment="key_result_form", status=status
    )


@login_required
@require_POST
def key_result_delete(request: HttpRequest, key_result_id: int) -> HttpResponse:
    key_result = _get_key_result_for_leader(request, key_result_id)
    cycle = key_result.objective.cycle
    try:
        services.key_result_delete(key_result=key_result)
    except ValidationError as error:
        return _refused(request, cycle, error)
    return _company_okr_changed(request, cycle, f"Key result “{key_result.title}” removed.")


@login_required
@require_POST
def key_result_move(request: HttpRequest, key_result_id: int) -> HttpResponse:
    key_result = _get_key_result_for_leader(request, key_result_id)
    cycle = key_result.objective.cycle
    try:
        services.key_result_move(key_result=key_result, direction=request.POST.get("direction", ""))
    except ValidationError as error:
        return _refused(request, cycle, error)
    return _company_okr_changed(request, cycle, "Key results reordered.")
