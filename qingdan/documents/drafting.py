"""What each kind of document says, drawn from its subject (the case, its timeline,
the supervision notice, the meeting, the served document) and the letterhead's fixed
paragraphs.

A draft is plain data (a dict, stored as the version's `content`): the PDF and the
.docx are both rendered from it, so they say the same thing. Blocks are:
`{"type": "p", "text"}` (an indented paragraph), `{"type": "h", "text"}` (a heading
line), `{"type": "line", "text"}` (a line without indent), `{"type": "table",
"header": [...], "rows": [[...]]}` and `{"type": "signatures", "parties": [[label,
name]]}`. Documents are written in Chinese whatever the reader's language.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from qingdan.cases.choices import Action, LegalChannel, ReplyOpinion, ReviewLevel
from qingdan.cases.models import Case
from qingdan.core.numerals import chinese_date
from qingdan.deadlines.choices import LimitUnit, Stage
from qingdan.deadlines.policies import policy_for
from qingdan.intake.models import CompletionReport
from qingdan.supervision.models import JointMeeting, SupervisionNotice

from .letterhead import Letterhead, letterhead_for
from .templating import short_date

REVIEW_REQUEST_DAYS = 30  # arts. 35-36: counted from receipt of the answer
# Where a matter diverted to the legal channel goes (诉访分离).
LEGAL_CHANNEL_WORDS = {
    LegalChannel.LITIGATION: "人民法院提起诉讼",
    LegalChannel.ARBITRATION: "仲裁机构申请仲裁",
    LegalChannel.ADMINISTRATIVE_RECONSIDERATION: "行政复议机关申请行政复议",
    LegalChannel.OTHER: "有关机关依照法定程序提出",
}
DECISION_PARAGRAPH: dict[str, str] = {
    ReplyOpinion.SUPPORTS: "decision_supports",
    ReplyOpinion.EXPLAINS: "decision_explains",
    ReplyOpinion.DOES_NOT_SUPPORT: "decision_does_not_support",
}
NOT_RECORDED = "（未记录）"


@dataclass(frozen=True)
class Inputs:
    """What the issuer may add to what the subject says (all optional)."""

    facts: str = ""
    basis: str = ""
    channel: str = ""
    remarks: str = ""


def p(text: str) -> dict:
    return {"type": "p", "text": text}


def h(text: str) -> dict:
    return {"type": "h", "text": text}


def line(text: str) -> dict:
    return {"type": "line", "text": text}


def table(header: list[str], rows: list[list[str]]) -> dict:
    return {"type": "table", "header": header, "rows": rows}


def petitioner_name(case: Case) -> str:
    """The name the document is addressed to: a notice must reach the person, so it
    carries the name in full (and nothing else of their personal data)."""
    if case.petitioner is None:
        return "信访人"
    return case.petitioner.name or "信访人"


def case_values(case: Case) -> dict[str, Any]:
    return {
        "petitioner": petitioner_name(case),
        "title": case.title,
        "tracking_number": case.tracking_number,
        "received": short_date(case.registered_at),
    }


def _handling_days(case: Case) -> int:
    policy = policy_for(Stage.HANDLE, case)
    if policy is not None and policy.unit == LimitUnit.CALENDAR_DAYS:
        return policy.limit + (case.extension_days if policy.extendable else 0)
    if case.handle_due_at and case.handling_started_at:
        return max((case.handle_due_at - case.handling_started_at).days, 1)
    return 60


def _remarks(inputs: Inputs) -> list[dict]:
    return [p(text) for text in inputs.remarks.strip().splitlines() if text.strip()]


def _last_event(case: Case, *actions: str):
    return case.events.filter(action__in=actions).order_by("-at", "-pk").first()


# --- notices to the petitioner ---------------------------------------------------------


def acceptance(case: Case, head: Letterhead, inputs: Inputs) -> dict:
    values = case_values(case)
    return {
        "recipient": petitioner_name(case),
        "blocks": [
            p(head.paragraph("acceptance", **values, accepted=short_date(case.accepted_at))),
            p(
                head.paragraph(
                    "acceptance_limit",
                    **values,
                    days=_handling_days(case),
                    due=short_date(case.handle_due_at),
                )
            ),
            *_remarks(inputs),
        ],
    }


def non_acceptance(case: Case, head: Letterhead, inputs: Inputs) -> dict:
    values = case_values(case)
    if case.legal_channel:
        reason = head.paragraph("diverted_reason", **values)
        channel = head.paragraph(
            "diverted_channel",
            **values,
            channel=LEGAL_CHANNEL_WORDS.get(LegalChannel(case.legal_channel), ""),
            help=case.diversion_help,
        )
    else:
        reason = case.not_accepted_reason
        channel = inputs.channel.strip() or head.paragraph("non_acceptance_channel", **values)
    return {
        "recipient": petitioner_name(case),
        "blocks": [
            p(head.paragraph("non_acceptance", **values, reason=reason)),
            p(channel),
            *_remarks(inputs),
        ],
    }


def _routing(case: Case) -> tuple[str, str, dt.datetime | None]:
    """(how, to whom, when) the case was last routed: 交由 a unit, or 转送 a place."""
    event = _last_event(case, Action.ASSIGN, Action.TRANSFER)
    if event is not None and event.action == Action.TRANSFER and event.to_jurisdiction_id:
        return "转送", letterhead_for(event.to_jurisdiction).body_name, event.at
    unit = case.lead_unit
    name = f"{unit.jurisdiction.name}{unit.name}" if unit is not None else ""
    return "交由", name, event.at if event is not None else None


def transfer_title(case: Case) -> str:
    how, _unit, _at = _routing(case)
    return "转送告知书" if how == "转送" else "交办告知书"


def transfer_notice(case: Case, head: Letterhead, inputs: Inputs) -> dict:
    how, unit, at = _routing(case)
    return {
        "title": transfer_title(case),
        "recipient": petitioner_name(case),
        "blocks": [
            p(
                head.paragraph(
                    "transfer_notice",
                    **case_values(case),
                    routed=short_date(at),
                    how=how,
                    unit=unit,
                )
            ),
            *_remarks(inputs),
        ],
    }


def _case_table(case: Case) -> dict:
    place = case.jurisdiction
    where = f"{place.parent.name}{place.name}" if place.parent is not None else place.name
    return table(
        ["项目", "内容"],
        [
            ["登记编号", case.tracking_number],
            ["信访人", petitioner_name(case)],
            ["反映渠道", case.get_channel_display()],
            ["登记时间", short_date(case.registered_at)],
            ["问题属地", where + (f" {case.address}" if case.address else "")],
            ["信访事项", case.title],
            ["主要内容", case.content],
            ["办理期限", short_date(case.handle_due_at) or NOT_RECORDED],
        ],
    )


def assignment_slip(case: Case, head: Letterhead, inputs: Inputs) -> dict:
    unit = case.lead_unit
    return {
        "title": "交办单",
        "recipient": f"{unit.jurisdiction.name}{unit.name}" if unit is not None else "",
        "blocks": [
            p(
                head.paragraph(
                    "assignment_slip",
                    **case_values(case),
                    how="交由",
                    due=short_date(case.handle_due_at),
                )
            ),
            _case_table(case),
            *_remarks(inputs),
        ],
    }


def extension_notice(case: Case, head: Letterhead, inputs: Inputs) -> dict:
    event = _last_event(case, Action.EXTEND)
    approved_by = (event.data or {}).get("approved_by", "") if event is not None else ""
    return {
        "recipient": petitioner_name(case),
        "blocks": [
            p(
                head.paragraph(
                    "extension_notice",
                    **case_values(case),
                    reason=case.extension_reason.rstrip("。"),
                    approved_by=approved_by or "本机关负责人",
                    days=case.extension_days,
                    due=short_date(case.handle_due_at),
                )
            ),
            *_remarks(inputs),
        ],
    }


# --- answers: 答复意见书, 复查意见书, 复核意见书 ------------------------------------------------


def _answer_sections(case: Case, head: Letterhead, inputs: Inputs) -> list[dict]:
    values = case_values(case)
    decision = head.paragraph(DECISION_PARAGRAPH.get(case.reply_opinion, "decision_explains"))
    facts = inputs.facts.strip() or case.reply_text
    decision_blocks = [p(decision)]
    if inputs.facts.strip():
        decision_blocks.insert(0, p(case.reply_text))
    return [
        h("一、查明事实"),
        p(facts),
        h("二、处理依据"),
        p(inputs.basis.strip() or head.paragraph("answer_basis", **values)),
        h("三、处理意见"),
        *decision_blocks,
        *_remarks(inputs),
    ]


def reply(case: Case, head: Letterhead, inputs: Inputs) -> dict:
    values = case_values(case)
    return {
        "recipient": petitioner_name(case),
        "blocks": [
            p(head.paragraph("reply_intro", **values)),
            *_answer_sections(case, head, inputs),
            h("四、权利告知"),
            p(
                head.paragraph(
                    "review_right", **values, days=REVIEW_REQUEST_DAYS, review_body=head.review_body
                )
            ),
        ],
    }


def _original_body(case: Case) -> str:
    parent = case.parent
    if parent is None:
        return "原处理机关"
    return letterhead_for(parent.tier_jurisdiction or parent.jurisdiction).body_name


def review_opinion(case: Case, head: Letterhead, inputs: Inputs) -> dict:
    values = case_values(case)
    return {
        "recipient": petitioner_name(case),
        "blocks": [
            p(head.paragraph("review_intro", **values, original_body=_original_body(case))),
            *_answer_sections(case, head, inputs),
            h("四、权利告知"),
            p(
                head.paragraph(
                    "re_review_right",
                    **values,
                    days=REVIEW_REQUEST_DAYS,
                    review_body=head.review_body,
                )
            ),
        ],
    }


def re_review_opinion(case: Case, head: Letterhead, inputs: Inputs) -> dict:
    values = case_values(case)
    return {
        "recipient": petitioner_name(case),
        "blocks": [
            p(head.paragraph("re_review_intro", **values, original_body=_original_body(case))),
            *_answer_sections(case, head, inputs),
            h("四、告知事项"),
            p(head.paragraph("final", **values)),
        ],
    }


def answer_kind_for(case: Case) -> str:
    """Which answer a case's reply is, by its review level."""
    return {
        ReviewLevel.ORIGINAL: "reply",
        ReviewLevel.REVIEW: "review_opinion",
        ReviewLevel.RE_REVIEW: "re_review_opinion",
    }[ReviewLevel(case.review_level)]


