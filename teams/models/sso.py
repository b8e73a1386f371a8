"""Single sign-on: which account a provider's person is, and whether leaders require it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExternalIdentity(models.Model):
    """A person at the company's identity provider (its `iss` and `sub`), linked once to
    an account: at the first sign-in that created it, or through a verified email that
    an account already had. Later sign-ins find the account by the subject alone."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    email = models.EmailField(help_text=_("The verified email the provider gave at linking."))
    linked_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="identity_unique_subject"),
            # Linked once: one identity per provider and account.
            models.UniqueConstraint(fields=["issuer", "user"], name="identity_one_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer} ({self.email})"


class SignInPolicy(models.Model):
    """One row: whether everyone must sign in through the identity provider (leaders
    change it; the break-glass addresses of SSO_BREAK_GLASS_EMAILS keep their password)."""

    ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=ID, editable=False)
    sso_required = models.BooleanField(_("require single sign-on"), default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"single sign-on required: {self.sso_required}"
