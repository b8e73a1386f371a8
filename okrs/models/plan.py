"""What a cycle plans: the cycle, its objectives and their key results."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okrs.progress import key_result_progress

TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 5000
MAX_KEY_RESULTS = 5


# The limits of a cycle's dates (Cycle.clean).
MAX_CYCLE_DAYS = 366
MAX_YEARS_AWAY = 5


class Cycle(models.Model):
    """A time box, usually a quarter: planning → active → review → closed.

    In review the cycle's OKRs are frozen but teams and leaders still score their key
    results and write their retrospectives, until `review_until`; closed is read-only.
    """

    class Status(models.TextChoices):
        PLANNING = "planning", gettext_lazy("Planning")
        ACTIVE = "active", gettext_lazy("Active")
        REVIEW = "review", gettext_lazy("In review")
        CLOSED = "closed", gettext_lazy("Closed")

    name = models.CharField(gettext_lazy("name"), max_length=100)
    start_date = models.DateField(gettext_lazy("start date"))
    end_date = models.DateField(gettext_lazy("end date"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNING)
    review_until = models.DateField(
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "The last day of scoring and retrospectives; the cycle closes after it."
        ),
    )
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
                condition=Q(status__in=["planning", "active", "review", "closed"]),
                name="cycle_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Dates a person meant: a start within MAX_YEARS_AWAY of today (a typo such as
        0026 for 2026 is caught) and a cycle of a year at most."""
        super().clean()
        if self.start_date is None or self.end_date is None:
            return
        today = timezone.localdate()
        errors: dict[str, list[str]] = {}
        if abs((self.start_date - today).days) > MAX_YEARS_AWAY * 366:
            errors["start_date"] = [
                _("Start within %(years)s years of today: is the year right?")
                % {"years": MAX_YEARS_AWAY}
            ]
        if self.end_date > self.start_date and (
            (self.end_date - self.start_date).days > MAX_CYCLE_DAYS
        ):
            errors["end_date"] = [
                _("A cycle lasts a year at most: OKRs work in quarters, sometimes half-years.")
            ]
        if errors:
            raise ValidationError(errors)

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_open(self) -> bool:
        """Its OKRs may change (planning and active)."""
        return self.status in (self.Status.PLANNING, self.Status.ACTIVE)

    @property
    def in_review(self) -> bool:
        return self.status == self.Status.REVIEW

    @property
    def is_scorable(self) -> bool:
        """Scores and retrospectives may be written (the end of the active phase and
        the review)."""
        return self.status in (self.Status.ACTIVE, self.Status.REVIEW)


class Objective(models.Model):
    """The company objective of a cycle, or a team's objective aligned to it."""

    class Level(models.TextChoices):
        COMPANY = "company", gettext_lazy("Company")
        TEAM = "team", gettext_lazy("Team")

    class State(models.TextChoices):
        PROPOSED = "proposed", gettext_lazy("Proposed by the team")
        DRAFT = "draft", gettext_lazy("Draft")
        SUBMITTED = "submitted", gettext_lazy("Submitted")
        CHALLENGED = "challenged", gettext_lazy("Challenged")
        COMMITTED = "committed", gettext_lazy("Committed")
        ARCHIVED = "archived", gettext_lazy("Archived")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="objectives")
    level = models.CharField(max_length=10, choices=Level.choices)
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="objectives"
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    context = models.TextField(
        gettext_lazy("why this, why now"),
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text=gettext_lazy("The strategic context: why this objective, why now."),
    )
    aligned_to = models.ForeignKey(
        "KeyResult",
        null=True,
        blank=True,
        # Removing a company key result is refused while open team objectives move it
        # (see key_result_delete); archived ones just lose the link.
        on_delete=models.SET_NULL,
        related_name="aligned_objectives",
        verbose_name=gettext_lazy("company key result it moves"),
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    carried_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_to",
        help_text=gettext_lazy("The last cycle's objective this one continues."),
    )
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
            models.CheckConstraint(
                condition=(
                    Q(level="company", aligned_to__isnull=True)
                    | Q(level="team", aligned_to__isnull=False)
                    | Q(level="team", state="archived")
                ),
                name="objective_team_is_aligned",
                violation_error_message="Choose the company key result this objective moves.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_company(self) -> bool:
        return self.level == self.Level.COMPANY


class KeyResult(models.Model):
    """A measurable outcome of an objective."""

    class Kind(models.TextChoices):
        INCREASE = "increase", gettext_lazy("Increase to")
        DECREASE = "decrease", gettext_lazy("Decrease to")
        STAY_ABOVE = "stay_above", gettext_lazy("Stay above")
        STAY_BELOW = "stay_below", gettext_lazy("Stay below")
        MILESTONE = "milestone", gettext_lazy("Milestone")

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    kind = models.CharField(
        gettext_lazy("kind"), max_length=12, choices=Kind.choices, default=Kind.INCREASE
    )
    start_value = models.DecimalField(max_digits=16, decimal_places=4, default=Decimal(0))
    target_value = models.DecimalField(max_digits=16, decimal_places=4, default=Decimal(0))
    current_value = models.DecimalField(max_digits=16, decimal_places=4, default=Decimal(0))
    unit = models.CharField(gettext_lazy("unit"), max_length=30, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_key_results",
    )
    confidence = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text=gettext_lazy(
            "The team's belief, 0–10, that the key result will be reached.",
        ),
    )
    position = models.PositiveIntegerField(default=0)
    # The end-of-cycle score, 0.0–1.0: prefilled from progress, a reason when it differs.
    score = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    score_reason = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scored_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # Scoring has its own version: a value recorded while someone scores is no conflict.
    score_version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["objective", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=1),
                name="key_result_score_0_1",
                violation_error_message="A score is between 0.0 and 1.0.",
            ),
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
        return key_result_progress(
            kind=self.kind,
            start=self.start_value,
            target=self.target_value,
            current=self.current_value,
        )

    @property
    def suggested_score(self) -> Decimal:
        """The score progress suggests: 0.0–1.0 in tenths."""
        return (Decimal(self.progress) / 100).quantize(Decimal("0.1"))