# --- to units, superiors and meetings ------------------------------------------------------


def supervision_slip(notice: SupervisionNotice, head: Letterhead, inputs: Inputs) -> dict:
    case = notice.case
    reason = notice.reason.strip()
    if reason and reason[-1] not in "。！？.!?":
        reason += "。"
    return {
        "recipient": notice.answerer,
        "blocks": [
            p(
                head.paragraph(
                    "supervision_slip",
                    **case_values(case),
                    answerer=notice.answerer,
                    reason=reason,
                    due=short_date(notice.due_at),
                )
            ),
            table(
                ["项目", "内容"],
                [
                    ["督办编号", notice.number],
                    ["登记编号", case.tracking_number],
                    ["信访事项", case.title],
                    ["督办事由", notice.reason],
                    ["回复期限", short_date(notice.due_at)],
                ],
            ),
            *_remarks(inputs),
        ],
    }


def completion_report(case: Case, head: Letterhead, inputs: Inputs) -> dict:
    report = CompletionReport.objects.filter(case=case).first()
    text = report.text if report is not None else case.reply_text
    decision = head.paragraph(DECISION_PARAGRAPH.get(case.reply_opinion, "decision_explains"))
    return {
        "recipient": case.assigning_body,
        "blocks": [
            p(
                head.paragraph(
                    "completion_report",
                    **case_values(case),
                    assigned=short_date(case.registered_at),
                    reference=case.assigning_reference,
                )
            ),
            h("一、办理情况"),
            p(text),
            h("二、处理结果"),
            p(decision.replace("你的", "信访人的")),
            *_remarks(inputs),
            p("特此报告。"),
        ],
    }


