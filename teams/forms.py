import logging

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.client_ip import client_ip
from core.ratelimit import rate_limited
from teams import services
from teams.models import Membership, Team, validate_team_slug
from teams.signin import normalize_email

logger = logging.getLogger(__name__)


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=gettext_lazy("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy(
            "That email and password do not match. Check both and try again."
        ),
    }

    def clean_username(self) -> str:
        return normalize_email(self.cleaned_data["username"])


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset whose whole work happens on the Celery worker.

    The request does the same thing whether or not an account uses the address (it
    counts the attempt and enqueues one task), so neither the answer nor its timing tells
    who has an account. Over the rate limit, per client address or per email address,
    nothing is enqueued, and the answer is still the same.
    """

    def save(self, *, request=None, **kwargs) -> None:
        email = self.cleaned_data["email"]
        if rate_limited(
            password_reset_address=client_ip(request) if request else None,
            password_reset_email=email,
        ):
            logger.warning("Password reset refused: over the rate limit")
            return
        services.password_reset_request(email=email)


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "slug", "purpose"]
        labels = {"slug": gettext_lazy("Address")}
        help_texts = {
            "purpose": gettext_lazy("What the team is there for, in a sentence or two."),
            "slug": gettext_lazy(
                "Lowercase letters, digits and hyphens, as in /teams/payments-emea/. "
                "Left empty, it is made from the name."
            ),
        }
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, the address is made from the name; the model field's own
        # validation (lowercase letters, digits, hyphens) then says what is wrong.
        self.fields["slug"].required = False
        self.fields["slug"].validators = []

    def clean_slug(self) -> str:
        typed = self.cleaned_data.get("slug", "").strip()
        name = self.data.get(self.add_prefix("name"), "")
        slug = typed.lower() if typed else slugify(name)[:60].strip("-")
        validate_team_slug(slug)  # one message, the help text's, for any wrong shape
        return slug


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(
        choices=Membership.Role.choices, initial=Membership.Role.MEMBER, label=gettext_lazy("Role")
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        label=gettext_lazy("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("At least 8 characters; not only numbers, not a common password."),
    )
    password_again = forms.CharField(
        label=gettext_lazy("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("password")
            and cleaned.get("password_again")
            and cleaned["password"] != cleaned["password_again"]
        ):
            self.add_error("password_again", _("The two passwords differ."))
        return cleaned


def time_zone_choices() -> list[tuple[str, str]]:
    import zoneinfo

    return [(zone, zone.replace("_", " ")) for zone in sorted(zoneinfo.available_timezones())]


def language_choices() -> list[tuple[str, str]]:
    return [("", _("The browser's language")), *settings.LANGUAGES]


class ProfileForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=150)
    time_zone = forms.ChoiceField(label=gettext_lazy("Your time zone"), choices=time_zone_choices)
    language = forms.ChoiceField(
        label=gettext_lazy("Your language"),
        choices=language_choices,
        required=False,
        help_text=gettext_lazy(
            "For pages and emails. The browser's language decides when none is chosen."
        ),
    )
    email_reminders = forms.BooleanField(
        label=gettext_lazy("Check-in reminders for my teams"), required=False
    )
    email_nudges = forms.BooleanField(
        label=gettext_lazy("Nudges when my team's check-in is late (team leads)"), required=False
    )
    email_digest = forms.BooleanField(
        label=gettext_lazy("The weekly digest (leaders)"), required=False
    )
    email_comments = forms.BooleanField(
        label=gettext_lazy("Comments and challenges on my teams' objectives"), required=False
    )


class ScheduleForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), choices=time_zone_choices)

    class Meta:
        model = Team
        fields = ["checkin_weekday", "checkin_time", "time_zone"]
        widgets = {"checkin_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
        help_texts = {
            "checkin_time": gettext_lazy(
                "Members get a reminder at this time; team leads a nudge a day "
                "later if the check-in is still open."
            ),
        }
