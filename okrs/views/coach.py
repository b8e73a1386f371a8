"""The coach: findings beside the forms as people type, dismissing one with a reason,
and the help page that lists the rules."""

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.http import error_text
from okrs import access
from okrs.coach import KEY_RESULT, OBJECTIVE, RULES, THRESHOLDS
from okrs.coaching import form_findings
from okrs.forms import CoachDismissForm
from okrs.services.coach import coach_finding_dismiss
from okrs.views.common import okr_changed

FINDINGS = "okrs/coach_findings.html"


def _prefix(request: HttpRequest) -> str:
    prefix = request.GET.get("prefix", "")
    return prefix if prefix.replace("-", "").replace("_", "").isalnum() else ""


@login_required
@require_POST
def coach_findings(request: HttpRequest, objective_id: int) -> HttpResponse:
    """What the coach finds in an objective's form (`part=objective`) or a key result's
    (`part=key_result`, `key_result=<id>` when editing one), as typed so far."""
    objective = access.get_objective_for_editor(request.user, objective_id)
    part = OBJECTIVE if request.GET.get("part") == OBJECTIVE else KEY_RESULT
    key_result = None
    if part == KEY_RESULT and request.GET.get("key_result", "").isdecimal():
        key_result = objective.key_results.filter(pk=int(request.GET["key_result"])).first()
    findings = form_findings(
        objective=objective,
        part=part,
        data=request.POST,
        prefix=_prefix(request),
        key_result=key_result,
    )
    return render(request, FINDINGS, {"coach": findings})


@login_required
@require_POST
def coach_draft(request: HttpRequest) -> HttpResponse:
    """What the coach finds in a new objective's title, as typed so far."""
    findings = form_findings(
        objective=None, part=OBJECTIVE, data=request.POST, prefix=_prefix(request)
    )
    return render(request, FINDINGS, {"coach": findings})


@login_required
@require_POST
def coach_dismiss(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = access.get_objective_for_editor(request.user, objective_id)
    form = CoachDismissForm(request.POST)
    if not form.is_valid():
        return okr_changed(request, objective, "", error=_("Say why the finding does not apply."))
    try:
        coach_finding_dismiss(
            objective=objective,
            key=form.cleaned_data["key"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    except ValidationError as error:
        return okr_changed(request, objective, "", error=error_text(error))
    return okr_changed(
        request, objective, _("Finding dismissed; your reason is kept in the history.")
    )


@login_required
@require_GET
def writing_help(request: HttpRequest) -> HttpResponse:
    """How to write OKRs: every rule of the coach with an example."""
    return render(
        request,
        "okrs/writing_help.html",
        {
            "rules": [
                replace(
                    rule,
                    title=gettext(rule.title),
                    why=gettext(rule.why),
                    example=gettext(rule.example),
                    poor=gettext(rule.poor),
                )
                for rule in RULES
            ],
            "thresholds": THRESHOLDS,
            "stretch_percent": int(THRESHOLDS.min_stretch * 100),
        },
    )
