"""The one table of document kinds, in the spirit of `cases/transitions.py`: for each
kind, what it is issued on (its subject), from which states of that subject it is
offered, who may issue it, and what it draws on (`drafting`).

A kind is offered when the subject is in one of its states, the kind applies to the
subject (`when`), and the person holds one of its rights on the subject's case (and
one of its roles, where it names roles; a meeting's minutes follow the meeting rules).
The case page offers exactly `offered_kinds(user, case)`; the actions refuse the rest.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qingdan.cases.choices import ANSWERED_STATES, HANDLING_STATES, UNANSWERED_STATES, State
from qingdan.cases.models import Case, ClosureAgreement
from qingdan.cases.rights import LEAD, RECEIVER, TIER, VIEW, rights_on
from qingdan.cases.transitions import EVERY_STATE
from qingdan.core.vocabulary import ReviewLevel
from qingdan.orgs.permissions import OVERSEER_ROLES, has_role
from qingdan.supervision.choices import MeetingState
from qingdan.supervision.models import JointMeeting, SupervisionNotice
from qingdan.supervision.rules import may_manage_meeting

from . import drafting
from .choices import Audience, DocumentKind, Subject

K = DocumentKind
# Inputs the issuer may give on top of what the subject says.
FACTS, BASIS, CHANNEL, REMARKS = "facts", "basis", "channel", "remarks"


@dataclass(frozen=True)
class KindSpec:
    kind: str
    title: str  # as printed
    abbr: str  # its part of the 文号: 招信受〔2026〕15号
    subject: str  # Subject
    # States of the subject (a case's; a meeting's for minutes) it is offered from.
    states: frozenset[str]
    # Rights on the subject's case, one of which the issuer holds.
    rights: frozenset[str]
    draft: Callable[..., dict]
    audience: str
    inputs: tuple[str, ...] = (REMARKS,)
    # One of these roles besides (督办单: supervisors and leaders).
    roles: frozenset[str] = frozenset()
    # Whether it applies to this subject at all (an extension notice needs an extension).
    when: Callable[[Any], bool] | None = None
    numbered: bool = True
    # Addressed to the petitioner: readable on the portal.
    public: bool = False
    # The written answer: its recorded service starts the review window (arts. 35-36).
    answers: bool = False
    servable: bool = True


def _k(kind, title, abbr, subject, states, rights, draft, audience, **extra) -> KindSpec:
    return KindSpec(
        kind, title, abbr, subject, frozenset(states), frozenset(rights), draft, audience, **extra
    )


def _level(level: int) -> Callable[[Case], bool]:
    return lambda case: case.review_level == level


def _routed(case: Case) -> bool:
    return case.lead_unit_id is not None or case.events.filter(action="transfer").exists()


def _has_agreement(case: Case) -> bool:
    return ClosureAgreement.objects.filter(case=case).exists()


def _issuable_about(document) -> bool:
    return document.kind != K.SERVICE_RECEIPT


S, SUBJ, A = State, Subject, Audience
ANSWER_RIGHTS = (TIER, LEAD)


def _answer(kind, title, abbr, draft, level) -> KindSpec:
    """The written answer of a case at its review level (答复, 复查, 复核意见书): offered
    once answered, to the tier and the lead unit; its service starts the review window."""
    return _k(
        kind,
        title,
        abbr,
        SUBJ.CASE,
        ANSWERED_STATES,
        ANSWER_RIGHTS,
        draft,
        A.PETITIONER,
        inputs=(FACTS, BASIS, REMARKS),
        when=_level(level),
        public=True,
        answers=True,
    )


KINDS: dict[str, KindSpec] = {
    K.ACCEPTANCE: _k(
        K.ACCEPTANCE,
        "受理告知书",
        "受",
        SUBJ.CASE,
        HANDLING_STATES,
        {TIER},
        drafting.acceptance,
        A.PETITIONER,
        public=True,
    ),
    K.NON_ACCEPTANCE: _k(
        K.NON_ACCEPTANCE,
        "不予受理告知书",
        "不受",
        SUBJ.CASE,
        {S.NOT_ACCEPTED, S.DIVERTED},
        {TIER},
        drafting.non_acceptance,
        A.PETITIONER,
        inputs=(CHANNEL, REMARKS),
        public=True,
    ),
    K.TRANSFER_NOTICE: _k(
        K.TRANSFER_NOTICE,
        "转送/交办告知书",
        "转",
        SUBJ.CASE,
        UNANSWERED_STATES,
        {TIER},
        drafting.transfer_notice,
        A.PETITIONER,
        when=_routed,
        public=True,
    ),
    K.ASSIGNMENT_SLIP: _k(
        K.ASSIGNMENT_SLIP,
        "交办单",
        "交",
        SUBJ.CASE,
        HANDLING_STATES,
        {TIER},
        drafting.assignment_slip,
        A.UNIT,
        when=lambda case: case.lead_unit_id is not None,
    ),
    K.EXTENSION_NOTICE: _k(
        K.EXTENSION_NOTICE,
        "延期告知书",
        "延",
        SUBJ.CASE,
        HANDLING_STATES,
        {TIER},
        drafting.extension_notice,
        A.PETITIONER,
        when=lambda case: case.extension_days > 0,
        public=True,
    ),
    K.REPLY: _answer(K.REPLY, "答复意见书", "复", drafting.reply, ReviewLevel.ORIGINAL),
    K.REVIEW_OPINION: _answer(
        K.REVIEW_OPINION, "复查意见书", "复查", drafting.review_opinion, ReviewLevel.REVIEW
    ),
    K.RE_REVIEW_OPINION: _answer(
        K.RE_REVIEW_OPINION, "复核意见书", "复核", drafting.re_review_opinion, ReviewLevel.RE_REVIEW
    ),
    K.SUPERVISION_SLIP: _k(
        K.SUPERVISION_SLIP,
        "督办单",
        "督",
        SUBJ.NOTICE,
        EVERY_STATE,
        {VIEW},
        drafting.supervision_slip,
        A.UNIT,
        roles=OVERSEER_ROLES,
    ),
    K.COMPLETION_REPORT: _k(
        K.COMPLETION_REPORT,
        "办结报告",
        "结",
        SUBJ.CASE,
        ANSWERED_STATES,
        ANSWER_RIGHTS,
        drafting.completion_report,
        A.SUPERIOR,
        when=lambda case: bool(case.assigning_body),
    ),
    K.MEETING_MINUTES: _k(
        K.MEETING_MINUTES,
        "联席会议纪要",
        "纪",
        SUBJ.MEETING,
        {MeetingState.HELD},
        (),
        drafting.meeting_minutes,
        A.MEETING,
    ),
    K.CLOSURE_AGREEMENT: _k(
        K.CLOSURE_AGREEMENT,
        "息诉罢访协议书",
        "协",
        SUBJ.CASE,
        ANSWERED_STATES,
        {TIER},
        drafting.closure_agreement,
        A.PETITIONER,
        when=_has_agreement,
        public=True,
    ),
    K.SERVICE_RECEIPT: _k(
        K.SERVICE_RECEIPT,
        "送达回证",
        "",
        SUBJ.DOCUMENT,
        EVERY_STATE | set(MeetingState.values),
        {TIER, LEAD, RECEIVER},
        drafting.service_receipt,
        A.RECIPIENT,
        when=_issuable_about,
        numbered=False,
        servable=False,
    ),
}

KIND_LABELS = dict(DocumentKind.choices)
ANSWER_KINDS = frozenset(k for k, spec in KINDS.items() if spec.answers)
PUBLIC_KINDS = frozenset(k for k, spec in KINDS.items() if spec.public)
SUBJECT_MODELS = {
    Subject.CASE: Case,
    Subject.NOTICE: SupervisionNotice,
    Subject.MEETING: JointMeeting,
}


def subject_kind(subject) -> str:
    """Which Subject an object is."""
    if isinstance(subject, Case):
        return Subject.CASE
    if isinstance(subject, SupervisionNotice):
        return Subject.NOTICE
    if isinstance(subject, JointMeeting):
        return Subject.MEETING
    return Subject.DOCUMENT


def case_of(subject) -> Case | None:
    if isinstance(subject, Case):
        return subject
    return getattr(subject, "case", None)


def state_of(subject) -> str:
    """The state a kind's `states` are matched against: the case's, or the meeting's
    for minutes (and for the receipt of minutes)."""
    if isinstance(subject, JointMeeting):
        return subject.state
    case = case_of(subject)
    if case is not None:
        return case.state
    meeting = getattr(subject, "meeting", None)
    return meeting.state if meeting is not None else ""


def _may(spec: KindSpec, user, subject) -> bool:
    if spec.roles and not has_role(user, spec.roles):
        return False
    if isinstance(subject, JointMeeting):
        return may_manage_meeting(user, subject)
    case = case_of(subject)
    if case is None:  # a receipt for minutes: whoever manages the meeting
        meeting = getattr(subject, "meeting", None)
        return meeting is not None and may_manage_meeting(user, meeting)
    return bool(rights_on(user, case) & spec.rights)


def refusal(kind: str, user, subject) -> str | None:
    """None when `user` may issue `kind` on `subject`; else why not: 'kind' (unknown
    kind or not for this subject), 'state', 'applies' (the `when` says no) or 'rights'."""
    spec = KINDS.get(kind)
    if spec is None or spec.subject != subject_kind(subject):
        return "kind"
    if state_of(subject) not in spec.states:
        return "state"
    if spec.when is not None and not spec.when(subject):
        return "applies"
    if not _may(spec, user, subject):
        return "rights"
    return None


def offered_kinds(user, subject) -> list[KindSpec]:
    """The kinds `user` may issue on `subject` now, in table order."""
    return [spec for kind, spec in KINDS.items() if refusal(kind, user, subject) is None]


def kind_label(kind: str) -> Any:
    return KIND_LABELS.get(kind, kind)


__all__ = [
    "ANSWER_KINDS",
    "KINDS",
    "PUBLIC_KINDS",
    "KindSpec",
    "case_of",
    "kind_label",
    "offered_kinds",
    "refusal",
    "subject_kind",
]
