from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checkins.models import Experiment, Obstacle
from okrs.models import KeyResult, Objective
from teams.models import Team

HELP_TEAM_SUGGESTIONS = 10


class ObstacleForm(forms.ModelForm):
    """An obstacle, and the team whose help it needs: named, not picked from a list of
    every team of the company (ten thousand options, seconds to render), with up to
    HELP_TEAM_SUGGESTIONS suggestions fetched as one types (`checkins:help-teams`)."""

    focus = forms.BooleanField(label=gettext_lazy("This is the one we work on now"), required=False)
    help_team = forms.CharField(
        label=gettext_lazy("Team whose help we need (optional)"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Type a few letters of its name to see matching teams."),
    )

    class Meta:
        model = Obstacle
        fields = ["description", "help_team"]
        labels = {"description": gettext_lazy("Obstacle")}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["help_team"].widget.attrs.update(
            {
                "list": "help-team-options",
                "autocomplete": "off",
                "hx-get": reverse("checkins:help-teams", args=[team.slug]),
                "hx-trigger": "input changed delay:300ms, focus once",
                "hx-target": "#help-team-options",
                "hx-swap": "innerHTML",
            }
        )

    def clean_help_team(self) -> Team | None:
        name = self.cleaned_data["help_team"].strip()
        if not name:
            return None
        others = Team.objects.exclude(pk=self.team.pk)
        # as written; else in any case, when that names one team only
        found = others.filter(name=name).first()
        if found is None:
            alike = list(others.filter(name__iexact=name)[:2])
            found = alike[0] if len(alike) == 1 else None
        if found is None:
            raise forms.ValidationError(
                "No other team is called “%(name)s”: write its name as the team list shows "
                "it, or leave the field empty.",
                params={"name": name},
            )
        return found


def help_team_suggestions(team: Team, typed: str) -> list[str]:
    """The names of up to HELP_TEAM_SUGGESTIONS other teams containing what was typed."""
    teams = Team.objects.exclude(pk=team.pk)
    typed = " ".join(typed.split())
    if typed:
        teams = teams.filter(name__icontains=typed)
    names = teams.order_by("name").values_list("name", flat=True)
    return list(names[:HELP_TEAM_SUGGESTIONS])


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Your team's answer"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExperimentForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Experiment
        fields = [
            "key_result",
            "belief",
            "outcome",
            "signal",
            "status",
            "started_on",
            "ended_on",
            "result",
            "learning",
        ]
        labels = {
            "key_result": gettext_lazy("Key result it should move"),
            "belief": gettext_lazy("We believe that…"),
            "outcome": gettext_lazy("…will result in…"),
            "signal": gettext_lazy("We will know when…"),
            "started_on": gettext_lazy("Started"),
            "ended_on": gettext_lazy("Ended"),
            "result": gettext_lazy("Result"),
            "learning": gettext_lazy("What we learned"),
        }
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ended_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "result": forms.Textarea(attrs={"rows": 2}),
            "learning": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key_result"].queryset = (
            KeyResult.objects.filter(objective__team=team, objective__level=Objective.Level.TEAM)
            .exclude(objective__state=Objective.State.ARCHIVED)
            .order_by("position", "id")
        )
        self.fields["key_result"].label_from_instance = lambda kr: kr.title
        self.fields["key_result"].empty_label = _("Choose a key result")
        if self.instance.pk is None:
            # A new experiment has no result and nothing learned yet: those come when
            # it is updated.
            del self.fields["result"], self.fields["learning"]

    def clean(self):
        cleaned = super().clean()
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", _("An experiment ends on or after the day it started."))
        return cleaned
