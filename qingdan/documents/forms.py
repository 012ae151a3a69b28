"""The web forms of the document actions: derived from the catalogue
(`qingdan.core.forms.action_form`), narrowed to what one kind takes, and the bulk
printing form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.cases.models import Case
from qingdan.core.forms import ActionForm, CatalogueForm, action_form

from . import batch
from .catalogue import DOCUMENT_ACTIONS
from .choices import DocumentKind
from .kinds import KINDS

TEXT_INPUTS = ("facts", "basis", "channel", "remarks")


def kind_form(action: str, kind: str, data=None, *, subject, user) -> CatalogueForm:
    """The preview/issue (or correct) form of one kind: its kind fixed, and only the
    texts that kind takes."""
    form = action_form(DOCUMENT_ACTIONS[action])(data, subject=subject, user=user)
    if "kind" in form.fields:
        form.fields["kind"].initial = kind
        form.fields["kind"].widget = forms.HiddenInput()
    for name in TEXT_INPUTS:
        if name not in KINDS[kind].inputs:
            form.fields.pop(name, None)
    return form


def service_form(document, data=None, files=None, *, user) -> CatalogueForm:
    form = action_form(DOCUMENT_ACTIONS["record_service"])(
        data,
        files,
        subject=document,
        user=user,
        initial={"recipient": document.recipient, "served_at": timezone.localtime()},
    )
    return form


class TrackingNumbers(forms.Field):
    """Several tracking numbers (the queue's ticked boxes)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return list(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))


class BatchForm(ActionForm):
    """Cases ticked in the queue, and what to print for them."""

    cases = TrackingNumbers(required=False)
    kind = forms.ChoiceField(
        label=_("Print"),
        choices=[(k, DocumentKind(k).label) for k in batch.BATCH_KINDS],
    )
    receipts = forms.BooleanField(
        label=_("With the service receipts"), required=False, initial=True
    )

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.user = user

    def clean_cases(self):
        numbers = self.cleaned_data["cases"]
        if not numbers:
            raise forms.ValidationError(_("Tick the cases to print."))
        if len(numbers) > batch.WEB_BATCH_LIMIT:
            raise forms.ValidationError(
                _("At most %(n)d cases at a time; use the `qingdan documents` command for more.")
                % {"n": batch.WEB_BATCH_LIMIT}
            )
        visible = Case.objects.visible_to(self.user).filter(tracking_number__in=numbers)
        found = {case.tracking_number: case for case in visible.select_related("jurisdiction")}
        return [found[n] for n in numbers if n in found]

    def plan(self) -> list[batch.BatchItem]:
        return batch.plan(self.user, self.cleaned_data["cases"], self.cleaned_data["kind"])

    def perform(self) -> batch.Batch:
        return batch.print_batch(
            self.user,
            self.cleaned_data["cases"],
            self.cleaned_data["kind"],
            receipts=self.cleaned_data["receipts"],
        )
