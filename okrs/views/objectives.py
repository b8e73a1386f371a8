"""The company objective, and leaders rewording any objective."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import rebase_form
from core.htmx import (
    CONFLICT,
    UNPROCESSABLE,
    is_fragment_request,
    render_page_or_fragment,
)
from core.versioning import StaleEdit
from okrs import access, coaching, services
from okrs.coach import OBJECTIVE
from okrs.forms import (
    ObjectiveForm,
    TeamObjectiveForm,
)
from okrs.views.common import okr_changed, okr_page


@login_required
@require_http_methods(["GET", "POST"])
def company_objective_create(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access.get_cycle_for_leader(request.user, cycle_id)
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
            return okr_changed(request, objective, _("Company objective saved."))
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
            "coach": coaching.form_findings(
                objective=None, part=OBJECTIVE, data=request.POST or None
            ),
        },
        fragment="objective_form",
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, objective_id: int) -> HttpResponse:
    """Leaders reword an objective (and, for a team, re-align it)."""
    objective = access.get_objective_for_leader(request.user, objective_id)
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
        except StaleEdit as stale:
            current = stale.current
            form = rebase_form(form, form_class, current, **extra)
            status = CONFLICT
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return okr_changed(request, objective, _("Objective saved."))
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
            "back_url": okr_page(objective),
            "inline": is_fragment_request(request),
            "coach": coaching.form_findings(
                objective=objective, part=OBJECTIVE, data=request.POST or None
            ),
        },
        fragment="objective_form",
        status=status,
    )
