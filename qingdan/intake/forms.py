"""Forms parse; the actions validate the rules and their errors are put back on the
fields they name (`qingdan.web.forms.apply_action_error`)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from qingdan.cases.choices import Urgency
from qingdan.core.forms import CheckedTextForm, CheckedTextModelForm
from qingdan.orgs.models import Category, Jurisdiction, User

from .choices import QUICK_CHANNELS
from .models import PolicyAnswer

MAX_UPLOAD_BYTES = getattr(settings, "QINGDAN_IMPORT_MAX_BYTES", 200 * 1024 * 1024)


class ImportForm(CheckedTextForm):
    file = forms.FileField(
        label=_("Work-order file"),
        help_text=_("An .xlsx workbook or a .csv file (UTF-8 or GB18030)."),
    )
    mapping = forms.CharField(
        label=_("Column mapping (TOML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": '[columns]\n"工单编号" = "工单号"'}),
        help_text=_("Only if the file's headers differ from 工单编号, 来电时间, 诉求内容 …"),
    )
    dry_run = forms.BooleanField(label=_("Check only, import nothing"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // 2**20}
            )
        return upload


def _places(user):
    return Jurisdiction.objects.visible_to(user).order_by("code")


class VisitForm(CheckedTextForm):
    visited_on = forms.DateField(
        label=_("Visited on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    enterprise_name = forms.CharField(label=_("Enterprise"), max_length=100, required=False)
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=18, required=False
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    jurisdiction = forms.ModelChoiceField(
        label=_("Where the enterprise is"), queryset=Jurisdiction.objects.none(), required=False
    )
    staff = forms.ModelMultipleChoiceField(
        label=_("Staff on the visit"), queryset=User.objects.none(), required=False
    )
    topics = forms.CharField(
        label=_("Topics discussed"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    problems = forms.CharField(
        label=_("Problems raised"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One problem per line; each becomes a tracked case."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = _places(user)
        self.fields["staff"].queryset = User.objects.filter(is_active=True).order_by("username")
        if not self.is_bound:
            self.fields["staff"].initial = [user.pk]
            if user.jurisdiction_id:
                self.fields["jurisdiction"].initial = user.jurisdiction_id

    def action_arguments(self) -> dict:
        data = self.cleaned_data
        category = data.get("category")
        return {
            "visited_on": data.get("visited_on"),
            "enterprise": {
                "name": data["enterprise_name"],
                "credit_code": data["credit_code"],
                "contact_name": data["contact_name"],
                "phone": data["phone"],
            },
            "jurisdiction": data["jurisdiction"],
            "staff": list(data["staff"]),
            "topics": data["topics"],
            "problems": [
                {"content": line.strip(), "category": category}
                for line in data["problems"].splitlines()
                if line.strip()
            ],
        }


# Action field names → this form's.
VISIT_ALIASES = {
    "enterprise.name": "enterprise_name",
    "enterprise.credit_code": "credit_code",
    "enterprise.contact_name": "contact_name",
    "enterprise.phone": "phone",
}


class PolicyAnswerForm(CheckedTextModelForm):
    class Meta:
        model = PolicyAnswer
        fields = ["question", "answer", "source", "tags", "is_active"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("question", "answer", "source"):
            self.fields[name].required = False  # the action says what is missing


class PolicySearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class CiteForm(CheckedTextForm):
    tracking_number = forms.CharField(label=_("Case tracking number"), max_length=32)


class AssignmentForm(CheckedTextForm):
    assigning_body = forms.CharField(label=_("Assigning body"), max_length=100, required=False)
    assigning_reference = forms.CharField(
        label=_("Assignment reference"), max_length=60, required=False
    )
    assigned_deadline = forms.DateTimeField(
        label=_("Assigned deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    jurisdiction = forms.ModelChoiceField(
        label=_("Where the problem happens"), queryset=Jurisdiction.objects.none(), required=False
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    content = forms.CharField(
        label=_("What is the problem"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = _places(user)


class AssignmentFilterForm(forms.Form):
    body = forms.ChoiceField(label=_("Assigning body"), required=False)
    reported = forms.ChoiceField(
        label=_("Completion report"),
        required=False,
        choices=[("", _("All")), ("no", _("Not yet reported")), ("yes", _("Reported"))],
    )

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [("", _("All")), *((b, b) for b in bodies)]


class CompletionReportForm(CheckedTextForm):
    text = forms.CharField(
        label=_("Report"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    reported_on = forms.DateField(
        label=_("Reported on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class QuickForm(CheckedTextForm):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[(c.value, c.label) for c in QUICK_CHANNELS]
    )
    location = forms.CharField(label=_("Where"), max_length=200, required=False)
    content = forms.CharField(
        label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=20, required=False)
    jurisdiction = forms.ModelChoiceField(
        label=_("Village or town"), queryset=Jurisdiction.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = _places(user)
        if not self.is_bound and user.scope_jurisdiction is not None:
            self.fields["jurisdiction"].initial = user.scope_jurisdiction.pk
