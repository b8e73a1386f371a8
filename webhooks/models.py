"""Webhook endpoints and their deliveries (the outbox of webhooks).

An endpoint belongs to the company (`team` empty: leaders register it) or to one team
(its leads register it). Each event an endpoint wants becomes one `Delivery` row,
written in the transaction of the write that caused it; Celery sends it
(`webhooks.delivery`), retrying with backoff for a day before it is marked failed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.events import Event
from teams.models import Team

EVENT_LABELS = {
    Event.OBJECTIVE_SUBMITTED: _("Objective submitted"),
    Event.OBJECTIVE_CHALLENGED: _("Objective challenged"),
    Event.OBJECTIVE_COMMITTED: _("Objective committed"),
    Event.KEY_RESULT_VALUE_RECORDED: _("Key result value recorded"),
    Event.CHECKIN_SUBMITTED: _("Check-in submitted"),
    Event.HELP_REQUESTED: _("Help requested"),
    Event.HELP_ANSWERED: _("Help answered"),
    Event.CYCLE_REVIEW_STARTED: _("Cycle review started"),
    Event.CYCLE_CLOSED: _("Cycle closed"),
}
# The test event ("send a test event"): not one anyone subscribes to.
TEST_EVENT = "webhook.test"


class Endpoint(models.Model):
    class Format(models.TextChoices):
        STANDARD = "standard", _("JSON, signed (Standard Webhooks)")
        SLACK = "slack", _("Slack message (incoming webhook)")
        TEAMS = "teams", _("Microsoft Teams message (incoming webhook)")

    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=100, blank=True)
    events = models.JSONField(default=list)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.STANDARD)
    # Needed in the clear to sign each delivery (HMAC), as every webhook sender keeps it.
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_reason = models.CharField(max_length=300, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description or self.url

    @property
    def event_labels(self) -> list[str]:
        return [str(EVENT_LABELS[Event(e)]) for e in self.events if e in EVENT_LABELS]


class Delivery(models.Model):
    """One event for one endpoint: the message (id, type, body) is fixed when written, so
    every attempt sends the same bytes under the same `webhook-id`."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=40, unique=True)
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Retries stop a day after this (a "send again" starts a new day).
    retry_until = models.DateTimeField()
    next_attempt_at = models.DateTimeField(db_index=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhooks_due_idx")]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id}"
