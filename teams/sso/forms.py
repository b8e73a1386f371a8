from django import forms
from django.utils.translation import gettext_lazy as _

from teams.forms import EmailAuthenticationForm
from teams.sso import policy


class SignInPolicyForm(forms.Form):
    sso_required = forms.BooleanField(
        label=_("Require single sign-on for everyone"),
        required=False,
        help_text=_(
            "The password form disappears from the sign-in page; only the break-glass "
            "addresses below can still sign in with a password."
        ),
    )


class PolicyAwareAuthenticationForm(EmailAuthenticationForm):
    """The password sign-in, closed when leaders require single sign-on except for the
    break-glass addresses. Refused before the password is checked, so a closed form is
    no oracle for passwords (and django-axes still counts every password tried)."""

    def clean(self) -> dict:
        email = self.cleaned_data.get("username")
        if email and not policy.password_allowed(email):
            raise forms.ValidationError(
                _("Your company signs in with single sign-on: use the button above."),
                code="sso_required",
            )
        return super().clean()