def _attendees(meeting: JointMeeting) -> str:
    """The units and people the minutes name as attending (or that none were recorded)."""
    names = [str(unit) for unit in meeting.attending_units.all()]
    names += [str(person) for person in meeting.attendees.all()]
    return "、".join(names) or NOT_RECORDED


def meeting_minutes(meeting: JointMeeting, head: Letterhead, inputs: Inputs) -> dict:
    agenda = meeting.agenda.select_related("case")
    decisions = meeting.decisions.select_related("owner_unit", "case").prefetch_related("owners")
    blocks = [
        p(
            head.paragraph(
                "meeting_intro",
                held=short_date(meeting.held_at),
                convener=str(meeting.convener),
                place=meeting.jurisdiction.name,
            )
        ),
        h("一、参会人员"),
        p(_attendees(meeting)),
        h("二、会议议题"),
        table(
            ["序号", "登记编号", "事项"],
            [
                [str(i), item.case.tracking_number, item.case.title]
                for i, item in enumerate(agenda, 1)
            ],
        )
        if agenda
        else p(NOT_RECORDED),
        h("三、议定事项"),
        table(
            ["序号", "议定事项", "责任人", "完成时限"],
            [
                [str(i), d.text, d.owner_label, short_date(d.due_at)]
                for i, d in enumerate(decisions, 1)
            ],
        )
        if decisions
        else p(NOT_RECORDED),
    ]
    if meeting.minutes.strip():
        blocks += [h("四、会议记录"), *[p(t) for t in meeting.minutes.splitlines() if t.strip()]]
    return {
        "title": f"{meeting.jurisdiction.name}信访工作联席会议纪要",
        "recipient": "",
        "blocks": [*blocks, *_remarks(inputs)],
    }


