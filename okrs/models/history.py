"""What happens to an objective over the cycle: its history, comments, recorded values
and the retrospective."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from okrs.models.plan import TEXT_MAX_LENGTH, TITLE_MAX_LENGTH, KeyResult, Objective


class ObjectiveEvent(models.Model):
    """One change to an objective or its key results: who, when, what, before and after."""

    class Verb(models.TextChoices):
        DEFINED = "defined", gettext_lazy("defined the objective")
        PROPOSED = "proposed", gettext_lazy("proposed the objective")
        ACCEPTED = "accepted", gettext_lazy("accepted the proposal")
        REWORDED = "reworded", gettext_lazy("reworded the objective")
        KEY_RESULT_ADDED = "kr_added", gettext_lazy("added a key result")
        KEY_RESULT_CHANGED = "kr_changed", gettext_lazy("changed a key result")
        KEY_RESULT_REMOVED = "kr_removed", gettext_lazy("removed a key result")
        KEY_RESULTS_REORDERED = "kr_reordered", gettext_lazy("reordered the key results")
        SUBMITTED = "submitted", gettext_lazy("submitted the key results for review")
        CHALLENGED = "challenged", gettext_lazy("challenged the key results")
        COMMITTED = "committed", gettext_lazy("committed the objective")
        DECLINED = "declined", gettext_lazy("declined the proposal")
        SCORED = "scored", gettext_lazy("scored a key result")
        RETROSPECTIVE = "retrospective", gettext_lazy("wrote the retrospective")
        CARRIED_FORWARD = "carried", gettext_lazy("carried the objective forward")
        # `changes` holds {"coach": the finding's key} (okrs.coaching.dismissed_keys).
        COACH_DISMISSED = "coach_dismissed", gettext_lazy("dismissed the coach's finding")

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="events")
    key_result = models.ForeignKey(
        KeyResult, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=20, choices=Verb.choices)
    subject = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_verb_display()}"


class Comment(models.Model):
    """Discussion on a team objective; a leader's challenge is a comment too."""

    class Kind(models.TextChoices):
        COMMENT = "comment", gettext_lazy("Comment")
        CHALLENGE = "challenge", gettext_lazy("Challenge")

    class Aspect(models.TextChoices):
        AMBITION = "ambition", gettext_lazy("Ambition")
        MEASURABILITY = "measurability", gettext_lazy("Measurability")
        ALIGNMENT = "alignment", gettext_lazy("Alignment")
        OUTCOME = "outcome", gettext_lazy("Outcome rather than output")

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    aspects = models.JSONField(default=list, blank=True)
    body = models.TextField(max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.author}"

    @property
    def aspect_labels(self) -> list[str]:
        labels = dict(self.Aspect.choices)
        return [str(labels.get(aspect, aspect)) for aspect in self.aspects]


class KeyResultUpdate(models.Model):
    """One recorded value of a key result: append-only, the key result follows the latest."""

    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="updates")
    value = models.DecimalField(max_digits=16, decimal_places=4)
    confidence = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    comment = models.CharField(max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The Monday of the ISO week the value is for (a check-in's week, or the week it
    # was recorded in).
    week_start = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["key_result", "week_start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=10),
                name="key_result_update_confidence_0_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_result}: {self.value}"


class Retrospective(models.Model):
    """What a team (or the leaders, for the company objective) learned in a cycle."""

    objective = models.OneToOneField(
        Objective, on_delete=models.CASCADE, related_name="retrospective"
    )
    learned = models.TextField(
        gettext_lazy("what we learned"), max_length=TEXT_MAX_LENGTH, blank=True
    )
    keep = models.TextField(gettext_lazy("what we keep"), max_length=TEXT_MAX_LENGTH, blank=True)
    change = models.TextField(
        gettext_lazy("what we change"), max_length=TEXT_MAX_LENGTH, blank=True
    )
    try_next = models.TextField(
        gettext_lazy("what we try next"), max_length=TEXT_MAX_LENGTH, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    FIELDS = ("learned", "keep", "change", "try_next")

    def __str__(self) -> str:
        return f"Retrospective of {self.objective}"

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name).strip() for name in self.FIELDS)
