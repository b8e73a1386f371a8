"""Who may do what with a token: the same rules as the pages (`okrs.access`,
`teams.access`), asked as the token's owner. A token that no longer works raises
`TokenRefused` (401); a thing that is not the token's to do raises `PermissionDenied`
(403); a thing that does not exist, `Http404`.

- A personal token acts as its owner, with the owner's permissions of the moment (a
  lead who is no longer lead loses what only leads may do), read-only or read-write.
- A team token records values for its team's key results and reads its team's
  objective (to learn the key results' ids and versions), nothing else; it works while
  the person who made it is active and still speaks for the team (its lead or a leader).
"""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken
from okrs import access as okrs_access
from okrs.models import KeyResult, Objective
from teams.access import speaks_for_team
from teams.models import Team


class TokenRefused(Exception):  # noqa: N818 - an answer, like Http404
    """The token does not (or no longer) work: 401 with this message."""


def token_problem(token: ApiToken | None) -> str | None:
    """Why a token cannot be used at all, or None when it can."""
    if token is None:
        return _("This token is not known. Make a new one under Settings and emails.")
    if token.revoked_at is not None:
        return _("This token was revoked.")
    if token.expires_at <= timezone.now():
        return _("This token has expired. Make a new one.")
    if not token.user.is_active:
        return _("The person this token belongs to is deactivated.")
    if token.kind == ApiToken.Kind.TEAM and not speaks_for_team(token.user, token.team):
        return _(
            "The person who made this team token no longer leads the team: the team's lead "
            "or a leader makes a new one."
        )
    return None


def ensure_usable(token: ApiToken | None) -> ApiToken:
    problem = token_problem(token)
    if problem:
        raise TokenRefused(problem)
    return token


def require_personal(token: ApiToken) -> None:
    """Reads of the whole company: personal tokens (anyone signed in reads the pages)."""
    if token.kind != ApiToken.Kind.PERSONAL:
        raise PermissionDenied(
            _("A team token records its team's key result values and reads its team only.")
        )


def require_team_reader(token: ApiToken, team: Team) -> None:
    """A team's objective: any personal token, and the team's own team tokens."""
    if token.kind == ApiToken.Kind.TEAM and token.team_id != team.pk:
        raise PermissionDenied(_("This team token belongs to another team."))


def require_write(token: ApiToken) -> None:
    if not token.may_write:
        raise PermissionDenied(_("This token may only read. Make a read-write token to write."))


def get_key_result_for_api_writer(token: ApiToken, key_result_id: int) -> KeyResult:
    """A key result whose value the token may record (404, then 403)."""
    key_result = okrs_access.get_key_result(key_result_id)
    if token.kind == ApiToken.Kind.TEAM:
        objective: Objective = key_result.objective
        if objective.is_company or objective.team_id != token.team_id:
            raise PermissionDenied(_("A team token records values for its own team only."))
        require_write(token)
        return key_result
    if not okrs_access.may_edit_key_results(token.user, key_result.objective):
        raise PermissionDenied(_(okrs_access.KEY_RESULT_EDITORS))
    require_write(token)
    return key_result


def get_team_objective_for_api_comment(token: ApiToken, objective_id: int) -> Objective:
    """A team objective the token's owner may discuss (personal read-write tokens)."""
    objective = okrs_access.get_team_objective(objective_id)
    require_personal(token)
    objective = okrs_access.get_team_objective_for_discussion(token.user, objective_id)
    require_write(token)
    return objective
