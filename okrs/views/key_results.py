"""Key results: added, edited, removed, moved, and a new value recorded."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import rebase_form
from core.htmx import (
    CONFLICT,
    UNPROCESSABLE,
    is_fragment_request,
    render_page_or_fragment,
)
from core.http import error_text
from core.versioning import StaleEdit
from okrs import access, coaching, services
from okrs.coach import KEY_RESULT
from okrs.forms import (
    RecordForm,
)
from okrs.models import Objective
from okrs.views.common import key_result_form_classes, okr_changed, okr_page


@login_required
@require_http_methods(["GET", "POST"])
def key_result_create(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = access.get_objective_for_editor(request.user, objective_id)
    form_class = key_result_form_classes(objective)[1]
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
            return okr_changed(request, objective, _("Key result added."))
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
            "coach": coaching.form_findings(
                objective=objective,
                part=KEY_RESULT,
                data=request.POST if request.method == "POST" else None,
                prefix=form.prefix,
            ),
        },
        fragment="key_result_form",
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def key_result_edit(request: HttpRequest, key_result_id: int) -> HttpResponse:
    key_result = access.get_key_result_for_editor(request.user, key_result_id)
    objective = key_result.objective
    form_class = key_result_form_classes(objective)[0]
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
        except StaleEdit as stale:
            current = stale.current
            form = rebase_form(form, form_class, current, team=objective.team)
            status = CONFLICT
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return okr_changed(request, objective, _("Key result saved."))
    if form.errors:
        status = UNPROCESSABLE
    context = {
        "form": form,
        "cycle": objective.cycle,
        "objective": objective,
        "kr": key_result,
        "current": current,
        "action": request.path,
        "back_url": okr_page(objective),
        "needs_reason": objective.state == Objective.State.COMMITTED and not objective.is_company,
        "inline": is_fragment_request(request),
        "coach": coaching.form_findings(
            objective=objective,
            part=KEY_RESULT,
            data=request.POST if request.method == "POST" else None,
            prefix=form.prefix,
            key_result=key_result,
        ),
    }
    return render_page_or_fragment(
        request, "okrs/key_result_form.html", context, fragment="key_result_form", status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def key_result_delete(request: HttpRequest, key_result_id: int) -> HttpResponse:
    """POST removes; GET asks first (and, once committed, asks why)."""
    key_result = access.get_key_result_for_editor(request.user, key_result_id)
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
                return okr_changed(request, objective, "", error=error)
        else:
            return okr_changed(
                request,
                objective,
                _("Key result “%(title)s” removed.") % {"title": key_result.title},
            )
    return render(
        request,
        "okrs/key_result_delete.html",
        {
            "kr": key_result,
            "objective": objective,
            "needs_reason": needs_reason,
            "error": error,
            "back_url": okr_page(objective),
        },
        status=UNPROCESSABLE if error else 200,
    )


@login_required
@require_POST
def key_result_move(request: HttpRequest, key_result_id: int) -> HttpResponse:
    key_result = access.get_key_result_for_editor(request.user, key_result_id)
    objective = key_result.objective
    try:
        services.key_result_move(
            key_result=key_result, direction=request.POST.get("direction", ""), actor=request.user
        )
    except ValidationError as error:
        return okr_changed(request, objective, "", error=error_text(error))
    return okr_changed(request, objective, _("Key results reordered."))


@login_required
@require_http_methods(["GET", "POST"])
def key_result_record(request: HttpRequest, key_result_id: int) -> HttpResponse:
    key_result = access.get_key_result_for_editor(request.user, key_result_id)
    objective = key_result.objective
    form = RecordForm(
        request.POST or None,
        prefix=f"record{key_result.pk}",
        initial={"value": key_result.current_value, "confidence": key_result.confidence},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.key_result_record(
                key_result=key_result,
                value=form.cleaned_data["value"],
                confidence=form.cleaned_data["confidence"],
                comment=form.cleaned_data["comment"],
                author=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return okr_changed(
                request, objective, _("“%(title)s” updated.") % {"title": key_result.title}
            )
    return render_page_or_fragment(
        request,
        "okrs/key_result_record.html",
        {
            "form": form,
            "kr": key_result,
            "objective": objective,
            "action": request.path,
            "back_url": okr_page(objective),
            "inline": is_fragment_request(request),
        },
        fragment="record_form",
        status=UNPROCESSABLE if form.errors else 200,
    )
