"""One small form per case action, in the order the buttons appear on the case page.

Each form parses its fields and calls exactly one function of the actions layer
with the `expected_version` the page showed (see `CaseActionForm`).
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qingdan.cases import actions
from qingdan.cases.choices import (
    HANDLING_STATES,
    Action,
    LegalChannel,
    Rating,
    ReplyOpinion,
    Tier,
)
from qingdan.cases.models import Case
from qingdan.cases.transitions import LEAD, TIER
from qingdan.core.forms import CheckedTextForm
from qingdan.deadlines.actions import pause_clock, resume_clock
from qingdan.deadlines.choices import Stage
from qingdan.deadlines.policies import policy_for
from qingdan.orgs.models import Department, Jurisdiction

REASON = _("Reason")


def _reason(label=REASON):
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 3}))


def _note():
    return forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CaseActionForm(CheckedTextForm):
    """One action on one case. `expected_version` is the version the page showed:
    a change by someone else in between is a conflict, not an overwrite."""

    action: str = ""
    label: Any = ""
    # Actions without an `expected_version` parameter that must still not act on a
    # stale page (the view compares the version itself).
    check_version_in_view = False
    multipart = False
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, case: Case, user, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        kwargs.setdefault("initial", {"expected_version": case.version})
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user

    # Actions outside the transition table (the deadline clock) name the rights they
    # need here; the view refuses a POST without them as it does for the others.
    extra_rights: frozenset[str] = frozenset()

    @classmethod
    def available(cls, case: Case, rights) -> bool:
        """For actions outside the transition table: may someone with `rights` do it now?"""
        return False

    @classmethod
    def shown_for(cls, case: Case) -> bool:
        """Hide a button whose action could only be refused for this case."""
        return True

    def perform(self):
        raise NotImplementedError

    @property
    def version(self) -> int:
        return self.cleaned_data["expected_version"]


class AcceptForm(CaseActionForm):
    action = Action.ACCEPT
    label = _("Accept")
    note = _note()

    def perform(self):
        return actions.accept(
            self.user, self.case, note=self.cleaned_data["note"], expected_version=self.version
        )


class NotAcceptForm(CaseActionForm):
    action = Action.NOT_ACCEPT
    label = _("Do not accept")
    reason = _reason()

    def perform(self):
        return actions.not_accept(
            self.user, self.case, reason=self.cleaned_data["reason"], expected_version=self.version
        )


class DivertForm(CaseActionForm):
    action = Action.DIVERT
    label = _("Divert to the legal channel")
    legal_channel = forms.ChoiceField(
        label=_("Legal channel"), choices=[("", "---------"), *LegalChannel.choices], required=False
    )
    help_given = _reason(_("Help given to file there"))

    def perform(self):
        return actions.divert(
            self.user,
            self.case,
            legal_channel=self.cleaned_data["legal_channel"],
            help_given=self.cleaned_data["help_given"],
            expected_version=self.version,
        )


class ReplyForm(CaseActionForm):
    action = Action.REPLY
    label = _("Reply")
    reply_opinion = forms.ChoiceField(
        label=_("Opinion"), choices=ReplyOpinion.choices, initial=ReplyOpinion.SUPPORTS
    )
    reply_text = _reason(_("Written reply"))

    def perform(self):
        return actions.reply(
            self.user,
            self.case,
            reply_opinion=self.cleaned_data["reply_opinion"],
            reply_text=self.cleaned_data["reply_text"],
            expected_version=self.version,
        )


class ResolveOnTheSpotForm(ReplyForm):
    action = Action.RESOLVE_ON_THE_SPOT
    label = _("Resolve on the spot")

    def perform(self):
        return actions.resolve_on_the_spot(
            self.user,
            self.case,
            reply_opinion=self.cleaned_data["reply_opinion"],
            reply_text=self.cleaned_data["reply_text"],
            expected_version=self.version,
        )


class EscalateForm(CaseActionForm):
    action = Action.ESCALATE
    label = _("Escalate")
    reason = _reason()

    @classmethod
    def shown_for(cls, case):
        return case.tier != Tier.CITY

    def perform(self):
        return actions.escalate(
            self.user, self.case, reason=self.cleaned_data["reason"], expected_version=self.version
        )


class HandBackForm(CaseActionForm):
    action = Action.HAND_BACK
    label = _("Hand back to the lower tier")
    reason = _reason()

    @classmethod
    def shown_for(cls, case):
        return case.tier != Tier.VILLAGE and case.jurisdiction.level != case.tier

    def perform(self):
        return actions.hand_back(
            self.user, self.case, reason=self.cleaned_data["reason"], expected_version=self.version
        )


class TransferForm(CaseActionForm):
    action = Action.TRANSFER
    label = _("Transfer to another place")
    to_jurisdiction = forms.ModelChoiceField(
        label=_("To"), queryset=Jurisdiction.objects.order_by("code"), required=False
    )
    reason = _reason()

    def perform(self):
        return actions.transfer(
            self.user,
            self.case,
            to_jurisdiction=self.cleaned_data["to_jurisdiction"],
            reason=self.cleaned_data["reason"],
            expected_version=self.version,
        )


def units_for(case: Case):
    """Units of the place that owns the case at its tier (and, for a town, the city
    bureaus are out of reach until it is escalated)."""
    owner = case.tier_jurisdiction
    if owner is None:
        return Department.objects.none()
    return (
        Department.objects.filter(is_active=True, jurisdiction__code__startswith=owner.scope_prefix)
        .select_related("jurisdiction")
        .order_by("jurisdiction__code", "name")
    )


class AssignForm(CaseActionForm):
    action = Action.ASSIGN
    label = _("Assign a lead unit")
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=Department.objects.none(), required=False
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-handling units"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = _note()

    @classmethod
    def shown_for(cls, case):
        return case.tier != Tier.VILLAGE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units_for(self.case)
        self.fields["co_units"].queryset = units_for(self.case)

    def perform(self):
        return actions.assign(
            self.user,
            self.case,
            lead_unit=self.cleaned_data["lead_unit"],
            co_units=list(self.cleaned_data["co_units"]),
            note=self.cleaned_data["note"],
            expected_version=self.version,
        )


class CoHandleForm(CaseActionForm):
    action = Action.CO_HANDLE
    label = _("Add co-handling units")
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = _note()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units_for(self.case)

    def perform(self):
        return actions.add_co_handling(
            self.user,
            self.case,
            units=list(self.cleaned_data["units"]),
            note=self.cleaned_data["note"],
            expected_version=self.version,
        )


class ExtendForm(CaseActionForm):
    action = Action.EXTEND
    label = _("Extend the handling limit")
    days = forms.IntegerField(label=_("Days (at most 30)"), required=False)
    reason = _reason()
    approved_by = forms.CharField(label=_("Approved by (head)"), required=False, max_length=100)
    reason_told_to_petitioner = forms.BooleanField(
        label=_("The petitioner was told the reason"), required=False
    )

    @classmethod
    def shown_for(cls, case):
        return not case.extension_days

    def perform(self):
        return actions.extend(
            self.user,
            self.case,
            days=self.cleaned_data["days"],
            reason=self.cleaned_data["reason"],
            approved_by=self.cleaned_data["approved_by"],
            reason_told_to_petitioner=self.cleaned_data["reason_told_to_petitioner"],
            expected_version=self.version,
        )


class EvaluateForm(CaseActionForm):
    action = Action.EVALUATE
    label = _("Record the petitioner's evaluation")
    rating = forms.ChoiceField(
        label=_("Evaluation"), choices=Rating.choices, widget=forms.RadioSelect, required=False
    )
    note = _note()

    def perform(self):
        return actions.record_evaluation(
            self.user,
            self.case,
            rating=self.cleaned_data["rating"],
            note=self.cleaned_data["note"],
            expected_version=self.version,
        )


class CloseForm(CaseActionForm):
    action = Action.CLOSE
    label = _("Close")
    note = _note()

    def perform(self):
        return actions.close(
            self.user, self.case, note=self.cleaned_data["note"], expected_version=self.version
        )


class ReopenForm(CaseActionForm):
    action = Action.REOPEN
    label = _("Reopen")
    reason = _reason()

    @classmethod
    def shown_for(cls, case):
        return case.rating == Rating.UNSATISFIED

    def perform(self):
        return actions.reopen(
            self.user, self.case, reason=self.cleaned_data["reason"], expected_version=self.version
        )


class RequestReviewForm(CaseActionForm):
    action = Action.REQUEST_REVIEW
    label = _("Request a review")
    check_version_in_view = True
    reason = _reason()

    def perform(self):
        return actions.request_review(self.user, self.case, reason=self.cleaned_data["reason"])


class ClosureAgreementForm(CaseActionForm):
    action = Action.CLOSURE_AGREEMENT
    label = _("Record a closure agreement")
    check_version_in_view = True
    signed_at = forms.DateField(
        label=_("Signed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    signed_by = forms.CharField(label=_("Signed by"), required=False, max_length=100)
    summary = _reason(_("Terms agreed"))

    def perform(self):
        return actions.record_closure_agreement(
            self.user,
            self.case,
            signed_at=self.cleaned_data["signed_at"],
            signed_by=self.cleaned_data["signed_by"],
            summary=self.cleaned_data["summary"],
        )


class NoteForm(CaseActionForm):
    action = Action.NOTE
    label = _("Add a note")
    note = _note()

    def perform(self):
        return actions.add_note(self.user, self.case, note=self.cleaned_data["note"])


class LinkForm(CaseActionForm):
    action = Action.LINK
    label = _("Link another case")
    other = forms.CharField(label=_("Tracking number of the other case"), max_length=32)
    note = _note()

    def clean_other(self):
        number = self.cleaned_data["other"].strip()
        other = Case.objects.visible_to(self.user).filter(tracking_number__iexact=number).first()
        if other is None:
            raise forms.ValidationError(_("No case you can see has this tracking number."))
        return other

    def perform(self):
        return actions.link_cases(
            self.user, self.case, other=self.cleaned_data["other"], note=self.cleaned_data["note"]
        )


def _clock_pausable(case: Case) -> bool:
    policy = policy_for(Stage.HANDLE, case)
    return bool(policy and policy.pausable)


class PauseClockForm(CaseActionForm):
    """A hearing stops the handling clock (art. 36: hearing time does not count)."""

    action = "pause_clock"
    label = _("Pause the handling limit for a hearing")
    extra_rights = frozenset({TIER, LEAD})
    check_version_in_view = True
    reason = _reason()

    @classmethod
    def available(cls, case, rights):
        return bool(rights & cls.extra_rights) and case.state in HANDLING_STATES

    @classmethod
    def shown_for(cls, case):
        return _clock_pausable(case) and not case.clock_pauses.filter(ended_at=None).exists()

    def perform(self):
        return pause_clock(self.user, self.case, reason=self.cleaned_data["reason"])


class ResumeClockForm(PauseClockForm):
    action = "resume_clock"
    label = _("Resume the handling limit after the hearing")
    reason = None
    note = _note()

    @classmethod
    def shown_for(cls, case):
        return _clock_pausable(case) and case.clock_pauses.filter(ended_at=None).exists()

    def perform(self):
        return resume_clock(self.user, self.case, note=self.cleaned_data["note"])


class AttachForm(CaseActionForm):
    action = Action.ATTACH
    label = _("Add an attachment")
    multipart = True
    file = forms.FileField(label=_("File"))

    def perform(self):
        return actions.add_attachment(self.user, self.case, upload=self.cleaned_data["file"])


# In the order the buttons appear on the case page.
ACTION_FORMS: dict[str, type[CaseActionForm]] = {
    form.action: form
    for form in (
        AcceptForm,
        ResolveOnTheSpotForm,
        EscalateForm,
        AssignForm,
        ReplyForm,
        EvaluateForm,
        CloseForm,
        ReopenForm,
        CoHandleForm,
        ExtendForm,
        HandBackForm,
        TransferForm,
        NotAcceptForm,
        DivertForm,
        RequestReviewForm,
        ClosureAgreementForm,
        NoteForm,
        LinkForm,
        AttachForm,
        PauseClockForm,
        ResumeClockForm,
    )
}
