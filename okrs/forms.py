from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.numbers import plain_number
from okrs.models import Comment, Cycle, KeyResult, Objective, Retrospective
from okrs.services.key_results import KEY_RESULT_FIELDS, KeyResultData
from teams.models import Membership, User


class CycleForm(forms.ModelForm):
    class Meta:
        model = Cycle
        fields = ["name", "start_date", "end_date"]
        widgets = {
            "name": forms.TextInput(attrs={"placeholder": "Q1 2027", "autocomplete": "off"}),
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", _("The end date must be after the start date."))
        return cleaned


class VersionedForm(forms.ModelForm):
    """A form whose save is refused when the record changed since it was loaded."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ObjectiveForm(VersionedForm):
    class Meta:
        model = Objective
        fields = ["title", "context"]
        labels = {"title": gettext_lazy("Objective"), "context": gettext_lazy("Why this, why now")}
        widgets = {"context": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "title": gettext_lazy("Qualitative and inspiring: what we want to achieve this cycle."),
            "context": gettext_lazy(
                "The strategic context every team needs to make its own choices."
            ),
        }


class KeyResultForm(VersionedForm):
    class Meta:
        model = KeyResult
        fields = KEY_RESULT_FIELDS
        labels = {
            "title": gettext_lazy("Key result"),
            "start_value": gettext_lazy("Start"),
            "target_value": gettext_lazy("Target"),
            "current_value": gettext_lazy("Current"),
        }
        help_texts = {
            "title": gettext_lazy("A measurable outcome, not a task."),
            "kind": gettext_lazy("Milestones are done (1) or not done (0)."),
        }

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        owners = User.objects.filter(is_active=True)
        if team is not None:
            # A team's key result is owned by someone in the team (or a leader): a company
            # of thousands would otherwise list everyone in every team's form.
            # One subquery of ids, each part an index probe (members, leaders, the current
            # owner), rather than an OR across a join, which read every person.
            ids = (
                Membership.objects.filter(team=team)
                .values("user_id")
                .union(User.objects.filter(is_leader=True).values("pk"))
                .union(User.objects.filter(pk=self.instance.owner_id).values("pk"))
            )
            owners = owners.filter(pk__in=ids)
        self.fields["owner"].queryset = owners.order_by("name", "email")
        self.fields["owner"].empty_label = _("No owner")
        for name in ("start_value", "target_value", "current_value"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "any"})
            if not self.is_bound and self.instance.pk:
                self.initial[name] = plain_number(getattr(self.instance, name))

    def key_result_data(self) -> KeyResultData:
        return KeyResultData(**{name: self.cleaned_data[name] for name in KEY_RESULT_FIELDS})


class NewKeyResultForm(KeyResultForm):
    """Adding a key result: nothing to be stale against yet."""

    version = None


class ReasonMixin(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why change committed key results?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Kept in the objective's history."),
    )


class TeamKeyResultForm(KeyResultForm, ReasonMixin):
    pass


class NewTeamKeyResultForm(NewKeyResultForm, ReasonMixin):
    pass


class TeamObjectiveForm(VersionedForm):
    class Meta:
        model = Objective
        fields = ["title", "context", "aligned_to"]
        labels = {
            "title": gettext_lazy("Team objective"),
            "context": gettext_lazy("Why: the outcome or hard problem, and the strategic context"),
            "aligned_to": gettext_lazy("Company key result it moves"),
        }
        widgets = {"context": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "title": gettext_lazy(
                "An outcome or a hard problem to crack, never the solution to build."
            ),
        }

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["aligned_to"]
        field.required = True
        field.queryset = KeyResult.objects.filter(
            objective__cycle=cycle, objective__level=Objective.Level.COMPANY
        ).order_by("position", "id")
        field.empty_label = _("Choose a company key result")
        field.label_from_instance = lambda kr: kr.title


class NewTeamObjectiveForm(TeamObjectiveForm):
    version = None


class ChallengeForm(forms.Form):
    aspects = forms.MultipleChoiceField(
        label=gettext_lazy("What do you challenge?"),
        choices=Comment.Aspect.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    body = forms.CharField(
        label=gettext_lazy("Your challenge"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Ask for more ambition or clarity; the team revises and resubmits."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why decline?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RecordForm(forms.Form):
    value = forms.DecimalField(
        label=gettext_lazy("New value"),
        max_digits=16,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    confidence = forms.IntegerField(
        label=gettext_lazy("Confidence (0–10)"),
        min_value=0,
        max_value=10,
        required=False,
        help_text=gettext_lazy("How sure are you that the key result will be reached?"),
    )
    comment = forms.CharField(label=gettext_lazy("Comment"), max_length=500, required=False)


# --- the end of a cycle -------------------------------------------------------------


class ReviewStartForm(forms.Form):
    review_until = forms.DateField(
        label=gettext_lazy("Scoring and retrospectives until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("The OKRs freeze now; the cycle closes after this day."),
    )


class ScoreForm(forms.Form):
    score = forms.CharField(
        label="Score (0.0–1.0)",
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 5}),
        help_text=gettext_lazy("Prefilled from progress."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Why this score?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Needed when the score differs from what progress suggests."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RetrospectiveForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = Retrospective
        fields = ["learned", "keep", "change", "try_next"]
        labels = {
            "learned": gettext_lazy("What we learned"),
            "keep": gettext_lazy("What we keep doing"),
            "change": gettext_lazy("What we change"),
            "try_next": gettext_lazy("What we try next"),
        }
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}


class CarryForwardForm(forms.Form):
    aligned_to = forms.ModelChoiceField(
        label=gettext_lazy("Company key result it moves now"),
        queryset=KeyResult.objects.none(),
        empty_label=gettext_lazy("Choose a company key result"),
    )

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["aligned_to"]
        field.queryset = KeyResult.objects.filter(
            objective__cycle=cycle, objective__level=Objective.Level.COMPANY
        ).order_by("position", "id")
        field.label_from_instance = lambda kr: kr.title


class CoachDismissForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    reason = forms.CharField(
        label=_("Why does this not apply?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the objective's history."),
    )
