"""Cycles, objectives and key results. This app knows nothing of check-ins."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 5000
MAX_KEY_RESULTS = 5


class Cycle(models.Model):
    """A time box, usually a quarter: planning → active → closed."""

    class Status(models.TextChoices):
        PLANNING = "planning", "Planning"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=100)
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="active"),
                name="cycle_one_active",
                violation_error_message="Another cycle is already active. Close it first.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")),
                name="cycle_ends_after_start",
                violation_error_message="The end date must be after the start date.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planning", "active", "closed"]),
                name="cycle_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class Objective(models.Model):
    """The company objective of a cycle, or a team's objective aligned to it."""

    class Level(models.TextChoices):
        COMPANY = "company", "Company"
        TEAM = "team", "Team"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        CHALLENGED = "challenged", "Challenged"
        COMMITTED = "committed", "Committed"
        ARCHIVED = "archived", "Archived"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="objectives")
    level = models.CharField(max_length=10, choices=Level.choices)
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="objectives"
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    context = models.TextField(
        "why this, why now",
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text="The strategic context: why this objective, why now.",
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cycle", "level", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle"],
                condition=Q(level="company"),
                name="objective_one_company_per_cycle",
                violation_error_message="This cycle already has its company objective.",
            ),
            models.UniqueConstraint(
                fields=["cycle", "team"],
                condition=Q(level="team") & ~Q(state="archived"),
                name="objective_one_open_per_team_and_cycle",
                violation_error_message="This team already has an objective in this cycle.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(level="company", team__isnull=True) | Q(level="team", team__isnull=False)
                ),
                name="objective_team_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class KeyResult(models.Model):
    """A measurable outcome of an objective."""

    class Kind(models.TextChoices):
        INCREASE = "increase", "Increase to"
        DECREASE = "decrease", "Decrease to"
        STAY_ABOVE = "stay_above", "Stay above"
        STAY_BELOW = "stay_below", "Stay below"
        MILESTONE = "milestone", "Milestone"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INCREASE)
    start_value = models.DecimalField(max_digits=16, decimal_places=4, default=Decimal(0))
    target_value = models.DecimalField(max_digits=16, decimal_places=4, default=Decimal(0))
    current_value = models.DecimalField(max_digits=16, decimal_places=4, default=Decimal(0))
    unit = models.CharField(max_length=30, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_key_results",
    )
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["objective", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=["increase", "decrease", "stay_above", "stay_below", "milestone"]
                ),
                name="key_result_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_milestone(self) -> bool:
        return self.kind == self.Kind.MILESTONE

    @property
    def progress(self) -> int:
        from okrs.progress import key_result_progress

        return key_result_progress(
            kind=self.kind,
            start=self.start_value,
            target=self.target_value,
            current=self.current_value,
        )
