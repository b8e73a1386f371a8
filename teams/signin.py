"""One spelling of an email address for signing in, counting failures and storing it."""

from django.contrib.auth.base_user import BaseUserManager
from django.http import HttpRequest


def normalize_email(address: str | None) -> str:
    """`  Member@Example.COM ` → `member@example.com`: addresses are stored, looked up
    and counted this way, so no spelling gets its own five guesses."""
    return BaseUserManager.normalize_email((address or "").strip()).lower()


def axes_username(request: HttpRequest | None, credentials: dict | None) -> str:
    """The sign-in lockout counts failures per normalized address (AXES_USERNAME_CALLABLE)."""
    if credentials and credentials.get("username") is not None:
        return normalize_email(credentials["username"])
    data = getattr(request, "POST", None) or {}
    return normalize_email(data.get("username"))
