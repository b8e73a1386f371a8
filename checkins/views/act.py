"""What a team acts on between check-ins: its obstacles (and the help other teams
give) and its experiments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from checkins import access, services
from checkins.forms import AnswerForm, ExperimentForm, ObstacleForm, help_team_suggestions
from checkins.views import checkin
from core.forms import rebase_form
from core.htmx import CONFLICT, UNPROCESSABLE
from core.http import error_text
from okrs.services import StaleEdit
from teams.models import Team

# --- obstacles ------------------------------------------------------------------------


def _back(request: HttpRequest, team: Team) -> HttpResponse:
    fallback = reverse("dashboard:team-detail", args=[team.slug])
    target = request.POST.get("next", "")
    if target.startswith(f"/teams/{team.slug}/"):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def obstacle_create(request: HttpRequest, slug: str) -> HttpResponse:
    team = access.get_team_for_checkin(request.user, slug)
    form = ObstacleForm(request.POST, team=team, prefix="obstacle")
    if form.is_valid():
        try:
            services.obstacle_add(
                team=team,
                description=form.cleaned_data["description"],
                help_team=form.cleaned_data["help_team"],
                focus=form.cleaned_data["focus"],
                author=request.user,
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            help_team = form.cleaned_data["help_team"]
            messages.success(
                request,
                _("Obstacle noted; %(team)s sees your request.") % {"team": help_team}
                if help_team
                else _("Obstacle noted."),
            )
    else:
        again = _checkin_page_with(request, team, form)
        if again is not None:
            return again
        problems = [str(error) for errors in form.errors.values() for error in errors]
        messages.error(request, " ".join([*problems, _("Nothing was saved.")]))
    return _back(request, team)


def _checkin_page_with(request: HttpRequest, team: Team, form: ObstacleForm):
    """This week's check-in page again, with the obstacle as typed and what is wrong with
    it beside its fields (422), so nothing typed is lost; None when the team has no
    check-in this week (the page cannot be shown)."""
    week = services.this_week()
    try:
        objective = services.checkin_objective(team=team, week=week)
    except ValidationError:
        return None
    context = checkin.page_context(request, team, week, objective, obstacle_form=form)
    return render(request, checkin.PAGE, context, status=UNPROCESSABLE)


@login_required
@require_GET
def help_teams(request: HttpRequest, slug: str) -> HttpResponse:
    """The options of the help-team field: other teams whose name holds what was typed."""
    team = access.get_team_for_checkin(request.user, slug)
    typed = request.GET.get("obstacle-help_team", "")[:100]
    return HttpResponse(
        format_html_join(
            "", '<option value="{}"></option>', ((n,) for n in help_team_suggestions(team, typed))
        )  # fmt: skip
    )


@login_required
@require_POST
def obstacle_focus(request: HttpRequest, obstacle_id: int) -> HttpResponse:
    obstacle = access.get_obstacle_for_team(request.user, obstacle_id)
    try:
        services.obstacle_focus(obstacle=obstacle)
    except ValidationError as error:
        messages.error(request, error_text(error))
    return _back(request, obstacle.team)


@login_required
@require_POST
def obstacle_resolve(request: HttpRequest, obstacle_id: int) -> HttpResponse:
    obstacle = access.get_obstacle_for_team(request.user, obstacle_id)
    try:
        services.obstacle_resolve(obstacle=obstacle)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Obstacle resolved."))
    return _back(request, obstacle.team)


@login_required
@require_POST
def obstacle_answer(request: HttpRequest, obstacle_id: int) -> HttpResponse:
    """The team asked for help answers; both teams see the request resolved."""
    obstacle = access.get_obstacle_for_helper(request.user, obstacle_id)
    form = AnswerForm(request.POST, prefix=f"answer{obstacle.pk}")
    if not form.is_valid():
        messages.error(request, _("Write your answer (up to 2,000 characters); nothing was saved."))
        return _back(request, obstacle.help_team)
    try:
        services.obstacle_answer(
            obstacle=obstacle, answer=form.cleaned_data["answer"], author=request.user
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, _("Answer sent: %(team)s sees it resolved.") % {"team": obstacle.team}
        )
    return _back(request, obstacle.help_team)


# --- experiments ----------------------------------------------------------------------


def _experiment_data(form: ExperimentForm) -> services.ExperimentData:
    data = form.cleaned_data
    return services.ExperimentData(
        key_result=data["key_result"],
        belief=data["belief"],
        outcome=data["outcome"],
        signal=data["signal"],
        status=data["status"],
        started_on=data["started_on"],
        ended_on=data["ended_on"],
        result=data.get("result", ""),
        learning=data.get("learning", ""),
    )


@login_required
@require_http_methods(["GET", "POST"])
def experiment_create(request: HttpRequest, slug: str) -> HttpResponse:
    team = access.get_team_for_checkin(request.user, slug)
    form = ExperimentForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            services.experiment_create(team=team, data=_experiment_data(form), author=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Experiment recorded."))
            return redirect("dashboard:team-detail", slug=team.slug)
    return render(
        request,
        "checkins/experiment_form.html",
        {"form": form, "team": team},
        status=UNPROCESSABLE if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def experiment_edit(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = access.get_experiment_for_team(request.user, experiment_id)
    team = experiment.team
    form = ExperimentForm(
        request.POST or None,
        instance=experiment,
        initial={"version": experiment.version},
        team=team,
    )
    status, current = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            services.experiment_update(
                experiment=experiment,
                data=_experiment_data(form),
                expected_version=form.cleaned_data["version"] or 0,
            )
        except StaleEdit as stale:
            current, status = stale.current, CONFLICT
            form = rebase_form(form, ExperimentForm, current, team=team)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Experiment saved."))
            return redirect("dashboard:team-detail", slug=team.slug)
    if form.errors:
        status = UNPROCESSABLE
    return render(
        request,
        "checkins/experiment_form.html",
        {"form": form, "team": team, "experiment": experiment, "current": current},
        status=status,
    )


# --- unsubscribe ----------------------------------------------------------------------
