"""Email plumbing: one template trio per email, plain text always, absolute links."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def send_templated_email(*, name: str, to: Iterable[str], context: dict[str, Any]) -> int:
    """Render emails/<name>-subject.txt, -body.txt and -body.html and send one message
    per recipient (so nobody sees anyone else's address). Returns how many were sent."""
    context = {**context, "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    body = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    sent = 0
    for address in sorted(set(to)):
        message = EmailMultiAlternatives(subject=subject, body=body, to=[address])
        message.attach_alternative(html, "text/html")
        sent += message.send()
    return sent
