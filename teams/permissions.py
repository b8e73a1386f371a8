"""Who may do what. Every view asks here, so a missing check shows in review."""

from django.contrib.auth.models import AnonymousUser

from teams.models import User


def is_leader(user: User | AnonymousUser) -> bool:
    """True when the user is signed in, active and part of the leadership."""
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_leader", False))
