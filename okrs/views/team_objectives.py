"""A team's objective: defined or proposed, accepted, submitted, challenged, committed,
and discussed. The team page itself composes apps and lives in `dashboard`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.client_ip import client_ip
from core.htmx import (
    UNPROCESSABLE,
    is_fragment_request,
    render_page_or_fragment,
)
from core.http import error_text
from core.text import search_text
from okrs import access, coaching, selectors
from okrs.coach import OBJECTIVE
from okrs.contexts import team_okr_context
from okrs.forms import (
    ChallengeForm,
    CommentForm,
    DeclineForm,
    NewTeamObjectiveForm,
    TeamObjectiveForm,
)
from okrs.models import Comment, Objective
from okrs.services import workflow
from okrs.views.common import okr_changed
from teams import access as team_access
from teams.access import is_leader
from teams.models import Team

TEAM_OKR_PAGE = "okrs/team_okr.html"


def _render_team_page(request: HttpRequest, team: Team, *, status: int = 200, **extra):
    return render_page_or_fragment(
        request,
        TEAM_OKR_PAGE,
        team_okr_context(request, team, **extra),
        fragment="team_okr",
        status=status,
    )


@login_required
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    cycle = selectors.cycle_get_active()
    search = search_text(request.GET.get("q"))
    page = selectors.team_list(cycle=cycle, page=request.GET.get("page", 1), search=search)
    return render(
        request,
        "okrs/team_list.html",
        {"cycle": cycle, "rows": page.object_list, "page": page, "search": search},
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_objective_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Leaders define a team's objective; a team lead may propose one when none exists."""
    team = team_access.get_team_for_spokesperson(
        request.user, slug, _("Leaders define a team's objective; team leads may propose one.")
    )
    leader = is_leader(request.user)
    cycle = selectors.cycle_get_active()
    if cycle is None:
        messages.error(request, _("There is no active cycle yet."))
        return redirect("dashboard:team-detail", slug=team.slug)
    form = NewTeamObjectiveForm(request.POST or None, cycle=cycle, prefix="objective")
    if request.method == "POST" and form.is_valid():
        action = workflow.team_objective_define if leader else workflow.team_objective_propose
        try:
            action(
                cycle=cycle,
                team=team,
                title=form.cleaned_data["title"],
                context=form.cleaned_data["context"],
                aligned_to=form.cleaned_data["aligned_to"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            done = _("Objective defined: the team can draft its key results now.")
            if not leader:
                done = _("Objective proposed: the leaders have been told.")
            messages.success(request, done)
            return redirect("dashboard:team-detail", slug=team.slug)
    return render(
        request,
        "okrs/team_objective_form.html",
        {
            "form": form,
            "team": team,
            "cycle": cycle,
            "proposing": not leader,
            "coach": coaching.form_findings(
                objective=None, part=OBJECTIVE, data=request.POST or None, prefix="objective"
            ),
        },
        status=UNPROCESSABLE if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_objective_accept(request: HttpRequest, objective_id: int) -> HttpResponse:
    """A leader accepts a team's proposal, rewording it as they see fit."""
    objective = access.get_team_objective_for_leader(request.user, objective_id)
    form = TeamObjectiveForm(
        request.POST or None,
        instance=objective,
        initial={"version": objective.version},
        cycle=objective.cycle,
        prefix="objective",
    )
    form.fields["version"].required = False
    if request.method == "POST" and form.is_valid():
        try:
            workflow.team_objective_accept(
                objective=objective,
                title=form.cleaned_data["title"],
                context=form.cleaned_data["context"],
                aligned_to=form.cleaned_data["aligned_to"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Proposal accepted: the team can draft its key results."))
            return redirect("dashboard:team-detail", slug=objective.team.slug)
    return render(
        request,
        "okrs/team_objective_form.html",
        {
            "form": form,
            "team": objective.team,
            "cycle": objective.cycle,
            "accepting": objective,
            "coach": coaching.form_findings(
                objective=objective,
                part=OBJECTIVE,
                data=request.POST or None,
                prefix="objective",
            ),
        },
        status=UNPROCESSABLE if form.errors else 200,
    )


def _workflow_step(
    request: HttpRequest,
    objective: Objective,
    step,
    done: str,
    **kwargs,
) -> HttpResponse:
    """Run one workflow step; a refusal is shown, a success confirmed."""
    try:
        step(objective=objective, actor=request.user, **kwargs)
    except ValidationError as error:
        return okr_changed(request, objective, "", error=error_text(error))
    return okr_changed(request, objective, done)


@login_required
@require_POST
def team_objective_decline(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = access.get_team_objective_for_leader(request.user, objective_id)
    form = DeclineForm(request.POST, prefix="decline")
    if not form.is_valid():
        return _render_team_page(
            request,
            objective.team,
            status=UNPROCESSABLE,
            decline_form=form,
            okr_error=_("Say why you decline the proposal."),
        )
    return _workflow_step(
        request,
        objective,
        workflow.team_objective_decline,
        _("Proposal declined; the team can propose again."),
        reason=form.cleaned_data["reason"],
    )


@login_required
@require_POST
def team_objective_submit(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = access.get_team_objective_for_team(request.user, objective_id)
    return _workflow_step(
        request,
        objective,
        workflow.team_objective_submit,
        _("Submitted for review: the leaders have been told."),
    )


@login_required
@require_POST
def team_objective_challenge(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = access.get_team_objective_for_leader(request.user, objective_id)
    if request.POST.get("challenge-use"):
        # One click on a coach's finding: it becomes the challenge's text (and aspect),
        # to send as it is or to edit first.
        return _render_team_page(
            request, objective.team, challenge_form=_challenge_from_finding(request, objective)
        )
    form = ChallengeForm(request.POST, prefix="challenge")
    if not form.is_valid():
        # The form is on the page only while the key results are submitted: say why here
        # too, or a refused challenge would come back without a word.
        return _render_team_page(
            request,
            objective.team,
            status=UNPROCESSABLE,
            challenge_form=form,
            okr_error=_("Mark what you challenge and say why (up to 5,000 characters)."),
        )
    return _workflow_step(
        request,
        objective,
        workflow.team_objective_challenge,
        _("Challenge sent to the team."),
        ip_address=client_ip(request),
        body=form.cleaned_data["body"],
        aspects=form.cleaned_data["aspects"],
    )


def _challenge_from_finding(request: HttpRequest, objective: Objective) -> ChallengeForm:
    """The challenge form with a finding of the coach added to what the leader wrote."""
    key = request.POST.get("challenge-use", "")
    key_results = list(objective.key_results.order_by("position", "id"))
    aligned = objective.aligned_to.title if objective.aligned_to_id else ""
    findings = coaching.objective_findings(objective, key_results, aligned_title=aligned)
    finding = next((f for f in findings if f.key == key), None)
    aspects = [a for a in request.POST.getlist("challenge-aspects") if a in Comment.Aspect.values]
    body = request.POST.get("challenge-body", "")[:5000].strip()
    if finding is not None:
        if finding.rule.aspect and finding.rule.aspect not in aspects:
            aspects.append(finding.rule.aspect)
        body = f"{body}\n\n{finding.challenge_text}".strip()
    return ChallengeForm(prefix="challenge", initial={"aspects": aspects, "body": body[:5000]})


@login_required
@require_POST
def team_objective_commit(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = access.get_team_objective_for_leader(request.user, objective_id)
    return _workflow_step(
        request,
        objective,
        workflow.team_objective_commit,
        _("Committed. Off you go!"),
        ip_address=client_ip(request),
    )


@login_required
@require_POST
def comment_create(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = access.get_team_objective_for_discussion(request.user, objective_id)
    form = CommentForm(request.POST, prefix="comment")
    if not form.is_valid():
        return _render_team_page(request, objective.team, status=UNPROCESSABLE, comment_form=form)
    try:
        workflow.comment_add(
            objective=objective, author=request.user, body=form.cleaned_data["body"]
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _render_team_page(request, objective.team, status=UNPROCESSABLE, comment_form=form)
    if is_fragment_request(request):
        return okr_changed(request, objective, "")
    messages.success(request, _("Comment posted."))
    return redirect("dashboard:team-detail", slug=objective.team.slug)
