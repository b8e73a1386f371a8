"""Whether the password form is still open: leaders may require single sign-on for
everyone but the break-glass addresses (SSO_BREAK_GLASS_EMAILS)."""

from django.conf import settings

from teams.models import SignInPolicy
from teams.signin import normalize_email


def sso_required() -> bool:
    """Leaders require single sign-on, and it is configured (a policy left on after the
    provider's settings were removed must not lock everyone out)."""
    if not settings.OIDC_ENABLED:
        return False
    return SignInPolicy.objects.filter(pk=SignInPolicy.ID, sso_required=True).exists()


def is_break_glass(email: str | None) -> bool:
    address = normalize_email(email)
    return bool(address) and address in {
        normalize_email(e) for e in settings.SSO_BREAK_GLASS_EMAILS
    }


def password_allowed(email: str | None) -> bool:
    """May this address sign in (or get an account) with a password?"""
    return not sso_required() or is_break_glass(email)
