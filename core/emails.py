"""Email plumbing: one template trio per email, plain text always, absolute links."""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def templated_message(*, name: str, to: str, context: dict[str, Any]) -> EmailMultiAlternatives:
    """The message rendered from emails/<name>-subject.txt, -body.txt and -body.html, to
    one address (the outbox sends it; nobody sees anyone else's address)."""
    context = {**context, "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"emails/{name}-body.txt", context), to=[to]
    )
    message.attach_alternative(render_to_string(f"emails/{name}-body.html", context), "text/html")
    return message
