"""The endpoint form: what a person types (the secret is made, never typed)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from webhooks.models import EVENT_LABELS, Endpoint

EVENT_CHOICES = [(str(event), label) for event, label in EVENT_LABELS.items()]


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("Address (URL)"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where we POST each event: https, on the public internet."),
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("So you recognise it later, e.g. “Metrics pipeline” or “#okrs in Slack”."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events to send"),
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event to send.")},
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=Endpoint.Format.choices,
        initial=Endpoint.Format.STANDARD,
        help_text=_(
            "Signed JSON for your own receiver, or a readable message for a Slack or "
            "Microsoft Teams incoming webhook."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def for_endpoint(cls, endpoint: Endpoint, data=None) -> "EndpointForm":
        initial = {
            "url": endpoint.url,
            "description": endpoint.description,
            "events": endpoint.events,
            "format": endpoint.format,
            "version": endpoint.version,
        }
        return cls(data, initial=initial)
