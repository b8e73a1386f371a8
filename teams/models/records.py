"""What the app keeps about what happened and what it sends: the audit log and the
email outbox."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from teams.models.people import Team


class AuditEvent(models.Model):
    """Who did what sensitive thing, when and from where; leaders read the log."""

    class Action(models.TextChoices):
        SIGNED_IN = "signed_in", _("signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("failed to sign in")
        INVITED = "invited", _("invited")
        ROLE_CHANGED = "role_changed", _("changed a role")
        MEMBER_REMOVED = "member_removed", _("removed a member")
        COMMITTED = "committed", _("committed an objective")
        CHALLENGED = "challenged", _("challenged an objective")
        CYCLE_CLOSED = "cycle_closed", _("closed a cycle")
        WEBHOOK_ADDED = "webhook_added", _("added a webhook")
        WEBHOOK_REMOVED = "webhook_removed", _("removed a webhook")
        WEBHOOK_CHANGED = "webhook_changed", _("changed a webhook")
        TOKEN_CREATED = "token_created", _("made an API token")
        TOKEN_REVOKED = "token_revoked", _("revoked an API token")
        API_WRITE = "api_write", _("wrote through the API")
        SSO_SIGNED_IN = "sso_signed_in", _("signed in with single sign-on")
        SSO_REFUSED = "sso_refused", _("was refused single sign-on")
        SSO_LINKED = "sso_linked", _("linked a single sign-on identity")
        SSO_ACCOUNT_CREATED = "sso_account_created", _("got an account through single sign-on")
        SIGN_IN_POLICY = "sign_in_policy", _("changed how people sign in")
        DEACTIVATED = "deactivated", _("was deactivated")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    subject = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The API token that made the request, when one did ("“cron” lok_ab12…").
    via = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display()} {self.subject}"


class EmailOutbox(models.Model):
    """One email to one person: the basis of "never lost, never sent twice".

    Whoever has an email to send writes a row in the transaction of what it is about;
    a send task claims the row with a conditional update, renders it with the builder
    its kind registered (`teams.outbox`), sends, and marks it sent. The reminder tick
    publishes again what a broker outage or a dead worker left behind. Rhythm emails
    (reminder, nudge, digest) are unique per kind, person, team and week; every other
    email is about an `event` ("comment:17") and unique per kind, event and person (or
    address), so writing the same event twice writes one row. The table is still named
    after the app it started in.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", gettext_lazy("Check-in reminder")
        NUDGE = "nudge", gettext_lazy("Missed check-in nudge")
        DIGEST = "digest", gettext_lazy("Weekly digest")
        OBJECTIVE_PROPOSED = "objective_proposed", gettext_lazy("Objective proposed")
        OBJECTIVE_SUBMITTED = "objective_submitted", gettext_lazy("Key results submitted")
        COMMENT_POSTED = "comment_posted", gettext_lazy("Comment or challenge")
        INVITATION = "invitation", gettext_lazy("Invitation")
        ADDED_TO_TEAM = "added_to_team", gettext_lazy("Added to a team")
        PASSWORD_RESET = "password_reset", gettext_lazy("Password reset")
        OBJECTIVE_DEFINED = "objective_defined", gettext_lazy("Objective defined for the team")
        OBJECTIVE_COMMITTED = "objective_committed", gettext_lazy("Key results committed")
        HELP_REQUESTED = "help_requested", gettext_lazy("Help asked of a team")
        HELP_ANSWERED = "help_answered", gettext_lazy("Help request answered")
        WEBHOOK_PAUSED = "webhook_paused", gettext_lazy("Webhook paused")

    RHYTHM = (Kind.REMINDER, Kind.NUDGE, Kind.DIGEST)

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Pending")
        SENDING = "sending", gettext_lazy("Sending")
        SENT = "sent", gettext_lazy("Sent")
        SKIPPED = "skipped", gettext_lazy("Skipped")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What the email is about, for all but the rhythm's ("" there): "comment:17".
    event = models.CharField(max_length=80, blank=True, default="")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox",
    )
    # Where to send when there is no account to send to (an invitation, a reset).
    address = models.EmailField(blank=True, default="")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="outbox"
    )
    period = models.DateField(
        null=True,
        blank=True,
        help_text=gettext_lazy("The Monday of the week a rhythm email is about."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        db_table = "checkins_emailoutbox"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["status", "enqueued_at"], name="checkins_em_status_cc2c0e_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "team", "period"],
                condition=models.Q(team__isnull=False),
                name="outbox_once_per_team_email",
            ),
            models.UniqueConstraint(
                fields=["kind", "recipient", "period"],
                condition=models.Q(team__isnull=True),
                name="outbox_once_per_personal_email",
            ),
            models.UniqueConstraint(
                fields=["kind", "event", "recipient"],
                condition=~models.Q(event="") & models.Q(recipient__isnull=False),
                name="outbox_once_per_event_and_person",
            ),
            models.UniqueConstraint(
                fields=["kind", "event", "address"],
                condition=~models.Q(event="") & models.Q(recipient__isnull=True),
                name="outbox_once_per_event_and_address",
            ),
            # A rhythm row names a person and a week; any other row an event and
            # someone to send to.
            models.CheckConstraint(
                condition=(
                    models.Q(event="", recipient__isnull=False, period__isnull=False)
                    | (
                        ~models.Q(event="")
                        & (models.Q(recipient__isnull=False) | ~models.Q(address=""))
                    )
                ),
                name="outbox_rhythm_or_event",
            ),
        ]

    def __str__(self) -> str:
        about = self.event or self.period
        return f"{self.kind} to {self.recipient_id or self.address} about {about}"

    @property
    def to(self) -> str:
        """The address the email goes to."""
        return self.recipient.email if self.recipient_id else self.address
