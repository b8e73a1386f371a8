"""What a sign-in through the identity provider may do to accounts, and its audit trail.

The ID token has been verified before anything here runs (teams.sso.client); these
services decide, from its claims, which account signs in:

- a subject already linked: its account (unless deactivated);
- else only a **verified** email counts: an account with that email is linked to the
  subject, once (an account keeps one identity per provider);
- else a new account (name and email from the provider), when an open invitation names
  the email (the person joins the invited teams) or its domain is allowed
  (OIDC_ALLOWED_DOMAINS).

Every sign-in, link, new account and refusal goes to the audit log with the provider's
subject; a refusal changes nothing else.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.audit import audit_record
from teams.models import (
    AuditEvent,
    ExternalIdentity,
    Invitation,
    SignInPolicy,
    Team,
    User,
)
from teams.services import membership_add
from teams.signin import normalize_email


@dataclass(frozen=True)
class SsoClaims:
    """What a verified ID token says about the person."""

    issuer: str
    subject: str
    email: str = ""
    email_verified: bool = False
    name: str = ""

    @classmethod
    def from_id_token(cls, issuer: str, claims: dict) -> "SsoClaims":
        # `email_verified` as the standard says (some providers send the string "true");
        # Microsoft Entra ID sends none, but its optional claim `xms_edov` (the email's
        # domain is verified by the tenant) says the same.
        verified = claims.get("email_verified") in (True, "true") or claims.get("xms_edov") in (
            True,
            "true",
            "1",
        )
        name = claims.get("name") or " ".join(
            part for part in (claims.get("given_name"), claims.get("family_name")) if part
        )
        return cls(
            issuer=issuer,
            subject=str(claims.get("sub") or ""),
            email=normalize_email(str(claims.get("email") or "")),
            email_verified=verified,
            name=str(name or "")[:150],
        )

    def describe(self) -> str:
        return f"sub={self.subject} iss={self.issuer} email={self.email or '-'}"


class SsoRefused(Exception):  # noqa: N818 - reads as the page it leads to
    """Nobody signs in; `reason` says why: domain, unverified, bad_token, inactive,
    already_linked."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SsoSignIn:
    user: User
    created: bool = False
    linked: bool = False
    teams: list[Team] = field(default_factory=list)


def sso_refusal_record(*, reason: str, detail: str, ip_address: str | None) -> SsoRefused:
    """Write the refusal to the audit log and return the exception to raise. Called
    after the sign-in's own transactions have ended, so their rollback never takes the
    record with it."""
    audit_record(
        actor=None,
        action=AuditEvent.Action.SSO_REFUSED,
        subject=f"{reason}: {detail}",
        ip_address=ip_address,
    )
    return SsoRefused(reason)


def email_domain_allowed(email: str) -> bool:
    domain = email.rpartition("@")[2]
    allowed = {d.strip().lower().lstrip("@") for d in settings.OIDC_ALLOWED_DOMAINS}
    return bool(domain) and domain in allowed


