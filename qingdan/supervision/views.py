"""Supervision pages: the board (overdue and warned cases by unit, notices with their
reply forms, key cases by leader) and the joint meeting (agenda, minutes, decisions).

Views parse, call one action through a form, and render; lists go through
`visible_to(user)`. A POST the user may not make is refused by the action (403).
"""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qingdan.cases.choices import OPEN_STATES, DeadlineStatus
from qingdan.cases.models import Case
from qingdan.core.errors import ActionError

from . import rules
from .actions import build_agenda, release_leader
from .choices import MeetingState, NoticeState
from .forms import (
    AssignLeaderForm,
    DecisionForm,
    DoneForm,
    IssueNoticeForm,
    MeetingForm,
    MinutesForm,
    ReplyForm,
)
from .models import AgendaItem, JointMeeting, KeyCase, MeetingDecision, SupervisionNotice

BOARD_CASES = 300
BOARD_NOTICES = 100
MEETINGS_SHOWN = 50


# --- the board ------------------------------------------------------------------


def _cases_by_unit(user, now):
    """Open cases past their warning time, grouped by who must act: the lead unit,
    or the place at the case's tier."""
    cases = (
        Case.objects.visible_to(user)
        .filter(state__in=OPEN_STATES, warn_at__lte=now)
        .select_related("jurisdiction__parent__parent", "lead_unit__jurisdiction", "category")
        .order_by("due_at", "pk")[:BOARD_CASES]
    )
    groups: dict[str, dict] = {}
    for case in cases:
        owner = case.lead_unit or case.tier_jurisdiction or case.jurisdiction
        group = groups.setdefault(
            str(owner), {"owner": owner, "cases": [], "overdue": 0, "warning": 0}
        )
        group["cases"].append(case)
        overdue = case.due_at is not None and case.due_at < now
        group["overdue" if overdue else "warning"] += 1
    return sorted(groups.values(), key=lambda g: (-g["overdue"], -g["warning"], str(g["owner"])))


def _notices(user):
    return (
        SupervisionNotice.objects.visible_to(user)
        .select_related("case", "unit__jurisdiction", "jurisdiction", "issued_by", "replied_by")
        .order_by("state", "due_at", "pk")[:BOARD_NOTICES]
    )


def _key_cases_by_leader(user):
    keys = (
        KeyCase.objects.visible_to(user)
        .active()
        .select_related("leader", "case__jurisdiction")
        .order_by("leader__display_name", "leader_id", "-assigned_at")
    )
    leaders: dict = defaultdict(list)
    for key in keys:
        leaders[key.leader].append(key)
    return list(leaders.items())


def render_board(request, *, issue_form=None, leader_form=None, bound_reply=None, status=200):
    user, now = request.user, timezone.now()
    notices = list(_notices(user))
    for notice in notices:
        notice.late = notice.state == NoticeState.OPEN and notice.due_at < now
        if bound_reply is not None and bound_reply.notice.pk == notice.pk:
            notice.reply_form = bound_reply  # with its errors, even if answered meanwhile
        elif notice.state == NoticeState.OPEN and rules.may_reply(user, notice):
            notice.reply_form = ReplyForm(user=user, notice=notice)
    overseer = rules.is_overseer(user)
    context = {
        "now": now,
        "groups": _cases_by_unit(user, now),
        "notices": notices,
        "leaders": _key_cases_by_leader(user),
        "overseer": overseer,
        "issue_form": issue_form or (IssueNoticeForm(user=user) if overseer else None),
        "leader_form": leader_form or (AssignLeaderForm(user=user) if overseer else None),
    }
    return render(request, "supervision/board.html", context, status=status)


@login_required
@require_GET
def board(request):
    return render_board(request)


@login_required
@require_POST
def issue_notice(request):
    if not rules.is_overseer(request.user):
        raise PermissionDenied
    form = IssueNoticeForm(request.POST, user=request.user)
    if not form.submit():
        return render_board(request, issue_form=form, status=form.status_code)
    messages.success(
        request, _("Supervision notice %(number)s issued.") % {"number": form.result.number}
    )
    return redirect("supervision:board")


@login_required
@require_POST
def reply_notice(request, pk: int):
    notice = get_object_or_404(
        SupervisionNotice.objects.visible_to(request.user).select_related("case__jurisdiction"),
        pk=pk,
    )
    if not rules.may_reply(request.user, notice):
        raise PermissionDenied
    form = ReplyForm(request.POST, user=request.user, notice=notice)
    if not form.submit():
        return render_board(request, bound_reply=form, status=form.status_code)
    messages.success(request, _("Reply to %(number)s recorded.") % {"number": notice.number})
    return redirect("supervision:board")


@login_required
@require_POST
def assign_leader(request):
    if not rules.is_overseer(request.user):
        raise PermissionDenied
    form = AssignLeaderForm(request.POST, user=request.user)
    if not form.submit():
        return render_board(request, leader_form=form, status=form.status_code)
    messages.success(request, _("Leader ownership recorded."))
    return redirect("supervision:board")


@login_required
@require_POST
def release_key_case(request, pk: int):
    key = get_object_or_404(
        KeyCase.objects.visible_to(request.user).select_related("case__jurisdiction", "leader"),
        pk=pk,
    )
    if not rules.may_supervise_case(request.user, key.case):
        raise PermissionDenied
    try:
        release_leader(request.user, key)
    except ActionError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Leader ownership ended."))
    return redirect("supervision:board")