def closure_agreement(case: Case, head: Letterhead, inputs: Inputs) -> dict:
    agreement = case.closure_agreement
    values = case_values(case)
    return {
        "recipient": "",
        "blocks": [
            line(f"甲方：{head.body_name}"),
            line(f"乙方：{petitioner_name(case)}"),
            p(head.paragraph("closure_agreement", **values)),
            *[p(t) for t in agreement.summary.splitlines() if t.strip()],
            p(head.paragraph("closure_agreement_end", **values)),
            *_remarks(inputs),
            {
                "type": "signatures",
                "parties": [
                    ["甲方（盖章）", head.body_name],
                    ["乙方（签字）", agreement.signed_by],
                    ["签订日期", chinese_date(agreement.signed_at)],
                ],
            },
        ],
        "seal": False,
    }


def service_receipt(document, head: Letterhead, inputs: Inputs) -> dict:
    """送达回证 for an issued document: the form the recipient signs."""
    return {
        "recipient": "",
        "blocks": [
            table(
                ["项目", "内容"],
                [
                    ["送达文书", document.title],
                    ["文号", document.reference or "—"],
                    ["受送达人", document.recipient],
                    ["送达地点", ""],
                    ["送达方式", "□当面  □邮寄  □短信  □电子  □留置  □公告"],
                    ["受送达人签名或盖章", ""],
                    ["签收日期", "\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日"],
                    ["送达人", ""],
                    ["备注", ""],
                ],
            ),
            p(head.paragraph("receipt_note")),
            *_remarks(inputs),
        ],
    }


def today() -> dt.date:
    return timezone.localdate()