def open_invitations(email: str) -> list[Invitation]:
    return list(
        Invitation.objects.select_related("team").filter(
            email__iexact=email, accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
    )


def sso_sign_in(*, claims: SsoClaims, ip_address: str | None = None) -> SsoSignIn:
    """The account this verified sign-in opens, linking or creating it as the module
    says; SsoRefused (recorded in the audit log) when none may."""
    if not claims.subject:
        raise sso_refusal_record(
            reason="bad_token", detail=claims.describe(), ip_address=ip_address
        )
    try:
        return _sign_in(claims=claims, ip_address=ip_address)
    except SsoRefused as refused:
        raise sso_refusal_record(
            reason=refused.reason, detail=claims.describe(), ip_address=ip_address
        ) from None


def _sign_in(*, claims: SsoClaims, ip_address: str | None) -> SsoSignIn:
    with transaction.atomic():
        identity = (
            ExternalIdentity.objects.select_related("user")
            .filter(issuer=claims.issuer, subject=claims.subject)
            .first()
        )
        if identity is not None:
            if not identity.user.is_active:
                raise SsoRefused("inactive")
            identity.last_sign_in_at = timezone.now()
            identity.save(update_fields=["last_sign_in_at"])
            _record(identity.user, AuditEvent.Action.SSO_SIGNED_IN, claims, ip_address)
            return SsoSignIn(user=identity.user)
    # From here on the email decides, so it must be verified by the provider.
    if not claims.email_verified or not claims.email:
        raise SsoRefused("unverified")
    existing = User.objects.filter(email__iexact=claims.email).first()
    if existing is not None:
        return _link(existing, claims=claims, ip_address=ip_address)
    invitations = open_invitations(claims.email)
    if not invitations and not email_domain_allowed(claims.email):
        raise SsoRefused("domain")
    return _create(claims=claims, invitations=invitations, ip_address=ip_address)


def _link(user: User, *, claims: SsoClaims, ip_address: str | None) -> SsoSignIn:
    if not user.is_active:
        raise SsoRefused("inactive")
    try:
        with transaction.atomic():
            ExternalIdentity.objects.create(
                user=user,
                issuer=claims.issuer,
                subject=claims.subject,
                email=claims.email,
                last_sign_in_at=timezone.now(),
            )
            _record(user, AuditEvent.Action.SSO_LINKED, claims, ip_address)
            _record(user, AuditEvent.Action.SSO_SIGNED_IN, claims, ip_address)
    except IntegrityError:
        # The account is linked to another subject of this provider already (or this
        # subject was linked a moment ago by a sign-in at the same time).
        if ExternalIdentity.objects.filter(
            issuer=claims.issuer, subject=claims.subject, user=user
        ).exists():
            return SsoSignIn(user=user)
        raise SsoRefused("already_linked") from None
    return SsoSignIn(user=user, linked=True)


def _create(
    *, claims: SsoClaims, invitations: list[Invitation], ip_address: str | None
) -> SsoSignIn:
    user = User(email=claims.email, name=claims.name)
    user.set_unusable_password()
    user.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            user.save()
            ExternalIdentity.objects.create(
                user=user,
                issuer=claims.issuer,
                subject=claims.subject,
                email=claims.email,
                last_sign_in_at=timezone.now(),
            )
            teams = []
            for invitation in invitations:
                claimed = Invitation.objects.filter(
                    pk=invitation.pk, accepted_at__isnull=True
                ).update(accepted_at=timezone.now(), accepted_by=user)
                if claimed:
                    membership_add(team=invitation.team, user=user, role=invitation.role)
                    teams.append(invitation.team)
            _record(user, AuditEvent.Action.SSO_ACCOUNT_CREATED, claims, ip_address)
            _record(user, AuditEvent.Action.SSO_SIGNED_IN, claims, ip_address)
    except IntegrityError:
        # Two first sign-ins at once: the other one created the account; link to it.
        existing = User.objects.filter(email__iexact=claims.email).first()
        if existing is None:
            raise
        return _link(existing, claims=claims, ip_address=ip_address)
    return SsoSignIn(user=user, created=True, teams=teams)


def _record(user: User, action: str, claims: SsoClaims, ip_address: str | None) -> None:
    audit_record(actor=user, action=action, subject=claims.describe(), ip_address=ip_address)


@transaction.atomic
def sign_in_policy_set(
    *, sso_required: bool, actor: User, ip_address: str | None = None
) -> SignInPolicy:
    """Leaders require single sign-on for everyone (but the break-glass addresses), or
    open the password form again. Requiring it needs the provider configured."""
    if sso_required and not settings.OIDC_ENABLED:
        raise ValidationError(
            _(
                "Single sign-on is not configured (OIDC_ISSUER and OIDC_CLIENT_ID): "
                "requiring it would lock everyone out."
            )
        )
    policy = SignInPolicy.objects.select_for_update().get_or_create(pk=SignInPolicy.ID)[0]
    if policy.sso_required != sso_required:
        policy.sso_required = sso_required
        policy.changed_by, policy.changed_at = actor, timezone.now()
        policy.save()
        audit_record(
            actor=actor,
            action=AuditEvent.Action.SIGN_IN_POLICY,
            subject="single sign-on required" if sso_required else "passwords allowed again",
            ip_address=ip_address,
        )
    return policy


def sessions_end(*, user: User) -> int:
    """Delete every session of this person (a deactivated person is signed out
    everywhere at once). Sessions live in the database; each is read once."""
    user_id = str(user.pk)
    doomed = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_id
    ]
    Session.objects.filter(session_key__in=doomed).delete()
    return len(doomed)
