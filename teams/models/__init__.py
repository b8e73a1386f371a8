"""People and teams. This app knows nothing of OKRs.

`people` holds who signs in, the teams, their members and invitations; `records` the
audit log and the email outbox. Import them from here (migrations name
`teams.models.validate_time_zone` and the like)."""

from teams.models.people import (
    RESERVED_TEAM_SLUGS,
    SLUG_RULE,
    Invitation,
    Membership,
    PageEpoch,
    Team,
    User,
    UserManager,
    default_time_zone,
    validate_team_slug,
    validate_time_zone,
)
from teams.models.records import AuditEvent, EmailOutbox
from teams.models.sso import ExternalIdentity, SignInPolicy

__all__ = [
    "RESERVED_TEAM_SLUGS",
    "SLUG_RULE",
    "AuditEvent",
    "EmailOutbox",
    "ExternalIdentity",
    "Invitation",
    "Membership",
    "PageEpoch",
    "SignInPolicy",
    "Team",
    "User",
    "UserManager",
    "default_time_zone",
    "validate_team_slug",
    "validate_time_zone",
]
