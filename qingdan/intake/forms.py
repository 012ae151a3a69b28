"""Forms parse and call one action each (`perform`); the actions validate the rules
and their errors are put back on the fields they name (`qingdan.core.forms`)."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.cases.choices import Urgency
from qingdan.cases.models import Case
from qingdan.core.errors import ValidationFailed
from qingdan.core.forms import (
    ActionForm,
    ActionModelForm,
    CatalogueForm,
    CheckedTextForm,
    action_form,
)
from qingdan.orgs.models import Category, Jurisdiction, User

from . import actions
from .catalogue import INTAKE_ACTIONS
from .models import PolicyAnswer
from .reports import completion_report_draft

MAX_UPLOAD_BYTES = getattr(settings, "QINGDAN_IMPORT_MAX_BYTES", 200 * 1024 * 1024)


class ImportForm(ActionForm):
    aliases = {"columns": "mapping"}

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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def perform(self):
        upload = self.cleaned_data["file"]
        return actions.create_import_run(
            self.user,
            source_name=upload.name,
            upload=upload,
            mapping_text=self.cleaned_data["mapping"],
            dry_run=self.cleaned_data["dry_run"],
        )


def _places(user):
    return Jurisdiction.objects.visible_to(user).order_by("code")


# Action field names → the visit form's.
VISIT_ALIASES = {
    "enterprise.name": "enterprise_name",
    "enterprise.credit_code": "credit_code",
    "enterprise.contact_name": "contact_name",
    "enterprise.phone": "phone",
}
PROBLEM_ROWS = 3  # empty rows on a new visit; the page adds more


class ProblemRowForm(CheckedTextForm):
    """One problem the enterprise raised, with its own category."""

    content = forms.CharField(
        label=_("Problem"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )


ProblemRows = forms.formset_factory(
    ProblemRowForm,
    extra=PROBLEM_ROWS,
    max_num=actions.MAX_PROBLEMS,
    absolute_max=actions.MAX_PROBLEMS,
    validate_max=True,
)


class VisitForm(ActionForm):
    """The visit, and its problems as rows (`self.rows`, a formset): each row a case."""

    aliases = VISIT_ALIASES

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

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.rows = ProblemRows(data, prefix="problems")
        # The rows sent to the action, by the action's position (1, 2 …).
        self.sent_rows: list[int] = []
        self.fields["jurisdiction"].queryset = _places(user)
        self.fields["staff"].queryset = User.objects.filter(is_active=True).order_by("username")
        if not self.is_bound:
            self.fields["staff"].initial = [user.pk]
            if user.jurisdiction_id:
                self.fields["jurisdiction"].initial = user.jurisdiction_id

    def is_valid(self) -> bool:
        rows_valid = self.rows.is_valid()
        return super().is_valid() and rows_valid

    def action_arguments(self) -> dict:
        data = self.cleaned_data
        problems, self.sent_rows = [], []
        for index, row in enumerate(self.rows.cleaned_data):
            if (row.get("content") or "").strip():
                problems.append({"content": row["content"], "category": row.get("category")})
                self.sent_rows.append(index)
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
            "problems": problems,
        }

    def perform(self):
        try:
            return actions.record_enterprise_visit(self.user, **self.action_arguments())
        except ValidationFailed as error:
            raise ValidationFailed(self._put_on_rows(error.errors)) from error

    def _put_on_rows(self, errors: dict) -> dict:
        """Show the problems' errors on their rows; return the others."""
        rest: dict[str, list] = {}
        for name, messages in errors.items():
            parts = name.split(".")
            if parts[0] != "problems":
                rest[name] = messages
            elif len(parts) == 1:
                self.rows.non_form_errors().extend(str(m) for m in messages)
            else:
                row = self.rows.forms[self.sent_rows[int(parts[1]) - 1]]
                field = parts[2] if parts[2] in row.fields else "content"
                for message in messages:
                    row.add_error(field, str(message))
        return rest


class PolicyAnswerForm(ActionModelForm):
    class Meta:
        model = PolicyAnswer
        fields = ["question", "answer", "source", "tags", "is_active"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, user, answer, **kwargs):
        super().__init__(*args, instance=answer, **kwargs)
        self.user, self.answer = user, answer
        for name in ("question", "answer", "source"):
            self.fields[name].required = False  # the action says what is missing

    def perform(self):
        data = self.cleaned_data
        return actions.save_policy_answer(
            self.user,
            self.answer,
            question=data["question"],
            answer=data["answer"],
            source=data["source"],
            tags=data["tags"],
            is_active=data["is_active"],
        )


class PolicySearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class CiteForm(ActionForm):
    tracking_number = forms.CharField(label=_("Case tracking number"), max_length=32)

    def __init__(self, *args, user=None, answer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.answer = user, answer

    def clean_tracking_number(self):
        number = self.cleaned_data["tracking_number"].strip()
        case = (
            Case.objects.visible_to(self.user)
            .filter(tracking_number=number)
            .prefetch_related("co_handlings")
            .first()
        )
        if case is None:
            raise forms.ValidationError(_("No case with this number that you may see."))
        return case

    def perform(self):
        return actions.cite_policy_answer(
            self.user, self.cleaned_data["tracking_number"], self.answer
        )


class AssignmentForm(ActionForm):
    aliases = {
        "petitioner.name": "petitioner_name",
        "petitioner.phone": "petitioner_phone",
        "petitioner.id_number": "petitioner_id_number",
        "petitioner.address": "petitioner_address",
    }

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
    # The petitioner, if the superior's file names one (otherwise 未登记诉求人).
    petitioner_name = forms.CharField(
        label=_("Petitioner's name (optional)"), required=False, max_length=100
    )
    petitioner_phone = forms.CharField(label=_("Mobile phone"), required=False, max_length=20)
    petitioner_id_number = forms.CharField(label=_("ID number"), required=False, max_length=18)
    petitioner_address = forms.CharField(label=_("Home address"), required=False, max_length=200)

    PETITIONER_FIELDS = ("name", "phone", "id_number", "address")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["jurisdiction"].queryset = _places(user)

    def perform(self):
        data = dict(self.cleaned_data)
        petitioner = {name: data.pop(f"petitioner_{name}") for name in self.PETITIONER_FIELDS}
        return actions.register_superior_assignment(self.user, petitioner=petitioner, **data)


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


def intake_form(name: str, data=None, *, user, subject=None, **kwargs) -> CatalogueForm:
    """The form of an intake action, derived from its catalogue entry."""
    kwargs.setdefault("auto_id", "id_%s")
    return action_form(INTAKE_ACTIONS[name])(data, subject=subject, user=user, **kwargs)


def completion_report_form(case, data=None, *, user) -> CatalogueForm:
    """A draft from the case and its timeline, to be read and edited before sending."""
    initial = {"text": completion_report_draft(case), "reported_on": timezone.localdate()}
    return intake_form("report_completion", data, user=user, subject=case, initial=initial)
