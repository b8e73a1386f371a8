"""Cycles, the company objective and key results (of the company or of a team)."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.htmx import (
    CONFLICT,
    UNPROCESSABLE,
    is_fragment_request,
    render_fragment_into,
    render_page_or_fragment,
)
from core.http import error_text
from okrs import selectors, services
from okrs.contexts import (
    company_okr_context,
    cycle_review_context,
    may_edit_key_results,
    team_okr_context,
)
from okrs.forms import (
    CycleForm,
    KeyResultForm,
    NewKeyResultForm,
    NewTeamKeyResultForm,
    ObjectiveForm,
    TeamKeyResultForm,
    TeamObjectiveForm,
)
from okrs.models import Cycle, KeyResult, Objective
from teams.audit import audit
from teams.models import AuditEvent
from teams.permissions import is_leader


def _require_leader(request: HttpRequest) -> None:
    if not is_leader(request.user):
        raise PermissionDenied("Only leaders can do this.")


def _get_cycle_for_leader(request: HttpRequest, cycle_id: int) -> Cycle:
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    _require_leader(request)
    return cycle


def _get_objective_for_leader(request: HttpRequest, objective_id: int) -> Objective:
    objective = get_object_or_404(
        Objective.objects.select_related("cycle", "team", "aligned_to"), pk=objective_id
    )
    _require_leader(request)
    return objective


def _get_objective_for_editor(request: HttpRequest, objective_id: int) -> Objective:
    """Leaders for the company objective; leaders and the team for a team objective."""
    objective = get_object_or_404(
        Objective.objects.select_related("cycle", "team"), pk=objective_id
    )
    if not may_edit_key_results(request.user, objective):
        raise PermissionDenied("Only the team and leaders can change these key results.")
    return objective


def _get_key_result_for_editor(request: HttpRequest, key_result_id: int) -> KeyResult:
    key_result = get_object_or_404(
        KeyResult.objects.select_related("objective__cycle", "objective__team", "owner"),
        pk=key_result_id,
    )
    if not may_edit_key_results(request.user, key_result.objective):
        raise PermissionDenied("Only the team and leaders can change these key results.")
    return key_result


def _okr_page(objective: Objective) -> str:
    if objective.is_company:
        return reverse("okrs:cycle-detail", args=[objective.cycle_id])
    return reverse("okrs:team-detail", args=[objective.team.slug])


def _okr_changed(
    request: HttpRequest, objective: Objective, message: str, *, error: str = ""
) -> HttpResponse:
    """After a change (or a refusal): the refreshed OKR section for htmx, else back to
    the page it is on with a message."""
    if is_fragment_request(request):
        if objective.is_company:
            template, target = "okrs/cycle_detail.html#company_okr", "#company-okr"
            context = company_okr_context(request, objective.cycle, okr_error=error)
        else:
            template, target = "okrs/team_detail.html#team_okr", "#team-okr"
            context = team_okr_context(request, objective.team, okr_error=error)
        return render_fragment_into(
            request,
            template,
            context,
            target=target,
            status=UNPROCESSABLE if error else 200,
            message="" if error else message,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, message)
    return redirect(_okr_page(objective))


def _rebase(form, form_class, current, **kwargs):
    """The editor's values on top of the current version, so saving again is deliberate."""
    data = form.data.copy()
    data[form.add_prefix("version")] = current.version
    if issubclass(form_class, ModelForm):
        # A copy: validating the form writes the editor's values into its instance,
        # and `current` must keep showing what is saved.
        kwargs["instance"] = copy.copy(current)
    return form_class(data, prefix=form.prefix, **kwargs)


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
    context = company_okr_context(request, cycle)
    if not is_fragment_request(request):
        context.update(cycle_review_context(request, cycle))
    return render_page_or_fragment(
        request, "okrs/cycle_detail.html", context, fragment="company_okr"
    )


