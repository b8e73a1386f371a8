"""What the home page and the cycle overview read: one status row per team objective.

The rows hold what a team's own writes change (progress, confidence, its check-ins, the
dates from which its signals hold), and what the calendar decides of those at a moment,
stored until the next moment it can change (dashboard/status.py).
Database triggers mark a row stale whenever its team's page version changes (any write
to a row the team page shows, whoever made it) or its schedule does, and the next reader
computes the stale rows again: the cost follows the change, not the company.
"""

from django.db import models
from django.db.models.functions import Now


class ObjectiveStatus(models.Model):
    objective = models.OneToOneField(
        "okrs.Objective", primary_key=True, on_delete=models.CASCADE, related_name="status"
    )
    # Copied from the objective and its team when computed (the triggers insert a new
    # objective's row with these three; the rest waits, stale, for its first reader).
    cycle = models.ForeignKey("okrs.Cycle", on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    team_name = models.CharField(max_length=200, default="", db_default="")  # sorts, searches
    stale = models.BooleanField(default=True, db_default=True)
    computed_at = models.DateTimeField(default=None, null=True, db_default=Now())
    # A new random number each time the row is computed: the home page's cache key holds
    # their sum (dashboard/selectors.py).
    version = models.BigIntegerField(default=0, db_default=0)
    # The cycle's dates the row was computed for (the weeks that count follow them).
    cycle_start = models.DateField(null=True, db_default=None)
    cycle_end = models.DateField(null=True, db_default=None)

    state = models.CharField(max_length=20, default="", db_default="")
    # The company key result it moves (no constraint: a copy, written by its reader)
    aligned_to = models.ForeignKey(
        "okrs.KeyResult",
        null=True,
        db_default=None,
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )
    progress = models.PositiveSmallIntegerField(default=0, db_default=0)
    confidence = models.PositiveSmallIntegerField(null=True, db_default=None)
    last_checkin = models.DateField(null=True, db_default=None)

    # The signals, as the dates or figures from which they hold (dashboard/status.py):
    confidence_drop = models.BooleanField(default=False, db_default=False)
    stalled_from = models.DateField(null=True, db_default=None)  # a Monday
    behind_below = models.PositiveSmallIntegerField(null=True, db_default=None)

    # The check-in cadence. Weeks are counted as days since 1970-01-05 (a Monday) // 7.
    due_second = models.IntegerField(default=0, db_default=0)  # into the local week
    time_zone = models.CharField(max_length=64, default="UTC", db_default="UTC")
    first_due_week = models.IntegerField(null=True, db_default=None)
    last_week = models.IntegerField(null=True, db_default=None)  # the two latest submitted
    previous_week = models.IntegerField(null=True, db_default=None)
    submitted_due = models.IntegerField(default=0, db_default=0)  # in the cycle, once due
    on_time = models.IntegerField(default=0, db_default=0)  # in the cycle's weeks
    late = models.IntegerField(default=0, db_default=0)

    # What the calendar decides, as live() said at `calendar_at`, until `recheck_at` (the
    # next moment it can change without a write: the site's next midnight, or this
    # week's check-in time plus the grace). Stored, so the home page's order, counts and
    # filters are read from an index (dashboard/status_live.py, `rows_refresh`).
    check_in_missing = models.BooleanField(default=False, db_default=False)
    needs_attention = models.BooleanField(default=False, db_default=False)
    calendar_at = models.DateTimeField(null=True, db_default=None)
    recheck_at = models.DateTimeField(null=True, db_default=None)

    class Meta:
        indexes = [
            # a section of the home page: a company key result's rows, needing attention
            # first, by team name, a page at a time
            models.Index(
                fields=["cycle", "aligned_to", "-needs_attention", "team_name", "objective"],
                name="dashboard_status_page",
            ),
            models.Index(fields=["cycle", "recheck_at"], name="dashboard_status_recheck"),
            models.Index(fields=["cycle", "calendar_at"], name="dashboard_status_calendar"),
            # the home page's counts per company key result, read from the index alone
            # (an index-only scan: no table row is read)
            models.Index(
                fields=["cycle", "aligned_to", "state", "needs_attention"],
                name="dashboard_status_counts",
            ),
            models.Index(fields=["cycle", "time_zone"]),
            models.Index(fields=["cycle", "cycle_start"]),
            models.Index(fields=["cycle", "cycle_end"]),
            models.Index(
                fields=["cycle"], condition=models.Q(stale=True), name="dashboard_status_stale"
            ),
        ]

    def __str__(self) -> str:
        return f"status of objective {self.objective_id}"


class StatusEpoch(models.Model):
    """One per cycle: a new random number whenever a status row of the cycle is computed
    to a new version (or archived), written by the reader that computed it, in the same
    transaction. The home page's cache key holds it: one row read, whatever the size of
    the company (dashboard/status_live.py, `status_fingerprint`)."""

    cycle = models.OneToOneField(
        "okrs.Cycle", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"status epoch of cycle {self.cycle_id}"
