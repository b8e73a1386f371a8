"""The access modules (`teams.access`, `okrs.access`, `checkins.access`): the one place
pages (and the API) ask who may do what. Each `get_<thing>_for_<role>` returns the
thing, raises 404 when it does not exist and 403 when it is not the user's to do."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from checkins import access as checkin_access
from okrs import access as okr_access
from teams import access as team_access
from tests.factories import (
    ExperimentFactory,
    KeyResultFactory,
    MembershipFactory,
    ObstacleFactory,
    TeamObjectiveFactory,
)
from tests.helpers import ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(users_by_role):
    return {**users_by_role, "anonymous": AnonymousUser()}


@pytest.fixture
def world(team, payments):
    objective = TeamObjectiveFactory(team=team)
    key_result = KeyResultFactory(objective=objective)
    return {
        "objective": objective,
        "key_result": key_result,
        "company": objective.aligned_to.objective,
        "company_key_result": objective.aligned_to,
        "obstacle": ObstacleFactory(team=team, help_team=payments),
        "experiment": ExperimentFactory(team=team, key_result=key_result),
    }


def _allowed(call, user) -> bool:
    try:
        call(user)
    except PermissionDenied:
        return False
    return True


# who may, per access function; the thing comes from `world` (or the team's slug)
CASES = {
    "teams.get_team_for_manager": (
        lambda w, u: team_access.get_team_for_manager(u, "onboarding"),
        {"lead", "leader"},
    ),
    "teams.get_team_for_leader": (
        lambda w, u: team_access.get_team_for_leader(u, "onboarding", "No."),
        {"leader"},
    ),
    "teams.get_team_for_spokesperson": (
        lambda w, u: team_access.get_team_for_spokesperson(u, "onboarding", "No."),
        {"lead", "leader"},
    ),
    "okrs.get_cycle_for_leader": (
        lambda w, u: okr_access.get_cycle_for_leader(u, w["objective"].cycle_id),
        {"leader"},
    ),
    "okrs.get_objective_for_editor (team)": (
        lambda w, u: okr_access.get_objective_for_editor(u, w["objective"].pk),
        {"member", "lead", "leader"},
    ),
    "okrs.get_objective_for_editor (company)": (
        lambda w, u: okr_access.get_objective_for_editor(u, w["company"].pk),
        {"leader"},
    ),
    "okrs.get_key_result_for_editor (team)": (
        lambda w, u: okr_access.get_key_result_for_editor(u, w["key_result"].pk),
        {"member", "lead", "leader"},
    ),
    "okrs.get_key_result_for_editor (company)": (
        lambda w, u: okr_access.get_key_result_for_editor(u, w["company_key_result"].pk),
        {"leader"},
    ),
    "okrs.get_team_objective_for_leader": (
        lambda w, u: okr_access.get_team_objective_for_leader(u, w["objective"].pk),
        {"leader"},
    ),
    "okrs.get_team_objective_for_team": (
        lambda w, u: okr_access.get_team_objective_for_team(u, w["objective"].pk),
        {"member", "lead"},
    ),
    "okrs.get_team_objective_for_discussion": (
        lambda w, u: okr_access.get_team_objective_for_discussion(u, w["objective"].pk),
        {"member", "lead", "leader"},
    ),
    "okrs.get_team_objective_for_spokesperson": (
        lambda w, u: okr_access.get_team_objective_for_spokesperson(u, w["objective"].pk),
        {"lead", "leader"},
    ),
    "checkins.get_team_for_checkin": (
        lambda w, u: checkin_access.get_team_for_checkin(u, "onboarding"),
        {"member", "lead"},
    ),
    "checkins.get_obstacle_for_team": (
        lambda w, u: checkin_access.get_obstacle_for_team(u, w["obstacle"].pk),
        {"member", "lead"},
    ),
    "checkins.get_experiment_for_team": (
        lambda w, u: checkin_access.get_experiment_for_team(u, w["experiment"].pk),
        {"member", "lead"},
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_each_access_function_lets_in_exactly_its_roles(name, people, world):
    call, allowed = CASES[name]
    let_in = {role for role in ROLES if _allowed(lambda u: call(world, u), people[role])}
    assert let_in == allowed


def test_a_help_request_is_answered_by_the_team_asked_only(people, world, payments):
    helper = MembershipFactory(team=payments).user
    obstacle = world["obstacle"]
    assert checkin_access.get_obstacle_for_helper(helper, obstacle.pk) == obstacle
    for role in ROLES:  # none of them is in Payments
        with pytest.raises(PermissionDenied):
            checkin_access.get_obstacle_for_helper(people[role], obstacle.pk)


@pytest.mark.parametrize(
    "call",
    [
        lambda u: team_access.get_team_for_manager(u, "no-such-team"),
        lambda u: okr_access.get_cycle_for_leader(u, 999_999),
        lambda u: okr_access.get_objective_for_editor(u, 999_999),
        lambda u: okr_access.get_key_result_for_editor(u, 999_999),
        lambda u: okr_access.get_team_objective_for_leader(u, 999_999),
        lambda u: checkin_access.get_team_for_checkin(u, "no-such-team"),
        lambda u: checkin_access.get_obstacle_for_team(u, 999_999),
        lambda u: checkin_access.get_experiment_for_team(u, 999_999),
    ],
)
def test_what_does_not_exist_is_404_for_everyone_even_leaders(call, people):
    with pytest.raises(Http404):
        call(people["leader"])


def test_a_company_objective_is_no_team_objective(people, world):
    with pytest.raises(Http404):
        okr_access.get_team_objective_for_leader(people["leader"], world["company"].pk)
