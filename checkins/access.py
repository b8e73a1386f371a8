"""Who may do what with check-ins, obstacles and experiments, for the pages and the API.

`get_<thing>_for_<role>(user, id)` returns the thing or raises 404 (it does not exist)
or 403 (not the user's to change). Everyone signed in reads a team's check-ins.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy

from checkins.models import Experiment, Obstacle
from teams.access import AnyUser, get_team_for_member, is_team_member
from teams.models import Team

CHECKIN_MEMBERS = gettext_lazy("Only the team's members fill in its check-in.")


def get_team_for_checkin(user: AnyUser, slug: str) -> Team:
    """The team whose check-in, obstacles or experiments the user changes."""
    return get_team_for_member(user, slug, CHECKIN_MEMBERS)


def may_fill_in(user: AnyUser, team: Team) -> bool:
    return is_team_member(user, team)


def get_obstacle_for_team(user: AnyUser, obstacle_id: int) -> Obstacle:
    obstacle = get_object_or_404(Obstacle.objects.select_related("team"), pk=obstacle_id)
    if not is_team_member(user, obstacle.team):
        raise PermissionDenied("Only the team changes its obstacles.")
    return obstacle


def get_obstacle_for_helper(user: AnyUser, obstacle_id: int) -> Obstacle:
    """A help request, for the team that was asked."""
    obstacle = get_object_or_404(
        Obstacle.objects.select_related("team", "help_team"), pk=obstacle_id
    )
    if obstacle.help_team is None or not is_team_member(user, obstacle.help_team):
        raise PermissionDenied("Only the team that was asked answers a help request.")
    return obstacle


def get_experiment_for_team(user: AnyUser, experiment_id: int) -> Experiment:
    experiment = get_object_or_404(
        Experiment.objects.select_related("team", "key_result"), pk=experiment_id
    )
    if not is_team_member(user, experiment.team):
        raise PermissionDenied("Only the team changes its experiments.")
    return experiment
