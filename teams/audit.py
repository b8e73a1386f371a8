"""The audit log: sensitive actions with who, when and from where."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from core.client_ip import client_ip
from teams.models import AuditEvent


def client_address(request: HttpRequest | None) -> str | None:
    """Where the request came from, as far as the trusted proxies tell (NUM_PROXIES)."""
    if request is None:
        return None
    return client_ip(request)


def audit_record(
    *, actor, action: str, subject: str = "", ip_address: str | None = None, via: str = ""
) -> AuditEvent:
    """Record one sensitive action. Services call it inside the write's transaction, so
    the record and the change it describes are saved together or not at all. `via`
    names the API token that made the request, if one did."""
    return AuditEvent.objects.create(
        actor=actor, action=action, subject=subject[:300], ip_address=ip_address, via=via[:120]
    )


def audit(request: HttpRequest | None, action: str, subject: str = "", *, actor=None) -> None:
    """Record one sensitive action that no service makes (signing in): the request
    gives who and from where."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    audit_record(actor=actor, action=action, subject=subject, ip_address=client_address(request))


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs) -> None:
    audit(request, AuditEvent.Action.SIGNED_IN, user.email, actor=user)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    audit(request, AuditEvent.Action.SIGN_IN_FAILED, str(credentials.get("username", ""))[:300])
