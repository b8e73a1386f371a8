"""Token secrets: made, hashed and looked up. Only the hash is stored.

A secret is `lok_` and 43 random URL-safe characters (256 bits), so a plain SHA-256 is
enough to store it: nothing short enough to guess hides behind the hash.
"""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from api.models import ApiToken

SECRET_PREFIX = "lok_"
# The shown part of a token, to tell tokens apart in lists and the audit log.
SHOWN_CHARACTERS = 10
# last_used_at is written at most this often per token: a busy cron job does not write
# a row on every request.
LAST_USED_EVERY = timedelta(minutes=1)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def shown_prefix(secret: str) -> str:
    return secret[:SHOWN_CHARACTERS]


def token_for_secret(secret: str) -> ApiToken | None:
    """The token of a secret, with its owner and team, or None (one query). Whether it
    still works (revoked, expired, owner deactivated) is `api.access`'s question."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    return (
        ApiToken.objects.select_related("user", "team")
        .filter(secret_hash=secret_hash(secret))
        .first()
    )


def mark_used(token: ApiToken) -> None:
    """Note when the token was last used (at most once a minute, one UPDATE)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def describe(token: ApiToken) -> str:
    """How the audit log names a token."""
    return f"“{token.name}” {token.prefix}…"


__all__ = ["describe", "mark_used", "new_secret", "secret_hash", "token_for_secret"]
