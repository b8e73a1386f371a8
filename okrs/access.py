"""Who may do what with cycles, objectives and key results, for the pages and the API.

Each `get_<thing>_for_<role>(user, id)` returns the thing or raises 404 (it does not
exist) or 403 (it exists, but this is not the user's to do). The role questions
themselves (leader, member, lead) live in `teams.access`.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okrs import review_selectors
from okrs.models import Cycle, KeyResult, Objective
from teams.access import AnyUser, is_leader, is_team_member, require_leader, speaks_for_team

KEY_RESULT_EDITORS = gettext_lazy("Only the team and leaders can change these key results.")


def may_edit_key_results(user: AnyUser, objective: Objective) -> bool:
    """Who may change an objective's key results (the workflow's state rules aside):
    leaders for the company objective; leaders and the team for a team objective."""
    if objective.is_company:
        return is_leader(user)
    return is_leader(user) or is_team_member(user, objective.team)


def get_cycle(cycle_id: int) -> Cycle:
    """Any cycle, for everyone signed in."""
    return get_object_or_404(Cycle, pk=cycle_id)


def get_cycle_for_leader(user: AnyUser, cycle_id: int, refusal: str = "") -> Cycle:
    cycle = get_cycle(cycle_id)
    require_leader(user, refusal or _("Only leaders can do this."))
    return cycle


def get_objective(objective_id: int) -> Objective:
    """Any objective, for everyone signed in (its history, its review)."""
    return get_object_or_404(
        Objective.objects.select_related("cycle", "team", "aligned_to"), pk=objective_id
    )


def get_objective_for_review(objective_id: int) -> Objective:
    """Any objective with what its review page shows (key results, scores), for everyone
    signed in; who may score it is `may_edit_key_results`."""
    objective = review_selectors.objective_for_review(objective_id)
    if objective is None:
        raise Http404("No such objective.")
    return objective


def get_objective_for_leader(user: AnyUser, objective_id: int) -> Objective:
    objective = get_objective(objective_id)
    require_leader(user)
    return objective


def get_objective_for_editor(
    user: AnyUser, objective_id: int, refusal: str = KEY_RESULT_EDITORS
) -> Objective:
    """An objective whose key results (scores, retrospective) the user may change."""
    objective = get_objective(objective_id)
    if not may_edit_key_results(user, objective):
        raise PermissionDenied(refusal)
    return objective


def get_key_result(key_result_id: int) -> KeyResult:
    """Any key result, for everyone signed in."""
    return get_object_or_404(
        KeyResult.objects.select_related("objective__cycle", "objective__team", "owner"),
        pk=key_result_id,
    )


def get_key_result_for_editor(
    user: AnyUser, key_result_id: int, refusal: str = KEY_RESULT_EDITORS
) -> KeyResult:
    key_result = get_key_result(key_result_id)
    if not may_edit_key_results(user, key_result.objective):
        raise PermissionDenied(refusal)
    return key_result


def get_team_objective(objective_id: int) -> Objective:
    return get_object_or_404(
        Objective.objects.select_related("cycle", "team", "aligned_to"),
        pk=objective_id,
        level=Objective.Level.TEAM,
    )


def get_team_objective_for_leader(user: AnyUser, objective_id: int) -> Objective:
    objective = get_team_objective(objective_id)
    require_leader(user, _("Only leaders define, challenge or commit a team's objective."))
    return objective


def get_team_objective_for_team(user: AnyUser, objective_id: int) -> Objective:
    objective = get_team_objective(objective_id)
    if not is_team_member(user, objective.team):
        raise PermissionDenied("Only the team can submit its key results.")
    return objective


def get_team_objective_for_discussion(user: AnyUser, objective_id: int) -> Objective:
    objective = get_team_objective(objective_id)
    if not (is_leader(user) or is_team_member(user, objective.team)):
        raise PermissionDenied("The team and leaders discuss a team's objective.")
    return objective


def get_team_objective_for_spokesperson(user: AnyUser, objective_id: int) -> Objective:
    """A team objective its team lead or a leader may carry forward."""
    objective = get_team_objective(objective_id)
    if not speaks_for_team(user, objective.team):
        raise PermissionDenied("The team's lead or a leader carries an objective forward.")
    return objective
