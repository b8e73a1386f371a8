"""People and teams: who signs in, the teams, their members and invitations."""

import datetime
import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy

from teams.page_version import EPOCH_ID, VERSION_COLUMNS, random_version
from teams.signin import normalize_email


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("%(value)s is not a known time zone.", params={"value": value})


def default_time_zone() -> str:
    return settings.DEFAULT_TIME_ZONE


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        # Email addresses are stored lower-cased; sign-in is case-insensitive.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address and a password.

    `is_leader` puts the person in the leadership team: leaders own the company OKR,
    define team objectives and challenge their ambition.
    """

    email = models.EmailField(gettext_lazy("email address"), unique=True)
    name = models.CharField(gettext_lazy("name"), max_length=150, blank=True)
    time_zone = models.CharField(
        max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    is_leader = models.BooleanField(
        "leader",
        default=False,
        help_text=gettext_lazy(
            "Leaders set the company OKR, define team objectives and challenge them."
        ),
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        gettext_lazy("staff status"),
        default=False,
        help_text=gettext_lazy("May sign in to the admin site."),
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # Which emails the person wants; every email has a one-click unsubscribe link.
    email_reminders = models.BooleanField(gettext_lazy("check-in reminders"), default=True)
    email_nudges = models.BooleanField(gettext_lazy("nudges about missed check-ins"), default=True)
    email_digest = models.BooleanField(gettext_lazy("weekly digest (leaders)"), default=True)
    email_comments = models.BooleanField(gettext_lazy("comments and challenges"), default=True)
    # The language the person reads pages and emails in; empty: the browser's language
    # on pages, the company default (LANGUAGE_CODE) in emails.
    language = models.CharField(
        gettext_lazy("language"), max_length=8, blank=True, default="", choices=settings.LANGUAGES
    )
    # When the next weekly digest is due (UTC), kept by the reminder tick.
    next_digest_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]
        # The leaders of a company of thousands, found without reading everyone (the
        # owners a key-result form offers, the digest's recipients).
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(is_leader=True), name="teams_user_leaders"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


RESERVED_TEAM_SLUGS = frozenset({"new", "edit", "members", "invitations"})


SLUG_RULE = gettext_lazy(
    "Use lowercase letters, digits and hyphens (for example “payments-emea”): it is the "
    "team's address."
)
validate_slug_shape = RegexValidator(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z", SLUG_RULE)


def validate_team_slug(value: str) -> None:
    validate_slug_shape(value)
    if value in RESERVED_TEAM_SLUGS:
        raise ValidationError("“%(value)s” is reserved; choose another.", params={"value": value})


class Team(models.Model):
    """A team that works towards one objective per cycle."""

    name = models.CharField(gettext_lazy("name"), max_length=100, unique=True)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        validators=[validate_team_slug],
        help_text=gettext_lazy(
            "Used in the team's address: lowercase letters, digits and hyphens."
        ),
    )
    purpose = models.TextField(gettext_lazy("purpose"), max_length=2000, blank=True)
    # The weekly check-in: weekday (0 = Monday) and local time in the team's time zone.
    checkin_weekday = models.PositiveSmallIntegerField(
        gettext_lazy("check-in day"),
        default=0,
        choices=[
            (0, gettext_lazy("Monday")),
            (1, gettext_lazy("Tuesday")),
            (2, gettext_lazy("Wednesday")),
            (3, gettext_lazy("Thursday")),
            (4, gettext_lazy("Friday")),
            (5, gettext_lazy("Saturday")),
            (6, gettext_lazy("Sunday")),
        ],
    )
    checkin_time = models.TimeField(gettext_lazy("check-in time"), default=datetime.time(10, 0))
    time_zone = models.CharField(
        max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    # Kept by the reminder tick (UTC): when the next reminder is due, and when to nudge
    # the leads if that week's check-in is still missing.
    next_reminder_at = models.DateTimeField(null=True, blank=True, db_index=True)
    next_nudge_at = models.DateTimeField(null=True, blank=True, db_index=True)
    nudge_week = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Changed by triggers with what each section of its page shows (teams/page_version.py)
    page_version = models.BigIntegerField(default=random_version, editable=False)
    head_version = models.BigIntegerField(default=random_version, editable=False)
    okr_version = models.BigIntegerField(default=random_version, editable=False)
    checkins_version = models.BigIntegerField(default=random_version, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Never write back page versions read earlier: triggers may have changed them."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in VERSION_COLUMNS
            ]
        super().save(*args, **kwargs)


class PageEpoch(models.Model):
    """The company's page epoch, one row (teams/page_version.py)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=EPOCH_ID, editable=False)
    version = models.BigIntegerField(default=random_version, editable=False)

    def __str__(self) -> str:
        return f"page epoch {self.version}"


class Membership(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", gettext_lazy("Team lead")
        MEMBER = "member", gettext_lazy("Member")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_unique_per_team"),
            models.CheckConstraint(
                condition=models.Q(role__in=["lead", "member"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"


class Invitation(models.Model):
    """An email address invited into a team, accepted once through a signed link."""

    LIFETIME_DAYS = 7

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(
        max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accepted_invitations",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.team}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_used(self) -> bool:
        return self.accepted_at is not None