# --- joint meetings ----------------------------------------------------------------


def _meetings(user):
    return (
        JointMeeting.objects.visible_to(user)
        .select_related("jurisdiction", "convener")
        .order_by("-held_at", "-pk")[:MEETINGS_SHOWN]
    )


@login_required
def meetings(request):
    user = request.user
    form = None
    status = 200
    if request.method == "POST":
        if not rules.is_overseer(user):
            raise PermissionDenied
        form = MeetingForm(request.POST, user=user)
        if form.submit():
            messages.success(request, _("Meeting created; build its agenda next."))
            return redirect("supervision:meeting", pk=form.result.pk)
        status = 400
    elif rules.is_overseer(user):
        form = MeetingForm(user=user)
    context = {"meetings": list(_meetings(user)), "form": form}
    return render(request, "supervision/meetings.html", context, status=status)


def _visible_meeting(user, pk: int) -> JointMeeting:
    return get_object_or_404(
        JointMeeting.objects.visible_to(user)
        .select_related("jurisdiction", "convener")
        .prefetch_related("attendees", "attending_units__jurisdiction"),
        pk=pk,
    )


def render_meeting(
    request, meeting, *, minutes_form=None, decision_form=None, done_form=None, status=200
):
    user, now = request.user, timezone.now()
    visible = Case.objects.visible_to(user)
    agenda = (
        AgendaItem.objects.filter(meeting=meeting, case__in=visible)
        .select_related("case__jurisdiction", "case__lead_unit__jurisdiction")
        .order_by("position", "pk")
    )
    decisions = list(
        MeetingDecision.objects.filter(meeting=meeting)
        .select_related("owner_unit__jurisdiction", "case")
        .prefetch_related("owners")
        .annotate(case_visible=Exists(visible.filter(pk=OuterRef("case_id"))))
        .order_by("state", "due_at", "pk")
    )
    manage = rules.may_manage_meeting(user, meeting)
    for decision in decisions:
        decision.late = decision.state == "open" and decision.due_at < now
        decision.colour = DeadlineStatus.OVERDUE if decision.late else decision.deadline_status
        if not decision.case_visible:
            decision.case = None  # not shown to someone who may not see it
        if decision.state == "open" and (manage or decision.is_owned_by(user)):
            if done_form is not None and done_form.decision.pk == decision.pk:
                decision.done_form = done_form
            else:
                decision.done_form = DoneForm(user=user, decision=decision)
    context = {
        "meeting": meeting,
        "attendees": list(meeting.attendees.all()),
        "attending_units": list(meeting.attending_units.all()),
        "agenda": agenda,
        "decisions": decisions,
        "manage": manage,
        "now": now,
        "minutes_form": minutes_form
        or (MinutesForm(user=user, meeting=meeting) if manage else None),
        "decision_form": decision_form
        or (DecisionForm(user=user, meeting=meeting) if manage else None),
    }
    return render(request, "supervision/meeting.html", context, status=status)


@login_required
@require_GET
def meeting(request, pk: int):
    return render_meeting(request, _visible_meeting(request.user, pk))


def _managed_meeting(request, pk: int) -> JointMeeting:
    meeting = _visible_meeting(request.user, pk)
    if not rules.may_manage_meeting(request.user, meeting):
        raise PermissionDenied
    return meeting


@login_required
@require_POST
def meeting_agenda(request, pk: int):
    meeting = _managed_meeting(request, pk)
    added = build_agenda(request.user, meeting)
    messages.success(request, _("%(n)d cases added to the agenda.") % {"n": added})
    return redirect("supervision:meeting", pk=meeting.pk)


@login_required
@require_POST
def meeting_minutes(request, pk: int):
    meeting = _managed_meeting(request, pk)
    form = MinutesForm(request.POST, user=request.user, meeting=meeting)
    if not form.submit():
        return render_meeting(request, meeting, minutes_form=form, status=form.status_code)
    if form.result.state == MeetingState.HELD:
        messages.success(request, _("Minutes recorded."))
    else:
        messages.success(
            request, _("Minutes saved; the meeting counts as held once its time has come.")
        )
    return redirect("supervision:meeting", pk=meeting.pk)


@login_required
@require_POST
def meeting_decision(request, pk: int):
    meeting = _managed_meeting(request, pk)
    form = DecisionForm(request.POST, user=request.user, meeting=meeting)
    if not form.submit():
        return render_meeting(request, meeting, decision_form=form, status=form.status_code)
    messages.success(request, _("Decision recorded; its owner has been told."))
    return redirect("supervision:meeting", pk=meeting.pk)


@login_required
@require_POST
def decision_done(request, pk: int):
    decision = get_object_or_404(
        MeetingDecision.objects.select_related("meeting__jurisdiction", "meeting__convener"),
        pk=pk,
        meeting__in=JointMeeting.objects.visible_to(request.user),
    )
    if not rules.may_complete_decision(request.user, decision):
        raise PermissionDenied
    form = DoneForm(request.POST, user=request.user, decision=decision)
    if not form.submit():
        return render_meeting(request, decision.meeting, done_form=form, status=form.status_code)
    messages.success(request, _("Task reported done."))
    return redirect("supervision:meeting", pk=decision.meeting_id)
