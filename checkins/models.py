"""Weekly PDCA check-ins, obstacles (with help between teams) and experiments."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

TEXT = 5000


class CheckIn(models.Model):
    """A team's weekly plan-do-check-act record for one ISO week."""

    class State(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        SUBMITTED = "submitted", gettext_lazy("Submitted")

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="checkins")
    objective = models.ForeignKey(
        "okrs.Objective", on_delete=models.CASCADE, related_name="checkins"
    )
    week_start = models.DateField(help_text=gettext_lazy("The Monday of the ISO week."))
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    happened = models.TextField(
        gettext_lazy("what happened compared with what we expected"), max_length=TEXT, blank=True
    )
    next_step = models.TextField(gettext_lazy("our next step"), max_length=TEXT, blank=True)
    expectation = models.TextField(
        gettext_lazy("what we expect it to bring"), max_length=TEXT, blank=True
    )
    learn_by = models.TextField(
        gettext_lazy("when we can see what we learned"), max_length=TEXT, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    TEXT_FIELDS = ("happened", "next_step", "expectation", "learn_by")

    class Meta:
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "week_start"], name="checkin_one_per_team_and_week"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.week_start:%G-W%V}"

    @property
    def week_label(self) -> str:
        return f"{self.week_start:%G-W%V}"

    @property
    def is_submitted(self) -> bool:
        return self.state == self.State.SUBMITTED


class CheckInEntry(models.Model):
    """The check-in's line for one key result: the new value, confidence and a comment."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="entries")
    key_result = models.ForeignKey(
        "okrs.KeyResult", on_delete=models.CASCADE, related_name="checkin_entries"
    )
    value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    confidence = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    comment = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["checkin", "key_result"], name="checkin_entry_one_per_key_result"
            ),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=10),
                name="checkin_entry_confidence_0_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checkin}: {self.key_result}"


class CheckInChange(models.Model):
    """A correction to a submitted check-in: kept, never overwritten."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="changes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    field = models.CharField(max_length=60)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.checkin} {self.field}"


class Obstacle(models.Model):
    """Something in the team's way; it may ask another team for help."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="obstacles")
    description = models.TextField(max_length=2000)
    is_focus = models.BooleanField(gettext_lazy("the one we work on now"), default=False)
    help_team = models.ForeignKey(
        "teams.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="help_requests",
        verbose_name=gettext_lazy("team whose help we need"),
    )
    help_answer = models.TextField(max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["resolved_at", "-is_focus", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(help_team=models.F("team")), name="obstacle_help_from_another_team"
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Experiment(models.Model):
    """A hypothesis tied to a key result: we believe that … will result in …"""

    class Status(models.TextChoices):
        PLANNED = "planned", gettext_lazy("Planned")
        RUNNING = "running", gettext_lazy("Running")
        VALIDATED = "validated", gettext_lazy("Validated")
        INVALIDATED = "invalidated", gettext_lazy("Invalidated")
        ABANDONED = "abandoned", gettext_lazy("Abandoned")

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="experiments")
    key_result = models.ForeignKey(
        "okrs.KeyResult", on_delete=models.CASCADE, related_name="experiments"
    )
    belief = models.CharField(gettext_lazy("we believe that"), max_length=300)
    outcome = models.CharField(gettext_lazy("will result in"), max_length=300)
    signal = models.CharField(gettext_lazy("we will know when"), max_length=300)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    result = models.TextField(max_length=TEXT, blank=True)
    learning = models.TextField(gettext_lazy("what we learned"), max_length=TEXT, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="experiment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"We believe that {self.belief}"
