"""The draft of a completion report (办结报告) to the superior body, written from the
case and its timeline: what was asked, what was found and done, by whom and when,
the written reply and the petitioner's rating. The handler edits it before sending;
only what they send is recorded (`actions.report_completion`)."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qingdan.cases.choices import Action
from qingdan.cases.models import Case

# The steps of the timeline a superior body is told about, in the report's words.
REPORTED_STEPS: dict[str, Any] = {
    Action.ACCEPT: gettext_lazy("accepted"),
    Action.TAKE_OVER: gettext_lazy("taken over by a higher tier"),
    Action.ESCALATE: gettext_lazy("escalated"),
    Action.HAND_BACK: gettext_lazy("passed down to the lower tier"),
    Action.TRANSFER: gettext_lazy("transferred"),
    Action.ASSIGN: gettext_lazy("assigned"),
    Action.CO_HANDLE: gettext_lazy("co-handling unit added"),
    Action.EXTEND: gettext_lazy("handling limit extended"),
    Action.REPLY: gettext_lazy("replied"),
    Action.RESOLVE_ON_THE_SPOT: gettext_lazy("resolved on the spot"),
    Action.CLOSE: gettext_lazy("closed"),
}


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def _steps(case: Case) -> list[str]:
    events = case.events.filter(action__in=list(REPORTED_STEPS)).select_related(
        "to_unit__jurisdiction", "to_jurisdiction"
    )
    lines = []
    for event in events.order_by("at", "pk"):
        what = str(REPORTED_STEPS[event.action])
        if event.to_unit_id:
            what = f"{what}：{event.to_unit}"
        elif event.action == Action.TRANSFER and event.to_jurisdiction_id:
            what = f"{what}：{event.to_jurisdiction}"
        if event.note and event.action not in (Action.REPLY, Action.RESOLVE_ON_THE_SPOT):
            what = f"{what}（{event.note}）"
        lines.append(f"{_day(event.at)} {what}")
    return lines


def _findings(case: Case) -> list[str]:
    """The staff's notes on the timeline: what they found out while handling it."""
    notes = case.events.filter(action=Action.NOTE, actor__isnull=False).exclude(note="")
    return [f"{_day(event.at)} {event.note}" for event in notes.order_by("at", "pk")]


def completion_report_draft(case: Case) -> str:
    """The report's text as it reads in the user's language."""
    reference = case.assigning_reference or case.tracking_number
    paragraphs = [
        _("To %(body)s:") % {"body": case.assigning_body},
        _(
            "The case “%(title)s” (%(reference)s) you assigned to us on %(registered)s "
            "was registered as %(number)s."
        )
        % {
            "title": case.title,
            "reference": reference,
            "registered": _day(case.registered_at),
            "number": case.tracking_number,
        },
        _("What was asked: %(content)s") % {"content": case.content},
    ]
    findings = _findings(case)
    if findings:
        paragraphs.append(_("What was found:") + "\n" + "\n".join(findings))
    steps = _steps(case)
    if steps:
        paragraphs.append(_("What was done:") + "\n" + "\n".join(steps))
    if case.reply_text:
        paragraphs.append(
            _("Our reply (%(opinion)s, %(date)s): %(text)s")
            % {
                "opinion": case.get_reply_opinion_display(),
                "date": _day(case.replied_at),
                "text": case.reply_text,
            }
        )
    if case.rating:
        paragraphs.append(
            _("The petitioner's evaluation: %(rating)s (%(date)s).")
            % {"rating": case.get_rating_display(), "date": _day(case.evaluated_at)}
        )
    if case.closed_at:
        paragraphs.append(_("Closed on %(date)s.") % {"date": _day(case.closed_at)})
    paragraphs.append(_("We hereby report."))
    return "\n\n".join(paragraphs)
