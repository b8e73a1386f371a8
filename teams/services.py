"""Every write to teams, memberships and invitations goes through here."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teams import emails
from teams.audit import audit_record
from teams.invitations import InvitationInvalid, invitation_from_token
from teams.models import AuditEvent, Invitation, Membership, Team, User
from teams.outbox import outbox_write
from teams.schedule import team_next_reminder
from teams.signin import normalize_email


@transaction.atomic
def team_create(*, name: str, slug: str, purpose: str) -> Team:
    """A new team, without members yet."""
    team = Team(name=name, slug=slug, purpose=purpose)
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def team_update(*, team: Team, name: str, slug: str, purpose: str) -> Team:
    team.name, team.slug, team.purpose = name, slug, purpose
    team.full_clean()
    team.save()
    return team


def membership_add(*, team: Team, user: User, role: str = Membership.Role.MEMBER) -> Membership:
    """Put a person in a team (idempotent: an existing membership keeps its role)."""
    if role not in Membership.Role.values:
        raise ValidationError(_("Choose team lead or member."))
    try:
        with transaction.atomic():
            membership, _created = Membership.objects.get_or_create(
                team=team, user=user, defaults={"role": role}
            )
    except IntegrityError:
        membership = Membership.objects.get(team=team, user=user)
    return membership


@transaction.atomic
def membership_remove(
    *, membership: Membership, actor: User | None = None, ip_address: str | None = None
) -> None:
    """Take a person out of a team; a team keeps at least one lead."""
    locked = list(
        Membership.objects.select_for_update(no_key=True)
        .filter(team_id=membership.team_id)
        .order_by("pk")
    )
    if membership.role == Membership.Role.LEAD:
        leads = [m for m in locked if m.role == Membership.Role.LEAD]
        if len(leads) <= 1:
            raise ValidationError(
                _("A team needs at least one team lead. Make someone else lead first.")
            )
    Membership.objects.filter(pk=membership.pk).delete()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.MEMBER_REMOVED,
        subject=f"{membership.user.email} from {membership.team}",
        ip_address=ip_address,
    )


@transaction.atomic
def membership_set_role(
    *,
    membership: Membership,
    role: str,
    actor: User | None = None,
    ip_address: str | None = None,
) -> Membership:
    """Make a member a team lead or the other way round; a team keeps one lead."""
    if role not in Membership.Role.values:
        raise ValidationError(_("Choose team lead or member."))
    locked = list(
        Membership.objects.select_for_update(no_key=True)
        .filter(team_id=membership.team_id)
        .order_by("pk")
    )
    demoting = role == Membership.Role.MEMBER and membership.role == Membership.Role.LEAD
    if demoting and sum(m.role == Membership.Role.LEAD for m in locked) <= 1:
        raise ValidationError(_("A team needs at least one team lead."))
    Membership.objects.filter(pk=membership.pk).update(role=role)
    membership.role = role
    audit_record(
        actor=actor,
        action=AuditEvent.Action.ROLE_CHANGED,
        subject=f"{membership.user.email} in {membership.team}: {role}",
        ip_address=ip_address,
    )
    return membership


@dataclass(frozen=True)
class InvitationOutcome:
    invitation: Invitation | None
    membership: Membership | None

    @property
    def added_existing_account(self) -> bool:
        return self.invitation is None


def invitation_create(
    *, team: Team, email: str, role: str, invited_by: User, ip_address: str | None = None
) -> InvitationOutcome:
    """Invite an email address into a team.

    Someone who already has an account is added straight away (and told so by email);
    anyone else gets a single-use link that expires after seven days.
    """
    email = normalize_email(email)
    if role not in Membership.Role.values:
        raise ValidationError(_("Choose team lead or member."))
    with transaction.atomic():
        audit_record(
            actor=invited_by,
            action=AuditEvent.Action.INVITED,
            subject=f"{email} to {team} as {role}",
            ip_address=ip_address,
        )
        existing = User.objects.filter(email__iexact=email, is_active=True).first()
        if existing is not None:
            if Membership.objects.filter(team=team, user=existing).exists():
                raise ValidationError(
                    _("%(email)s is already in %(team)s.") % {"email": email, "team": team.name}
                )
            membership = membership_add(team=team, user=existing, role=role)
            outbox_write(emails.added_to_team_rows(membership))
            return InvitationOutcome(invitation=None, membership=membership)
        now = timezone.now()
        invitation = Invitation.objects.create(
            team=team,
            email=email,
            role=role,
            invited_by=invited_by,
            created_at=now,
            expires_at=now + timedelta(days=Invitation.LIFETIME_DAYS),
        )
        outbox_write(emails.invitation_rows(invitation))
    return InvitationOutcome(invitation=invitation, membership=None)


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Someone asked for a password reset link: one outbox row to the address as typed,
    whether or not an account uses it (the email's builder decides, off the request), so
    the request does the same work either way."""
    outbox_write(emails.password_reset_rows(email))


