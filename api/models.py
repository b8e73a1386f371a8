"""API tokens and the answers kept for retried writes (`Idempotency-Key`)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A secret that lets a program use the API. Only its SHA-256 is stored; the secret
    itself is shown once, when it is made.

    A personal token acts as its owner with the owner's permissions of the moment; a
    team token records values for its team's key results only, for as long as the
    person who made it still speaks for the team (its lead or a leader)."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("personal")
        TEAM = "team", _("team")

    class Scope(models.TextChoices):
        READ = "read", _("read")
        WRITE = "write", _("read and write")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=80)
    scope = models.CharField(_("access"), max_length=10, choices=Scope.choices)
    # The owner of a personal token; the maker of a team token.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(max_length=16)
    secret_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="team", team__isnull=False)
                | Q(kind="personal", team__isnull=True),
                name="api_token_team_only_for_team_tokens",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def last_day(self) -> date:
        """The last day the token works (it expires at the midnight after it)."""
        return (timezone.localtime(self.expires_at) - timedelta(microseconds=1)).date()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def may_write(self) -> bool:
        return self.scope == self.Scope.WRITE


class IdempotentWrite(models.Model):
    """The answer to a write sent with an `Idempotency-Key`, per token: the same key
    again gets the same answer and writes nothing. Saved in the write's transaction (the
    unique constraint makes a second write with the key wait for the first, then find
    it), so a write that failed leaves no key behind."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_key_per_token")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
