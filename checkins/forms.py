from django import forms

from checkins.models import Experiment, Obstacle
from okrs.models import KeyResult, Objective
from teams.models import Team


class ObstacleForm(forms.ModelForm):
    focus = forms.BooleanField(label="This is the one we work on now", required=False)

    class Meta:
        model = Obstacle
        fields = ["description", "help_team"]
        labels = {"description": "Obstacle", "help_team": "Team whose help we need (optional)"}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["help_team"].queryset = Team.objects.exclude(pk=team.pk).order_by("name")
        self.fields["help_team"].empty_label = "No other team needed"


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your team's answer", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
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
            "key_result": "Key result it should move",
            "belief": "We believe that…",
            "outcome": "…will result in…",
            "signal": "We will know when…",
            "started_on": "Started",
            "ended_on": "Ended",
            "result": "Result",
            "learning": "What we learned",
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
        self.fields["key_result"].empty_label = "Choose a key result"
        if self.instance.pk is None:
            # A new experiment has no result and nothing learned yet: those come when
            # it is updated.
            del self.fields["result"], self.fields["learning"]

    def clean(self):
        cleaned = super().clean()
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", "An experiment ends on or after the day it started.")
        return cleaned
