"""The end of a cycle: scores, retrospectives, carrying forward and history. Everyone
signed in reads; the team and leaders score their own objective."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import add_errors, rebase_form
from core.htmx import (
    CONFLICT,
    UNPROCESSABLE,
    is_fragment_request,
)
from core.numbers import local_number, plain_number
from core.versioning import StaleEdit
from okrs import access, review_selectors
from okrs.forms import (
    CarryForwardForm,
    RetrospectiveForm,
    ScoreForm,
)
from okrs.models import Cycle, Objective
from okrs.progress import objective_progress
from okrs.services import reviews
from teams.access import speaks_for_team


def _review_context(request: HttpRequest, objective: Objective, **extra) -> dict:
    user = request.user
    can_score = (
        objective.cycle.is_scorable
        and objective.state == Objective.State.COMMITTED
        and access.may_edit_key_results(user, objective)
    )
    key_results = list(objective.key_results.all())
    retrospective = reviews.retrospective_get(objective)
    score_forms = extra.pop("score_forms", {})
    for kr in key_results:
        kr.score_form = score_forms.get(kr.pk) or (
            ScoreForm(
                prefix=f"score{kr.pk}",
                initial={
                    "score": plain_number(kr.score if kr.score is not None else kr.suggested_score),
                    "reason": kr.score_reason,
                    "version": kr.score_version,
                },
            )
            if can_score
            else None
        )
    context = {
        "objective": objective,
        "cycle": objective.cycle,
        "key_results": key_results,
        "score": review_selectors.objective_score(key_results),
        "objective_progress": objective_progress(kr.progress for kr in key_results),
        "scored": sum(kr.score is not None for kr in key_results),
        "retrospective": retrospective,
        "can_score": can_score,
        "retro_form": extra.pop("retro_form", None)
        or (
            RetrospectiveForm(
                instance=retrospective,
                prefix="retro",
                initial={"version": retrospective.version},
            )
            if can_score
            else None
        ),
        "carry_target": _carry_target_for(user, objective),
    }
    context.update(extra)
    return context


def _carry_target_for(user, objective: Objective) -> Cycle | None:
    if objective.is_company or not speaks_for_team(user, objective.team):
        return None
    target = reviews.carry_forward_target(objective)
    if target is None or reviews.team_objective_in(target, objective.team) is not None:
        return None
    return target


@login_required
@require_GET
def objective_review(request: HttpRequest, objective_id: int) -> HttpResponse:
    """Scores and the retrospective of one objective (read-only unless it is yours)."""
    objective = access.get_objective_for_review(objective_id)
    return render(request, "okrs/objective_review.html", _review_context(request, objective))


def _review_page(request: HttpRequest, objective: Objective, *, status: int, **extra):
    objective = access.get_objective_for_review(objective.pk)
    return render(
        request,
        "okrs/objective_review.html",
        _review_context(request, objective, **extra),
        status=status,
    )


@login_required
@require_POST
def key_result_score(request: HttpRequest, key_result_id: int) -> HttpResponse:
    key_result = access.get_key_result_for_editor(
        request.user, key_result_id, _("Only the team and leaders score these key results.")
    )
    objective = key_result.objective
    form = ScoreForm(request.POST, prefix=f"score{key_result.pk}")
    status = UNPROCESSABLE
    if form.is_valid():
        try:
            current = reviews.key_result_score(
                key_result=key_result,
                score=form.cleaned_data["score"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
                actor=request.user,
            )
        except StaleEdit as stale:
            status = CONFLICT
            form = rebase_form(form, ScoreForm, stale.current, version=stale.current.score_version)
            form.is_valid()
            form.add_error(
                None,
                _(
                    "%(person)s saved this key result first (score %(score)s). "
                    "Save again to keep yours."
                )
                % {
                    "person": stale.current.scored_by or _("Someone"),
                    "score": local_number(stale.current.score) or _("not given"),
                },
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            message = _("Score %(score)s saved for “%(title)s”.") % {
                "score": local_number(current.score),
                "title": current.title,
            }
            if is_fragment_request(request):
                return _score_row(request, objective.pk, current.pk, message=message)
            messages.success(request, message)
            return redirect("okrs:objective-review", objective_id=objective.pk)
    if is_fragment_request(request):
        return _score_row(request, objective.pk, key_result.pk, form=form, status=status)
    return _review_page(request, objective, status=status, score_forms={key_result.pk: form})


def _score_row(
    request, objective_id: int, key_result_id: int, *, form=None, status=200, message=""
):
    """The key result's row for htmx; after a save, the page's score summary too (out of
    band), so the objective's score follows."""
    context = _review_context(
        request,
        access.get_objective_for_review(objective_id),
        score_forms={key_result_id: form} if form is not None else {},
    )
    context["kr"] = next(kr for kr in context["key_results"] if kr.pk == key_result_id)
    context["notice"] = message
    response = render(request, "okrs/objective_review.html#score_row", context, status=status)
    if message:
        response.content += render_to_string(
            "okrs/objective_review.html#review_summary", {**context, "oob": True}, request
        ).encode()
    return response


