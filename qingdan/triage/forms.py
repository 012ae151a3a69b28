"""Forms parse input and call one action each (`perform`); the actions decide."""

from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from qingdan.cases.models import Case
from qingdan.core.forms import ActionForm, ActionModelForm, CheckedTextForm
from qingdan.orgs.models import Jurisdiction, User

from . import actions
from .choices import TopicStatus
from .models import HotTerm


class HotTermForm(ActionModelForm):
    class Meta:
        model = HotTerm
        fields = ["term", "level", "note", "active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_unique(self):
        pass  # the action reports a duplicate term, in the same words for web and API

    def perform(self):
        instance = self.instance if self.instance.pk else None
        return actions.save_hot_term(self.user, instance=instance, **self.cleaned_data)


class HotIssueQueryForm(forms.Form):
    days = forms.IntegerField(
        label=_("Days"), min_value=1, max_value=366, initial=30, required=False
    )
    jurisdiction = forms.ModelChoiceField(
        label=_("Area"), queryset=Jurisdiction.objects.none(), required=False
    )
    min_size = forms.IntegerField(
        label=_("Smallest cluster"), min_value=2, max_value=100, initial=3, required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = Jurisdiction.objects.visible_to(user)


class TopicForm(ActionForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.filter(is_active=True))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    cases = forms.CharField(widget=forms.HiddenInput)
    keywords = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_cases(self):
        try:
            return [int(value) for value in self.cleaned_data["cases"].split(",") if value.strip()]
        except ValueError as exc:
            raise forms.ValidationError(_("Not a list of cases.")) from exc

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def perform(self):
        data = self.cleaned_data
        cases = list(Case.objects.visible_to(self.user).filter(pk__in=data["cases"]))
        if len(cases) != len(set(data["cases"])):
            raise Http404
        return actions.create_governance_topic(
            self.user,
            title=data["title"],
            description=data["description"],
            owner=data["owner"],
            due_date=data["due_date"],
            cases=cases,
            keywords=[k for k in data["keywords"].split(",") if k],
        )


class TopicStatusForm(ActionForm):
    status = forms.ChoiceField(label=_("Status"), choices=TopicStatus.choices)

    def __init__(self, *args, user, topic, **kwargs):
        kwargs.setdefault("initial", {"status": topic.status})
        super().__init__(*args, **kwargs)
        self.user, self.topic = user, topic

    def perform(self):
        return actions.set_topic_status(self.user, self.topic, status=self.cleaned_data["status"])


class MergeForm(CheckedTextForm):
    other = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class SuggestForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    content = forms.CharField(max_length=20000, required=False)
    jurisdiction = forms.ModelChoiceField(queryset=Jurisdiction.objects.all(), required=False)