@login_required
@require_POST
def cycle_activate(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _get_cycle_for_leader(request, cycle_id)
    try:
        services.cycle_activate(cycle=cycle)
    except ValidationError as error:
        messages.error(request, error_text(error))
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
        messages.error(request, error_text(error))
    else:
        audit(request, AuditEvent.Action.CYCLE_CLOSED, cycle.name)
        messages.success(request, f"“{cycle.name}” is closed.")
    return redirect("okrs:cycle-detail", cycle_id=cycle.pk)


# --- objectives ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def company_objective_create(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _get_cycle_for_leader(request, cycle_id)
    form = ObjectiveForm(request.POST or None, initial={"version": 1})
    form.fields["version"].required = False
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.company_objective_create(
                cycle=cycle,
                title=form.cleaned_data["title"],
                context=form.cleaned_data["context"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _okr_changed(request, objective, "Company objective saved.")
    status = UNPROCESSABLE if form.errors else 200
    return render_page_or_fragment(
        request,
        "okrs/objective_form.html",
        {
            "form": form,
            "cycle": cycle,
            "action": request.path,
            "back_url": reverse("okrs:cycle-detail", args=[cycle.pk]),
            "inline": is_fragment_request(request),
        },
        fragment="objective_form",
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, objective_id: int) -> HttpResponse:
    """Leaders reword an objective (and, for a team, re-align it)."""
    objective = _get_objective_for_leader(request, objective_id)
    cycle = objective.cycle
    if objective.is_company:
        form_class, extra = ObjectiveForm, {}
    else:
        form_class, extra = TeamObjectiveForm, {"cycle": cycle}
    form = form_class(
        request.POST or None,
        instance=objective,
        initial={"version": objective.version},
        **extra,
    )
    status, current = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.objective_update(
                objective=objective,
                title=form.cleaned_data["title"],
                context=form.cleaned_data["context"],
                aligned_to=form.cleaned_data.get("aligned_to"),
                expected_version=form.cleaned_data["version"],
                actor=request.user,
            )
        except services.StaleEdit as stale:
            current = stale.current
            form = _rebase(form, form_class, current, **extra)
            status = CONFLICT
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _okr_changed(request, objective, "Objective saved.")
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
            "back_url": _okr_page(objective),
            "inline": is_fragment_request(request),
        },
        fragment="objective_form",
        status=status,
    )


# --- key results ------------------------------------------------------------------


def _key_result_form_classes(objective: Objective):
    if objective.is_company:
        return KeyResultForm, NewKeyResultForm
    return TeamKeyResultForm, NewTeamKeyResultForm


@login_required
@require_http_methods(["GET", "POST"])
def key_result_create(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = _get_objective_for_editor(request, objective_id)
    form_class = _key_result_form_classes(objective)[1]
    form = form_class(request.POST or None, prefix="new", team=objective.team)
    if request.method == "POST" and form.is_valid():
        try:
            services.key_result_create(
                objective=objective,
                data=form.key_result_data(),
                actor=request.user,
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _okr_changed(request, objective, "Key result added.")
    status = UNPROCESSABLE if form.errors else 200
    return render_page_or_fragment(
        request,
        "okrs/key_result_form.html",
        {
            "form": form,
            "cycle": objective.cycle,
            "objective": objective,
            "action": request.path,
            "adding": True,
            "needs_reason": objective.state == Objective.State.COMMITTED
            and not objective.is_company,
            "inline": is_fragment_request(request),
        },
        fragment="key_result_form",
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def key_result_edit(request: HttpRequest, key_result_id: int) -> HttpResponse:
    key_result = _get_key_result_for_editor(request, key_result_id)
    objective = key_result.objective
    form_class = _key_result_form_classes(objective)[0]
    form = form_class(
        request.POST or None,
        instance=key_result,
        initial={"version": key_result.version},
        prefix=f"kr{key_result.pk}",
        team=objective.team,
    )
    status, current = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            services.key_result_update(
                key_result=key_result,
                data=form.key_result_data(),
                expected_version=form.cleaned_data["version"],
                actor=request.user,
                reason=form.cleaned_data.get("reason", ""),
            )
        except services.StaleEdit as stale:
            current = stale.current
            form = _rebase(form, form_class, current, team=objective.team)
            status = CONFLICT
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _okr_changed(request, objective, "Key result saved.")
    if form.errors:
        status = UNPROCESSABLE
    context = {
        "form": form,
        "cycle": objective.cycle,
        "objective": objective,
        "kr": key_result,
        "current": current,
        "action": request.path,
        "back_url": _okr_page(objective),
        "needs_reason": objective.state == Objective.State.COMMITTED and not objective.is_company,
        "inline": is_fragment_request(request),
    }
    return render_page_or_fragment(
        request, "okrs/key_result_form.html", context, fragment="key_result_form", status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def key_result_delete(request: HttpRequest, key_result_id: int) -> HttpResponse:
    """POST removes; GET asks first (and, once committed, asks why)."""
    key_result = _get_key_result_for_editor(request, key_result_id)
    objective = key_result.objective
    needs_reason = objective.state == Objective.State.COMMITTED and not objective.is_company
    error = ""
    if request.method == "POST":
        try:
            services.key_result_delete(
                key_result=key_result,
                actor=request.user,
                reason=request.POST.get("reason", "")[:1000],
            )
        except ValidationError as refusal:
            error = error_text(refusal)
            if not needs_reason:
                return _okr_changed(request, objective, "", error=error)
        else:
            return _okr_changed(request, objective, f"Key result “{key_result.title}” removed.")
    return render(
        request,
        "okrs/key_result_delete.html",
        {
            "kr": key_result,
            "objective": objective,
            "needs_reason": needs_reason,
            "error": error,
            "back_url": _okr_page(objective),
        },
        status=UNPROCESSABLE if error else 200,
    )


@login_required
@require_POST
def key_result_move(request: HttpRequest, key_result_id: int) -> HttpResponse:
    key_result = _get_key_result_for_editor(request, key_result_id)
    objective = key_result.objective
    try:
        services.key_result_move(
            key_result=key_result, direction=request.POST.get("direction", ""), actor=request.user
        )
    except ValidationError as error:
        return _okr_changed(request, objective, "", error=error_text(error))
    return _okr_changed(request, objective, "Key results reordered.")
