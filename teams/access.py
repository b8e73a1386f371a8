"""Who may do what with people and teams. Every view (and the API) asks here, so a
missing check shows in review: `is_*` answer a question, `get_<thing>_for_<role>` return
the thing or raise 404 (it does not exist) or 403 (it is not yours to do)."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from teams.models import Membership, PageEpoch, Team, User
from teams.page_version import EPOCH_ID

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


def require_leader(user: AnyUser, refusal: str = _("Only leaders can do this.")) -> None:
    """403 unless the user is a leader."""
    if not is_leader(user):
        raise PermissionDenied(refusal)


def get_team(slug: str, *, with_page_epoch: bool = False) -> Team:
    """Any team, for everyone signed in (404 when there is none); with the company's page
    epoch as `page_epoch` in the same query, for its cached page."""
    teams = Team.objects.all()
    if with_page_epoch:
        epoch = PageEpoch.objects.filter(pk=EPOCH_ID).values("version")
        teams = teams.annotate(page_epoch=Subquery(epoch))
    return get_object_or_404(teams, slug=slug)


def get_team_for_leader(user: AnyUser, slug: str, refusal: str) -> Team:
    team = get_team(slug)
    require_leader(user, refusal)
    return team


def get_team_for_manager(user: AnyUser, slug: str) -> Team:
    """The team, if the user may manage its members (a leader or one of its leads)."""
    return get_team_for_spokesperson(
        user, slug, _("Leaders and the team's leads manage its members.")
    )


def get_team_for_spokesperson(user: AnyUser, slug: str, refusal: str) -> Team:
    """The team, if the user is a leader or one of its team leads."""
    team = get_team(slug)
    if not speaks_for_team(user, team):
        raise PermissionDenied(refusal)
    return team


def get_team_for_member(user: AnyUser, slug: str, refusal: str) -> Team:
    """The team, if the user is one of its members (lead or member)."""
    team = get_team(slug)
    if not is_team_member(user, team):
        raise PermissionDenied(refusal)
    return team


def get_membership_for_manager(
    user: AnyUser, slug: str, membership_id: int
) -> tuple[Team, Membership]:
    team = get_team_for_manager(user, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "team"), pk=membership_id, team=team
    )
    return team, membership