def invitation_account(invitation: Invitation) -> User | None:
    """The account the invitation's address already has, if any."""
    return User.objects.filter(email__iexact=invitation.email).first()


def invitation_accept(*, token: str, name: str = "", password: str = "") -> tuple[User, bool]:
    """Put the invitee in the team, once: with a new account from the name and password,
    or, when the address has an account already, that account (which the link does not
    sign in: its password does). Returns the user and whether the account is new."""
    invitation = invitation_from_token(token)
    existing = invitation_account(invitation)
    if existing is not None and not existing.is_active:
        raise InvitationInvalid("invalid", invitation)
    with transaction.atomic():
        # The conditional update decides who wins when the link is used twice at once.
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            accepted_at=timezone.now()
        )
        if not claimed:
            raise InvitationInvalid("used", invitation)
        user, created = existing, False
        if user is None:
            user, created = _account_create(
                email=invitation.email, name=name.strip(), password=password
            )
        membership_add(team=invitation.team, user=user, role=invitation.role)
        Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user)
    return user, created


def _account_create(*, email: str, name: str, password: str) -> tuple[User, bool]:
    """A new account for an invited address, unless one appeared meanwhile (another
    invitation to the same address accepted at the same moment): then that account,
    which the invitee opens with its own password. Returns it and whether it is new."""
    user = User(email=email, name=name)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(validate_unique=False, validate_constraints=False)  # the database decides
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        return User.objects.get(email__iexact=email), False
    return user, True


@transaction.atomic
def team_schedule_update(*, team: Team, weekday: int, at, time_zone: str) -> Team:
    """The team's weekly check-in moment; the next reminder follows it."""
    team.checkin_weekday, team.checkin_time, team.time_zone = weekday, at, time_zone
    team.full_clean()
    team.next_reminder_at = team_next_reminder(team, after=timezone.now())
    team.save(update_fields=["checkin_weekday", "checkin_time", "time_zone", "next_reminder_at"])
    return team


PREFERENCE_FIELDS = ("email_reminders", "email_nudges", "email_digest", "email_comments")


@transaction.atomic
def profile_update(
    *,
    user: User,
    name: str,
    time_zone: str,
    preferences: dict[str, bool],
    language: str | None = None,
) -> User:
    """A person's name, time zone, language (None keeps it) and which emails they want."""
    moved = time_zone != user.time_zone
    user.name, user.time_zone = name.strip(), time_zone
    if language is not None:
        user.language = language
    for field in PREFERENCE_FIELDS:
        setattr(user, field, bool(preferences.get(field)))
    if moved:
        user.next_digest_at = None  # the tick schedules it again in the new time zone
    user.full_clean(exclude=["password"])
    user.save(update_fields=["name", "time_zone", "language", "next_digest_at", *PREFERENCE_FIELDS])
    return user