@login_required
@require_POST
def retrospective_edit(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = access.get_objective_for_editor(
        request.user, objective_id, _("Only the team and leaders write this retrospective.")
    )
    form = RetrospectiveForm(request.POST, prefix="retro")
    status = UNPROCESSABLE
    if form.is_valid():
        texts = {name: form.cleaned_data[name] for name in RetrospectiveForm.Meta.fields}
        try:
            reviews.retrospective_save(
                objective=objective,
                texts=texts,
                expected_version=form.cleaned_data["version"],
                actor=request.user,
            )
        except StaleEdit as stale:
            status = CONFLICT
            form = rebase_form(form, RetrospectiveForm, stale.current)
            form.is_valid()
            form.add_error(
                None,
                _(
                    "%(person)s saved the retrospective first; their text is shown below "
                    "yours. Save again to keep yours."
                )
                % {"person": stale.current.updated_by or _("Someone")},
            )
            form.current = stale.current
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Retrospective saved."))
            return redirect("okrs:objective-review", objective_id=objective.pk)
    return _review_page(request, objective, status=status, retro_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def objective_carry_forward(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = access.get_team_objective_for_spokesperson(request.user, objective_id)
    target = reviews.carry_forward_target(objective)
    existing = reviews.team_objective_in(target, objective.team) if target else None
    form = CarryForwardForm(request.POST or None, cycle=target) if target else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            carried = reviews.objective_carry_forward(
                objective=objective, aligned_to=form.cleaned_data["aligned_to"], actor=request.user
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            message = _("“%(title)s” is a draft in %(cycle)s.") % {
                "title": carried.title,
                "cycle": carried.cycle.name,
            }
            reached = reviews.reached_targets(carried)
            if reached:
                message += " " + ngettext(
                    "%(count)s key result already starts at the target: raise the bar before "
                    "you submit.",
                    "%(count)s key results already start at the target: raise the bar before "
                    "you submit.",
                    len(reached),
                ) % {"count": len(reached)}
            messages.success(request, message)
            return redirect("dashboard:team-detail", slug=objective.team.slug)
    elif request.method == "POST" and form is None:
        messages.error(
            request,
            _(
                "There is no active cycle to carry it into yet, or this objective's cycle is "
                "still running."
            ),
        )
    return render(
        request,
        "okrs/carry_forward.html",
        {
            "objective": objective,
            "target": target,
            "form": form,
            "existing": existing,
            "key_results": objective.key_results.order_by("position", "id"),
        },
        status=UNPROCESSABLE if request.method == "POST" else 200,
    )


@login_required
@require_GET
def objective_history(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = access.get_objective(objective_id)
    events, updates = review_selectors.objective_history(objective)
    return render(
        request,
        "okrs/history.html",
        {"objective": objective, "key_result": None, "events": events, "updates": updates},
    )


@login_required
@require_GET
def key_result_history(request: HttpRequest, key_result_id: int) -> HttpResponse:
    key_result = access.get_key_result(key_result_id)
    events, updates = review_selectors.objective_history(
        key_result.objective, key_result=key_result
    )
    return render(
        request,
        "okrs/history.html",
        {
            "objective": key_result.objective,
            "key_result": key_result,
            "events": events,
            "updates": updates,
        },
    )
