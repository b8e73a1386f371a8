"""Thin Celery tasks for people and accounts."""

from celery import shared_task
from django.core import management
from django.core.mail import EmailMultiAlternatives


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def send_account_email(*, subject: str, body: str, to: str, html_body: str | None = None) -> None:
    """Send an account email (password reset) off the request path."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=[to])
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()


@shared_task
def clear_expired_sessions() -> None:
    management.call_command("clearsessions")
