"""Supervision pages: the board (overdue and warned cases by unit, notices with their
reply forms, key cases by leader) and the joint meeting (agenda, minutes, decisions).

Views parse, call one action through its form (derived from the catalogue), and
render; lists go through `visible_to(user)`. Forms are shown as the actions' rows say
(`transitions.TRANSITIONS`); a POST the row's rule refuses is a 403 before the form is
read, and whatever else the action refuses is shown next to the field.
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

from .actions import build_agenda, release_leader
from .choices import MeetingState, NoticeState
from .forms import done_form, minutes_form, reply_form, supervision_form
from .models import AgendaItem, JointMeeting, KeyCase, MeetingDecision, SupervisionNotice
from .transitions import TRANSITIONS

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


def _offered(name: str, user):
    """The form of an action that starts from its inputs, for those it is offered to."""
    return supervision_form(name, user=user) if TRANSITIONS[name].offers(user) else None


def _refuse_unless_permitted(name: str, user, subject=None) -> None:
    """A 403 for a POST the action's rule refuses, before its form is read."""
    row = TRANSITIONS[name]
    if not (row.offers(user) if subject is None else row.permits(user, subject)):
        raise PermissionDenied


def render_board(request, *, issue_form=None, leader_form=None, bound_reply=None, status=200):
    user, now = request.user, timezone.now()
    notices = list(_notices(user))
    for notice in notices:
        notice.late = notice.state == NoticeState.OPEN and notice.due_at < now
        if bound_reply is not None and bound_reply.subject.pk == notice.pk:
            notice.reply_form = bound_reply  # with its errors, even if answered meanwhile
        elif TRANSITIONS["reply_notice"].allows(user, notice):
            notice.reply_form = reply_form(notice, user=user)
    context = {
        "now": now,
        "groups": _cases_by_unit(user, now),
        "notices": notices,
        "leaders": _key_cases_by_leader(user),
        # Who may end a leader's ownership: the overseers (the action checks the case).
        "overseer": TRANSITIONS["assign_leader"].offers(user),
        "issue_form": issue_form or _offered("issue_notice", user),
        "leader_form": leader_form or _offered("assign_leader", user),
    }
    return render(request, "supervision/board.html", context, status=status)


@login_required
@require_GET
def board(request):
    return render_board(request)


@login_required
@require_POST
def issue_notice(request):
    _refuse_unless_permitted("issue_notice", request.user)
    form = supervision_form("issue_notice", request.POST, user=request.user)
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
    _refuse_unless_permitted("reply_notice", request.user, notice)
    form = reply_form(notice, request.POST, user=request.user)
    if not form.submit():
        return render_board(request, bound_reply=form, status=form.status_code)
    messages.success(request, _("Reply to %(number)s recorded.") % {"number": notice.number})
    return redirect("supervision:board")


@login_required
@require_POST
def assign_leader(request):
    _refuse_unless_permitted("assign_leader", request.user)
    form = supervision_form("assign_leader", request.POST, user=request.user)
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
    _refuse_unless_permitted("release_leader", request.user, key)
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
    form, status = _offered("convene_meeting", user), 200
    if request.method == "POST":
        _refuse_unless_permitted("convene_meeting", user)
        form = supervision_form("convene_meeting", request.POST, user=user)
        if form.submit():
            messages.success(request, _("Meeting created; build its agenda next."))
            return redirect("supervision:meeting", pk=form.result.pk)
        status = form.status_code
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
    request, meeting, *, bound_minutes=None, bound_decision=None, bound_done=None, status=200
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

    def allowed(name):
        return TRANSITIONS[name].allows(user, meeting)

    for decision in decisions:
        decision.meeting = meeting  # read once for every decision's rule
        decision.late = decision.state == "open" and decision.due_at < now
        decision.colour = DeadlineStatus.OVERDUE if decision.late else decision.deadline_status
        if not decision.case_visible:
            decision.case = None  # not shown to someone who may not see it
        if bound_done is not None and bound_done.subject.pk == decision.pk:
            decision.done_form = bound_done
        elif TRANSITIONS["complete_decision"].allows(user, decision):
            decision.done_form = done_form(decision, user=user)
    context = {
        "meeting": meeting,
        "attendees": list(meeting.attendees.all()),
        "attending_units": list(meeting.attending_units.all()),
        "agenda": agenda,
        "decisions": decisions,
        "manage": allowed("build_agenda"),
        "now": now,
        "minutes_form": bound_minutes
        or (minutes_form(meeting, user=user) if allowed("record_minutes") else None),
        "decision_form": bound_decision
        or (
            supervision_form("add_decision", user=user, subject=meeting)
            if allowed("add_decision")
            else None
        ),
    }
    return render(request, "supervision/meeting.html", context, status=status)


@login_required
@require_GET
def meeting(request, pk: int):
    return render_meeting(request, _visible_meeting(request.user, pk))


def _managed_meeting(request, pk: int, action: str) -> JointMeeting:
    meeting = _visible_meeting(request.user, pk)
    _refuse_unless_permitted(action, request.user, meeting)
    return meeting


@login_required
@require_POST
def meeting_agenda(request, pk: int):
    meeting = _managed_meeting(request, pk, "build_agenda")
    added = build_agenda(request.user, meeting)
    messages.success(request, _("%(n)d cases added to the agenda.") % {"n": added})
    return redirect("supervision:meeting", pk=meeting.pk)


@login_required
@require_POST
def meeting_minutes(request, pk: int):
    meeting = _managed_meeting(request, pk, "record_minutes")
    form = minutes_form(meeting, request.POST, user=request.user)
    if not form.submit():
        return render_meeting(request, meeting, bound_minutes=form, status=form.status_code)
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
    meeting = _managed_meeting(request, pk, "add_decision")
    form = supervision_form("add_decision", request.POST, user=request.user, subject=meeting)
    if not form.submit():
        return render_meeting(request, meeting, bound_decision=form, status=form.status_code)
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
    _refuse_unless_permitted("complete_decision", request.user, decision)
    form = done_form(decision, request.POST, user=request.user)
    if not form.submit():
        return render_meeting(request, decision.meeting, bound_done=form, status=form.status_code)
    messages.success(request, _("Task reported done."))
    return redirect("supervision:meeting", pk=decision.meeting_id)
