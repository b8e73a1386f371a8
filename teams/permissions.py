"""Who may do what. Every view asks here, so a missing check shows in review."""

from django.contrib.auth.models import AnonymousUser

from teams.models import Membership, Team, User

AnyUser = User | AnonymousUser


def is_leader(user: AnyUser) -> bool:
    """True when the user is signed in, active and part of the leadership."""
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_leader", False))


def team_role(user: AnyUser, team: Team) -> str | None:
    """The user's role in the team ("lead" or "member"), or None for outsiders."""
    if not user.is_authenticated:
        return None
    cache = getattr(user, "_team_roles", None)
    if cache is None:
        cache = dict(Membership.objects.filter(user=user).values_list("team_id", "role"))
        user._team_roles = cache
    return cache.get(team.pk)


def is_team_member(user: AnyUser, team: Team) -> bool:
    """Lead or member of the team."""
    return team_role(user, team) is not None


def is_team_lead(user: AnyUser, team: Team) -> bool:
    return team_role(user, team) == Membership.Role.LEAD


def speaks_for_team(user: AnyUser, team: Team) -> bool:
    """Leaders speak for every team, a team lead for their own: they manage its members,
    propose its objective and carry it into the next cycle."""
    return is_leader(user) or is_team_lead(user, team)


can_manage_members = speaks_for_team
