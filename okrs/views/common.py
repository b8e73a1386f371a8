"""What the OKR pages share: where an OKR lives and the answer after a change."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import trigger_client_event

from core.htmx import (
    UNPROCESSABLE,
    is_fragment_request,
    render_fragment_into,
)
from okrs.contexts import company_okr_context, team_okr_context
from okrs.forms import (
    KeyResultForm,
    NewKeyResultForm,
    NewTeamKeyResultForm,
    TeamKeyResultForm,
)
from okrs.models import Objective


def okr_page(objective: Objective) -> str:
    if objective.is_company:
        return reverse("okrs:cycle-detail", args=[objective.cycle_id])
    return reverse("dashboard:team-detail", args=[objective.team.slug])


def okr_changed(
    request: HttpRequest, objective: Objective, message: str, *, error: str = ""
) -> HttpResponse:
    """After a change (or a refusal): the refreshed OKR section for htmx, else back to
    the page it is on with a message."""
    if is_fragment_request(request):
        if objective.is_company:
            template, target = "okrs/cycle_detail.html#company_okr", "#company-okr"
            context = company_okr_context(request, objective.cycle, okr_error=error)
        else:
            template, target = "okrs/team_okr.html#team_okr", "#team-okr"
            context = team_okr_context(request, objective.team, okr_error=error)
        response = render_fragment_into(
            request,
            template,
            context,
            target=target,
            status=UNPROCESSABLE if error else 200,
            message="" if error else message,
        )
        # What other apps show beside the OKR (the weekly check-in) refreshes itself.
        return trigger_client_event(response, "okr-changed") if not error else response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, message)
    return redirect(okr_page(objective))


def key_result_form_classes(objective: Objective):
    if objective.is_company:
        return KeyResultForm, NewKeyResultForm
    return TeamKeyResultForm, NewTeamKeyResultForm
